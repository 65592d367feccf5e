"""Meetings, the suggestion with its state machine, co-signing, attachments, the audit trail
of every step, notifications (in the app, by mail, by text message), and the working-day
calendar's overrides."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from deputies.access import rule_permission
from deputies.appendonly import AppendOnlyModel
from deputies.models import Deputy, ResidentMatter, Term
from deputies.streams import Stream, Words, words_of
from proposals.events import kind_of
from proposals.fsm import condition, transition_label
from proposals.states import EDITABLE_STATES, REPLY_DUE_STATES, REPLYING_STATES, ProposalState, S
from proposals.uploads import unique_path


class Meeting(models.Model):
    """A plenary meeting (会次) of a term, e.g. 十七届人大一次会议 or 政协第十三届三次会议 (the
    term says whose). Items made between meetings belong to the meeting that opened the
    current session year; items are numbered per meeting."""

    term = models.ForeignKey(Term, verbose_name=_("term"), on_delete=models.PROTECT, related_name="meetings")
    number = models.PositiveSmallIntegerField(_("meeting number"))
    name = models.CharField(_("name"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))

    class Meta:
        ordering = ["-year", "-number"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.UniqueConstraint(fields=["term", "number"], name="meeting_unique_in_term"),
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="meeting_window_ordered"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def ids_of_year(cls, year: int | None) -> list[int]:
        """The ids of the year's meetings (none without a year). Items filtered by these ids
        rather than by a join on the year let the planner see how many the year holds (none
        in this year before its meeting, a few hundred in a small year) instead of guessing
        at an average year, and let the index on (meeting, number) give them in number order."""
        return [] if year is None else list(cls.objects.filter(year=year).values_list("pk", flat=True))


class CategoryQuerySet(models.QuerySet["Category"]):
    def for_stream(self, stream: str) -> CategoryQuerySet:
        """The categories an item of `stream` may have: the list form of `Category.serves`."""
        return self.filter(Q(stream="") | Q(stream=stream))


class Category(models.Model):
    """A subject category (类别), e.g. 教科文卫体. Editable data: places use their own lists,
    and each body may have its own (`stream`; blank: both use it)."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    stream = models.CharField(_("stream"), max_length=10, choices=Stream.choices, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    def serves(self, stream: str) -> bool:
        """May an item of `stream` have this category (one of its body's, or one both use)?"""
        return self.stream in ("", stream)


class Source(models.Model):
    """Where the idea came from (来源): 专题调研, 集中视察, 代表小组活动, 座谈走访…
    `is_fieldwork` marks the sources reports count as "from fieldwork" (Chengdu: 86.57%)."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    is_fieldwork = models.BooleanField(_("counts as fieldwork"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.name


class WorkdayOverride(models.Model):
    """A day whose working status differs from what the `chinese-calendar` package says, or a
    year it does not know yet: enter the State Council's holiday schedule here."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("is a working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_workday else '休息'}"


@condition(_("A suggestion needs a title and a body."))
def has_title_and_body(proposal: Proposal) -> bool:
    return bool(proposal.title.strip() and proposal.body.strip())


@condition(_("Not enough co-signers have confirmed yet."))
def has_required_cosigners(proposal: Proposal) -> bool:
    needed = settings.REQUIRED_COSIGNERS
    if needed <= 0:
        return True
    return proposal.cosignatures.filter(status=CoSignature.Status.CONFIRMED).count() >= needed


@condition(_("Choose a category before registering."))
def has_category(proposal: Proposal) -> bool:
    return proposal.category_id is not None


class ProposalQuerySet(models.QuerySet["Proposal"]):
    def overdue(self, today: dt.date | None = None) -> ProposalQuerySet:
        today = today or timezone.localdate()
        return self.filter(state__in=REPLY_DUE_STATES, due_on__lt=today)


