"""Every deputy already on record gets the public code of their intake page and QR card (new
records get theirs when first saved)."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.db import migrations

if TYPE_CHECKING:
    from django.db.backends.base.schema import BaseDatabaseSchemaEditor
    from django.db.migrations.state import StateApps

# A frozen copy of deputies.models.CODE_ALPHABET.
ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"


def give_codes(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Deputy = apps.get_model("deputies", "Deputy")
    taken = set(Deputy.objects.exclude(public_code=None).values_list("public_code", flat=True))
    for deputy in Deputy.objects.filter(public_code=None).only("pk").iterator():
        code = "".join(secrets.choice(ALPHABET) for _ in range(8))
        while code in taken:
            code = "".join(secrets.choice(ALPHABET) for _ in range(8))
        taken.add(code)
        Deputy.objects.filter(pk=deputy.pk).update(public_code=code)


class Migration(migrations.Migration):
    dependencies = [("deputies", "0009_purge_resident_data_schedule")]

    operations = [migrations.RunPython(give_codes, migrations.RunPython.noop)]
