"""Undertaking units and everything they do with a suggestion: assignments (交办), requests
for re-assignment, contacts with the deputy, reply letters and the deputy's ratings."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from deputies.access import rule_permission
from deputies.models import User
from proposals import deadlines
from proposals.fsm import condition
from proposals.models import Proposal, StoredFile
from proposals.states import ProposalState
from proposals.uploads import unique_path


class Unit(models.Model):
    """An undertaking unit (承办单位): a government department, court, procuratorate..."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government department")
        COURT = "court", _("Court")
        PROCURATORATE = "procuratorate", _("Procuratorate")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.GOVERNMENT)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("undertaking unit")
        verbose_name_plural = _("undertaking units")

    def __str__(self) -> str:
        return self.name


class UnitMember(models.Model):
    """Links a handler's or head's login to their unit. One unit per login."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("login"), on_delete=models.CASCADE, related_name="unit_membership"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="members")

    class Meta:
        verbose_name = _("unit member")
        verbose_name_plural = _("unit members")

    def __str__(self) -> str:
        return f"{self.unit} · {self.user}"


class ResultCategory(models.Model):
    """A result category of replies, as the place names it, mapped to a class (A–D)."""

    class ResultClass(models.TextChoices):
        A = "A", _("A: solved or basically solved")
        B = "B", _("B: in a plan, to be solved step by step")
        C = "C", _("C: cannot be solved for now")
        D = "D", _("D: kept for reference")

    name = models.CharField(_("name"), max_length=50, unique=True)
    result_class = models.CharField(_("class"), max_length=1, choices=ResultClass.choices)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["order", "result_class", "name"]
        verbose_name = _("result category")
        verbose_name_plural = _("result categories")

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """One unit's share of a suggestion. The lead unit (主办) answers with the co-handlers'
    (协办) opinions; separate units (分办) each answer on their own. A re-assignment ends the
    assignment (`is_active` false) and starts a new one for the new unit."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead unit")
        CO = "co", _("Co-handling unit")
        SEPARATE = "separate", _("Separate unit")

    # Lead and separate units answer the deputy; co-handlers answer the lead unit.
    ANSWERING_ROLES = (Role.LEAD, Role.SEPARATE)

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("suggestion"), on_delete=models.PROTECT, related_name="assignments"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    is_complex = models.BooleanField(_("complex (longer deadline)"), default=False)
    assigned_on = models.DateField(_("assigned on"))
    deadline = models.DateField(_("reply deadline"), db_index=True)
    co_opinion_due = models.DateField(_("co-handler opinion due"), null=True, blank=True)
    rehandling_deadline = models.DateField(_("re-handling deadline"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed for by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["proposal", "role", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "unit"], condition=Q(is_active=True), name="assignment_one_active_per_unit"
            ),
        ]
        indexes = [models.Index(fields=["unit", "is_active"])]

    def __str__(self) -> str:
        return f"{self.proposal_id} → {self.unit} ({self.get_role_display()})"

    def get_role_display(self) -> str:  # type: ignore[no-redef]  # replaces the one Django adds
        # One enum lookup rather than Django's dict of every (translated) choice per call.
        try:
            return str(self.Role(self.role).label)
        except ValueError:  # not one of the roles (never saved so)
            return str(self.role)

    @property
    def answers(self) -> bool:
        return self.role in self.ANSWERING_ROLES

    def current_round(self, proposal: Proposal) -> int:
        """The reply round this unit works on now (the one definition): 2 while `proposal` (as
        locked or loaded by the caller) is re-handled and this unit takes part, that is an
        answering unit the deputy sent back (it has a re-handling deadline) or a co-handler
        helping its lead again; otherwise 1."""
        if proposal.state != ProposalState.REHANDLING:
            return 1
        return 2 if self.role == self.Role.CO or self.rehandling_deadline else 1

    @classmethod
    def current_round_expression(cls) -> Case:
        """`current_round` in SQL, on assignments (of the suggestion each belongs to)."""
        takes_part = Q(role=cls.Role.CO) | Q(rehandling_deadline__isnull=False)
        return Case(
            When(Q(proposal__state=ProposalState.REHANDLING) & takes_part, then=Value(2)),
            default=Value(1),
            output_field=models.PositiveSmallIntegerField(),
        )

    @property
    def reassignment_window_end(self) -> dt.date:
        return deadlines.reassignment_window_end(self.assigned_on)

    def reassignment_window_open(self, today: dt.date | None = None) -> bool:
        """A unit may ask to be replaced while the window counted from the assignment is open,
        whether it has signed for it or not: signing acknowledges receipt, and a unit often
        learns only on reading it closely that the matter is another's."""
        today = today or timezone.localdate()
        return self.is_active and today <= self.reassignment_window_end


