"""On PostgreSQL, refuse UPDATE and DELETE on the suggestions' audit trail even to raw SQL."""

from django.db import migrations

from deputies.appendonly import append_only_trigger_sql

TABLE = "proposals_proposalevent"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(append_only_trigger_sql(TABLE)[0], params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(append_only_trigger_sql(TABLE)[1], params=None)


class Migration(migrations.Migration):
    dependencies = [("proposals", "0001_initial"), ("deputies", "0002_auditrecord_append_only")]
    operations = [migrations.RunPython(forward, backward)]
