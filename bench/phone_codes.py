"""What a one-time code costs the database: asking for one (the limits counted from the rows of
the last day: per number, per address) and checking one (a locked row, a keyed hash), with a
day's worth of earlier codes in the table.

    .venv/bin/python bench/phone_codes.py [--rows 20000]      (the embedded SQLite database)
    DATABASE_URL=postgres://… .venv/bin/python bench/phone_codes.py

Everything runs inside a transaction that is rolled back (the database keeps nothing); nothing is
sent (the numbers asked for belong to no account, as in an enumeration attempt). Prints the
median and the slowest of 200 asks and 200 checks.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import RequestFactory, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from deputies import otp  # noqa: E402
from deputies.models import OneTimeCode  # noqa: E402

RUNS = 200


def _ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:.2f} ms, slowest {max(values) * 1000:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20000, help="earlier codes in the table (the last day's)")
    args = parser.parse_args()
    print(f"database: {connection.vendor}; earlier codes: {args.rows}; load: {os.getloadavg()[0]:.2f}")
    now = timezone.now()
    with transaction.atomic(), override_settings(SMS_CODE_IP_HOURLY_LIMIT=10**6):
        OneTimeCode.objects.bulk_create(
            OneTimeCode(
                phone=f"137{n % 100000:08d}",
                purpose=OneTimeCode.Purpose.LOGIN,
                digest="0" * 64,
                ip_address=f"10.0.{n % 250}.{n % 200}",
                created_at=now - dt.timedelta(seconds=60 + n * 86000 / max(args.rows, 1)),
                expires_at=now,
            )
            for n in range(args.rows)
        )
        request = RequestFactory().post("/api/v1/auth/sms/", REMOTE_ADDR="10.9.9.9")
        phones = [f"159{n:08d}" for n in range(RUNS)]
        asks = []
        for phone in phones:
            start = time.perf_counter()
            otp.issue_code(phone=phone, purpose=OneTimeCode.Purpose.LOGIN, request=request, user=None)
            asks.append(time.perf_counter() - start)
        checks = []
        for phone in phones:
            start = time.perf_counter()
            otp.check_code(phone=phone, purpose=OneTimeCode.Purpose.LOGIN, code="000000")
            checks.append(time.perf_counter() - start)
        transaction.set_rollback(True)
    print(f"ask for a code (limits, row, no account): {_ms(asks)}")
    print(f"check a code (locked row, keyed hash):   {_ms(checks)}")


if __name__ == "__main__":
    main()
