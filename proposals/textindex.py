"""The text index of suggestions and what reads it: similar items (beside a draft, on the review
page), the "repeated for N years" mark, the merge hint, and search.

Each suggestion has one `ProposalText` row: its similarity tokens (proposals/similarity.py) with
the length of their weighted vector, and its search tokens. Search tokens are ASCII (a Chinese
character pair as `c` + the two code points in hex, a Latin or digit word as `w` + the word, the
number as `n` + digits), so that PostgreSQL's 'simple' text search parses them the same under any
locale; on PostgreSQL they are a `tsvector` with a GIN index (search is an index scan, ranked by
ts_rank), elsewhere text matched with LIKE (the demo's SQLite).

The row is written when the suggestion is saved with new text (a post_save receiver of this app,
so that every path that writes a suggestion, the admin and imports included, keeps it), again
after commit for any other save (the units' names may have changed), and by the refresh
(`refresh_text_index`, manage.py refresh_intelligence and its periodic task), which also indexes
rows written in bulk, counts the terms again and recomputes every vector's length.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from deputies.models import UserOrAnonymous
from deputies.streams import read_number
from proposals import hooks
from proposals.models import Proposal, ProposalText, TermCount
from proposals.rules import listed_titles, visible_proposals
from proposals.similarity import Corpus, document_tokens, shared_words, tokenize
from proposals.states import ProposalState as S

# A score at or above which two suggestions of one meeting are offered for merging (并案), and
# two of different years count as the same matter raised again. Chosen on the labelled set
# (bench/intelligence.py prints precision and recall there).
DUPLICATE_THRESHOLD = 0.35
REPEAT_THRESHOLD = 0.3
# Below this a suggestion is not shown as similar at all.
SIMILAR_FLOOR = 0.12
# How many of the rarest tokens fetch candidates, and how many candidates are scored.
CANDIDATE_TOKENS = 16
CANDIDATES = 100
# A draft shorter than this (in distinct tokens) asks for nothing yet.
MIN_TOKENS = 6
TEXT_FIELDS = frozenset({"title", "body", "number", "lead_deputy", "lead_deputy_id"})


# --- tokens --------------------------------------------------------------------------------------


def search_token(token: str) -> str:
    if "\u3400" <= token[0] <= "\u9fff":
        return "c" + "".join(f"{ord(ch):05x}" for ch in token)
    return "w" + token


def search_tokens(text: str) -> list[str]:
    return [search_token(token) for token in tokenize(text)]


def _search_text(proposal: Proposal, extra: str) -> str:
    title = search_tokens(proposal.title)
    words = [*title, *title, *search_tokens(proposal.body)]
    if proposal.number:
        words.append(f"n{proposal.number}")
    words += search_tokens(proposal.lead_deputy.name) + search_tokens(extra)
    return f" {' '.join(words)} "


def corpus_for(tokens: Iterable[str]) -> Corpus:
    """The term counts of `tokens` (and the number of suggestions), read from TermCount."""
    wanted = sorted(set(tokens))
    counts: dict[str, int] = {}
    for start in range(0, len(wanted), 900):
        chunk = ["", *wanted[start : start + 900]] if start == 0 else wanted[start : start + 900]
        counts.update(TermCount.objects.filter(token__in=chunk).values_list("token", "documents"))
    documents = counts.pop("", 0)
    return Corpus(counts, documents)


def _norm(tokens: Sequence[str], corpus: Corpus) -> float:
    counts = Counter(tokens)
    return math.sqrt(sum(((1.0 + math.log(n)) * corpus.idf(t)) ** 2 for t, n in counts.items()))


# --- writing the index ---------------------------------------------------------------------------


def index_proposals(ids: Iterable[int]) -> int:
    """Write the index rows of the suggestions `ids` (in batches); returns how many."""
    ids = list(ids)
    done = 0
    for start in range(0, len(ids), 500):
        batch = list(Proposal.objects.filter(pk__in=ids[start : start + 500]).select_related("lead_deputy"))
        extra = hooks.indexed_text([p.pk for p in batch])
        documents = {p.pk: document_tokens(p.title, p.body) for p in batch}
        corpus = corpus_for(t for tokens in documents.values() for t in tokens)
        now = timezone.now()
        rows = [
            ProposalText(
                proposal=p,
                tokens=" ".join(documents[p.pk]),
                norm=_norm(documents[p.pk], corpus),
                search=_search_text(p, extra.get(p.pk, "")),
                indexed_at=now,
            )
            for p in batch
        ]
        ProposalText.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["proposal"],
            update_fields=["tokens", "norm", "search", "indexed_at"],
        )
        done += len(rows)
    return done


@receiver(post_save, sender=Proposal, dispatch_uid="proposals.textindex")
def _keep_index(sender: type[Proposal], instance: Proposal, created: bool, update_fields: Any, **kwargs: Any) -> None:
    if created or update_fields is None or TEXT_FIELDS & set(update_fields):
        index_proposals([instance.pk])
    else:
        pk = instance.pk
        transaction.on_commit(lambda: index_proposals([pk]))


def refresh_text_index(*, full: bool = True) -> dict[str, int]:
    """Index what is missing or older than its suggestion; with `full`, count the terms again
    and recompute every vector's length with them. Safe to run again at any time."""
    stale = Proposal.objects.filter(Q(text_index__isnull=True) | Q(updated_at__gt=F("text_index__indexed_at")))
    indexed = index_proposals(stale.values_list("pk", flat=True).order_by("pk"))
    if not full:
        return {"indexed": indexed}
    frequency: Counter[str] = Counter()
    documents = 0
    for tokens in ProposalText.objects.values_list("tokens", flat=True).iterator(chunk_size=2000):
        frequency.update(set(tokens.split()))
        documents += 1
    with transaction.atomic():
        TermCount.objects.all().delete()
        TermCount.objects.bulk_create(
            [TermCount(token="", documents=documents)]
            + [TermCount(token=t[:40], documents=n) for t, n in frequency.items() if len(t) <= 40],
            batch_size=5000,
            ignore_conflicts=True,
        )
    corpus = Corpus(frequency, documents)
    changed: list[ProposalText] = []
    for row in ProposalText.objects.only("pk", "tokens", "norm").iterator(chunk_size=2000):
        norm = _norm(row.tokens.split(), corpus)
        if abs(norm - row.norm) > 1e-9:
            row.norm = norm
            changed.append(row)
        if len(changed) >= 2000:
            ProposalText.objects.bulk_update(changed, ["norm"])
            changed = []
    if changed:
        ProposalText.objects.bulk_update(changed, ["norm"])
    if _postgres():
        # Fresh statistics, or the planner guesses the matches of a search badly after a big
        # refresh (measured: 130 ms before, 36 ms after, at 100,000). Only the table's owner may:
        # under the app's role PostgreSQL skips it with a warning.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE proposals_proposaltext")
    return {"indexed": indexed, "terms": len(frequency), "documents": documents}


