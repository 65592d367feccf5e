"""Helpers for the .po catalogs (used by bin/i18n and by the translation test).

A translation mapping is {"msgid": "译文"}; an entry with a context (pgettext) is keyed
"context\\x04msgid", as gettext itself stores it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def catalogs() -> list[Path]:
    skip = {".venv", ".tools", "var", "node_modules"}
    return sorted(
        p for p in ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po") if not skip & set(p.relative_to(ROOT).parts)
    )


def key(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid


def needs_translation(entry: polib.POEntry) -> bool:
    return not entry.obsolete and (not entry.translated() or entry.fuzzy)


def untranslated() -> list[str]:
    return [
        f"{path.relative_to(ROOT)}: {entry.msgid!r}"
        for path in catalogs()
        for entry in polib.pofile(str(path))
        if needs_translation(entry)
    ]


def _apply(mapping: dict[str, str], *, only_missing: bool) -> int:
    changed = 0
    for path in catalogs():
        po = polib.pofile(str(path))
        for entry in po:
            wanted = mapping.get(key(entry))
            if wanted is None or (only_missing and not needs_translation(entry)):
                continue
            if entry.msgid_plural:
                entry.msgstr_plural = {0: wanted}
            elif entry.msgstr == wanted and not entry.fuzzy:
                continue
            else:
                entry.msgstr = wanted
            if entry.fuzzy:
                entry.flags.remove("fuzzy")
            # Drop msgmerge's "#| msgid" hint of a fuzzy match: the entry is settled now.
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
            changed += 1
        po.save()
    return changed


def fill(mapping: dict[str, str]) -> int:
    """Set the translations in `mapping`, replacing what is there."""
    return _apply(mapping, only_missing=False)


def reuse() -> int:
    """Fill untranslated entries with the translation the same msgid has in another catalog."""
    known: dict[str, str] = {}
    for path in catalogs():
        for entry in polib.pofile(str(path)):
            if not needs_translation(entry) and not entry.obsolete:
                known.setdefault(key(entry), entry.msgstr)
    return _apply(known, only_missing=True)


STREAM_CATALOG = ROOT / "locale" / "zh_Hans-proposal" / "LC_MESSAGES" / "django.po"
# Words only a sentence about the CPPCC's things has (委员 is also in 专门委员会, the congress's).
BOTH_BODIES = ("提案", "政协")


def stream_catalog() -> polib.POFile:
    """The proposal stream's catalog: every Chinese sentence that names the congress's things,
    told in the proposal stream's words (`deputies.streams.PAIRS`); the rest falls back to the
    Chinese catalogs. The stream's own words (`deputies.streams.WORDS`) are left as they are,
    and so is a sentence that names the CPPCC's things already (建议提案, 人大、政协): it speaks
    of both bodies, in any stream's words."""
    from deputies.streams import WORDS_CONTEXT, in_stream_words

    po = polib.POFile(wrapwidth=0)
    # Chinese has one plural form: without saying so, gettext would look for a second one and
    # fall back to the congress's words for every count but one.
    po.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Language": "zh_Hans-proposal",
        "Plural-Forms": "nplurals=1; plural=0;",
    }
    seen: set[str] = set()
    for path in catalogs():
        for entry in polib.pofile(str(path)):
            if entry.obsolete or needs_translation(entry) or key(entry) in seen or entry.msgctxt == WORDS_CONTEXT:
                continue
            if any(word in text for text in [entry.msgstr, *entry.msgstr_plural.values()] for word in BOTH_BODIES):
                continue
            seen.add(key(entry))
            told = polib.POEntry(msgid=entry.msgid, msgctxt=entry.msgctxt, msgid_plural=entry.msgid_plural)
            if entry.msgid_plural:
                told.msgstr_plural = {n: in_stream_words(text) for n, text in entry.msgstr_plural.items()}
                if told.msgstr_plural == entry.msgstr_plural:
                    continue
            else:
                told.msgstr = in_stream_words(entry.msgstr)
                if told.msgstr == entry.msgstr:
                    continue
            po.append(told)
    po.sort(key=key)
    return po


def write_stream_catalog() -> int:
    po = stream_catalog()
    STREAM_CATALOG.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(STREAM_CATALOG))
    return len(po)


def stream_catalog_is_current() -> bool:
    if not STREAM_CATALOG.exists():
        return False
    return str(stream_catalog()) == str(polib.pofile(str(STREAM_CATALOG), wrapwidth=0))


def main(argv: list[str]) -> int:
    if argv[:1] == ["reuse"]:
        print(f"{reuse()} entries reused from other catalogs")
        argv = ["check"]
    if argv[:1] == ["fill"]:
        # fill FILE.json: set these translations; fill --missing FILE.json: only where none yet.
        missing = argv[1:2] == ["--missing"]
        mapping = json.loads(Path(argv[-1]).read_text(encoding="utf-8"))
        print(f"{_apply(mapping, only_missing=missing)} entries set")
        argv = ["check"]
    if argv[:1] == ["check"]:
        problems = untranslated()
        for line in problems:
            print("untranslated:", line)
        print(f"{len(problems)} untranslated")
        if not problems:
            # The proposal stream's catalog follows the Chinese ones: rewritten whenever they are.
            print(f"{write_stream_catalog()} sentences in the proposal stream's words")
        return 1 if problems else 0
    print("usage: python -m scripts.po reuse | fill FILE.json | check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
