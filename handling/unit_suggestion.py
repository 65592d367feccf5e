"""The suggested lead unit (and co-handlers) of a suggestion, learned from this installation's
own assignments: staff see the top three with their reasons on the assignment page and in bulk
assignment, and keep the choice.

What is learned: the unit that finally led each past suggestion (after any re-assignment: the
active lead assignment; imported history counts the same), its co-handlers, and its category.
Three signals, weighed as measured on the labelled set (bench/intelligence.py):

- neighbours: the NEIGHBOURS most similar past suggestions (proposals/textindex.py) vote for
  their lead unit, each with its score squared; they are the reasons shown ("第12号 …");
- the unit's profile: the cosine of the suggestion with the sum of the vectors of everything the
  unit led (UnitProfile, rebuilt by the periodic refresh);
- the category: how often each unit led suggestions of this category.

Co-handlers: the co-handling units of the neighbours that led to the suggested unit, when at
least a third of that weight had them.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from handling.models import Assignment, Unit, UnitProfile
from proposals.models import Proposal, ProposalText
from proposals.similarity import Corpus, Vector, cosine, document_tokens, vector
from proposals.states import ASSIGNED_STATES
from proposals.textindex import SimilarItem, corpus_for, refresh_text_index, similar_items

NEIGHBOURS = 10
POWER = 2
PROFILE_SHARE = 0.3
CATEGORY_WEIGHT = 0.5
CO_HANDLER_SHARE = 1 / 3
PROFILE_TERMS = 300
TOP = 3


@dataclass(frozen=True)
class Past:
    """A past suggestion as the suggestion learns from it."""

    key: int | str
    lead: int | str
    co: tuple[int | str, ...] = ()


@dataclass
class Suggested:
    unit: int | str
    score: float
    reasons: list[int | str] = field(default_factory=list)
    co_units: list[int | str] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def profile_vectors(vectors: Iterable[tuple[int | str, Vector]]) -> dict[int | str, Vector]:
    """Each unit's profile: the normalised sum of the vectors of what it led."""
    sums: dict[int | str, Counter[str]] = defaultdict(Counter)
    for unit, v in vectors:
        sums[unit].update(v)
    out: dict[int | str, Vector] = {}
    for unit, total in sums.items():
        top = dict(total.most_common(PROFILE_TERMS))
        norm = math.sqrt(sum(w * w for w in top.values())) or 1.0
        out[unit] = {t: w / norm for t, w in top.items()}
    return out


def suggest(
    query: Vector,
    neighbours: Sequence[tuple[float, Past]],
    profiles: Mapping[int | str, Vector],
    category_counts: Mapping[int | str, int],
    limit: int = TOP,
) -> list[Suggested]:
    """The `limit` best units for a suggestion with vector `query`, given its most similar past
    suggestions (score, past), the units' profiles and how often each unit led its category.
    Deterministic: by score, then by unit."""
    votes: dict[int | str, float] = defaultdict(float)
    reasons: dict[int | str, list[tuple[float, Past]]] = defaultdict(list)
    for score, past in neighbours[:NEIGHBOURS]:
        votes[past.lead] += score**POWER
        reasons[past.lead].append((score, past))
    total_votes = sum(votes.values()) or 1.0
    combined: dict[int | str, float] = defaultdict(float)
    for unit, v in votes.items():
        combined[unit] += (1 - PROFILE_SHARE) * v / total_votes
    closeness = {unit: cosine(query, profile) ** POWER for unit, profile in profiles.items()}
    total_closeness = sum(closeness.values()) or 1.0
    for unit, c in closeness.items():
        combined[unit] += PROFILE_SHARE * c / total_closeness
    total_category = sum(category_counts.values()) or 1
    for unit, n in category_counts.items():
        combined[unit] += CATEGORY_WEIGHT * n / total_category
    norm = sum(combined.values()) or 1.0
    ranked = sorted(combined.items(), key=lambda kv: (-kv[1], str(kv[0])))[:limit]
    out = []
    for unit, score in ranked:
        led = sorted(reasons.get(unit, []), key=lambda sp: (-sp[0], str(sp[1].key)))
        weight = sum(s**POWER for s, _ in led)
        co_weight: dict[int | str, float] = defaultdict(float)
        for s, past in led:
            for co in past.co:
                if co != unit:
                    co_weight[co] += s**POWER
        co_units = sorted(
            (co for co, w in co_weight.items() if weight and w / weight >= CO_HANDLER_SHARE),
            key=lambda co: (-co_weight[co], str(co)),
        )[:2]
        out.append(Suggested(unit, score / norm, [p.key for _, p in led[:3]], co_units))
    return out


# --- from this installation's assignments ----------------------------------------------------------


