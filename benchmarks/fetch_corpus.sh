#!/usr/bin/env bash
# Clone every repository of the calibration corpus at the commit it names.
#
#   benchmarks/fetch_corpus.sh DEST [MIRRORS]
#
# DEST receives one checkout per entry, named owner+name (what calibrate.py --checkouts
# looks for). When MIRRORS is given, each repository is cloned from MIRRORS/owner+name/repo
# (or MIRRORS/owner+name) if that exists, else from https://github.com/owner/name.
# Existing checkouts are kept and moved to the named commit. Nothing here is run by
# backend-skills itself: it is a developer tool that needs git and, without mirrors, network.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 DEST [MIRRORS]" >&2
  exit 2
fi
dest=$1
mirrors=${2:-}
corpus=$(cd "$(dirname "$0")/.." && pwd)/calibration/corpus.toml
mkdir -p "$dest"

python3 - "$corpus" <<'EOF' | while read -r name commit; do
import sys, tomllib
with open(sys.argv[1], "rb") as fh:
    for repo in tomllib.load(fh)["repo"]:
        print(repo["name"], repo["commit"])
EOF
  folder="$dest/${name/\//+}"
  source="https://github.com/$name"
  if [ -n "$mirrors" ]; then
    for candidate in "$mirrors/${name/\//+}/repo" "$mirrors/${name/\//+}"; do
      if [ -d "$candidate" ]; then source=$candidate; break; fi
    done
  fi
  if [ ! -d "$folder/.git" ]; then
    echo "cloning $name from $source" >&2
    git clone --quiet "$source" "$folder"
  fi
  if ! git -C "$folder" checkout --quiet --detach "$commit" 2>/dev/null; then
    git -C "$folder" fetch --quiet origin "$commit" && git -C "$folder" checkout --quiet --detach "$commit"
  fi
  echo "$name $(git -C "$folder" rev-parse HEAD)"
done
