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


def test_a_sentence_about_both_bodies_reads_the_same_in_the_proposals_words():
    """建议提案, 人大、政协: retold word by word it would read 提案提案, 政协、政协."""
    from django.utils import translation

    from deputies.streams import stream_words

    with translation.override("zh-hans"), stream_words("proposal"):
        assert translation.gettext("Progress of suggestions and proposals") == "建议提案办理进度公开"
        assert translation.gettext("Suggestions and proposals") == "建议和提案"
        assert translation.gettext("No suggestions match.") == "没有符合条件的提案。"
