"""The interface speaks Simplified Chinese: every English msgid has a Chinese translation."""

from __future__ import annotations

from scripts.po import untranslated


def test_every_message_is_translated_into_chinese():
    assert untranslated() == []
