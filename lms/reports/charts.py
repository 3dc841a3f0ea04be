"""Charts drawn on the server as inline SVG: no scripts, no external files, readable by screen readers.

Every chart is an ``<svg role="img">`` named by its ``<title>`` and described by its ``<desc>``; pages also print the
numbers as a table next to it. Colours are presentation attributes (allowed by the strict CSP, unlike inline styles),
and series differ by dash pattern as well as colour. Pure functions, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from babel.numbers import format_decimal
from markupsafe import Markup

PALETTE = ("#0b6e4f", "#b35900", "#3c5a99", "#7a3e9d", "#5b6876", "#a61e4d")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2")
WIDTH = 640
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]


@dataclass(frozen=True)
class Progress:
    label: str
    value: float
    target: float


def _attr(text: str) -> str:
    return escape(str(text), {'"': "&quot;"})


def number(value: float, locale: str = "en") -> str:
    """1234.5 -> '1,234.5' (English) or '1.234,5'-style for locales that write it so; whole numbers without decimals."""
    try:
        return format_decimal(round(value, 1), format="#,##0.#", locale=locale)
    except Exception:  # an unknown locale: plain digits rather than an error page
        return f"{value:,.1f}".rstrip("0").rstrip(".")


def nice_max(value: float) -> float:
    """The axis end: the smallest 1, 2, 2.5 or 5 times a power of ten at or above ``value``."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover


def _frame(chart_id: str, title: str, desc: str, height: int, body: list[str]) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{_attr(chart_id)}" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{_attr(chart_id)}-title {_attr(chart_id)}-desc" fill="#1d2733" {FONT}>'
        f'<title id="{_attr(chart_id)}-title">{escape(title)}</title><desc id="{_attr(chart_id)}-desc">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _legend(series: Sequence[Series], y: int) -> list[str]:
    out, x = [], 8
    for i, s in enumerate(series):
        colour, dash = PALETTE[i % len(PALETTE)], DASHES[i % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<line x1="{x}" y1="{y}" x2="{x + 22}" y2="{y}" stroke="{colour}" stroke-width="4"{dash_attr}/>')
        out.append(f'<text x="{x + 28}" y="{y + 4}">{escape(s.name)}</text>')
        x += 40 + 7 * len(s.name)
    return out


def _short(label: str, limit: int = 26) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _empty(chart_id: str, title: str, desc: str, message: str) -> Markup:
    return _frame(chart_id, title, desc, 60, [f'<text x="8" y="34" fill="#5b6876">{escape(message)}</text>'])


def bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    categories: Sequence[str],
    series: Sequence[Series],
    locale: str = "en",
    max_value: float | None = None,
    empty: str = "No data",
    fmt: Callable[[float], str] | None = None,
) -> Markup:
    """Horizontal bars, one group per category and one bar per series, each labelled with its value."""
    fmt = fmt or (lambda v: number(v, locale))
    values = [v for s in series for v in s.values]
    if not categories or not series or (max_value is None and not any(values)):
        return _empty(chart_id, title, desc, empty)
    top = max_value if max_value is not None else nice_max(max(values))
    label_w, right = 190, 60
    plot_w = WIDTH - label_w - right
    bar_h, gap = 14, 10
    group_h = bar_h * len(series) + gap
    legend_h = 28 if len(series) > 1 else 4
    height = legend_h + group_h * len(categories) + 8
    body = _legend(series, 14) if len(series) > 1 else []
    for c, category in enumerate(categories):
        y0 = legend_h + c * group_h
        short = _short(category)
        full = f"<title>{escape(category)}</title>" if short != category else ""  # the whole label, on hover
        body.append(
            f'<text x="{label_w - 8}" y="{y0 + bar_h * len(series) / 2 + 4:.1f}" text-anchor="end">{full}{escape(short)}</text>'
        )
        for i, s in enumerate(series):
            value = s.values[c] if c < len(s.values) else 0
            w = max(0.0, min(value / top, 1.0)) * plot_w if top else 0
            y = y0 + i * bar_h
            # each bar's value is written next to it (and in the table under the chart): no tooltip needed
            body.append(
                f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" fill="{PALETTE[i % len(PALETTE)]}"/>'
                f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 4}">{escape(fmt(value))}</text>'
            )
    body.append(f'<line x1="{label_w}" y1="{legend_h - 2}" x2="{label_w}" y2="{height - 6}" stroke="#9aa5b1"/>')
    return _frame(chart_id, title, desc, height, body)


def line_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[Series],
    locale: str = "en",
    empty: str = "No data",
) -> Markup:
    """Lines over time with a marker per point; at most about ten x labels so they never overlap."""
    values = [v for s in series for v in s.values]
    if not labels or not series or not any(values):
        return _empty(chart_id, title, desc, empty)
    top = 4 * max(nice_max(max(values) / 4), 1)  # four round steps: 0, 5, 10, 15, 20 rather than 6.25 ...
    left, right, legend_h, bottom = 56, 28, 30, 34
    height = 260
    plot_w, plot_h = WIDTH - left - right, height - legend_h - bottom
    n = len(labels)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return legend_h + plot_h - plot_h * v / top

    body = _legend(series, 14)
    for k in range(5):
        tick = top * k / 4
        body.append(f'<line x1="{left}" y1="{y(tick):.1f}" x2="{WIDTH - right}" y2="{y(tick):.1f}" stroke="#d9dee4"/>')
        body.append(
            f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" fill="#5b6876">{escape(number(tick, locale))}</text>'
        )
    every = max(1, math.ceil(n / 10))
    for i, label in enumerate(labels):
        if i % every == 0 or i == n - 1:
            anchor = "end" if i == n - 1 and n > 1 else "start" if i == 0 and n > 1 else "middle"
            body.append(
                f'<text x="{x(i):.1f}" y="{height - 12}" text-anchor="{anchor}" fill="#5b6876">{escape(label)}</text>'
            )
    for s_i, s in enumerate(series):
        colour, dash = PALETTE[s_i % len(PALETTE)], DASHES[s_i % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(s.values))
        body.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"{dash_attr}/>')
        for i, v in enumerate(s.values):
            label = labels[i] if i < n else ""
            body.append(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}">'
                f"<title>{escape(label)}, {escape(s.name)}: {escape(number(v, locale))}</title></circle>"
            )
    return _frame(chart_id, title, desc, height, body)


def progress_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    items: Sequence[Progress],
    locale: str = "en",
    of: Callable[[str, str, str], str] = lambda value, target, share: f"{value} of {target} ({share})",
) -> Markup:
    """One bar per target: the full width is the target, the fill what is achieved (capped at the end)."""
    if not items:
        return _empty(chart_id, title, desc, "—")
    row_h = 44
    height = row_h * len(items) + 6
    body = []
    for r, item in enumerate(items):
        y = r * row_h + 4
        share = item.value / item.target if item.target else 0
        fill_w = max(0.0, min(share, 1.0)) * (WIDTH - 16)
        percent = f"{number(share * 100, locale)} %"
        text = of(number(item.value, locale), number(item.target, locale), percent)
        body.append(f'<text x="8" y="{y + 12}">{escape(item.label)}: {escape(text)}</text>')
        body.append(f'<rect x="8" y="{y + 18}" width="{WIDTH - 16}" height="16" rx="3" fill="#d9dee4"/>')
        body.append(f'<rect x="8" y="{y + 18}" width="{fill_w:.1f}" height="16" rx="3" fill="{PALETTE[0]}"/>')
    return _frame(chart_id, title, desc, height, body)
