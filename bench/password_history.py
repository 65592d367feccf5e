"""What the password history costs: checking a new password hashes it once per remembered
password, each with its own salt, with the production hasher (Django's PBKDF2).

    .venv/bin/python bench/password_history.py            (the embedded SQLite database)
    DATABASE_URL=postgres://… .venv/bin/python bench/password_history.py

It makes a scratch account inside a transaction that is rolled back (the database keeps
nothing), sets PASSWORD_HISTORY_COUNT passwords, then times three checks of a new password
(what the change-password page does before saving) and one password change.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.password_validation import validate_password  # noqa: E402
from django.db import transaction  # noqa: E402

from deputies.models import User  # noqa: E402


def main() -> None:
    remember = settings.PASSWORD_HISTORY_COUNT
    print(f"hasher: {settings.PASSWORD_HASHERS[0]}; remembered: {remember}; load: {os.getloadavg()[0]:.2f}")
    validate_password("Warm#up2026Q")  # reads Django's common-password list once
    with transaction.atomic():
        user = User.objects.create_user("bench-password-history", password="Bench#0Zq")
        for n in range(1, remember):
            user.set_password(f"Bench#{n}Zq")
            user.save()
        for _ in range(3):
            started = time.perf_counter()
            validate_password("Another#2026Q", user)
            print(f"checking a new password: {time.perf_counter() - started:.2f} s")
        started = time.perf_counter()
        user.set_password("Another#2026Q")
        user.save()
        print(f"saving it (one hash, the history row): {time.perf_counter() - started:.2f} s")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
