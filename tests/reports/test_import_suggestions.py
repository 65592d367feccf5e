"""Importing suggestions from the template: each row comes in as the history it describes, the
dry run writes nothing, and every kind of bad row is named with its reason while nothing at
all is written."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from deputies.models import Role
from handling.models import Assignment, ContactRecord, Rating, Reply
from proposals.models import CoSignature, Proposal, ProposalEvent, ProposalState
from reports import excel
from supervision.models import KeyItem, Promise
from tests import factories as f

pytestmark = pytest.mark.django_db
S = ProposalState


@pytest.fixture
def ref(staff):
    meeting = f.MeetingFactory(name="十七届人大三次会议", number=3, year=2024, opens_on=dt.date(2024, 1, 8))
    f.CategoryFactory(name="教科文卫体")
    f.CategoryFactory(name="交通邮电")
    f.SourceFactory(name="专题调研")
    f.ResultCategoryFactory(name="已经解决或基本解决", result_class="A")
    f.ResultCategoryFactory(name="列入当年计划解决", result_class="B")
    f.ResultCategoryFactory(name="因条件限制暂时难以解决", result_class="C")
    for name in ("区教育局", "区财政局", "区交通运输局"):
        f.UnitFactory(name=name)
    town = f.DelegationFactory(name="城关代表团")
    f.DeputyFactory(name="王建国", delegation=town)
    f.DeputyFactory(name="李红梅", delegation=town)
    f.DeputyFactory(name="赵志强", delegation=f.DelegationFactory(name="东城代表团"))
    f.DeputyFactory(name="张伟", delegation=town)
    f.DeputyFactory(name="张伟", delegation=f.DelegationFactory(name="西城代表团"))
    f.UserFactory(username="lead1", full_name="刘振华", role=Role.LEADER)
    return meeting


def row(**changes):
    base = {
        "会议": "十七届人大三次会议",
        "建议编号": 1,
        "标题": "关于增加城区学位供给的建议",
        "领衔代表": "王建国",
        "附议代表": "李红梅、赵志强",
        "代表团": "城关代表团",
        "提出时间": dt.datetime(2024, 1, 9),
        "提出方式": "大会",
        "类别": "教科文卫体",
        "来源": "专题调研",
        "内容": "城区学位紧张，建议新建学校。",
        "主办单位": "区教育局",
        "协办单位": "区财政局",
        "交办日期": "2024-02-01",
        "办理期限类型": "一般",
        "答复日期": "2024/4/20",
        "办理结果": "已经解决或基本解决",
        "态度评价": "满意",
        "结果评价": "满意",
        "是否重点督办": "否",
    }
    base.update(changes)
    return base


def workbook(*rows, headers=None):
    headers = headers or list(dict.fromkeys(h for r in rows for h in r))
    return io.BytesIO(excel.write_workbook([("建议", headers, [[r.get(h) for h in headers] for r in rows])]))


def run(staff, *rows, dry_run=False, headers=None):
    return excel.run_import(
        "suggestions", workbook(*rows, headers=headers), user=staff, dry_run=dry_run, file_name="t.xlsx"
    )


def test_a_rated_row_comes_in_closed_with_its_whole_history(ref, staff):
    outcome = run(staff, row())
    assert outcome.ok and outcome.created["suggestions"] == 1
    p = Proposal.objects.get()
    assert (p.state, p.number, p.meeting, p.category.name, p.channel) == (S.CLOSED, 1, ref, "教科文卫体", "meeting")
    assert p.due_on is None and p.closed_at is not None
    assert set(p.cosignatures.values_list("deputy__name", "status")) == {
        ("李红梅", "confirmed"),
        ("赵志强", "confirmed"),
    }
    lead = p.assignments.get(role="lead")
    assert (lead.unit.name, lead.assigned_on, lead.deadline, lead.signed_at is not None) == (
        "区教育局",
        dt.date(2024, 2, 1),
        dt.date(2024, 5, 1),
        True,
    )
    assert p.assignments.get(role="co").unit.name == "区财政局"
    reply = lead.replies.get()
    assert (reply.state, reply.round, reply.result_category.name, reply.is_public) == (
        "issued",
        1,
        "已经解决或基本解决",
        True,
    )
    assert reply.issued_at.date() == dt.date(2024, 4, 20)
    assert (reply.rating.attitude, reply.rating.result) == ("satisfied", "satisfied")
    event = ProposalEvent.objects.get(proposal=p)
    assert (event.action, event.actor, event.to_state, event.data["row"]) == ("import", staff, S.CLOSED, 2)
    assert "从 Excel 导入" in event.note and str(event.label) == "从 Excel 导入"


def test_an_imported_b_class_reply_is_on_the_follow_up_list_at_once_and_a_dry_run_puts_none(ref, staff):
    b_class = row(建议编号=2, 标题="关于新建城东中学的建议", 办理结果="列入当年计划解决", 态度评价="", 结果评价="")
    assert run(staff, row(), b_class, dry_run=True).ok
    assert not Promise.objects.exists()
    assert run(staff, row(), b_class).ok
    promise = Promise.objects.get()  # the A-class reply promised nothing
    assert (promise.proposal.title, promise.unit.name, promise.state) == ("关于新建城东中学的建议", "区教育局", "open")
    assert promise.replied_on == dt.date(2024, 4, 20)


def test_each_history_becomes_its_state(ref, staff):
    rows = [
        row(建议编号=1, 态度评价="", 结果评价=""),  # replied, waiting for the rating
        row(建议编号=2, 态度评价="基本满意", 结果评价="不满意"),  # re-handling
        row(建议编号=3, 答复日期="", 办理结果="", 态度评价="", 结果评价=""),  # in handling
        row(建议编号=4, 主办单位="", 协办单位="", 交办日期="", 答复日期="", 办理结果="", 态度评价="", 结果评价=""),
        row(建议编号=None, 主办单位="", 协办单位="", 交办日期="", 答复日期="", 办理结果="", 态度评价="", 结果评价=""),
        row(
            建议编号="",
            状态="已撤回",
            主办单位="",
            协办单位="",
            交办日期="",
            答复日期="",
            办理结果="",
            态度评价="",
            结果评价="",
        ),
        row(
            建议编号="",
            状态="不予立案",
            主办单位="",
            协办单位="",
            交办日期="",
            答复日期="",
            办理结果="",
            态度评价="",
            结果评价="",
        ),
        row(
            建议编号=8,
            结果评价="不满意",
            重新办理答复日期="2024-05-20",
            重新办理结果="列入当年计划解决",
            重新办理态度评价="满意",
            重新办理结果评价="基本满意",
            评价日期="2024-04-25",
        ),
    ]
    outcome = run(staff, *rows)
    assert outcome.ok, outcome.bad_rows
    states = dict(Proposal.objects.values_list("pk", "state"))
    ordered = [states[pk] for pk in sorted(states)]
    assert ordered == [
        S.REPLIED,
        S.REHANDLING,
        S.IN_HANDLING,
        S.REGISTERED,
        S.SUBMITTED,
        S.WITHDRAWN,
        S.NOT_ACCEPTED,
        S.CLOSED,
    ]
    rehandling = Proposal.objects.get(state=S.REHANDLING)
    assert rehandling.due_on == dt.date(2024, 5, 20)  # a month after the 不满意 rating (on the reply day)
    assert Proposal.objects.get(state=S.IN_HANDLING).due_on == dt.date(2024, 5, 1)
    closed_again = Proposal.objects.get(number=8)
    replies = Reply.objects.filter(assignment__proposal=closed_again).order_by("round")
    assert [(r.round, r.rating.result) for r in replies] == [(1, "unsatisfied"), (2, "basic")]
    assert replies[0].assignment.rehandling_deadline == dt.date(2024, 5, 25)
    assert outcome.states == {
        "已答复待评价": 1,
        "重新办理": 1,
        "办理中": 1,
        "已立案": 1,
        "待审查": 1,
        "已撤回": 1,
        "不予立案": 1,
        "已办结": 1,
    }


def test_contacts_public_flag_key_items_and_separate_units(ref, staff):
    outcome = run(
        staff,
        row(
            已联系代表="是",
            已面商="是",
            是否公开="否",
            答复内容="经研究，已新建学校一所。",
            是否重点督办="是",
            督办主题="学位供给",
            领办领导="刘振华",
        ),
        row(
            建议编号=2,
            主办单位="",
            协办单位="",
            分办单位="区教育局、区交通运输局",
            办理结果="区教育局：已经解决或基本解决；区交通运输局：因条件限制暂时难以解决",
            结果评价="区教育局：满意；区交通运输局：基本满意",
            已联系代表="区教育局：是；区交通运输局：否",
        ),
    )
    assert outcome.ok, outcome.bad_rows
    first = Proposal.objects.get(number=1)
    assert ContactRecord.objects.get(proposal=first).kind == "face_to_face"
    reply = Reply.objects.get(assignment__proposal=first)
    assert reply.is_public is False and reply.body == "经研究，已新建学校一所。"
    item = KeyItem.objects.get()
    assert (item.title, item.year, item.leader.full_name, list(item.proposals.all())) == (
        "学位供给",
        2024,
        "刘振华",
        [first],
    )
    second = Proposal.objects.get(number=2)
    results = dict(
        Reply.objects.filter(assignment__proposal=second).values_list("assignment__unit__name", "result_category__name")
    )
    assert results == {"区教育局": "已经解决或基本解决", "区交通运输局": "因条件限制暂时难以解决"}
    assert set(Rating.objects.filter(proposal=second).values_list("result", flat=True)) == {"satisfied", "basic"}
    assert set(Assignment.objects.filter(proposal=second).values_list("role", flat=True)) == {"separate"}
    assert list(ContactRecord.objects.filter(proposal=second).values_list("assignment__unit__name", flat=True)) == [
        "区教育局"
    ]


def test_separate_units_stay_in_re_handling_while_one_still_owes_its_second_reply(ref, staff):
    # As the services keep it: after 不满意 ratings of both units' replies, the suggestion is in
    # re-handling until every unit has replied again, due when the unit still owing is.
    outcome = run(
        staff,
        row(
            主办单位="",
            协办单位="",
            分办单位="区教育局、区交通运输局",
            答复日期="区教育局：2024-03-01；区交通运输局：2024-03-05",
            办理结果="因条件限制暂时难以解决",
            态度评价="基本满意",
            结果评价="不满意",
            评价日期="区教育局：2024-03-10；区交通运输局：2024-03-12",
            重新办理答复日期="区教育局：2024-04-01",
            重新办理结果="区教育局：列入当年计划解决",
        ),
    )
    assert outcome.ok, outcome.bad_rows
    p = Proposal.objects.get()
    assert (p.state, p.due_on) == (S.REHANDLING, dt.date(2024, 4, 12))
    assert dict(p.assignments.values_list("unit__name", "rehandling_deadline")) == {
        "区教育局": dt.date(2024, 4, 10),
        "区交通运输局": dt.date(2024, 4, 12),
    }
    assert Reply.objects.filter(assignment__proposal=p, round=2).get().assignment.unit.name == "区教育局"


def test_the_dry_run_says_what_would_be_created_and_writes_nothing(ref, staff):
    outcome = run(staff, row(), row(建议编号=2), dry_run=True)
    assert outcome.ok
    assert outcome.created["suggestions"] == 2 and outcome.created["replies"] == 2 and outcome.created["ratings"] == 2
    assert [p["number"] for p in outcome.preview] == [1, 2]
    assert not Proposal.objects.exists() and not ProposalEvent.objects.exists() and not Assignment.objects.exists()


BAD_ROWS = [
    ("unknown meeting", {"会议": "十七届人大九次会议"}, "会议：未知的会议“十七届人大九次会议”"),
    ("unknown unit", {"主办单位": "区不存在局"}, "主办单位：未知的承办单位“区不存在局”"),
    ("unknown co-handling unit", {"协办单位": "区财政局、区不存在局"}, "协办单位：未知的承办单位“区不存在局”"),
    ("duplicate number in the database", {"建议编号": 7}, "建议编号：建议编号 7 在“十七届人大三次会议”中已存在"),
    ("bad date", {"答复日期": "2024-13-45"}, "答复日期：日期“2024-13-45”无法识别"),
    ("bad date text", {"交办日期": "二月一日"}, "交办日期：日期“二月一日”无法识别"),
    ("date in the future", {"答复日期": "2999-01-01"}, "答复日期：答复日期不能晚于今天"),
    ("reply before assignment", {"答复日期": "2024-01-20"}, "答复日期：答复日期早于交办日期"),
    (
        "assignment before submission",
        {"交办日期": "2024-01-02", "答复日期": "2024-03-01"},
        "交办日期：交办日期早于提出时间",
    ),
    ("unknown category", {"类别": "航空航天"}, "类别：未知的类别“航空航天”"),
    ("unknown source", {"来源": "梦里"}, "来源：未知的来源“梦里”"),
    ("unknown result", {"办理结果": "已解决了吧"}, "办理结果：未知的办理结果“已解决了吧”"),
    ("unknown deputy", {"领衔代表": "钱多多"}, "领衔代表：代表名单中没有“城关代表团”的“钱多多”"),
    ("deputy of another delegation", {"领衔代表": "赵志强"}, "领衔代表：代表名单中没有“城关代表团”的“赵志强”"),
    (
        "ambiguous co-signer",
        {"附议代表": "张伟", "代表团": "东城代表团", "领衔代表": "赵志强"},
        "附议代表：有 2 位代表叫“张伟”",
    ),
    ("lead deputy also co-signs", {"附议代表": "王建国"}, "附议代表：领衔代表不能同时是附议代表"),
    ("rating without a reply", {"答复日期": "", "办理结果": ""}, "答复日期：填写了态度评价，但没有答复日期"),
    ("reply without a result", {"办理结果": ""}, "办理结果：有答复时必须填写办理结果"),
    ("only one rating", {"态度评价": ""}, "结果评价：态度评价和结果评价要同时填写"),
    ("bad rating word", {"结果评价": "还行"}, "结果评价：“还行”不是可选值（可选：满意、基本满意、不满意）"),
    ("bad channel", {"提出方式": "路上"}, "提出方式：“路上”不是可选值（可选：大会、闭会）"),
    ("bad yes or no", {"是否重点督办": "也许"}, "是否重点督办：“也许”应填“是”或“否”"),
    ("bad number", {"建议编号": "十二"}, "建议编号：建议编号“十二”应是从 1 起的整数"),
    ("title too long", {"标题": "关" * 201}, "标题：不能超过 200 个字（现有 201 个）"),
    ("missing title", {"标题": ""}, "标题：必填"),
    (
        "units without an assignment date",
        {"交办日期": "", "答复日期": "", "办理结果": "", "态度评价": "", "结果评价": ""},
        "交办日期：有承办单位时必须填写交办日期",
    ),
    (
        "a reply without a unit",
        {"主办单位": "", "协办单位": ""},
        "主办单位：填写了交办或答复信息，但没有主办单位或分办单位",
    ),
    ("co-handlers without a lead", {"主办单位": ""}, "协办单位：有协办单位时必须填写主办单位"),
    (
        "lead and separate units",
        {"分办单位": "区财政局、区交通运输局", "协办单位": ""},
        "分办单位：有主办单位时不能再填分办单位",
    ),
    ("one separate unit", {"主办单位": "", "协办单位": "", "分办单位": "区财政局"}, "分办单位：分办至少要两个单位"),
    ("a unit twice", {"协办单位": "区教育局"}, "协办单位：同一单位在一件建议中只能出现一次"),
    (
        "re-handling after a satisfied rating",
        {"重新办理答复日期": "2024-05-20"},
        "只有结果评价为“不满意”的建议才有重新办理",
    ),
    (
        "per-unit value for another unit",
        {"结果评价": "区财政局：满意"},
        "结果评价：“区财政局”不是这件建议的主办或分办单位",
    ),
    ("unknown leader", {"是否重点督办": "是", "领办领导": "无名氏"}, "领办领导：未知的领办领导“无名氏”"),
    ("staff as leader", {"是否重点督办": "是", "领办领导": "staff"}, "领办领导：未知的领办领导“staff”"),
    ("key without leader", {"是否重点督办": "是", "督办主题": "学位供给"}, "领办领导：重点督办须填写领办领导"),
    ("theme without key", {"督办主题": "学位供给"}, "是否重点督办：填写了督办主题或领办领导"),
    (
        "a draft",
        {
            "建议编号": "",
            "状态": "草稿",
            "主办单位": "",
            "协办单位": "",
            "交办日期": "",
            "答复日期": "",
            "办理结果": "",
            "态度评价": "",
            "结果评价": "",
        },
        "状态：草稿不导入",
    ),
    ("registered without a number", {"建议编号": ""}, "建议编号：已交办的建议必须有建议编号"),
]


@pytest.mark.parametrize(("case", "changes", "message"), BAD_ROWS, ids=[c for c, _ch, _m in BAD_ROWS])
def test_every_kind_of_bad_row_is_named_and_nothing_is_written(ref, staff, case, changes, message):
    if case == "duplicate number in the database":
        f.ProposalFactory(meeting=ref, number=7, title="已有的建议")
    existing = Proposal.objects.count()
    outcome = run(staff, row(建议编号=1), row(**{"建议编号": 2, **changes}), row(建议编号=3))
    assert not outcome.ok
    assert [b.row for b in outcome.bad_rows] == [3]
    assert any(message in problem for problem in outcome.bad_rows[0].problems), outcome.bad_rows[0].problems
    assert Proposal.objects.count() == existing  # rows 2 and 4 were good: all or none
    assert not ProposalEvent.objects.filter(action="import").exists()


def test_a_number_twice_in_the_file_names_the_earlier_row(ref, staff):
    outcome = run(staff, row(建议编号=5), row(建议编号=5, 标题="关于另一件事的建议"))
    assert [(b.row, b.problems) for b in outcome.bad_rows] == [(3, ["建议编号：建议编号 5 与第 2 行重复"])]


def test_several_bad_rows_are_all_reported(ref, staff):
    outcome = run(
        staff, row(类别="无"), row(建议编号=2), row(建议编号=3, 主办单位="无"), row(建议编号=4, 提出时间="昨天")
    )
    assert [b.row for b in outcome.bad_rows] == [2, 4, 5]


def test_a_file_without_the_required_columns_is_refused_as_a_whole(ref, staff):
    data, more = row(), row(建议编号=2)
    data.pop("标题")
    more.pop("标题")
    outcome = run(staff, data, more)
    assert outcome.errors == ["缺少必需的列：标题。请使用下载的模板。"] and not Proposal.objects.exists()
    assert outcome.bad_rows == []  # said once, not as each row's failure


def test_a_file_that_is_not_a_workbook_is_refused(ref, staff):
    outcome = excel.run_import("suggestions", io.BytesIO(b"not a workbook"), user=staff, dry_run=True)
    assert outcome.errors and "不是有效的 Excel" in outcome.errors[0]


def test_an_empty_workbook_is_refused(ref, staff):
    outcome = excel.run_import("suggestions", workbook(headers=excel.SUGGESTION_HEADERS), user=staff, dry_run=True)
    assert outcome.errors == ["文件中没有数据行。"]


def test_empty_rows_are_skipped_and_row_numbers_are_the_workbooks(ref, staff):
    empty = {h: None for h in row()}
    outcome = run(staff, row(), empty, row(建议编号=2, 类别="无"))
    assert [b.row for b in outcome.bad_rows] == [4]


def test_unknown_columns_are_ignored_with_a_warning(ref, staff):
    outcome = run(staff, {**row(), "备注": "无"})
    assert outcome.ok and outcome.warnings == ["以下列不在模板中，已忽略：备注"]


def test_the_template_has_the_columns_the_brief_names_with_its_headers(ref):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(excel.template_workbook("suggestions")))
    headers = [c.value for c in book["建议"][1]]
    assert headers[:20] == [
        "会议", "建议编号", "标题", "领衔代表", "附议代表", "代表团", "提出时间", "提出方式", "类别", "来源",
        "内容", "主办单位", "协办单位", "交办日期", "办理期限类型",
        "答复日期", "办理结果", "态度评价", "结果评价", "是否重点督办",
    ]  # fmt: skip
    assert "十七届人大三次会议" in [c.value for c in book["可选名称"]["A"]]
    assert book["填写说明"].max_row == len(headers) + 1


def test_the_command_checks_then_imports(ref, staff, tmp_path, capsys):
    path = tmp_path / "历史建议.xlsx"
    path.write_bytes(workbook(row(), row(建议编号=2)).getvalue())
    call_command("import_suggestions", str(path), "--dry-run")
    assert "检查通过，将导入 2 行" in capsys.readouterr().out and not Proposal.objects.exists()
    call_command("import_suggestions", str(path))
    assert Proposal.objects.count() == 2 and CoSignature.objects.count() == 4


def test_the_command_names_bad_rows_and_fails(ref, staff, tmp_path, capsys):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook(row(), row(建议编号=2, 类别="无")).getvalue())
    with pytest.raises(CommandError, match="1 行有误"):
        call_command("import_suggestions", str(path))
    assert "第 3 行：类别：未知的类别“无”" in capsys.readouterr().err
    assert not Proposal.objects.exists()


def test_the_command_says_in_chinese_what_it_would_create(ref, staff, tmp_path, capsys):
    path = tmp_path / "历史建议.xlsx"
    path.write_bytes(workbook(row()).getvalue())
    call_command("import_suggestions", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "（建议 1，附议 2，" in out
    assert "suggestions" not in out and "cosignatures" not in out


def test_the_command_in_a_new_database_records_the_import_as_the_superuser(ref, tmp_path, capsys):
    # `createsuperuser` makes an account without the staff role: the import is recorded as it.
    from deputies.models import Role, User

    User.objects.filter(role__in=[Role.STAFF, Role.ADMIN]).delete()
    User.objects.create_superuser("root", "root@example.com", "Root#2026x", role=Role.DEPUTY)
    path = tmp_path / "历史建议.xlsx"
    path.write_bytes(workbook(row()).getvalue())
    call_command("import_suggestions", str(path), "--dry-run")
    assert "检查通过" in capsys.readouterr().out
    with pytest.raises(CommandError, match="没有登录名为“nobody”的用户"):
        call_command("import_suggestions", str(path), "--user", "nobody")


def test_imported_suggestions_are_searchable_once_the_import_commits(ref, staff, django_capture_on_commit_callbacks):
    from proposals.textindex import search

    with django_capture_on_commit_callbacks(execute=True):
        outcome = run(staff, row())
    assert outcome.ok, outcome.errors
    found = search(Proposal.objects.all(), "学位").values_list("title", flat=True)
    assert list(found) == ["关于增加城区学位供给的建议"]


def test_a_dry_run_indexes_nothing(ref, staff, django_capture_on_commit_callbacks):
    from proposals.models import ProposalText

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert run(staff, row(), dry_run=True).ok
    assert not callbacks and not ProposalText.objects.exists()
