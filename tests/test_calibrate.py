"""benchmarks/calibrate.py: the corpus format, the table, misses and rank agreement."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from .conftest import TreeFactory

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "calibrate.py"


@pytest.fixture(scope="module")
def calibrate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("calibrate", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["calibrate"] = module  # dataclasses resolve annotations through it
    spec.loader.exec_module(module)
    return module


SHA_A = "a" * 40
SHA_B = "b" * 40

CORPUS = f"""
[[repo]]
name = "acme/vuln"
commit = "{SHA_A}"
language = "python"
kind = "vulnerable"
reason = "A training app that builds SQL from request data."
[repo.expect]
security = [0, 100]
collaboration = [90, 100]

[[repo]]
name = "acme/mature"
commit = "{SHA_B}"
language = "python"
kind = "mature"
reason = "A tidy service."
accept = {{ unscored = ["database"] }}
[repo.expect]
overall = [0, 100]
database = [80, 100]
"""

VULN = {
    "app.py": """\
    import sqlite3
    import subprocess

    from flask import Flask, request

    app = Flask(__name__)
    app.config["SECRET_KEY"] = "hunter2-not-secret"


    @app.route("/users")
    def users():
        name = request.args["name"]
        db = sqlite3.connect("app.db")
        return str(db.execute("SELECT * FROM users WHERE name = '%s'" % name).fetchall())


    @app.route("/ping")
    def ping():
        return subprocess.check_output("ping -c 1 " + request.args["host"], shell=True)


    if __name__ == "__main__":
        app.run(debug=True, host="0.0.0.0")
    """,
}
MATURE = {
    "service/__init__.py": '"""Orders service."""\n',
    "service/orders.py": '''\
    """Order totals."""

    from __future__ import annotations


    def total(prices: list[int]) -> int:
        """Sum of the prices, in cents."""
        return sum(prices)
    ''',
    "tests/test_orders.py": """\
    from service.orders import total


    def test_total() -> None:
        assert total([1, 2]) == 3
    """,
    "README.md": "# Orders\n\nA small service that totals orders for the shop front.\n",
}


def _checkouts(make_tree: TreeFactory, tmp_path: Path) -> tuple[Path, Path]:
    vuln = make_tree(VULN)
    mature = make_tree(MATURE)
    folder = tmp_path / "checkouts"
    folder.mkdir()
    vuln.rename(folder / "acme+vuln")
    mature.rename(folder / "acme+mature")
    corpus = tmp_path / "corpus.toml"
    corpus.write_text(CORPUS, encoding="utf-8")
    return folder, corpus


def test_table_misses_and_json_on_synthetic_checkouts(
    calibrate: ModuleType,
    make_tree: TreeFactory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder, corpus = _checkouts(make_tree, tmp_path)
    out_json = tmp_path / "out.json"
    out_md = tmp_path / "out.md"
    code = calibrate.main(
        [
            "--corpus",
            str(corpus),
            "--checkouts",
            str(folder),
            "--json",
            str(out_json),
            "--markdown",
            str(out_md),
        ]
    )
    assert code == 0  # misses do not fail without --strict
    text = capsys.readouterr().out
    header, _rule, *rows = text.split("\n\n")[0].splitlines()
    assert header.split()[:4] == ["repository", "lang", "kind", "db"]
    vuln_row = next(r for r in rows if r.startswith("acme/vuln"))
    mature_row = next(r for r in rows if r.startswith("acme/mature"))
    assert "vulnerable" in vuln_row
    assert "mature" in mature_row
    # A bare training app has no README, CI or docs: collaboration far below 90.
    assert "[90-100] MISS" in vuln_row
    assert "[0-100] MISS" not in vuln_row

    data = json.loads(out_json.read_text(encoding="utf-8"))
    repos = {r["name"]: r for r in data["repositories"]}
    vuln_collab = repos["acme/vuln"]["scores"]["collaboration"]["score"]
    assert vuln_collab < 90
    assert f"collaboration: expected 90-100, got {vuln_collab:.1f}" in repos["acme/vuln"]["misses"]
    # No SQL schema or data layer in the mature tree: database is either unscored (accepted)
    # or scored and judged against its band.
    database = repos["acme/mature"]["scores"]["database"]
    db_missed = any(m.startswith("database:") for m in repos["acme/mature"]["misses"])
    if database["score"] is None:
        assert not db_missed
    else:
        assert db_missed == (database["score"] < 80)
    assert data["misses"] == sum(len(r["misses"]) for r in data["repositories"])
    assert f"Misses: {data['misses']}" in text
    markdown = out_md.read_text(encoding="utf-8")
    assert "| `acme/vuln` | python | vulnerable |" in markdown
    assert "[90-100] **miss**" in markdown
    assert f"Misses: {data['misses']}" in markdown

    # Rank agreement for each column follows from the two scores.
    for column in ("security", "overall", "collaboration"):
        low = repos["acme/vuln"]["scores"][column]["score"]
        high = repos["acme/mature"]["scores"][column]["score"]
        rank = data["rank_agreement"][column]["all"]
        if low is None or high is None:
            assert rank == {"pairs": 0, "right": 0, "ties": 0, "unscored": 1, "agreement": None}
        else:
            assert rank["pairs"] == 1
            assert rank["right"] == (1 if low < high - 0.05 else 0)
            assert rank["agreement"] == rank["right"]


def test_strict_fails_on_a_miss_and_on_a_missing_checkout(
    calibrate: ModuleType, make_tree: TreeFactory, tmp_path: Path
) -> None:
    folder, corpus = _checkouts(make_tree, tmp_path)
    assert calibrate.main(["--corpus", str(corpus), "--checkouts", str(folder), "--strict"]) == 1
    # Only the mature checkout, whose bands hold or accept no score.
    only = ["--corpus", str(corpus), "--checkouts", str(folder), "--only", "acme/mature"]
    code = calibrate.main([*only, "--strict", "--json", str(tmp_path / "m.json")])
    misses = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))["misses"]
    assert code == (1 if misses else 0)
    (folder / "acme+mature").rename(tmp_path / "moved")
    assert calibrate.main([*only, "--strict"]) == 1


def test_a_path_is_matched_to_its_entry_by_folder_name(
    calibrate: ModuleType,
    make_tree: TreeFactory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder, corpus = _checkouts(make_tree, tmp_path)
    stray = make_tree({"main.py": "print('hello')\n"})
    code = calibrate.main(["--corpus", str(corpus), str(folder / "acme+vuln"), str(stray)])
    assert code == 0
    rows = capsys.readouterr().out.split("\n\n")[0].splitlines()[2:]
    assert rows[0].startswith("acme/vuln ")
    assert rows[1].startswith(stray.name)
    assert " ? " in rows[1]  # no corpus entry: no language, kind or bands


def _result(calibrate: ModuleType, name: str, kind: str, language: str, score: float | None):  # type: ignore[no-untyped-def]
    entry = calibrate.Entry(
        name=f"acme/{name}", commit="c" * 40, language=language, kind=kind, reason="r"
    )
    cell = calibrate.Cell(score, "scored" if score is not None else "not_assessed")
    return calibrate.Result(path=Path(name), entry=entry, cells={"security": cell})


def test_rank_agreement_arithmetic(calibrate: ModuleType) -> None:
    results = [
        _result(calibrate, "v1", "vulnerable", "python", 20.0),
        _result(calibrate, "v2", "vulnerable", "java", 80.0),
        _result(calibrate, "v3", "vulnerable", "go", None),
        _result(calibrate, "m1", "mature", "python", 90.0),
        _result(calibrate, "m2", "mature", "java", 80.0),
        _result(calibrate, "s1", "student", "python", 10.0),  # not in any pair
    ]
    rank = calibrate.rank_agreement(results, "security")
    # pairs: v1<m1 right, v1<m2 right, v2<m1 right, v2=m2 tie; v3 unscored twice
    assert (rank.pairs, rank.right, rank.ties, rank.unscored) == (4, 3, 1, 2)
    assert rank.agreement == pytest.approx(0.75)
    same = calibrate.rank_agreement(results, "security", same_language=True)
    assert (same.pairs, same.right, same.ties) == (2, 1, 1)
    assert calibrate.rank_agreement(results, "overall").agreement is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no [[repo]] entries"),
        ('[[repo]]\nname = "x"\n', "name must be 'owner/name'"),
        ('[[repo]]\nname = "a/b"\ncommit = "abc"\n', "full 40-hex SHA"),
        (
            f'[[repo]]\nname = "a/b"\ncommit = "{SHA_A}"\nlanguage = "go"\nkind = "good"\n',
            "kind must be one of",
        ),
        (
            f'[[repo]]\nname = "a/b"\ncommit = "{SHA_A}"\nlanguage = "go"\nkind = "mature"\n'
            'reason = "r"\n[repo.expect]\nsecurity = [90, 10]\n',
            "0 <= low <= high <= 100",
        ),
        (
            f'[[repo]]\nname = "a/b"\ncommit = "{SHA_A}"\nlanguage = "go"\nkind = "mature"\n'
            'reason = "r"\n[repo.expect]\nspeed = [0, 10]\n',
            "expect.speed: unknown",
        ),
        ("[[repo]\n", "invalid TOML"),
    ],
)
def test_invalid_corpus_is_a_one_line_error(
    calibrate: ModuleType,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    message: str,
) -> None:
    corpus = tmp_path / "corpus.toml"
    corpus.write_text(text, encoding="utf-8")
    assert calibrate.main(["--corpus", str(corpus), str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err
    assert len(err.splitlines()) == 1


def test_the_published_corpus_is_valid(calibrate: ModuleType) -> None:
    entries = calibrate.load_corpus(calibrate.DEFAULT_CORPUS)
    assert len(entries) >= 20
    kinds = {e.kind for e in entries}
    assert {"vulnerable", "mature", "student"} <= kinds
    assert {"python", "java", "csharp", "go"} <= {e.language for e in entries}
    assert {"javascript", "typescript"} & {e.language for e in entries}
    for entry in entries:
        if entry.kind == "vulnerable":
            assert entry.expect["security"].high <= 60, entry.name
        if entry.kind == "mature":
            assert entry.expect["security"].low >= 70, entry.name
