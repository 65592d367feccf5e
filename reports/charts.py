"""Charts as inline SVG, drawn on the server: the annual report's PDF (WeasyPrint draws SVG; no
JavaScript runs there) and the dashboard draw the same data with the same functions. On the
dashboard each bar, part or slice is a link to the list behind it, with its tooltip text
(`data-tip`, shown by static/reports/dashboard.js, and a <title> for everything else): no
charting library is shipped to the browser.

The font is named on the <svg> element itself: WeasyPrint does not apply CSS font rules to SVG
text, and without it picks the Japanese variant of the CJK font (see STACK.md). Colours are
presentation attributes, which the Content-Security-Policy allows (it refuses style="…").
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT = "Noto Sans CJK SC"
PALETTE = ["#b71c1c", "#1d5fbf", "#1b7f3b", "#8a5a00", "#5b2ea6", "#0d6e6e", "#5f6b7a"]
SATISFACTION_COLORS = ["#1b7f3b", "#8fc79a", "#b71c1c", "#c9ced6"]
RESULT_COLORS = ["#1b7f3b", "#1d5fbf", "#5b8def", "#8a5a00", "#5f6b7a", "#5b2ea6", "#0d6e6e"]


def _svg(width: int, height: int, fluid: bool) -> str:
    """The opening tag: a fixed size for print, or as wide as its box on a screen (`fluid`)."""
    size = "" if fluid else f'width="{width}" height="{height}" '
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" {size}viewBox="0 0 {width} {height}" '
        f'font-family="{FONT}" font-size="12">'
    )


def _linked(shape: str, link: str | None, tip: str | None) -> str:
    """A shape, as a link to `link` with its tooltip text when given (self-closing shapes only)."""
    if tip is not None:
        shape = shape.removesuffix("/>") + f"><title>{escape(tip)}</title></{shape[1 : shape.index(' ')]}>"
    if link is None:
        return shape
    data = f' data-tip="{escape(tip)}"' if tip is not None else ""
    return f'<a href="{escape(link)}"{data}>{shape}</a>'


def bar_chart(
    rows: list[tuple[str, int, str]],
    *,
    width: int = 640,
    color: str = PALETTE[0],
    links: Sequence[str] | None = None,
    tips: Sequence[str] | None = None,
    fluid: bool = False,
) -> SafeString:
    """Horizontal bars: (label, value, text printed after the bar); each bar links to
    `links[i]` with the tooltip `tips[i]` when given."""
    if not rows:
        return mark_safe("")
    bar, gap, top, text_width = 18, 10, 6, 120
    label_width = min(220, 12 * max(len(label) for label, _v, _t in rows) + 16)
    height = top * 2 + len(rows) * (bar + gap)
    largest = max(value for _l, value, _t in rows) or 1
    span = width - label_width - text_width
    parts = [_svg(width, height, fluid)]
    for i, (label, value, text) in enumerate(rows):
        y = top + i * (bar + gap)
        length = max(1.0, span * value / largest) if value else 0
        rect = f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar}" fill="{color}" rx="2"/>'
        label_text = (
            f'<text x="{label_width - 8}" y="{y + bar - 5}" text-anchor="end" fill="#1f2328">{escape(label)}</text>'
        )
        value_text = f'<text x="{label_width + length + 6:.1f}" y="{y + bar - 5}" fill="#1f2328">{escape(text)}</text>'
        if links:
            # The whole row is the link (a target the size of the row, not only the bar).
            row = f'<rect x="0" y="{y - gap / 2}" width="{width}" height="{bar + gap}" fill="#fff" fill-opacity="0"/>'
            tip = tips[i] if tips else None
            parts.append(_linked(row, links[i], tip).removesuffix("</a>") + label_text + rect + value_text + "</a>")
        else:
            parts.append(label_text + _linked(rect, None, tips[i] if tips else None) + value_text)
    parts.append("</svg>")
    return mark_safe("".join(parts))


def stacked_bars(
    rows: list[tuple[str, list[int]]],
    legend: list[str],
    *,
    width: int = 640,
    colors: list[str] | None = None,
    links: Sequence[Sequence[str]] | None = None,
    fluid: bool = False,
) -> SafeString:
    """One 100% bar per row (e.g. 态度, 结果) split into the legend's parts, with a legend;
    each part links to `links[row][part]` when given (its tooltip: row · part：count)."""
    colors = colors or SATISFACTION_COLORS
    bar, gap, top, label_width = 22, 14, 30, 90
    height = top + len(rows) * (bar + gap) + 4
    span = width - label_width - 10
    parts = [_svg(width, height, fluid)]
    x: float = label_width
    for i, name in enumerate(legend):
        parts.append(
            f'<rect x="{x}" y="4" width="12" height="12" fill="{colors[i % len(colors)]}"/>'
            f'<text x="{x + 16}" y="14" fill="#1f2328">{escape(name)}</text>'
        )
        x += 16 + 14 * len(name) + 18
    for r, (label, values) in enumerate(rows):
        y = top + r * (bar + gap)
        total = sum(values)
        parts.append(f'<text x="{label_width - 8}" y="{y + bar - 6}" text-anchor="end">{escape(label)}</text>')
        if not total:
            parts.append(f'<rect x="{label_width}" y="{y}" width="{span}" height="{bar}" fill="#eef0f3"/>')
            continue
        x = float(label_width)
        for i, value in enumerate(values):
            if not value:
                continue
            length = span * value / total
            rect = f'<rect x="{x:.1f}" y="{y}" width="{length:.1f}" height="{bar}" fill="{colors[i % len(colors)]}"/>'
            tip = f"{label} · {legend[i]}：{value}" if links else None
            parts.append(_linked(rect, links[r][i] if links else None, tip))
            if length > 24:
                parts.append(
                    f'<text x="{x + length / 2:.1f}" y="{y + bar - 6}" text-anchor="middle" fill="#fff">{value}</text>'
                )
            x += length
    parts.append("</svg>")
    return mark_safe("".join(parts))


def donut(
    rows: list[tuple[str, int, str]],
    *,
    links: Sequence[str] | None = None,
    colors: list[str] | None = None,
    width: int = 420,
    fluid: bool = False,
) -> SafeString:
    """A ring of slices, (label, value, tooltip text), with a legend beside it; each slice
    links to `links[i]` when given."""
    colors = colors or RESULT_COLORS
    total = sum(value for _l, value, _t in rows)
    radius, inner, cx, cy = 90, 52, 100, 100
    height = max(2 * cy, 14 + 22 * len(rows))
    parts = [_svg(width, height, fluid)]
    if not total:
        parts.append(
            f'<circle cx="{cx}" cy="{cy}" r="{(radius + inner) / 2}" fill="none" stroke="#eef0f3" '
            f'stroke-width="{radius - inner}"/>'
        )
    start = -math.pi / 2
    for i, (_label, value, tip) in enumerate(rows):
        if not value:
            continue
        color = colors[i % len(colors)]
        if value == total:  # one full ring: an arc cannot close on itself
            shape = (
                f'<circle cx="{cx}" cy="{cy}" r="{(radius + inner) / 2}" fill="none" stroke="{color}" '
                f'stroke-width="{radius - inner}"/>'
            )
        else:
            end = start + 2 * math.pi * value / total
            large = 1 if end - start > math.pi else 0
            points = [
                (cx + radius * math.cos(start), cy + radius * math.sin(start)),
                (cx + radius * math.cos(end), cy + radius * math.sin(end)),
                (cx + inner * math.cos(end), cy + inner * math.sin(end)),
                (cx + inner * math.cos(start), cy + inner * math.sin(start)),
            ]
            (x1, y1), (x2, y2), (x3, y3), (x4, y4) = points
            shape = (
                f'<path d="M{x1:.1f} {y1:.1f}A{radius} {radius} 0 {large} 1 {x2:.1f} {y2:.1f}'
                f'L{x3:.1f} {y3:.1f}A{inner} {inner} 0 {large} 0 {x4:.1f} {y4:.1f}Z" fill="{color}"/>'
            )
            start = end
        parts.append(_linked(shape, links[i] if links else None, tip))
    for i, (label, value, _tip) in enumerate(rows):
        y = 14 + 22 * i
        parts.append(
            f'<rect x="{2 * cx + 16}" y="{y - 10}" width="12" height="12" fill="{colors[i % len(colors)]}"/>'
            f'<text x="{2 * cx + 34}" y="{y}" fill="#1f2328">{escape(label)} {value}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
