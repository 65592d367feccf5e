"""Charts for the PDF as inline SVG (WeasyPrint draws SVG; no JavaScript runs there). The
dashboard draws the same data with ECharts in the browser.

The font is named on the <svg> element itself: WeasyPrint does not apply CSS font rules to SVG
text, and without it picks the Japanese variant of the CJK font (see STACK.md).
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT = "Noto Sans CJK SC"
PALETTE = ["#b71c1c", "#1d5fbf", "#1b7f3b", "#8a5a00", "#5b2ea6", "#0d6e6e", "#5f6b7a"]


def bar_chart(rows: list[tuple[str, int, str]], *, width: int = 640, color: str = PALETTE[0]) -> SafeString:
    """Horizontal bars: (label, value, text printed after the bar)."""
    if not rows:
        return mark_safe("")
    bar, gap, top, text_width = 18, 10, 6, 120
    label_width = min(220, 12 * max(len(label) for label, _v, _t in rows) + 16)
    height = top * 2 + len(rows) * (bar + gap)
    largest = max(value for _l, value, _t in rows) or 1
    span = width - label_width - text_width
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="12">'
    ]
    for i, (label, value, text) in enumerate(rows):
        y = top + i * (bar + gap)
        length = max(1.0, span * value / largest) if value else 0
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar - 5}" text-anchor="end" fill="#1f2328">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar}" fill="{color}" rx="2"/>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + bar - 5}" fill="#1f2328">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def stacked_bars(
    rows: list[tuple[str, list[int]]], legend: list[str], *, width: int = 640, colors: list[str] | None = None
) -> SafeString:
    """One 100% bar per row (e.g. 态度, 结果) split into the legend's parts, with a legend."""
    colors = colors or ["#1b7f3b", "#8fc79a", "#b71c1c", "#c9ced6"]
    bar, gap, top, label_width = 22, 14, 30, 90
    height = top + len(rows) * (bar + gap) + 4
    span = width - label_width - 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="12">'
    ]
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
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{length:.1f}" height="{bar}" fill="{colors[i % len(colors)]}"/>'
            )
            if length > 24:
                parts.append(
                    f'<text x="{x + length / 2:.1f}" y="{y + bar - 6}" text-anchor="middle" fill="#fff">{value}</text>'
                )
            x += length
    parts.append("</svg>")
    return mark_safe("".join(parts))
