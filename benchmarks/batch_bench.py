"""Benchmark ``backend-skills batch`` against a shell loop of ``backend-skills score``.

Writes ``--repos`` small repositories (default 20: a few Python, SQL and Markdown files
each, all different) into a temporary folder, then on the same trees, in one run, times:

- ``loop``: ``for d in repos/*; do backend-skills score "$d" -f json -o ...; done`` in
  ``sh`` (what a user would write), with the cache off;
- ``batch -j N``: ``backend-skills batch repos/* -f json`` with the cache off, for each
  ``--workers`` value (default 1 and the number of cores), with one process per
  repository (``--repo-jobs 1``);
- ``batch -j 1 --repo-jobs N``: one repository at a time, each on N processes, to show
  why the default spreads repositories rather than files on small repositories.

Prints wall time and CPU time (user + system of the child processes) and the ratio of
each to the loop. Usage::

    python benchmarks/batch_bench.py
    python benchmarks/batch_bench.py --repos 40 --workers 1 2 4 --repeat 3

Run it when the machine is otherwise idle; the load average is printed with the table.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def write_repos(base: Path, count: int) -> list[Path]:
    """``count`` small, different repositories under ``base``."""
    repos = []
    for index in range(count):
        root = base / f"svc{index:03d}"
        (root / "tests").mkdir(parents=True)
        (root / "app.py").write_text(
            "import os\nimport sqlite3\n\n\n"
            "def handler(request):\n"
            '    """Serve one request."""\n'
            + "    os.system(request.args['c'])\n" * (index % 3)
            + "    db = sqlite3.connect('x.db')\n"
            + "    return db.execute(f\"select * from t where id = {request.args['id']}\")\n"
            * (index % 2)
            + "    return 1\n",
            encoding="utf-8",
        )
        (root / "models.py").write_text(
            "".join(
                f"def f{n}(a: int, b: int) -> int:\n"
                f'    """Add {n}."""\n'
                f"    if a > {n}:\n        return a + b\n    return b\n\n\n"
                for n in range(5 + index % 7)
            ),
            encoding="utf-8",
        )
        (root / "schema.sql").write_text(
            f"create table t{index} (id int primary key, name text not null);\n"
            f"create table u{index} (id int, t_id int references t{index}(id));\n",
            encoding="utf-8",
        )
        (root / "tests" / "test_app.py").write_text(
            "from models import f0\n\n\ndef test_f0():\n    assert f0(1, 2) == 3\n",
            encoding="utf-8",
        )
        (root / "README.md").write_text(
            f"# Service {index}\n\n## Install\n\npip install .\n", encoding="utf-8"
        )
        repos.append(root)
    return repos


def timed(command: list[str], log: Path) -> tuple[float, float]:
    """Run ``command``; (wall seconds, CPU seconds of the children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with log.open("ab") as out:
        code = subprocess.run(command, stdout=out, stderr=out, check=False).returncode
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if code not in (0, 1):
        sys.exit(f"{' '.join(command[:3])}... exited {code}; see {log}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=20, help="number of repositories")
    parser.add_argument("--workers", type=int, nargs="+", help="batch -j values")
    parser.add_argument("--repeat", type=int, default=1, help="runs per command (median)")
    parser.add_argument("--workdir", type=Path, help="keep the trees and outputs here")
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    workers = args.workers or sorted({1, cores or 1})
    exe = shutil.which("backend-skills", path=os.path.dirname(sys.executable)) or shutil.which(
        "backend-skills"
    )
    if exe is None:
        sys.exit("backend-skills is not installed next to this Python")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="batch-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    repos = write_repos(work / "repos", args.repos)
    log = work / "bench.log"
    env_note = {"BACKEND_SKILLS_DISABLE_PLUGINS": os.environ.get("BACKEND_SKILLS_DISABLE_PLUGINS")}
    loop = (
        f'for d in "{work}/repos"/*; do "{exe}" score "$d" -f json '
        f'-o "{work}/loop/$(basename "$d").json" --no-cache -q; done'
    )
    commands: dict[str, list[str]] = {"shell loop of score": ["sh", "-c", loop]}
    for n in workers:
        commands[f"batch -j {n}"] = [
            exe, "batch", *map(str, repos), "-o", str(work / f"batch-{n}"), "-f", "json",
            "--no-cache", "-q", "-j", str(n),
        ]  # fmt: skip
    if cores and cores > 1:
        commands[f"batch -j 1 --repo-jobs {cores}"] = [
            exe, "batch", *map(str, repos), "-o", str(work / "batch-rj"), "-f", "json",
            "--no-cache", "-q", "-j", "1", "--repo-jobs", str(cores),
        ]  # fmt: skip
    print(f"{args.repos} repositories, {cores} cores, load {os.getloadavg()[0]:.2f}; {env_note}")
    results: dict[str, tuple[float, float]] = {}
    for name, command in commands.items():
        runs = [timed(command, log) for _ in range(args.repeat)]
        results[name] = (
            statistics.median(r[0] for r in runs),
            statistics.median(r[1] for r in runs),
        )
    base_wall, base_cpu = results["shell loop of score"]
    print(f"{'command':32} {'wall s':>8} {'cpu s':>8} {'wall/loop':>10} {'cpu/loop':>9}")
    for name, (wall, cpu) in results.items():
        print(f"{name:32} {wall:8.2f} {cpu:8.2f} {wall / base_wall:10.2f} {cpu / base_cpu:9.2f}")
    print(f"load after {os.getloadavg()[0]:.2f}; outputs and bench.log in {work}")
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
