"""What residents' matters cost: drawing a QR card, receiving a matter (with and without a
photo), looking one up by its code among many, and the inbox's query.

    .venv/bin/python bench/matters_bench.py            (the embedded SQLite database)
    DATABASE_URL=postgres://… .venv/bin/python bench/matters_bench.py

Everything is made inside a transaction that is rolled back (the database keeps nothing):
one station, `MATTERS` matters received through the service, then the timings.
"""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import transaction  # noqa: E402
from PIL import Image  # noqa: E402

from deputies import matters, qr  # noqa: E402
from deputies.models import LiaisonStation, Role, User  # noqa: E402

MATTERS = int(os.environ.get("MATTERS", "2000"))


def timed(label: str, runs: int, work) -> None:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    for _ in range(runs):
        work()
    each = (time.perf_counter() - start) / runs
    print(f"{label:<44} {each * 1000:8.2f} ms")


def photo() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (3000, 4000), (90, 100, 110)).save(out, format="JPEG", quality=85)
    return SimpleUploadedFile("IMG.jpg", out.getvalue(), content_type="image/jpeg")


def main() -> None:
    print(f"load: {os.getloadavg()[0]:.2f}; matters: {MATTERS}")
    url = qr.absolute("/public/deputies/ABCDEFGH/")
    timed("QR card, inline SVG", 50, lambda: qr.svg(url))
    timed("QR code, PNG", 50, lambda: qr.png(url))
    with transaction.atomic():
        station = LiaisonStation.objects.create(name="bench")
        staff = User.objects.create(username="bench-station", role=Role.STATION_STAFF)
        station.staff.add(staff)
        start = time.perf_counter()
        codes = [
            matters.receive_matter(text=f"第{n}件", phone="13812341234", station=station)[1] for n in range(MATTERS)
        ]
        print(f"{'receive a matter (no photo), each':<44} {(time.perf_counter() - start) / MATTERS * 1000:8.2f} ms")
        big = photo()
        print(f"photo: {big.size / 1024 / 1024:.1f} MB, 12 megapixels")
        timed(
            "receive a matter with that photo",
            5,
            lambda: matters.receive_matter(text="照片", photo=photo(), station=station),
        )
        timed("look a matter up by its code", 200, lambda: matters.story_of(matters.matter_by_code(codes[-1])))
        timed("inbox's first page of 20", 50, lambda: list(matters.matters_for(staff).order_by("-received_at")[:20]))
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
