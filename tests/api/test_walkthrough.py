"""scripts/api_walkthrough.py end to end against the live test server, over HTTP only: the
deputy logs in with a phone code (read from the development sender's file), drafts and submits;
staff and the unit act through the services; the script then reads the reply and rates it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from handling import services as hs
from handling.models import Rating
from proposals import services as ps
from proposals.models import Proposal, ProposalState
from scripts import api_walkthrough
from tests import factories as f
from tests.workflow import reply_and_issue

S = ProposalState
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_deputy_logs_in_by_phone_submits_and_later_rates_the_reply_over_http(
    live_server, tmp_path, deputy, cast, meeting, category, capsys
):
    source = f.SourceFactory(name="专题调研")
    codes = tmp_path / "sms.jsonl"
    with override_settings(SMS_SENDER="deputies.sms.FileSmsSender", SMS_FILE=str(codes)):
        common = ["--base-url", live_server.url, "--phone", deputy.phone, "--code-file", str(codes), "--wait", "5"]
        assert api_walkthrough.main([*common, "--category", str(category.pk), "--source", str(source.pk)]) == 0
        proposal = Proposal.objects.get(lead_deputy=deputy)
        assert proposal.state == S.SUBMITTED and proposal.title == "关于增设学校周边交通信号灯的建议"
        assert f"submitted suggestion {proposal.pk}" in capsys.readouterr().out

        # Staff register and assign it, the unit signs for it and replies.
        ps.register_proposal(proposal=proposal, by=cast.staff)
        hs.assign_proposal(proposal=proposal, by=cast.staff, lead_unit=cast.unit, co_units=[])
        hs.sign_assignment(assignment=proposal.assignments.get(unit=cast.unit), by=cast.handler)
        reply = reply_and_issue(proposal, cast)

        # Later (a number gets one code a minute), a new login, the reply read and rated.
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
            assert api_walkthrough.main([*common, "--rate", str(proposal.pk), "--attitude", "satisfied"]) == 0
    rating = Rating.objects.get(reply=reply)
    assert rating.attitude == "satisfied" and rating.result == "satisfied" and not rating.is_pending
    proposal.refresh_from_db()
    assert proposal.state == S.CLOSED
    assert f"rated reply {reply.pk}" in capsys.readouterr().out


def test_a_wrong_code_fails_the_script_with_the_reason(live_server, tmp_path, deputy, monkeypatch, capsys):
    monkeypatch.setattr("builtins.input", lambda prompt="": "000000")
    with override_settings(SMS_SENDER="deputies.sms.FileSmsSender", SMS_FILE=str(tmp_path / "sms.jsonl")):
        assert api_walkthrough.main(["--base-url", live_server.url, "--phone", deputy.phone, "--rate", "1"]) == 1
    assert "HTTP 401" in capsys.readouterr().err
