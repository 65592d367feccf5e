"""The request's user comes with its deputy record and unit membership in the same query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "page"), [("deputy", "proposals:mine"), ("unit_handler", "proposals:list"), ("staff", "proposals:list")]
)
def test_a_page_reads_the_deputy_and_the_unit_of_the_login_with_it(client, request, who, page):
    person = request.getfixturevalue(who)
    client.force_login(getattr(person, "user", person))
    client.get(reverse(page))  # the first request after logging in saves the session
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse(page)).status_code == 200
    first_tables = [
        q["sql"].split(" FROM ", 1)[1].split()[0] for q in captured.captured_queries if " FROM " in q["sql"]
    ]
    assert first_tables.count('"deputies_user"') == 1
    assert '"deputies_deputy"' not in first_tables
    assert '"handling_unitmember"' not in first_tables
