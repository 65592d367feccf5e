"""The QR codes printed on liaison stations' and deputies' cards (代表码): each encodes the
absolute address of a public intake page (`SITE_URL` + its path), drawn by segno."""

from __future__ import annotations

import io

import segno
from django.conf import settings


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def svg(url: str, *, scale: int = 6) -> str:
    """The code as an inline SVG element (no XML declaration, no style: the page's
    Content-Security-Policy allows its presentation attributes)."""
    return str(segno.make(url, error="m").svg_inline(scale=scale, border=2, dark="#000", light="#fff"))


def png(url: str, *, scale: int = 12) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
