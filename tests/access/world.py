"""One world for the route crawl: every persona, and suggestions in every interesting state,
made through the real services (tests.workflow, proposals/handling/supervision services).

Every suggestion's title carries its own token (T0001 …); every text that must stay among the
handlers and overseers carries a token of its kind (INTERNAL-CO-OPINION-…, INTERNAL-COUNTERSIGN-…,
INTERNAL-HEAD-RETURN-…, INTERNAL-STAFF-RETURN-…, INTERNAL-CORRECTION-…, INTERNAL-DRAFT-REPLY-…
for a reply not issued yet) and the title token of its suggestion, so that a page showing it
to a deputy, or to a unit that never had the suggestion, is caught by a plain substring test.

Units: 区教育局 (U: handler, head) leads most suggestions, 区财政局 (C: co_handler) co-handles
some, 区卫生健康委员会 (O: other_handler) has the other deputy's. The key item 义务教育优质均衡
holds one suggestion of U and one of O.

The CPPCC stream: a member's proposals 24–27 (a draft, one submitted, one in handling at U with
a draft reply, one replied), set up by the proposals committee, whose staff never read a
suggestion's title, as congress staff never read a proposal's.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from deputies import matters as resident_matters
from deputies.api.tokens import create_token
from deputies.models import LiaisonStation, Role, SpecialCommittee, User
from deputies.streams import Stream
from handling import referrals
from handling import services as hs
from handling.models import Reply
from proposals import services as ps
from proposals.models import Proposal, ProposalState
from reports.models import ImportBatch, ReportJob
from supervision import services as ss
from supervision.models import Promise
from tests import factories as f
from tests.workflow import Cast, advance

S = ProposalState

# The persons the crawl opens every route as (label → username; None is the public).
PERSONAS = {
    "lead deputy": "deputy",
    "co-signer": "cosigner",
    "other deputy": "other_deputy",
    "congress staff": "staff",
    "supervision office": "supervision",
    "leader": "leader",
    "committee member": "committee",
    "admin": "admin",
    "unit handler": "handler",
    "unit head": "head",
    "co-handler": "co_handler",
    "other unit's handler": "other_handler",
    "CPPCC member": "member",
    "proposals committee": "proposals_staff",
    "station staff": "station_staff",
    "anonymous": None,
}

# The suggestions whose pages hold the most to leak come first: the crawl opens a sample of
# what each person may see in this order.
TELLING_FIRST = [14, 10, 20, 13, 12, 11, 23, 26, 21, 27, 1, 2, 18, 17, 19, 16, 15, 8, 9, 3, 25, 4, 7, 5, 6, 22, 24]


def token(n: int) -> str:
    return f"T{n:04d}"


def pdf(marker: str) -> bytes:
    """A tiny valid PDF (one empty page) with `marker` in a comment line."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%" + marker.encode() + b"\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def png() -> bytes:
    """A valid 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x40\x80\xc0"))
        + chunk(b"IEND", b"")
    )


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@dataclass
class World:
    users: dict[str, Any]  # persona label → user (None: anonymous)
    proposals: dict[int, Proposal]  # title number → suggestion
    first: list[int] = field(default_factory=list)  # suggestion ids, the telling ones first


def build() -> World:
    today = timezone.localdate()
    meeting = f.MeetingFactory()
    category = f.CategoryFactory(name="教科文卫体")
    result_a = f.ResultCategoryFactory(name="已经解决或基本解决", result_class="A")
    result_b = f.ResultCategoryFactory(name="列入计划逐步解决", result_class="B")
    result_c = f.ResultCategoryFactory(name="因条件限制暂时难以解决", result_class="C")
    unit = f.UnitFactory(name="区教育局")
    co_unit = f.UnitFactory(name="区财政局")
    other_unit = f.UnitFactory(name="区卫生健康委员会")

    def user(username: str, role: str, **extra: Any) -> Any:
        return f.UserFactory(username=username, full_name=username, role=role, **extra)

    def member(username: str, role: str, of: Any) -> Any:
        return f.UnitMemberFactory(user=user(username, role), unit=of).user

    lead = f.DeputyFactory(name="王建国", user=user("deputy", Role.DEPUTY, email="deputy@example.cn"))
    cppcc = f.MemberFactory(name="陈思远", user=user("member", Role.MEMBER, email="member@example.cn"))
    cppcc_meeting = f.CppccMeetingFactory(year=meeting.year)
    proposals_staff = user("proposals_staff", Role.PROPOSALS_STAFF)
    cosigner = f.DeputyFactory(name="李红梅", user=user("cosigner", Role.DEPUTY))
    other = f.DeputyFactory(name="赵志强", user=user("other_deputy", Role.DEPUTY))
    staff = user("staff", Role.STAFF)
    supervision = user("supervision", Role.SUPERVISION)
    leader = user("leader", Role.LEADER)
    committee = SpecialCommittee.objects.create(name="教育科学文化卫生委员会")
    user("committee", Role.COMMITTEE, committee=committee)
    user("admin", Role.ADMIN, is_staff=True, is_superuser=True)
    handler = member("handler", Role.UNIT_HANDLER, unit)
    head = member("head", Role.UNIT_HEAD, unit)
    co_handler = member("co_handler", Role.UNIT_HANDLER, co_unit)
    member("co_head", Role.UNIT_HEAD, co_unit)
    other_handler = member("other_handler", Role.UNIT_HANDLER, other_unit)
    other_head = member("other_head", Role.UNIT_HEAD, other_unit)

    cast = Cast(deputy_user=lead.user, staff=staff, handler=handler, head=head, unit=unit, result=result_a)
    cast_co = Cast(
        deputy_user=lead.user, staff=staff, handler=handler, head=head, unit=unit, result=result_a, co_units=[co_unit]
    )
    cast_other = Cast(
        deputy_user=other.user, staff=staff, handler=other_handler, head=other_head, unit=other_unit, result=result_a
    )
    made: dict[int, Proposal] = {}

    def new(n: int, *, by: Any = lead, cosign: str | None = "confirmed") -> Proposal:
        proposal = f.ProposalFactory(
            lead_deputy=by,
            meeting=meeting if by.stream == Stream.SUGGESTION else cppcc_meeting,
            category=category,
            title=f"关于{token(n)}号事项的{'建议' if by.stream == Stream.SUGGESTION else '提案'}",
            body=f"{'建议' if by.stream == Stream.SUGGESTION else '提案'}正文（{token(n)}）：现状、问题、建议措施。",
        )
        if cosign and by.stream == Stream.SUGGESTION:
            ps.invite_cosigners(proposal=proposal, deputies=[cosigner], by=by.user)
            if cosign == "confirmed":
                ps.answer_cosign_invitation(signature=proposal.cosignatures.get(), accept=True, by=cosigner.user)
        made[n] = proposal
        return proposal

    def answering(proposal: Proposal, of: Any = unit) -> Any:
        return proposal.assignments.get(unit=of, is_active=True)

    def draft_reply(proposal: Proposal, body: str, *, by: Any = handler, of: Any = unit, **fields: Any) -> Reply:
        fields.setdefault("result_category", result_a)
        return hs.save_reply_draft(assignment=answering(proposal, of), by=by, body=body, signer="局长", **fields)

    def fresh(reply: Reply) -> Reply:
        return Reply.objects.get(pk=reply.pk)

    def issued(proposal: Proposal, body: str, *, c: Cast = cast, **fields: Any) -> Reply:
        reply = draft_reply(proposal, body, by=c.handler, of=c.unit, **fields)
        hs.submit_reply(reply=reply, by=c.handler)
        hs.approve_reply(reply=fresh(reply), by=c.head)
        hs.issue_reply(reply=fresh(reply), by=staff)
        return fresh(reply)

    def rate(reply: Reply, result: str = "satisfied") -> None:
        hs.rate_reply(final=True, reply=reply, by=lead.user, attitude="satisfied", result=result, comment="仍未解决")

    # --- before registration ---------------------------------------------------------------------
    draft = new(1)
    ps.add_attachments(proposal=draft, files=[upload("调研报告.pdf", pdf(token(1)))], by=lead.user)
    hs.ask_unit_before_submission(proposal=draft, unit=unit, question=f"是否已有规划？（{token(1)}）", by=lead.user)
    invited = new(2, cosign="invited")
    question = hs.ask_unit_before_submission(
        proposal=invited, unit=other_unit, question=f"卫生院能否承担？（{token(2)}）", by=lead.user
    )
    hs.answer_draft_question(question=question, answer="可以，已有试点。", by=other_handler)
    submitted = new(3)
    ps.add_attachments(proposal=submitted, files=[upload("现场照片说明.pdf", pdf(token(3)))], by=lead.user)
    advance(submitted, S.SUBMITTED, cast)
    advance(new(4), S.RETURNED, cast)
    advance(new(5), S.WITHDRAWN, cast)
    advance(new(6), S.NOT_ACCEPTED, cast)
    advance(new(7), S.REGISTERED, cast)
    advance(new(8), S.ASSIGNED, cast_co)
    advance(new(9), S.REASSIGN_REQUESTED, cast)

    # --- in handling, with the papers among the units -----------------------------------------------
    # 10: the co-handler's opinion and its objection to the lead's draft, which stays a draft.
    p10 = advance(new(10), S.IN_HANDLING, cast_co)
    co10 = answering(p10, co_unit)
    hs.sign_assignment(assignment=co10, by=co_handler)
    hs.submit_co_opinion(
        assignment=co10, by=co_handler, body=f"INTERNAL-CO-OPINION-0010（{token(10)}）资金可列入明年预算。"
    )
    reply10 = draft_reply(p10, f"INTERNAL-DRAFT-REPLY-0010（{token(10)}）答复稿。")
    hs.add_reply_attachment(
        reply=reply10, by=handler, upload=upload("答复稿附件.pdf", pdf(f"INTERNAL-DRAFT-REPLY-0010A {token(10)}"))
    )
    hs.request_countersign(reply=fresh(reply10), by=handler)
    hs.countersign_reply(
        reply=fresh(reply10),
        by=co_handler,
        agrees=False,
        comment=f"INTERNAL-COUNTERSIGN-0010（{token(10)}）请补充资金来源。",
    )
    hs.record_contact(
        assignment=answering(p10),
        by=handler,
        kind="phone",
        stage="during",
        contact_date=today,
        people="王建国",
        summary=f"电话沟通办理思路（{token(10)}）",
    )
    # 11: the head returned the draft to the handler.
    p11 = advance(new(11), S.IN_HANDLING, cast)
    reply11 = draft_reply(p11, f"INTERNAL-DRAFT-REPLY-0011（{token(11)}）答复稿。")
    hs.add_reply_attachment(
        reply=reply11, by=handler, upload=upload("测算表.pdf", pdf(f"INTERNAL-DRAFT-REPLY-0011A {token(11)}"))
    )
    hs.submit_reply(reply=fresh(reply11), by=handler)
    hs.return_reply(reply=fresh(reply11), by=head, note=f"INTERNAL-HEAD-RETURN-0011（{token(11)}）请补充数据。")
    # 11 also: the unit asked for more time and keeps a handling plan with one step done.
    a11 = answering(p11)
    hs.request_extension(
        assignment=a11, by=handler, reason="需协调市级部门", new_deadline=a11.deadline + dt.timedelta(days=30)
    )
    plan11 = hs.save_handling_plan(
        assignment=a11,
        by=handler,
        handler_name="王科长",
        leader_name="李副局长",
        steps=[hs.StepInput(None, "实地调研", today), hs.StepInput(None, "形成方案", today + dt.timedelta(days=20))],
    )
    hs.mark_step_done(step=plan11.steps.order_by("planned_on").first(), by=handler)
    # 12: a draft waiting for the head; part of the key item, and urged.
    p12 = advance(new(12), S.IN_HANDLING, cast)
    hs.submit_reply(reply=draft_reply(p12, f"INTERNAL-DRAFT-REPLY-0012（{token(12)}）答复稿。"), by=handler)
    # 13: approved, sent back by staff, approved again and its category corrected: waits for issue.
    p13 = advance(new(13), S.IN_HANDLING, cast)
    reply13 = draft_reply(p13, f"INTERNAL-DRAFT-REPLY-0013（{token(13)}）答复稿。")
    hs.submit_reply(reply=reply13, by=handler)
    hs.approve_reply(reply=fresh(reply13), by=head)
    hs.staff_return_reply(
        reply=fresh(reply13), by=staff, note=f"INTERNAL-STAFF-RETURN-0013（{token(13)}）未回应第二点。"
    )
    hs.submit_reply(reply=fresh(reply13), by=handler)
    hs.approve_reply(reply=fresh(reply13), by=head)
    hs.correct_result_category(
        reply=fresh(reply13),
        by=staff,
        result_category=result_c,
        reason=f"INTERNAL-CORRECTION-0013（{token(13)}）应为C类。",
    )
    # 14: the whole story among the units, then issued (public): the deputy reads the reply only.
    p14 = advance(new(14), S.IN_HANDLING, cast_co)
    co14 = answering(p14, co_unit)
    hs.sign_assignment(assignment=co14, by=co_handler)
    hs.submit_co_opinion(
        assignment=co14, by=co_handler, body=f"INTERNAL-CO-OPINION-0014（{token(14)}）建议分两期实施。"
    )
    reply14 = draft_reply(p14, f"答复正文（{token(14)}）。")
    hs.add_reply_attachment(reply=reply14, by=handler, upload=upload("答复函.pdf", pdf(token(14))))
    hs.request_countersign(reply=fresh(reply14), by=handler)
    hs.countersign_reply(
        reply=fresh(reply14),
        by=co_handler,
        agrees=False,
        comment=f"INTERNAL-COUNTERSIGN-0014A（{token(14)}）不同意一期规模。",
    )
    draft_reply(p14, f"答复正文（{token(14)}），已按协办单位意见修改。")
    hs.countersign_reply(
        reply=fresh(reply14), by=co_handler, agrees=True, comment=f"INTERNAL-COUNTERSIGN-0014B（{token(14)}）同意。"
    )
    hs.submit_reply(reply=fresh(reply14), by=handler)
    hs.return_reply(reply=fresh(reply14), by=head, note=f"INTERNAL-HEAD-RETURN-0014（{token(14)}）请核实数据。")
    hs.submit_reply(reply=fresh(reply14), by=handler)
    hs.approve_reply(reply=fresh(reply14), by=head)
    hs.staff_return_reply(
        reply=fresh(reply14), by=staff, note=f"INTERNAL-STAFF-RETURN-0014（{token(14)}）未说明资金来源。"
    )
    hs.submit_reply(reply=fresh(reply14), by=handler)
    hs.approve_reply(reply=fresh(reply14), by=head)
    hs.correct_result_category(
        reply=fresh(reply14),
        by=staff,
        result_category=result_c,
        reason=f"INTERNAL-CORRECTION-0014（{token(14)}）应为C类。",
    )
    hs.issue_reply(reply=fresh(reply14), by=staff)
    contact14 = hs.record_contact(
        assignment=answering(p14),
        by=handler,
        kind="visit",
        stage="after",
        contact_date=today,
        people="王建国",
        summary=f"上门反馈（{token(14)}）",
    )
    hs.answer_contact(contact=contact14, by=lead.user, confirmed=True)
    hs.comment_on_reply(reply=fresh(reply14), by=cosigner.user, body=f"感谢答复（{token(14)}）")

    # --- replied, rated, re-handled, closed ------------------------------------------------------------
    rate(issued(advance(new(15), S.IN_HANDLING, cast), f"答复正文（{token(15)}）。", is_public=False))
    advance(new(16), S.REHANDLING, cast)
    promised = {"result_category": result_b, "promised_by": today + dt.timedelta(days=200)}
    for n, items in ((17, "新建学校一所"), (18, "改造操场")):
        rate(
            issued(advance(new(n), S.IN_HANDLING, cast), f"答复正文（{token(n)}）。", promised_items=items, **promised)
        )
    ss.sync_promises()
    ss.report_promise_progress(
        promise=Promise.objects.get(proposal=made[18]), by=handler, body=f"操场已改造完成（{token(18)}）", done=True
    )
    ss.report_promise_progress(
        promise=Promise.objects.get(proposal=made[17]), by=handler, body=f"已完成选址（{token(17)}）"
    )
    hs.record_paper_rating(
        reply=issued(advance(new(19), S.IN_HANDLING, cast), f"答复正文（{token(19)}）。"),
        by=staff,
        attitude="satisfied",
        result="basic",
        paper_form=upload("反馈表.pdf", pdf(token(19))),
    )

    # --- the other deputy's, at the other unit -----------------------------------------------------------
    p20 = advance(new(20, by=other, cosign=None), S.IN_HANDLING, cast_other)
    issued(
        advance(new(21, by=other, cosign=None), S.IN_HANDLING, cast_other), f"答复正文（{token(21)}）。", c=cast_other
    )
    new(22, by=other, cosign=None)
    # 23: assigned to U, handed over to O at U's request: U had it, O has it.
    p23 = advance(
        new(23, by=other, cosign=None),
        S.ASSIGNED,
        Cast(deputy_user=other.user, staff=staff, handler=handler, head=head, unit=unit, result=result_a),
    )
    request = hs.request_reassignment(assignment=answering(p23), by=handler, reason="属卫生健康部门职责")
    hs.decide_reassignment(request=request, by=staff, accept=True, new_unit=other_unit, note="同意")

    # --- the CPPCC stream: a member's proposals, set up by the proposals committee, at U -------------------
    cast_p = Cast(deputy_user=cppcc.user, staff=proposals_staff, handler=handler, head=head, unit=unit, result=result_a)
    new(24, by=cppcc, cosign=None)
    advance(new(25, by=cppcc, cosign=None), S.SUBMITTED, cast_p)
    p26 = advance(new(26, by=cppcc, cosign=None), S.IN_HANDLING, cast_p)
    hs.submit_reply(reply=draft_reply(p26, f"INTERNAL-DRAFT-REPLY-0026（{token(26)}）答复稿。"), by=handler)
    reply27 = draft_reply(advance(new(27, by=cppcc, cosign=None), S.IN_HANDLING, cast_p), f"答复正文（{token(27)}）。")
    hs.submit_reply(reply=reply27, by=handler)
    hs.approve_reply(reply=fresh(reply27), by=head)
    hs.issue_reply(reply=fresh(reply27), by=proposals_staff)

    # --- supervision -----------------------------------------------------------------------------------
    key = ss.save_key_item(
        by=staff,
        year=meeting.year,
        title="义务教育优质均衡",
        leader=leader,
        committee=committee,
        proposals=[made[12], p20],
        note="两个单位的建议",
    )
    ss.save_key_item(by=staff, year=meeting.year, title="基层医疗", leader=leader, proposals=[made[23]])
    ss.add_supervision_record(
        key_item=key,
        by=leader,
        kind="inspection",
        held_on=today,
        participants="领导、区教育局",
        notes="实地查看学校建设",
        photos=[upload("现场.png", png(), "image/png")],
    )
    ss.report_key_progress(key_item=key, proposal=made[12], by=handler, body=f"已完成方案（{token(12)}）")
    ss.report_key_progress(key_item=key, proposal=p20, by=other_handler, body=f"已完成调研（{token(20)}）")
    ss.send_urging(
        unit=unit, proposals=[made[12]], by=supervision, message="请加快办理", respond_by=today + dt.timedelta(days=7)
    )
    ss.send_urging(unit=other_unit, proposals=[p20], by=staff, message="请按期答复")

    # --- reports: a finished annual report, a checked import, a reply kept from the public ---------------
    job = ReportJob(year=meeting.year, status=ReportJob.Status.DONE, progress=100, requested_by=staff, pages=1)
    job.pdf.save("report.pdf", ContentFile(pdf("annual report")), save=False)
    job.finished_at = timezone.now()
    job.save()
    staff_client = Client()
    staff_client.force_login(staff)
    # One workbook of units (both bodies' staff may see it) and one of the congress's deputies.
    for kind, row in (
        ("units", ["区审计局", "审计局", "政府部门", "", ""]),
        ("deputies", ["钱新代表", "女", "第一代表团", "", "13900000001", "", ""]),
    ):
        answer = staff_client.post(reverse("reports:import"), {"kind": kind, "file": workbook(kind, row)})
        assert ImportBatch.objects.get(kind=kind).status == ImportBatch.Status.CHECKED, answer.status_code
    held = Reply.objects.get(assignment__proposal=made[21])
    answer = staff_client.post(reverse("reports:disclosure_hold", args=[held.pk]), {"reason": "涉及个人信息"})
    assert answer.status_code == 302, answer.status_code
    # The units' figures of the year on the public pages, and one item withheld from them.
    answer = staff_client.post(reverse("reports:publish_figures"), {"year": meeting.year, "stream": "suggestion"})
    assert answer.status_code == 302, answer.status_code
    ps.withhold_from_public(proposal=made[12], by=staff, reason="涉及个人信息")

    # --- personal API tokens: the lead deputy's and a unit handler's ------------------------------------
    create_token(user=lead.user, name="小程序", scope="write")
    create_token(user=handler, name="对接系统")

    # --- liaison stations and residents' matters: each station's, each deputy's, in two states --------
    station = LiaisonStation.objects.create(name="西乡塘代表联络站", area="西乡塘街道")
    station.deputies.add(lead, cosigner)
    station.staff.add(user("station_staff", Role.STATION_STAFF))
    other_station = LiaisonStation.objects.create(name="北湖代表联络站", area="北湖街道")
    other_station.deputies.add(other)
    other_station.staff.add(user("other_station_staff", Role.STATION_STAFF))

    def leave(text: str, **where: Any) -> Any:
        return resident_matters.receive_matter(text=text, phone="13812341234", **where)[0]

    leave("路灯坏了", station=station, photo=upload("灯.png", png(), "image/png"))
    leave("路灯不亮", station=station)
    leave("学校门口拥堵", deputy=lead)
    answered = leave("垃圾清运", station=station)
    resident_matters.answer_matter(matter=answered, answer="已协调环卫所。", by=station.staff.get())
    leave("公交站台破损", station=other_station, photo=upload("站台.png", png(), "image/png"))
    leave("菜市场噪音", deputy=other)

    # Forwarded to units (民意件, handling/referrals.py): by the station's staff and by the deputy;
    # one waiting for 区教育局, one it answered, one with another unit.
    forwarded = referrals.forward_matter(
        matter=leave("井盖缺失", station=station), unit=unit, text="井盖缺失", by=station.staff.get()
    )
    answered_by_unit = referrals.forward_matter(
        matter=leave("噪音扰民", deputy=lead), unit=unit, text="噪音扰民", by=lead.user
    )
    referrals.answer_referral(referral=answered_by_unit, answer="已督促整改", by=handler)
    referrals.forward_matter(matter=leave("医院排队久", deputy=lead), unit=other_unit, text="医院排队久", by=lead.user)
    assert forwarded.pk

    for proposal in made.values():
        proposal.refresh_from_db()

    by_name = {u.username: u for u in User.objects.filter(username__in=[n for n in PERSONAS.values() if n])}
    users = {label: by_name[name] if name else None for label, name in PERSONAS.items()}
    return World(users=users, proposals=made, first=[made[n].pk for n in TELLING_FIRST])


def workbook(kind: str, row: list[str]) -> SimpleUploadedFile:
    """The template of `kind` with one new row: a workbook whose dry run passes."""
    from openpyxl import load_workbook

    from reports import excel

    book = load_workbook(io.BytesIO(excel.template_workbook(kind)))
    sheet = book.worksheets[0]
    sheet.append(row[: sheet.max_column])
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(
        f"{kind}.xlsx", out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
