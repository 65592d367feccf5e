"""Excel in and out (django-import-export, .xlsx): units, deputies and suggestions.

- `workbook`: reading and writing .xlsx files, a cell as text;
- `widgets`: the cell widgets, each turning a cell into a value or a reason in Chinese;
- `columns`: the suggestions' columns, shared by their template, import and export;
- `suggestions`: checking each suggestion row and the history it describes;
- `history`: writing the checked suggestion rows, in bulk (what each row becomes);
- `bulk`: inserting many new rows of one model at once (COPY on PostgreSQL);
- `export`: any list of suggestions as a workbook that re-imports cleanly;
- `units`, `deputies`: the reference data the suggestions name, imported first;
- `run`: running an import (all rows or none), its outcome, the templates.

Callers use the names below; the modules import one another by their full names, never
through this package, so none of them depends on this list.
"""

from deputies.spreadsheet import write_workbook
from reports.excel.columns import SUGGESTION_HEADERS
from reports.excel.deputies import export_deputies
from reports.excel.export import export_suggestions
from reports.excel.members import export_members
from reports.excel.run import CREATED_LABELS, Outcome, run_import, template_workbook
from reports.excel.units import export_units

__all__ = [
    "CREATED_LABELS",
    "SUGGESTION_HEADERS",
    "Outcome",
    "export_deputies",
    "export_members",
    "export_suggestions",
    "export_units",
    "run_import",
    "template_workbook",
    "write_workbook",
]
