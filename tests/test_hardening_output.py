"""Issue 12, outputs: repository text cannot inject anything where reports are read.

A file name, message, rule id or error written by the scored repository must not reach a
terminal as an escape sequence (OSC 52 clipboard writes, OSC 0 titles, OSC 8 links, CSI,
C1, bidi overrides), forge a CI log command (GitHub ``::error``, legacy ``##[error]``,
Azure ``##vso[``), break a JUnit document, a Markdown table or a JSON file, or crash a
reporter because it was not valid UTF-8. Each test builds the hostile input itself,
scores or renders it the way a user would, and checks what the user's tools would see.
"""

from __future__ import annotations

import json
import os
import re
import sys
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

import pytest

from backend_skills import Confidence, Finding, Report, Severity
from backend_skills.core.checker import RenderOptions
from backend_skills.core.models import CheckerRun, Skip
from backend_skills.core.plugins import load_plugins
from backend_skills.reporters._common import (
    _HIDDEN,
    defuse_log_lines,
    json_safe,
    md_escape,
    printable,
)
from backend_skills.reporters.compare import render as render_comparison
from backend_skills.reporters.github import escape_data, escape_property

from .test_cli import run_cli
from .vulnapp import INJECTION, vulnerable_report, write_vulnerable_app

#: Hostile file names (``/`` makes folders, which is fine: the path keeps it).
HOSTILE_NAMES = (
    "evil\n::error file=x::forged.py",
    "\x1b]52;c;ZWNobyBoaQ==\x07.py",
    "\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\.py",
    "\x1b]0;pwned\x07title.py",
    "a\u202egnp.py",
    "<img src=x onerror=alert(1)>.py",
    "[bold red]markup[/bold red].py",
    "\x9b31mc1.py",
    "x##[error]legacy ##vso[task.complete]az.py",
    "::warning file=y::colon.py",
)
#: What finds something in each file whatever checkers run: python_ast's secret rule.
HOSTILE_SOURCE = 'SECRET_KEY = "hunter2hunter2"\n'
#: Characters no human-readable output may carry raw.
_RAW_DANGER = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff"
    "\ud800-\udfff\U000e0000-\U000e007f]"
)
_SGR = re.compile(r"\x1b\[[0-9;]*m")
_INLINE_COMMAND = re.compile(r"##(vso)?\[", re.IGNORECASE)
_GENUINE_ANNOTATION = re.compile(r"^::(error|warning|notice)( [^:\n]*)?::")
HUMAN_FORMATS = ("text", "markdown", "junit", "github")
JSON_FORMATS = ("json", "sarif", "gitlab", "badge")


def assert_inert(text: str, *, fmt: str, colour: bool = False) -> None:
    """No terminal control, bidi or invisible character, no CI log command."""
    shown = _SGR.sub("", text) if colour else text
    if "markdown" in fmt:  # our own mention breaker: "@\u200boctocat" pings nobody
        shown = shown.replace("@\u200b", "@")
    bad = sorted({f"U+{ord(c):04X}" for c in _RAW_DANGER.findall(shown)})
    assert not bad, f"{fmt}: raw control/bidi characters {bad}"
    assert not _INLINE_COMMAND.search(text), f"{fmt}: a ##[ / ##vso[ log command"
    for line in shown.splitlines():
        if line.lstrip().startswith("::"):
            genuine = fmt == "github" and _GENUINE_ANNOTATION.match(line)
            assert genuine, f"{fmt}: a line the GitHub runner reads as a command: {line!r}"
    text.encode("utf-8")  # whatever came in, the output can be written


def write_hostile_tree(root: Path) -> Path:
    for name in HOSTILE_NAMES:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(HOSTILE_SOURCE, encoding="utf-8")
    (root / "README.md").write_text("# demo\n", encoding="utf-8")
    return root


def _rel(name: str) -> str:
    return re.sub("/+", "/", name)


