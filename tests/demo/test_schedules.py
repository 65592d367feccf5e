"""The demo has an example of each new handling flow: plans (one with a step overdue, which the
first daily scan reminded), an extension approved, one refused and one waiting."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from handling.models import DeadlineExtension, HandlingPlan, PlanStep
from supervision.models import Reminder


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            call_command("seed_demo", stdout=StringIO())
            yield
            transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_demo_has_extensions_approved_refused_and_pending(demo):
    statuses = sorted(DeadlineExtension.objects.values_list("status", flat=True))
    assert statuses == ["approved", "pending", "refused"]
    approved = DeadlineExtension.objects.get(status="approved")
    assert approved.assignment.deadline == approved.requested_deadline > approved.original_deadline


@pytest.mark.django_db
def test_the_demo_has_plans_with_an_overdue_step_that_was_reminded(demo):
    assert HandlingPlan.objects.count() == 3
    assert PlanStep.objects.filter(done_on__isnull=False).count() == 3
    overdue = [s for s in PlanStep.objects.all() if s.is_overdue()]
    assert overdue
    assert Reminder.objects.filter(kind=Reminder.Kind.PLAN_STEP).exists()
