"""Settings of the Celery workers (and gunicorn) that the fault tests (tests/brokers.py) and
bench/faults.py start: the app's own settings, but mail is written to files in TEST_MAIL_DIR,
where they count what each person received."""

from __future__ import annotations

import os

from config.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["TEST_MAIL_DIR"]
