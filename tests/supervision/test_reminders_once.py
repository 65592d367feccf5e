"""Each reminder goes out exactly once per item, occasion and recipient: when the scan runs
again, when it crashes half-way and is retried, and when two scans run at the same moment on
two PostgreSQL connections."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from django.db import connection, connections

from proposals.models import Notification, ProposalState
from supervision import reminders
from supervision.models import Reminder
from supervision.reminders import run_daily_scan
from tests.supervision.conftest import due_in, issued_days_ago

S = ProposalState


@pytest.fixture
def busy_day(make_proposal, key_item, staff, supervision):
    """Suggestions that give every rule something to send today."""
    overdue = [make_proposal() for _ in range(3)]
    for index, proposal in enumerate(overdue):
        due_in(proposal, -(index * 20 + 1))  # 1, 21 and 41 days late: the last one is escalated
    for days in (15, 7, 1):
        due_in(make_proposal(), days)
    for _ in range(2):
        issued_days_ago(make_proposal(S.REPLIED), 20)
    return overdue


def reminder_keys() -> Counter:
    return Counter(Reminder.objects.values_list("kind", "subject", "threshold", "recipient_id"))


def notification_keys() -> Counter:
    return Counter(Notification.objects.values_list("recipient_id", "kind", "proposal_id", "message"))


def assert_each_sent_once() -> None:
    assert max(reminder_keys().values()) == 1
    assert max(notification_keys().values()) == 1


@pytest.mark.django_db
def test_running_the_scan_again_sends_nothing_new(busy_day, staff, supervision):
    first = run_daily_scan()
    assert first["deadline"] == 3 and first["overdue"] == 7 and first["rating"] == 2
    second = run_daily_scan()
    assert all(value == 0 for value in second.values())
    assert_each_sent_once()
    assert Reminder.objects.count() == sum(v for k, v in first.items() if k != "promises_created")


@pytest.mark.django_db(transaction=True)
def test_a_scan_that_crashes_half_way_sends_the_rest_when_retried(busy_day, monkeypatch):
    """The scan dies while sending the rating reminders (after the deadline and overdue ones
    were committed). Nothing of the failed rule is left half-done; the retry sends exactly
    what is missing."""
    real_deliver = reminders.deliver

    def crashing(candidates, people):
        candidates = list(candidates)
        if candidates and candidates[0].kind == Reminder.Kind.RATING:
            real_claim = reminders._claim

            def claim_then_die(*args):
                real_claim(*args)  # the reminder rows are inserted...
                raise RuntimeError("worker killed")  # ...and the process dies before commit

            monkeypatch.setattr(reminders, "_claim", claim_then_die)
        return real_deliver(candidates, people)

    monkeypatch.setattr(reminders, "deliver", crashing)
    with pytest.raises(RuntimeError):
        run_daily_scan()
    assert not Reminder.objects.filter(kind=Reminder.Kind.RATING).exists()  # rolled back
    assert not Notification.objects.filter(kind=Notification.Kind.RATING_REMINDER).exists()
    sent_before = Reminder.objects.count()
    assert sent_before > 0  # deadline and overdue went out

    monkeypatch.setattr(reminders, "deliver", real_deliver)
    monkeypatch.undo()
    retry = run_daily_scan()
    assert retry["deadline"] == 0 and retry["overdue"] == 0  # already sent before the crash
    assert retry["rating"] == 2
    assert_each_sent_once()


@pytest.mark.django_db
def test_a_rule_that_fails_keeps_no_other_rules_reminders_from_going_out(busy_day, monkeypatch, caplog):
    def broken(today, people, links):
        raise ValueError("a row the rule cannot read")

    monkeypatch.setattr(reminders, "RULES", [(n, broken if n == "overdue" else r) for n, r in reminders.RULES])
    with pytest.raises(reminders.ScanIncomplete) as incomplete:
        run_daily_scan()
    assert incomplete.value.failed == ["overdue"]
    sent = incomplete.value.summary
    assert sent["deadline"] == 3 and sent["rating"] == 2 and "overdue" not in sent  # the rules after it ran
    assert "the rule overdue failed" in caplog.text and "a row the rule cannot read" in caplog.text
    monkeypatch.undo()
    retry = run_daily_scan()
    assert retry["overdue"] == 7 and retry["deadline"] == 0 and retry["rating"] == 0
    assert_each_sent_once()


@pytest.mark.django_db
def test_the_command_says_which_rule_failed_after_sending_the_others(busy_day, monkeypatch):
    from django.core.management import CommandError, call_command

    def broken(today, people, links):
        raise ValueError("a row the rule cannot read")

    monkeypatch.setattr(reminders, "RULES", [(n, broken if n == "rating" else r) for n, r in reminders.RULES])
    with pytest.raises(CommandError, match="满意度评价提醒"):
        call_command("daily_scan")
    assert Reminder.objects.filter(kind=Reminder.Kind.DEADLINE).count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_scans_at_the_same_moment_send_each_reminder_once(busy_day, monkeypatch):
    assert connection.vendor == "postgresql"
    expected_rules = ("deadline", "overdue", "rating", "promise", "progress", "urging")
    # Each scan holds its transaction open a moment after inserting its claims, so that the
    # two overlap on every rule: the second one's INSERT waits on the first one's rows.
    real_claim = reminders._claim

    def slow_claim(*args):
        claimed = real_claim(*args)
        time.sleep(0.3)
        return claimed

    monkeypatch.setattr(reminders, "_claim", slow_claim)
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def scan(index: int) -> None:
        try:
            barrier.wait()
            results[index] = run_daily_scan()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each got
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scan, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(r, dict) for r in results), results
    totals = {rule: results[0][rule] + results[1][rule] for rule in expected_rules}
    assert totals["deadline"] == 3 and totals["rating"] == 2 and totals["overdue"] == 7
    assert sum(totals.values()) == Reminder.objects.count()
    # Every claim was announced in the same transaction (staff's overdue ones in one list).
    for claim in Reminder.objects.all():
        assert Notification.objects.filter(recipient=claim.recipient, created_at=claim.created_at).exists(), claim
    assert_each_sent_once()
    assert all(value == 0 for key, value in run_daily_scan().items())
