"""The reports' part of the demo, for each meeting's year: the scoring rules, the two chapters
staff write for the annual report (so the PDF can be generated at once), two key items when
supervision made none, and one reply staff keep from the public page."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from demo.world import World
from deputies.models import User
from deputies.streams import Stream
from handling.models import Reply
from proposals.models import Proposal
from proposals.services import withhold_from_public
from reports.models import AnnualReport, DisclosureHold, ScoringScheme
from reports.publication import publish_figures
from supervision.models import KeyItem

PRACTICES = """（一）加强领导，压实办理责任
区政府把代表建议办理作为接受人大监督、改进政府工作的重要内容，常务会议专题研究部署，实行“主要负责同志负总责、分管负责同志具体抓、承办科室抓落实”的责任制，答复函一律由承办单位主要负责同志审核签发。

（二）规范流程，提升办理质量
建议全部通过办理系统线上交办，交办时逐件明确主办、协办单位和办理时限；对职能交叉、难以界定承办单位的建议，由区政府督查室协调确定。办理过程实行“办前联系、办中沟通、办后反馈”，系统全程记录联系、面商、答复和评价情况，做到件件有回音、事事有着落。

（三）突出重点，推动难点问题解决
围绕群众关注度高、代表反映集中的问题，确定重点督办建议，由区领导领办，专门委员会跟踪督办，通过视察、座谈、现场办理等方式推动解决了一批教育、交通、养老等方面的民生难题。

（四）强化督查，抓好承诺落实
对列入计划逐步解决的建议建立跟踪落实清单，定期督促承办单位报告进展；将按时办复、联系代表和代表满意度纳入承办单位年度考核计分，考核结果作为绩效考核的重要内容。"""

PLANS = """（一）进一步压实办理责任
坚持把代表满意作为办理工作的第一标准，推动承办单位主要负责同志亲自研究、亲自协调、亲自把关，防止重答复、轻落实。

（二）进一步抓好承诺事项落实
对列入年度计划和规划逐步解决的建议，逐项明确完成时限，跟踪督办到位，及时向代表反馈进展，确保承诺兑现。

（三）进一步加强沟通联系
严格落实“办前联系、办中沟通、办后反馈”要求，推动从“文来文往”向“人来人往”转变，扩大面商比例，提高办理实效。"""


# Last year's report, written a year ago.
LAST_YEARS_PRACTICES = """（一）高位推动，压实办理责任
区政府常务会议专题研究代表建议交办工作，逐件明确主办、协办单位和办理时限，实行承办单位主要负责同志负总责、答复函由主要负责同志审核签发的办理责任制。

（二）沟通在先，提高办理质量
坚持“办前联系、办中沟通、办后反馈”，大部分建议在答复前与代表当面沟通，邀请代表实地察看办理成效，代表对办理工作的满意度进一步提高。

（三）跟踪督办，推动承诺兑现
对列入计划解决的建议建立跟踪落实清单，承办单位定期报告进展，对逾期未兑现的承诺及时催办，推动一批民生实事落地见效。"""

LAST_YEARS_PLANS = """（一）抓好承诺事项落实
对尚未兑现的承诺逐项明确责任人和完成时限，按季度报告进展，确保件件有着落。

（二）提高面商比例
推动承办单位与代表当面沟通常态化，从“文来文往”向“人来人往”转变。

（三）强化考核运用
将按时办复率、代表满意度和承诺兑现情况纳入承办单位年度考核，考核结果与绩效挂钩。"""


def build(world: World, log: Callable[[str], None], *, practices: str = PRACTICES, plans: str = PLANS) -> None:
    """The reports' data of the year of `world`'s meeting, once its suggestions and supervision
    are built (this year's chapters unless told otherwise)."""
    year = world.meeting.year
    ScoringScheme.objects.get_or_create(
        applies_from=year,
        stream="",
        defaults={
            "name": f"{year}年承办单位考核计分规则",
            "on_time_points": Decimal("30"),
            "contact_points": Decimal("10"),
            "face_to_face_points": Decimal("20"),
            "satisfied_points": Decimal("40"),
            "basic_points": Decimal("30"),
            "overdue_deduction": Decimal("2"),
            "unsatisfied_deduction": Decimal("5"),
            "note": "按时办复、联系代表、面商按比例得分；满意、基本满意按已评价件数比例得分；"
            "超期和不满意逐件扣分，扣完为止。",
        },
    )
    AnnualReport.objects.get_or_create(
        year=year,
        stream=Stream.SUGGESTION,
        defaults={"practices": practices, "plans": plans, "updated_by": world.staff},
    )
    if not KeyItem.objects.filter(year=year).exists():
        leaders = list(User.objects.filter(username__in=["leader", "leader2"]).order_by("username"))
        themes = [
            ("义务教育优质均衡发展", ["教科文卫体"]),
            ("城乡交通和道路安全", ["交通邮电", "城乡建设与管理"]),
        ]
        for (title, categories), leader in zip(themes, leaders, strict=False):
            item = KeyItem.objects.create(year=year, title=title, leader=leader, created_by=world.staff)
            # Handled ones, so the annual report has handling summaries to show.
            picked = Proposal.objects.filter(
                meeting=world.meeting, category__name__in=categories, state__in=["closed", "replied", "rehandling"]
            ).order_by("number")[:3]
            item.proposals.add(*picked)
    reply = (
        Reply.objects.filter(state=Reply.State.ISSUED, is_public=True, assignment__proposal__meeting=world.meeting)
        .order_by("pk")
        .first()
    )
    if reply is not None:
        DisclosureHold.objects.get_or_create(
            reply=reply, defaults={"reason": "答复涉及个人信息，经研究暂不公开", "held_by": world.staff}
        )
    # One registered suggestion kept off the public progress pages, with the reason.
    if not Proposal.objects.filter(meeting=world.meeting).exclude(withheld_at=None).exists():
        withheld = (
            Proposal.objects.filter(meeting=world.meeting, state="in_handling", stream=Stream.SUGGESTION)
            .order_by("-number")
            .first()
        )
        if withheld is not None:
            withhold_from_public(proposal=withheld, by=world.staff, reason="涉及在办信访事项，经研究暂不公开")
    log("  报告：考核计分规则、年度报告章节、重点督办事项已生成")


def build_last_year(world: World) -> None:
    """Last year's, with its own chapters, once its suggestions and key item are built."""
    build(world, lambda _line: None, practices=LAST_YEARS_PRACTICES, plans=LAST_YEARS_PLANS)
    # Last year's units' figures are on the public pages (/public/figures/).
    publish_figures(year=world.meeting.year, stream=Stream.SUGGESTION, by=world.staff)
