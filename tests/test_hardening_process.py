"""Hardening of the process model against a hostile repository (issue 12).

- the scored repository's modules are never imported by our own processes, whatever the
  start method, the working folder or the entry point;
- workers are bounded (count and memory) whatever the repository's configuration says;
- a dead worker, a checker raising ``SystemExit``/``KeyboardInterrupt``, or a file not
  analysed for time or memory makes the report incomplete, never a better score;
- a cached row that is not a valid result is recomputed;
- every message a checker writes is redacted before it reaches a report or the cache.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .conftest import TreeFactory

START_METHODS = [
    m for m in ("fork", "forkserver", "spawn") if m in multiprocessing.get_all_start_methods()
]

#: Stdlib and library names a hostile repository shadows; each writes a marker when
#: imported (and then behaves as an empty module).
SHADOWED = (
    "multiprocessing/__init__.py",
    "tomllib.py",
    "json.py",
    "yaml.py",
    "concurrent/__init__.py",
    "pydantic.py",
    "encodings/__init__.py",
    "signal.py",
)


def hostile_tree(make_tree: TreeFactory, markers: Path) -> Path:
    plant = textwrap.dedent(
        f"""
        import os as _os
        _os.makedirs({str(markers)!r}, exist_ok=True)
        open(_os.path.join({str(markers)!r}, __name__ + "." + str(_os.getpid())), "w").close()
        """
    )
    files: dict[str, str] = dict.fromkeys(SHADOWED, plant)
    for i in range(6):  # enough files for a pool of workers
        files[f"app/m{i}.py"] = (
            f"import subprocess\n\ndef run{i}(cmd):\n    return subprocess.call(cmd, shell=True)\n"
        )
    files["db/schema.sql"] = "CREATE TABLE t (id INT PRIMARY KEY);\n"
    return make_tree(files)


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


@pytest.mark.parametrize("method", START_METHODS)
@pytest.mark.parametrize("entry", ["module", "script", "api"])
def test_the_scored_repository_is_never_imported(
    make_tree: TreeFactory, tmp_path: Path, method: str, entry: str
) -> None:
    markers = tmp_path / "markers"
    root = hostile_tree(make_tree, markers)
    host = tmp_path / "host.py"
    host.write_text(
        "import sys, backend_skills\n"
        "r = backend_skills.score('.', jobs=2, cache=False)\n"
        "print(r.complete, len(r.findings))\n",
        encoding="utf-8",
    )
    command = {
        "module": [
            sys.executable,
            "-m",
            "backend_skills",
            "score",
            ".",
            "--jobs",
            "2",
            "--no-cache",
            "--format",
            "json",
        ],
        "script": [
            _bin("backend-skills"),
            "score",
            ".",
            "--jobs",
            "2",
            "--no-cache",
            "--format",
            "json",
        ],
        "api": [sys.executable, str(host)],
    }[entry]
    env = {**os.environ, "BACKEND_SKILLS_START_METHOD": method}
    env.pop("PYTHONSAFEPATH", None)
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    planted = sorted(p.name for p in markers.iterdir()) if markers.exists() else []
    assert planted == [], planted
    if entry != "api":
        report = json.loads(done.stdout)
        assert report["complete"] is True
        assert any(f["rule"] == "B602" for f in report["findings"])  # workers did the work