def _final_units(proposal_ids: Iterable[int]) -> dict[int, Past]:
    """Each suggestion's final lead unit and co-handlers: its active assignments (a
    re-assignment ended the old one, so the unit that finally led is the label)."""
    leads: dict[int, int] = {}
    cos: dict[int, list[int]] = defaultdict(list)
    rows = Assignment.objects.filter(proposal_id__in=list(proposal_ids), is_active=True).values_list(
        "proposal_id", "unit_id", "role"
    )
    for proposal_id, unit_id, role in rows.order_by("proposal_id", "id"):
        if role == Assignment.Role.LEAD:
            leads[proposal_id] = unit_id
        elif role == Assignment.Role.CO:
            cos[proposal_id].append(unit_id)
    return {pk: Past(pk, unit, tuple(cos.get(pk, ()))) for pk, unit in leads.items()}


def refresh_unit_profiles() -> int:
    """Rebuild every unit's profile from what it finally led. Safe to run again."""
    leads = dict(
        Assignment.objects.filter(
            is_active=True, role=Assignment.Role.LEAD, proposal__state__in=ASSIGNED_STATES
        ).values_list("proposal_id", "unit_id")
    )
    texts = ProposalText.objects.filter(proposal_id__in=list(leads)).values_list("proposal_id", "tokens")
    rows = list(texts.iterator(chunk_size=2000))
    corpus = corpus_for(t for _, tokens in rows for t in set(tokens.split()))
    profiles = profile_vectors((leads[pk], vector(tokens.split(), corpus)) for pk, tokens in rows)
    counts: Counter[int | str] = Counter(leads.values())
    now = timezone.now()
    with transaction.atomic():
        UnitProfile.objects.exclude(unit_id__in=list(profiles)).delete()
        UnitProfile.objects.bulk_create(
            [
                UnitProfile(
                    unit_id=unit, terms={t: round(w, 5) for t, w in v.items()}, items=counts[unit], built_at=now
                )
                for unit, v in profiles.items()
            ],
            update_conflicts=True,
            unique_fields=["unit"],
            update_fields=["terms", "items", "built_at"],
        )
    return len(profiles)


@dataclass
class UnitSuggestion:
    """One suggested unit as the pages show it: the unit, its share (0–1), the past suggestions
    that led there, and the co-handlers they had."""

    unit: Unit
    score: float
    reasons: list[SimilarItem]
    co_units: list[Unit]

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def suggest_units(proposal: Proposal, user: object, limit: int = TOP) -> list[UnitSuggestion]:
    """The top units for `proposal`, with reasons, from the past suggestions staff (`user`) may
    see (`similar_items` asks). A fixed number of queries."""
    base = Proposal.objects.filter(
        state__in=ASSIGNED_STATES, assignments__is_active=True, assignments__role=Assignment.Role.LEAD
    ).exclude(pk=proposal.pk)
    near = similar_items(
        title=proposal.title,
        body=proposal.body,
        user=user,  # type: ignore[arg-type]
        exclude=proposal.pk,
        limit=NEIGHBOURS,
        floor=0.05,
        base=base,
    )
    finals = _final_units(i.proposal.pk for i in near)
    neighbours = [(i.score, finals[i.proposal.pk]) for i in near if i.proposal.pk in finals]
    tokens = document_tokens(proposal.title, proposal.body)
    corpus: Corpus = corpus_for(tokens)
    query = vector(tokens, corpus)
    profiles: dict[int | str, Vector] = {
        unit: terms for unit, terms in UnitProfile.objects.filter(unit__is_active=True).values_list("unit_id", "terms")
    }
    category_counts: dict[int | str, int] = {}
    if proposal.category_id:
        rows = (
            Assignment.objects.filter(
                is_active=True, role=Assignment.Role.LEAD, proposal__category_id=proposal.category_id
            )
            .exclude(proposal=proposal)
            .values("unit_id")
            .annotate(n=Count("pk"))
        )
        category_counts = {row["unit_id"]: row["n"] for row in rows}
    ranked = suggest(query, neighbours, profiles, category_counts, limit=limit)
    wanted = {s.unit for s in ranked} | {co for s in ranked for co in s.co_units}
    units = Unit.objects.in_bulk([u for u in wanted if isinstance(u, int)])
    by_pk: dict[int | str, SimilarItem] = {i.proposal.pk: i for i in near}
    return [
        UnitSuggestion(
            units[s.unit],
            s.score,
            [by_pk[k] for k in s.reasons if k in by_pk],
            [units[c] for c in s.co_units if c in units],
        )
        for s in ranked
        if s.unit in units and units[s.unit].is_active
    ]


def refresh_all() -> dict[str, int]:
    """What the nightly task and `manage.py refresh_intelligence` run: the suggestions' text
    index (missing and stale rows, the term counts, the vectors' lengths), then the units'
    profiles from the final assignments."""
    done = refresh_text_index(full=True)
    done["units"] = refresh_unit_profiles()
    return done