# --- similar items ------------------------------------------------------------------------------


class _Matches(Func):
    """`search @@ to_tsquery('simple', query)`: PostgreSQL's text match (over the GIN index)."""

    arg_joiner = " @@ "
    template = "%(expressions)s"
    output_field = BooleanField()

    def __init__(self, column: str, query: str) -> None:
        super().__init__(F(column), Func(Value("simple"), Value(query), function="to_tsquery"))


class _Rank(Func):
    function = "ts_rank"
    output_field = FloatField()

    def __init__(self, column: str, query: str) -> None:
        super().__init__(F(column), Func(Value("simple"), Value(query), function="to_tsquery"))


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _candidates(tokens: list[str], corpus: Corpus, base: QuerySet[Proposal]) -> list[tuple[int, str, float]]:
    """The suggestions of `base` sharing the rarest of `tokens`: (pk, tokens, norm), at most
    CANDIDATES, those sharing most first."""
    # A token no counted suggestion has finds nothing (or only what came since the last count):
    # the rarest of the counted ones first, then those.
    frequency = corpus.document_frequency
    rarest = sorted(set(tokens), key=lambda t: (frequency.get(t, 0) == 0, frequency.get(t, 0), t))[:CANDIDATE_TOKENS]
    if not rarest:
        return []
    column = "text_index__search"
    if _postgres():
        query = " | ".join(search_token(t) for t in rarest)
        found = base.filter(_Matches(column, query)).annotate(hit=_Rank(column, query)).order_by("-hit", "pk")
    else:
        any_token = Q()
        hits: Any = Value(0)
        for t in rarest:
            contains = Q(**{f"{column}__contains": f" {search_token(t)} "})
            any_token |= contains
            hits = hits + Case(When(contains, then=1), default=0, output_field=IntegerField())
        found = base.filter(any_token).annotate(hit=hits).order_by("-hit", "pk")
    return list(found.values_list("pk", "text_index__tokens", "text_index__norm")[:CANDIDATES])


def _scores(tokens: list[str], corpus: Corpus, candidates: list[tuple[int, str, float]]) -> dict[int, float]:
    counts = Counter(tokens)
    query = {t: (1.0 + math.log(n)) * corpus.idf(t) for t, n in counts.items()}
    query_norm = math.sqrt(sum(w * w for w in query.values())) or 1.0
    scores: dict[int, float] = {}
    for pk, text, norm in candidates:
        theirs = Counter(text.split())
        if not norm:
            norm = _norm(list(theirs.elements()), corpus) or 1.0
        dot = sum(w * (1.0 + math.log(theirs[t])) * corpus.idf(t) for t, w in query.items() if t in theirs)
        scores[pk] = round(dot / (query_norm * norm), 6)
    return scores