class Proposal(ConcurrentTransitionMixin, models.Model):
    """A deputy's suggestion (建议、批评和意见) and where it stands.

    States (`state`, changed only by the transition methods below, each run through
    `proposals.services.apply_transition`, which checks permission and conditions, saves
    inside a transaction with the row locked, and writes a `ProposalEvent`):

    - draft: being written by the lead deputy; co-signers are invited. Only they see it.
    - submitted: sent to congress staff, waiting for review.
    - returned: staff sent it back for revision with a reason; the deputy edits and resubmits.
    - withdrawn: the lead deputy withdrew it before registration. Final.
    - not_accepted: staff decided it is not a suggestion (e.g. a personal petition) and
      referred it to another channel (转其他渠道处理). Final.
    - registered: accepted and numbered (第N号, unique per meeting); may be merged (并案).
    - assigned: handed to units (交办) with a reply deadline; waiting for the answering units to
      sign for it (签收).
    - reassign_requested: a unit asked, within the working-day window, to be replaced;
      staff or the supervision office decide.
    - in_handling: every answering unit has signed; contacts, drafting, approval.
    - replied: every answering unit's reply is issued; waiting for the lead deputy's rating.
    - rehandling: the deputy was not satisfied with a first reply's result; the unit replies
      again within the re-handling period. The second rating stands.
    - closed: rated (or the second rating given). Promises of B-class replies stay on the
      follow-up list after closing.

    The same lifecycle carries both streams (`stream`, see deputies/streams.py): a deputy's
    suggestion set up by the congress's staff, or a CPPCC member's proposal (also joint, or
    collective by a CPPCC body) set up by the proposals committee; its meeting, its lead and
    its co-signers are of the same stream, and it is told in that stream's words (`words`).

    Merged suggestions (并案): `merged_into` points at the main one. Each keeps its number and
    lead deputy; the handling steps done on the main one are mirrored onto each member, which
    receives its own copy of the reply and is rated by its own deputy.
    """

    class Channel(models.TextChoices):
        MEETING = "meeting", _("During the meeting")
        BETWEEN = "between", _("Between meetings")

    # Copied from the lead's stream when created (never changes): lists filter on it cheaply.
    stream = models.CharField(
        _("stream"), max_length=10, choices=Stream.choices, default=Stream.SUGGESTION, db_index=True
    )
    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="proposals")
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    lead_deputy = models.ForeignKey(
        Deputy, verbose_name=_("lead deputy"), on_delete=models.PROTECT, related_name="led_proposals"
    )
    cosigners: models.ManyToManyField[Deputy, CoSignature] = models.ManyToManyField(
        Deputy, verbose_name=_("co-signers"), through="CoSignature", related_name="cosigned_proposals", blank=True
    )
    channel = models.CharField(_("submitted"), max_length=10, choices=Channel.choices, default=Channel.MEETING)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, null=True, blank=True, related_name="proposals"
    )
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True, related_name="proposals"
    )
    state = FSMField(
        _("state"), max_length=20, choices=ProposalState.choices, default=S.DRAFT, protected=True, db_index=True
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_members",
    )
    # The residents' matters (群众意见) the deputy turned into this suggestion: the matter page
    # and the resident's lookup follow it through `matter.suggestions`.
    from_matters = models.ManyToManyField(
        ResidentMatter, verbose_name=_("from residents' matters"), blank=True, related_name="suggestions"
    )
    # Kept by the handling services: the day the next reply is due while one is due. An index
    # column for lists, filters and the daily scan; the assignments hold the full history.
    due_on = models.DateField(_("reply due"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Staff of its stream may keep a registered item off the public progress pages
    # (proposals/public.py), with the reason; the trail records who and when, both ways.
    withheld_at = models.DateTimeField(_("withheld from the public at"), null=True, blank=True)
    withheld_reason = models.CharField(_("why it is withheld from the public"), max_length=300, blank=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-meeting__year", "number", "-created_at"]
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "number"],
                condition=Q(number__isnull=False),
                name="proposal_number_unique_per_meeting",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "due_on"]),
            # The workbench's "recently changed": read backwards, it stops at the tenth row
            # instead of sorting every suggestion.
            models.Index(fields=["updated_at", "id"], name="proposal_recently_changed"),
        ]

    def __str__(self) -> str:
        return f"{self.number_label} {self.title}" if self.number else self.title

    def get_state_display(self) -> str:  # type: ignore[no-redef]  # replaces the one Django adds
        # Django's own builds a dict of every choice on each call, translating every label to
        # hash it: a list of 25 rows paid milliseconds for it. One enum lookup, one label.
        try:
            return str(S(self.state).label)
        except ValueError:  # not one of the states (never saved so)
            return str(self.state)

    @property
    def words(self) -> Words:
        return words_of(self.stream)

    @property
    def number_label(self) -> str:
        return self.words.number(self.number)

    @property
    def is_merged_member(self) -> bool:
        return self.merged_into_id is not None

    @property
    def is_reply_due(self) -> bool:
        """Some unit owes a reply now (its `due_on` is the next deadline)."""
        return self.state in REPLY_DUE_STATES

    # --- transitions ---------------------------------------------------------------------
    # Each decides only whether the move is allowed and sets the fields it derives; the
    # service saves, audits and notifies. `custom["fields"]` lists what it sets, for
    # save(update_fields=...); `custom["label"]` names it on buttons and in the admin.

    @transition(
        field=state,
        source=list(EDITABLE_STATES),
        target=S.SUBMITTED,
        permission=rule_permission("submit_proposal"),
        conditions=[has_title_and_body, has_required_cosigners],
        custom={"label": _("Submit"), "fields": ["submitted_at"]},
    )
    def submit(self) -> None:
        self.submitted_at = timezone.now()

    @transition(
        field=state,
        source=[*EDITABLE_STATES, S.SUBMITTED],
        target=S.WITHDRAWN,
        permission=rule_permission("withdraw_proposal"),
        custom={"label": _("Withdraw"), "fields": []},
    )
    def withdraw(self) -> None:
        pass

    @transition(
        field=state,
        source=S.SUBMITTED,
        target=S.RETURNED,
        permission=rule_permission("review_proposal"),
        custom={"label": _("Return for revision"), "fields": [], "note_required": True},
    )
    def return_for_revision(self) -> None:
        pass

    @transition(
        field=state,
        source=S.SUBMITTED,
        target=S.NOT_ACCEPTED,
        permission=rule_permission("review_proposal"),
        custom={"label": _("Not accepted"), "fields": [], "note_required": True},
    )
    def decline(self) -> None:
        pass

    @transition(
        field=state,
        source=S.SUBMITTED,
        target=S.REGISTERED,
        permission=rule_permission("review_proposal"),
        conditions=[has_category],
        custom={"label": _("Register"), "fields": ["number", "registered_at"]},
    )
    def register(self, *, number: int) -> None:
        self.number = number
        self.registered_at = timezone.now()

    @transition(
        field=state,
        source=S.REGISTERED,
        target=S.ASSIGNED,
        permission=rule_permission("assign_proposal"),
        custom={"label": _("Assign"), "fields": ["due_on"]},
    )
    def assign(self, *, due_on: dt.date) -> None:
        self.due_on = due_on

    @transition(
        field=state,
        source=[S.ASSIGNED, S.IN_HANDLING, S.REASSIGN_REQUESTED],
        target=RETURN_VALUE(S.ASSIGNED, S.IN_HANDLING, S.REASSIGN_REQUESTED),
        permission=rule_permission("act_as_unit"),
        custom={"label": _("Sign for"), "fields": []},
    )
    def sign(self, *, all_answering_signed: bool) -> str:
        """One unit signs for its assignment; handling starts when every answering unit has."""
        if self.state == S.REASSIGN_REQUESTED:
            return S.REASSIGN_REQUESTED
        return S.IN_HANDLING if all_answering_signed else S.ASSIGNED

    @transition(
        field=state,
        source=[S.ASSIGNED, S.IN_HANDLING, S.REASSIGN_REQUESTED],
        target=S.REASSIGN_REQUESTED,
        permission=rule_permission("act_as_unit"),
        custom={"label": _("Ask for re-assignment"), "fields": [], "note_required": True},
    )
    def request_reassignment(self) -> None:
        pass

    @transition(
        field=state,
        source=S.REASSIGN_REQUESTED,
        target=RETURN_VALUE(S.ASSIGNED, S.IN_HANDLING, S.REASSIGN_REQUESTED),
        permission=rule_permission("decide_reassignment"),
        custom={"label": _("Accept re-assignment"), "fields": ["due_on"]},
    )
    def accept_reassignment(self, *, requests_pending: bool, all_answering_signed: bool, due_on: dt.date | None) -> str:
        self.due_on = due_on
        return self._after_reassignment_decision(requests_pending, all_answering_signed)

    @transition(
        field=state,
        source=S.REASSIGN_REQUESTED,
        target=RETURN_VALUE(S.ASSIGNED, S.IN_HANDLING, S.REASSIGN_REQUESTED),
        permission=rule_permission("decide_reassignment"),
        custom={"label": _("Refuse re-assignment"), "fields": [], "note_required": True},
    )
    def refuse_reassignment(self, *, requests_pending: bool, all_answering_signed: bool) -> str:
        return self._after_reassignment_decision(requests_pending, all_answering_signed)

    @staticmethod
    def _after_reassignment_decision(requests_pending: bool, all_answering_signed: bool) -> str:
        if requests_pending:
            return S.REASSIGN_REQUESTED
        return S.IN_HANDLING if all_answering_signed else S.ASSIGNED

    @transition(
        field=state,
        source=list(REPLYING_STATES),
        target=RETURN_VALUE(*REPLYING_STATES, S.REPLIED),
        permission=rule_permission("issue_reply"),
        custom={"label": _("Issue reply"), "fields": ["due_on"]},
    )
    def issue_reply(self, *, all_answering_replied: bool, next_due_on: dt.date | None) -> str:
        """One answering unit's reply goes out; the suggestion is replied when all have."""
        if all_answering_replied:
            self.due_on = None
            return S.REPLIED
        self.due_on = next_due_on
        return self.state

    @transition(
        field=state,
        source=S.REPLIED,
        target=RETURN_VALUE(S.REPLIED, S.REHANDLING, S.CLOSED),
        permission=rule_permission("enter_rating"),
        custom={"label": _("Rate"), "fields": ["due_on", "closed_at"]},
    )
    def rate(self, *, unrated_left: bool, rehandling_due_on: dt.date | None) -> str:
        """A rating of one reply. While replies stay unrated the suggestion waits; a result
        rated 不满意 on a first reply sends it to re-handling; otherwise it closes."""
        if unrated_left:
            return S.REPLIED
        if rehandling_due_on is not None:
            self.due_on = rehandling_due_on
            return S.REHANDLING
        self.closed_at = timezone.now()
        return S.CLOSED


