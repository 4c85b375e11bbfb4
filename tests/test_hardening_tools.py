"""Hostile repositories against the tools we run: sqlfluff's and bandit's configuration,
Jinja templating, secrets in tool messages, and scoring with a trusted configuration.

Each test builds a hostile tree and checks what a user would: nothing from the tree is
imported, nothing outside it is read into any output or the cache, memory and time stay
bounded, secrets are not copied, and ``--config-root``/``--isolated`` ignore the tree's
own configuration.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from backend_skills import Report, score
from backend_skills.core.config import ConfigError

from .conftest import TreeFactory

#: Address-space ceiling of the subprocesses that run a bomb (the bombs want 6-10 GB).
MEMORY_CAP = 3 * 1024**3


def _checker(report: Report, name: str) -> Any:
    return next(r for r in report.checkers if r.name == name)


def _cli(
    *args: str | Path, cache: Path, cap_memory: bool = False
) -> subprocess.CompletedProcess[str]:
    def limit() -> None:  # pragma: no cover - runs in the child
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    env = {**os.environ, "NO_COLOR": "1", "BACKEND_SKILLS_CACHE_DIR": str(cache)}
    return subprocess.run(
        [sys.executable, "-m", "backend_skills", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
        preexec_fn=limit if cap_memory else None,  # no threads here
    )


def _everything_written(outputs: list[Path], cache: Path, result: Any) -> bytes:
    """Every byte a run wrote: its reports, its standard streams and its cache."""
    blobs = [p.read_bytes() for p in outputs if p.exists()]
    blobs += [p.read_bytes() for p in cache.rglob("*") if p.is_file()]
    blobs += [result.stdout.encode(), result.stderr.encode()]
    return b"\n".join(blobs)


ALL_FORMATS = ("json", "sarif", "markdown", "junit", "gitlab")


def _score_all_formats(root: Path, out: Path, *extra: str) -> tuple[list[Path], Any, Path]:
    cache = out / "cache"
    outputs = [out / f"report.{fmt}" for fmt in ALL_FORMATS]
    args: list[str | Path] = ["score", root, "--skill", "database", "--skill", "security"]
    for fmt, target in zip(ALL_FORMATS, outputs, strict=True):
        args += ["--format", fmt, "-o", target]
    args += ["--format", "text", "-v", *extra]
    result = _cli(*args, cache=cache, cap_memory=True)
    assert result.returncode in (0, 1, 3), result.stderr
    return outputs, result, cache


# --------------------------------------------------------------------------- sqlfluff config


def test_inline_library_path_does_not_import_repository_code(
    make_tree: TreeFactory, tmp_path: Path
) -> None:
    marker = tmp_path / "imported.txt"
    payload = f"open({str(marker)!r}, 'w').write('ran')\nx = 1\n"
    root = make_tree({"lib/__init__.py": payload, "macros/util.py": payload})
    lib = root / "lib"
    (root / "q.sql").write_text(
        f"-- sqlfluff:templater:jinja:library_path:{lib}\n"
        f"-- sqlfluff:library_path:{root / 'macros'}\n"
        "select id from users\n",
        encoding="utf-8",
    )
    report = score(root, skills=["database"], config={"cache": False})
    assert not marker.exists(), "the repository's Python was imported through sqlfluff"
    notes = " ".join(_checker(report, "sqlfluff").notes)
    assert "inline sqlfluff settings ignored in q.sql" in notes
    assert "library_path" in notes
    # The file is still linted, with the settings it may use.
    assert report.criterion("database.sql_style").metrics["sql.files_analysed"] == 1.0


def test_include_outside_the_root_reaches_no_output_and_no_cache(
    make_tree: TreeFactory, tmp_path: Path
) -> None:
    canary = "CANARY7f3a9e1bOUTSIDE"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(f"{canary} !!! not sql {canary}\n", encoding="utf-8")
    root = make_tree(
        {
            # A committed configuration naming a folder outside the root...
            ".sqlfluff": (
                "[sqlfluff]\ndialect = ansi\n"
                f"[sqlfluff:templater:jinja]\nloader_search_path = {outside}\n"
                f"load_macros_from_path = {outside}\n"
            ),
            "a.sql": "select {% include 'secret.txt' %} from t\n",
            # ... and an inline setting naming the file system's root.
            "b.sql": (
                "-- sqlfluff:templater:jinja:loader_search_path:/\n"
                f"select {{% include '{str(outside / 'secret.txt').lstrip('/')}' %}} from t\n"
            ),
            "app.py": "x = 1\n",
        }
    )
    outputs, result, cache = _score_all_formats(root, tmp_path / "out")
    assert canary.encode() not in _everything_written(outputs, cache, result)
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    sqlfluff = next(c for c in report["checkers"] if c["name"] == "sqlfluff")
    notes = " ".join(sqlfluff["notes"])
    assert "sqlfluff settings in .sqlfluff ignored" in notes
    assert "loader_search_path" in notes
    assert "load_macros_from_path" in notes
    # Neither file is counted clean: the include fails, so they are not analysed.
    skipped = {s["path"]: s["reason"] for s in report["skipped"] if s["checker"] == "sqlfluff"}
    assert set(skipped) == {"a.sql", "b.sql"}
    assert all("not analysed" in reason for reason in skipped.values())


def test_committed_config_cannot_switch_templater_or_lift_limits(make_tree: TreeFactory) -> None:
    big = "select 1;\n" * 2500  # 25,000 bytes: over sqlfluff's 20,000-byte default
    root = make_tree(
        {
            "pyproject.toml": (
                '[tool.sqlfluff.core]\ndialect = "ansi"\ntemplater = "python"\n'
                "large_file_skip_byte_limit = 0\nmax_parse_nodes = 0\n"
                "[tool.sqlfluff.rules.capitalisation.keywords]\n"
                'capitalisation_policy = "lower"\nignore_words_regex = "(a+)+$"\n'
            ),
            "big.sql": big,
            "q.sql": "SELECT id FROM users\n",
        }
    )
    report = score(root, skills=["database"], config={"cache": False})
    notes = " ".join(_checker(report, "sqlfluff").notes)
    assert "templater 'python' is not run" in notes
    for key in ("large_file_skip_byte_limit=0", "max_parse_nodes", "ignore_words_regex"):
        assert key in notes
    skips = [s for s in report.skipped if s.path == "big.sql"]
    assert skips
    assert "large_file_skip_byte_limit of 20000" in skips[0].reason
    # The rule option the repository may set is still honoured.
    assert [f.line for f in report.findings if f.rule == "CP01" and f.path == "q.sql"] == [1, 1]


# --------------------------------------------------------------------------- bounded Jinja

JINJA_BOMBS = {
    "mul.sql": "select {{ 'x' * 10**10 }}\n",
    "range.sql": "select {% for i in range(10**9) %}1{% endfor %}\n",
    "nested.sql": (
        "select {% for i in range(9000) %}{% for j in range(9000) %}"
        "{{ i }}{% endfor %}{% endfor %}\n"
    ),
    "double.sql": (
        "{% set ns = namespace(x='a') %}{% for i in range(64) %}"
        "{% set ns.x = ns.x ~ ns.x %}{% endfor %}select 1\n"
    ),
    "method.sql": "select {{ ''.ljust(10**8) }}\n",
    "replace.sql": ("{% set a = 'a' * 100000 %}select {{ a.replace('a', a) }}\n"),
    "filter.sql": "select {{ 'x'|center(10**9) }}\n",
    "format.sql": "select {{ '%0999999999d' % 1 }}\n",
    "pow.sql": "select {{ 7 ** 1000000000 }}\n",
    "append.sql": (
        "{% set l = [] %}{% for i in range(9999) %}{% for j in range(9999) %}"
        "{% do l.append(i) %}{% endfor %}{% endfor %}select 1\n"
    ),
}

_RUN_CHECKER = """
import json, sys, time
from pathlib import Path
from backend_skills.checkers.sqlfluff import SqlfluffChecker
from backend_skills.core.checker import CheckContext
from backend_skills.core.discovery import discover

