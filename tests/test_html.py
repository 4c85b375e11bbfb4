"""The HTML report: escaping, redaction, optional sections, and a real headless browser.

The browser test drives Debian's Chromium over the DevTools protocol on a pipe
(``--remote-debugging-pipe``), with the standard library only: it loads the page from a
file, records every network request, dialog and console message, checks the DOM after
the script ran, and saves a screenshot.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from backend_skills import score
from backend_skills.core.checker import RenderOptions
from backend_skills.core.models import Coverage, Finding, Report, Severity
from backend_skills.reporters._html_page import SCRIPT, SCRIPT_HASH
from backend_skills.reporters.html import HtmlReporter

from .conftest import TreeFactory
from .test_cli import run_cli

HOSTILE = "<img src=x onerror=alert(1)>.py"
HOSTILE_TITLE = "<img src=x onerror=document.title='pwned'>.py"
AWS_KEY = "AKIAIOSFODNN7EXAMPLE"

VULNERABLE = """\
import pickle
import subprocess


def handler(request):
    data = request.args.get("payload")
    subprocess.call("echo " + data, shell=True)
    return pickle.loads(data)
"""


def hostile_tree(make_tree: TreeFactory) -> Path:
    """A small repository whose file names and contents try to break the page."""
    return make_tree(
        {
            HOSTILE: VULNERABLE,
            HOSTILE_TITLE: "import os\n\ndef run(cmd):\n    os.system(cmd)\n",
            "settings.py": (
                f'AWS_ACCESS_KEY_ID = "{AWS_KEY}"\n'
                'DB_PASSWORD = "hunter2-very-secret"\n'
                "DEBUG = True\n"
            ),
            "views.py": (
                "def page(request):\n"
                "    html = \"<script>document.title='pwned2'</script>\"\n"
                "    return eval(request.args['x'])\n"
            ),
            "schema.sql": "create table t (a int);\n",
            "README.md": "# demo\n",
        }
    )


def render(report: Report, **extra: str) -> str:
    return HtmlReporter().render(report, RenderOptions(extra=extra))


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    root = tmp_path_factory.mktemp("hostile")
    counter = iter(range(10))

    def factory(files: Any) -> Path:
        from .conftest import write_tree

        target = root / f"repo{next(counter)}"
        target.mkdir()
        return write_tree(target, files)

    return score(hostile_tree(factory), isolated=True, cache=False)


# --------------------------------------------------------------------------- static checks


def test_page_is_self_contained_with_a_strict_policy(hostile_report: Report) -> None:
    page = render(hostile_report)
    assert page.startswith("<!DOCTYPE html>")
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert policy is not None
    assert "default-src &#x27;none&#x27;" in policy.group(1)
    assert f"sha256-{SCRIPT_HASH}" in policy.group(1)
    # Exactly one script, ours, byte for byte (its hash is in the policy).
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.S)
    assert scripts == [SCRIPT]
    # Nothing is loaded from anywhere: no external src/href, no stylesheet links.
    assert not re.search(r'(?:src|href)="(?!#|data:)', page)
    assert '<link rel="stylesheet"' not in page
    assert not re.search(
        r'=\s*"?(?:https?:)?//', page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    )


def test_repository_text_is_escaped_everywhere(hostile_report: Report) -> None:
    paths = {f.path for f in hostile_report.findings}
    assert HOSTILE in paths, "the hostile file must have findings for the test to mean anything"
    page = render(hostile_report)
    assert "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;.py" in page
    assert "onerror=document.title=&#x27;pwned&#x27;" in page
    assert "<script>document.title" not in page
    # Outside our own script, no repository text sits inside <script>.
    assert page.count("<script>") == 1


def test_excerpts_show_code_but_never_secrets(hostile_report: Report) -> None:
    page = render(hostile_report)
    assert AWS_KEY not in page
    assert "hunter2-very-secret" not in page
    assert "pickle.loads(data)" in page  # the excerpt of the flagged line
    assert 'class="hit"' in page
    without = render(hostile_report, html_excerpts="0")
    assert "pickle.loads(data)" not in without
    assert 'class="hit"' not in without


def test_excerpts_never_follow_links_out_of_the_root(
    make_tree: TreeFactory, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text("TOP_SECRET_OUTSIDE_LINE = 1\n" * 3, encoding="utf-8")
    root = make_tree({"a.py": "import os\nos.system(input())\n"})
    (root / "link.py").symlink_to(outside)
    report = score(root, isolated=True, cache=False)
    finding = Finding(
        checker="x",
        rule="X1",
        skill="security",
        criterion="security.injection",
        severity=Severity.HIGH,
        message="planted",
        path="link.py",
        line=1,
    )
    climbing = finding.model_copy(update={"path": "../outside.py"})
    (root / "id_rsa").write_text("KEY_MATERIAL_LINE\n", encoding="utf-8")
    key_file = finding.model_copy(update={"path": "id_rsa"})
    forged = report.model_copy(update={"findings": [*report.findings, finding, climbing, key_file]})
    page = render(forged)
    assert "TOP_SECRET_OUTSIDE_LINE" not in page
    assert "KEY_MATERIAL_LINE" not in page  # not named like code: never read
    assert "os.system(input())" in page


def test_without_the_root_the_page_still_renders(hostile_report: Report) -> None:
    moved = hostile_report.model_copy(update={"root": "/nonexistent/elsewhere"})
    page = render(moved)
    assert "Code excerpts are not shown" in page
    assert page.count('class="finding"') == len(hostile_report.findings)


def test_max_findings_bounds_the_page(hostile_report: Report) -> None:
    page = HtmlReporter().render(hostile_report, RenderOptions(max_findings=1))
    assert page.count('<tr class="finding"') == 1
    assert "less severe findings left out" in page


class WithEndpoints(Report):
    endpoints: list[dict[str, Any]]


def test_coverage_and_endpoints_render_when_present(hostile_report: Report) -> None:
    assert 'id="endpoints"' not in render(hostile_report)
    coverage = Coverage(
        share=0.5, lines_read=60, lines_total=180, languages_not_read={"<b>go</b>": 120}
    )
    skills = [s.model_copy(update={"coverage": coverage}) for s in hostile_report.skills]
    data = hostile_report.model_dump()
    data["endpoints"] = [
        {"method": "POST", "path": "/<script>x</script>", "handler": "create", "access": "open"}
    ]
    report = WithEndpoints.model_validate(data).model_copy(update={"skills": skills})
    page = render(report)
    assert "<th>Coverage</th>" in page
    assert "50%" in page
    assert "&lt;b&gt;go&lt;/b&gt; 120" in page
    assert 'id="endpoints-table"' in page
    assert "/&lt;script&gt;x&lt;/script&gt;" in page
    assert "<script>x" not in page


def test_cli_writes_the_html_report(make_tree: TreeFactory, tmp_path: Path) -> None:
    root = hostile_tree(make_tree)
    out = tmp_path / "report.html"
    result = run_cli("score", root, "--format", "html", "-o", out, "--isolated", "--no-cache")
    assert result.returncode in (0, 1, 3), result.stderr
    page = out.read_text(encoding="utf-8")
    assert 'id="radar"' in page
    assert "&lt;img src=x onerror=alert(1)&gt;.py" in page


# --------------------------------------------------------------------------- the browser


def chromium_path() -> str | None:
    for candidate in ("chromium", "chromium-browser", "/usr/bin/chromium"):
        found = shutil.which(candidate)
        if found:
            return found
    return None


class DevTools:
    """A minimal Chrome DevTools protocol client over ``--remote-debugging-pipe``."""

    def __init__(self, binary: str, profile: Path) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        # A small Python trampoline moves the pipe ends to fds 3 and 4, where Chromium
        # expects them, then becomes Chromium (no preexec_fn: the test process may have
        # threads). The copies sit at 10 or above, so the moves cannot clobber each other.
        high_r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD_CLOEXEC, 10)
        high_w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        trampoline = (
            "import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
            "os.execv(sys.argv[3], sys.argv[3:])"
        )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                trampoline,
                str(high_r),
                str(high_w),
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--remote-debugging-pipe",
                f"--user-data-dir={profile}",
                "--window-size=1200,1600",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(high_r, high_w),
        )
        os.close(high_r)
        os.close(high_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def close(self) -> None:
        for fd in (self._to_chrome, self._from_chrome):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from Chromium")
            ready, _, _ = select.select([self._from_chrome], [], [], left)
            if ready:
                chunk = os.read(self._from_chrome, 1 << 16)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def call(
        self, method: str, session: str | None = None, timeout: float = 60, **params: Any
    ) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            answer = self._read_message(deadline)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                result: dict[str, Any] = answer.get("result", {})
                return result
            self.events.append(answer)

    def wait_for(self, method: str, timeout: float = 60) -> dict[str, Any]:
        for event in self.events:
            if event.get("method") == method:
                return event
        deadline = time.monotonic() + timeout
        while True:
            event = self._read_message(deadline)
            self.events.append(event)
            if event.get("method") == method:
                return event

    def evaluate(self, session: str, expression: str) -> Any:
        answer = self.call("Runtime.evaluate", session, expression=expression, returnByValue=True)
        if "exceptionDetails" in answer:
            raise AssertionError(f"{expression}: {answer['exceptionDetails']}")
        return answer["result"].get("value")


@pytest.fixture
def browser(tmp_path: Path) -> Any:
    binary = chromium_path()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI (.ci/run installs Debian's chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium); CI runs this test")
    tools = DevTools(binary, tmp_path / "profile")
    try:
        yield tools
    finally:
        tools.close()


def test_page_in_headless_chromium(
    browser: DevTools, make_tree: TreeFactory, tmp_path: Path
) -> None:
    root = hostile_tree(make_tree)
    out = tmp_path / "report.html"
    result = run_cli("score", root, "--format", "html", "-o", out, "--isolated", "--no-cache")
    assert result.returncode in (0, 1, 3), result.stderr
    url = out.resolve().as_uri()

    target = browser.call("Target.createTarget", url="about:blank")["targetId"]
    session = browser.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    for domain in ("Page", "Network", "Runtime", "Log"):
        browser.call(f"{domain}.enable", session)
    browser.events.clear()
    browser.call("Page.navigate", session, url=url)
    browser.wait_for("Page.loadEventFired")
    # Let anything deferred (an image error handler, a timer) have its chance to run.
    time.sleep(0.5)
    browser.evaluate(session, "1")

    requests = [
        e["params"]["request"]["url"]
        for e in browser.events
        if e.get("method") == "Network.requestWillBeSent"
    ]
    assert requests == [url], f"the page made network requests: {requests}"
    assert browser.evaluate(session, "performance.getEntriesByType('resource').length") == 0
    dialogs = [e for e in browser.events if e.get("method") == "Page.javascriptDialogOpening"]
    assert dialogs == [], "a script from the repository ran"
    blocked = [
        e["params"]["entry"]["text"]
        for e in browser.events
        if e.get("method") == "Log.entryAdded"
        and "Content Security Policy" in e["params"]["entry"].get("text", "")
    ]
    assert blocked == [], f"the policy blocked something of ours: {blocked}"

    # The radar chart and the tables are in the rendered DOM.
    assert browser.evaluate(session, "document.querySelector('svg#radar polygon.scores') !== null")
    assert browser.evaluate(session, "document.querySelectorAll('svg#radar line').length") >= 3
    assert (
        browser.evaluate(session, "document.querySelectorAll('#skills-table tbody tr').length") == 5
    )
    assert (
        browser.evaluate(session, "document.querySelectorAll('table.criteria tbody tr').length")
        > 10
    )
    rows = browser.evaluate(session, "document.querySelectorAll('tr.finding').length")
    assert rows > 0
    # The hostile names are text: no image element, the title is ours, nothing ran.
    assert browser.evaluate(session, "document.querySelectorAll('img').length") == 0
    assert browser.evaluate(session, "document.title").startswith("backend-skills:")
    names = browser.evaluate(
        session,
        "Array.from(document.querySelectorAll('.file-group summary code')).map(e => e.textContent)",
    )
    assert HOSTILE in names
    assert HOSTILE_TITLE in names
    # Our script ran: the filter form is visible, and unticking a severity hides rows.
    assert browser.evaluate(session, "document.getElementById('filters').hidden") is False
    severities = browser.evaluate(
        session,
        "Array.from(document.querySelectorAll('input[name=severity]')).map(e => e.value)",
    )
    first = severities[0]
    expected = browser.evaluate(
        session, f"document.querySelectorAll('tr.finding[data-severity={first}]').length"
    )
    visible = browser.evaluate(
        session,
        f"(() => {{ const box = document.querySelector('input[name=severity][value={first}]');"
        " box.checked = false; box.dispatchEvent(new Event('change', {bubbles: true}));"
        " return document.querySelectorAll('tr.finding:not([hidden])').length; })()",
    )
    assert visible == rows - expected
    assert browser.evaluate(session, "document.getElementById('shown-count').textContent") == str(
        visible
    )

    shot = browser.call("Page.captureScreenshot", session, format="png")["data"]
    png = base64.b64decode(shot)
    assert png.startswith(b"\x89PNG")
    (tmp_path / "report.png").write_bytes(png)
    assert len(png) > 10_000
