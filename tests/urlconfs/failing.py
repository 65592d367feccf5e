"""The project's URLs and error handlers, plus pages that fail on purpose: one per error
status, and a form's own 400 (a page that answers 400 itself, with no exception)."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401  (Django reads them here)
from config.urls import urlpatterns as project


def bad_request(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a forged value")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret-local-detail")


def form_with_errors(request: HttpRequest) -> HttpResponse:
    return HttpResponse("the form, with its errors marked", status=400)


urlpatterns = [
    path("fail/400/", bad_request),
    path("fail/403/", forbidden),
    path("fail/500/", broken),
    path("fail/form/", form_with_errors),
    *project,
]
