"""The public's endpoints of the API (no token, no session), whichever app serves them: the
disclosed replies and published figures (reports), the public progress of suggestions
(proposals). They read what the public pages read, and are counted per client address."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions, throttling
from rest_framework.request import Request

from deputies.public import visitor_address


class PublicRateThrottle(throttling.SimpleRateThrottle):
    """The public endpoints' requests per client address."""

    scope = "public"

    def get_cache_key(self, request: Request, view: Any) -> str:
        # The address as the public pages count it: DRF's own trusts any X-Forwarded-For.
        return self.cache_format % {"scope": self.scope, "ident": visitor_address(request._request)}


class Public:
    """No token, no session: anyone may read, as the public pages; counted per address."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [PublicRateThrottle]
