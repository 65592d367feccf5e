"""Residents' matters forwarded to units as public-opinion items (民意件): one the unit has
answered (区住房和城乡建设局, login handler2), one waiting within its deadline and one overdue
(区教育局, login handler), left at the first liaison station and forwarded by its staff; where
the database has no station yet, left with the demo deputy through the deputy's QR code and
forwarded by the deputy. Built with the real services at past dates; once only. The unit is
reminded of the overdue one by the daily scan's rule, run here as the demo's first scan ran
before the stations were built."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from demo.world import World, on
from deputies import matters
from deputies.models import Deputy, LiaisonStation, ResidentMatter, User
from handling import referrals
from handling.models import MatterReferral, Unit
from supervision.reminders import run_daily_scan

# (days ago received, forwarded, answered (None: not yet), unit, the resident's text, the text
# the unit reads, the note, the unit's answer)
REFERRALS = [
    (
        26,
        25,
        14,
        "区住房和城乡建设局",
        "安吉路老旧小区的外墙瓷砖脱落，砸坏了楼下停的电动车，幸好没有砸到人。我住5栋2单元，电话13877001122。",
        "安吉路老旧小区外墙瓷砖脱落，已砸坏楼下电动车，存在伤人隐患。",
        "居民多次反映，请尽快排查整栋楼外墙。",
        "已组织专业队伍对该小区6栋楼外墙进行排查，拆除松动瓷砖32处，并将该小区列入明年老旧小区改造计划。",
    ),
    (
        4,
        3,
        None,
        "区教育局",
        "新阳小学的课后服务只到五点，双职工家庭接不了孩子，能不能延长到六点？",
        "新阳小学课后服务只到17:00，双职工家庭接送困难，希望延长至18:00。",
        "",
        "",
    ),
    (
        40,
        38,
        None,
        "区教育局",
        "秀厢幼儿园门口的人行道被商户占用，孩子只能走机动车道。",
        "秀厢幼儿园门口人行道被商户占用，幼儿上下学被迫走机动车道。",
        "涉及占道经营，如需城管配合请告知联络站。",
        "",
    ),
]

# Left at any other station: (the resident's text, the unit, the text the unit reads).
OTHER_STATION = (
    "北湖路和友爱路口的红绿灯时间太短，老人走到一半就变灯了。",
    "区住房和城乡建设局",
    "北湖路与友爱路口行人绿灯时间过短，老年人无法一次通过。",
)


def build(world: World, log: Callable[[str], None]) -> bool:
    if MatterReferral.objects.exists():
        return False
    station = LiaisonStation.objects.filter(staff__is_active=True).order_by("pk").first()
    deputy = Deputy.objects.filter(user__username="deputy").select_related("user").first()
    if station is not None:
        by: User | None = station.staff.filter(is_active=True).order_by("pk").first()
    else:
        by = deputy.user if deputy is not None else None
    units = {u.name: u for u in Unit.objects.filter(name__in={r[3] for r in REFERRALS})}
    if by is None or len(units) < len({r[3] for r in REFERRALS}):
        return False
    today = world.today
    for received, forwarded, answered, unit_name, text, for_unit, note, answer in REFERRALS:
        unit = units[unit_name]
        with on(today - dt.timedelta(days=received), hour=20):
            matter, _code = matters.receive_matter(
                text=text, phone="13877001122", station=station, deputy=None if station is not None else deputy
            )
        with on(today - dt.timedelta(days=forwarded)):
            referral = referrals.forward_matter(matter=matter, unit=unit, text=for_unit, note=note, by=by)
        if answered is not None:
            handler = unit.members.filter(user__is_active=True).select_related("user").order_by("pk").first()
            if handler is not None:
                with on(today - dt.timedelta(days=answered), hour=15):
                    referrals.answer_referral(referral=referral, answer=answer, by=handler.user)
    # Every other station forwards one too, still within its deadline, so that each station of
    # the demo holds a matter in every state.
    others = LiaisonStation.objects.filter(staff__is_active=True).distinct()
    for other in others.exclude(pk=station.pk) if station is not None else others.none():
        staff = other.staff.filter(is_active=True).order_by("pk").first()
        if staff is None:
            continue
        with on(today - dt.timedelta(days=6), hour=21):
            matter, _code = matters.receive_matter(text=OTHER_STATION[0], phone="13977105678", station=other)
        with on(today - dt.timedelta(days=5)):
            referrals.forward_matter(
                matter=matter, unit=units[OTHER_STATION[1]], text=OTHER_STATION[2], note="", by=staff
            )
    # Built after the first daily scan (the stations come last): the overdue one is reminded now.
    run_daily_scan(today, only=["referral"])
    waiting = MatterReferral.objects.filter(answered_at__isnull=True)
    log(
        f"民意件 {MatterReferral.objects.count()} 件（未答复 {waiting.count()} 件，"
        f"其中超期 {waiting.filter(deadline__lt=today).count()} 件）；"
        f"转交单位的群众意见 {ResidentMatter.objects.filter(referral__isnull=False).count()} 件。"
    )
    return True
