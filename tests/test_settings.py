"""Settings come from the environment: embedded defaults, PostgreSQL and Redis when given, and
a production mode that passes `check --deploy` with no warnings."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'db': s.DATABASES['default']['ENGINE'], 'cache': s.CACHES['default']['BACKEND'], "
    "'eager': s.CELERY_TASK_ALWAYS_EAGER, 'broker': s.CELERY_BROKER_URL, 'debug': s.DEBUG}))"
)


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ENV", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean |= {"DJANGO_SETTINGS_MODULE": "config.settings", "VAR_DIR": str(ROOT / "var" / "settings-test"), **env}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


def probe(**env: str) -> dict:
    result = run(["-c", PROBE], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_any_variable_the_app_runs_embedded():
    assert probe() == {
        "db": "django.db.backends.sqlite3",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "eager": True,
        "broker": "memory://localhost/",
        "debug": True,
    }


def test_database_and_redis_urls_switch_to_postgresql_and_redis():
    found = probe(DATABASE_URL="postgres://postgres@127.0.0.1:5432/jianyi", REDIS_URL="redis://127.0.0.1:6379/3")
    assert found["db"] == "django.db.backends.postgresql"
    assert found["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert (found["eager"], found["broker"]) == (False, "redis://127.0.0.1:6379/3")


def test_production_mode_passes_check_deploy_without_warnings():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        DJANGO_ALLOWED_HOSTS="jianyi.example.gov.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = run(["manage.py", "check"], DJANGO_ENV="production", DJANGO_ALLOWED_HOSTS="jianyi.example.gov.cn")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