class ReassignmentRequest(models.Model):
    """A unit's request to be replaced (申请调整承办单位) and the decision on it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.PROTECT, related_name="reassignment_requests"
    )
    reason = models.TextField(_("reason"))
    suggested_unit = models.ForeignKey(
        Unit, verbose_name=_("suggested unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    new_assignment = models.OneToOneField(
        Assignment,
        verbose_name=_("new assignment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces_request",
    )

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("re-assignment request")
        verbose_name_plural = _("re-assignment requests")

    def __str__(self) -> str:
        return f"{self.assignment} · {self.get_status_display()}"


class ContactRecord(models.Model):
    """A contact between the unit and the deputy: before, during or after handling (办前联系、
    办中沟通、办后反馈). Face-to-face consultations (面商) count separately in the reports.
    The deputy may confirm or dispute that it happened."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("Phone")
        VISIT = "visit", _("Visit")
        FACE_TO_FACE = "face_to_face", _("Face-to-face consultation")
        # Not the plenary meeting (会次): a meeting held with the deputy (座谈会).
        MEETING = "meeting", pgettext_lazy("contact kind", "Meeting")
        OTHER = "other", _("Other")

    class Stage(models.TextChoices):
        BEFORE = "before", _("Before handling")
        DURING = "during", _("During handling")
        AFTER = "after", _("After the reply")

    class DeputyResponse(models.TextChoices):
        NONE = "", _("Not answered")
        CONFIRMED = "confirmed", _("Confirmed by the deputy")
        DISPUTED = "disputed", _("Disputed by the deputy")

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("suggestion"), on_delete=models.PROTECT, related_name="contacts"
    )
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.PROTECT, related_name="contacts"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    contact_date = models.DateField(_("date"))
    people = models.CharField(_("people"), max_length=300)
    summary = models.TextField(_("summary"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    deputy_response = models.CharField(
        _("deputy's answer"), max_length=10, choices=DeputyResponse.choices, blank=True, default=""
    )
    deputy_comment = models.CharField(_("deputy's comment"), max_length=500, blank=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["contact_date", "id"]
        verbose_name = _("contact record")
        verbose_name_plural = _("contact records")

    def __str__(self) -> str:
        return f"{self.contact_date} {self.get_kind_display()}"


@condition(_("Choose a result category and write the reply before sending it on."))
def reply_is_complete(reply: Reply) -> bool:
    return bool(reply.result_category_id and reply.body.strip() and reply.signer.strip())


@condition(_("Every co-handling unit must countersign the current draft before it goes to the unit head."))
def countersigns_complete(reply: Reply) -> bool:
    """会签: each active co-handling unit has agreed to this very version of the lead's draft."""
    return not units_yet_to_countersign(reply)


def units_yet_to_countersign(reply: Reply) -> list[Unit]:
    """The co-handling units whose agreement to the reply's current version is missing."""
    if reply.assignment.role != Assignment.Role.LEAD:
        return []
    co = Assignment.objects.filter(
        proposal_id=reply.assignment.proposal_id, role=Assignment.Role.CO, is_active=True
    ).select_related("unit")
    agreed = set(
        Countersignature.objects.filter(reply=reply, version=reply.version, agrees=True).values_list(
            "assignment_id", flat=True
        )
    )
    return [a.unit for a in co if a.pk not in agreed]


class Reply(ConcurrentTransitionMixin, models.Model):
    """A reply letter (答复函) from an answering unit; `round` 2 is the reply after re-handling.

    States: draft (the handler writes; saved as typed) → pending_approval (with the unit
    head) → approved → issued. The head may return it to the handler; when congress staff
    review replies (setting STAFF_REVIEWS_REPLIES), an approved reply waits for them and they
    may return it too. Without staff review, the head's approval issues it. Issuing moves the
    suggestion (`Proposal.issue_reply`).
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_APPROVAL = "pending_approval", _("Awaiting the unit head")
        RETURNED = "returned", _("Returned for changes")
        APPROVED = "approved", _("Approved, awaiting staff review")
        ISSUED = "issued", _("Issued")

    R = State
    # The handler may still change the letter (and co-handlers countersign it).
    EDITABLE_STATES = (State.DRAFT, State.RETURNED)
    # What the handler writes into the letter (and what a merged group's copy takes from it).
    LETTER_FIELDS = (
        "reference_number",
        "signer",
        "contact_person",
        "contact_phone",
        "result_category",
        "body",
        "done_items",
        "promised_items",
        "promised_by",
        "not_adopted_reason",
        "is_public",
    )

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.PROTECT, related_name="replies"
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    state = FSMField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT, protected=True)
    reference_number = models.CharField(_("reference number"), max_length=50, blank=True)
    signer = models.CharField(_("signed by"), max_length=50, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    result_category = models.ForeignKey(
        ResultCategory,
        verbose_name=_("result category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
    )
    body = models.TextField(_("reply text"), blank=True)
    done_items = models.TextField(_("what is already done"), blank=True)
    promised_items = models.TextField(_("what is promised"), blank=True)
    promised_by = models.DateField(_("promised by"), null=True, blank=True)
    not_adopted_reason = models.TextField(_("why not adopted"), blank=True)
    is_public = models.BooleanField(_("may be disclosed"), default=True)
    # Raised on every change to the letter (text or attachments): a countersignature (会签)
    # holds for the version it was given on, so a co-handler never vouches for text it did
    # not see.
    version = models.PositiveIntegerField(_("version"), default=1)
    countersign_requested_version = models.PositiveIntegerField(
        _("countersigning asked for version"), null=True, blank=True
    )
    copied_from = models.ForeignKey(
        "self", verbose_name=_("copy of"), on_delete=models.PROTECT, null=True, blank=True, related_name="copies"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["assignment", "round", "id"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "round"], name="reply_one_per_round"),
        ]
        # The workbenches count the few replies waiting at one step among every issued one.
        indexes = [models.Index(fields=["state"], name="reply_state")]

    def __str__(self) -> str:
        return f"{self.assignment.unit} · {self.reference_number or self.pk}"

    @property
    def proposal(self) -> Proposal:
        return self.assignment.proposal

    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE_STATES

    @property
    def source(self) -> Reply:
        """The reply this one copies (for a merged group's members), or itself."""
        return self.copied_from or self

    @transition(
        field=state,
        source=list(EDITABLE_STATES),
        target=R.PENDING_APPROVAL,
        permission=rule_permission("draft_reply"),
        conditions=[reply_is_complete, countersigns_complete],
        custom={"label": _("Send to the unit head"), "fields": []},
    )
    def submit_for_approval(self) -> None:
        pass

    @transition(
        field=state,
        source=R.PENDING_APPROVAL,
        target=R.RETURNED,
        permission=rule_permission("approve_reply"),
        custom={"label": _("Return to the handler"), "fields": [], "note_required": True},
    )
    def return_to_handler(self) -> None:
        pass

    @transition(
        field=state,
        source=R.PENDING_APPROVAL,
        target=R.APPROVED,
        permission=rule_permission("approve_reply"),
        conditions=[reply_is_complete],
        custom={"label": _("Approve and sign"), "fields": ["approved_by", "approved_at"]},
    )
    def approve(self, *, approver: User) -> None:
        self.approved_by = approver
        self.approved_at = timezone.now()

    @transition(
        field=state,
        source=R.APPROVED,
        target=R.RETURNED,
        permission=rule_permission("review_reply"),
        custom={"label": _("Send back to the unit"), "fields": [], "note_required": True},
    )
    def staff_return(self) -> None:
        pass

    @transition(
        field=state,
        source=R.APPROVED,
        target=R.ISSUED,
        permission=rule_permission("issue_reply", of=lambda reply: reply.assignment.proposal),
        custom={"label": _("Issue to the deputy"), "fields": ["issued_by", "issued_at"]},
    )
    def issue(self, *, issuer: User) -> None:
        self.issued_by = issuer
        self.issued_at = timezone.now()


def reply_attachment_path(instance: ReplyAttachment, filename: str) -> str:
    return unique_path(f"replies/{timezone.now():%Y/%m}", filename)


class ReplyAttachment(StoredFile):
    reply = models.ForeignKey(Reply, verbose_name=_("reply"), on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=reply_attachment_path)

    class Meta(StoredFile.Meta):
        verbose_name = _("reply attachment")
        verbose_name_plural = _("reply attachments")


class CoOpinion(models.Model):
    """A co-handling unit's opinion (协办意见) to the lead unit, due `co_opinion_due` after the
    assignment. One per assignment and round; a revision replaces the text, and the trail
    (ProposalEvent "co_opinion") keeps every version sent."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.PROTECT, related_name="co_opinions"
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    body = models.TextField(_("opinion"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["assignment", "round", "id"]
        verbose_name = _("co-handling opinion")
        verbose_name_plural = _("co-handling opinions")
        constraints = [models.UniqueConstraint(fields=["assignment", "round"], name="co_opinion_one_per_round")]

    def __str__(self) -> str:
        return f"{self.assignment.unit} · {self.submitted_at:%Y-%m-%d}"

    @property
    def is_late(self) -> bool:
        due = self.assignment.co_opinion_due
        return bool(due and self.round == 1 and timezone.localtime(self.submitted_at).date() > due)


class Countersignature(models.Model):
    """A co-handling unit's countersignature (会签) on one version of the lead unit's reply
    draft: it agrees, or objects with its reasons (on the record, so no unit passes the buck
    silently). The draft goes to the lead's head only when every co-handler agrees to its
    current version."""

    reply = models.ForeignKey(
        Reply, verbose_name=_("reply"), on_delete=models.PROTECT, related_name="countersignatures"
    )
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("co-handling assignment"), on_delete=models.PROTECT, related_name="countersignatures"
    )
    version = models.PositiveIntegerField(_("draft version"))
    agrees = models.BooleanField(_("agrees"))
    comment = models.TextField(_("comment"), blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signed by"), on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)

    class Meta:
        ordering = ["signed_at", "id"]
        verbose_name = _("countersignature")
        verbose_name_plural = _("countersignatures")
        indexes = [models.Index(fields=["reply", "version"])]

    def __str__(self) -> str:
        return f"{self.assignment.unit} · v{self.version} · {'+' if self.agrees else '-'}"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


def paper_form_path(instance: Rating, filename: str) -> str:
    return unique_path(f"ratings/{timezone.now():%Y/%m}", filename)


class Rating(models.Model):
    """The lead deputy's rating of one reply: handling attitude and result. Only the lead
    deputy rates from their own login; staff may record a paper rating only with the signed
    feedback form attached (`is_paper`), and it is shown as such.

    A deputy's own rating first waits (`changeable_until` set): for RATING_CHANGE_WORKDAYS
    working days, or until staff act on the suggestion, the deputy may change it; then it takes
    effect (`handling.services.rating._settle`). A paper rating takes effect at once."""

    reply = models.OneToOneField(Reply, verbose_name=_("reply"), on_delete=models.PROTECT, related_name="rating")
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("suggestion"), on_delete=models.PROTECT, related_name="ratings"
    )
    attitude = models.CharField(_("handling attitude"), max_length=12, choices=Satisfaction.choices)
    result = models.CharField(_("handling result"), max_length=12, choices=Satisfaction.choices)
    comment = models.TextField(_("comment"), blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    rated_at = models.DateTimeField(_("rated at"), default=timezone.now)
    is_paper = models.BooleanField(_("paper feedback form"), default=False)
    paper_form = models.FileField(_("signed feedback form"), upload_to=paper_form_path, blank=True)
    # Set while the deputy may still change the rating: the last day of the change window. Empty
    # once the rating has taken effect (at the window's end, on the deputy's confirmation, or at
    # once for a signed paper form); only then does it move the suggestion.
    changeable_until = models.DateField(_("changeable until"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["rated_at", "id"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.CheckConstraint(condition=Q(is_paper=False) | ~Q(paper_form=""), name="paper_rating_has_form"),
        ]

    def __str__(self) -> str:
        return f"{self.get_attitude_display()} / {self.get_result_display()}"

    @property
    def is_pending(self) -> bool:
        return self.changeable_until is not None


class PreSubmissionQuestion(models.Model):
    """A deputy's question to a unit about a draft before submitting it (提出前沟通), and the
    unit's answer, shown on the draft. Optional for the deputy.

    The draft's title and text are copied when the question is sent: the unit reads what it
    was asked about, while the draft itself stays the deputy's own until it is submitted."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("suggestion"), on_delete=models.CASCADE, related_name="unit_questions"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="draft_questions")
    draft_title = models.CharField(_("draft title"), max_length=200, blank=True)
    draft_body = models.TextField(_("draft text"), blank=True)
    question = models.TextField(_("question"))
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("asked by"), on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now, db_index=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["-asked_at", "-id"]
        verbose_name = _("question before submission")
        verbose_name_plural = _("questions before submission")
        indexes = [models.Index(fields=["unit", "answered_at"])]

    def __str__(self) -> str:
        return f"{self.unit} · {self.draft_title}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class ReplyComment(models.Model):
    """What the lead deputy or a co-signer says about an issued reply. Only the lead deputy
    rates; co-signers have their say here, and the unit and staff read it."""

    reply = models.ForeignKey(Reply, verbose_name=_("reply"), on_delete=models.PROTECT, related_name="comments")
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("suggestion"), on_delete=models.PROTECT, related_name="reply_comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment on a reply")
        verbose_name_plural = _("comments on replies")

    def __str__(self) -> str:
        return f"{self.author} · {self.body[:30]}"


class DeadlineExtension(models.Model):
    """A unit's request to move its reply deadline (申请延期), asked before the deadline with a
    reason and a new date, and the assigning office's decision. Approval moves the deadline the
    unit owes (the first reply's, or the re-handling reply's: `round`) to the new date; the
    original stays here, so the figures can list extended replies apart while counting
    on-time against the approved deadline. At most EXTENSION_MAX_COUNT are approved per
    assignment, each at most EXTENSION_MAX_MONTHS after the deadline it moves."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.PROTECT, related_name="extensions"
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    original_deadline = models.DateField(_("deadline before the extension"))
    requested_deadline = models.DateField(_("new deadline asked for"))
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"], condition=Q(status="pending"), name="extension_one_pending_per_assignment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment} · {self.requested_deadline} · {self.get_status_display()}"


class HandlingPlan(models.Model):
    """An answering unit's handling plan (办理方案), recorded at sign-for or later: who handles
    it, the responsible leader (分管领导), how, and the planned steps with their dates. The
    deputy follows it as a plan with progress; an overdue step is reminded by the daily scan."""

    assignment = models.OneToOneField(
        Assignment, verbose_name=_("assignment"), on_delete=models.PROTECT, related_name="plan"
    )
    handler_name = models.CharField(_("handler"), max_length=50)
    handler_phone = models.CharField(_("handler's phone"), max_length=30, blank=True)
    leader_name = models.CharField(_("responsible leader"), max_length=50)
    approach = models.TextField(_("how it will be handled"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("handling plan")
        verbose_name_plural = _("handling plans")

    def __str__(self) -> str:
        return f"{self.assignment.unit} · {self.handler_name}"


class PlanStep(models.Model):
    """One planned step of a handling plan, with the date it is planned for and, once done,
    the day it was done."""

    plan = models.ForeignKey(
        HandlingPlan, verbose_name=_("handling plan"), on_delete=models.CASCADE, related_name="steps"
    )
    title = models.CharField(_("step"), max_length=200)
    planned_on = models.DateField(_("planned for"), db_index=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked done by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["planned_on", "id"]
        verbose_name = _("planned step")
        verbose_name_plural = _("planned steps")

    def __str__(self) -> str:
        return f"{self.planned_on} {self.title}"

    @property
    def is_done(self) -> bool:
        return self.done_on is not None

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.done_on is None and self.planned_on < (today or timezone.localdate())


class UnitProfile(models.Model):
    """What this installation's own assignments taught about one unit (handling/unit_suggestion.py):
    the weighted tokens of the suggestions it ended up leading (after any re-assignment), and
    how many. Rebuilt by the periodic refresh; read when a unit is suggested."""

    unit = models.OneToOneField(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, primary_key=True, related_name="profile"
    )
    terms = models.JSONField(_("weighted tokens"), default=dict)
    items = models.PositiveIntegerField(_("suggestions led"), default=0)
    built_at = models.DateTimeField(_("built at"), default=timezone.now)

    class Meta:
        verbose_name = _("unit profile")
        verbose_name_plural = _("unit profiles")

    def __str__(self) -> str:
        return f"{self.unit} ({self.items})"


class MatterReferral(models.Model):
    """A resident's matter forwarded by its station or deputy to an undertaking unit as a
    public-opinion item (民意件), with its own deadline (`MATTER_REFERRAL_WORKDAYS` working
    days), and the unit's answer, which the resident's lookup shows.

    The unit reads `text`, a copy of the matter's text the forwarder may shorten or rid of
    personal details before it leaves the station; never the matter itself, its phone or its
    photo (see `handling.referrals`)."""

    matter = models.OneToOneField(
        "deputies.ResidentMatter", verbose_name=_("resident matter"), on_delete=models.PROTECT, related_name="referral"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="referrals")
    text = models.TextField(_("matter"))
    note = models.TextField(_("note to the unit"), blank=True)
    deadline = models.DateField(_("answer by"))
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("forwarded by"), on_delete=models.PROTECT, related_name="+"
    )
    forwarded_at = models.DateTimeField(_("forwarded at"), default=timezone.now, db_index=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("forwarded matter")
        verbose_name_plural = _("forwarded matters")
        indexes = [models.Index(fields=["unit", "answered_at"])]

    def __str__(self) -> str:
        return f"{self.unit} · {self.text[:20]}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return not self.is_answered and self.deadline < (today or timezone.localdate())

    @staticmethod
    def overdue_condition(today: dt.date, prefix: str = "") -> Q:
        """`is_overdue` as a condition: on referrals, or with `prefix` (e.g. "referral__") on
        what has one."""
        return Q(**{f"{prefix}answered_at__isnull": True, f"{prefix}deadline__lt": today})
