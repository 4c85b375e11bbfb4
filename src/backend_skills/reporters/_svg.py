"""Inline SVG charts for the HTML report and the batch leaderboard.

Drawn here rather than with an inlined charting library: a few dozen lines give a radar,
bars and histograms that print well, need no script (so they render with JavaScript
off and under a strict Content-Security-Policy), and every label goes through the same
HTML escaping as the rest of the page. Scores are 0-100.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from backend_skills.core.models import LEVEL_BANDS, Level

from ._html_page import h

#: Fill colour per level (matches the CSS badges).
LEVEL_COLOR: dict[Level, str] = {
    Level.NOVICE: "#c62828",
    Level.DEVELOPING: "#ef6c00",
    Level.COMPETENT: "#c9a000",
    Level.PROFICIENT: "#2e7d32",
    Level.EXPERT: "#1b5e20",
}
NA_COLOR = "#8a8f98"


def level_for(score: float) -> Level:
    """The level band ``score`` falls in (for colouring only; reports carry their level)."""
    chosen = Level.NOVICE
    for level, lower in LEVEL_BANDS:
        if score >= lower:
            chosen = level
    return chosen


def _n(value: float) -> str:
    """A coordinate with at most one decimal."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _wrap(label: str, width: int = 16, max_lines: int = 3) -> list[str]:
    """``label`` cut into lines of about ``width`` characters at spaces."""
    lines: list[str] = []
    for word in " ".join(label.split()).split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word[:40])
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1] + "…"]
    return lines or [""]


@dataclass(frozen=True)
class Axis:
    """One spoke of the radar: a label and a score (None: not scored)."""

    label: str
    score: float | None


