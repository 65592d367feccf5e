"""The demo's accounts: one password for all, the main logins (listed on the login page and
after seed_demo), and how an account is made."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.contrib.auth.hashers import make_password

from deputies.models import Role, User

PASSWORD = "Demo#2026"

# The logins printed after the build and listed on the login page, in this order.
MAIN_LOGINS = [
    ("admin", Role.ADMIN, "系统管理员"),
    ("staff", Role.STAFF, "人大常委会代表工作委员会"),
    ("supervision", Role.SUPERVISION, "区政府办公室督查室"),
    ("leader", Role.LEADER, "区人大常委会副主任"),
    ("leader2", Role.LEADER, "副区长"),
    ("committee", Role.COMMITTEE, "教育科学文化卫生委员会"),
    ("handler", Role.UNIT_HANDLER, "区教育局 承办人"),
    ("head", Role.UNIT_HEAD, "区教育局 局长"),
    ("handler2", Role.UNIT_HANDLER, "区住房和城乡建设局 承办人"),
    ("head2", Role.UNIT_HEAD, "区住房和城乡建设局 局长"),
    ("deputy", Role.DEPUTY, "人大代表（领衔多件建议）"),
    ("deputy2", Role.DEPUTY, "人大代表（附议人）"),
    ("station", Role.STATION_STAFF, "西乡塘街道代表联络站工作人员"),
    ("proposals", Role.PROPOSALS_STAFF, "政协提案委员会"),
    ("member", Role.MEMBER, "政协委员（领衔多件提案）"),
    ("member2", Role.MEMBER, "政协委员（联名委员）"),
]


@lru_cache(maxsize=1)
def _password_hash() -> str:
    # One hash for every demo account: hashing ~110 passwords one by one takes half a minute.
    return make_password(PASSWORD)


def account(username: str, role: str, full_name: str, **extra: Any) -> User:
    """The demo account `username`, made with the demo password if it is not there yet."""
    user, _created = User.objects.get_or_create(
        username=username, defaults={"role": role, "full_name": full_name, "password": _password_hash(), **extra}
    )
    return user
