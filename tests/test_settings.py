"""Settings come from the environment: embedded defaults, PostgreSQL and Redis when given, a
production mode that passes `check --deploy` with no warnings, and values that are checked at
start (a typo stops the start, it is never read as a default or as False)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_int_list

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


def setting(name: str, **env: str) -> object:
    code = f"import json, django; django.setup(); from django.conf import settings as s; print(json.dumps(s.{name}))"
    result = run(["-c", code], **env)
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


# --- values are checked at start -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", True), ("true", True), ("True", True), ("YES", True), ("on", True), (" yes ", True),
        ("0", False), ("false", False), ("FALSE", False), ("No", False), ("off", False), ("\toff\n", False),
    ],
)  # fmt: skip
def test_env_bool_reads_each_yes_no_spelling(monkeypatch, text, expected):
    monkeypatch.setenv("SOME_FLAG", text)
    # The default is the opposite, so a value read as the default would fail.
    assert env_bool("SOME_FLAG", not expected) is expected


@pytest.mark.parametrize("text", [None, "", "   "])
def test_env_bool_unset_or_empty_means_the_default(monkeypatch, text):
    if text is None:
        monkeypatch.delenv("SOME_FLAG", raising=False)
    else:
        monkeypatch.setenv("SOME_FLAG", text)
    assert env_bool("SOME_FLAG", True) is True
    assert env_bool("SOME_FLAG", False) is False


@pytest.mark.parametrize("text", ["ture", "flase", "2", "y", "enabled"])
def test_env_bool_rejects_a_typo_naming_the_variable_and_the_value(monkeypatch, text):
    monkeypatch.setenv("SOME_FLAG", text)
    with pytest.raises(ImproperlyConfigured, match=f"SOME_FLAG='{text}'"):
        env_bool("SOME_FLAG", True)


def test_env_int_reads_a_number_and_an_empty_value_means_the_default(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", " 42 ")
    assert env_int("SOME_NUMBER", 7) == 42
    monkeypatch.setenv("SOME_NUMBER", "")
    assert env_int("SOME_NUMBER", 7) == 7


@pytest.mark.parametrize("text", ["3O", "1.5", "ten"])
def test_env_int_rejects_a_typo_naming_the_variable_and_the_value(monkeypatch, text):
    monkeypatch.setenv("SOME_NUMBER", text)
    with pytest.raises(ImproperlyConfigured, match=f"SOME_NUMBER='{text}'"):
        env_int("SOME_NUMBER", 7)


def test_env_int_list_reads_numbers_and_rejects_a_typo(monkeypatch):
    monkeypatch.setenv("SOME_DAYS", "15, 7,1")
    assert env_int_list("SOME_DAYS", [3]) == [15, 7, 1]
    monkeypatch.setenv("SOME_DAYS", "")
    assert env_int_list("SOME_DAYS", [3]) == [3]
    monkeypatch.setenv("SOME_DAYS", "15,7,l")
    with pytest.raises(ImproperlyConfigured, match="SOME_DAYS='15,7,l'"):
        env_int_list("SOME_DAYS", [3])


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("STAFF_REVIEWS_REPLIES", "ture"),
        ("LOGIN_FAILURE_LIMIT", "five"),
        ("REPLY_PERIOD", "3 months"),
        ("DJANGO_ENV", "prodution"),
        ("FILE_STORAGE", "S3 bucket"),
    ],
)
def test_a_value_that_cannot_be_read_stops_the_start_naming_the_variable(name, text):
    result = run(["manage.py", "check"], **{name: text})
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: ")
    assert name in last_line
    assert repr(text) in last_line


def test_an_empty_value_in_the_environment_means_the_default():
    assert setting("STAFF_REVIEWS_REPLIES", STAFF_REVIEWS_REPLIES="") is True
    assert setting("REQUIRED_COSIGNERS", REQUIRED_COSIGNERS="") == 0


def test_audit_records_are_kept_three_years_unless_set():
    assert setting("AUDIT_RETENTION_DAYS") == 1095
    assert setting("AUDIT_RETENTION_DAYS", AUDIT_RETENTION_DAYS="180") == 180


def test_a_retention_below_six_months_stops_the_start():
    result = run(["manage.py", "check"], AUDIT_RETENTION_DAYS="179")
    assert result.returncode != 0
    assert "AUDIT_RETENTION_DAYS=179 is below the minimum of 180 days" in result.stderr


# --- files -------------------------------------------------------------------------------------


def test_files_go_to_media_root_by_default_or_to_a_private_bucket_with_file_storage_s3():
    assert setting('STORAGES["default"]["BACKEND"]') == "django.core.files.storage.FileSystemStorage"
    s3 = setting(
        'STORAGES["default"]',
        FILE_STORAGE="s3",
        S3_BUCKET="jianyi-files",
        S3_ENDPOINT_URL="http://127.0.0.1:9000",
        S3_ADDRESSING_STYLE="path",
    )
    assert s3["BACKEND"] == "storages.backends.s3.S3Storage"
    options = s3["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"], options["addressing_style"]) == (
        "jianyi-files",
        "http://127.0.0.1:9000",
        "path",
    )
    # No public ACL, never a URL that does not expire, never one upload over another.
    assert (options["default_acl"], options["querystring_auth"], options["file_overwrite"]) == (None, True, False)


def test_file_storage_s3_without_a_bucket_stops_the_start():
    result = run(["manage.py", "check"], FILE_STORAGE="s3")
    assert result.returncode != 0
    assert "S3_BUCKET must be set" in result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("name", ["PASSWORD_MIN_LENGTH", "PASSWORD_HISTORY_COUNT"])
def test_a_password_rule_cannot_be_turned_off_with_zero(name):
    result = run(["manage.py", "check"], **{name: "0"})
    assert result.returncode != 0
    assert f"{name}=0 must be at least 1" in result.stderr.strip().splitlines()[-1]


# --- Celery survives a lost worker -------------------------------------------------------------


def test_a_lost_workers_task_goes_back_to_the_queue_and_redis_waits_longer_than_any_task():
    code = (
        "import json, django; django.setup(); from config.celery import app; c = app.conf; "
        "print(json.dumps([c.task_acks_late, c.task_reject_on_worker_lost, c.task_soft_time_limit, "
        "c.task_time_limit, c.broker_transport_options['visibility_timeout'], c.broker_connection_timeout]))"
    )
    result = run(["-c", code], REDIS_URL="redis://127.0.0.1:6379/3", CELERY_VISIBILITY_TIMEOUT="900")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [True, True, 600, 660, 900, 2]


def test_a_visibility_timeout_shorter_than_the_time_limit_stops_the_start():
    result = run(["manage.py", "check"], CELERY_TASK_TIME_LIMIT="660", CELERY_VISIBILITY_TIMEOUT="600")
    assert result.returncode != 0
    assert "CELERY_VISIBILITY_TIMEOUT" in result.stderr.strip().splitlines()[-1]
