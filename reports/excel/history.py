"""Writing the checked suggestion rows: the history each row describes, in bulk.

This is the import's bulk path, deliberately not the workflow services: 10,000 rows must take
seconds, and each service step locks the suggestion, runs several queries and writes its own
event. The writer builds every object in memory, then saves each table in one go
(`reports.excel.bulk.insert`, COPY on PostgreSQL) in the import's one transaction; the dry run
builds and counts, saving nothing. Where the services have a rule, it calls it rather than
keeping a copy:

- the deadlines: every assignment is built by `handling.services.build_assignment`, as
  assigning builds it (`proposals.deadlines.reply_deadline` from 交办日期 and 办理期限类型;
  `co_opinion_deadline` for a co-handling unit); a 不满意 first rating's re-handling deadline
  is `proposals.deadlines.rehandling_deadline` of the rating day (worked out by the checks in
  `reports.excel.suggestions`, as `rate_reply` works it out on the day it is given);
- the suggestion's state and `due_on`: the suggestion is moved, in memory, through the very
  transitions the services run (`Proposal.assign`, `sign`, `issue_reply`, `rate`), in the order
  the services allow them, each given the facts `handling.answering` derives for the services
  (the next reply due, a reply waiting for its rating, re-handling due).

For each row it writes:

1. a `Proposal`: received (待审查, or 退回修改, 已撤回, 不予立案 from 状态) when unnumbered;
   registered when numbered without units; else registered, then moved as above. Submitted
   on 提出时间 at 09:00, registered the same moment when numbered, closed at the last
   rating's moment when it ends closed; created by the importer;
2. a confirmed `CoSignature` per 附议代表, answered when the suggestion was submitted (its
   invitation dated by the import);
3. an `Assignment` per answering unit (the lead unit, or each separate unit) assigned on its
   交办日期, and one per co-handling unit assigned on the answering units' earliest 交办日期;
   each assigned by the importer and signed for on its day at 09:00 by the importer; an
   answering unit rated 不满意 on its first reply carries its re-handling deadline;
4. a `Reply` per round the row gives (1; 2 after re-handling), issued: approved and issued on
   its day at 10:00 by the importer, with its result category; the text given goes on the
   standing reply (the second when there is one); public unless 是否公开 says 否;
5. a `Rating` per rated reply: attitude and result, given on 评价日期 (or the reply's day) at
   18:00, entered by the importer;
6. a `ContactRecord` per answering unit marked 已联系代表 or 已面商: by phone or face to
   face, during handling, on the 交办日期, recorded by the importer;
7. for a numbered row whose 是否重点督办 is 是, a link to the key item of the meeting's year
   and 督办主题 (or “某年重点督办建议”) of the import's own body, the key item made when it
   does not exist, led by the 领办领导 its rows name (a leader's account: every key row names
   one);
8. one `ProposalEvent`, action "import", from no state to the state written, by the
   importer, naming the file and the row (its data: batch, row, file).

The invariants the services keep, and this writer keeps too: one active assignment per unit
(a unit named twice in a row is a bad row); one reply per round, the second only after a 不满意
rating of the first; ratings only on issued replies; the suggestion's state and `due_on` those
the transitions give for the assignments, replies and ratings written beside it (`due_on` the
day the next reply is due while it is in handling or re-handling; none while it waits for
ratings or is closed).

Where it differs, on purpose:

- one "import" event per suggestion instead of one per step (assign, sign, issue_reply, rate,
  contact, key_marked): the history is not re-enacted, the rows carry each step's day, and the
  trail says where they came from;
- no notifications, mail or messages: the history is past;
- the importer stands as every actor (assigning, signing, writing, approving and issuing the
  replies, rating, recording contacts), and the moments are the row's days at fixed hours;
- ratings carry no comment (the rating page asks for one with 不满意) and are not marked as
  paper ratings;
- the letters carry no reference number, signer, promises or reason for not adopting: the
  result-class rules of a letter (`handling.services.reply_gaps`) are not applied, and the
  imported B-class replies join the follow-up list at the end of the import
  (`supervision.services.sync_promises`), with no promised items or date;
- no countersigning, co-handling opinions, re-assignment requests or merged groups;
- a key item may hold suggestions already closed, and be led by any non-deputy account;
- between separate units the file may give steps in an order the services would not allow (a
  rating while another unit still owes its reply): the rows are written as given, and only
  the steps the services would have allowed by then move the suggestion; a unit still owing
  its first reply keeps it in handling.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

from django.db.models import Model, Q
from django.utils import timezone

from deputies.models import User
from deputies.streams import Stream, told_for
from handling import answering
from handling.models import Assignment, ContactRecord, Rating, Reply
from handling.services import build_assignment
from proposals.models import CoSignature, Proposal, ProposalEvent, ProposalState
from proposals.states import REPLYING_STATES
from reports.excel.bulk import insert
from reports.excel.columns import SuggestionRow
from supervision.models import KeyItem
from supervision.services import sync_promises

_M = TypeVar("_M", bound=Model)

S = ProposalState
A = Assignment.Role


def _clock() -> Callable[[dt.date, int], dt.datetime]:
    """`hour` o'clock on a day, local time: the zone is looked up once per import, not once
    per moment (tens of thousands of them)."""
    zone = timezone.get_current_timezone()
    return lambda day, hour: _moment(day, hour, zone)


@lru_cache(maxsize=4096)
def _moment(day: dt.date, hour: int, zone: dt.tzinfo) -> dt.datetime:
    # A file names the same days over and over: each moment is made once.
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)), zone)


def _move(p: Proposal, handled: list[tuple[Assignment, dict[str, Any]]]) -> None:
    """Move `p`, registered and not saved, through the transitions its answering units'
    history takes, as the services run them: assigned, signed for by every answering unit,
    each first reply issued, each first rating, each second reply, each second rating. The
    services issue a reply only while a reply is owed (in handling, re-handling) and take a
    rating only once every unit has replied (replied): a later step the file gives before
    that is written but does not move the suggestion, so the state stays where those rules
    leave it. (django-fsm announces each move with its transition signals; nothing in the
    project listens to them, and a receiver added later would hear these moves too.)"""
    units = [(answering.Part(deadline=a.deadline), f) for a, f in handled]
    parts = [part for part, _f in units]
    p.assign(due_on=answering.next_due_on(parts))
    p.sign(all_answering_signed=True)
    for round_, suffix in ((1, ""), (2, "_again")):
        if p.state not in REPLYING_STATES:
            return
        for part, f in units:
            if f.get(f"replied{suffix}_on") is not None:
                part.issued.add(round_)
                due_on = answering.next_due_on(parts)
                p.issue_reply(all_answering_replied=due_on is None, next_due_on=due_on)
        if p.state != S.REPLIED:
            return
        for part, f in units:
            if f.get(f"rating{suffix}") is not None:
                part.rated.add(round_)
                if answering.sends_back(f["rating"], round_):
                    part.rehandling_deadline = f["rehandling_deadline"]
                p.rate(unrated_left=answering.unrated_left(parts), rehandling_due_on=answering.rehandling_due_on(parts))


class HistoryWriter:
    """Builds the checked rows' objects, then saves them table by table (see above)."""

    def __init__(
        self,
        rows: list[SuggestionRow],
        *,
        user: User | None,
        file_name: str,
        batch_id: int | None,
        stream: str = Stream.SUGGESTION,
    ) -> None:
        self.rows = rows
        self.stream = stream
        self.told = told_for(stream)  # what the import writes in words, in the stream's
        self.user = user
        self.file_name = file_name
        self.batch_id = batch_id

    def write(self, created: Counter[str], *, save: bool = True) -> None:
        user = self.user
        if user is None:
            raise ValueError("an import needs the user it is made by")
        at = _clock()
        now = timezone.now()  # the moment of the import, for what is stamped with it
        proposals = []
        assignments: list[Assignment] = []
        answering_units: list[tuple[Proposal, Assignment, dict[str, Any]]] = []
        for r in self.rows:
            assert r.submitted_on is not None  # a required column: rows with errors are never written
            submitted = at(r.submitted_on, 9)
            p = Proposal(
                stream=self.stream,
                meeting=r.meeting_obj,
                number=r.number,
                title=r.title,
                body=r.body or "",
                lead_deputy=r.lead_obj,
                channel=r.channel or Proposal.Channel.MEETING,
                category=r.category_obj,
                source=r.source_obj,
                state=S.REGISTERED if r.units else r.state,
                created_by_id=user.pk,
                submitted_at=submitted,
                registered_at=submitted if r.number is not None else None,
            )
            proposals.append(p)
            if not r.units:
                continue
            # The answering units, then the co-handling units, assigned with the earliest of them.
            handled = []
            for unit, f in r.units:
                a = build_assignment(
                    p,
                    unit,
                    A.LEAD if r.lead_unit_obj else A.SEPARATE,
                    is_complex=bool(r.is_complex),
                    assigned_on=f["assigned_on"],
                    by=user,
                )
                a.rehandling_deadline = f.get("rehandling_deadline")
                a.signed_at, a.signed_by_id = at(f["assigned_on"], 9), user.pk
                handled.append((a, f))
            first_day = min(f["assigned_on"] for _u, f in r.units)
            co = [
                build_assignment(p, unit, A.CO, is_complex=bool(r.is_complex), assigned_on=first_day, by=user)
                for unit in r.co_unit_objs
            ]
            for a in co:
                a.signed_at, a.signed_by_id = at(first_day, 9), user.pk
            assignments += [a for a, _f in handled] + co
            answering_units += [(p, a, f) for a, f in handled]
            _move(p, handled)
            if p.state == S.CLOSED:
                p.closed_at = max(at(f.get("rated_again_on") or f["rated_on"], 18) for _u, f in r.units)
            r.state = p.state
        self._save(Proposal, proposals, save)
        created["proposals" if self.stream == Stream.PROPOSAL else "suggestions"] += len(proposals)

        cosignatures = [
            CoSignature(proposal=p, deputy=d, status=CoSignature.Status.CONFIRMED, responded_at=p.submitted_at)
            for r, p in zip(self.rows, proposals, strict=True)
            for d in r.cosigner_objs
        ]
        self._save(CoSignature, cosignatures, save)
        created["cosignatures"] += len(cosignatures)

        self._save(Assignment, assignments, save)
        created["assignments"] += len(assignments)

        replies: list[Reply] = []
        rated: list[tuple[Reply, Proposal, dict[str, Any], int]] = []
        contacts: list[ContactRecord] = []
        for p, a, f in answering_units:
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
                    created_by_id=user.pk,
                    approved_by_id=user.pk,
                    approved_at=at(day, 10),
                    issued_by_id=user.pk,
                    issued_at=at(day, 10),
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
                        people=f"{p.lead_deputy.name}{p.words.person}；{a.unit.name}",
                        summary=self.told("历史数据导入：办理期间与代表联系。"),
                        recorded_by_id=user.pk,
                        created_at=now,
                    )
                )
        self._save(Reply, replies, save)
        created["replies"] += len(replies)
        if save and replies:
            # Issued here without the issuing service: their promises join the follow-up list
            # now (the whole list is brought up to date: one statement whatever the import).
            sync_promises()
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
                    rated_by_id=user.pk,
                    rated_at=at(f[f"rated{suffix}_on"], 18),
                    comment="",
                )
            )
        self._save(Rating, ratings, save)
        created["ratings"] += len(ratings)

        self._key_items(proposals, created, save)

        events = [
            ProposalEvent(
                proposal=p,
                actor_id=user.pk,
                action="import",
                from_state="",
                to_state=p.state,
                note=f"从 Excel 导入：{self.file_name} 第 {r.excel_row} 行",
                data={"batch": self.batch_id, "row": r.excel_row, "file": self.file_name},
                created_at=now,
            )
            for r, p in zip(self.rows, proposals, strict=True)
        ]
        self._save(ProposalEvent, events, save)
        created["events"] += len(events)

    @staticmethod
    def _save(model: type[_M], objects: list[_M], save: bool) -> None:
        if save:
            insert(model, objects)

    def _key_items(self, proposals: list[Proposal], created: Counter[str], save: bool) -> None:
        wanted: dict[tuple[int, str], list[tuple[SuggestionRow, Proposal]]] = defaultdict(list)
        for r, p in zip(self.rows, proposals, strict=True):
            if r.is_key and r.number is not None:
                assert r.meeting_obj is not None  # a required column: rows with errors are never written
                year = r.meeting_obj.year
                wanted[(year, r.key_theme or self.told(f"{year}年重点督办建议"))].append((r, p))
        links = []
        # A key item holds one body's items: the import joins one of its own stream (or an empty one).
        ours = KeyItem.objects.filter(Q(proposals__stream=self.stream) | Q(proposals__isnull=True)).distinct()
        for (year, title), members in wanted.items():
            item = ours.filter(year=year, title=title).first()
            if item is None:
                leader = next(r.key_leader_obj for r, _p in members if r.key_leader_obj is not None)
                item = KeyItem(year=year, title=title, leader=leader, created_by=self.user)
                if save:
                    item.save()
                created["key_items"] += 1
            links += [KeyItem.proposals.through(keyitem_id=item.pk, proposal_id=p.pk) for _r, p in members]
        if save:
            KeyItem.proposals.through.objects.bulk_create(links)
        created["key_suggestions"] += len(links)
