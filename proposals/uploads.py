"""Uploaded files, checked on the way in and served back as downloads.

A file is judged by what it is, never by its name or by the type the browser claims:

- its first bytes say its kind (PDF, JPEG, PNG, an OLE2 compound file for the old .doc and
  .xls, a ZIP for .docx and .xlsx), and its extension must be one that kind may carry;
- a PDF must start with `%PDF-` and end with `%%EOF`, and hold no HTML or script in the bytes
  a browser sniffs (a PDF/HTML polyglot is refused);
- a .docx or .xlsx must be a real Office Open XML package: `[Content_Types].xml` and the main
  part of its kind (`word/document.xml`, `xl/workbook.xml`), no program or macro inside (by the
  parts' names and by their first bytes, nested archives included), and within the limits on
  entries, unpacked size and compression ratio that stop a zip bomb. The limits are checked on
  the archive's directory before anything is unpacked, then again on the bytes each part really
  unpacks to, so a directory that lies cannot let a bomb through;
- an image must say its size in pixels, within UPLOAD_IMAGE_MAX_MEGAPIXELS (a few kilobytes of
  PNG can ask the browser that shows it for gigabytes);
- every file is at most UPLOAD_MAX_MB.

Each refusal is a ValidationError in Chinese that names the file and says why.
"""

from __future__ import annotations

import io
import secrets
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.core.files import File
    from django.db.models.fields.files import FieldFile

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
OLE2 = "application/x-ole-storage"  # the old .doc and .xls
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP = "application/zip"  # what the first bytes say of a .docx or .xlsx, until its parts are read

# What the content may be, and the extensions a file of that kind may carry.
ALLOWED = {
    PDF: {"pdf"},
    JPEG: {"jpg", "jpeg"},
    PNG: {"png"},
    DOCX: {"docx"},
    XLSX: {"xlsx"},
    OLE2: {"doc", "xls"},
}
IMAGES = {JPEG: {"jpg", "jpeg"}, PNG: {"png"}}
WORKBOOK = {XLSX: {"xlsx"}}
ACCEPT = ".pdf,.doc,.docx,.jpg,.jpeg,.png"

OLE2_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
MAGIC = [
    (b"%PDF-", PDF),
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (OLE2_MAGIC, OLE2),
    (b"PK\x03\x04", ZIP),
]

# The part that makes a package a Word document or an Excel workbook.
MAIN_PARTS = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml"}
CONTENT_TYPES = "[Content_Types].xml"
# Parts that are programs, by name (nothing in a document needs them) ...
PROGRAM_EXTENSIONS = {
    ".exe", ".dll", ".bat", ".cmd", ".com", ".scr", ".js", ".vbs", ".msi", ".jar",
    ".ps1", ".hta", ".lnk", ".wsf", ".vbe", ".jse", ".pif", ".cpl",
}  # fmt: skip
# ... and by their first bytes: Windows (MZ), Linux (ELF), macOS (Mach-O) and Java class files.
PROGRAM_MAGIC = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe")
# A package with macros declares them in [Content_Types].xml (the VBA project, or a
# macro-enabled main part: a .docm renamed .docx).
MACRO_MARKERS = (b"vbaproject", b"macroenabled")
# Archives inside a package (an embedded workbook in a document) are checked the same way, to
# this depth; one nested deeper is refused, as no Office file needs it.
MAX_NESTING = 2
# A part smaller than this is never refused for its ratio: small XML compresses very well.
RATIO_GRACE = 1024 * 1024
CHUNK = 64 * 1024

# The bytes at either end of a PDF a browser or an old sniffer reads to guess that a file is a
# web page (WHATWG's sniffing reads 1,445, old Internet Explorer 256), with room to spare.
SNIFF_BYTES = 4096
HTML_MARKERS = (b"<!doctype", b"<html", b"<head", b"<body", b"<script", b"<iframe", b"<svg", b"<meta")
PDF_WHITESPACE = b"\x00\t\n\x0c\r "