class CoSignature(models.Model):
    """A deputy invited to co-sign (附议) a suggestion, and their answer."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("suggestion"), on_delete=models.CASCADE, related_name="cosignatures"
    )
    deputy = models.ForeignKey(Deputy, verbose_name=_("deputy"), on_delete=models.PROTECT, related_name="cosignatures")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.INVITED)
    invited_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["invited_at", "id"]
        verbose_name = _("co-signature")
        verbose_name_plural = _("co-signatures")
        constraints = [models.UniqueConstraint(fields=["proposal", "deputy"], name="cosignature_once")]

    def __str__(self) -> str:
        return f"{self.deputy} · {self.get_status_display()}"


def attachment_path(instance: StoredFile, filename: str) -> str:
    return unique_path(f"attachments/{timezone.now():%Y/%m}", filename)


class StoredFile(models.Model):
    """An uploaded file as the app keeps it: the file, its name as uploaded, its size, who
    uploaded it and when. Attachments of suggestions and replies and supervision photos are
    these; each names its own folder by overriding `file`."""

    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class ProposalAttachment(StoredFile):
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("suggestion"), on_delete=models.CASCADE, related_name="attachments"
    )

    class Meta(StoredFile.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class ProposalEvent(AppendOnlyModel):
    """The audit trail of one suggestion: every transition and every handling step, who did it
    and when. Append-only. `from_state`/`to_state` are the suggestion's states around the step
    (equal when a step, such as a contact or a reply approval, does not move it)."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("suggestion"), on_delete=models.PROTECT, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=40)
    from_state = models.CharField(_("from"), max_length=20, choices=ProposalState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=ProposalState.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("suggestion event")
        verbose_name_plural = _("suggestion events")
        indexes = [models.Index(fields=["proposal", "created_at"])]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.action} {self.from_state}→{self.to_state}"

    @property
    def label(self) -> str:
        """The step's name for people, as its app declared it (proposals/events.py); a
        transition of the suggestion is named by its own label."""
        declared = kind_of(self.action).label
        if declared is not None and declared != self.action:
            return str(declared)
        method = getattr(Proposal, self.action, None)
        if method is not None and hasattr(method, "_django_fsm"):
            return transition_label(Proposal, self.action)
        return self.action


