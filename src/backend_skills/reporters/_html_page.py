"""The shell shared by the HTML report and the batch leaderboard: escaping, CSS, the one
inline script and the Content-Security-Policy that lets nothing else run or load.

The page is one self-contained file: styles and the script are inline, charts are SVG
drawn here (see :mod:`._svg`), and the policy is ``default-src 'none'`` so a browser
opening it makes no network request at all. The script is a constant: no text from the
scored repository is ever placed inside ``<script>``; it only reads ``data-*``
attributes. Its SHA-256 is in the policy, so an injected script could not run even if
escaping failed somewhere.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re

from ._common import one_line

#: Control characters and lone surrogates that have no place in an HTML document.
_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def h(text: object, limit: int | None = None) -> str:
    """``text`` escaped for HTML text *and* attribute values (quotes included)."""
    value = str(text)
    if limit is not None:
        value = one_line(value, limit)
    return html.escape(_INVALID.sub("\ufffd", value), quote=True)


def h_block(text: object) -> str:
    """Multi-line ``text`` escaped for HTML (newlines kept, for ``<pre>``)."""
    return html.escape(_INVALID.sub("\ufffd", str(text)).replace("\r", ""), quote=True)


#: The page's only script: shows the filter form and hides rows that do not match it.
#: Without JavaScript the form stays hidden and every finding is shown.
SCRIPT = """
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  form.hidden = false;
  function checked(name) {
    var on = Object.create(null);
    form.querySelectorAll("input[name='" + name + "']").forEach(function (box) {
      on[box.value] = box.checked;
    });
    return on;
  }
  function apply() {
    var severity = checked("severity");
    var skill = checked("skill");
    var countedOnly = form.querySelector("input[name='counted']");
    var onlyCounted = countedOnly ? countedOnly.checked : false;
    var shown = 0;
    document.querySelectorAll("tr.finding").forEach(function (row) {
      var visible = severity[row.dataset.severity] === true &&
        skill[row.dataset.skill] === true &&
        (!onlyCounted || row.dataset.counted === "1");
      row.hidden = !visible;
      if (visible) { shown += 1; }
    });
    document.querySelectorAll(".file-group").forEach(function (group) {
      var count = group.querySelectorAll("tr.finding:not([hidden])").length;
      group.hidden = count === 0;
      var label = group.querySelector(".visible-count");
      if (label) { label.textContent = String(count); }
    });
    document.querySelectorAll(".skill-findings").forEach(function (block) {
      block.hidden = block.querySelectorAll(".file-group:not([hidden])").length === 0;
    });
    var total = document.getElementById("shown-count");
    if (total) { total.textContent = String(shown); }
  }
  form.addEventListener("change", apply);
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  apply();
})();
"""

SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")

#: No network, no plugins, no frames, no forms posting anywhere; only our own script.
CSP = (
    "default-src 'none'; "
    "style-src 'unsafe-inline'; "
    f"script-src 'sha256-{SCRIPT_HASH}'; "
    "img-src data:; "
    "base-uri 'none'; "
    "form-action 'none'"
)

CSS = """
:root { --fg:#1c1e21; --muted:#5f6670; --line:#d9dde3; --bg:#ffffff; --panel:#f6f8fa;
  --novice:#c62828; --developing:#ef6c00; --competent:#c9a000; --proficient:#2e7d32;
  --expert:#1b5e20; --na:#8a8f98; --accent:#1f5fbf; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0 auto; max-width: 1100px; padding: 1.5rem; color: var(--fg); background: var(--bg);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .6rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
a { color: var(--accent); }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .86em; }
.muted { color: var(--muted); }
.nowrap { white-space: nowrap; }
.wrap { overflow-wrap: anywhere; }
table .wrap { overflow-wrap: break-word; word-break: break-word; }
.hero { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: center; }
.hero > .headline { max-width: 330px; }
.score-big { font-size: 3rem; font-weight: 700; line-height: 1; }
.badge { display: inline-block; padding: .1rem .5rem; border-radius: 1rem; color: #fff;
  font-size: .8rem; font-weight: 600; background: var(--na); white-space: nowrap; }
.lv-novice { background: var(--novice); } .lv-developing { background: var(--developing); }
.lv-competent { background: var(--competent); color: #1c1e21; } .lv-proficient { background: var(--proficient); }
.lv-expert { background: var(--expert); }
.sev { font-weight: 600; text-transform: uppercase; font-size: .75rem; }
.sev-critical { color: #8e0000; } .sev-high { color: #c62828; } .sev-medium { color: #b26a00; }
.sev-low { color: #1f5fbf; } .sev-info { color: var(--muted); }
.warn { border-left: 4px solid var(--novice); background: #fdecea; padding: .5rem .8rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
th, td { overflow-wrap: break-word; text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid var(--line); }
th { background: var(--panel); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.findings { table-layout: fixed; }
tr.unprotected td:first-child { border-left: 3px solid #b42318; }
table.findings th:nth-child(1) { width: 6.5rem; } table.findings th:nth-child(2) { width: 4rem; }
table.findings th:nth-child(3) { width: 7.5rem; } table.findings th:nth-child(5) { width: 13rem; }
table.findings td:nth-child(5) { overflow-wrap: anywhere; }
details { margin: .3rem 0; }
summary { cursor: pointer; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .6rem .9rem; }
pre.excerpt { margin: .2rem 0 .4rem; padding: .4rem .6rem; background: var(--panel);
  border: 1px solid var(--line); border-radius: 4px; overflow-x: auto; white-space: pre; }
pre.excerpt .hit { background: #fff3c4; display: inline-block; min-width: 100%; }
#filters { display: flex; flex-wrap: wrap; gap: 1rem; margin: .5rem 0 1rem; }
#filters fieldset { border: 1px solid var(--line); border-radius: 6px; padding: .3rem .7rem; }
#filters label { margin-right: .7rem; white-space: nowrap; }
svg text { font-family: system-ui, sans-serif; }
.chart { max-width: 100%; height: auto; }
.crit-bar { vertical-align: middle; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  #filters, .no-print { display: none !important; }
  h2 { break-after: avoid; }
  tr, pre.excerpt, svg { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def page(title: str, body: str, *, script: bool = True) -> str:
    """A complete HTML document around ``body`` (already escaped HTML).

    ``title`` is escaped here. ``script`` includes the filter script.
    """
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{h(CSP)}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="color-scheme" content="light">',
        '<link rel="icon" href="data:,">',
        f"<title>{h(title, 200)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        body,
    ]
    if script:
        parts.append(f"<script>{SCRIPT}</script>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
