"""Two liaison stations (代表联络站) with their deputies and staff logins, and residents' matters
in every state: new (one with a photo), answered, merged, closed, and one taken up by `deputy`
as a suggestion that was then registered and assigned. Built with the real services at past
dates; once only (a second run adds nothing; a database built before the stations gets them)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from demo.accounts import account
from demo.world import World, login_of, on
from deputies import matters
from deputies.models import Deputy, LiaisonStation, ResidentMatter, Role, User
from handling.services import assign_proposal
from proposals import services as ps
from proposals.from_matters import draft_from_matters
from proposals.models import Category

STATIONS = [
    (
        "西乡塘街道代表联络站",
        "西乡塘街道（安吉、新阳、北湖南社区）",
        "西乡塘区安吉大道12号社区服务中心二楼",
        "station",
        "黄秀兰",
    ),
    ("北湖街道代表联络站", "北湖街道（北湖、秀厢社区）", "北湖路68号党群服务中心一楼", "station2", "梁志明"),
]


def _photo() -> SimpleUploadedFile:
    """A photo of a broken street lamp, as a resident's phone would send it (drawn here)."""
    image = Image.new("RGB", (640, 480), (70, 80, 96))
    draw = ImageDraw.Draw(image)
    draw.rectangle((300, 120, 316, 470), fill=(150, 150, 150))
    draw.ellipse((270, 80, 350, 140), fill=(40, 40, 40))
    draw.rectangle((0, 430, 640, 480), fill=(110, 110, 100))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return SimpleUploadedFile("IMG_2031.jpg", out.getvalue(), content_type="image/jpeg")


