"""People and accounts: logins with their role, congress terms, delegations, deputies,
special committees, and the security audit log (logins, lockouts, refused access)."""

from __future__ import annotations

import secrets
from typing import Any, ClassVar, TypeAlias

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import AbstractUser, AnonymousUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from deputies.appendonly import AppendOnlyModel
from deputies.streams import Stream, Words, role_speaks, words_of


class Role(models.TextChoices):
    DEPUTY = "deputy", _("Deputy")
    MEMBER = "member", _("CPPCC member")
    STAFF = "staff", _("Congress staff")
    PROPOSALS_STAFF = "proposals_staff", _("Proposals committee staff")
    SUPERVISION = "supervision", _("Supervision office")
    UNIT_HANDLER = "unit_handler", _("Unit handler")
    UNIT_HEAD = "unit_head", _("Unit head")
    LEADER = "leader", _("Leader")
    COMMITTEE = "committee", _("Special committee member")
    STATION_STAFF = "station_staff", _("Liaison station staff")
    ADMIN = "admin", _("Administrator")


role_speaks(Role.MEMBER, Stream.PROPOSAL)
role_speaks(Role.PROPOSALS_STAFF, Stream.PROPOSAL)


class SpecialCommittee(models.Model):
    """A special committee of the congress (专门委员会); follows key suggestions in its field."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("special committee")
        verbose_name_plural = _("special committees")

    def __str__(self) -> str:
        return self.name


class AccountManager(UserManager["User"]):
    def create_user(
        self, username: str, email: str | None = None, password: str | None = None, **extra_fields: Any
    ) -> User:
        return _first_password_told(super().create_user(username, email, password, **extra_fields), password)

    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra_fields: Any
    ) -> User:
        # `manage.py createsuperuser` makes the administrator, not a deputy (the field's default).
        extra_fields.setdefault("role", Role.ADMIN)
        return _first_password_told(super().create_superuser(username, email, password, **extra_fields), password)


def _first_password_told(user: User, password: str | None) -> User:
    """Django's manager stores a new account's password hash directly, so the password
    validators' `password_changed` hook (which keeps the password history) does not run as
    it does for `set_password`: tell them here."""
    if password is not None:
        password_validation.password_changed(password, user)
    return user


class User(AbstractUser):
    """A login. Each account has exactly one role; unit people are linked to their unit by
    `handling.UnitMember`, deputies to their record by `Deputy.user`."""

    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.DEPUTY)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    title = models.CharField(_("position"), max_length=100, blank=True)
    committee = models.ForeignKey(
        SpecialCommittee,
        verbose_name=_("special committee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )

    objects: ClassVar[AccountManager] = AccountManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class UsedPassword(models.Model):
    """A password an account has had, as the hash Django made of it (never the password), so
    that a new one cannot repeat the last few (`deputies.passwords.PasswordHistoryValidator`
    writes these rows and keeps only as many as it checks)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="used_passwords"
    )
    password = models.CharField(_("password hash"), max_length=128)
    created_at = models.DateTimeField(_("set at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("used password")
        verbose_name_plural = _("used passwords")

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


# Whoever a page or a rule is asked about: a login, or a visitor who has not logged in.
UserOrAnonymous: TypeAlias = User | AnonymousUser


class Term(models.Model):
    """A term (届) of the people's congress or of the CPPCC (its `stream`), e.g. the 17th,
    usually five years. Its meetings, their items and their numbering belong to that body."""

    stream = models.CharField(
        _("stream"), max_length=10, choices=Stream.choices, default=Stream.SUGGESTION, db_index=True
    )
    number = models.PositiveSmallIntegerField(_("term number"))
    name = models.CharField(_("name"), max_length=50)
    start_year = models.PositiveSmallIntegerField(_("start year"))
    end_year = models.PositiveSmallIntegerField(_("end year"), null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("congress term")
        verbose_name_plural = _("congress terms")
        constraints = [models.UniqueConstraint(fields=["stream", "number"], name="term_unique_in_stream")]

    def __str__(self) -> str:
        return self.name


class Delegation(models.Model):
    """The group its people belong to: a congress delegation (代表团 / 代表小组, usually by
    township) or a CPPCC sector (界别, e.g. 经济界), by its `stream`."""

    stream = models.CharField(_("stream"), max_length=10, choices=Stream.choices, default=Stream.SUGGESTION)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        constraints = [models.UniqueConstraint(fields=["stream", "name"], name="delegation_unique_in_stream")]

    def __str__(self) -> str:
        return self.name


class Deputy(models.Model):
    """A person who submits items: a deputy of the congress, or a member of the CPPCC (by its
    `stream`; a member's group is a sector). A CPPCC body that makes collective proposals
    (党派、团体、专委会) is one too, as an organisation: its login is its contact person's,
    who submits and rates for it. Contact data is for the handling units and staff only: it
    is never shown on public pages."""

    class Gender(models.TextChoices):
        MALE = "m", _("male")
        FEMALE = "f", _("female")

    stream = models.CharField(
        _("stream"), max_length=10, choices=Stream.choices, default=Stream.SUGGESTION, db_index=True
    )
    is_organisation = models.BooleanField(
        _("organisation"), default=False, help_text=_("A CPPCC body that makes collective proposals.")
    )
    name = models.CharField(_("name"), max_length=50, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    delegation = models.ForeignKey(
        Delegation,
        verbose_name=_("delegation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deputies",
    )
    terms = models.ManyToManyField(Term, verbose_name=_("terms"), blank=True, related_name="deputies")
    work_unit = models.CharField(_("work unit and position"), max_length=200, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("mailing address"), max_length=200, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deputy",
    )
    is_active = models.BooleanField(_("serving"), default=True)
    # The code in the address of the deputy's public intake page (/public/deputies/<code>/),
    # printed as the deputy's QR code (代表码); given when the record is first saved (records older
    # than the code got theirs from a migration; one written in bulk, past save(), gets its code
    # when its card is first shown).
    public_code = models.CharField(_("public code"), max_length=12, unique=True, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["delegation__order", "name"]
        verbose_name = _("deputy")
        verbose_name_plural = _("deputies")
        constraints = [models.UniqueConstraint(fields=["name", "delegation"], name="deputy_unique_in_delegation")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.public_code and kwargs.get("update_fields") is None:
            self.public_code = new_code()
        super().save(*args, **kwargs)

    @property
    def words(self) -> Words:
        return words_of(self.stream)


class AuditRecord(AppendOnlyModel):
    """Security audit: logins, failed logins, lockouts, logouts, refused access, and what is
    done to the log itself (an export, the retention purge). Append-only (see
    `deputies.appendonly`); records older than `AUDIT_RETENTION_DAYS` are purged by the
    database's owner role only (`deputies.retention`)."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Login")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOCKED_OUT = "locked_out", _("Account locked")
        LOGOUT = "logout", _("Logout")
        ACCESS_REFUSED = "access_refused", _("Access refused")
        AUDIT_EXPORTED = "audit_exported", _("Audit log exported")
        AUDIT_PURGED = "audit_purged", _("Expired audit records purged")
        PUBLISHED = "published", _("Published to the public pages")
        UNPUBLISHED = "unpublished", _("Withdrawn from the public pages")
        PASSWORD_RESET = "password_reset", _("Password reset")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    method = models.CharField(_("method"), max_length=10, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("security audit record")
        verbose_name_plural = _("security audit records")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.username} {self.created_at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A personal API token (`Authorization: Bearer <token>`, deputies/api/). Only the SHA-256
    of the token is kept; the token itself is shown once, when it is made. A token acts as its
    user, within its scopes, until it expires or is revoked (by the user or an administrator)."""

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        WRITE = "write", _("Read and write")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("begins with"), max_length=8, editable=False)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class OneTimeCode(models.Model):
    """A one-time code sent by text message (deputies/otp.py): 6 digits, kept only as a keyed
    hash, good for 5 minutes and 5 attempts, used once. A row is written for every code asked
    for, also for a number no account has (then with no user and nothing sent), so that the
    limits per number and per address count the same whether the number is known or not."""

    class Purpose(models.TextChoices):
        LOGIN = "login", _("Log in")
        RESET = "reset", _("Reset the password")
        SECOND_FACTOR = "second_factor", _("Second factor")

    phone = models.CharField(_("phone"), max_length=20)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    digest = models.CharField(max_length=64, editable=False)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), db_index=True)
    expires_at = models.DateTimeField(_("expires"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # The limits count a number's and an address's rows of the last day or hour.
        indexes = [
            models.Index(fields=["phone", "created_at"], name="onetimecode_phone_time"),
            models.Index(fields=["ip_address", "created_at"], name="onetimecode_address_time"),
        ]
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.phone} {self.created_at:%Y-%m-%d %H:%M}"


class WechatBinding(models.Model):
    """A person's WeChat mini-program identity (the openid WeChat gives for the app's AppID),
    bound by the person on the API and unbound on their token page (deputies/wechat.py)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="wechat_binding"
    )
    openid = models.CharField(_("openid"), max_length=64, unique=True)
    bound_at = models.DateTimeField(_("bound"), auto_now_add=True)

    class Meta:
        verbose_name = _("WeChat binding")
        verbose_name_plural = _("WeChat bindings")

    def __str__(self) -> str:
        return f"{self.user} ({self.openid[:6]}…)"


def mask_phone(phone: str) -> str:
    """A phone number as pages show it to those who may not read it whole: 138****1234."""
    if not phone:
        return ""
    if len(phone) <= 7:
        return phone[:1] + "*" * (len(phone) - 1)
    return f"{phone[:3]}****{phone[-4:]}"


# Codes residents read, type or scan: no 0/O, 1/I/L, 2/Z, 5/S, 8/B to mistake for each other.
CODE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"


def new_code(length: int = 8) -> str:
    """A random code from the unambiguous alphabet (8 characters: about 37 bits)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


class LiaisonStation(models.Model):
    """A deputies' liaison station (代表联络站; a CPPCC members' studio, 委员工作室, on the
    proposal stream): where residents raise matters with the deputies stationed there. Its
    staff (`staff`, logins with the role station staff) and its deputies triage the matters
    left at it; its public intake page is /public/stations/<code>/, printed as a QR code."""

    stream = models.CharField(
        _("stream"), max_length=10, choices=Stream.choices, default=Stream.SUGGESTION, db_index=True
    )
    name = models.CharField(_("name"), max_length=100)
    area = models.CharField(_("area"), max_length=200, blank=True, help_text=_("Street, town or community it serves."))
    address = models.CharField(_("address"), max_length=200, blank=True)
    deputies = models.ManyToManyField(Deputy, verbose_name=_("deputies stationed"), blank=True, related_name="stations")
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("station staff"), blank=True, related_name="liaison_stations"
    )
    code = models.CharField(_("public code"), max_length=12, unique=True, default=new_code, editable=False)
    is_active = models.BooleanField(_("receiving matters"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("liaison station")
        verbose_name_plural = _("liaison stations")

    def __str__(self) -> str:
        return self.name

    @property
    def words(self) -> Words:
        return words_of(self.stream)


def matter_photo_path(instance: ResidentMatter, filename: str) -> str:
    # A random name: the resident's own file name may carry personal data.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"matters/{timezone.now():%Y/%m}/{secrets.token_hex(12)}.{extension}"


class ResidentMatter(ConcurrentTransitionMixin, models.Model):
    """A matter a resident left at a liaison station or with a deputy (群众意见), through the
    public intake page, with no account. The resident keeps a lookup code (only its SHA-256 is
    stored, `lookup_digest`) to see later what became of it; the lookup never shows the
    resident's phone or photo, nor does any other public page.

    States (`state`, changed only by the transitions below, through the triage services in
    `deputies.matters`, each audited as a `ResidentMatterEvent`):

    - new: received, not yet handled.
    - answered: the station or the deputy answered the resident directly (`answer`).
    - forwarded: sent to an undertaking unit as a public-opinion item (民意件) with its own
      deadline; the unit's side and its answer live with the handling app.
    - merged: joined to another matter (`merged_into`) about the same thing; it follows that
      matter's outcome.
    - suggested: taken up by the deputy as a draft suggestion (the suggestion links back to its
      matters: `suggestions`).
    - closed: not taken further (e.g. not a matter for the deputies, or a repeat), with the
      reason for the resident (`answer`).

    Who sees a matter: its station's staff and its deputy, and the deputies stationed at its
    station when it was left at the station (`deputies.matters`); nobody else. The phone is
    shown masked in lists; phone and photo are removed `RESIDENT_DATA_DAYS` after receipt
    (`personal_data_removed_at` records it).
    """

    class State(models.TextChoices):
        NEW = "new", _("new")
        ANSWERED = "answered", _("answered")
        FORWARDED = "forwarded", _("forwarded to a unit")
        MERGED = "merged", _("merged")
        SUGGESTED = "suggested", _("turned into a suggestion")
        CLOSED = "closed", _("closed")

    station = models.ForeignKey(
        LiaisonStation,
        verbose_name=_("liaison station"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="matters",
    )
    deputy = models.ForeignKey(
        Deputy, verbose_name=_("deputy"), on_delete=models.PROTECT, null=True, blank=True, related_name="matters"
    )
    text = models.TextField(_("matter"))
    photo = models.FileField(_("photo"), upload_to=matter_photo_path, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    lookup_digest = models.CharField(max_length=64, unique=True, editable=False)
    state = FSMField(_("state"), max_length=20, choices=State.choices, default=State.NEW, protected=True, db_index=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_matters",
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    personal_data_removed_at = models.DateTimeField(_("personal data removed at"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("resident matter")
        verbose_name_plural = _("resident matters")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(station__isnull=False) | models.Q(deputy__isnull=False),
                name="resident_matter_has_station_or_deputy",
            ),
        ]

    def __str__(self) -> str:
        # Never the resident's words: this names the matter wherever it is listed (the admin).
        return str(_("Matter %(pk)s") % {"pk": self.pk})

    @property
    def masked_phone(self) -> str:
        """138****1234: what lists show."""
        return mask_phone(self.phone)

    # --- transitions: each decides only whether the move is allowed; the service saves ----

    @transition(field=state, source=State.NEW, target=State.ANSWERED)
    def mark_answered(self) -> None:
        pass

    @transition(field=state, source=State.NEW, target=State.FORWARDED)
    def mark_forwarded(self) -> None:
        pass

    @transition(field=state, source=State.NEW, target=State.MERGED)
    def mark_merged(self) -> None:
        pass

    @transition(field=state, source=State.NEW, target=State.SUGGESTED)
    def mark_suggested(self) -> None:
        pass

    @transition(field=state, source=[State.NEW, State.FORWARDED], target=State.CLOSED)
    def mark_closed(self) -> None:
        pass


class ResidentMatterEvent(AppendOnlyModel):
    """The trail of one resident matter: received, each triage step, the personal data's
    removal; who did it (none for the resident and the retention purge) and when.
    Append-only, like the suggestions' trail."""

    matter = models.ForeignKey(
        ResidentMatter, verbose_name=_("resident matter"), on_delete=models.PROTECT, related_name="events"
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
    from_state = models.CharField(_("from"), max_length=20, choices=ResidentMatter.State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=ResidentMatter.State.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("resident matter event")
        verbose_name_plural = _("resident matter events")

    def __str__(self) -> str:
        return f"{self.matter_id} {self.action} {self.from_state}→{self.to_state}"

    @property
    def label(self) -> str:
        return str(MATTER_ACTIONS.get(self.action, self.action))


# How each step on a matter's trail is named (a later app's own steps are named by it here too).
MATTER_ACTIONS: dict[str, Any] = {
    "received": _("Received"),
    "answered": _("Answered the resident"),
    "forwarded": _("Forwarded to a unit"),
    "merged": _("Merged into another matter"),
    "merged_in": _("Other matters merged into this one"),
    "suggested": _("Turned into a suggestion"),
    "closed": _("Closed"),
    "personal_data_removed": _("Phone and photo removed (retention period)"),
}