root = Path(sys.argv[1])
ctx = CheckContext(root=root, fileset=discover(root))
checker = SqlfluffChecker()
options = checker.prepare(ctx)
out = {}
for file in checker.select(ctx):
    start = time.perf_counter()
    try:
        result = checker.check_file(file, options)
        out[file.path] = [result.skipped, time.perf_counter() - start]
    except BaseException as exc:
        out[file.path] = [f"raised {type(exc).__name__}", time.perf_counter() - start]
print(json.dumps(out))
"""


def test_jinja_bombs_stay_bounded_and_are_not_analysed(make_tree: TreeFactory) -> None:
    root = make_tree({**JINJA_BOMBS, "ok.sql": "select {{ 'a' ~ 'b' }} from t\n"})

    def limit() -> None:  # pragma: no cover - runs in the child
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _RUN_CHECKER, str(root)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        preexec_fn=limit,  # no threads here
    )
    elapsed = time.perf_counter() - start
    assert result.returncode == 0, result.stderr[-2000:]
    outcome = json.loads(result.stdout)
    for name in JINJA_BOMBS:
        reason, seconds = outcome[name]
        assert reason is not None, f"{name} counted as analysed"
        assert "over the limits for untrusted templates" in reason, (name, reason)
        assert seconds < 20, (name, seconds)
    assert outcome["ok.sql"][0] is None
    assert elapsed < 240


def test_a_template_over_the_limits_is_listed_as_not_analysed(make_tree: TreeFactory) -> None:
    root = make_tree({"m.sql": JINJA_BOMBS["mul.sql"], "ok.sql": "select 1 from t\n"})
    report = score(root, skills=["database"], config={"cache": False})
    skips = {s.path: s.reason for s in report.skipped if s.checker == "sqlfluff"}
    assert list(skips) == ["m.sql"]
    assert skips["m.sql"].startswith("not analysed: the SQL template is over the limits")
    notes = " ".join(_checker(report, "sqlfluff").notes)
    assert "template over the limits (1)" in notes


# --------------------------------------------------------------------------- secrets

SECRETS = ("Hunter2SecretPw", "AKIAIOSFODNN7EXAMPL2", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
SECRET_SQL = (
    "ALTER USER bob IDENTIFIED BY 'Hunter2SecretPw';\n"
    "COPY t FROM 's3://b/k' CREDENTIALS "
    "'aws_access_key_id=AKIAIOSFODNN7EXAMPL2;"
    "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';\n"
)


def test_secrets_in_unparsable_sql_reach_no_format_and_no_cache(
    make_tree: TreeFactory, tmp_path: Path
) -> None:
    root = make_tree(
        {
            "users.sql": SECRET_SQL,
            "keys.sql": (
                "select 1 from t where k = AKIAIOSFODNN7EXAMPL2 "
                "and s = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY !!\n"
            ),
            "app.py": "x = 1\n",
        }
    )
    for run in ("cold", "warm"):  # the warm run reads the findings back from the cache
        outputs, result, cache = _score_all_formats(root, tmp_path / "out")
        written = _everything_written(outputs, cache, result)
        for secret in SECRETS:
            assert secret.encode() not in written, (run, secret)
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    parse = [f for f in report["findings"] if f["rule"] == "PRS"]
    assert {f["path"] for f in parse} == {"users.sql", "keys.sql"}
    # The message still says where and what, without the values.
    users = next(f for f in parse if f["path"] == "users.sql")
    assert "IDENTIFIED BY <redacted>" in users["message"]


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("CREATE ROLE app LOGIN PASSWORD 's3cr3t-pw'", "s3cr3t-pw"),
        ("ALTER USER x IDENTIFIED WITH mysql_native_password BY 'pw-123'", "pw-123"),
        ('SET password = "q!w2e3"', "q!w2e3"),
        ("api_key=abcd1234efgh", "abcd1234efgh"),
        ("secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY here", "wJalrXUtnFEMI"),
    ],
)
def test_redacted_message_removes_password_clauses(text: str, secret: str) -> None:
    from backend_skills.checkers._redact import redacted_message

    assert secret not in redacted_message(text)


def test_redacted_message_keeps_ordinary_words() -> None:
    from backend_skills.checkers._redact import redacted_message

    assert redacted_message("select password from users") == "select password from users"


# --------------------------------------------------------------------------- bandit config

ALIAS_BOMB = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
    "skips: [*i]\n"
)


def test_yaml_alias_bomb_fails_bandit_with_one_line_and_the_rest_finishes(
    make_tree: TreeFactory, tmp_path: Path
) -> None:
    root = make_tree(
        {
            ".bandit": "[bandit]\nconfigfile = bandit.yaml\n",
            "bandit.yaml": ALIAS_BOMB,
            "app.py": "eval(input())\n",
            "q.sql": "select id from users\n",
        }
    )
    out = tmp_path / "out"
    start = time.perf_counter()
    result = _cli(
        "score", root, "--format", "json", "-o", out / "r.json", cache=out / "c", cap_memory=True
    )
    assert time.perf_counter() - start < 120
    assert result.returncode == 3, result.stderr  # incomplete: bandit failed
    report = json.loads((out / "r.json").read_text(encoding="utf-8"))
    runs = {c["name"]: c for c in report["checkers"]}
    bandit = runs["bandit"]
    assert bandit["status"] == "failed"
    assert "bandit.yaml" in bandit["error"]
    assert "aliases" in bandit["error"]
    assert "\n" not in bandit["error"]
    assert all(c["status"] != "failed" for n, c in runs.items() if n != "bandit")
    assert runs["sqlfluff"]["status"] == "ok"


def test_deeply_nested_pyproject_does_not_crash_the_tool_checkers(
    make_tree: TreeFactory,
) -> None:
    deep = "[" * 5000 + "]" * 5000
    root = make_tree(
        {
            "pyproject.toml": (
                f'[tool.bandit]\nskips = ["B307"]\n[tool.sqlfluff.core]\ndialect = "ansi"\n'
                f"[tool.other]\nx = {deep}\n"
            ),
            "app.py": "eval(input())\n",
            "q.sql": "select id from users\n",
        }
    )
    # config={}: our own settings are not read from that pyproject.toml (another check's
    # business); the tools' configuration in it still is.
    report = score(root, skills=["security", "database"], config={"cache": False})
    assert _checker(report, "bandit").status == "ok"
    assert _checker(report, "sqlfluff").status == "ok"
    assert any(f.rule == "B307" for f in report.findings)  # unreadable config: defaults
    notes = " ".join(_checker(report, "sqlfluff").notes)
    assert "pyproject.toml not usable: nested too deeply" in notes


def test_bandit_ini_interpolation_is_not_expanded(make_tree: TreeFactory) -> None:
    levels = ["[bandit]", "a0 = " + "x" * 50]
    for n in range(1, 11):
        levels.append(f"a{n} = " + f"%(a{n - 1})s" * 10)
    levels.append("skips = %(a10)s")
    root = make_tree({".bandit": "\n".join(levels) + "\n", "app.py": "eval(input())\n"})
    start = time.perf_counter()
    report = score(root, skills=["security"], config={"cache": False})
    assert time.perf_counter() - start < 60
    bandit = _checker(report, "bandit")
    assert bandit.status == "ok"
    assert any(f.rule == "B307" for f in report.findings)


def test_bandit_settings_that_are_not_test_options_are_dropped(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "pyproject.toml": (
                '[tool.bandit]\nplugin_name_pattern = "*"\nlog_format = "%(message)s"\n'
                'skips = ["B101"]\n'
            ),
            "app.py": "assert x\neval(input())\n",
        }
    )
    report = score(root, skills=["security"], config={"cache": False})
    notes = " ".join(_checker(report, "bandit").notes)
    assert "log_format, plugin_name_pattern" in notes
    rules = {f.rule for f in report.findings if f.checker == "bandit"}
    assert "B101" not in rules  # the test selection the repository may make still holds
    assert "B307" in rules


# --------------------------------------------------------------------------- trusted config

UPPER_SQL = "SELECT id FROM users\n"


def _untrusted_pr(make_tree: TreeFactory) -> tuple[Path, Path]:
    """A pull request that silences its own findings, and its base branch's checkout."""
    head = make_tree(
        {
            ".bandit": "[bandit]\nskips = B307\n",
            "pyproject.toml": (
                '[tool.bandit]\nskips = ["B602"]\n[tool.sqlfluff.core]\nexclude_rules = "CP01"\n'
            ),
            ".sqlfluff": "[sqlfluff]\ndialect = ansi\nexclude_rules = CP01,LT01\n",
            "app.py": ("import subprocess\neval(input())\nsubprocess.call(input(), shell=True)\n"),
            "q.sql": UPPER_SQL,
            "db/r.sql": "-- sqlfluff:exclude_rules:CP01,LT01\nSELECT a FROM b WHERE a=1  -- noqa\n",
        }
    )
    base = make_tree(
        {
            ".sqlfluff": (
                "[sqlfluff]\ndialect = ansi\n"
                "[sqlfluff:rules:capitalisation.keywords]\ncapitalisation_policy = lower\n"
            ),
            "pyproject.toml": "[tool.backend_skills]\nskills = ['security', 'database']\n",
        }
    )
    return head, base


