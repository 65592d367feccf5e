"""Dates and numbers of a Chinese catalog variant (zh-hans-proposal, whose fallback module
name is `zh`): those of Simplified Chinese."""

from django.conf.locale.zh_Hans.formats import *  # type: ignore[import-untyped]  # noqa: F403
