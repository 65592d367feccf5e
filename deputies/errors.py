"""The error pages (400, 403, 404, 500), and who may see Django's technical pages instead.

Django answers an error through the handlers config/urls.py names, which show our templates:
in Chinese, in the app's frame, with a way back. Under DEBUG, though, Django answers an
exception with a technical page (the traceback with its local variables, the settings, the
URL patterns) and does not call the handlers for 400, 404 and 500. Those pages are for the
people who run the system: `TechnicalPagesForAdminsOnlyMiddleware` leaves them to an
administrator (role admin, or a superuser) and answers everyone else with our page.

The 400 and 500 pages are rendered without the request, as Django's own are: a bad request
may carry a host or a session that fails again, and a 500 may come from the database, which
the context processors (the menu, the unread notices) read. Should even that fail, a fixed
page answers, so an error page never ends in a second error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import TracebackType

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.template import loader
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.debug import ExceptionReporter

from deputies.models import Role, User

logger = logging.getLogger(__name__)

# Set on a request by `_NotingReporter` when Django has built a technical page for it.
TECHNICAL_PAGE = "technical_error_page"


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _without_request(400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _without_request(500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused by the CSRF check: mostly a page left open across a logout or login,
    whose token has since changed. Sending it again from a fresh page works."""
    return render(request, "403_csrf.html", status=403)


def _without_request(status: int) -> HttpResponse:
    try:
        return HttpResponse(loader.render_to_string(f"{status}.html"), status=status)
    except Exception:
        logger.exception("the %s page could not be rendered", status)
        return fixed_page(status)


def fixed_page(status: int) -> HttpResponse:
    """The last resort: no template, no database, no context processor."""
    titles = {400: _("Bad request"), 403: _("Access denied"), 404: _("Page not found")}
    title = escape(titles.get(status, _("Server error")))
    text = escape(_("The page cannot be shown. Go back to the home page and try again."))
    home = escape(_("Back to the home page"))
    html = (
        f'<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><title>{title}</title></head>'
        f'<body><h1>{title}</h1><p>{text}</p><p><a href="/">{home}</a></p></body></html>'
    )
    return HttpResponse(html, status=status if status in (400, 403, 404) else 500)


def is_administrator(request: HttpRequest) -> bool:
    """May this request's user see Django's technical pages? Only an active administrator. If
    the user cannot be known (the failure came before the login was read, or the database is
    what failed), the answer is no."""
    try:
        user = request.user
        return isinstance(user, User) and user.is_active and (user.is_superuser or user.role == Role.ADMIN)
    except Exception:
        return False


class _NotingReporter(ExceptionReporter):
    """Django's exception reporter, which also notes on the request that it built a technical
    page. Django builds the technical 400 and 500 pages through the request's reporter class
    and no other way, so the note is exact (a view's own 400, a form with errors, has none)."""

    def __init__(
        self,
        request: HttpRequest | None,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        tb: TracebackType | None,
        is_email: bool = False,
    ) -> None:
        super().__init__(request, exc_type, exc_value, tb, is_email)
        if request is not None:
            setattr(request, TECHNICAL_PAGE, True)


class TechnicalPagesForAdminsOnlyMiddleware:
    """Under DEBUG, Django's technical error pages go to administrators only; everyone else
    gets the page our handler would have shown with DEBUG off.

    A technical page is a 404 (this app answers 404 only by raising Http404, which DEBUG turns
    into Django's page) or a 400 or 500 that Django's reporter built (see `_NotingReporter`).
    It sits outside the session, login and view layers, so it sees failures in any of them,
    and nothing it does can raise: should its own page fail, the fixed page answers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not settings.DEBUG:
            return self.get_response(request)
        # Django's documented per-request reporter (HttpRequest.exception_reporter_class).
        request.exception_reporter_class = _NotingReporter  # type: ignore[attr-defined]
        response = self.get_response(request)
        status = response.status_code
        if not (status == 404 or getattr(request, TECHNICAL_PAGE, False)):
            return response
        if is_administrator(request):
            # The technical pages need their inline script and style; django-csp already
            # leaves 404 and 500 alone under DEBUG, and this covers the technical 400.
            response._csp_exempt = True  # type: ignore[attr-defined]  # what django-csp's @csp_exempt() sets
            return response
        try:
            if status == 404:
                return page_not_found(request)
            if status == 400:
                return bad_request(request)
            return server_error(request)
        except Exception:
            logger.exception("the %s page could not be rendered", status)
            return fixed_page(status)