def unique_path(folder: str, filename: str) -> str:
    """Where a file is stored: its folder, a random folder of its own, and its name as given.
    Two files of the same name never meet, on any storage: on an object store shared by several
    instances, "is this name free?" followed by a write is not atomic, and the second upload
    would silently replace the first. The name as uploaded stays the last part."""
    return f"{folder}/{secrets.token_hex(6)}/{filename}"


def sniff(head: bytes) -> str | None:
    """The kind the first bytes say, or None."""
    return next((kind for magic, kind in MAGIC if head.startswith(magic)), None)


def validate_upload(upload: File[bytes], *, allowed: dict[str, set[str]] | None = None) -> None:
    """Raise ValidationError (in Chinese) unless `upload` is an allowed kind, is what it says it
    is, and is within the limits (see the module's docstring)."""
    allowed = allowed or ALLOWED
    limit = settings.UPLOAD_MAX_MB * 1024 * 1024
    name = getattr(upload, "name", "") or ""
    if upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size).1f MB; files may be at most %(limit)s MB.")
            % {"name": name, "size": upload.size / 1024 / 1024, "limit": settings.UPLOAD_MAX_MB}
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    upload.seek(0)
    try:
        kind = sniff(upload.read(8192))
        if kind == ZIP and allowed.keys() & MAIN_PARTS.keys():
            kind = _check_package(upload, name)
        if kind == OLE2 and extension in {"docx", "xlsx"}:
            # Word and Excel save a password-protected .docx/.xlsx as an OLE2 file.
            raise ValidationError(
                _(
                    "“%(name)s” is password-protected, or an old .doc/.xls file renamed: remove the "
                    "password or save it again as .%(extension)s."
                )
                % {"name": name, "extension": extension}
            )
        if kind in MAIN_PARTS and extension in {"docx", "xlsx"} and extension not in ALLOWED[kind]:
            raise ValidationError(
                _("“%(name)s” is named .%(extension)s but holds %(kind)s: give it the right extension.")
                % {"name": name, "kind": _kind_name(kind), "extension": extension}
            )
        if kind not in allowed or extension not in allowed[kind]:
            raise _not_allowed(name, allowed)
        if kind == PDF:
            _check_pdf(upload, name)
        elif kind in IMAGES:
            _check_image(upload, name, kind)
    finally:
        upload.seek(0)


def _kind_name(kind: str) -> str:
    return _("a Word document (.docx)") if kind == DOCX else _("an Excel workbook (.xlsx)")


def _not_allowed(name: str, allowed: dict[str, set[str]]) -> ValidationError:
    if allowed.keys() <= IMAGES.keys():
        # Photos only (supervision records): do not say a PDF or Word file would do.
        return ValidationError(
            _("“%(name)s” is not a JPG or PNG photo. Only photos can be added here.") % {"name": name}
        )
    if allowed.keys() <= WORKBOOK.keys():
        return ValidationError(_("“%(name)s” is not an Excel workbook (.xlsx).") % {"name": name})
    return ValidationError(
        _("“%(name)s” is not a PDF, Word document or image (JPG, PNG). Only these can be attached.") % {"name": name}
    )


# --- PDF ---------------------------------------------------------------------------------------------


