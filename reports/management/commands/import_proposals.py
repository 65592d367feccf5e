from reports.management.commands._import_command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import CPPCC proposals from an .xlsx workbook (the proposals template: 领衔委员, 联名委员, 界别, 提案编号): "
        "all rows or none; --dry-run checks only."
    )
    kind = "proposals"
