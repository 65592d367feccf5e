"""How long the upload checks take (proposals.uploads.validate_upload) on files at the size limit.

    .venv/bin/python bench/uploads_bench.py [--runs 5]

Each file is written to a temporary file first and checked from disk, as Django hands over an
upload larger than 2.5 MB. The files:

- photos.docx:  a Word document just under 20 MB that is mostly pictures (20 JPEG-like parts
                that do not compress, as photos do not): the usual large attachment;
- mixed.docx:   12 MB of pictures and a document part that unpacks to 40 MB of text;
- text.docx:    just under 20 MB of text only (about 125 MB unpacked): the most unpacking a
                real document at the size limit asks for;
- import.xlsx:  the app's own export layout with 50,000 rows (the Excel import's upload);
- bomb.docx:    2 GB of zeros in 2 MB (refused from the directory);
- lying.docx:   a part that unpacks to 50 MB while the directory says 1,000 bytes (refused
                while unpacking);
- report.pdf:   a 20 MB PDF (only its two ends are read).

It prints, per file, its size, what it unpacks to, the median time of the runs, the peak of
memory Python allocated during one check (tracemalloc), and the verdict.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MB = 1024 * 1024


def photos_docx(total_mb: float = 19.9, pictures: int = 20) -> bytes:
    from tests import files

    each = int(total_mb * MB - 4096) // pictures
    rng = random.Random(1)
    parts = {f"word/media/image{i}.jpeg": b"\xff\xd8\xff\xe0" + rng.randbytes(each - 4) for i in range(pictures)}
    return files.docx(parts)


def text_part(size: int) -> bytes:
    """Document XML of varied Chinese prose (compresses about as a real document does)."""
    rng = random.Random(2)
    words = [
        w.encode() for w in "建议 学校 交通 安全 增设 护栏 信号灯 社区 养老 服务 医疗 卫生 道路 改造 资金 落实".split()
    ]
    out = bytearray(b"<w:document><w:body>")
    while len(out) < size:
        sentence = b"".join(rng.choice(words) for _ in range(rng.randint(8, 30)))
        out += b"<w:p><w:r><w:t>" + sentence + b"%d</w:t></w:r></w:p>" % rng.randint(1, 10**6)
    return bytes(out + b"</w:body></w:document>")


def mixed_docx() -> bytes:
    from tests import files

    rng = random.Random(3)
    pictures = {f"word/media/image{i}.png": b"\x89PNG\r\n\x1a\n" + rng.randbytes(MB) for i in range(12)}
    data = files.docx(pictures)
    archive = io.BytesIO(data)
    with zipfile.ZipFile(archive, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document2.xml", text_part(40 * MB))
    return archive.getvalue()


def text_docx(unpacked_mb: int) -> bytes:
    from tests import files

    return files.docx({"word/document2.xml": text_part(unpacked_mb * MB)})


def import_xlsx(rows: int) -> bytes:
    from deputies.spreadsheet import write_workbook
    from reports.excel.columns import SUGGESTION_HEADERS

    rng = random.Random(4)
    data = [
        ["十七届人大五次会议", i + 1, f"关于第{i}件事情的建议", "王建国", "李红梅、赵志强", "城关代表团", "2026-01-12"]
        + ["大会", "教科文卫体", "专题调研", text_part(rng.randint(200, 800)).decode(), "区教育局", "区财政局"]
        + ["2026-02-01", "一般", "2026-04-01", "已经解决或基本解决", "满意", "满意", "否", *[""] * 14]
        for i in range(rows)
    ]
    return write_workbook([("建议", SUGGESTION_HEADERS, data)])


def pdf(size: int) -> bytes:
    from tests import files

    small = files.pdf()
    padding = b"%" + b"x" * 78 + b"\n"
    return small[:9] + padding * ((size - len(small)) // len(padding)) + small[9:]


def unpacked(data: bytes) -> int:
    if not data.startswith(b"PK"):
        return len(data)
    return sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.exceptions import ValidationError
    from django.core.files import File

    from proposals.uploads import validate_upload
    from tests import files

    print(
        f"limits: upload {settings.UPLOAD_MAX_MB} MB, {settings.UPLOAD_ZIP_MAX_ENTRIES} entries, "
        f"{settings.UPLOAD_ZIP_MAX_UNPACKED_MB} MB unpacked, ratio {settings.UPLOAD_ZIP_MAX_RATIO}"
    )
    cases = {
        "photos.docx": photos_docx(),
        "mixed.docx": mixed_docx(),
        "text.docx": text_docx(125),
        "import.xlsx": import_xlsx(50_000),
        "bomb.docx": files.zip_bomb(2),
        "lying.docx": files.lying_zip(),
        "report.pdf": pdf(20 * MB - 1024),
    }
    print(f"{'file':<13}{'size MB':>9}{'unpacks MB':>12}{'median ms':>11}{'peak MB':>9}  verdict")
    with tempfile.TemporaryDirectory() as folder:
        for name, data in cases.items():
            path = Path(folder) / name
            path.write_bytes(data)

            def check(path: Path = path, name: str = name) -> str:
                with path.open("rb") as handle:
                    try:
                        validate_upload(File(handle, name=name))
                    except ValidationError as refused:
                        return refused.messages[0]
                return "accepted"

            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                verdict = check()
                times.append(time.perf_counter() - start)
            tracemalloc.start()
            check()
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(
                f"{name:<13}{len(data) / MB:>9.1f}{unpacked(data) / MB:>12.1f}{statistics.median(times) * 1000:>11.1f}"
                f"{peak / MB:>9.1f}  {verdict}"
            )


if __name__ == "__main__":
    main()
