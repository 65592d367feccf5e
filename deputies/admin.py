from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_celery_beat.admin import PeriodicTaskAdmin as BeatPeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask
from kombu.exceptions import OperationalError

from deputies.api.tokens import revoke
from deputies.models import (
    ApiToken,
    AuditRecord,
    Delegation,
    Deputy,
    LiaisonStation,
    ResidentMatter,
    ResidentMatterEvent,
    SpecialCommittee,
    Term,
    UsedPassword,
    User,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "full_name", "role", "email", "is_active", "last_login")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "full_name", "email", "phone")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "role", "title", "phone", "email", "committee")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "full_name", "role", "password1", "password2")}),
    )


@admin.register(SpecialCommittee)
class SpecialCommitteeAdmin(admin.ModelAdmin):
    list_display = ("name", "order")
    search_fields = ("name",)


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ("name", "number", "start_year", "end_year")


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ("name", "order")
    search_fields = ("name",)


@admin.register(Deputy)
class DeputyAdmin(admin.ModelAdmin):
    list_display = ("name", "delegation", "work_unit", "phone", "email", "is_active")
    list_filter = ("delegation", "is_active", "terms")
    search_fields = ("name", "work_unit", "phone")
    autocomplete_fields = ("user",)
    filter_horizontal = ("terms",)


class ReadOnlyAdmin(admin.ModelAdmin):
    """For append-only records: they can be read, never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "username", "ip_address", "method", "path", "detail")
    list_filter = ("kind",)
    search_fields = ("username", "path", "detail", "ip_address")
    date_hierarchy = "created_at"


@admin.register(UsedPassword)
class UsedPasswordAdmin(ReadOnlyAdmin):
    """When each account's last passwords were set; the hashes themselves are not shown."""

    list_display = ("user", "created_at")
    fields = ("user", "created_at")
    search_fields = ("user__username", "user__full_name")
    date_hierarchy = "created_at"


# The schedule's "run now" queues tasks from a page: with Redis down it must say so, not fail.
admin.site.unregister(PeriodicTask)


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(BeatPeriodicTaskAdmin):
    @admin.action(description=getattr(BeatPeriodicTaskAdmin.run_tasks, "short_description", None))
    def run_tasks(self, request: HttpRequest, queryset: QuerySet[PeriodicTask]) -> None:
        try:
            super().run_tasks(request, queryset)
        except OperationalError:
            messages.error(
                request,
                _("The task queue (Redis) cannot be reached: nothing was run now. The tasks run at their next time."),
            )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made by their users (/accounts/tokens/); an administrator sees and revokes."""

    list_display = ("name", "user", "prefix", "scope", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("scope",)
    search_fields = ("name", "user__username", "prefix")
    readonly_fields = ("user", "name", "prefix", "scope", "created_at", "expires_at", "last_used_at", "revoked_at")
    actions = ["revoke_tokens"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Revoke the chosen tokens"))
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for row in queryset:
            revoke(row)
        self.message_user(request, _("The tokens are revoked."), messages.SUCCESS)


@admin.register(LiaisonStation)
class LiaisonStationAdmin(admin.ModelAdmin):
    list_display = ("name", "area", "stream", "code", "is_active")
    list_filter = ("stream", "is_active")
    search_fields = ("name", "area", "address")
    readonly_fields = ("code",)
    filter_horizontal = ("deputies", "staff")


@admin.register(ResidentMatter)
class ResidentMatterAdmin(ReadOnlyAdmin):
    """Where matters stand, for the administrator; never what residents wrote, their phones or
    their photos: those are the station's and the deputy's only (deputies/matters.py)."""

    list_display = ("pk", "station", "deputy", "state", "received_at", "handled_at", "personal_data_removed_at")
    list_filter = ("state", "station")
    fields = ("station", "deputy", "state", "received_at", "handled_at", "personal_data_removed_at")
    date_hierarchy = "received_at"


@admin.register(ResidentMatterEvent)
class ResidentMatterEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "matter", "action", "from_state", "to_state", "actor")
    fields = ("matter", "action", "from_state", "to_state", "actor", "created_at")
    list_filter = ("action",)
    date_hierarchy = "created_at"
