"""Helpers for the tests of residents' matters (the stations and their staff are fixtures in
tests/conftest.py)."""

from __future__ import annotations

import time
from typing import Any

from deputies import matters
from deputies.intake import Challenge
from deputies.models import ResidentMatter


def leave(**kwargs: Any) -> tuple[ResidentMatter, str]:
    kwargs.setdefault("text", "小区门口的路灯坏了三个月")
    kwargs.setdefault("phone", "13812341234")
    return matters.receive_matter(**kwargs)


def answered_challenge() -> dict[str, str]:
    """The question's token, made long enough ago, and its right answer."""
    challenge = Challenge.new(now=time.time() - 30)
    return {"token": challenge.token, "answer": str(challenge.a + challenge.b)}
