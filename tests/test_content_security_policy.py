"""The Content-Security-Policy: every page carries it; it allows only the app's own scripts and
styles, no inline code and no eval; and no template or script of ours needs more (the
browser test tests/browser/test_content_security_policy.py sees the pages themselves)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
OUR_SCRIPTS = sorted([*(ROOT / "static" / "js").glob("*.js"), *(ROOT / "static" / "reports").glob("*.js")])


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/public/replies/", "/no-such-page/"])
def test_every_page_carries_the_policy(path):
    policy = directives(Client().get(path)["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)


def test_the_templates_are_there_to_check():
    assert len(TEMPLATES) > 50 and len(OUR_SCRIPTS) >= 4


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_no_template_writes_script_or_style_into_the_page(template):
    text = template.read_text(encoding="utf-8")
    for tag in re.findall(r"<script\b[^>]*>", text):
        # A script is a file; the only inline one allowed is data (json_script's application/json).
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "<style" not in text
    assert not re.search(r"\sstyle\s*=", text), "a style= attribute: use a class in static/css"
    assert not re.search(r"\son[a-z]+\s*=", text), "an inline event handler: use static/js"
    assert "javascript:" not in text


@pytest.mark.parametrize("script", OUR_SCRIPTS, ids=lambda p: p.name)
def test_no_script_of_ours_evaluates_strings(script):
    text = script.read_text(encoding="utf-8")
    assert not re.search(r"\beval\s*\(|new\s+Function\s*\(|setTimeout\s*\(\s*[\"']", text)
    assert 'setAttribute("style"' not in text and "innerHTML" not in text
