"""On PostgreSQL, refuse UPDATE and DELETE on the suggestions' audit trail even to raw SQL."""

from django.db import migrations

from deputies.appendonly import append_only_operation


class Migration(migrations.Migration):
    dependencies = [("proposals", "0001_initial"), ("deputies", "0002_auditrecord_append_only")]
    operations = [append_only_operation("proposals_proposalevent")]
