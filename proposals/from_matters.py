"""Residents' matters taken up as a suggestion: the deputy turns one or more matters
(`deputies.matters`) into a draft with their text prefilled, then edits and submits it as any
other. The draft and its matters are linked both ways (`Proposal.from_matters`,
`matter.suggestions`), and this app tells the matter's page and the resident's lookup what
became of the suggestion (registered into `deputies.matters`: `deputies` cannot import us).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from deputies import matters as resident_matters
from deputies.access import allowed, deputy_id_of
from deputies.models import Deputy, ResidentMatter, User
from proposals import public
from proposals.following import current_meeting, default_channel
from proposals.models import Proposal, Source
from proposals.services import create_draft
from proposals.states import EDITABLE_STATES, ProposalState
from proposals.workflow import ProposalError

S = ProposalState
TITLE_LENGTH = 40


def prefilled(texts: Sequence[str]) -> tuple[str, str]:
    """The draft's title and body made from the matters' texts."""
    first = " ".join(texts[0].split())
    title = _("About %(matter)s") % {"matter": first[:TITLE_LENGTH]}
    if len(texts) == 1:
        return title, texts[0]
    body = "\n\n".join(_("Residents' matter %(n)s: %(text)s") % {"n": n, "text": t} for n, t in enumerate(texts, 1))
    return title, body


def matters_source() -> Source | None:
    """The source of the idea (建议来源) for a suggestion taken from residents' matters, where the
    installation keeps one (“联络站收集群众意见”)."""
    return (
        Source.objects.filter(Q(name__contains="联络站") | Q(name__contains="群众意见")).order_by("order", "pk").first()
    )


def draft_from_matters(*, matters: Sequence[ResidentMatter], by: User) -> Proposal:
    """A draft suggestion for the deputy `by`, with the matters' text; the matters become
    “turned into a suggestion”. Every matter must be one the deputy takes up (theirs, or left
    at a station they are stationed at) and still new."""
    if not matters:
        raise ProposalError(_("Choose the matters to take up."))
    for matter in matters:
        if not allowed(by, "suggest_from_matter", matter):
            raise resident_matters.MatterRefused(
                _("Only the matter's deputy can turn it into a suggestion."),
                by=by,
                what=f"suggest_from_matter ResidentMatter {matter.pk}",
            )
    deputy_id = deputy_id_of(by)
    assert deputy_id is not None  # the rule above asked for the matter's deputy
    deputy = Deputy.objects.get(pk=deputy_id)
    meeting = current_meeting(stream=deputy.stream)
    if meeting is None:
        raise ProposalError(_("No congress meeting is set up yet, so suggestions cannot be written."))
    with transaction.atomic():
        ordered = sorted(matters, key=lambda m: m.pk)
        title, body = prefilled([m.text for m in ordered])
        proposal = create_draft(
            lead_deputy=deputy,
            meeting=meeting,
            title=title,
            body=body,
            by=by,
            channel=default_channel(meeting),
            source=matters_source(),
        )
        resident_matters.mark_matters(matters=ordered, transition="mark_suggested", by=by, note=str(proposal.pk))
        proposal.from_matters.add(*ordered)
    return proposal


# --- what the matter's page and the resident's lookup say of it ------------------------------------


def _outcomes(matter: ResidentMatter) -> list[resident_matters.Outcome]:
    if matter.state != ResidentMatter.State.SUGGESTED:
        return []
    found = []
    for proposal in matter.suggestions.select_related("merged_into").order_by("pk"):
        # The lookup is a public page: it says of the suggestion what its public page says
        # (proposals/public.py), and only once the public may read it.
        url = ""
        if public.is_public(proposal):
            heading = " ".join(part for part in (proposal.number_label, proposal.title) if part)
            lines = [heading, public.progress_label(proposal)]
            url = reverse("public_progress:detail", args=[proposal.pk])
        elif proposal.state in EDITABLE_STATES:
            lines = [_("The deputy is writing a suggestion from it.")]
        else:
            lines = [_("The deputy has submitted a suggestion from it.")]
        found.append(
            resident_matters.Outcome(
                _("Taken up in a suggestion"),
                lines,
                link_url=url,
                link_label=_("Follow the suggestion") if url else "",
                when=matter.handled_at,
            )
        )
    return found


def _action(request: HttpRequest, matter: ResidentMatter) -> dict[str, Any] | None:
    if matter.state != ResidentMatter.State.NEW or not allowed(request.user, "suggest_from_matter", matter):
        return None
    return {"url": reverse("proposals:draft_from_matter", args=[matter.pk])}


resident_matters.register_outcome(_outcomes)
resident_matters.register_action(resident_matters.MatterAction("proposals/_matter_suggest.html", _action, order=10))
