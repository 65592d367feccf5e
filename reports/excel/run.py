"""Running an import: read the workbook, check every row, and write all rows or none.

Every import is checked by a dry run first (inside a transaction that is rolled back, so the
dry run is the real import, undone): it says what would be created and names every bad row
with its reason. Applying runs it again for real. The kinds are imported in this order:
units, deputies (and CPPCC members), then the suggestions (and proposals) that name them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext_lazy
from import_export import resources

from deputies.broker import send_quietly
from deputies.models import User
from deputies.streams import Stream
from proposals.tasks import index_new_texts
from reports.excel.deputies import DeputyResource, deputies_template
from reports.excel.members import MemberResource, members_template
from reports.excel.suggestions import SuggestionResource, suggestions_template
from reports.excel.units import UnitResource, units_template
from reports.excel.workbook import ImportFileError, read_workbook

# The suggestions' resource is made for each import (it records who imports which file).
REFERENCE_RESOURCES = {"units": UnitResource, "deputies": DeputyResource, "members": MemberResource}
TEMPLATES: dict[str, Callable[[], bytes]] = {
    "units": units_template,
    "deputies": deputies_template,
    "members": members_template,
    "suggestions": suggestions_template,
    "proposals": lambda: suggestions_template(Stream.PROPOSAL),
}
# The kinds that are items of a stream, read by one resource (`SuggestionResource`).
ITEM_STREAMS = {"suggestions": Stream.SUGGESTION, "proposals": Stream.PROPOSAL}


@dataclass
class BadRow:
    row: int
    problems: list[str]


# What an import created, in words (the import page and the import commands).
CREATED_LABELS = {
    "units": gettext_lazy("units"),
    "deputies": gettext_lazy("deputies"),
    "members": gettext_lazy("CPPCC members"),
    "suggestions": gettext_lazy("suggestions"),
    "proposals": gettext_lazy("CPPCC proposals"),
    "cosignatures": gettext_lazy("co-signatures"),
    "assignments": gettext_lazy("assignments to units"),
    "replies": gettext_lazy("replies"),
    "ratings": gettext_lazy("ratings"),
    "contacts": gettext_lazy("contact records"),
    "key_items": gettext_lazy("new key items"),
    "key_suggestions": gettext_lazy("key suggestions"),
    "events": gettext_lazy("audit events"),
}


@dataclass
class Outcome:
    """What an import did, or would do: counts of what is created, and every bad row."""

    kind: str
    dry_run: bool
    total_rows: int = 0
    created: dict[str, int] = field(default_factory=dict)
    updated: int = 0
    unchanged: int = 0
    states: dict[str, int] = field(default_factory=dict)
    preview: list[dict[str, Any]] = field(default_factory=list)
    bad_rows: list[BadRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.bad_rows and not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "dry_run": self.dry_run,
            "total_rows": self.total_rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "states": self.states,
            "preview": self.preview,
            "bad_rows": [{"row": b.row, "problems": b.problems} for b in self.bad_rows],
            "errors": self.errors,
            "warnings": self.warnings,
        }


def _headers_by_attribute(resource: resources.Resource[Any]) -> dict[str, str | None]:
    return {f.attribute: f.column_name for f in resource.fields.values() if f.attribute}


def run_import(
    kind: str,
    handle: BinaryIO | File[bytes],
    *,
    user: User | None,
    dry_run: bool,
    file_name: str = "",
    batch_id: int | None = None,
) -> Outcome:
    """Import one workbook of `kind`: all rows or none. With `dry_run` nothing is kept."""
    outcome = Outcome(kind=kind, dry_run=dry_run)
    try:
        dataset = read_workbook(handle)
    except ImportFileError as exc:
        outcome.errors.append(str(exc))
        return outcome
    outcome.total_rows = len(dataset)
    if not len(dataset):
        outcome.errors.append("文件中没有数据行。")
        return outcome
    suggestions = None
    if kind in ITEM_STREAMS:
        suggestions = SuggestionResource(user=user, file_name=file_name, batch_id=batch_id, stream=ITEM_STREAMS[kind])
        resource: resources.Resource[Any] = suggestions
    else:
        resource = REFERENCE_RESOURCES[kind]()
    headers = _headers_by_attribute(resource)
    row_numbers = dataset["_row"]
    with transaction.atomic():
        result = resource.import_data(
            dataset, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True
        )
    for error in result.base_errors:
        outcome.errors.append(_message(error.error))
    # A workbook refused as a whole (a column missing, the other body's workbook) fails every
    # row the same way: the reason is said once, not as each row's.
    failed_rows = [] if result.base_errors else result.error_rows
    for invalid in [] if result.base_errors else result.invalid_rows:
        problems = []
        for attribute, messages in invalid.error_dict.items():
            label = "" if attribute == NON_FIELD_ERRORS else f"{headers.get(attribute, attribute)}："
            problems += [f"{label}{m}" for m in messages]
        outcome.bad_rows.append(BadRow(row_numbers[invalid.number - 1], problems))
    for error_row in failed_rows:
        outcome.bad_rows.append(
            BadRow(row_numbers[error_row.number - 1], [_message(e.error) for e in error_row.errors])
        )
    outcome.bad_rows.sort(key=lambda b: b.row)
    if suggestions is not None:
        outcome.warnings += suggestions.warnings
        if outcome.ok:
            if not dry_run:
                # Searchable and found as similar items once indexed, in the background.
                transaction.on_commit(lambda: send_quietly(index_new_texts))
            outcome.created = dict(suggestions.created)
            outcome.states = getattr(suggestions, "states", {})
            outcome.preview = suggestions.preview
    elif outcome.ok:
        totals = result.totals
        outcome.created = {kind: totals["new"]}
        outcome.updated = totals["update"]
        outcome.unchanged = totals["skip"]
    return outcome


def _message(error: Exception) -> str:
    if isinstance(error, ImportFileError):
        return str(error)
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return f"无法处理：{error}"


def template_workbook(kind: str) -> bytes:
    """The empty template of `kind`, with a sheet explaining each column."""
    return TEMPLATES[kind]()
