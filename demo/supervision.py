"""Supervision in the demo. This year: three key items with their leaders, supervision records
(with photos), the units' progress reports, urging notices (one acknowledged, one waiting),
the follow-up of the B-class promises, and a first daily scan, so that every supervision page
and every kind of reminder has something to show. Last year: one key item.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from demo.world import World, login_of, on
from deputies.models import Role, SpecialCommittee, User
from proposals.models import Proposal
from proposals.states import REPLY_DUE_STATES, ProposalState
from proposals.workflow import record_event
from supervision import resurvey, services
from supervision.models import KeyItem, Promise, SupervisionRecord, UrgingNotice
from supervision.reminders import run_daily_scan

S = ProposalState

# (theme, leader's login, committee, categories of its suggestions, note)
THEMES = [
    (
        "办好人民满意的教育和卫生健康事业",
        "leader",
        "教育科学文化卫生委员会",
        ["教科文卫体", "社会民生"],
        "围绕学位供给、课后服务、基层医疗等群众关切，由常委会副主任领办，教科文卫委员会跟踪督办。",
    ),
    (
        "城市更新与交通出行",
        "leader2",
        "城乡建设环境保护委员会",
        ["城乡建设与管理", "交通邮电"],
        "副区长领办，住建、城管、交通等部门协同推进，城建环保委员会跟踪督办。",
    ),
    (
        "乡村振兴与生态环境保护",
        "leader",
        "农业与农村委员会",
        ["农林水利", "生态环境"],
        "聚焦高标准农田、农村供水、产业发展和生态保护，农业与农村委员会跟踪督办。",
    ),
]
# Last year's one key item, in the same shape.
LAST_YEARS_THEME = (
    "城市功能品质提升",
    "leader2",
    "城乡建设环境保护委员会",
    ["城乡建设与管理", "交通邮电"],
    "围绕道路、供水、市容等群众身边的城市问题，副区长领办，城建环保委员会跟踪督办。",
)

PROGRESS = [
    "已召开专题推进会，细化任务分工和时间节点，相关经费已纳入部门预算。",
    "项目前期手续已办结，正在开展招标，预计下月进场施工。",
    "已完成现场调查和方案比选，并与领衔代表当面沟通，代表对推进方案表示认可。",
    "主体工作已完成约六成，下一步将加快进度，确保按期完成。",
]
PROMISE_PROGRESS = [
    "已列入本年度工作计划，完成资金测算，正在履行立项程序。",
    "项目已开工建设，目前完成工程量约四成。",
    "已完成阶段性任务，剩余工作将在承诺期限内完成。",
]


def photo(name: str, caption: str, hue: int) -> SimpleUploadedFile:
    """A JPEG standing in for a site photo: sky, buildings and a caption."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (640, 420), (180 + hue % 40, 205, 230))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 300, 640, 420), fill=(120, 140, 110))
    for index, x in enumerate(range(30, 620, 110)):
        height = 120 + (index * 37 + hue) % 110
        draw.rectangle((x, 300 - height, x + 80, 300), fill=(200 - index * 12, 190 - index * 8, 175))
        for y in range(300 - height + 12, 290, 24):
            draw.rectangle((x + 12, y, x + 28, y + 12), fill=(250, 240, 200))
            draw.rectangle((x + 50, y, x + 66, y + 12), fill=(250, 240, 200))
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont
    try:
        font = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 28)
    except OSError:
        font = ImageFont.load_default()
    draw.rectangle((0, 370, 640, 420), fill=(0, 0, 0))
    draw.text((16, 376), caption, fill=(255, 255, 255), font=font)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _pick(world: World, categories: list[str], taken: set[int], count: int = 4) -> list[Proposal]:
    """Meeting suggestions of these categories: the overdue and open ones first, then closed."""
    pool = list(
        Proposal.objects.filter(
            meeting=world.meeting,
            channel=Proposal.Channel.MEETING,
            merged_into__isnull=True,
            category__name__in=categories,
            state__in=(*REPLY_DUE_STATES, S.REPLIED, S.CLOSED),
        )
        .exclude(pk__in=taken)
        .order_by("number")
    )
    today = world.today
    overdue = [p for p in pool if p.state in REPLY_DUE_STATES and p.due_on and p.due_on < today]
    open_ = [p for p in pool if p.state in (*REPLY_DUE_STATES, S.REPLIED) and p not in overdue]
    closed = [p for p in pool if p.state == S.CLOSED]
    chosen = (overdue[:1] + open_[:1] + overdue[1:2] + open_[1:2])[:2]
    return chosen + closed[: count - len(chosen)]


