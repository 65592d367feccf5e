"""The units' figures on the public pages, and staff publishing them (reports/publication.py).

/public/figures/ lists the published years; /public/figures/<year>/ shows each published
stream's table of that year. Nothing is public until staff publish it, from the disclosure page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deputies import access
from deputies.access import refuse
from deputies.http import AuthenticatedHttpRequest
from deputies.public import public_page
from reports.forms import PublishForm
from reports.models import PublishedFigures
from reports.publication import publish_figures, unpublish_figures


@login_required
@require_POST
def publish(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not access.allowed(request.user, "manage_reports"):
        raise refuse(request, "reports publish figures")
    form = PublishForm(request.POST, streams=access.streams_of(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose the year and the type of the figures to publish."))
        return redirect("reports:disclosure")
    year, stream = form.cleaned_data["year"], form.cleaned_data["stream"]
    if not access.allowed(request.user, "manage_reports", PublishedFigures(year=year, stream=stream)):
        raise refuse(request, f"reports publish figures {year} {stream}")
    publish_figures(year=year, stream=stream, by=request.user, request=request)
    messages.success(request, _("The units' figures of %(year)s are published.") % {"year": year})
    return redirect("reports:disclosure")


@login_required
@require_POST
def unpublish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    published = get_object_or_404(PublishedFigures, pk=pk)
    if not access.allowed(request.user, "manage_reports", published):
        raise refuse(request, f"reports unpublish figures {pk}")
    year = published.year
    unpublish_figures(published=published, by=request.user, request=request)
    messages.success(request, _("The units' figures of %(year)s are no longer public.") % {"year": year})
    return redirect("reports:disclosure")


@public_page
def figures(request: HttpRequest) -> HttpResponse:
    years = sorted(set(PublishedFigures.objects.values_list("year", flat=True)), reverse=True)
    return render(request, "reports/public_figures.html", {"years": years})


@public_page
def figures_year(request: HttpRequest, year: int) -> HttpResponse:
    tables = list(PublishedFigures.objects.filter(year=year).order_by("stream"))
    if not tables:
        raise Http404
    return render(request, "reports/public_figures_year.html", {"year": year, "tables": tables})