# --------------------------------------------------------------------------- CLI, every format


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Score the hostile tree once with the real checkers; every format's output."""
    base = tmp_path_factory.mktemp("hostile")
    root = write_hostile_tree(base / "repo")
    out = base / "out"
    args: list[str | Path] = ["score", root, "--isolated", "--no-cache", "-v"]
    for fmt in (*HUMAN_FORMATS[1:], *JSON_FORMATS):
        args += ["-f", fmt, "-o", out / fmt]
    args += ["-f", "text"]
    result = run_cli(*args, "--skill", "security")
    assert result.returncode in (0, 1, 3), result.stderr
    outputs = {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()}
    outputs["text"] = result.stdout
    outputs["stderr"] = result.stderr
    return outputs


def test_the_hostile_tree_is_scored_with_a_finding_in_every_file(scored: dict[str, str]) -> None:
    report = json.loads(scored["json"])
    paths = {f["path"] for f in report["findings"] if f["rule"] == "BSSEC001"}
    assert paths == {_rel(n) for n in HOSTILE_NAMES}, "JSON keeps each exact path"


@pytest.mark.parametrize("fmt", [*HUMAN_FORMATS, *JSON_FORMATS, "stderr"])
def test_no_output_carries_escape_sequences_or_log_commands(
    scored: dict[str, str], fmt: str
) -> None:
    assert_inert(scored[fmt], fmt=fmt)


def test_text_report_shows_each_name_escaped_and_recognisable(scored: dict[str, str]) -> None:
    text = scored["text"]
    for name in HOSTILE_NAMES:
        assert printable(_rel(name)) + ":1" in text, name
    assert "evil\\n::error file=x::forged.py:1" in text
    assert "\\x1b]52;c;ZWNobyBoaQ==\\x07.py" in text
    assert "a\\u202egnp.py" in text
    assert "[bold red]markup[/bold red].py" in text, "rich markup shown, not applied"
    assert "x##\\x5berror]legacy ##vso\\x5btask.complete]az.py" in text


def test_markdown_shows_each_name_inert(scored: dict[str, str]) -> None:
    text = scored["markdown"]
    rows = [line for line in text.splitlines() if "BSSEC001" in line and line.startswith("|")]
    assert len(rows) == len(HOSTILE_NAMES)
    # The cap note above the table quotes the same names: it must be as inert.
    for line in text.splitlines():
        if "BSSEC001" in line and not line.startswith("|"):
            assert "<img" not in line
            assert "](" not in line
            assert "http://" not in line
    for row in rows:
        assert row.replace("\\|", "").count("|") == 6, row  # the table holds
        assert "<img" not in row
        assert "](" not in row
        assert "http://" not in row
    assert md_escape(printable("evil\n::error file=x::forged.py")) + ":1" in text


def test_junit_parses_and_names_round_trip_as_escaped_text(scored: dict[str, str]) -> None:
    root = ET.fromstring(scored["junit"])
    failures = "\n".join(f.text or "" for f in root.iter("failure"))
    for name in HOSTILE_NAMES:
        shown = printable(_rel(name))
        if shown.startswith("::"):  # it starts a line of the failure text: defused
            shown = "\\x3a" + shown[1:]
        assert f"  {shown}:1 [high] BSSEC001" in failures, name


def test_github_annotations_are_ours_and_point_at_the_files(scored: dict[str, str]) -> None:
    lines = scored["github"].splitlines()
    annotations = [line for line in lines if line.startswith("::")]
    assert len(annotations) == len(lines) - 1, "every line but the summary is an annotation"
    files = set()
    for line in annotations:
        head, sep, _ = line[2:].partition("::")
        assert sep, line
        command, _, props = head.partition(" ")
        assert command in ("error", "warning", "notice")
        fields = dict(p.split("=", 1) for p in props.split(",") if p)
        assert all(":" not in v and "," not in v for v in fields.values())
        if "file" in fields:
            files.add(fields["file"].replace("%0A", "\n").replace("%3A", ":"))
    assert "evil\n::error file=x::forged.py" in files, "the newline is %0A, decoded by GitHub"


