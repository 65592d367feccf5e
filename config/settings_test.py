"""Test settings: the same as settings.py with faster hashing and mail kept in memory."""

from __future__ import annotations

import tempfile
from pathlib import Path

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="jianyi-test-media-"))
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tasks run in-process in tests; the one test that needs a real worker turns this off itself.
CELERY_TASK_ALWAYS_EAGER = True
REPORT_JOBS_IN_THREAD = False  # the test that needs the thread turns it on itself
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# The crawls open hundreds of public pages from one address; the rate limit's own test sets it low.
PUBLIC_RATE = (1_000_000, 60)
