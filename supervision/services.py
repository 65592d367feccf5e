"""Writes for supervision: key items, supervision records, progress reports, urging notices and
their acknowledgement, and the follow-up of promises.

Each service checks the access rule, runs in one transaction, locks what it changes, writes a
`ProposalEvent` on every suggestion concerned (so the suggestion's timeline shows it) and
queues notifications after commit (proposals/workflow.py). A step that cannot be done raises
`ProposalError`, one the person may not take `Refused` (audited); neither changes anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.db.models import CharField, DateField, DateTimeField, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from deputies.access import is_leader
from deputies.models import Role, SpecialCommittee, User
from deputies.streams import stream_words
from handling.models import Assignment, Reply, ResultCategory, Unit
from handling.rules import unit_id_of
from handling.services.common import unit_people
from proposals.models import Notification, Proposal
from proposals.notify import notify, office_staff
from proposals.states import ASSIGNED_STATES, HANDLING_STATES, REPLY_DUE_STATES, ProposalState
from proposals.uploads import validate_upload
from proposals.workflow import ProposalError, locked, record_event, record_events, require
from supervision.models import (
    KeyItem,
    ProgressReport,
    Promise,
    SupervisionPhoto,
    SupervisionRecord,
    UrgingNotice,
)

S = ProposalState

# A suggestion can be made key once registered, and stays so while it is handled.
KEY_STATES = (S.REGISTERED, *HANDLING_STATES)
# Photos of supervision records: images only.
PHOTO_TYPES = {"image/jpeg": {"jpg", "jpeg"}, "image/png": {"png"}}
MAX_PHOTOS = 12


def _stream_of(items: QuerySet[Proposal]) -> str | None:
    """The stream of a key item's or an urging notice's items (one each): a step on several
    speaks that stream's words, as `proposals.workflow.locked` does for one item's."""
    return items.values_list("stream", flat=True).first()


def _lock(proposal_ids: Iterable[int]) -> list[Proposal]:
    """Lock suggestions in id order (so two services never wait on each other's rows)."""
    return list(Proposal.objects.select_for_update().filter(pk__in=sorted(set(proposal_ids))).order_by("pk"))


# --- key items -----------------------------------------------------------------------------------


def default_interval() -> int:
    return settings.KEY_REPORT_INTERVAL_DAYS


def save_key_item(
    *,
    by: User,
    year: int,
    title: str,
    leader: User,
    proposals: Sequence[Proposal],
    committee: SpecialCommittee | None = None,
    note: str = "",
    report_every_days: int | None = None,
    key_item: KeyItem | None = None,
) -> KeyItem:
    """Create a key item (重点督办) or change one: its theme, leader, committee and suggestions.
    Each suggestion added or removed gets an event on its timeline; the leader, the
    committee's members and the units are told."""
    require(by, "mark_key", None, _("Only congress staff can choose key suggestions."))
    title = title.strip()
    if not title:
        raise ProposalError(_("Give the key item a theme."))
    if not is_leader(leader):
        raise ProposalError(_("The leading leader must be an active leader's account."))
    if not proposals:
        raise ProposalError(_("Choose at least one suggestion."))
    if report_every_days is not None and report_every_days < 1:
        raise ProposalError(_("Progress reports are due at least every day."))
    with transaction.atomic(), stream_words(proposals[0].stream):
        if key_item is not None:
            key_item = KeyItem.objects.select_for_update().get(pk=key_item.pk)
            require(by, "mark_key", key_item, _("Only congress staff can choose key suggestions."))
            before = set(key_item.proposals.values_list("pk", flat=True))
            old_leader_id = key_item.leader_id
        else:
            before, old_leader_id = set(), None
        wanted = {p.pk for p in proposals}
        items = {p.pk: p for p in _lock(wanted | before)}
        # Each body chooses its own key items: congress staff key suggestions, the proposals
        # committee key proposals; one key item holds one stream's items.
        if len({items[pk].stream for pk in wanted}) > 1:
            raise ProposalError(_("A key item holds suggestions only or CPPCC proposals only: choose one kind."))
        for pk in sorted(wanted ^ before):
            require(by, "mark_key", items[pk], _("Only congress staff can choose key suggestions."))
        for pk in sorted(wanted - before):
            proposal = items[pk]
            if proposal.state not in KEY_STATES:
                raise ProposalError(
                    _("%(item)s is “%(state)s”: only registered suggestions still being handled can be made key.")
                    % {"item": proposal.number_label or proposal.title, "state": proposal.get_state_display()}
                )
        fields = {"year": year, "title": title, "leader": leader, "committee": committee, "note": note.strip()}
        if report_every_days is not None:
            fields["report_every_days"] = report_every_days
        if key_item is None:
            key_item = KeyItem.objects.create(created_by=by, **fields)
        else:
            for name, value in fields.items():
                setattr(key_item, name, value)
            key_item.save(update_fields=list(fields))
        key_item.proposals.set(sorted(wanted))
        added, removed = sorted(wanted - before), sorted(before - wanted)
        summary = _("%(title)s (%(year)s; led by %(leader)s)") % {
            "title": title,
            "year": year,
            "leader": leader.display_name,
        }
        for pk in added:
            record_event(items[pk], "key_marked", by=by, note=summary, data={"key_item": key_item.pk})
        for pk in removed:
            record_event(items[pk], "key_unmarked", by=by, note=summary, data={"key_item": key_item.pk})
        url = reverse("supervision:key_detail", args=[key_item.pk])
        if leader.pk != old_leader_id:
            notify(
                [leader],
                Notification.Kind.OTHER,
                _("You lead the key suggestions “%(title)s” (%(year)s).") % {"title": title, "year": year},
                url=url,
            )
        if added:
            members = list(User.objects.filter(committee=committee, role=Role.COMMITTEE)) if committee else []
            notify(
                members,
                Notification.Kind.OTHER,
                _("Your committee follows the key suggestions “%(title)s”.") % {"title": title},
                url=url,
            )
            pairs = set(Assignment.objects.filter(proposal_id__in=added, is_active=True).values_list("unit_id", "role"))
            # Only the answering units owe progress reports (the scan reminds only them);
            # a unit that answers one of the suggestions is told once, as an answering unit.
            unit_ids = {unit for unit, role in pairs if role in Assignment.ANSWERING_ROLES}
            co_ids = {unit for unit, _role in pairs} - unit_ids
            notify(
                unit_people(sorted(co_ids)),
                Notification.Kind.OTHER,
                _("A suggestion your unit co-handles is now a key suggestion (“%(title)s”, led by %(leader)s).")
                % {"title": title, "leader": leader.display_name},
                url=url,
            )
            notify(
                unit_people(sorted(unit_ids)),
                Notification.Kind.OTHER,
                _(
                    "A suggestion your unit handles is now a key suggestion (“%(title)s”, led by %(leader)s): "
                    "report progress every %(days)s days."
                )
                % {"title": title, "leader": leader.display_name, "days": key_item.report_every_days},
                url=url,
            )
    return key_item


def add_supervision_record(
    *,
    key_item: KeyItem,
    by: User,
    kind: str,
    held_on: dt.date,
    participants: str,
    notes: str,
    photos: Sequence[File[bytes]] = (),
) -> SupervisionRecord:
    """Record a site inspection, meeting or on-the-spot handling on a key item, with photos.
    It appears on the timeline of each of the item's suggestions."""
    require(by, "record_supervision", key_item, _("You may not add supervision records to this key item."))
    if kind not in SupervisionRecord.Kind.values:
        raise ProposalError(_("Choose the kind of supervision."))
    if held_on > timezone.localdate():
        raise ProposalError(_("A supervision record cannot be dated in the future."))
    if not participants.strip() or not notes.strip():
        raise ProposalError(_("Say who took part and what was done."))
    if len(photos) > MAX_PHOTOS:
        raise ProposalError(_("At most %(n)s photos per record.") % {"n": MAX_PHOTOS})
    for photo in photos:
        try:
            validate_upload(photo, allowed=PHOTO_TYPES)
        except ValidationError as exc:
            raise ProposalError(" ".join(exc.messages)) from exc
    with transaction.atomic(), stream_words(_stream_of(key_item.proposals.all())):
        record = SupervisionRecord.objects.create(
            key_item=key_item,
            kind=kind,
            held_on=held_on,
            participants=participants.strip(),
            notes=notes.strip(),
            recorded_by=by,
        )
        for photo in photos:
            SupervisionPhoto.objects.create(
                record=record, file=photo, name=(photo.name or "")[:200], size=photo.size, uploaded_by=by
            )
        note = _("%(kind)s on %(date)s (%(title)s): %(notes)s\nTook part: %(people)s") % {
            "kind": record.get_kind_display(),
            "date": held_on.isoformat(),
            "title": key_item.title,
            "notes": record.notes,
            "people": record.participants,
        }
        for proposal in _lock(key_item.proposals.values_list("pk", flat=True)):
            record_event(
                proposal,
                "supervision_record",
                by=by,
                note=note,
                data={"key_item": key_item.pk, "record": record.pk, "kind": kind, "photos": len(photos)},
            )
    return record


def key_item_units(key_item: KeyItem, user: User) -> list[Proposal]:
    """The key item's suggestions `user`'s unit handles (actively assigned), in number order."""
    unit_id = unit_id_of(user)
    if unit_id is None:
        return []
    mine = Assignment.objects.filter(proposal=OuterRef("pk"), unit_id=unit_id, is_active=True)
    return list(key_item.proposals.filter(Exists(mine), state__in=ASSIGNED_STATES).order_by("number", "pk"))


def report_key_progress(*, key_item: KeyItem, proposal: Proposal, by: User, body: str) -> ProgressReport:
    """A unit reports progress on one of a key item's suggestions; the leader is told."""
    unit_id = unit_id_of(by)
    with locked(proposal) as current:
        if not key_item.proposals.filter(pk=current.pk).exists():
            raise ProposalError(_("This suggestion is not part of the key item."))
        require(by, "report_progress", current, _("Only the units handling this suggestion can report."))
        assert unit_id is not None  # the rule lets only the people of a unit handling it through
        if current.state not in ASSIGNED_STATES:
            raise ProposalError(_("Progress is reported once the suggestion is assigned."))
        if not body.strip():
            raise ProposalError(_("Write what has been done since the last report."))
        report = ProgressReport.objects.create(
            proposal=current, unit_id=unit_id, key_item=key_item, body=body.strip(), reported_by=by
        )
        unit = Unit.objects.get(pk=unit_id)
        record_event(
            current,
            "progress_report",
            by=by,
            note=body,
            data={"key_item": key_item.pk, "report": report.pk, "unit": unit.name},
        )
        notify(
            [key_item.leader],
            Notification.Kind.OTHER,
            _("%(unit)s reported progress on %(item)s (key suggestions “%(title)s”).")
            % {"unit": unit.name, "item": str(current), "title": key_item.title},
            proposal=current,
        )
    return report


# --- urging ---------------------------------------------------------------------------------------


def urgeable_proposals(unit: Unit) -> QuerySet[Proposal]:
    """What a unit can be urged about: the suggestions actively assigned to it on which it
    still owes something, a reply (from assignment to re-handling) or an open promise."""
    mine = Assignment.objects.filter(proposal=OuterRef("pk"), unit=unit, is_active=True)
    promised = Promise.objects.filter(proposal=OuterRef("pk"), unit=unit, state__in=Promise.OPEN_STATES)
    return Proposal.objects.filter(Exists(mine), Q(state__in=REPLY_DUE_STATES) | Q(Exists(promised))).select_related(
        "meeting"
    )


def send_urging(
    *,
    unit: Unit,
    proposals: Sequence[Proposal],
    by: User,
    message: str,
    respond_by: dt.date | None = None,
) -> UrgingNotice:
    """Send an urging notice (催办) to a unit about one or more of its suggestions."""
    if not proposals:
        raise ProposalError(_("Choose at least one suggestion to urge."))
    if not message.strip():
        raise ProposalError(_("Write the urging message."))
    if respond_by is not None and respond_by < timezone.localdate():
        raise ProposalError(_("The acknowledgement date cannot be in the past."))
    with transaction.atomic(), stream_words(proposals[0].stream):
        items = _lock(p.pk for p in proposals)
        # As a key item, a notice is about one body's items: each body reads its own notices.
        if len({proposal.stream for proposal in items}) > 1:
            raise ProposalError(_("An urging notice is about suggestions only or CPPCC proposals only: send one each."))
        allowed_ids = set(urgeable_proposals(unit).filter(pk__in=[p.pk for p in items]).values_list("pk", flat=True))
        for proposal in items:
            require(by, "urge", proposal, _("Only congress staff or the supervision office can urge units."))
            if proposal.pk not in allowed_ids:
                raise ProposalError(
                    _("%(item)s is not being handled by %(unit)s.")
                    % {"item": proposal.number_label or proposal.title, "unit": unit.name}
                )
        notice = UrgingNotice.objects.create(
            unit=unit, message=message.strip(), respond_by=respond_by, sent_by=by, sent_at=timezone.now()
        )
        notice.proposals.set(items)
        for proposal in items:
            record_event(
                proposal,
                "urging",
                by=by,
                note=_("To %(unit)s: %(message)s") % {"unit": unit.name, "message": notice.message},
                data={"notice": notice.pk, "unit": unit.name},
            )
        names = "、".join(p.number_label or p.title for p in items)
        notify(
            unit_people([unit.pk]),
            Notification.Kind.URGING,
            _("Urging notice from %(sender)s on %(items)s: %(message)s Please acknowledge it.")
            % {"sender": by.display_name, "items": names, "message": notice.message},
            proposal=items[0] if len(items) == 1 else None,
            url=reverse("supervision:urging_detail", args=[notice.pk]),
            text=True,
        )
    return notice


def acknowledge_urging(*, notice: UrgingNotice, by: User, answer: str = "") -> UrgingNotice:
    """The unit acknowledges an urging notice (签收), optionally saying what it will do."""
    with transaction.atomic(), stream_words(_stream_of(notice.proposals.all())):
        notice = UrgingNotice.objects.select_for_update().select_related("unit", "sent_by").get(pk=notice.pk)
        require(by, "acknowledge_urging", notice, _("Only the unit the notice is addressed to can acknowledge it."))
        if notice.acknowledged_at:
            raise ProposalError(_("This urging notice has already been acknowledged."))
        notice.acknowledged_by, notice.acknowledged_at, notice.answer = by, timezone.now(), answer.strip()
        notice.save(update_fields=["acknowledged_by", "acknowledged_at", "answer"])
        note = _("%(unit)s acknowledged the urging notice.") % {"unit": notice.unit.name}
        if notice.answer:
            note = f"{note}\n{notice.answer}"
        for proposal in _lock(notice.proposals.values_list("pk", flat=True)):
            record_event(proposal, "urging_acknowledged", by=by, note=note, data={"notice": notice.pk})
        notify(
            [notice.sent_by],
            Notification.Kind.OTHER,
            _("%(unit)s acknowledged your urging notice of %(date)s.")
            % {"unit": notice.unit.name, "date": timezone.localtime(notice.sent_at).date().isoformat()},
            url=reverse("supervision:urging_detail", args=[notice.pk]),
        )
    return notice


# --- promises (跟踪落实) -------------------------------------------------------------------------------


def sync_promises(today: dt.date | None = None, *, replies: Sequence[int] | None = None) -> dict[str, int]:
    """Bring the follow-up list up to date with the issued replies (or only with `replies`), in
    two statements. Issuing a reply runs it for that reply (`promise_on_issue`); the daily scan
    for every reply, which catches those that were never issued here (imported history).

    - every issued B-class reply that is not a merged group's copy gets a `Promise` (the
      promise is the unit's, followed once even when several merged suggestions received
      copies of the reply): one INSERT … SELECT, the rows never leave the database (a first
      scan over a city's history makes tens of thousands); a concurrent scan's rows are
      skipped by ON CONFLICT DO NOTHING on the one promise per reply;
    - an open promise whose unit has issued a later reply on the same assignment (after
      re-handling) is superseded: the later reply is what stands.
    """
    b_classes = ResultCategory.objects.filter(result_class=ResultCategory.ResultClass.B)
    fallback = today or timezone.localdate()
    issued = Reply.objects.filter(state=Reply.State.ISSUED)
    if replies is not None:
        issued = issued.filter(pk__in=replies)
    missing = (
        issued.filter(result_category__in=b_classes, copied_from__isnull=True, promise__isnull=True)
        .order_by()
        .values_list(
            "pk",
            "assignment__proposal_id",
            "assignment__unit_id",
            "promised_items",
            "promised_by",
            # the reply's local day
            Coalesce(TruncDate("issued_at"), Value(fallback, output_field=DateField())),
            Value(Promise.State.OPEN, output_field=CharField()),
            Value(timezone.now(), output_field=DateTimeField()),
        )
    )
    select, params = missing.query.get_compiler(connection=connection).as_sql()
    table = connection.ops.quote_name(Promise._meta.db_table)
    column = {f.name: f.column for f in Promise._meta.concrete_fields}
    columns = ", ".join(
        connection.ops.quote_name(column[name])
        for name in ("reply", "proposal", "unit", "promised_items", "promised_by", "replied_on", "state", "created_at")
    )
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {select} ON CONFLICT DO NOTHING", params)
        created = cursor.rowcount
    later = Reply.objects.filter(
        assignment=OuterRef("reply__assignment"), state=Reply.State.ISSUED, round__gt=OuterRef("reply__round")
    )
    open_promises = Promise.objects.filter(state__in=Promise.OPEN_STATES)
    if replies is not None:
        open_promises = open_promises.filter(reply__assignment__in=issued.values("assignment"))
    with transaction.atomic():
        # Locked as they are ended, so that each promise ended has its step on the trail.
        ending = list(
            open_promises.filter(Exists(later))
            .select_for_update(of=("self",))
            .values_list("pk", "proposal_id", "proposal__state", "state")
        )
        Promise.objects.filter(pk__in=[pk for pk, *_rest in ending]).update(state=Promise.State.SUPERSEDED)
        steps = (
            (proposal_id, proposal_state, {"promise": pk, "from": state, "to": Promise.State.SUPERSEDED})
            for pk, proposal_id, proposal_state, state in ending
        )
        record_events("promise_superseded", steps)
    return {"created": created, "superseded": len(ending)}


def _move(promise: Promise, to: Promise.State, **fields: Any) -> dict[str, Any]:
    """Move `promise` to the state `to` (setting `fields`); what its step on the trail records."""
    step = {"promise": promise.pk, "from": promise.state, "to": to}
    promise.state = to
    for name, value in fields.items():
        setattr(promise, name, value)
    promise.save(update_fields=["state", *fields])
    return step


def promise_on_issue(reply: Reply) -> None:
    """A reply just issued: its promise joins the follow-up list at once (B class), and the
    promise of an earlier round it replaces is superseded."""
    sync_promises(replies=[reply.pk])


def _locked_promise(promise: Promise) -> Promise:
    return Promise.objects.select_for_update().select_related("unit", "proposal").get(pk=promise.pk)


def report_promise_progress(*, promise: Promise, by: User, body: str, done: bool = False) -> ProgressReport:
    """The unit reports progress on a promise; `done` says it is kept, for staff to confirm."""
    with locked(promise.proposal_id) as proposal:
        promise = _locked_promise(promise)
        require(by, "report_promise", promise, _("Only the unit that made the promise can report on it."))
        if promise.state != Promise.State.OPEN:
            raise ProposalError(
                _("This promise is “%(state)s”: no more reports are taken.") % {"state": promise.get_state_display()}
            )
        if not body.strip():
            raise ProposalError(_("Write what has been done since the last report."))
        report = ProgressReport.objects.create(
            proposal=proposal, unit=promise.unit, promise=promise, body=body.strip(), marks_done=done, reported_by=by
        )
        step = _move(promise, Promise.State.DONE_REPORTED, done_reported_at=timezone.now()) if done else {}
        record_event(
            proposal,
            "promise_done_reported" if done else "progress_report",
            by=by,
            note=body,
            data={"promise": promise.pk, "report": report.pk, "unit": promise.unit.name, **step},
        )
        if done:
            notify(
                office_staff(proposal, Role.SUPERVISION),
                Notification.Kind.OTHER,
                _("%(unit)s reports the promise on %(item)s as kept: please confirm.")
                % {"unit": promise.unit.name, "item": str(proposal)},
                url=reverse("supervision:promise_detail", args=[promise.pk]),
            )
    return report


def confirm_promise(*, promise: Promise, by: User, note: str = "") -> Promise:
    """Congress staff or the supervision office confirm a promise reported as kept."""
    with locked(promise.proposal_id) as proposal:
        promise = _locked_promise(promise)
        require(by, "confirm_promise", promise, _("Only congress staff or the supervision office can confirm."))
        if promise.state != Promise.State.DONE_REPORTED:
            raise ProposalError(_("Only a promise the unit reported as kept can be confirmed."))
        step = _move(promise, Promise.State.KEPT, confirmed_by=by, confirmed_at=timezone.now())
        record_event(proposal, "promise_confirmed", by=by, note=note, data=step)
        notify(
            unit_people([promise.unit_id]),
            Notification.Kind.OTHER,
            _("The promise on %(item)s is confirmed as kept.") % {"item": str(proposal)},
            url=reverse("supervision:promise_detail", args=[promise.pk]),
        )
    return promise


def reopen_promise(*, promise: Promise, by: User, note: str) -> Promise:
    """Staff send a promise reported as kept back to the unit: it is not done yet (reason given)."""
    with locked(promise.proposal_id) as proposal:
        promise = _locked_promise(promise)
        require(by, "confirm_promise", promise, _("Only congress staff or the supervision office can confirm."))
        if promise.state != Promise.State.DONE_REPORTED:
            raise ProposalError(_("Only a promise the unit reported as kept can be sent back."))
        if not note.strip():
            raise ProposalError(_("Say what is still missing."))
        step = _move(promise, Promise.State.OPEN, done_reported_at=None)
        record_event(proposal, "promise_reopened", by=by, note=note, data=step)
        notify(
            unit_people([promise.unit_id]),
            Notification.Kind.OTHER,
            _("The promise on %(item)s is not confirmed as kept: %(note)s") % {"item": str(proposal), "note": note},
            url=reverse("supervision:promise_detail", args=[promise.pk]),
        )
    return promise
