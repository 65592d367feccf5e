"""Every body the API takes, sent wrong, is answered 400 saying what is wrong in Chinese, as the
page's form says it; never a 500, never DRF's English.

The wrong bodies are made from each operation's request schema: each field given an object,
a value of the wrong type, a text over its length, a date that is none, a choice that is not
offered; and a body that is no object at all. Each is sent as the first persona of the crawl's
world (tests/access/world.py) who reaches the operation's checks on a real object of its kind,
so a wrong field is judged where the endpoint really judges it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from deputies.api.tokens import create_token
from tests.access import crawl, world
from tests.api.paths import kind_of

CHINESE = re.compile(r"[\u4e00-\u9fff]")
SCHEMA = SchemaGenerator().get_schema(request=None, public=True)


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = SCHEMA["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    """(path, method, the body's properties) of each operation that takes a JSON object."""
    found = []
    for path, methods in SCHEMA["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if content:
                properties = _resolve(content["schema"]).get("properties", {})
                if properties:
                    found.append((path, method, {k: _resolve(v) for k, v in properties.items()}))
    return found


def _wrong_values(field: dict[str, Any]) -> Iterator[Any]:
    """Values of the field the schema does not allow."""
    yield {"an": "object"}
    kind = field.get("type")
    if field.get("enum"):
        yield "none-of-these"
    if kind == "integer":
        yield "twelve"
    if kind == "array":
        yield ["twelve"]
    if kind == "string" and field.get("format") == "date":
        yield "2026-02-30"
    if kind == "string" and "maxLength" in field:
        yield "字" * (field["maxLength"] + 1)


def _wrong_bodies(properties: dict[str, dict[str, Any]]) -> Iterator[Any]:
    yield ["not", "an", "object"]
    yield {}
    for name, field in properties.items():
        if not field.get("readOnly"):
            for value in _wrong_values(field):
                yield {name: value}


def _messages(answer: Any) -> Iterator[str]:
    if isinstance(answer, dict):
        for value in answer.values():
            yield from _messages(value)
    elif isinstance(answer, list):
        for value in answer:
            yield from _messages(value)
    else:
        yield str(answer)


OPERATIONS = _operations()


@pytest.fixture(scope="module")
def wrong_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        built = world.build()
        clients = {}
        for label in world.PERSONAS:
            user = built.users.get(label)
            client = APIClient()
            if user is not None:
                client.credentials(HTTP_AUTHORIZATION=f"Bearer {create_token(user=user, name='t', scope='write')[1]}")
            clients[label] = client
        catalogue = crawl.Catalogue.from_database(first=built.first)
        yield clients, catalogue
        transaction.set_rollback(True)


def _send(client: APIClient, method: str, path: str, body: Any) -> Any:
    return getattr(client, method)(path, body, format="json")


@pytest.mark.parametrize(("path", "method", "properties"), OPERATIONS, ids=[f"{m} {p}" for p, m, _ in OPERATIONS])
def test_a_wrong_body_is_told_in_chinese_field_by_field(path, method, properties, wrong_world, db, settings):
    settings.API_AUTH_RATE = "100000/hour"
    settings.WECHAT_APPID, settings.WECHAT_SECRET = "wx-test", "secret"  # no wrong code reaches WeChat
    clients, catalogue = wrong_world
    kind = kind_of(path)
    objects = [o.pk for o in catalogue.of(kind)] if kind else [None]
    # Who reaches the endpoint's own checks, and on what: an object given to a field is
    # refused before anything is done, so trying it changes nothing.
    probe = {next(iter(properties)): {"an": "object"}}
    reached = next(
        (
            (label, pk)
            for label in world.PERSONAS
            for pk in objects
            if _send(clients[label], method, path.replace("{id}", str(pk)), probe).status_code == 400
        ),
        None,
    )
    assert reached is not None, f"no persona of the world reaches the checks of {method.upper()} {path}"
    label, pk = reached
    url = path.replace("{id}", str(pk))
    told = 0
    for body in _wrong_bodies(properties):
        with transaction.atomic():
            answer = _send(clients[label], method, url, body)
            assert answer.status_code < 500, (body, answer.status_code)
            if answer.status_code == 400:
                told += 1
                english = [m for m in _messages(answer.json()) if not CHINESE.search(m)]
                assert not english, f"{method.upper()} {path} as {label} with {body!r}: {english}"
            transaction.set_rollback(True)
    assert told