def _check_pdf(upload: File[bytes], name: str) -> None:
    """`%PDF-` at the start (sniffed already), `%%EOF` at the end, and no web page at either end."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(max(0, (upload.size or 0) - SNIFF_BYTES))
    tail = upload.read(SNIFF_BYTES)
    if not tail.rstrip(PDF_WHITESPACE).endswith(b"%%EOF"):
        raise ValidationError(
            _("“%(name)s” is not a complete PDF (its end is missing): save or scan it again.") % {"name": name}
        )
    if any(marker in part.lower() for part in (head, tail) for marker in HTML_MARKERS):
        raise ValidationError(
            _("“%(name)s” is not a plain PDF: it also holds web page code (HTML or script).") % {"name": name}
        )


# --- images -----------------------------------------------------------------------------------------


def _check_image(upload: File[bytes], name: str, kind: str) -> None:
    size = _png_size(upload) if kind == PNG else _jpeg_size(upload)
    if size is None or 0 in size:
        raise ValidationError(_("“%(name)s” is damaged: it cannot be read as a JPG or PNG image.") % {"name": name})
    width, height = size
    if width * height > settings.UPLOAD_IMAGE_MAX_MEGAPIXELS * 1_000_000:
        raise ValidationError(
            _(
                "“%(name)s” is %(width)s × %(height)s pixels; images may have at most %(limit)s million "
                "pixels. Make it smaller and try again."
            )
            % {"name": name, "width": width, "height": height, "limit": settings.UPLOAD_IMAGE_MAX_MEGAPIXELS}
        )


def _png_size(handle: IO[bytes] | File[bytes]) -> tuple[int, int] | None:
    """Width and height from the IHDR chunk, which must come first."""
    handle.seek(8)
    chunk = handle.read(16)
    if len(chunk) < 16 or chunk[4:8] != b"IHDR":
        return None
    width, height = struct.unpack(">II", chunk[8:16])
    return width, height


# JPEG frame headers (SOF0–SOF15) carry the size; C4, C8 and CC are other markers in that range.
_JPEG_FRAMES = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _jpeg_size(handle: IO[bytes] | File[bytes]) -> tuple[int, int] | None:
    """Width and height from the first frame header, walking the segments before it (EXIF and
    colour profiles can push it well past the first kilobytes)."""
    handle.seek(2)
    while True:
        marker = handle.read(2)
        if len(marker) < 2 or marker[0] != 0xFF:
            return None
        code = marker[1]
        while code == 0xFF:  # fill bytes before a marker
            byte = handle.read(1)
            if not byte:
                return None
            code = byte[0]
        if code == 0x01 or 0xD0 <= code <= 0xD8:  # markers without a length
            continue
        if code in (0xD9, 0xDA):  # end of image, or the scan, before any frame header
            return None
        length_bytes = handle.read(2)
        if len(length_bytes) < 2:
            return None
        (length,) = struct.unpack(">H", length_bytes)
        if code in _JPEG_FRAMES:
            frame = handle.read(5)
            if len(frame) < 5:
                return None
            _precision, height, width = struct.unpack(">BHH", frame)
            return width, height
        if length < 2:
            return None
        handle.seek(length - 2, io.SEEK_CUR)


# --- Office Open XML packages (.docx, .xlsx) ----------------------------------------------------------


@dataclass
class _Budget:
    """What the parts of one upload may still add up to, nested archives included."""

    entries: int
    unpacked: int


class _Refused(Exception):
    """A package refused: the message, with `%(name)s` for the file's name, which the caller
    knows (the check may be deep inside a nested archive), and its other values."""

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message)
        self.message, self.values = message, values

    def for_file(self, name: str) -> ValidationError:
        return ValidationError(self.message % {**self.values, "name": name})


def _check_package(upload: File[bytes], name: str) -> str | None:
    """The kind of package `upload` is (DOCX or XLSX), after checking every part of it; None for a
    ZIP that is no Office document. Raises ValidationError, naming the file, for any refusal."""
    budget = _Budget(
        entries=settings.UPLOAD_ZIP_MAX_ENTRIES, unpacked=settings.UPLOAD_ZIP_MAX_UNPACKED_MB * 1024 * 1024
    )
    try:
        parts = _check_archive(upload, budget, depth=0)
    except _Refused as refused:
        raise refused.for_file(name) from None
    if CONTENT_TYPES not in parts:
        raise ValidationError(
            _("“%(name)s” is a ZIP archive, not a Word (.docx) or Excel (.xlsx) document.") % {"name": name}
        )
    if any(marker in parts[CONTENT_TYPES].lower() for marker in MACRO_MARKERS):
        raise ValidationError(
            _("“%(name)s” contains macros. Save it as a document without macros (.docx, .xlsx) and try again.")
            % {"name": name}
        )
    kinds = [kind for kind, part in MAIN_PARTS.items() if part in parts]
    if len(kinds) != 1:
        raise ValidationError(
            _("“%(name)s” is a ZIP archive, not a Word (.docx) or Excel (.xlsx) document.") % {"name": name}
        )
    return kinds[0]


def _check_archive(handle: IO[bytes] | File[bytes], budget: _Budget, depth: int) -> dict[str, bytes]:
    """Check one archive's directory, then unpack each part to check what it really is and holds.
    Returns the parts' names, with the text of [Content_Types].xml (empty for the others)."""
    archive = _open_archive(handle, budget)
    ratio = settings.UPLOAD_ZIP_MAX_RATIO
    infos = archive.infolist()
    for info in infos:
        _check_part_name(info.filename)
        if info.file_size > RATIO_GRACE and info.file_size > ratio * max(info.compress_size, 1):
            raise _too_compressed(info.filename)
    parts: dict[str, bytes] = {}
    for info in infos:
        data = _unpack(handle, info, budget, whole=info.filename == CONTENT_TYPES)
        parts[info.filename] = data if info.filename == CONTENT_TYPES else b""
        if data.startswith(PROGRAM_MAGIC):
            raise _program(info.filename)
        if data.startswith(b"PK\x03\x04"):
            if depth >= MAX_NESTING or len(data) < info.file_size:
                raise _Refused(
                    _("“%(name)s” contains archives nested too deeply or too large to check (%(part)s)."),
                    part=info.filename,
                )
            _check_archive(io.BytesIO(data), budget, depth + 1)
    return parts