def _mark(
    world: World, title: str, leader: User, committee: SpecialCommittee | None, items: list[Proposal], note: str
) -> KeyItem:
    """Make the key item on the day after registration closed. Suggestions already closed today
    were still being handled then: they are added as the service would have, at that date."""
    day = world.meeting.opens_on + dt.timedelta(days=16)
    open_now = [p for p in items if p.state in services.KEY_STATES]
    with on(day, 15):
        if open_now:
            key_item = services.save_key_item(
                by=world.staff,
                year=world.meeting.year,
                title=title,
                leader=leader,
                committee=committee,
                proposals=open_now,
                note=note,
            )
        else:
            key_item = KeyItem.objects.create(
                year=world.meeting.year,
                title=title,
                leader=leader,
                committee=committee,
                note=note,
                created_by=world.staff,
            )
        summary = f"{title}（{world.meeting.year}年；领办领导：{leader.display_name}）"
        for proposal in items:
            if proposal not in open_now and not key_item.proposals.filter(pk=proposal.pk).exists():
                key_item.proposals.add(proposal)
                record_event(proposal, "key_marked", by=world.staff, note=summary, data={"key_item": key_item.pk})
    return key_item


def _progress(world: World, key_item: KeyItem, skip_last: bool) -> int:
    """Each answering unit reports at the item's interval while it owed the reply."""
    made = 0
    start = key_item.starts_on
    for proposal in key_item.proposals.order_by("number"):
        for assignment in proposal.assignments.filter(is_active=True, role__in=("lead", "separate")):
            replied = assignment.replies.filter(state="issued").order_by("issued_at").first()
            until = timezone.localdate(replied.issued_at) if replied else world.today
            day = max(start, assignment.assigned_on) + dt.timedelta(days=key_item.report_every_days - 2)
            days = []
            while day < until:
                days.append(day)
                day += dt.timedelta(days=key_item.report_every_days)
            if skip_last and not replied and days:
                days = days[:-1]  # the last one is missing: the daily scan reminds the unit
            for index, report_day in enumerate(days):
                with on(report_day, 16):
                    services.report_key_progress(
                        key_item=key_item,
                        proposal=proposal,
                        by=world.handlers[assignment.unit_id],
                        body=PROGRESS[index % len(PROGRESS)],
                    )
                made += 1
    return made


