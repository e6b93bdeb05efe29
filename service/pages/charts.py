"""Charts drawn on the server as SVG (no charting library, no script): the career coordinate
stage over time, and horizontal bar charts for the statistics.

Every chart is ``role="img"`` with a title and a description that say what it shows in words;
the pages print the same figures in a table beside it, and the bar charts have a legend in
words (:func:`bar_legend`) whose samples are drawn with the charts' own colours. Colours keep at
least 4.5:1 against the white background for text and 3:1 for marks.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date
from typing import Any

from markupsafe import Markup, escape

from service.pages.i18n import gettext
from service.pages.labels import STAGE, STAGE_ORDER, label, level_name

INK = "#1a1a1a"
MUTED = "#4d4d4d"
GRID = "#c8c8c8"
ACCENT = "#0b5cad"
ACCENT_DARK = "#7a1f0a"
LIGHT = "#9cc3ea"

_ids = itertools.count(1)


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _parse(day: str | None) -> date | None:
    if not day:
        return None
    try:
        return date.fromisoformat(str(day)[:10])
    except ValueError:
        return None


def _chart_opening(kind: str, width: int, height: int, title: str, description: str) -> list[str]:
    """An accessible chart's ``<svg>`` opening: its own numbered title and description."""
    n = next(_ids)
    return [
        f'<svg class="chart {kind}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{kind}-title-{n} {kind}-desc-{n}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{kind}-title-{n}">{escape(title)}</title>',
        f'<desc id="{kind}-desc-{n}">{escape(description)}</desc>',
    ]