def _open_archive(handle: IO[bytes] | File[bytes], budget: _Budget) -> zipfile.ZipFile:
    """The archive, once its directory is within the limits. The end record's count and the
    directory's length are read before the directory itself: parsing hundreds of thousands of
    empty entries costs seconds and hundreds of megabytes."""
    end = _end_record(handle)
    if end is None:
        raise _damaged()
    count, directory_size = end
    if count > budget.entries or directory_size > budget.entries * 1024:
        raise _too_many()
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error, NotImplementedError):
        raise _damaged() from None
    infos = archive.infolist()
    budget.entries -= len(infos)
    if budget.entries < 0:  # the end record lied about the count
        raise _too_many()
    if sum(info.file_size for info in infos) > budget.unpacked:
        raise _too_large()
    return archive


def _end_record(handle: IO[bytes] | File[bytes]) -> tuple[int, int] | None:
    """The entry count and directory length from the archive's end record (ZIP64's when set)."""
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    handle.seek(max(0, size - 22 - 65535))  # the record, then a comment of up to 64 KB
    tail = handle.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    count, directory_size = struct.unpack("<HL", tail[at + 10 : at + 16])
    if count == 0xFFFF or directory_size == 0xFFFFFFFF:
        locator = tail[at - 20 : at] if at >= 20 else b""
        if not locator.startswith(b"PK\x06\x07"):
            return None
        (offset,) = struct.unpack("<Q", locator[8:16])
        handle.seek(offset)
        record = handle.read(56)
        if len(record) < 56 or not record.startswith(b"PK\x06\x06"):
            return None
        count, directory_size = struct.unpack("<QQ", record[32:48])
    return count, directory_size


def _check_part_name(part: str) -> None:
    path = PurePosixPath(part.replace("\\", "/").lower())
    if path.name == "vbaproject.bin":
        raise _Refused(
            _(
                "“%(name)s” contains macros (%(part)s). Save it as a document without macros (.docx, .xlsx) "
                "and try again."
            ),
            part=part,
        )
    if path.suffix in PROGRAM_EXTENSIONS:
        raise _program(part)