@dataclass
class SimilarItem:
    """A suggestion like the one at hand: its score (0–1), the words they share, whether the
    viewer may open it (else only its title is shown), and what later apps say of it (its
    reply, as the viewer may read it)."""

    proposal: Proposal
    score: float
    shared: list[str]
    full: bool
    notes: list[str] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(self.score * 100)

    @property
    def year(self) -> int:
        return self.proposal.meeting.year


def similar_items(
    *,
    title: str,
    body: str,
    user: UserOrAnonymous,
    exclude: int | None = None,
    limit: int = 5,
    floor: float = SIMILAR_FLOOR,
    base: QuerySet[Proposal] | None = None,
) -> list[SimilarItem]:
    """The `limit` suggestions most like `title` and `body` (of `base`, by default all) that
    `user` may know of: those they may see (in full) and, for a deputy, others' listed ones
    (title only). Deterministic: by score, then by id. A fixed number of queries."""
    tokens = document_tokens(title, body)
    if len(set(tokens)) < MIN_TOKENS:
        return []
    known = (visible_proposals(user) | Proposal.objects.filter(listed_titles(user))).exclude(state=S.WITHDRAWN)
    base = known if base is None else base.filter(pk__in=known.values("pk"))
    if exclude is not None:
        base = base.exclude(pk=exclude)
    corpus = corpus_for(tokens)
    scores = _scores(tokens, corpus, _candidates(tokens, corpus, base))
    best = sorted((pk for pk, s in scores.items() if s >= floor), key=lambda pk: (-scores[pk], pk))[:limit]
    if not best:
        return []
    rows = Proposal.objects.filter(pk__in=best).select_related("meeting", "lead_deputy", "category")
    found = {p.pk: p for p in rows}
    full = set(visible_proposals(user).filter(pk__in=best).values_list("pk", flat=True))
    ordered = [found[pk] for pk in best if pk in found]
    notes = hooks.notes_for_similar(ordered, user)
    text = f"{title} {body}"
    items = []
    for p in ordered:
        theirs = f"{p.title} {p.body}" if p.pk in full else p.title
        items.append(
            SimilarItem(p, scores[p.pk], shared_words(text, theirs, corpus), p.pk in full, notes.get(p.pk, []))
        )
    return items


def similar_to(proposal: Proposal, user: UserOrAnonymous, limit: int = 5) -> list[SimilarItem]:
    return similar_items(title=proposal.title, body=proposal.body, user=user, exclude=proposal.pk, limit=limit)


def repeated_years(proposal: Proposal, items: Iterable[SimilarItem]) -> list[int]:
    """The earlier years in which the same matter was raised (score ≥ REPEAT_THRESHOLD)."""
    year = proposal.meeting.year
    return sorted({i.year for i in items if i.score >= REPEAT_THRESHOLD and i.year < year}, reverse=True)


MERGEABLE_STATES = (S.SUBMITTED, S.REGISTERED)


def merge_hint(proposal: Proposal, items: Iterable[SimilarItem]) -> list[SimilarItem]:
    """Near-duplicates in the same meeting, not yet assigned nor merged: offered for 并案."""
    return [
        i
        for i in items
        if i.score >= DUPLICATE_THRESHOLD
        and i.proposal.meeting_id == proposal.meeting_id
        and i.proposal.state in MERGEABLE_STATES
        and i.proposal.merged_into_id is None
    ]


# --- search --------------------------------------------------------------------------------------


def _number_of(word: str) -> int | None:
    number = read_number(word)
    return number[0] if number is not None else None


def search(queryset: QuerySet[Proposal], text: str) -> QuerySet[Proposal]:
    """Keep the suggestions in which every word of `text` is found (title, body, number,
    deputy, units), annotated with `search_rank` (higher: better; the title weighs double)."""
    groups: list[list[str]] = []
    for word in text.split():
        number = _number_of(word)
        if number is not None:
            groups.append([f"n{number}", f"w{number}"])
        else:
            tokens = search_tokens(word)
            if tokens:
                groups.extend([[t] for t in dict.fromkeys(tokens)])
    if not groups:
        return queryset.annotate(search_rank=Value(0.0, output_field=FloatField()))
    column = "text_index__search"
    if _postgres():
        query = " & ".join("(" + " | ".join(g) + ")" if len(g) > 1 else g[0] for g in groups)
        return queryset.filter(_Matches(column, query)).annotate(search_rank=_Rank(column, query))
    condition = Q()
    for group in groups:
        any_of = Q()
        for token in group:
            any_of |= Q(**{f"{column}__contains": f" {token} "})
        condition &= any_of
    in_title: Any = Value(0.0)
    for word in text.split():
        in_title = in_title + Case(When(title__icontains=word, then=1.0), default=0.0, output_field=FloatField())
    return queryset.filter(condition).annotate(search_rank=in_title)


def highlight_terms(text: str) -> list[str]:
    """The words of a search to mark in the results (whole words as typed)."""
    return [w for w in text.split() if w]