def build(world: World, log: Callable[[str], None]) -> bool:
    if LiaisonStation.objects.exists():
        return False
    today = world.today
    deputies = {
        login_of(d).username: d for d in Deputy.objects.filter(user__username__in=_usernames()).select_related("user")
    }
    stations = []
    for index, (name, area, address, login, staff_name) in enumerate(STATIONS):
        station = LiaisonStation.objects.create(name=name, area=area, address=address)
        picked = ["deputy", "deputy2", "deputy03", "deputy04"] if index == 0 else ["deputy05", "deputy06", "deputy07"]
        station.deputies.add(*(deputies[u] for u in picked if u in deputies))
        staff = account(login, Role.STATION_STAFF, staff_name, title=f"{name}工作人员")
        station.staff.add(staff)
        stations.append((station, staff))
    (first, first_staff), (second, second_staff) = stations
    lead = deputies["deputy"]
    lead_user = login_of(lead)

    def leave(days_ago: int, text: str, *, phone: str = "", photo: bool = False, **where: object) -> ResidentMatter:
        with on(today - dt.timedelta(days=days_ago), hour=19):
            matter, _code = matters.receive_matter(
                text=text,
                phone=phone,
                photo=_photo() if photo else None,
                **where,  # type: ignore[arg-type]
            )
        return matter

    def answer(matter: ResidentMatter, days_ago: int, text: str, by: User) -> None:
        with on(today - dt.timedelta(days=days_ago)):
            matters.answer_matter(matter=matter, answer=text, by=by)

    # --- the first station ---------------------------------------------------------------------------------
    leave(
        1,
        "安吉大道与秀灵路口的路灯坏了两个多月，晚上行人过马路很危险。",
        phone="13877120345",
        photo=True,
        station=first,
    )
    leave(0, "新阳小区3栋楼道堆满杂物，存在消防隐患，物业不管。", phone="13978801234", station=first)
    answered = leave(9, "社区卫生服务站周六不开门，老人看病不方便。", phone="13607715566", station=first)
    answer(answered, 6, "已与社区卫生服务中心沟通，自下月起周六上午开诊，时间为8:00—12:00。", first_staff)
    closed = leave(12, "邻居装修噪音太大，能不能帮忙调解？", phone="18677100987", station=first)
    with on(today - dt.timedelta(days=11)):
        matters.close_matter(
            matter=closed,
            reason="邻里纠纷请先与社区人民调解委员会联系（电话 0771-3856123），联络站不直接调解。",
            by=first_staff,
        )
    # Three residents about the school run: merged, then taken up by `deputy` as a suggestion that
    # staff registered and assigned.
    main = leave(40, "安吉小学放学时校门口车辆乱停，堵到主干道，孩子过马路很危险。", phone="13507718899", station=first)
    others = [
        leave(38, "小学门口每天下午四点半堵车，建议设临时停车接送区。", station=first),
        leave(35, "学校门口没有交警疏导，接孩子的电动车和汽车混在一起。", phone="15977123456", station=first),
    ]
    with on(today - dt.timedelta(days=34)):
        matters.merge_matters(main=main, members=others, by=first_staff)
    suggestion = None
    category = Category.objects.filter(name__contains="城").order_by("pk").first()
    unit = world.units.get("区公安分局") or next(iter(world.units.values()))
    with on(today - dt.timedelta(days=33)):
        suggestion = draft_from_matters(matters=[main], by=lead_user)
        ps.update_draft(
            proposal=suggestion,
            by=lead_user,
            title="关于在安吉小学门口设置临时接送区并加强交通疏导的建议",
            body=(
                "一、基本情况\n安吉小学位于安吉大道与秀灵路交叉口西侧，现有学生1800余人。"
                "放学时段（16:20—17:00）接送车辆在校门口两侧乱停乱放，占用主干道一条车道，"
                "车流排队常达300米以上。西乡塘街道代表联络站先后收到三位居民反映此事。\n"
                "二、存在的问题\n一是校门口没有临时停车接送区，家长车辆只能占道停放；"
                "二是放学时段缺少交警疏导，电动车、汽车和行人混行；三是路口人行横道没有警示标志，"
                "学生过马路存在安全隐患。\n"
                "三、具体建议\n1. 利用学校东侧空地设置即停即走临时接送区；"
                "2. 放学时段安排交警或护学志愿者定点疏导；3. 在路口增设人行横道警示标志和减速带。"
            ),
            category=category,
        )
        ps.submit_proposal(proposal=suggestion, by=lead_user)
    with on(today - dt.timedelta(days=30)):
        ps.register_proposal(proposal=suggestion, by=world.staff)
    with on(today - dt.timedelta(days=28)):
        assign_proposal(proposal=suggestion, by=world.staff, lead_unit=unit)
    # Left with `deputy` through the deputy's own QR code.
    leave(2, "希望在北湖公园增加几处无障碍坡道，轮椅进不去。", phone="13677129900", deputy=lead)
    with_deputy = leave(15, "村里的灌溉水渠年久失修，春耕前能否修一下？", deputy=lead)
    answer(with_deputy, 10, "已转告镇农业服务中心，水渠维修已列入本月计划。", lead_user)

    # --- the second station --------------------------------------------------------------------------------
    leave(3, "北湖菜市场门口污水横流，气味很大。", phone="13800771234", station=second)
    leave(1, "秀厢社区公交站台的顶棚破了，下雨没处躲。", station=second)
    noise = leave(20, "夜市烧烤摊营业到凌晨两点，噪音和油烟扰民。", phone="13517710001", station=second)
    again = leave(18, "夜市烧烤油烟太大，窗户都不敢开。", station=second)
    with on(today - dt.timedelta(days=17)):
        matters.merge_matters(main=noise, members=[again], by=second_staff)
    answer(noise, 12, "已会同街道城管中队约谈摊主，夜市营业时间调整至晚上11点，并加装油烟净化设备。", second_staff)
    # Taken up by a deputy stationed there: a draft the deputy is still writing.
    pool = leave(9, "北湖游泳馆暑期一票难求，能否延长开放时间或增加场次？", phone="13607718866", station=second)
    writer = next((deputies[u] for u in ("deputy05", "deputy06", "deputy07") if u in deputies), None)
    if writer is not None:
        with on(today - dt.timedelta(days=8)):
            draft = draft_from_matters(matters=[pool], by=login_of(writer))
            ps.update_draft(
                proposal=draft,
                by=login_of(writer),
                title="关于延长北湖游泳馆暑期开放时间并增加场次的建议",
                body=(
                    "一、基本情况\n北湖游泳馆是我区唯一对外开放的公共室内游泳馆，暑期日均接待量超过1500人次，"
                    "网上预约常在开放后几分钟内约满。北湖街道代表联络站收到居民反映，许多学生和家长多次预约未果。\n"
                    "二、存在的问题\n一是开放时间为9:00—18:00，晚间不开放，上班族和学生难以错峰；"
                    "二是每场限额偏低，场次之间的清场时间过长；三是预约规则不透明，存在重复占号现象。\n"
                    "三、具体建议\n1. 暑期延长开放至21:00并增开晚场；2. 优化清场安排，适当提高每场限额；"
                    "3. 完善实名预约规则，限制同一账号重复预约。"
                ),
            )
    spam = leave(7, "我家孩子想转学到市区学校，怎么办理？", station=second)
    with on(today - dt.timedelta(days=6)):
        matters.close_matter(
            matter=spam, reason="转学事宜请咨询区教育局学籍管理科（电话 0771-3211234）。", by=second_staff
        )

    suggestion.refresh_from_db()
    log(
        f"代表联络站 {LiaisonStation.objects.count()} 个，群众意见 {ResidentMatter.objects.count()} 件"
        f"（其中转为建议 {suggestion.number_label}）；联络站工作人员登录：station、station2。"
    )
    return True


def _usernames() -> list[str]:
    return ["deputy", "deputy2", "deputy03", "deputy04", "deputy05", "deputy06", "deputy07"]
