"""The crawl's world, built once per module (it is costly) inside a transaction rolled back
at the end; each test runs in a savepoint of it (the `db` fixture)."""

from __future__ import annotations

import re

import pytest

from tests.access import crawl, world

TITLE_TOKEN = re.compile(r"T\d{4}")
INTERNAL_TOKEN = re.compile(r"INTERNAL-[A-Z]+(?:-[A-Z]+)*-\d{4}[A-Z]?")


class Built:
    def __init__(self, built: world.World) -> None:
        self.world = built
        self.people = [crawl.person(label, user) for label, user in built.users.items()]
        self.catalogue = crawl.Catalogue.from_database(first=built.first)
        self.markers = crawl.Markers.from_database(title_token=TITLE_TOKEN, internal_pattern=INTERNAL_TOKEN)


@pytest.fixture(scope="module")
def built_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            yield Built(world.build())
            transaction.set_rollback(True)


@pytest.fixture
def crawl_world(built_world, db):
    """The world, inside this test's own savepoint."""
    return built_world