def test_json_formats_keep_exact_values_with_inert_bytes(scored: dict[str, str]) -> None:
    gitlab = json.loads(scored["gitlab"])
    assert {i["location"]["path"] for i in gitlab} >= {_rel(n) for n in HOSTILE_NAMES}
    sarif = json.loads(scored["sarif"])
    uris = {
        unquote_to_bytes(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        for r in sarif["runs"][0]["results"]
    }
    assert {_rel(n).encode() for n in HOSTILE_NAMES} <= uris
    assert "\\u001b]52;c;" in scored["json"]
    assert "\\u202e" in scored["json"]


# --------------------------------------------------------------------------- every string


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return vulnerable_report(write_vulnerable_app(tmp_path_factory.mktemp("vulnapp")))


def hostile_report(report: Report, text: str) -> Report:
    """``report`` with ``text`` in every repository-controlled string a reporter shows."""
    findings = [
        Finding(
            fingerprint=f"{n:032x}",
            checker="vulnapp",
            rule=f"R{n}{text}",
            skill="security",
            criterion=INJECTION,
            severity=Severity.HIGH,
            confidence=Confidence.HIGH,
            message=f"message {text} end",
            path=f"dir/{text}{n}.py",
            line=3,
        )
        for n in range(2)
    ]
    checkers = [
        *report.checkers,
        CheckerRun(
            name="hostile",
            version="1",
            status="failed",
            duration_s=0.0,
            files=0,
            error=f"crashed on {text}",
            notes=[f"note {text}"],
        ),
    ]
    skip = Skip(path=f"skipped/{text}.py", reason=f"unparsable: {text}", checker="vulnapp")
    return report.model_copy(
        update={
            "root": f"/work/{text}",
            "findings": findings,
            "checkers": checkers,
            "skipped": [skip],
            "complete": False,
        }
    )


PAYLOADS = {
    "newline-command": "x\n::error file=a.py,line=1::forged\r\n::add-mask::y",
    "osc52": "\x1b]52;c;ZWNobyBoaQ==\x07",
    "osc8": "\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\",
    "csi-c1": "\x1b[2J\x9b31m\x85\x00\x7f",
    "bidi": "\u202e\u2066\u200f\u061c\ufeff\u2028",
    "legacy": "##[error]legacy ##VSO[task.setvariable variable=x]1 ##[stop-commands]t",
    "markup": "[bold]x[/bold] [link=http://evil]y[/link]",
    "surrogate": "bad\udcff\udcfe",
    "wrap": "::error::wrapped " * 40,  # wherever a line wraps, the next starts with ::
}


def render(report: Report, fmt: str, **options: Any) -> str:
    return load_plugins().reporters[fmt].render(report, RenderOptions(**options))


@pytest.mark.parametrize("payload", PAYLOADS, ids=list(PAYLOADS))
@pytest.mark.parametrize("fmt", [*HUMAN_FORMATS, *JSON_FORMATS])
def test_every_reporter_renders_hostile_strings_inert(
    report: Report, fmt: str, payload: str
) -> None:
    hostile = hostile_report(report, PAYLOADS[payload])
    text = render(hostile, fmt, verbose=1)
    assert_inert(text, fmt=fmt)
    if fmt == "junit":
        ET.fromstring(text)
    if fmt in JSON_FORMATS:
        json.loads(text)
    if fmt == "json":  # exact values, even a path that was not UTF-8
        assert json.loads(text)["findings"][0]["path"] == hostile.findings[0].path


@pytest.mark.parametrize("payload", PAYLOADS, ids=list(PAYLOADS))
def test_coloured_text_report_has_no_escape_but_colours(report: Report, payload: str) -> None:
    text = render(hostile_report(report, PAYLOADS[payload]), "text", verbose=1, color=True)
    assert "\x1b[" in text
    assert_inert(text, fmt="text", colour=True)


def test_text_report_names_survive_as_visible_escapes(report: Report) -> None:
    text = render(hostile_report(report, PAYLOADS["osc52"]), "text", verbose=1)
    assert "dir/\\x1b]52;c;ZWNobyBoaQ==\\x070.py:3" in text
    assert "crashed on \\x1b]52;c;ZWNobyBoaQ==\\x07" in text
    assert "skipped/\\x1b]52;c;ZWNobyBoaQ==\\x07.py: vulnapp: unparsable" in text
    text = render(hostile_report(report, PAYLOADS["surrogate"]), "text", verbose=1)
    assert "dir/bad\\xff\\xfe0.py:3" in text, "bytes that were not UTF-8 shown as \\xNN"


def test_junit_round_trips_hostile_text(report: Report) -> None:
    hostile = hostile_report(report, "<a href='x'>&amp;</a> \x00\x0b\x0c\ud800 ]]>")
    root = ET.fromstring(render(hostile, "junit", verbose=1))
    failures = "\n".join(f.text or "" for f in root.iter("failure"))
    expected = "dir/<a href='x'>&amp;</a> \\x00\\x0b\\x0c\\ud800 ]]>0.py:3"
    assert expected in failures


def test_github_properties_and_data_follow_the_runner_rules() -> None:
    assert escape_property("a:b,c%d\r\ne") == "a%3Ab%2Cc%25d%0D%0Ae"
    assert escape_data("100%\r\n::x") == "100%25%0D%0A::x"
    assert escape_data("\x1b]52;c;x\x07 \u202e") == "\\x1b]52;c;x\\x07 \\u202e"
    assert escape_data("##[error]x") == "##\\x5berror]x"


def test_markdown_cannot_break_tables_or_inject_links(report: Report) -> None:
    evil = "a|b`c`<script>[x](http://evil) ![i](http://evil/i.png) www.evil.com\n| x |"
    text = render(hostile_report(report, evil), "markdown", verbose=1)
    rows = [line for line in text.splitlines() if "message" in line and line.startswith("|")]
    assert len(rows) == 2
    for row in rows:
        assert row.replace("\\|", "").count("|") == 6
        assert "<script" not in row
        assert "](" not in row
        assert "://" not in row
        assert "`c`" not in row


# --------------------------------------------------------------------------- compare


def _report_json(report: Report, text: str) -> str:
    return render(hostile_report(report, text), "json")


@pytest.mark.parametrize("payload", PAYLOADS, ids=list(PAYLOADS))
@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_compare_escapes_strings_from_both_reports(
    report: Report, tmp_path: Path, payload: str, fmt: str
) -> None:
    from backend_skills.core.baseline import compare

    def renamed(report: Report, text: str) -> Report:
        skills = [s.model_copy(update={"name": f"{text} skill"}) for s in report.skills]
        return report.model_copy(update={"skills": skills, "rubric_version": text})

    old = renamed(report, PAYLOADS[payload])
    new = renamed(hostile_report(report, PAYLOADS[payload]), PAYLOADS[payload])
    text = render_comparison(compare(old, new), fmt)
    assert_inert(text, fmt=f"compare {fmt}")


def test_compare_cli_text_shows_hostile_paths_escaped(report: Report, tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    new = tmp_path / "new.json"
    old.write_text(render(report, "json"), encoding="utf-8")
    new.write_text(_report_json(report, PAYLOADS["newline-command"]), encoding="utf-8")
    result = run_cli("compare", old, new, "--fail-on-new", "info")
    assert result.returncode == 1, result.stderr
    assert_inert(result.stdout, fmt="compare text")
    assert_inert(result.stderr, fmt="stderr")
    assert "dir/x\\n::error file=a.py,line=1::forged\\r\\n::add-mask::y0.py:3" in result.stdout
    new_lines = [line for line in result.stderr.splitlines() if "new finding" in line]
    assert len(new_lines) == 2, "one line per finding"


# --------------------------------------------------------------------------- CLI messages


def test_configuration_error_is_one_escaped_line(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[tool.backend_skills]\n"x\\n::error file=a::forged\\u001b]0;t\\u0007" = 1\n',
        encoding="utf-8",
    )
    result = run_cli("score", root, "--no-cache")
    assert result.returncode == 2
    assert_inert(result.stderr, fmt="stderr")
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("backend-skills: error: ")
    assert "x\\n::error file=a::forged\\x1b]0;t\\x07" in line


def test_cache_warning_is_one_escaped_line(tmp_path: Path) -> None:
    root = write_vulnerable_app(tmp_path / "repo")
    blocker = "cache\n::warning file=a::forged\x1b[2J"
    (root / blocker).write_text("not a folder", encoding="utf-8")
    (root / "pyproject.toml").write_text(
        f"[tool.backend_skills]\ncache_dir = {json.dumps(blocker)}\n", encoding="utf-8"
    )
    result = run_cli("score", root, "-f", "json", "--skill", "security")
    assert result.returncode in (0, 1, 2, 3)
    assert_inert(result.stderr, fmt="stderr")
    assert "forged" in result.stderr, "the problem is reported, escaped"
    for line in result.stderr.splitlines():
        if "forged" in line:
            assert "cache\\n::warning file=a::forged\\x1b[2J" in line


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file systems require UTF-8 names")
def test_a_path_that_is_not_utf8_does_not_cost_the_report(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "README.md").write_text("# demo\n", encoding="utf-8")
    try:
        with open(os.path.join(os.fsencode(root), b"bad\xff\xfe.py"), "wb") as handle:
            handle.write(HOSTILE_SOURCE.encode())
    except OSError:
        pytest.skip("the file system refuses names that are not UTF-8")
    out = tmp_path / "out"
    args: list[str | Path] = ["score", root, "--isolated", "--no-cache", "--skill", "security"]
    for fmt in (*HUMAN_FORMATS[1:], *JSON_FORMATS):
        args += ["-f", fmt, "-o", out / fmt]
    result = run_cli(*args, "-f", "text", "-v")
    assert result.returncode != 2, result.stderr
    assert_inert(result.stdout, fmt="text")
    assert_inert(result.stderr, fmt="stderr")
    for fmt in (*HUMAN_FORMATS[1:], *JSON_FORMATS):
        text = (out / fmt).read_text(encoding="utf-8")  # written, and valid UTF-8
        assert_inert(text, fmt=fmt)
    data = json.loads((out / "json").read_text(encoding="utf-8"))
    shown = json.dumps(data) + result.stdout
    assert "bad" in shown, "the file is reported (found or skipped), not lost"


# --------------------------------------------------------------------------- the helpers


def test_hidden_class_matches_unicode_categories() -> None:
    hidden = {"Cc", "Cf", "Cs", "Zl", "Zp"}
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    matched = set(_HIDDEN.findall(every))
    expected = {c for c in every if unicodedata.category(c) in hidden}
    missing = sorted(f"U+{ord(c):04X}" for c in expected - matched)
    assert not missing, f"not escaped: {missing}"
    needless = [f"U+{ord(c):04X}" for c in matched - expected if unicodedata.category(c) != "Cn"]
    assert not needless, f"escaped needlessly: {needless}"


def test_printable_escapes_visibly_and_leaves_ordinary_text() -> None:
    assert printable("évènement 😀 a b.py") == "évènement 😀 a b.py"
    assert printable("a\nb\tc\rd") == "a\\nb\\tc\\rd"
    assert printable("\x1b]0;t\x07\x9b\u202e\U000e0041") == "\\x1b]0;t\\x07\\x9b\\u202e\\U000e0041"
    assert printable("bad\udcff") == "bad\\xff"
    assert printable("x##[error]y ##vso[z]") == "x##\\x5berror]y ##vso\\x5bz]"
    assert printable("abcdef", 4) == "abc…"


def test_defuse_log_lines_only_touches_command_starts() -> None:
    text = "ok :: fine\n  ::error::x\n\x1b[1m::warning::y\na::b\n"
    assert defuse_log_lines(text) == "ok :: fine\n  \\x3a:error::x\n\x1b[1m\\x3a:warning::y\na::b\n"


def test_json_safe_keeps_values_and_escapes_bytes() -> None:
    value = {"p": "a\udcff\x9b\u202e\U000e0041 ##[error] \x1b\n", "n": [1, 2.5, None]}
    text = json_safe(json.dumps(value, indent=2, ensure_ascii=False))
    assert json.loads(text) == value
    assert_inert(text, fmt="json")
