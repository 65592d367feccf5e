import pytest
from django.core.management import call_command

from deputies.models import Role, User

pytestmark = pytest.mark.django_db


def test_createsuperuser_makes_an_administrator_not_a_deputy():
    call_command("createsuperuser", "--noinput", username="root", email="root@example.gov.cn")
    assert User.objects.get(username="root").role == Role.ADMIN


def test_an_ordinary_account_still_defaults_to_deputy():
    assert User.objects.create_user("someone", password="Secret#2026").role == Role.DEPUTY
