"""The crafted year (tests/reports/crafted.py), built once per module and rolled back after."""

from __future__ import annotations

import pytest

from tests.reports import crafted


@pytest.fixture(scope="module")
def crafted_year(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            year = crafted.build()
            yield year
            transaction.set_rollback(True)


@pytest.fixture
def year(crafted_year, db):
    """The crafted year, inside this test's own transaction."""
    return crafted_year
