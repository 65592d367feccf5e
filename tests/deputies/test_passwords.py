"""The password rules: Django's common-password and similarity checks, at least eight
characters that are not whitespace from three of four classes, no common password in
disguise, none of the last five passwords; each refusal explained in Chinese."""

from __future__ import annotations

import os
from unittest import mock

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from deputies.models import Role, UsedPassword, User
from deputies.passwords import undressed
from tests import factories as f

pytestmark = pytest.mark.django_db


def refusals(password: str, user: User | None = None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return error.messages
    return []


@pytest.mark.parametrize(
    "password",
    [
        "Jianyi#2026",
        "人大代表abc#1234",  # Chinese letters count in the length, in no class
        "  Jianyi#2026  ",  # spaces may be there; they just do not count
        "Bz7!kq2m",  # exactly eight, four classes
        "zhongguo#7Tq",
        f.PASSWORD,  # the test accounts' password
    ],
)
def test_a_good_password_passes(password):
    assert refusals(password) == []


@pytest.mark.parametrize(
    ("password", "because"),
    [
        ("Sh0rt#", "至少需要 8 个字符"),
        ("        1a!", "至少需要 8 个字符（空格不计）"),  # eleven characters, three of them real
        ("abcdefgh1", "至少三类"),  # lowercase and digits: two classes
        ("abcdefg#!", "至少三类"),
        ("12345678#", "至少三类"),
        ("ABCDEFGH 1", "至少三类"),  # a space is no symbol
        ("Passw0rd!", "常见密码的变形"),
        ("P@ssword1", "常见密码的变形"),
        ("qwerty123!", "常见密码的变形"),
        ("Pa$$w0rd2026", "常见密码的变形"),
        ("1l0veyou!", "常见密码的变形"),  # 1 read as i, 0 as o: "iloveyou"
        ("Demo#2026", "常见密码的变形"),  # the demo's password is "demo" dressed up, see the README
        ("password", "太常见"),  # Django's own check, said once
    ],
)
def test_a_weak_password_is_refused_in_chinese(password, because):
    found = refusals(password)
    assert any(because in message for message in found), found


def test_a_plainly_common_password_is_not_also_called_one_in_disguise():
    assert not any("变形" in message for message in refusals("iloveyou"))


def test_a_short_word_at_the_start_is_no_disguise():
    # "a" is on Django's list; a letter followed by digits and symbols is judged by the other rules.
    assert refusals("A$8271!93") == []


def test_undressing_reads_the_usual_look_alikes():
    assert "password" in undressed("P@$$w0rd2026!!")
    assert undressed("H3110w0rld") == {"helloworld", "heiioworld"}
    assert "qwerty" in undressed("Qwerty 123 ")


# --- the last five passwords ----------------------------------------------------------------

PASSWORDS = [f"Jianyi#{n}Qx" for n in range(1, 7)]  # six good passwords, set in this order


@pytest.fixture
def user() -> User:
    """An account created with the test password (no history: factories store the hash), then
    given the six passwords in turn through set_password, as every Django path does."""
    account = f.UserFactory(username="wang", role=Role.STAFF)
    for password in PASSWORDS:
        account.set_password(password)
        account.save()
    return account


def test_the_current_password_is_refused(user):
    assert any("最近 5 次" in message for message in refusals(PASSWORDS[-1], user))


@pytest.mark.parametrize("index", [1, 2, 3, 4])
def test_each_of_the_last_five_is_refused(user, index):
    assert refusals(PASSWORDS[index], user) != []


def test_the_sixth_oldest_is_allowed_again(user):
    assert refusals(PASSWORDS[0], user) == []
    assert refusals(f.PASSWORD, user) == []  # the one before it, set before any history


def test_a_new_password_is_allowed(user):
    assert refusals("Another#9Zq", user) == []


def test_only_hashes_are_kept_and_only_as_many_as_are_checked(user):
    kept = list(UsedPassword.objects.filter(user=user).values_list("password", flat=True))
    assert len(kept) == 5
    assert all(h.startswith("md5$") for h in kept)  # the test settings' hasher
    assert not set(kept) & set(PASSWORDS)
    assert kept[0] == user.password


def test_another_accounts_history_does_not_count(user):
    other = f.UserFactory(username="li")
    assert refusals(PASSWORDS[-1], other) == []


def test_a_current_password_set_without_the_history_is_still_refused():
    # The demo and the imports store a hash directly: that password is still the current one.
    account = f.UserFactory(username="zhao", password="Legacy#2026Q")
    assert not UsedPassword.objects.filter(user=account).exists()
    assert refusals("Legacy#2026Q", account) != []


@override_settings(
    AUTH_PASSWORD_VALIDATORS=[{"NAME": "deputies.passwords.PasswordHistoryValidator", "OPTIONS": {"remember": 2}}]
)
def test_the_number_remembered_is_a_setting():
    from django.contrib.auth.password_validation import get_default_password_validators

    get_default_password_validators.cache_clear()
    try:
        account = f.UserFactory(username="qian")
        for password in PASSWORDS[:3]:
            account.set_password(password)
            account.save()
        assert UsedPassword.objects.filter(user=account).count() == 2
        assert refusals(PASSWORDS[0], account) == []
        assert refusals(PASSWORDS[1], account) != []
    finally:
        get_default_password_validators.cache_clear()


# --- the history follows every way a password is set ------------------------------------------


def test_the_change_password_page_refuses_a_recent_password_and_records_a_new_one(user):
    client = Client()
    client.force_login(user)
    url = reverse("password_change")
    old = PASSWORDS[-1]
    response = client.post(url, {"old_password": old, "new_password1": PASSWORDS[2], "new_password2": PASSWORDS[2]})
    assert response.status_code == 200 and "最近 5 次" in response.content.decode()
    response = client.post(url, {"old_password": old, "new_password1": "Fresh#2026Zq", "new_password2": "Fresh#2026Zq"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert UsedPassword.objects.filter(user=user).first().password == user.password


def test_the_admin_checks_and_records_the_history_of_the_account_it_changes(user, admin_user):
    client = Client()
    client.force_login(admin_user)
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    refused = client.post(url, {"password1": PASSWORDS[3], "password2": PASSWORDS[3]})
    assert refused.status_code == 200 and "最近 5 次" in refused.content.decode()
    client.post(url, {"password1": "ByAdmin#2026Q", "password2": "ByAdmin#2026Q"})
    user.refresh_from_db()
    assert user.check_password("ByAdmin#2026Q")
    assert UsedPassword.objects.filter(user=user).first().password == user.password


def test_createsuperuser_starts_the_history():
    with mock.patch.dict(os.environ, {"DJANGO_SUPERUSER_PASSWORD": "Root#2026Zq"}):
        call_command("createsuperuser", "--noinput", username="root", email="root@example.gov.cn")
    root = User.objects.get(username="root")
    assert list(UsedPassword.objects.filter(user=root).values_list("password", flat=True)) == [root.password]
    assert refusals("Root#2026Zq", root) != []


def test_an_account_made_without_a_password_has_no_history():
    account = User.objects.create_user("zhou")
    assert not account.has_usable_password()
    assert not UsedPassword.objects.filter(user=account).exists()


def test_the_admins_add_user_form_starts_the_history(admin_user):
    client = Client()
    client.force_login(admin_user)
    client.post(
        reverse("admin:deputies_user_add"),
        {"username": "wu", "full_name": "吴", "role": Role.DEPUTY, "password1": "Wu#2026Zq", "password2": "Wu#2026Zq"},
    )
    wu = User.objects.get(username="wu")
    assert list(UsedPassword.objects.filter(user=wu).values_list("password", flat=True)) == [wu.password]


HASHERS = "django.contrib.auth.hashers"


@override_settings(PASSWORD_HASHERS=[f"{HASHERS}.PBKDF2PasswordHasher", f"{HASHERS}.MD5PasswordHasher"])
def test_a_login_that_only_rehashes_the_same_password_adds_nothing():
    account = f.UserFactory(username="sun", password="unused")
    User.objects.filter(pk=account.pk).update(password=make_password("Same#2026Zq", hasher="md5"))
    assert authenticate(RequestFactory().post("/"), username="sun", password="Same#2026Zq") is not None
    account.refresh_from_db()
    assert account.password.startswith("pbkdf2_sha256$")  # upgraded by the login
    assert not UsedPassword.objects.filter(user=account).exists()


def test_a_password_like_the_accounts_name_is_refused():
    account = f.UserFactory(username="zhangwei", full_name="张伟")
    assert any("太相似" in message for message in refusals("zhangwei2026!", account))
