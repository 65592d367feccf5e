"""The public pages' shared guard: what an anonymous visitor is served is kept in the cache
for a short while, and each address may make only so many requests (`public_page`).

Pages under /public/ need no login and are read by anyone, robots included, so one busy
visitor must not cost the offices their own pages. For a visitor who is not signed in:

- the rate limit: a counter per address and period in the cache (`PUBLIC_RATE`, e.g.
  120/minute); past it the page answers 429 with a Chinese page until the period ends. Every
  request counts, those served from the cache too;
- the cache: a 200 answer is kept `PUBLIC_CACHE_SECONDS` under its full path (the query
  string included) and the language, and served as it is to the next visitor. An answer that
  sets a cookie is never kept. When staff change what is public (withhold or release an item,
  hold back or release a reply, publish or withdraw figures) `forget_public_pages()` moves every
  key on, so that change shows at once; anything else (a new reply, a new milestone) shows
  within `PUBLIC_CACHE_SECONDS`.

A signed-in person passes straight through, neither counted nor served from nor written to the
cache: staff see a hold or a release at once, and nothing made for a signed-in person (their
menu, their name) can reach the public.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from deputies.audit import client_ip

View = Callable[..., HttpResponse]

CACHE_PREFIX = "public-page"
RATE_PREFIX = "public-rate"
GENERATION_KEY = "public-page-generation"


def visitor_address(request: HttpRequest) -> str:
    """The visitor's address: the connection's, or behind a reverse proxy the header it sets
    (`PUBLIC_CLIENT_IP_HEADER`, e.g. X-Real-IP); else every visitor would share the proxy's."""
    header = settings.PUBLIC_CLIENT_IP_HEADER
    if header:
        value = request.headers.get(header, "").split(",")[0].strip()
        if value:
            return value
    return client_ip(request) or "-"


def over_the_limit(request: HttpRequest) -> bool:
    """Count this request against its address; True once the address has made more than
    `PUBLIC_RATE` allows in the current period."""
    allowed, seconds = settings.PUBLIC_RATE
    window = int(time.time() // seconds)
    key = f"{RATE_PREFIX}:{visitor_address(request)}:{seconds}:{window}"
    # add() starts the period's counter only if it is not there yet; incr() is atomic in Redis.
    cache.add(key, 0, timeout=seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # the counter expired between the two calls: this request starts it again
        cache.set(key, 1, timeout=seconds + 1)
        count = 1
    return count > allowed


def page_key(request: HttpRequest) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    generation = cache.get(GENERATION_KEY, 0)
    return f"{CACHE_PREFIX}:{generation}:{translation.get_language()}:{path}"


def forget_public_pages() -> None:
    """Serve the public pages afresh: staff changed what is public (a hold, a release, a
    publication). The kept pages are left to expire; their keys are simply not asked again."""
    cache.add(GENERATION_KEY, 0, timeout=None)
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # evicted in between
        cache.set(GENERATION_KEY, 1, timeout=None)


def too_many_requests(request: HttpRequest) -> HttpResponse:
    _allowed, seconds = settings.PUBLIC_RATE
    response = render(request, "429.html", {"seconds": seconds}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def public_page(view: View) -> View:
    """Guard a page of the public: rate-limited and cached for visitors who are not signed in."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if over_the_limit(request):
            return too_many_requests(request)
        seconds = settings.PUBLIC_CACHE_SECONDS
        if seconds <= 0 or request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        key = page_key(request)
        kept = cache.get(key)
        if isinstance(kept, HttpResponse):
            return kept
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.cookies and not response.streaming:
            cache.set(key, response, timeout=seconds)
        return response

    return guarded
