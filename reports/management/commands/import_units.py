from reports.management.commands._import_command import ImportCommand


class Command(ImportCommand):
    help = "Import units from an .xlsx workbook (the app's template): all rows or none; --dry-run checks only."
    kind = "units"