def _silenced(report: Report) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for f in report.findings:
        found.setdefault(f.path, set()).add(f.rule)
    return found


def test_the_tree_silences_its_own_findings_by_default(make_tree: TreeFactory) -> None:
    head, _ = _untrusted_pr(make_tree)
    found = _silenced(score(head, skills=["security", "database"], config={"cache": False}))
    assert not {"B307", "B602"} & found.get("app.py", set())
    assert "CP01" not in found.get("q.sql", set())


def test_config_root_reads_the_base_configuration_only(make_tree: TreeFactory) -> None:
    head, base = _untrusted_pr(make_tree)
    report = score(head, config_root=base, config={"cache": False})
    found = _silenced(report)
    assert {"B307", "B602"} <= found["app.py"]
    assert "CP01" in found["q.sql"]  # the base's lower-case policy
    assert {"CP01", "LT01"} <= found["db/r.sql"]  # inline exclude_rules and -- noqa ignored
    notes = " ".join(_checker(report, "sqlfluff").notes)
    assert "--config-root: the scored tree's sqlfluff configuration" in notes
    assert "SQL dialect ansi (set by" in notes


def test_config_root_on_the_command_line(make_tree: TreeFactory, tmp_path: Path) -> None:
    head, base = _untrusted_pr(make_tree)
    out = tmp_path / "out"
    result = _cli(
        "score", head, "--config-root", base, "--format", "json", "-o", out / "r.json",
        cache=out / "c",
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    report = json.loads((out / "r.json").read_text(encoding="utf-8"))
    rules = {(f["path"], f["rule"]) for f in report["findings"]}
    assert {("app.py", "B307"), ("app.py", "B602"), ("q.sql", "CP01")} <= rules
    # The base's own settings apply: its skills list.
    assert {s["id"] for s in report["skills"]} == {"security", "database"}


def test_isolated_ignores_every_configuration_in_the_tree(make_tree: TreeFactory) -> None:
    head, _ = _untrusted_pr(make_tree)
    report = score(head, skills=["security", "database"], isolated=True, cache=False)
    found = _silenced(report)
    assert {"B307", "B602"} <= found["app.py"]
    # sqlfluff's defaults: consistent upper case is fine.
    assert "CP01" not in found.get("q.sql", set())
    r_rules = found["db/r.sql"]
    assert "LT01" in r_rules  # a=1: the inline exclude_rules and the -- noqa are ignored
    assert not any("bandit configuration read from" in n for n in _checker(report, "bandit").notes)


def test_a_config_file_cannot_choose_which_configuration_is_trusted(
    make_tree: TreeFactory, tmp_path: Path
) -> None:
    for key, value in (("isolated", "true"), ("config_root", f"'{tmp_path}'")):
        root = make_tree({".backend-skills.toml": f"{key} = {value}\n"})
        with pytest.raises(ConfigError, match=f"'{key}' can only be given on the command line"):
            score(root)


def test_hook_accepts_config_root() -> None:
    result = _cli("hook", "--help", cache=Path(os.devnull))
    assert "--config-root" in result.stdout
