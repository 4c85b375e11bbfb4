"""Speed of the tree-sitter languages, complexity parity with lizard, and the rule engines.

Usage::

    python benchmarks/languages_bench.py ROOT [ROOT ...] [--repeat 3] [--stages] [--lizard] [--ast-grep]

Each ROOT is a checked-out repository (e.g. spring-petclinic, eShopOnWeb, a Go service,
an Express app). Files are found with our own discovery (vendored and generated code
left out), read once, then for each language:

- **speed**: parse + measure + every rule of the language, one process, best of
  ``--repeat`` runs, in lines per second (the target is 50,000 per core), with the
  garbage collector set as the runner's pool workers set it;
- ``--stages``: each stage of that work timed apart, and *parsing plus rules* (parse,
  the file's index query, the pattern rules, the cross-file taint facts, the
  scalability rules) in lines per CPU second;
- ``--lizard``: cyclomatic complexity per function against ``lizard`` (install it into
  your environment only for this: it is not a dependency), matched by file and start
  line: the share of functions with the same count and where counts differ;
- ``--ast-grep``: the same three rules written as ast-grep-py patterns and as our
  tree-sitter queries (install ``ast-grep-py`` only for this), timed on the same files.
"""

from __future__ import annotations

import argparse
import collections
import time
from collections.abc import Sequence
from pathlib import Path

from backend_skills.checkers.polyglot import analyse_source
from backend_skills.core.discovery import discover
from backend_skills.core.models import Role
from backend_skills.languages import LANGUAGES


def collect(
    roots: Sequence[Path], *, vendored: bool = False
) -> dict[str, list[tuple[str, str, Role]]]:
    """(path, text, role) of every analysed file, by language (vendored code too, as
    source, when ``vendored``: e.g. a Go module's vendor/ folder is a large real corpus)."""
    files: dict[str, list[tuple[str, str, Role]]] = collections.defaultdict(list)
    for root in roots:
        fileset = discover(root)
        for f in fileset.files:
            if f.language not in LANGUAGES:
                continue
            if f.role in (Role.SOURCE, Role.TEST, Role.MIGRATION):
                files[f.language].append((f"{root.name}/{f.path}", f.text, f.role))
            elif vendored and f.role is Role.VENDORED:
                files[f.language].append((f"{root.name}/{f.path}", f.text, Role.SOURCE))
    return files


