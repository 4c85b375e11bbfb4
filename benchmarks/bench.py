"""Benchmark backend-skills against running bandit, radon and sqlfluff one after another.

Fetches real projects' source distributions from PyPI (``pip download --no-binary``)
into a temporary folder, then on the same tree, in one run, times:

- ``cold``: ``backend-skills score`` with a fresh, empty cache folder;
- ``warm``: the same command again (everything from the cache);
- ``one file changed``: after appending a line to one Python file;
- the raw tools one after another: ``bandit -r``, ``radon cc``, ``radon mi``,
  ``radon raw`` and ``sqlfluff lint`` (on the tree's SQL files, when it has any).

For each: wall time, CPU time (user + system, child processes included), the largest
resident set of any one process (``ru_maxrss`` from ``wait4``) and the peak
proportional set size of the whole process tree (sampled from ``/proc``; counts memory
shared by forked workers once). Then the ratios the targets are stated in.

Every project is scored at two sizes (half of its code files, then all of them) to show
how cost grows with the tree. Usage::

    python benchmarks/bench.py                      # Django 5.1.4 and procrastinate
    python benchmarks/bench.py --project django==5.1.4 --markdown results.md
    python benchmarks/bench.py --workdir /tmp/bench --keep

Run it when the machine is otherwise idle; the load average is printed with the table.
Needs network access for the download (once, with ``--workdir`` and ``--keep``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: Projects fetched by default: a large Python code base, and one with SQL next to its
#: Python (schema, queries and migrations). ``name==version[:sqlfluff dialect]``.
DEFAULT_PROJECTS = ("django==5.1.4", "procrastinate==3.10.0:postgres")

CODE_SUFFIXES = (".py", ".sql")


@dataclass
class Measure:
    """One timed command."""

    label: str
    wall_s: float
    cpu_s: float
    max_rss_mib: float
    tree_pss_mib: float
    status: int
    command: list[str] = field(default_factory=list)


@dataclass
class TreeResult:
    """Every measure on one tree."""

    name: str
    files: int
    python_lines: int
    sql_lines: int
    ours: dict[str, Measure] = field(default_factory=dict)
    raw: list[Measure] = field(default_factory=list)
    checkers: list[str] = field(default_factory=list)
    """What the cold run ran: name, version, status, summed per-file seconds."""

    @property
    def raw_total(self) -> Measure:
        return Measure(
            "raw tools, one after another",
            sum(m.wall_s for m in self.raw),
            sum(m.cpu_s for m in self.raw),
            max((m.max_rss_mib for m in self.raw), default=0.0),
            max((m.tree_pss_mib for m in self.raw), default=0.0),
            0,
        )


# ------------------------------------------------------------------------ measuring


def _children_of(pid: int) -> list[int]:
    found = [pid]
    index = 0
    while index < len(found):
        current = found[index]
        index += 1
        path = Path(f"/proc/{current}/task/{current}/children")
        with contextlib.suppress(OSError):
            found.extend(int(p) for p in path.read_text().split())
    return found


def _pss_kib(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        try:
            text = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return 0
        for line in text.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


class TreeSampler:
    """Samples the summed PSS of a process and its descendants until stopped."""

    def __init__(self, pid: int, interval_s: float = 0.05) -> None:
        self.pid = pid
        self.interval_s = interval_s
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        if Path("/proc").is_dir():
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            total = sum(_pss_kib(p) for p in _children_of(self.pid))
            self.peak_kib = max(self.peak_kib, total)
            self._stop.wait(self.interval_s)


def measure(label: str, command: Sequence[str], cwd: Path, log: Path) -> Measure:
    """Run ``command``; wall time, CPU and memory of it and all its descendants."""
    with log.open("ab") as out:
        out.write(f"\n$ {' '.join(command)}\n".encode())
        out.flush()
        start = time.perf_counter()
        process = subprocess.Popen(list(command), cwd=cwd, stdout=out, stderr=out)
        with TreeSampler(process.pid) as sampler:
            _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    # wait4 reports the child with its waited-for descendants (RUSAGE_BOTH).
    return Measure(
        label,
        wall,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
        sampler.peak_kib / 1024,
        process.returncode,
        list(command),
    )


# ----------------------------------------------------------------------- the trees


def fetch(spec: str, into: Path) -> Path:
    """Download and unpack one sdist; return the source folder."""
    into.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--no-binary",
            ":all:",
            spec,
            "-d",
            str(into),
        ],
        check=True,
    )
    wanted = spec.split("==")[0].lower().replace("_", "-")
    archive = next(
        p
        for p in sorted(into.iterdir())
        if p.is_file() and p.name.lower().replace("_", "-").startswith(wanted)
    )
    target = into / "src"
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(target)
    else:
        with tarfile.open(archive) as tf:
            tf.extractall(target, filter="data")
    (folder,) = list(target.iterdir())
    return folder


def half_tree(full: Path, target: Path) -> Path:
    """A copy of ``full`` holding every second code file (sorted) and all other files."""
    if target.exists():
        shutil.rmtree(target)
    code = sorted(
        p.relative_to(full) for p in full.rglob("*") if p.is_file() and p.suffix in CODE_SUFFIXES
    )
    dropped = set(code[1::2])
    for path in sorted(full.rglob("*")):
        rel = path.relative_to(full)
        if path.is_dir() or rel in dropped:
            continue
        destination = target / rel
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
    return target


def count(tree: Path) -> tuple[int, int, int]:
    """Files, Python lines and SQL lines."""
    files = python = sql = 0
    for path in tree.rglob("*"):
        if not path.is_file():
            continue
        files += 1
        if path.suffix in CODE_SUFFIXES:
            with path.open("rb") as fh:
                lines = sum(1 for _ in fh)
            if path.suffix == ".py":
                python += lines
            else:
                sql += lines
    return files, python, sql


def warm_page_cache(tree: Path) -> None:
    """Read every file once so that no measured command pays for the disk."""
    for path in tree.rglob("*"):
        if path.is_file():
            with contextlib.suppress(OSError), path.open("rb") as fh:
                while fh.read(1 << 20):
                    pass


def victim(tree: Path) -> Path:
    """The Python file the 'one file changed' run edits: the first one over 5 KB."""
    for path in sorted(tree.rglob("*.py")):
        if path.stat().st_size > 5_000 and "test" not in path.as_posix():
            return path
    return sorted(tree.rglob("*.py"))[0]


@contextlib.contextmanager
def edited(path: Path, round_: int) -> Iterator[None]:
    """Append a line to ``path`` for the duration."""
    original = path.read_bytes()
    path.write_bytes(original + f"\nBENCHMARK_EDIT_{round_} = {round_}\n".encode())
    try:
        yield
    finally:
        path.write_bytes(original)


# ------------------------------------------------------------------------- commands


def compile_bytecode() -> None:
    """Compile backend-skills' modules the way ``pip install`` of a wheel does.

    The raw tools come from wheels whose bytecode pip compiled at install time. An
    editable install of backend-skills has none, and with ``PYTHONDONTWRITEBYTECODE``
    set (as in many containers) every run would compile our modules from source again
    (0.1 s), which no installed copy does.
    """
    import backend_skills

    package = Path(backend_skills.__file__).parent
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(package)],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def tool(name: str) -> list[str]:
    """The console script next to this interpreter, or ``python -m name``."""
    script = Path(sys.executable).with_name(name)
    return [str(script)] if script.exists() else [sys.executable, "-m", name.replace("-", "_")]


def ours(tree: Path, cache: Path, out: Path, jobs: int | None) -> list[str]:
    command = [
        *tool("backend-skills"),
        "score",
        str(tree),
        "--isolated",
        "--quiet",
        "--format",
        "json",
        "--output",
        str(out),
        "--cache-dir",
        str(cache),
    ]
    if jobs:
        command += ["--jobs", str(jobs)]
    return command


def raw_commands(tree: Path, dialect: str | None, has_sql: bool) -> list[tuple[str, list[str]]]:
    commands = [
        ("bandit -r", [*tool("bandit"), "-r", str(tree), "-q", "-f", "json", "-o", os.devnull]),
        ("radon cc", [*tool("radon"), "cc", str(tree), "-j", "-O", os.devnull]),
        ("radon mi", [*tool("radon"), "mi", str(tree), "-j", "-O", os.devnull]),
        ("radon raw", [*tool("radon"), "raw", str(tree), "-j", "-O", os.devnull]),
    ]
    if has_sql:
        commands.append(
            (
                "sqlfluff lint",
                [
                    *tool("sqlfluff"),
                    "lint",
                    str(tree),
                    "--dialect",
                    dialect or "ansi",
                    "--format",
                    "json",
                    "--nofail",
                    "--write-output",
                    os.devnull,
                ],
            )
        )
    return commands


def bench_tree(
    name: str,
    tree: Path,
    work: Path,
    *,
    dialect: str | None,
    jobs: int | None,
    repeat: int,
    skip_raw: bool,
) -> TreeResult:
    files, python, sql = count(tree)
    result = TreeResult(name, files, python, sql)
    log = work / "bench.log"
    cache = work / f"cache-{name.replace(' ', '_')}"
    out = work / f"report-{name.replace(' ', '_')}.json"
    shutil.rmtree(cache, ignore_errors=True)
    warm_page_cache(tree)
    print(f"  {name}: {files:,} files, {python:,} Python lines, {sql:,} SQL lines", flush=True)

    result.ours["cold"] = measure("ours: cold", ours(tree, cache, out, jobs), work, log)
    _check(result.ours["cold"])
    with contextlib.suppress(OSError, ValueError, KeyError):
        report = json.loads(out.read_text(encoding="utf-8"))
        result.checkers = [
            f"{c['name']} {c['version']} ({c['status']}, {c['duration_s']:.1f} s)"
            for c in report["checkers"]
        ]
    print(f"    cold {result.ours['cold'].wall_s:.2f} s", flush=True)
    warm = [measure("ours: warm", ours(tree, cache, out, jobs), work, log) for _ in range(repeat)]
    result.ours["warm"] = _median(warm)
    print(f"    warm {result.ours['warm'].wall_s:.2f} s", flush=True)
    changed = []
    target = victim(tree)
    for round_ in range(repeat):
        with edited(target, round_):
            changed.append(
                measure("ours: one file changed", ours(tree, cache, out, jobs), work, log)
            )
    result.ours["changed"] = _median(changed)
    print(f"    one file changed {result.ours['changed'].wall_s:.2f} s", flush=True)
    # leave the cache warm for the unchanged tree again (the edits were reverted)
    if not skip_raw:
        for label, command in raw_commands(tree, dialect, sql > 0):
            measured = measure(label, command, work, log)
            result.raw.append(measured)
            print(f"    {label} {measured.wall_s:.2f} s", flush=True)
    return result


def _check(m: Measure) -> None:
    if m.status not in (0, 1, 3):
        raise SystemExit(f"{m.label} failed with exit code {m.status}; see bench.log")


def _median(measures: list[Measure]) -> Measure:
    ordered = sorted(measures, key=lambda m: m.wall_s)
    return ordered[len(ordered) // 2]


# -------------------------------------------------------------------------- output


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {cores} cores{memory},"
        f" Python {platform.python_version()}"
    )


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    parts = []
    for dist in ("backend-skills", "bandit", "radon", "sqlfluff"):
        try:
            parts.append(f"{dist} {version(dist)}")
        except PackageNotFoundError:
            parts.append(f"{dist} (not installed)")
    return ", ".join(parts)


def table(results: Sequence[TreeResult]) -> str:
    lines = [
        "| Tree | Run | Wall s | CPU s | Max RSS MiB | Tree PSS MiB | Wall ratio |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        tree = f"{r.name} ({r.python_lines:,} py + {r.sql_lines:,} sql lines)"
        raw = r.raw_total if r.raw else None
        cold = r.ours["cold"]
        rows: list[tuple[Measure, str]] = [
            (cold, f"{cold.wall_s / raw.wall_s:.3f}x raw" if raw else ""),
            (r.ours["warm"], f"{r.ours['warm'].wall_s / cold.wall_s:.4f}x cold"),
            (r.ours["changed"], f"{r.ours['changed'].wall_s / cold.wall_s:.4f}x cold"),
        ]
        rows += [(m, "") for m in r.raw]
        if raw:
            rows.append((raw, "1x"))
        for m, ratio in rows:
            lines.append(
                f"| {tree} | {m.label} | {m.wall_s:.2f} | {m.cpu_s:.2f} | {m.max_rss_mib:.0f}"
                f" | {m.tree_pss_mib:.0f} | {ratio} |"
            )
            tree = ""
    return "\n".join(lines)


def linearity(results: Sequence[TreeResult]) -> str:
    """Cost per 1,000 lines at each size of a project."""
    out = []
    by_project: dict[str, list[TreeResult]] = {}
    for r in results:
        by_project.setdefault(r.name.split(" ")[0], []).append(r)
    for project, sizes in by_project.items():
        if len(sizes) < 2:
            continue
        parts = []
        for r in sizes:
            kloc = (r.python_lines + r.sql_lines) / 1000
            parts.append(
                f"{r.name}: cold {r.ours['cold'].wall_s / kloc * 1000:.1f} ms per kloc"
                + (f", raw {r.raw_total.wall_s / kloc * 1000:.1f} ms per kloc" if r.raw else "")
            )
        out.append(f"- {project}: " + "; ".join(parts))
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--project",
        action="append",
        help="name==version[:sqlfluff dialect] from PyPI (repeatable; default: "
        + ", ".join(DEFAULT_PROJECTS)
        + ")",
    )
    parser.add_argument("--workdir", type=Path, help="Folder for downloads and caches.")
    parser.add_argument("--keep", action="store_true", help="Keep the work folder.")
    parser.add_argument("--jobs", type=int, help="--jobs for backend-skills (default: cores).")
    parser.add_argument("--repeat", type=int, default=3, help="Repeats of the quick runs.")
    parser.add_argument("--full-only", action="store_true", help="Skip the half-size trees.")
    parser.add_argument("--skip-raw", action="store_true", help="Do not time the raw tools.")
    parser.add_argument("--markdown", type=Path, help="Also write the table to this file.")
    args = parser.parse_args(argv)

    work = args.workdir or Path(tempfile.mkdtemp(prefix="backend-skills-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    compile_bytecode()
    load_before = os.getloadavg()
    results: list[TreeResult] = []
    try:
        for spec in args.project or DEFAULT_PROJECTS:
            requirement, _, dialect = spec.partition(":")
            name = requirement.split("==")[0]
            folder = work / name
            source = next((folder / "src").iterdir()) if (folder / "src").is_dir() else None
            if source is None:
                print(f"fetching {requirement}", flush=True)
                source = fetch(requirement, folder)
            print(f"{requirement}", flush=True)
            if not args.full_only:
                half = half_tree(source, folder / "half")
                results.append(
                    bench_tree(
                        f"{name} (half)",
                        half,
                        work,
                        dialect=dialect or None,
                        jobs=args.jobs,
                        repeat=args.repeat,
                        skip_raw=args.skip_raw,
                    )
                )
            results.append(
                bench_tree(
                    f"{name} (full)",
                    source,
                    work,
                    dialect=dialect or None,
                    jobs=args.jobs,
                    repeat=args.repeat,
                    skip_raw=args.skip_raw,
                )
            )
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    load_after = os.getloadavg()
    text = "\n".join(
        [
            f"- Machine: {machine()}",
            f"- Tools: {versions()}",
            f"- Load average (1, 5, 15 min): before {', '.join(f'{x:.2f}' for x in load_before)};"
            f" after {', '.join(f'{x:.2f}' for x in load_after)}",
            f"- Quick runs: median of {args.repeat}.",
            "",
            table(results),
            "",
            "Cost per 1,000 lines of code (linearity):",
            "",
            linearity(results),
            "",
            "Checkers in the cold runs (status, work summed over files and processes):",
            "",
            *sorted({f"- {r.name}: {', '.join(r.checkers)}" for r in results}),
            "",
        ]
    )
    print()
    print(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    summary = statistics.fmean(r.ours["warm"].wall_s for r in results) if results else 0.0
    print(f"mean warm run: {summary:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
