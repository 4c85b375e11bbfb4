"""pre-commit hooks read from a configuration document."""

from __future__ import annotations

import pytest

from backend_skills.checkers._repo_linters import pre_commit_hooks

from .conftest import TreeFactory


@pytest.mark.parametrize(
    ("data", "hooks"),
    [
        (
            {
                "repos": [
                    {"repo": "x", "hooks": [{"id": "ruff"}, {"id": "mypy", "entry": "mypy src"}]},
                    {"repo": "local", "hooks": [{"id": "t", "entry": ["not", "text"]}]},
                ]
            },
            [("ruff", None), ("mypy", "mypy src"), ("t", None)],
        ),
        ({"repos": [{"hooks": "ruff"}, "oops", {"hooks": [{"id": 3}, "x"]}]}, []),
        ({"repos": "nope"}, []),
        (["not", "a", "mapping"], []),
        (None, []),
    ],
)
def test_pre_commit_hooks(data: object, hooks: list[tuple[str, str | None]]) -> None:
    assert pre_commit_hooks(data) == hooks


POM = """<project>
  <build><plugins>
    <plugin><artifactId>maven-checkstyle-plugin</artifactId></plugin>
    <plugin><groupId>com.diffplug.spotless</groupId><artifactId>spotless-maven-plugin</artifactId></plugin>
  </plugins></build>
</project>
"""
JAVA = "package app;\n\npublic class App {\n    public static void main(String[] a) {}\n}\n"


def _signals(make_tree: TreeFactory, files: dict[str, str]) -> tuple[float, str]:
    from backend_skills.checkers._repo_linters import _linters
    from backend_skills.core.discovery import discover

    part = _linters(discover(make_tree(files)), [])
    return part.metrics[0].value, " ".join(part.notes)


def test_maven_plugins_count_and_the_compiler_earns_nothing(make_tree: TreeFactory) -> None:
    value, notes = _signals(make_tree, {"pom.xml": POM, "src/main/java/app/App.java": JAVA})
    assert value == 2  # linter (checkstyle), formatter (spotless): javac is no team choice
    assert "checkstyle (pom.xml)" in notes
    assert "spotless (pom.xml)" in notes
    assert "javac" not in notes


def test_a_gradle_checkstyle_plugin_and_its_config_folder(make_tree: TreeFactory) -> None:
    value, notes = _signals(
        make_tree,
        {
            "build.gradle": "plugins {\n    id 'java'\n    id 'checkstyle'\n}\n",
            "config/checkstyle/checkstyle.xml": "<module name='Checker'/>\n",
            "src/main/java/app/App.java": JAVA,
        },
    )
    assert value == 1
    assert "checkstyle (build.gradle, config/checkstyle/checkstyle.xml)" in notes


def test_dotnet_analyzers_nullable_and_dotnet_format(make_tree: TreeFactory) -> None:
    props = (
        "<Project><PropertyGroup><Nullable>enable</Nullable>"
        "<EnforceCodeStyleInBuild>true</EnforceCodeStyleInBuild>"
        "<AnalysisLevel>latest</AnalysisLevel></PropertyGroup></Project>\n"
    )
    value, notes = _signals(
        make_tree,
        {"Directory.Build.props": props, "src/Api/Program.cs": "var app = 1;\n"},
    )
    assert value == 3  # analyzers, code style enforced in the build, nullable references
    assert "dotnet-analyzers (Directory.Build.props)" in notes
    assert "dotnet-format (Directory.Build.props)" in notes
    assert "nullable (Directory.Build.props)" in notes


def test_a_lowercase_makefile_running_go_vet_and_staticcheck(make_tree: TreeFactory) -> None:
    value, notes = _signals(
        make_tree,
        {
            "makefile": "lint:\n\tgo vet ./...\n\tstaticcheck -checks=all ./...\n",
            "main.go": "package main\n\nfunc main() {}\n",
        },
    )
    assert value == 1  # a linter (go vet, staticcheck); goimports would be the formatter
    assert "staticcheck (makefile)" in notes
    assert "go-vet (makefile)" in notes


def test_a_compiler_alone_is_no_signal(make_tree: TreeFactory) -> None:
    value, notes = _signals(
        make_tree,
        {
            "app/main.py": "def run():\n    return 1\n",
            "app/models.py": "class User:\n    pass\n",
            "tools/gen.go": "package main\n",
        },
    )
    assert value == 0
    assert notes == ""


def test_the_advice_names_the_main_languages_tools(make_tree: TreeFactory) -> None:
    from backend_skills.checkers._repo_linters import _linters
    from backend_skills.core.discovery import discover

    part = _linters(discover(make_tree({"src/main/java/app/App.java": JAVA})), [])
    message = part.findings[0].message
    assert "Checkstyle" in message
    assert "ruff" not in message