def speed(files: dict[str, list[tuple[str, str, Role]]], repeat: int) -> None:
    """Best of ``repeat`` runs, in CPU seconds of this process (on a shared machine the
    wall clock measures the other jobs too) and wall seconds."""
    print("| language | files | lines | parse CPU s | all CPU s | wall s | lines per CPU second |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    from backend_skills.languages import parse

    for language in sorted(files):
        batch = files[language]
        spec = LANGUAGES[language]
        lines = sum(text.count("\n") + 1 for _, text, _ in batch)
        for path, text, role in batch[:20]:  # compile the queries once (per process)
            analyse_source(path, language, text, role)
        best = wall = parsing = float("inf")
        for _ in range(repeat):
            sources = [(path, text.encode()) for path, text, _ in batch]
            started = time.process_time()
            for path, source in sources:
                parse(spec, source, path)
            parsing = min(parsing, time.process_time() - started)
            started, clock = time.process_time(), time.perf_counter()
            for path, text, role in batch:
                analyse_source(path, language, text, role)
            best = min(best, time.process_time() - started)
            wall = min(wall, time.perf_counter() - clock)
        print(
            f"| {language} | {len(batch)} | {lines} | {parsing:.3f} | {best:.3f} | {wall:.3f}"
            f" | {lines / best:,.0f} |"
        )


def stages(files: dict[str, list[tuple[str, str, Role]]], repeat: int) -> None:
    """CPU seconds of each stage of the per-file work, best of ``repeat`` (the stages as
    ``analyse_source`` runs them, timed one by one): parsing, the file index (one query
    for everything below), measuring, the pattern rules with their flow analysis (tree and line rules), the cross-file taint
    facts, the scalability facts and the endpoint inventory; and lines per CPU second of
    *parsing plus rules* (parse, index, pattern rules, taint facts, scalability rules)."""
    from backend_skills.checkers._endpoints_polyglot import scan
    from backend_skills.checkers._polyglot_scalability import analyse as scalability
    from backend_skills.languages import measure, parse
    from backend_skills.languages._index import FileIndex
    from backend_skills.rules import PATTERN_RULES
    from backend_skills.rules._engine import _TreeRun, run_line_rules, tree_rules_and_facts
    from backend_skills.rules._taint_calls import call_facts

    names = ("parse", "index", "measure", "rules", "taint", "scalability", "endpoints")
    print("\n| language | lines | " + " | ".join(names) + " | parse + rules, lines per CPU s |")
    print("|---|---:|" + "---:|" * (len(names) + 1))
    for language in sorted(files):
        spec = LANGUAGES[language]
        batch = [(p, t, t.encode(), r) for p, t, r in files[language]]
        lines = sum(text.count("\n") + 1 for _, text, _, _ in batch)
        best = dict.fromkeys(names, float("inf"))
        for _ in range(repeat):
            spent = dict.fromkeys(names, 0.0)
            for path, text, source, role in batch:
                clock = time.process_time()
                tree = parse(spec, source, path)
                spent["parse"] += (now := time.process_time()) - clock
                index = FileIndex(spec, spec.grammar_for(path), tree.root_node, source)
                spent["index"] += (clock := time.process_time()) - now
                test_file = role is Role.TEST
                measure(spec, tree, source, path, test_file=test_file, found=index.found)
                spent["measure"] += (now := time.process_time()) - clock
                tree_rules_and_facts(
                    PATTERN_RULES, spec, tree, source, path, facts=False, index=index
                )
                run_line_rules(PATTERN_RULES, language, text)
                spent["rules"] += (clock := time.process_time()) - now
                if role is not Role.TEST:
                    flow = _TreeRun(spec, index.grammar, tree, path, source, index).flow
                    call_facts(spec, index, text, flow.request, flow.assignments)
                spent["taint"] += (now := time.process_time()) - clock
                if role is Role.SOURCE:
                    scalability(language, tree.root_node, text, path, index)
                spent["scalability"] += (clock := time.process_time()) - now
                if role is Role.SOURCE:
                    scan(language, tree.root_node, text)
                spent["endpoints"] += time.process_time() - clock
            best = {k: min(best[k], spent[k]) for k in names}
        rules = sum(best[k] for k in ("parse", "index", "rules", "taint", "scalability"))
        cells = " | ".join(f"{best[k]:.3f}" for k in names)
        print(f"| {language} | {lines} | {cells} | {lines / rules:,.0f} |")


def lizard_parity(files: dict[str, list[tuple[str, str, Role]]]) -> None:
    import lizard  # type: ignore[import-not-found]

    from backend_skills.languages import measure, parse

    suffix = {
        "java": ".java",
        "csharp": ".cs",
        "go": ".go",
        "javascript": ".js",
        "typescript": ".ts",
    }
    print("\n| language | functions matched | same CC | ours higher | lizard higher | examples |")
    print("|---|---:|---:|---:|---:|---|")
    for language in sorted(files):
        spec = LANGUAGES[language]
        same = higher = lower = matched = 0
        examples: list[str] = []
        for path, text, role in files[language]:
            if role is not Role.SOURCE:
                continue
            name = (
                path
                if path.endswith((*tuple(suffix.values()), ".tsx", ".jsx", ".mjs", ".cjs"))
                else path + suffix[language]
            )
            theirs = {
                f.start_line: f
                for f in lizard.analyze_file.analyze_source_code(name, text).function_list
            }
            source = text.encode()
            ours = measure(spec, parse(spec, source, path), source, path, test_file=False)
            for function in ours.functions:
                other = theirs.get(function.line)
                if other is None:
                    continue
                matched += 1
                if other.cyclomatic_complexity == function.complexity:
                    same += 1
                elif function.complexity > other.cyclomatic_complexity:
                    higher += 1
                    if len(examples) < 3:
                        examples.append(
                            f"{path}:{function.line} {function.complexity} vs {other.cyclomatic_complexity}"
                        )
                else:
                    lower += 1
                    if len(examples) < 3:
                        examples.append(
                            f"{path}:{function.line} {function.complexity} vs {other.cyclomatic_complexity}"
                        )
        share = same / matched if matched else 0.0
        print(
            f"| {language} | {matched} | {share:.1%} | {higher} | {lower} | {'; '.join(examples)} |"
        )


AST_GREP = {
    "java": ("$S.executeQuery($A + $B)", "BSSEC101"),
    "go": ("tls.Config{InsecureSkipVerify: true}", "BSSEC106"),
    "javascript": ("eval($X)", "BSSEC103"),
}


def ast_grep_compare(files: dict[str, list[tuple[str, str, Role]]]) -> None:
    from ast_grep_py import SgRoot  # type: ignore[import-not-found]

    from backend_skills.languages import parse
    from backend_skills.rules import RULES
    from backend_skills.rules._engine import run_tree_rules

    print(
        "\n| language | rule | ast-grep matches | ast-grep s | ours matches | ours s (parse included) |"
    )
    print("|---|---|---:|---:|---:|---:|")
    for language, (pattern, rule_id) in AST_GREP.items():
        batch = files.get(language, [])
        if not batch:
            continue
        started = time.perf_counter()
        theirs = 0
        for _, text, _ in batch:
            theirs += len(SgRoot(text, language).root().find_all(pattern=pattern))
        sg = time.perf_counter() - started
        spec = LANGUAGES[language]
        started = time.perf_counter()
        ours = 0
        for path, text, _ in batch:
            source = text.encode()
            ours += len(
                run_tree_rules([RULES[rule_id]], spec, parse(spec, source, path), source, path)
            )
        mine = time.perf_counter() - started
        print(f"| {language} | {rule_id} `{pattern}` | {theirs} | {sg:.3f} | {ours} | {mine:.3f} |")


def main() -> None:
    # The per-file work runs in the runner's pool workers, which freeze what they inherit
    # and raise the collector's thresholds (backend_skills.core.pool): time it that way.
    import gc

    from backend_skills.core.pool import _WORKER_GC_THRESHOLDS

    gc.freeze()
    gc.set_threshold(*_WORKER_GC_THRESHOLDS)
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("roots", nargs="+", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lizard", action="store_true")
    parser.add_argument("--ast-grep", action="store_true")
    parser.add_argument("--vendored", action="store_true", help="measure vendored code too")
    parser.add_argument("--stages", action="store_true", help="time each stage apart")
    args = parser.parse_args()
    files = collect(args.roots, vendored=args.vendored)
    speed(files, args.repeat)
    if args.stages:
        stages(files, args.repeat)
    if args.lizard:
        lizard_parity(files)
    if args.ast_grep:
        ast_grep_compare(files)


if __name__ == "__main__":
    main()
