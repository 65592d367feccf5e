# The log of text messages moved to `proposals`, beside the notifications it belongs to (one
# delivery path for every app). The rows are copied to the new table before the old one goes.

from django.db import migrations


def copy_rows(apps, schema_editor):
    Old = apps.get_model("supervision", "SmsLog")
    New = apps.get_model("proposals", "SmsLog")
    rows = [
        New(id=row.id, notification_id=row.notification_id, phone=row.phone, text=row.text, sent_at=row.sent_at)
        for row in Old.objects.all().iterator()
    ]
    New.objects.bulk_create(rows, batch_size=1000)
    if rows and schema_editor.connection.vendor == "postgresql":
        # Explicit ids were inserted: move the sequence past them.
        table = New._meta.db_table
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            )


def copy_back(apps, schema_editor):
    Old = apps.get_model("supervision", "SmsLog")
    New = apps.get_model("proposals", "SmsLog")
    Old.objects.bulk_create(
        [
            Old(id=row.id, notification_id=row.notification_id, phone=row.phone, text=row.text, sent_at=row.sent_at)
            for row in New.objects.all().iterator()
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0002_supervision_and_reminders"),
        ("proposals", "0004_text_messages"),
    ]

    operations = [
        migrations.RunPython(copy_rows, copy_back),
        migrations.DeleteModel(name="SmsLog"),
    ]
