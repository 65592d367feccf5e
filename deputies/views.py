"""The account pages and the security audit log's page.

The login page is Django's login with our form, listing the accounts to try in the demo;
logging out and changing a password are Django's own views (deputies/urls.py). The audit log
page (deputies/audit_urls.py) is for congress staff and administrators: search, pages, and an
export of the filtered records that is itself recorded in the log.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from deputies import access, audit_log, login_page, otp, phone_views
from deputies.audit import record_security_event
from deputies.forms import AuditFilterForm, LoginForm
from deputies.http import AuthenticatedHttpRequest
from deputies.models import AuditRecord, User
from deputies.pages import paginate
from deputies.spreadsheet import write_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class LoginView(auth_views.LoginView):
    """Django's login, which in the demo (SHOW_DEMO_LOGINS) also lists the registered accounts
    that exist in this database (deputies/login_page.py)."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        """The right password; an account of TWO_FACTOR_ROLES then proves its phone too."""
        user = form.get_user()
        if otp.needs_two_factors(user):
            refused = phone_views.start_second_factor(self.request, user, self.get_success_url())
            if refused:
                form.add_error(None, refused)
                return self.form_invalid(form)
            return redirect("login_second_factor")
        return super().form_valid(form)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["login_sms"] = settings.LOGIN_SMS
        listed = login_page.listed()
        if settings.SHOW_DEMO_LOGINS and listed is not None:
            usernames = [username for username, _description in listed.accounts]
            present = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
            context["demo_logins"] = [(u, description) for u, description in listed.accounts if u in present]
            context["demo_password"] = listed.password
        return context


def _filters(request: AuthenticatedHttpRequest) -> tuple[AuditFilterForm, dict[str, Any]]:
    """The filter form and the values of its valid fields (a bad one is shown, not applied)."""
    form = AuditFilterForm(request.GET)
    form.is_valid()  # fills cleaned_data with the fields that are valid
    return form, dict(form.cleaned_data)


@login_required
def audit_records(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not access.allowed(request.user, "view_audit_log"):
        raise access.refuse(request, "audit log")
    form, values = _filters(request)
    records = audit_log.audit_records(values)
    return render(
        request,
        "deputies/audit_records.html",
        {
            "form": form,
            "page": paginate(request, records, per_page=50),
            "export_limit": audit_log.EXPORT_LIMIT,
            "retention_days": settings.AUDIT_RETENTION_DAYS,
        },
    )


@login_required
def audit_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The filtered records as an .xlsx; the export is recorded in the log with its filters."""
    if not access.allowed(request.user, "view_audit_log"):
        raise access.refuse(request, "audit log export")
    form, values = _filters(request)
    back = f"{reverse('audit:records')}?{request.GET.urlencode()}"
    if form.errors:
        messages.error(request, _("Correct the filters first: nothing was exported."))
        return redirect(back)
    records = audit_log.audit_records(values)
    found = records.count()
    if found > audit_log.EXPORT_LIMIT:
        messages.error(
            request,
            _("%(found)s records match: at most %(limit)s can be exported at once. Narrow the filters.")
            % {"found": found, "limit": audit_log.EXPORT_LIMIT},
        )
        return redirect(back)
    data = write_workbook([("安全审计记录", audit_log.EXPORT_HEADERS, audit_log.export_rows(records))])
    record_security_event(
        kind=AuditRecord.Kind.AUDIT_EXPORTED,
        request=request,
        user=request.user,
        detail=_("%(n)s records; %(filters)s") % {"n": found, "filters": audit_log.describe_filters(values)},
    )
    response = HttpResponse(data, content_type=XLSX)
    filename = f"安全审计记录-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
