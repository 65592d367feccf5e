"""On PostgreSQL, refuse UPDATE and DELETE on the security audit log even to raw SQL."""

from django.db import migrations

from deputies.appendonly import append_only_operation


class Migration(migrations.Migration):
    dependencies = [("deputies", "0001_initial")]
    operations = [append_only_operation("deputies_auditrecord")]
