"""Admin actions that run a workflow step on each selected row, through the services (so the
permission checks, locking and audit trail are the same as in the app). An action that needs
input (a reason, a number, units) first shows a form."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deputies.http import user_of
from proposals.services import ProposalError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# An admin action, on the rows of whichever model its admin shows.
Action = Callable[[admin.ModelAdmin, HttpRequest, QuerySet[Any]], TemplateResponse | None]


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


def action_form_page(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Any],
    form: forms.Form,
    label: StrOrPromise,
    action: str,
) -> TemplateResponse:
    """The intermediate page where an action asks for its input."""
    return TemplateResponse(
        request,
        "admin/workflow_action.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": str(label),
            "objects": queryset,
            "form": form,
            "action": action,
            "opts": modeladmin.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        },
    )


def workflow_action(
    label: StrOrPromise,
    run: Callable[..., object],
    form_class: type[forms.Form] | None = None,
    name: str | None = None,
) -> Action:
    """Build an admin action that calls `run(obj, by=user, **form.cleaned_data)` per row."""

    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]) -> TemplateResponse | None:
        form = None
        if form_class is not None:
            submitted = "apply" in request.POST
            form = form_class(request.POST if submitted else None, request.FILES if submitted else None)
            if not (submitted and form.is_valid()):
                return action_form_page(modeladmin, request, queryset, form, label, action.__name__)
        done, failed = 0, []
        for obj in queryset:
            try:
                run(obj, by=user_of(request), **(form.cleaned_data if form else {}))
                done += 1
            except ProposalError as exc:
                failed.append((obj, f"{obj}：{exc}"))
        if done:
            modeladmin.message_user(
                request, _("%(action)s: done for %(n)s.") % {"action": label, "n": done}, messages.SUCCESS
            )
        if failed and form is not None:
            # The rows not moved come back with why and with what was typed, to try again or leave.
            for _obj, failure in failed:
                form.add_error(None, failure)
            left = queryset.filter(pk__in=[obj.pk for obj, _failure in failed])
            return action_form_page(modeladmin, request, left, form, label, action.__name__)
        for _obj, failure in failed:
            modeladmin.message_user(request, failure, messages.ERROR)
        return None

    action.__name__ = name or f"wf_{getattr(run, '__name__', 'step')}"
    return admin.action(description=label)(action)
