"""Importing CPPCC proposals: the suggestions' template and checks, with the proposal stream's
columns (提案编号, 领衔委员, 联名委员, 界别) naming its members, sectors and CPPCC session; the
same dry run, all rows or none, every bad row named in the stream's words; a workbook of the
other stream is refused saying which it is."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from deputies.models import Role
from deputies.streams import Stream
from proposals.models import CoSignature, Proposal
from reports import excel
from reports.forms import likely_kind
from reports.models import ImportBatch
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def ref(staff):
    cppcc = f.CppccMeetingFactory(year=2024, opens_on=dt.date(2024, 1, 7), closes_on=dt.date(2024, 1, 10))
    congress = f.MeetingFactory(name="十七届人大三次会议", number=3, year=2024, opens_on=dt.date(2024, 1, 8))
    f.CategoryFactory(name="教科文卫体")
    f.ResultCategoryFactory(name="已经解决或基本解决", result_class="A")
    f.UnitFactory(name="区教育局")
    economy = f.SectorFactory(name="经济界")
    f.MemberFactory(name="陈思远", delegation=economy)
    f.MemberFactory(name="周文静", delegation=f.SectorFactory(name="教育界"))
    f.MemberFactory(name="民盟县委", delegation=None, is_organisation=True)
    town = f.DelegationFactory(name="城关代表团")
    f.DeputyFactory(name="王建国", delegation=town)
    f.DeputyFactory(name="李红梅", delegation=town)
    return cppcc, congress


def proposal_row(**changes):
    base = {
        "会议": "政协第十三届三次会议",
        "提案编号": 12,
        "标题": "关于增加城区学位供给的提案",
        "领衔委员": "陈思远",
        "联名委员": "周文静",
        "界别": "经济界",
        "提出时间": dt.datetime(2024, 1, 8),
        "类别": "教科文卫体",
        "主办单位": "区教育局",
        "交办日期": "2024-02-01",
        "答复日期": "2024-04-20",
        "办理结果": "已经解决或基本解决",
        "态度评价": "满意",
        "结果评价": "满意",
        "已联系委员": "是",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not ...}


def suggestion_row(**changes):
    base = {
        "会议": "十七届人大三次会议",
        "建议编号": 3,
        "标题": "关于修缮乡村道路的建议",
        "领衔代表": "王建国",
        "附议代表": "李红梅",
        "代表团": "城关代表团",
        "提出时间": dt.datetime(2024, 1, 9),
        "类别": "教科文卫体",
        "主办单位": "区教育局",
        "交办日期": "2024-02-01",
        "答复日期": "2024-04-20",
        "办理结果": "已经解决或基本解决",
        "态度评价": "满意",
        "结果评价": "基本满意",
    }
    base.update(changes)
    return base


def workbook(*rows):
    headers = list(dict.fromkeys(h for r in rows for h in r))
    return io.BytesIO(excel.write_workbook([("提案", headers, [[r.get(h) for h in headers] for r in rows])]))


def run(staff, kind, *rows, dry_run=False):
    return excel.run_import(kind, workbook(*rows), user=staff, dry_run=dry_run, file_name="t.xlsx")


def test_a_good_workbook_imports_proposals_of_the_proposal_stream_with_members_and_joint_members(ref, staff):
    outcome = run(
        staff, "proposals", proposal_row(), proposal_row(提案编号=13, 领衔委员="民盟县委", 联名委员=None, 界别=None)
    )
    assert outcome.ok, outcome.bad_rows
    assert outcome.created["proposals"] == 2 and outcome.created["cosignatures"] == 1
    joint = Proposal.objects.get(number=12)
    assert (joint.stream, joint.meeting, joint.lead_deputy.name, joint.lead_deputy.delegation.name) == (
        Stream.PROPOSAL,
        ref[0],
        "陈思远",
        "经济界",
    )
    assert joint.state == "closed" and joint.number_label == "第0012号提案"
    assert list(CoSignature.objects.filter(proposal=joint).values_list("deputy__name", flat=True)) == ["周文静"]
    collective = Proposal.objects.get(number=13)
    assert collective.lead_deputy.is_organisation and not collective.cosignatures.exists()
    contact = joint.contacts.get()
    assert "陈思远政协委员" in contact.people and "委员" in contact.summary


def test_the_dry_run_writes_nothing(ref, staff):
    outcome = run(staff, "proposals", proposal_row(), dry_run=True)
    assert outcome.ok and outcome.created["proposals"] == 1
    assert not Proposal.objects.exists()


def test_every_bad_row_is_named_in_the_proposal_streams_words_and_nothing_is_written(ref, staff):
    outcome = run(
        staff,
        "proposals",
        proposal_row(),
        proposal_row(提案编号=12, 领衔委员="王建国"),  # a deputy is no member; the number is taken above
        proposal_row(提案编号=14, 领衔委员="民盟县委", 联名委员="周文静", 界别=None),
        proposal_row(提案编号=15, 会议="十七届人大三次会议"),
    )
    assert not outcome.ok
    bad = {b.row: " ".join(b.problems) for b in outcome.bad_rows}
    assert set(bad) == {3, 4, 5}
    assert "委员名单中没有“经济界”的“王建国”" in bad[3] and "提案编号 12 与第 2 行重复" in bad[3]
    assert "集体提案，不能有联名委员" in bad[4]
    assert "未知的会议“十七届人大三次会议”" in bad[5]
    assert "代表" not in " ".join(bad.values())
    assert not Proposal.objects.exists() and not CoSignature.objects.exists()


def test_a_suggestions_workbook_offered_as_proposals_is_refused_and_vice_versa(ref, staff):
    as_proposals = run(staff, "proposals", suggestion_row())
    assert not as_proposals.ok and "不是政协委员提案的" in as_proposals.errors[0]
    as_suggestions = run(staff, "suggestions", proposal_row())
    assert not as_suggestions.ok and "是政协委员提案的模板" in as_suggestions.errors[0]
    assert not Proposal.objects.exists()


def test_the_import_page_tells_the_two_templates_apart(ref):
    assert likely_kind(list(proposal_row())) == "proposals"
    assert likely_kind(list(suggestion_row())) == "suggestions"
    common = ["会议", "标题", "提出时间"]
    assert likely_kind(common, "proposals") == "proposals" and likely_kind(common, "suggestions") == "suggestions"


def test_the_import_page_refuses_a_suggestions_workbook_chosen_as_proposals(client, ref):
    client.force_login(f.UserFactory(role=Role.ADMIN, username="admin1"))
    upload = workbook(suggestion_row())
    upload.name = "建议.xlsx"
    response = client.post(reverse("reports:import"), {"kind": "proposals", "file": upload})
    assert response.status_code == 400
    assert not ImportBatch.objects.exists()


def test_the_proposals_template_has_the_streams_columns_and_its_sessions(ref):
    book = load_workbook(io.BytesIO(excel.template_workbook("proposals")), read_only=True)
    headers = next(book.worksheets[0].iter_rows(max_row=1, values_only=True))
    assert {"提案编号", "领衔委员", "联名委员", "界别"} <= set(headers)
    assert not {"建议编号", "领衔代表", "附议代表", "代表团"} & set(headers)
    names = [r[0] for r in book["可选名称"].iter_rows(min_row=2, values_only=True)]
    assert "政协第十三届三次会议" in names and "十七届人大三次会议" not in names


def test_import_proposals_command_then_each_streams_figures(ref, staff, tmp_path, capsys):
    path = tmp_path / "提案.xlsx"
    path.write_bytes(workbook(proposal_row(), proposal_row(提案编号=13, 标题="关于文化惠民的提案")).getvalue())
    # Recorded as a staff account that may import proposals: the congress's staff may not.
    with pytest.raises(CommandError, match="--user"):
        call_command("import_proposals", str(path), "--dry-run")
    committee = f.UserFactory(username="tiwei", role=Role.PROPOSALS_STAFF)
    call_command("import_proposals", str(path), "--dry-run")
    assert not Proposal.objects.exists()
    call_command("import_proposals", str(path))
    assert set(Proposal.objects.values_list("created_by", flat=True)) == {committee.pk}
    suggestions = tmp_path / "建议.xlsx"
    suggestions.write_bytes(workbook(suggestion_row()).getvalue())
    call_command("import_suggestions", str(suggestions))
    capsys.readouterr()
    call_command("handling_stats", "--year", "2024", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["counts"]["received"] == 3
    assert data["streams"]["proposal"]["counts"]["received"] == 2
    assert data["streams"]["suggestion"]["counts"]["received"] == 1
    assert data["streams"]["proposal"]["counts"]["done"] == 2
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook(proposal_row(提案编号=20, 领衔委员="无名氏")).getvalue())
    with pytest.raises(CommandError):
        call_command("import_proposals", str(bad))
    assert "第 2 行" in capsys.readouterr().err


def test_an_export_of_proposals_has_their_headers_and_reads_back_as_proposals(ref, staff):
    assert run(staff, "proposals", proposal_row()).ok
    data = excel.export_suggestions(Proposal.objects.filter(stream=Stream.PROPOSAL))
    book = load_workbook(io.BytesIO(data), read_only=True)
    headers = [h for h in next(book.worksheets[0].iter_rows(max_row=1, values_only=True)) if h]
    assert likely_kind(headers) == "proposals"
    again = excel.run_import("proposals", io.BytesIO(data), user=staff, dry_run=True)  # the row is read back whole
    assert [b.problems for b in again.bad_rows] == [["提案编号：提案编号 12 在“政协第十三届三次会议”中已存在"]]


def test_imported_key_proposals_never_join_the_congresss_key_item_of_the_same_theme(ref, staff):
    from supervision.models import KeyItem

    f.UserFactory(username="lead1", full_name="刘振华", role=Role.LEADER)
    key = {"是否重点督办": "是", "督办主题": "优化营商环境", "领办领导": "刘振华"}
    assert run(staff, "suggestions", suggestion_row(**key)).ok
    outcome = run(staff, "proposals", proposal_row(**key))
    assert outcome.ok, outcome.bad_rows
    assert list(KeyItem.objects.values_list("title", flat=True)) == ["优化营商环境", "优化营商环境"]
    assert [set(i.proposals.values_list("stream", flat=True)) for i in KeyItem.objects.order_by("pk")] == [
        {Stream.SUGGESTION},
        {Stream.PROPOSAL},
    ]
    # A second workbook of proposals on that theme joins the proposals' key item.
    assert run(staff, "proposals", proposal_row(提案编号=14, **key)).ok
    assert KeyItem.objects.count() == 2 and KeyItem.objects.order_by("pk").last().proposals.count() == 2
