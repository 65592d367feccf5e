"""The two streams one government office handles on one lifecycle, and their words.

A **suggestion** (建议) comes from a people's congress deputy and is set up by the congress's
staff (代表工委); a **proposal** (提案) comes from a CPPCC member (政协委员), jointly from
several (联名), or from a CPPCC body (党派、团体、专委会: 集体提案), and is set up by the
CPPCC's proposals committee (提案委员会). From assignment on, the same units, services and
screens handle both. Each stream is told in its own words, and this table is the one place
those words are kept:

- code that names the stream's things (a number, a report's title, a column) reads
  `words_of(stream)`; templates read `{{ words }}` (the request's stream, see
  `deputies.context_processors`) or a stored item's `.words`;
- every other sentence of the interface is written once, in the congress's words; the
  proposal stream has its own catalog, made from the Chinese catalogs by `PAIRS` below
  (`bin/i18n update` writes it: `scripts/po.py`), which falls back to the Chinese one.
  `stream_words(stream)` speaks a stream's words for a block of code: the write path does so
  for each step (`proposals.workflow.locked`), so the notices a step sends speak its item's
  words; `{% stream_words item %}` does so for a part of a page; a member's or the proposals
  committee's whole pages speak theirs (`StreamWordsMiddleware`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Stream(models.TextChoices):
    SUGGESTION = "suggestion", _("Deputies' suggestions")
    PROPOSAL = "proposal", _("CPPCC proposals")


@dataclass(frozen=True)
class Words:
    """How one stream names its things."""

    item: Promise  # 建议 / 提案
    person: Promise  # 代表 / 委员
    lead: Promise  # 领衔代表 / 领衔委员
    cosigners: Promise  # 附议代表 / 联名委员
    group: Promise  # 代表团 / 界别
    office: Promise  # 代表工委 / 提案委员会: who sets items up
    body: Promise  # 人大 / 政协
    people: Promise  # 人大代表 / 政协委员
    report_title: Promise  # the annual report's subject
    number_format: str  # 第12号 / 第0012号提案
    # The catalog the stream's sentences are read from (None: the Chinese one as it is).
    language: str | None

    def number(self, number: int | None) -> str:
        return self.number_format.format(number=number) if number else ""


# The stream's own words carry this context: the proposal stream's catalog leaves them be.
WORDS_CONTEXT = "stream words"

WORDS: dict[str, Words] = {
    Stream.SUGGESTION: Words(
        item=pgettext_lazy("stream words", "suggestion"),
        person=pgettext_lazy("stream words", "deputy"),
        lead=pgettext_lazy("stream words", "lead deputy"),
        cosigners=pgettext_lazy("stream words", "co-signing deputies"),
        group=pgettext_lazy("stream words", "delegation"),
        office=pgettext_lazy("stream words", "congress deputies' affairs office"),
        body=pgettext_lazy("stream words", "people's congress"),
        people=pgettext_lazy("stream words", "people's congress deputies"),
        report_title=pgettext_lazy("stream words", "Handling of people's congress deputies' suggestions"),
        number_format="第{number}号",
        language=None,
    ),
    Stream.PROPOSAL: Words(
        item=pgettext_lazy("stream words", "CPPCC proposal"),
        person=pgettext_lazy("stream words", "CPPCC member"),
        lead=pgettext_lazy("stream words", "lead member"),
        cosigners=pgettext_lazy("stream words", "joint members"),
        group=pgettext_lazy("stream words", "sector"),
        office=pgettext_lazy("stream words", "proposals committee"),
        body=pgettext_lazy("stream words", "CPPCC"),
        people=pgettext_lazy("stream words", "CPPCC members"),
        report_title=pgettext_lazy("stream words", "Handling of CPPCC members' proposals"),
        number_format="第{number:04d}号提案",
        language="zh-hans-proposal",
    ),
}

# The combined report's subject, when it covers both streams.
BOTH_TITLE = pgettext_lazy(
    "stream words", "Handling of people's congress deputies' suggestions and CPPCC members' proposals"
)

# How a Chinese sentence in the congress's words reads in the proposal stream's words: applied
# in this order (longer phrases first), to every translated sentence, by `bin/i18n update`.
PAIRS: tuple[tuple[str, str], ...] = (
    ("人大代表建议", "政协委员提案"),
    ("人大代表工作机构", "提案委员会"),
    ("人大常委会代表工作委员会", "政协提案委员会"),
    ("代表工作委员会", "提案委员会"),
    ("代表工作机构", "提案委员会"),
    ("代表工委", "提案委员会"),
    ("人大常委会", "政协"),
    ("人大代表", "政协委员"),
    ("领衔代表", "领衔委员"),
    ("附议代表", "联名委员"),
    ("附议", "联名"),
    ("代表团", "界别"),
    ("代表", "委员"),
    ("建议采取", "提议采取"),  # 建议 as a verb: what you suggest be done
    ("建议", "提案"),
    ("人大", "政协"),
)


def words_of(stream: str) -> Words:
    return WORDS.get(stream, WORDS[Stream.SUGGESTION])


# A number as people type it: 12, 第12号, 第0012号, 第0012号提案.
_NUMBER_TEXT = re.compile(r"第?\s*(\d+)\s*[号號]?\s*(\w*)")


def read_number(text: str) -> tuple[int, str | None] | None:
    """The number `text` names (as `Words.number` writes it, or just the digits) and the stream
    whose item it names (第0012号提案), if it says; None for anything else."""
    match = _NUMBER_TEXT.fullmatch(text.strip())
    if match is None:
        return None
    named = {str(words.item): stream for stream, words in WORDS.items()}
    if match.group(2) and match.group(2) not in named:
        return None
    return int(match.group(1)), named.get(match.group(2))


# How a sentence in the congress's words reads about both streams together (the combined
# report: 建议提案, 代表委员 as the county's report says 代表委员见面率).
BOTH_PAIRS: tuple[tuple[str, str], ...] = (
    ("人大代表建议", "人大代表建议和政协委员提案"),
    ("代表建议", "代表委员建议提案"),
    ("建议", "建议提案"),
    ("代表", "代表委员"),
)

# Text between these marks is data (a title, a name, what someone wrote) and is never retold.
KEEP_OPEN, KEEP_CLOSE = "\ue000", "\ue001"


def _retell(pairs: tuple[tuple[str, str], ...]) -> Callable[[str], str]:
    table = dict(pairs)
    # One pass, longer phrases first: a replacement is never replaced again.
    pattern = re.compile("|".join(re.escape(old) for old in sorted(table, key=len, reverse=True)))

    def retell(text: str) -> str:
        parts = re.split(f"({KEEP_OPEN}.*?{KEEP_CLOSE})", text, flags=re.DOTALL)
        return "".join(
            part[1:-1]
            if part.startswith(KEEP_OPEN)
            else pattern.sub(lambda m: table[m.group(0)], part)
            if table
            else part
            for part in parts
        )

    return retell


in_stream_words = _retell(PAIRS)
in_both_streams_words = _retell(BOTH_PAIRS)


def told_for(stream: str | None) -> Callable[[str], str]:
    """How a text in the congress's words is told for `stream`, or for both (None); text
    marked as data (`KEEP_OPEN`…`KEEP_CLOSE`) is left as it is and its marks taken away."""
    if stream == Stream.SUGGESTION:
        return _retell(())
    return in_stream_words if stream == Stream.PROPOSAL else in_both_streams_words


@contextmanager
def stream_words(stream: str | None) -> Iterator[None]:
    """Speak `stream`'s words inside the block (nothing changes for the suggestion stream)."""
    language = words_of(stream).language if stream else None
    if language is None:
        yield
        return
    with translation.override(language):
        yield


# Roles whose every page is about one stream (a member's, the proposals committee's).
_ROLE_STREAMS: dict[str, str] = {}


def role_speaks(role: str, stream: str) -> None:
    """Say that a role's pages are all in one stream's words."""
    _ROLE_STREAMS[role] = stream


def stream_of_role(role: str) -> str | None:
    return _ROLE_STREAMS.get(role)


# Who a request is from when its session does not say: the API's callers sign in with a token,
# which DRF reads only in the view (deputies.api.tokens registers how to find them).
_request_users: list[Callable[[HttpRequest], Any]] = []


def add_request_user(find: Callable[[HttpRequest], Any]) -> None:
    _request_users.append(find)


class StreamWordsMiddleware:
    """A member's and the proposals committee's pages speak the proposal stream's words."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            user = next((found for find in _request_users if (found := find(request)) is not None), None)
        stream = stream_of_role(getattr(user, "role", "")) if user is not None and user.is_authenticated else None
        with stream_words(stream):
            return self.get_response(request)