def radar(axes: Sequence[Axis], *, size: int = 360, element_id: str = "radar") -> str:
    """A radar chart of ``axes`` (at least three; fewer gives horizontal bars).

    Rings mark the level bands (40, 60, 75, 90, 100). Spokes of skills without a score
    are drawn dashed and labelled ``n/a``; the polygon joins the scored ones.
    """
    if len(axes) < 3:
        return bars(axes, element_id=element_id)
    pad = 120
    width = size + 2 * pad
    height = size + 130
    cx, cy, radius = width / 2, size / 2 + 80, size / 2
    title = "Scores by skill: " + ", ".join(
        f"{a.label} {'n/a' if a.score is None else f'{a.score:.1f}'}" for a in axes
    )
    out = [
        f'<svg id="{h(element_id)}" class="chart radar" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" width="{_n(width)}" height="{_n(height)}" '
        f'role="img" aria-label="{h(title)}">',
        f"<title>{h(title)}</title>",
    ]

    def point(index: int, fraction: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / len(axes)
        return cx + radius * fraction * math.cos(angle), cy + radius * fraction * math.sin(angle)

    for _, lower in [*LEVEL_BANDS[1:], (Level.EXPERT, 100.0)]:
        ring = " ".join(
            f"{_n(x)},{_n(y)}" for x, y in (point(i, lower / 100) for i in range(len(axes)))
        )
        out.append(f'<polygon points="{ring}" fill="none" stroke="#d9dde3" stroke-width="1"/>')
        x, y = point(0, lower / 100)
        out.append(
            f'<text x="{_n(x + 4)}" y="{_n(y + 11)}" font-size="10" fill="#5f6670">'
            f"{_n(lower)}</text>"
        )
    scored: list[tuple[float, float]] = []
    for index, axis in enumerate(axes):
        x, y = point(index, 1.0)
        dash = ' stroke-dasharray="4 3"' if axis.score is None else ""
        out.append(
            f'<line x1="{_n(cx)}" y1="{_n(cy)}" x2="{_n(x)}" y2="{_n(y)}" stroke="#b8bec7"'
            f' stroke-width="1"{dash}/>'
        )
        lx, ly = point(index, 1.13)
        anchor = "middle" if abs(lx - cx) < 8 else ("start" if lx > cx else "end")
        value = "n/a" if axis.score is None else f"{axis.score:.0f}"
        words = _wrap(axis.label)
        top = ly - 15 * len(words) + 5 if ly < cy - 8 else ly
        lines = "".join(
            f'<tspan x="{_n(lx)}" dy="{0 if i == 0 else 15}">{h(w)}</tspan>'
            for i, w in enumerate(words)
        )
        out.append(
            f'<text class="axis-label" x="{_n(lx)}" y="{_n(top)}" text-anchor="{anchor}" '
            f'font-size="13" fill="#1c1e21">{lines}'
            f'<tspan x="{_n(lx)}" dy="15" font-size="12" fill="#5f6670">{value}</tspan></text>'
        )
        if axis.score is not None:
            scored.append(point(index, max(0.0, min(axis.score, 100.0)) / 100))
    if scored:
        points = " ".join(f"{_n(x)},{_n(y)}" for x, y in scored)
        out.append(
            f'<polygon class="scores" points="{points}" fill="#1f5fbf" fill-opacity="0.22" '
            'stroke="#1f5fbf" stroke-width="2"/>'
        )
        out.extend(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3.5" fill="#1f5fbf"/>' for x, y in scored)
    out.append("</svg>")
    return "".join(out)


def bars(axes: Sequence[Axis], *, element_id: str = "radar", width: int = 520) -> str:
    """Horizontal bars, one per axis (the radar's fallback for one or two skills)."""
    row = 28
    label_w = 170
    height = row * max(len(axes), 1) + 10
    out = [
        f'<svg id="{h(element_id)}" class="chart bars" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        'aria-label="Scores by skill">',
    ]
    span = width - label_w - 50
    for index, axis in enumerate(axes):
        y = 5 + index * row
        out.append(
            f'<text x="0" y="{y + 17}" font-size="13" fill="#1c1e21">{h(axis.label, 28)}</text>'
        )
        out.append(f'<rect x="{label_w}" y="{y + 4}" width="{span}" height="16" fill="#eef1f4"/>')
        if axis.score is not None:
            color = LEVEL_COLOR[level_for(axis.score)]
            w = span * max(0.0, min(axis.score, 100.0)) / 100
            out.append(
                f'<rect x="{label_w}" y="{y + 4}" width="{_n(w)}" height="16" fill="{color}"/>'
            )
        value = "n/a" if axis.score is None else f"{axis.score:.1f}"
        out.append(
            f'<text x="{label_w + span + 6}" y="{y + 17}" font-size="12" fill="#5f6670">'
            f"{value}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def score_bar(score: float | None, *, width: int = 140, marks: Sequence[float] = ()) -> str:
    """A small bar for one criterion's score, with optional marks (e.g. the next level)."""
    height = 12
    out = [
        f'<svg class="crit-bar" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{"not scored" if score is None else f"score {score:.1f} of 100"}">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#eef1f4"/>',
    ]
    if score is not None:
        fill = LEVEL_COLOR[level_for(score)]
        w = width * max(0.0, min(score, 100.0)) / 100
        out.append(f'<rect x="0" y="0" width="{_n(w)}" height="{height}" fill="{fill}"/>')
    for mark in marks:
        x = width * max(0.0, min(mark, 100.0)) / 100
        out.append(
            f'<line x1="{_n(x)}" y1="0" x2="{_n(x)}" y2="{height}" stroke="#1c1e21" '
            'stroke-width="1.5" stroke-dasharray="2 1"/>'
        )
    out.append("</svg>")
    return "".join(out)


def histogram(
    scores: Sequence[float], *, title: str, element_id: str, width: int = 300, bins: int = 10
) -> str:
    """A histogram of 0-100 ``scores`` in ``bins`` equal bins, coloured by level band."""
    height, base, top = 160, 135, 32
    counts = [0] * bins
    for score in scores:
        counts[min(int(max(score, 0.0) / (100 / bins)), bins - 1)] += 1
    tallest = max(counts) or 1
    step = (width - 20) / bins
    label = f"{title}: {len(scores)} scored"
    out = [
        f'<svg id="{h(element_id)}" class="chart histogram" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{h(label)}">',
        f'<text x="10" y="13" font-size="12" font-weight="600" fill="#1c1e21">{h(title, 40)}'
        "</text>",
    ]
    for index, count in enumerate(counts):
        x = 10 + index * step
        bar_h = (base - top) * count / tallest
        color = LEVEL_COLOR[level_for(index * 100 / bins)]
        if count:
            out.append(
                f'<rect x="{_n(x + 1)}" y="{_n(base - bar_h)}" width="{_n(step - 2)}" '
                f'height="{_n(bar_h)}" fill="{color}"><title>{index * 100 // bins}-'
                f"{(index + 1) * 100 // bins}: {count}</title></rect>"
            )
            out.append(
                f'<text x="{_n(x + step / 2)}" y="{_n(base - bar_h - 3)}" font-size="10" '
                f'text-anchor="middle" fill="#5f6670">{count}</text>'
            )
    out.append(
        f'<line x1="10" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#b8bec7"/>'
        f'<text x="10" y="{base + 14}" font-size="10" fill="#5f6670">0</text>'
        f'<text x="{_n(width / 2)}" y="{base + 14}" font-size="10" text-anchor="middle" '
        'fill="#5f6670">50</text>'
        f'<text x="{width - 10}" y="{base + 14}" font-size="10" text-anchor="end" '
        'fill="#5f6670">100</text></svg>'
    )
    return "".join(out)