def _unpack(handle: IO[bytes] | File[bytes], info: zipfile.ZipInfo, budget: _Budget, *, whole: bool) -> bytes:
    """Unpack one part from its raw bytes, counting what it really unpacks to: more than the
    directory says, more than the budget or a ratio over the limit is refused as it happens, so a
    bomb is never unpacked further than the limits. Returns the part's first bytes; all of them
    when `whole`, or when it is an archive no larger than an upload may be (to be checked in turn)."""
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _damaged()  # encrypted, or packed in a way Office never uses
    handle.seek(info.header_offset)
    header = handle.read(30)
    if len(header) < 30 or not header.startswith(b"PK\x03\x04"):
        raise _damaged()
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    handle.seek(info.header_offset + 30 + name_length + extra_length)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS) if info.compress_type == zipfile.ZIP_DEFLATED else None
    ratio_limit = settings.UPLOAD_ZIP_MAX_RATIO * max(info.compress_size, 1)
    nested = info.file_size <= settings.UPLOAD_MAX_MB * 1024 * 1024
    produced, crc, kept = 0, 0, bytearray()

    def take(data: bytes) -> None:
        nonlocal produced, crc
        produced += len(data)
        if produced > info.file_size:
            raise _Refused(
                _("“%(name)s” is damaged or forged: its part %(part)s holds more than the archive's directory says."),
                part=info.filename,
            )
        if produced > budget.unpacked:
            raise _too_large()
        if produced > RATIO_GRACE and produced > ratio_limit:
            raise _too_compressed(info.filename)
        crc = zlib.crc32(data, crc)
        if whole or len(kept) < 8 or (nested and kept.startswith(b"PK\x03\x04")):
            kept.extend(data)

    left = info.compress_size
    try:
        while left > 0:
            raw = handle.read(min(CHUNK, left))
            if not raw:
                raise _damaged()
            left -= len(raw)
            if inflater is None:
                take(raw)
                continue
            take(inflater.decompress(raw, CHUNK))
            while inflater.unconsumed_tail:
                take(inflater.decompress(inflater.unconsumed_tail, CHUNK))
        if inflater is not None:
            take(inflater.flush())
            if not inflater.eof or inflater.unused_data:
                raise _damaged()
    except zlib.error:
        raise _damaged() from None
    if produced != info.file_size or crc != info.CRC:
        raise _damaged()
    budget.unpacked -= produced
    return bytes(kept)


def _program(part: str) -> _Refused:
    return _Refused(_("“%(name)s” contains a program (%(part)s); it cannot be uploaded."), part=part)


def _damaged() -> _Refused:
    return _Refused(_("“%(name)s” is damaged: it cannot be opened as a Word or Excel document."))


def _too_many() -> _Refused:
    return _Refused(
        _("“%(name)s” has more parts inside than an Office document may have (at most %(limit)s)."),
        limit=settings.UPLOAD_ZIP_MAX_ENTRIES,
    )


def _too_large() -> _Refused:
    return _Refused(
        _("“%(name)s” unpacks to more than %(limit)s MB (a “zip bomb”); it cannot be uploaded."),
        limit=settings.UPLOAD_ZIP_MAX_UNPACKED_MB,
    )


def _too_compressed(part: str) -> _Refused:
    return _Refused(
        _("“%(name)s” has a part packed more than %(limit)s to one (%(part)s: a “zip bomb”); it cannot be uploaded."),
        limit=settings.UPLOAD_ZIP_MAX_RATIO,
        part=part,
    )


# --- downloads ---------------------------------------------------------------------------------------


def download(request: HttpRequest, stored: FieldFile, name: str) -> FileResponse:
    """Serve a stored file as a download (never inline: an upload's content is the uploader's),
    streamed from the storage, whichever it is (a shared directory, an object store): the caller
    has checked access, so no URL of the file itself is ever handed out."""
    if not stored:
        raise Http404("no file")
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404("file missing") from None
    response = FileResponse(handle, as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
