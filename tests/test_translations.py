"""The interface speaks Simplified Chinese: every English msgid has a Chinese translation."""

from __future__ import annotations

from scripts.po import untranslated


def test_every_message_is_translated_into_chinese():
    assert untranslated() == []


def test_a_message_reads_the_same_in_every_catalog():
    """Django merges the catalogs into one, so a msgid translated two ways would show
    whichever catalog wins, not the one of the page: each msgid gets one translation."""
    import polib

    from scripts.po import catalogs, key

    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for path in catalogs():
        for entry in polib.pofile(str(path)):
            if entry.obsolete or not entry.translated():
                continue
            text = entry.msgstr_plural[0] if entry.msgid_plural else entry.msgstr
            first = seen.setdefault(key(entry), (text, path.parent.parent.parent.parent.name))
            if first[0] != text:
                clashes.append(
                    f"{entry.msgid!r}: {first[1]} {first[0]!r} / {path.parent.parent.parent.parent.name} {text!r}"
                )
    assert clashes == []
