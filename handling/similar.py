"""What handling adds to the suggestions' text index and to similar items (proposals/hooks.py):
the units' names, to find a suggestion by the unit that handles it; and the reply of a similar
item, as the viewer may read it ("2024年已答复：B类，承诺2025-06办结")."""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _

from deputies.models import UserOrAnonymous
from handling.models import Assignment
from handling.rules import public_replies
from handling.selectors import answering_replies, standing_replies
from proposals import hooks
from proposals.models import Proposal
from proposals.rules import visible_proposals

EXCERPT = 80


def _unit_names(ids: list[int]) -> dict[int, str]:
    names: dict[int, list[str]] = defaultdict(list)
    rows = Assignment.objects.filter(proposal_id__in=ids, is_active=True).values_list(
        "proposal_id", "unit__name", "unit__short_name"
    )
    for pk, name, short in rows:
        names[pk] += [name, short]
    return {pk: " ".join(n for n in found if n) for pk, found in names.items()}


def _reply_notes(proposals: list[Proposal], user: UserOrAnonymous) -> dict[int, list[str]]:
    """The latest issued reply of each answering unit: its class and promise, and the start of
    its text; of a suggestion the viewer may not open, only a reply made public."""
    ids = [p.pk for p in proposals]
    full = set(visible_proposals(user).filter(pk__in=ids).values_list("pk", flat=True))
    replies = (
        answering_replies()
        .filter(assignment__proposal_id__in=ids)
        .select_related("assignment__unit", "assignment__proposal__meeting", "result_category")
        .order_by("assignment__proposal_id", "assignment_id", "round")
    )
    public = set(public_replies(replies).values_list("pk", flat=True)) if len(full) < len(ids) else set()
    out: dict[int, list[str]] = defaultdict(list)
    for reply in standing_replies(replies).values():
        proposal = reply.assignment.proposal
        if not (proposal.pk in full or reply.pk in public):
            continue
        note = _("%(year)s: answered by %(unit)s") % {
            "year": proposal.meeting.year,
            "unit": reply.assignment.unit.short_name or reply.assignment.unit.name,
        }
        if reply.result_category is not None:
            note += _(", class %(cls)s") % {"cls": reply.result_category.result_class}
        if reply.promised_by is not None:
            note += _(", promised by %(month)s") % {"month": reply.promised_by.strftime("%Y-%m")}
        text = (reply.body or reply.done_items or reply.promised_items).strip()
        if text:
            note += "：" + (text[:EXCERPT] + "…" if len(text) > EXCERPT else text)
        out[proposal.pk].append(note)
    return dict(out)


hooks.index_text(_unit_names)
hooks.similar_notes(_reply_notes)
