"""On PostgreSQL, only the owner may do more than SELECT and INSERT on the suggestions' trail."""

from django.db import migrations

from deputies.appendonly import append_only_grants_operation


class Migration(migrations.Migration):
    dependencies = [("proposals", "0004_outbox")]
    operations = [append_only_grants_operation("proposals_proposalevent")]
