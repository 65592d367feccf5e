"""Writing the checked suggestion rows: the history each row describes, in bulk inserts."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from django.utils import timezone

from deputies.models import User
from handling.models import Assignment, ContactRecord, Rating, Reply
from proposals import deadlines
from proposals.models import CoSignature, Proposal, ProposalEvent, ProposalState
from reports.excel.columns import SuggestionRow
from supervision.models import KeyItem

S = ProposalState
A = Assignment.Role


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


class HistoryWriter:
    """Writes the checked rows with bulk inserts: suggestions, co-signatures, assignments,
    replies, ratings, contacts, key items and one "import" event per suggestion. The states
    are those `_resolve` worked out, consistent with the rows written beside them."""

    def __init__(self, rows: list[SuggestionRow], *, user: User | None, file_name: str, batch_id: int | None) -> None:
        self.rows = rows
        self.user = user
        self.file_name = file_name
        self.batch_id = batch_id

    def write(self, created: Counter[str], *, save: bool = True) -> None:
        user = self.user
        if user is None:
            raise ValueError("an import needs the user it is made by")
        proposals = []
        for r in self.rows:
            submitted = _at(r.submitted_on, 9)
            due_on = None
            if r.state == S.IN_HANDLING:
                due_on = min(f["deadline"] for _u, f in r.units if f["replied_on"] is None)
            elif r.state == S.REHANDLING:
                due_on = min(
                    f["rehandling_deadline"]
                    for _u, f in r.units
                    if f.get("rehandling_deadline") and f["replied_again_on"] is None
                )
            closed_at = None
            if r.state == S.CLOSED:
                closed_at = max(_at(f.get("rated_again_on") or f["rated_on"], 18) for _u, f in r.units)
            proposals.append(
                Proposal(
                    meeting=r.meeting_obj,
                    number=r.number,
                    title=r.title,
                    body=r.body or "",
                    lead_deputy=r.lead_obj,
                    channel=r.channel or Proposal.Channel.MEETING,
                    category=r.category_obj,
                    source=r.source_obj,
                    state=r.state,
                    due_on=due_on,
                    created_by=user,
                    submitted_at=submitted,
                    registered_at=submitted if r.number is not None else None,
                    closed_at=closed_at,
                )
            )
        self._save(Proposal, proposals, save)
        created["suggestions"] += len(proposals)

        cosignatures = [
            CoSignature(proposal=p, deputy=d, status=CoSignature.Status.CONFIRMED, responded_at=p.submitted_at)
            for r, p in zip(self.rows, proposals, strict=True)
            for d in r.cosigner_objs
        ]
        self._save(CoSignature, cosignatures, save)
        created["cosignatures"] += len(cosignatures)

        assignments: list[Assignment] = []
        answering: list[tuple[SuggestionRow, Proposal, Assignment, dict[str, Any]]] = []
        for r, p in zip(self.rows, proposals, strict=True):
            if r.state not in (S.IN_HANDLING, S.REPLIED, S.REHANDLING, S.CLOSED):
                continue
            facts = dict(r.units)
            first_day = min(f["assigned_on"] for f in facts.values())
            for unit in r.answering:
                f = facts[unit]
                a = Assignment(
                    proposal=p,
                    unit=unit,
                    role=A.LEAD if r.lead_unit_obj else A.SEPARATE,
                    is_complex=bool(r.is_complex),
                    assigned_on=f["assigned_on"],
                    deadline=f["deadline"],
                    rehandling_deadline=f.get("rehandling_deadline"),
                    assigned_by=user,
                    signed_at=_at(f["assigned_on"], 9),
                    signed_by=user,
                )
                assignments.append(a)
                answering.append((r, p, a, f))
            for unit in r.co_unit_objs:
                assignments.append(
                    Assignment(
                        proposal=p,
                        unit=unit,
                        role=A.CO,
                        is_complex=bool(r.is_complex),
                        assigned_on=first_day,
                        deadline=deadlines.reply_deadline(first_day, complex_=bool(r.is_complex)),
                        co_opinion_due=deadlines.co_opinion_deadline(first_day),
                        assigned_by=user,
                        signed_at=_at(first_day, 9),
                        signed_by=user,
                    )
                )
        self._save(Assignment, assignments, save)
        created["assignments"] += len(assignments)

        replies: list[Reply] = []
        rated: list[tuple[Reply, Proposal, dict[str, Any], int]] = []
        contacts: list[ContactRecord] = []
        for _r, p, a, f in answering:
            for round_, day, result, text_key in (
                (1, f["replied_on"], f.get("result_obj"), "reply_text"),
                (2, f.get("replied_again_on"), f.get("result_again_obj"), "reply_text"),
            ):
                if day is None:
                    continue
                reply = Reply(
                    assignment=a,
                    round=round_,
                    state=Reply.State.ISSUED,
                    result_category=result,
                    # The text given is the standing reply's: the second one when there is one.
                    body=(f[text_key] or "") if (round_ == 2 or not f.get("replied_again_on")) else "",
                    is_public=True if f["is_public"] is None else f["is_public"],
                    created_by=user,
                    approved_by=user,
                    approved_at=_at(day, 10),
                    issued_by=user,
                    issued_at=_at(day, 10),
                )
                replies.append(reply)
                rated.append((reply, p, f, round_))
            if f["contacted"] or f["face_to_face"]:
                contacts.append(
                    ContactRecord(
                        proposal=p,
                        assignment=a,
                        kind=ContactRecord.Kind.FACE_TO_FACE if f["face_to_face"] else ContactRecord.Kind.PHONE,
                        stage=ContactRecord.Stage.DURING,
                        contact_date=f["assigned_on"],
                        people=f"{p.lead_deputy.name}代表；{a.unit.name}",
                        summary="历史数据导入：办理期间与代表联系。",
                        recorded_by=user,
                    )
                )
        self._save(Reply, replies, save)
        created["replies"] += len(replies)
        self._save(ContactRecord, contacts, save)
        created["contacts"] += len(contacts)

        ratings = []
        for reply, p, f, round_ in rated:
            suffix = "" if round_ == 1 else "_again"
            if f.get(f"rating{suffix}") is None:
                continue
            ratings.append(
                Rating(
                    reply=reply,
                    proposal=p,
                    attitude=f[f"attitude{suffix}"],
                    result=f[f"rating{suffix}"],
                    rated_by=user,
                    rated_at=_at(f[f"rated{suffix}_on"], 18),
                    comment="",
                )
            )
        self._save(Rating, ratings, save)
        created["ratings"] += len(ratings)

        self._key_items(proposals, created, save)

        events = [
            ProposalEvent(
                proposal=p,
                actor=user,
                action="import",
                from_state="",
                to_state=p.state,
                note=f"从 Excel 导入：{self.file_name} 第 {r.excel_row} 行",
                data={"batch": self.batch_id, "row": r.excel_row, "file": self.file_name},
            )
            for r, p in zip(self.rows, proposals, strict=True)
        ]
        self._save(ProposalEvent, events, save)
        created["events"] += len(events)

    @staticmethod
    def _save(model: Any, objects: list[Any], save: bool) -> None:
        if save:
            model.objects.bulk_create(objects, batch_size=1000)

    def _key_items(self, proposals: list[Proposal], created: Counter[str], save: bool) -> None:
        wanted: dict[tuple[int, str], list[tuple[SuggestionRow, Proposal]]] = defaultdict(list)
        for r, p in zip(self.rows, proposals, strict=True):
            if r.is_key and r.number is not None:
                year = r.meeting_obj.year
                wanted[(year, r.key_theme or f"{year}年重点督办建议")].append((r, p))
        links = []
        for (year, title), members in wanted.items():
            item = KeyItem.objects.filter(year=year, title=title).first()
            if item is None:
                leader = next((r.key_leader_obj for r, _p in members if getattr(r, "key_leader_obj", None)), None)
                item = KeyItem(year=year, title=title, leader=leader or self.user, created_by=self.user)
                if save:
                    item.save()
                created["key_items"] += 1
            links += [KeyItem.proposals.through(keyitem_id=item.pk, proposal_id=p.pk) for _r, p in members]
        if save:
            KeyItem.proposals.through.objects.bulk_create(links)
        created["key_suggestions"] += len(links)
