"""No personal data reaches any page the public can open.

Which pages: every named route of the URL map (the access table, tests/access/crawl.py `ROUTES`,
which every new route must join), opened without logging in. A route that answers its first
object with anything but 200 (the login page, 404, 405, 401) is not public; one that answers 200
is opened on every object of its kind, all of whose answers are read. Pages added later under
/public/ (the liaison stations' intake and lookup) are crawled the same way once they are in the
table, with nothing to change here.

What is personal (looked for on every public page):
- phone numbers, e-mail and mailing addresses and ID numbers of people: every value of a field
  named like phone, mobile, email, address, id_number, id_card or identity on a model of people
  (`deputies.User`, `deputies.Deputy`, and any model whose name says resident, visitor, citizen,
  petition, person or member), so that later models of people are covered when merged;
- the full names of everyone who is not a deputy or member: congress and CPPCC staff, unit
  handlers and heads, leaders, the supervision office. The public pages name units, never a
  person who did a step;
- what a reply or a contact record says of people: the reply's signer, contact person and
  contact phone (`Reply.signer`, `contact_person`, `contact_phone`), the people at a contact
  (`ContactRecord.people`);
- by pattern, anywhere on the page whatever its source: a mainland mobile number (1[3-9] and
  nine digits) and an 18-character resident ID number.

Not looked for: deputies' and members' names (office-holders, whom a liaison station's public
page may name; the progress pages name none), units' names, addresses and phones (institutions),
titles, numbers, dates and the text of a reply as its unit allowed it to be published (what a
unit writes into a public reply is the unit's published text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse

from deputies.models import Deputy, Role, User
from handling.models import ContactRecord, Reply
from tests.access import conftest as access_world
from tests.access import crawl

# The access crawl's world (tests/access/world.py): every kind of object, built once per module.
built_world, crawl_world = access_world.built_world, access_world.crawl_world

pytestmark = pytest.mark.django_db

PERSONAL_FIELDS = re.compile(r"phone|mobile|e_?mail|address|id_number|id_card|identity", re.I)
PEOPLE_MODELS = re.compile(r"resident|visitor|citizen|petition|person|member", re.I)
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_NUMBER = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
NOT_DEPUTIES = [role for role in Role.values if role not in (Role.DEPUTY, Role.MEMBER)]


def people_models() -> list[type[models.Model]]:
    return [User, Deputy, *(m for m in apps.get_models() if PEOPLE_MODELS.search(m.__name__))]


def personal_values() -> dict[str, str]:
    """Every personal value of the database, with what it is."""
    found: dict[str, str] = {}

    def add(value: object, what: str) -> None:
        text = str(value or "").strip()
        if len(text) >= 4:
            found.setdefault(text, what)

    for model in people_models():
        for fld in model._meta.concrete_fields:
            if PERSONAL_FIELDS.search(fld.name) and not fld.is_relation:
                for value in model.objects.values_list(fld.name, flat=True):
                    add(value, f"{model.__name__}.{fld.name}")
        for fld in model._meta.concrete_fields:
            if model not in (User, Deputy) and fld.name in ("name", "full_name"):
                for value in model.objects.values_list(fld.name, flat=True):
                    add(value, f"{model.__name__}.{fld.name}")
    for name in User.objects.filter(role__in=NOT_DEPUTIES).values_list("full_name", flat=True):
        add(name, "the full name of staff or a handler")
    for signer, person, phone in Reply.objects.values_list("signer", "contact_person", "contact_phone"):
        add(signer, "a reply's signer")
        add(person, "a reply's contact person")
        add(phone, "a reply's contact phone")
    for people in ContactRecord.objects.values_list("people", flat=True):
        add(people, "the people at a contact")
    return found


def leaks(text: str, personal: dict[str, str]) -> list[str]:
    out = [f"{what}: {value}" for value, what in personal.items() if value in text]
    out += [f"a mobile number: {m}" for m in MOBILE.findall(text)]
    out += [f"an ID number: {m}" for m in ID_NUMBER.findall(text)]
    return out


def give_everyone_personal_data() -> None:
    """Phones, e-mails, addresses and ID-like numbers on every person, Chinese full names on
    every login that is not a deputy, and a contact person and phone on every reply."""
    for user in User.objects.all():
        user.phone = f"138{user.pk:08d}"
        user.email = f"person{user.pk}@example.cn"
        if user.role in NOT_DEPUTIES:
            user.full_name = f"经办人员{user.pk:03d}号"
        user.save(update_fields=["phone", "email", "full_name"])
    for deputy in Deputy.objects.all():
        deputy.phone = f"139{deputy.pk:08d}"
        deputy.email = f"deputy{deputy.pk}@example.cn"
        deputy.address = f"城关镇幸福路{deputy.pk}号3单元"
        deputy.work_unit = f"11010519800101{deputy.pk:04d}"
        deputy.save(update_fields=["phone", "email", "address", "work_unit"])
    for reply in Reply.objects.all():
        Reply.objects.filter(pk=reply.pk).update(
            signer=f"签发人{reply.pk:03d}", contact_person=f"联系人{reply.pk:03d}", contact_phone=f"137{reply.pk:08d}"
        )
    for record in ContactRecord.objects.all():
        ContactRecord.objects.filter(pk=record.pk).update(people=f"见面人员{record.pk:03d}、代表本人")


@dataclass
class Opened:
    key: str
    url: str
    found: list[str]


def public_pages(world) -> list[Opened]:
    """Every answer 200 the public gets, with what each shows that is personal."""
    personal = personal_values()
    opened = []
    for key in crawl.route_keys():
        route = crawl.ROUTES[key]
        if route.post_only:
            continue
        objects = world.catalogue.of(route.kind) if route.kind != "none" else [None]
        for i, obj in enumerate(objects):
            url = reverse(crawl.base_name(key), kwargs=route.kwargs(obj)) + route.query
            answer = Client().get(url)
            if answer.status_code != 200:
                if i == 0 and not route.public:
                    break  # not open to the public: its other objects are not either
                continue
            text = answer.content.decode()
            opened.append(Opened(key, url, leaks(text, personal)))
    return opened


def test_no_public_page_shows_personal_data(crawl_world):
    give_everyone_personal_data()
    opened = public_pages(crawl_world)
    keys = {page.key for page in opened}
    # the crawl reached the public pages, each item's page included
    assert {"public_progress:list", "public_progress:detail", "disclosure:replies", "disclosure:reply"} <= keys
    assert {"disclosure:figures", "disclosure:figures_year", "login"} <= keys
    found = [f"{page.url}: {leak}" for page in opened for leak in page.found]
    assert not found, "\n".join(found)


def test_the_checks_see_personal_data_when_a_page_shows_it(crawl_world):
    give_everyone_personal_data()
    personal = personal_values()
    staff = User.objects.filter(role=Role.STAFF).first()
    deputy = Deputy.objects.exclude(phone="").first()
    reply = Reply.objects.first()
    assert staff is not None and deputy is not None and reply is not None
    assert leaks(f"<p>{staff.full_name}</p>", personal)
    assert leaks(f"<p>{deputy.phone}</p>", personal)
    assert leaks(f"<p>{deputy.address}</p>", personal)
    reply.refresh_from_db()
    assert leaks(f"<p>{reply.contact_person}</p>", personal)
    assert leaks("电话 13812345678", {}) and leaks("身份证 11010519800101123X", {})
    assert not leaks("第0012号提案 2025-04-01 区教育局", personal)