def _records(world: World, key_item: KeyItem, leader: User, committee_member: User | None, hue: int) -> None:
    start = key_item.starts_on
    units = "、".join(
        sorted(
            {
                a.unit.name
                for p in key_item.proposals.all()
                for a in p.assignments.filter(is_active=True, role__in=("lead", "separate"))
            }
        )
    )
    inspection = start + dt.timedelta(days=35)
    with on(min(inspection, world.today), 15):
        services.add_supervision_record(
            key_item=key_item,
            by=leader,
            kind=SupervisionRecord.Kind.INSPECTION,
            held_on=min(inspection, world.today),
            participants=f"{leader.display_name}、领衔代表、{units}负责人",
            notes=(
                f"{leader.display_name}带队实地察看{key_item.title}相关点位，听取承办单位办理进展汇报，"
                "要求细化时间表、路线图，确保年内见到实效。"
            ),
            photos=[
                photo("现场视察1.jpg", f"现场视察 · {key_item.title[:10]}", hue),
                photo("现场视察2.jpg", "听取承办单位汇报", hue + 60),
            ],
        )
    meeting = start + dt.timedelta(days=80)
    if meeting < world.today:
        with on(meeting, 10):
            services.add_supervision_record(
                key_item=key_item,
                by=committee_member or world.staff,
                kind=SupervisionRecord.Kind.MEETING,
                held_on=meeting,
                participants=f"{key_item.committee.name if key_item.committee else ''}委员、领衔代表、{units}",
                notes="召开重点建议办理推进座谈会，代表对前期办理工作给予肯定，并就资金保障和长效管理提出意见。",
            )
    on_site = start + dt.timedelta(days=120)
    if on_site < world.today and hue % 2 == 0:
        with on(on_site, 9):
            services.add_supervision_record(
                key_item=key_item,
                by=leader,
                kind=SupervisionRecord.Kind.ON_SITE,
                held_on=on_site,
                participants=f"{leader.display_name}、区政府办公室督查室、{units}",
                notes="现场协调解决用地和资金问题，明确牵头单位和完成时限，现场办公形成会议纪要。",
                photos=[photo("现场办公.jpg", "现场办公 · 协调推进", hue + 120)],
            )


def _urging(world: World) -> list[UrgingNotice]:
    today = world.today
    notices = []
    # (the congress's overdue suggestions: a notice is about one body's items)
    overdue = list(
        Proposal.objects.overdue(today)
        .filter(merged_into__isnull=True, stream=world.meeting.term.stream)
        .order_by("due_on", "number")[:3]
    )
    if overdue:
        unit = overdue[0].assignments.filter(is_active=True, role__in=("lead", "separate")).first().unit
        items = [p for p in overdue if p.assignments.filter(unit=unit, is_active=True).exists()]
        with on(today - dt.timedelta(days=6), 9):
            notice = services.send_urging(
                unit=unit,
                proposals=items,
                by=world.supervision,
                message="以下建议已超过答复期限，请抓紧办理，主动与领衔代表沟通，三个工作日内报送办理情况。",
                respond_by=today - dt.timedelta(days=3),
            )
        with on(today - dt.timedelta(days=5), 11):
            services.acknowledge_urging(
                notice=notice,
                by=world.heads[unit.pk],
                answer="已签收。局主要领导已专题研究，答复函正在审核，本周内报送。",
            )
        notices.append(notice)
    # The demo handler's unit has one waiting for acknowledgement (the scan reminds it).
    education = world.units["区教育局"]
    items = list(
        services.urgeable_proposals(education).filter(
            state__in=(S.IN_HANDLING, S.REHANDLING), merged_into__isnull=True, stream=world.meeting.term.stream
        )[:2]
    )
    if items:
        with on(today - dt.timedelta(days=4), 15):
            notices.append(
                services.send_urging(
                    unit=education,
                    proposals=items,
                    by=world.staff,
                    message="请加快办理进度，按期答复代表，并在答复前与代表充分沟通。",
                )
            )
    return notices


def _promises(world: World) -> dict[str, int]:
    today = world.today
    services.sync_promises(today)
    figures = {"reports": 0, "done": 0, "kept": 0}
    promises = list(
        Promise.objects.filter(state=Promise.State.OPEN, proposal__meeting=world.meeting)
        .select_related("unit")
        .order_by("pk")
    )
    for index, promise in enumerate(promises):
        handler = world.handlers[promise.unit_id]
        day = promise.replied_on + dt.timedelta(days=45)
        step = 0
        while day < today - dt.timedelta(days=10) and index % 3 != 2:
            with on(day, 16):
                services.report_promise_progress(
                    promise=promise, by=handler, body=PROMISE_PROGRESS[step % len(PROMISE_PROGRESS)]
                )
            figures["reports"] += 1
            step += 1
            day += dt.timedelta(days=50)
        if index in (0, 4):
            with on(today - dt.timedelta(days=9 if index == 0 else 3), 16):
                services.report_promise_progress(
                    promise=promise, by=handler, body="承诺事项已全部完成，已与领衔代表现场确认。", done=True
                )
            figures["done"] += 1
        if index == 0:
            with on(today - dt.timedelta(days=7), 10):
                services.confirm_promise(promise=promise, by=world.staff, note="经现场核实，承诺事项已落实。")
            figures["kept"] += 1
    return figures


