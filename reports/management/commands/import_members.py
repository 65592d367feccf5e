from reports.management.commands._import_command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import CPPCC members from an .xlsx workbook (姓名, 界别, optional 手机, 工作单位及职务): "
        "all rows or none; --dry-run checks only."
    )
    kind = "members"
