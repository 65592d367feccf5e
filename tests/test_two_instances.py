"""Two web instances, one installation: two gunicorn instances and a Celery worker on one
PostgreSQL database (made afresh), one Redis database and one shared media directory; one
suggestion's whole life is driven over HTTP across both (scripts/two_instances.py says who does
what where), with its files, an Excel import, the report PDF, a login lockout and a logout."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import pytest

from scripts import two_instances

pytestmark = pytest.mark.postgres


def urls() -> tuple[str, str]:
    """A database of this test's own beside the suite's, and Redis database 13 of the suite's server."""
    redis = os.environ.get("REDIS_URL", "")
    if not redis.startswith("redis://"):
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail("the two-instance test needs REDIS_URL (e.g. redis://127.0.0.1:6379/5)")
        pytest.skip("needs Redis: run with REDIS_URL=redis://127.0.0.1:6379/N")
    database = urlsplit(os.environ["DATABASE_URL"])
    name = f"{database.path.lstrip('/')}_two_instances"
    return urlunsplit(database._replace(path=f"/{name}")), urlunsplit(urlsplit(redis)._replace(path="/13"))


def test_one_suggestions_life_runs_across_two_instances_that_share_database_redis_and_files(tmp_path):
    database, redis = urls()
    try:
        result = two_instances.run(database, redis, tmp_path)
    finally:
        two_instances.drop_database(database)
    found = result.found
    assert result.problems == []
    assert found["state"] == "closed" and found["reply"] == "issued"
    # Each file written through one instance (or the worker) is in the one shared storage.
    assert len(found["files"]) == 4 and all(found["files"].values())
    # The lockout counted the failures made on both instances; the logout on B ended the session on A.
    assert found["lockouts"] == [["outsider", 5]]
    assert found["import"] == "applied" and found["report"] == "done"
