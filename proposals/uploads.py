"""Uploaded files, checked on the way in and served back as downloads. The type is judged by
the file's content (magic bytes), never by the name or the type the browser claims, and the
size is limited (setting UPLOAD_MAX_MB)."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.core.files import File
    from django.db.models.fields.files import FieldFile

# What the content may be, and the extensions a file of that kind may carry.
ALLOWED = {
    "application/pdf": {"pdf"},
    "image/jpeg": {"jpg", "jpeg"},
    "image/png": {"png"},
    # Word: .docx is a zip container; .doc the old OLE2 compound file.
    "application/zip": {"docx", "xlsx"},
    "application/x-ole-storage": {"doc", "xls"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {"docx"},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"xlsx"},
    "application/msword": {"doc"},
}
IMAGES = {"image/jpeg", "image/png"}
OLE2_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
ACCEPT = ".pdf,.doc,.docx,.jpg,.jpeg,.png"


def unique_path(folder: str, filename: str) -> str:
    """Where a file is stored: its folder, a random folder of its own, and its name as given.
    Two files of the same name never meet, on any storage: on an object store shared by several
    instances, "is this name free?" followed by a write is not atomic, and the second upload
    would silently replace the first. The name as uploaded stays the last part."""
    return f"{folder}/{secrets.token_hex(6)}/{filename}"


def sniff(head: bytes) -> str | None:
    if head.startswith(OLE2_MAGIC):
        return "application/x-ole-storage"
    kind = filetype.guess(head)
    return kind.mime if kind else None


def validate_upload(upload: File[bytes], *, allowed: dict[str, set[str]] | None = None) -> None:
    """Raise ValidationError (in Chinese) unless `upload` is an allowed kind within the size limit."""
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
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    mime = sniff(head)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if mime not in allowed or extension not in allowed[mime]:
        if set(allowed) <= IMAGES:
            # Photos only (supervision records): do not say a PDF or Word file would do.
            raise ValidationError(
                _("“%(name)s” is not a JPG or PNG photo. Only photos can be added here.") % {"name": name}
            )
        raise ValidationError(
            _("“%(name)s” is not a PDF, Word document or image (JPG, PNG). Only these can be attached.")
            % {"name": name}
        )


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
