"""On PostgreSQL, refuse UPDATE and DELETE on the security audit log even to raw SQL."""

from django.db import migrations

from deputies.appendonly import append_only_trigger_sql

TABLE = "deputies_auditrecord"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(append_only_trigger_sql(TABLE)[0], params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(append_only_trigger_sql(TABLE)[1], params=None)


class Migration(migrations.Migration):
    dependencies = [("deputies", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
