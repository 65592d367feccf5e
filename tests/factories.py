from __future__ import annotations

import datetime as dt

import factory

from deputies.models import Delegation, Deputy, Role, Term, User
from deputies.streams import Stream
from handling.models import ResultCategory, Unit, UnitMember
from proposals.models import Category, Meeting, Proposal, Source

PASSWORD = "Test#2026pass"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.DEPUTY
    password = factory.django.Password(PASSWORD)


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term
        django_get_or_create = ("stream", "number")

    stream = Stream.SUGGESTION
    number = 17
    name = "第十七届"
    start_year = 2022


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting
        django_get_or_create = ("term", "number")

    term = factory.SubFactory(TermFactory)
    number = 5
    name = "十七届人大五次会议"
    year = 2026
    opens_on = dt.date(2026, 1, 10)
    closes_on = dt.date(2026, 1, 13)


class DelegationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delegation
        django_get_or_create = ("stream", "name")

    stream = Stream.SUGGESTION
    name = factory.Sequence(lambda n: f"第{n}代表团")


class DeputyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deputy

    name = factory.Sequence(lambda n: f"代表{n}")
    delegation = factory.SubFactory(DelegationFactory)
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    user = factory.SubFactory(UserFactory, role=Role.DEPUTY)


class CppccTermFactory(TermFactory):
    stream = Stream.PROPOSAL
    number = 13
    name = "政协第十三届"


class CppccMeetingFactory(MeetingFactory):
    term = factory.SubFactory(CppccTermFactory)
    number = 3
    name = "政协第十三届三次会议"
    opens_on = dt.date(2026, 1, 9)
    closes_on = dt.date(2026, 1, 12)


class SectorFactory(DelegationFactory):
    stream = Stream.PROPOSAL
    name = factory.Sequence(lambda n: f"第{n}界别")


class MemberFactory(DeputyFactory):
    """A CPPCC member (政协委员), in a sector."""

    stream = Stream.PROPOSAL
    name = factory.Sequence(lambda n: f"委员{n}")
    delegation = factory.SubFactory(SectorFactory)
    user = factory.SubFactory(UserFactory, role=Role.MEMBER)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"类别{n}")


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ("name",)

    name = "专题调研"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"承办单位{n}")


class UnitMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitMember

    user = factory.SubFactory(UserFactory, role=Role.UNIT_HANDLER)
    unit = factory.SubFactory(UnitFactory)


class ResultCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResultCategory
        django_get_or_create = ("name",)

    name = "已经解决或基本解决"
    result_class = "A"


class ProposalFactory(factory.django.DjangoModelFactory):
    """A draft. Move it on with tests.workflow, which uses the real services."""

    class Meta:
        model = Proposal
        skip_postgeneration_save = True

    meeting = factory.SubFactory(MeetingFactory)
    title = factory.Sequence(lambda n: f"关于第{n}件事情的建议")
    body = "建议正文：现状、问题、建议措施。"
    lead_deputy = factory.SubFactory(DeputyFactory)
    stream = factory.LazyAttribute(lambda o: o.lead_deputy.stream)
    category = factory.SubFactory(CategoryFactory)
    created_by = factory.LazyAttribute(lambda o: o.lead_deputy.user)

    @factory.post_generation
    def created_event(obj, create, extracted, **kwargs):
        """Like proposals.services.create_draft, the trail starts with its creation."""
        if create:
            from proposals.services import record_event

            record_event(obj, "create", by=obj.created_by)
