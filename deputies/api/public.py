"""The public's endpoints of the API (no token, no session), whichever app serves them: the
disclosed replies and published figures (reports), the public progress of suggestions
(proposals). They read what the public pages read, and are counted per client address."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions, throttling
from rest_framework.request import Request


class PublicRateThrottle(throttling.SimpleRateThrottle):
    """The public endpoints' requests per client address."""

    scope = "public"

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class Public:
    """No token, no session: anyone may read, as the public pages; counted per address."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [PublicRateThrottle]
