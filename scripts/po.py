"""Helpers for the .po catalogs (used by bin/i18n and by the translation test)."""

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


def untranslated() -> list[str]:
    problems = []
    for path in catalogs():
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            if not entry.translated() or entry.fuzzy:
                problems.append(f"{path.relative_to(ROOT)}: {entry.msgid!r}")
    return problems


def fill(mapping: dict[str, str]) -> int:
    changed = 0
    for path in catalogs():
        po = polib.pofile(str(path))
        for entry in po:
            if (
                entry.msgid in mapping
                and not entry.msgid_plural
                and (entry.msgstr != mapping[entry.msgid] or entry.fuzzy)
            ):
                entry.msgstr = mapping[entry.msgid]
                if entry.fuzzy:
                    entry.flags.remove("fuzzy")
                changed += 1
            if entry.msgid_plural and entry.msgid in mapping:
                entry.msgstr_plural = {0: mapping[entry.msgid]}
        po.save()
    return changed


def known_translations() -> dict[str, str]:
    known: dict[str, str] = {}
    for path in catalogs():
        for entry in polib.pofile(str(path)):
            if entry.translated() and not entry.fuzzy and not entry.obsolete:
                known.setdefault(entry.msgid, entry.msgstr)
    return known


def reuse() -> int:
    """Fill untranslated entries with the translation the same msgid has in another catalog."""
    known = known_translations()
    filled = 0
    for path in catalogs():
        po = polib.pofile(str(path))
        for entry in po:
            if (
                not entry.obsolete
                and not entry.msgid_plural
                and (not entry.translated() or entry.fuzzy)
                and entry.msgid in known
            ):
                entry.msgstr = known[entry.msgid]
                if entry.fuzzy:
                    entry.flags.remove("fuzzy")
                filled += 1
        po.save()
    return filled


def main(argv: list[str]) -> int:
    if argv[:1] == ["reuse"]:
        print(f"{reuse()} entries reused from other catalogs")
        argv = ["check"]
    if argv[:1] == ["fill"]:
        mapping = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
        print(f"{fill(mapping)} entries set")
        argv = ["check"]
    if argv[:1] == ["check"]:
        problems = untranslated()
        for line in problems:
            print("untranslated:", line)
        print(f"{len(problems)} untranslated")
        return 1 if problems else 0
    print("usage: python -m scripts.po fill FILE.json | check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
