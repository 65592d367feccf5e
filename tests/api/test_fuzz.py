"""Every operation of the API's schema fuzzed with Schemathesis, as each role (a deputy, a unit
handler and its head, congress staff, the proposals committee, a CPPCC member, the public),
against the crawl's world (tests/access/world.py: suggestions in every state): never a 500,
and every documented answer as the schema says.

Each generated request is sent as it was made (its ids are mostly of nothing: 404) and again
on an object of the world of the kind its path names, so the endpoints' real work is fuzzed
too. The examples are few and fixed (derandomized) so that the run is quick and repeatable;
`API_FUZZ_EXAMPLES` asks for more. It runs with the whole suite, so CI runs it on PostgreSQL."""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from config.wsgi import application
from deputies.api.tokens import create_token
from tests.access import crawl, world
from tests.api.paths import KIND_OF_PATH, ROLES, kind_of

pytestmark = [pytest.mark.fuzz]

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "6"))


def _schema() -> Any:
    loaded = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    loaded.app = application
    # Hypothesis's examples only: the coverage phase's every boundary of every parameter is
    # hundreds of requests on the filtered lists, too many for each of seven roles here.
    loaded.config.phases.update(phases=["examples", "fuzzing"])
    return loaded


schema = _schema()


class Fuzzed:
    def __init__(self, built: world.World) -> None:
        self.tokens = {
            label: create_token(user=user, name="fuzz", scope="write")[1]
            for label, user in built.users.items()
            if label in ROLES and user is not None
        }
        catalogue = crawl.Catalogue.from_database(first=built.first)
        self.ids = {kind: [obj.pk for obj in catalogue.of(kind)] for _pattern, kind in KIND_OF_PATH}


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield Fuzzed(world.build())
        transaction.set_rollback(True)


@pytest.fixture
def fuzzed(fuzz_world, db, monkeypatch):
    """The world in this test's savepoint; a request's start and end do not close the test's
    connection (as Django's test client arranges), and no throttling gets in the way."""
    from deputies.api.auth import TokenRateThrottle
    from deputies.api.public import PublicRateThrottle

    unlimited = {"token": "1000000/hour", "public": "1000000/hour"}
    for throttle in (TokenRateThrottle, PublicRateThrottle):
        monkeypatch.setattr(throttle, "THROTTLE_RATES", unlimited)
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield fuzz_world
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def _real_id(case: Any, fuzzed: Fuzzed) -> int | None:
    kind = kind_of(case.path)
    ids = fuzzed.ids[kind] if kind else []
    return ids[hash(repr((case.path_parameters, case.query, case.body))) % len(ids)] if ids else None


CHECKS = [not_a_server_error, response_schema_conformance]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_500_or_outside_its_schema(case, fuzzed):
    real = _real_id(case, fuzzed)
    for role in ROLES:
        token = fuzzed.tokens.get(role)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        case.call_and_validate(headers=headers, checks=CHECKS)
        if real is not None:
            generated = dict(case.path_parameters or {})
            case.path_parameters = {**generated, "id": real}
            try:
                case.call_and_validate(headers=headers, checks=CHECKS)
            finally:
                case.path_parameters = generated