class Notification(models.Model):
    """An in-app notification; e-mailed too when the recipient has an address."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        RETURNED = "returned", _("Returned for revision")
        NOT_ACCEPTED = "not_accepted", _("Not accepted")
        ASSIGNED = "assigned", _("Assigned")
        REASSIGNMENT = "reassignment", _("Re-assignment")
        CONTACT = "contact", _("Contact recorded")
        REPLY_ISSUED = "reply_issued", _("Reply issued")
        REHANDLING_REPLY_ISSUED = "rehandling_reply", _("Re-handling reply issued")
        RATING_REMINDER = "rating_reminder", _("Rating reminder")
        RATED = "rated", _("Rated")
        COSIGN_INVITATION = "cosign_invitation", _("Co-signing invitation")
        REPLY_REVIEW = "reply_review", _("Reply to review")
        DEADLINE = "deadline", _("Deadline reminder")
        OVERDUE = "overdue", _("Overdue")
        URGING = "urging", _("Urging notice")
        COSIGN_ANSWER = "cosign_answer", _("Co-signing answer")
        DRAFT_QUESTION = "draft_question", _("Question before submission")
        DRAFT_ANSWER = "draft_answer", _("Answer before submission")
        CONTACT_ANSWER = "contact_answer", _("Contact confirmed or disputed")
        REPLY_COMMENT = "reply_comment", _("Comment on a reply")
        OTHER = "other", _("Other")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    proposal = models.ForeignKey(
        Proposal,
        verbose_name=_("suggestion"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    message = models.CharField(_("message"), max_length=500)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.message


class OutboxMessage(models.Model):
    """A message to send for a notification, by e-mail or text message: the outbox.

    Written in the step's own transaction, beside its notification (proposals/notify.py): a
    step that commits has its messages whether Redis is up or not, one rolled back has none.
    The drain (proposals/outbox.py) sends each one and marks it sent in the transaction around
    the sending, so it goes out once; a failure is tried again later, waiting twice as long each
    time, and after OUTBOX_MAX_ATTEMPTS the message is given up (failed), which the admin shows
    and can send again. `address` and `body` are what was sent, to whom, written as it is sent.
    At most one message per notification and channel.
    """

    class Channel(models.TextChoices):
        MAIL = "mail", _("E-mail")
        SMS = "sms", _("Text message")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, given up")
        CANCELLED = "cancelled", _("Not sent: nothing to send it to")

    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        on_delete=models.CASCADE,
        related_name="messages",
        db_index=False,  # the unique constraint below leads with it
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    address = models.CharField(_("sent to"), max_length=254, blank=True)
    body = models.TextField(_("text sent"), blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="outbox_once_per_channel"),
        ]
        # Small indexes over the waiting messages only: the sent ones pile up for years.
        indexes = [
            models.Index(fields=["next_attempt_at", "id"], condition=Q(status="pending"), name="outbox_due"),
            models.Index(fields=["created_at"], condition=Q(status="pending"), name="outbox_pending_since"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.get_status_display()} · {self.notification_id}"


class TokenVectorField(models.TextField):
    """Space-separated ASCII tokens (proposals/textindex.py): a `tsvector` on PostgreSQL (written
    through to_tsvector('simple', …), searched with @@ over a GIN index), plain text elsewhere."""

    def db_type(self, connection: BaseDatabaseWrapper) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"

    def get_placeholder(self, value: object, compiler: object, connection: BaseDatabaseWrapper) -> str:
        return "to_tsvector('simple', %s)" if connection.vendor == "postgresql" else "%s"


class ProposalText(models.Model):
    """The index of one suggestion's text (proposals/textindex.py), kept beside it so that
    similar items and search read one narrow table: `tokens` are the title's and body's tokens
    for similarity (proposals/similarity.py), `norm` the length of their weighted vector when
    indexed; `search` adds the number, the deputy and what later apps index (the units). On
    PostgreSQL a GIN index over `to_tsvector('simple', search)` makes search an index scan."""

    proposal = models.OneToOneField(
        Proposal, verbose_name=_("suggestion"), on_delete=models.CASCADE, primary_key=True, related_name="text_index"
    )
    tokens = models.TextField(_("tokens"), blank=True)
    norm = models.FloatField(_("vector length"), default=0.0)
    search = TokenVectorField(_("search tokens"), blank=True)
    indexed_at = models.DateTimeField(_("indexed at"), default=timezone.now)

    class Meta:
        verbose_name = _("suggestion text index")
        verbose_name_plural = _("suggestion text index")

    def __str__(self) -> str:
        return str(self.proposal_id)


class TermCount(models.Model):
    """In how many suggestions a token appears (the IDF of similarity), counted again by the
    periodic refresh. The row with the empty token holds the number of suggestions."""

    token = models.CharField(_("token"), max_length=40, primary_key=True)
    documents = models.PositiveIntegerField(_("suggestions"))

    class Meta:
        verbose_name = _("term count")
        verbose_name_plural = _("term counts")

    def __str__(self) -> str:
        return f"{self.token} {self.documents}"