def _resurvey(world: World) -> None:
    """回头看: the promise staff confirmed kept is answered kept by its deputy, the one the unit
    reports kept is answered partly, one past its date not kept; the others wait for the deputy."""
    today = world.today
    asked = (
        resurvey.waiting(Promise.objects.filter(proposal__meeting=world.meeting), today)
        .exclude(proposal__lead_deputy__user=None)
        .select_related("proposal__lead_deputy", "unit")
        .order_by("pk")
    )
    by_state: dict[str, list[Promise]] = {}
    for promise in asked:
        by_state.setdefault(promise.state, []).append(promise)
    overdue = by_state.get(Promise.State.OPEN, [])
    answers = [
        (by_state.get(Promise.State.KEPT, [])[:1], "kept", "学校已建成投用，现场看过，群众满意。"),
        (by_state.get(Promise.State.DONE_REPORTED, [])[:1], "partly", "主体工程已完成，配套道路和绿化还没有动工。"),
        # One past its date is answered; the next stays waiting for its deputy.
        (overdue[:1] if len(overdue) > 1 else [], "not_kept", "期限已过，现场仍未开工，也没有说明原因。"),
    ]
    for promises, answer, comment in answers:
        for promise in promises:
            with on(today - dt.timedelta(days=1), 19):
                resurvey.answer_survey(
                    promise=promise, by=login_of(promise.proposal.lead_deputy), answer=answer, comment=comment
                )


def build(world: World, log: Callable[[str], None] = print) -> None:
    """This year's supervision, once its suggestions are built."""
    leaders = {u.username: u for u in User.objects.filter(role=Role.LEADER)}
    committees = {c.name: c for c in SpecialCommittee.objects.all()}
    members = {u.committee_id: u for u in User.objects.filter(role=Role.COMMITTEE).exclude(committee=None)}
    key_items: list[KeyItem] = []
    taken: set[int] = set()
    for hue, (title, login, committee_name, categories, note) in zip((0, 40, 80), THEMES, strict=True):
        items = _pick(world, categories, taken)
        if not items:
            continue
        taken |= {p.pk for p in items}
        committee = committees.get(committee_name)
        key_item = _mark(world, title, leaders[login], committee, items, note)
        _records(world, key_item, leaders[login], members.get(committee.pk) if committee else None, hue)
        _progress(world, key_item, skip_last=hue == 0)
        key_items.append(key_item)
    notices = _urging(world)
    promises = _promises(world)
    _resurvey(world)
    sent = run_daily_scan(world.today)
    log(
        f"  督办：重点建议 {len(key_items)} 项（{sum(k.proposals.count() for k in key_items)} 件），"
        f"催办通知 {len(notices)} 份，跟踪落实承诺 {Promise.objects.filter(proposal__meeting=world.meeting).count()} 项"
        f"（报告 {promises['reports']} 次），今日提醒 {sum(v for k, v in sent.items() if k != 'promises_created')} 条"
    )


def build_last_year(world: World) -> KeyItem | None:
    """Last year's key item, once its suggestions are built (None if it has nothing to follow)."""
    title, login, committee_name, categories, note = LAST_YEARS_THEME
    leader = User.objects.filter(username=login, role=Role.LEADER).first()
    committee = SpecialCommittee.objects.filter(name=committee_name).first()
    items = _pick(world, categories, set(), count=4)
    if leader is None or not items:
        return None
    key_item = _mark(world, title, leader, committee, items, note)
    member = User.objects.filter(role=Role.COMMITTEE, committee=committee).first() if committee else None
    _records(world, key_item, leader, member, 20)
    _progress(world, key_item, skip_last=False)
    return key_item