def career_chart(career: dict[str, Any], today: date) -> Markup:
    """The career coordinate system: stage (探索期 … 引领期) up, time across; a step line of the
    stage reached, and a dot for each piece of evidence (hollow while it does not count)."""
    width, height = 640, 250
    left, right, top, bottom = 96, 16, 16, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    evidence = [e for e in career.get("evidence") or [] if _parse(e.get("on"))]
    stages = sorted(
        (s for s in career.get("stages") or [] if _parse(s.get("entered_on"))),
        key=lambda s: s["entered_on"],
    )
    dates = [_parse(e["on"]) for e in evidence] + [_parse(s["entered_on"]) for s in stages]
    known = [d for d in dates if d is not None]
    first_year = min(known).year if known else today.year - 1
    last_year = max(today.year, *(d.year for d in known)) if known else today.year
    start, end = date(first_year, 1, 1), date(last_year + 1, 1, 1)
    span = (end - start).days or 1

    def x(day: date) -> float:
        return left + plot_w * (day - start).days / span

    def y(rank: int) -> float:
        return top + plot_h - plot_h * (rank - 0.5) / 5

    stage_name = label(STAGE, career.get("stage")) if career.get("stage") else None
    if stage_name:
        summary = gettext(
            "当前处于%(stage)s（自 %(since)s 起）。", stage=stage_name, since=career.get("since")
        )
    else:
        summary = gettext("尚无职业坐标记录。")
    parts = _chart_opening("career", width, height, gettext("职业坐标：阶段与时间"), summary)
    for rank, key in enumerate(STAGE_ORDER, start=1):
        yy = _fmt(y(rank))
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{yy}" y2="{yy}" stroke="{GRID}" '
            'stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 8}" y="{yy}" text-anchor="end" dominant-baseline="middle" '
            f'font-size="13" fill="{INK}">{escape(label(STAGE, key))}</text>'
        )
    for year in range(first_year, last_year + 2):
        xx = _fmt(x(date(year, 1, 1)))
        parts.append(
            f'<line x1="{xx}" x2="{xx}" y1="{top}" y2="{top + plot_h}" stroke="{GRID}" '
            'stroke-width="1" stroke-dasharray="2 3"/>'
        )
        if year <= last_year:
            mid = _fmt(x(date(year, 7, 1)))
            parts.append(
                f'<text x="{mid}" y="{height - 12}" text-anchor="middle" font-size="12" '
                f'fill="{MUTED}">{year}</text>'
            )
    if stages:
        points: list[tuple[float, float]] = []
        reached = 0
        for stage in stages:
            rank = int(stage["stage_rank"])
            if rank <= reached:
                continue
            day = _parse(stage["entered_on"])
            assert day is not None
            if points:
                points.append((x(day), points[-1][1]))
            points.append((x(day), y(rank)))
            reached = rank
        points.append((x(today), points[-1][1]))
        path = " ".join(f"{_fmt(px)},{_fmt(py)}" for px, py in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{ACCENT}" stroke-width="3"/>')
    for item in evidence:
        day = _parse(item["on"])
        assert day is not None
        rank = int(item.get("stage_rank") or STAGE_ORDER.index(item["stage"]) + 1)
        fill = ACCENT if item.get("valid", True) else "#ffffff"
        tip = f"{item['on']} {label(STAGE, item['stage'])}: {item.get('what', '')}"
        parts.append(
            f'<circle cx="{_fmt(x(day))}" cy="{_fmt(y(rank))}" r="6" fill="{fill}" '
            f'stroke="{ACCENT}" stroke-width="2"><title>{escape(tip)}</title></circle>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(rows: Sequence[dict[str, Any]], title: str, description: str) -> Markup:
    """Horizontal bars: skill talents per row, the high-skill part darker, the ratio written at
    the end of each bar. ``rows``: ``{"label", "talents", "high", "ratio_text"}``."""
    width = 640
    label_w, number_w = 200, 110
    bar_h, gap, top = 20, 10, 10
    height = top * 2 + max(len(rows), 1) * (bar_h + gap)
    plot_w = width - label_w - number_w
    biggest = max((int(r["talents"]) for r in rows), default=0) or 1
    parts = _chart_opening("bars", width, height, title, description)
    if not rows:
        parts.append(
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" font-size="13" '
            f'fill="{MUTED}">{escape(gettext("暂无数据"))}</text>'
        )
    for index, row in enumerate(rows):
        yy = top + index * (bar_h + gap)
        talents, high = int(row["talents"]), int(row["high"])
        full = plot_w * talents / biggest
        part = plot_w * high / biggest
        text = str(row["label"])
        shown = text if len(text) <= 14 else text[:13] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{yy + bar_h / 2}" text-anchor="end" '
            f'dominant-baseline="middle" font-size="13" fill="{INK}">{escape(shown)}'
            f"<title>{escape(text)}</title></text>"
        )
        parts.append(
            f'<rect x="{label_w}" y="{yy}" width="{_fmt(full)}" height="{bar_h}" '
            f'fill="{LIGHT}" stroke="{ACCENT}" stroke-width="1"/>'
        )
        if part > 0:
            parts.append(
                f'<rect x="{label_w}" y="{yy}" width="{_fmt(part)}" height="{bar_h}" '
                f'fill="{ACCENT}"/>'
            )
        figure = f"{talents} · {row.get('ratio_text') or '–'}"
        parts.append(
            f'<text x="{_fmt(label_w + full + 6)}" y="{yy + bar_h / 2}" '
            f'dominant-baseline="middle" font-size="12" fill="{INK}">{escape(figure)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _swatch(fill: str) -> str:
    return (
        '<svg class="swatch" viewBox="0 0 28 16" width="28" height="16" aria-hidden="true" '
        f'focusable="false"><rect x="0.5" y="0.5" width="27" height="15" fill="{fill}" '
        f'stroke="{ACCENT}" stroke-width="1"/></svg>'
    )


def bar_legend() -> Markup:
    """The key to :func:`bar_chart`: each mark named in words (where it is, what it counts),
    beside a sample of it, so that nothing is said by colour alone."""
    items = [
        (
            _swatch(LIGHT),
            gettext("整条（浅色）：技能人才人数，即持有有效职业技能等级证书的人数"),
        ),
        (
            _swatch(ACCENT),
            gettext(
                "条的左段（深色）：其中高技能人才人数，即%(level)s及以上",
                level=level_name("3"),
            ),
        ),
        (
            '<span class="legend-figure" aria-hidden="true">120 · 35%</span>',
            gettext("条末数字：技能人才人数 · 高技能人才占比"),
        ),
    ]
    parts = [
        '<div class="legend-box">',
        f'<p class="legend-title" id="bars-legend">{escape(gettext("图例"))}</p>',
        '<ul class="legend" aria-labelledby="bars-legend">',
    ]
    for sample, text in items:
        parts.append(f"<li>{sample}<span>{escape(text)}</span></li>")
    parts.append("</ul></div>")
    return Markup("".join(parts))
