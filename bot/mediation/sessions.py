"""Mediation sessions: scheduled (the parties and the mediator told, and reminded on the
working day before), then recorded.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot import clocks
from bot.mediation.common import ensure_applicant, local_time, refused_by, store_of, tell_parties, tell_staff
from bot.mediation.text import labelled, video_link
from bot.when import read_when
from storage.lifecycle import OPEN_STATUSES, EventKind, TimerKind
from storage.models import Case, MediationSession

if TYPE_CHECKING:
    from bot.case_actions import Actor
    from bot.context import AppContext
    from bot.uow import UnitOfWork


async def schedule(ctx: "AppContext", uow: "UnitOfWork", actor: "Actor", case: Case, note: str) -> str:
    """会谈 N 时间 地点（或视频链接）: the parties and the mediator are told now and reminded."""
    refused = await refused_by(uow, case)
    if refused:
        return refused
    read = read_when(note, uow.now, ctx.settings.timezone)
    if read.at is not None and not read.timed:      # "明天" is a day, not a meeting's time
        read = replace(read, at=None, problem="没有写几点")
    if read.at is None:
        # a day gone by was booked a year ahead ("12月1日" on 5 December), and 上午 was the place
        return (f"会谈时间{read.problem}，请写以后的时间和地点，例如：会谈 {case.number} 12月8日 下午3点 村调解室"
                "（视频调解可写链接）")
    when, rest = read.at.astimezone(uow.now.tzinfo), read.rest
    video, place = video_link(rest)
    place = place.strip() or ("视频调解" if video else "")
    if not place and not video:
        return "请写上地点，或视频调解的链接。"
    await ensure_applicant(ctx, uow, case, actor.key)
    store = await store_of(uow)
    session = await store.add_session(case.id, starts_at=when, place=place[:200], video_url=video[:500],
                                      scheduled_by=actor.key)
    await (await uow.cases()).event(case, EventKind.SESSION_SCHEDULED, actor.key, session=session.id,
                                    seq=session.seq, starts_at=when.isoformat(), place=place, video_url=video)
    remind = session_reminder_at(ctx, when, uow.now)
    if remind is not None:
        await store.add_timer(case.id, TimerKind.SESSION_REMINDER, session.id, remind)
    where = f"视频调解（{video}）" if video else place
    text = (f"案件 {case.number} 的调解会定于 {local_time(ctx, when)} 举行，地点：{where}。"
            "请准时参加，如不能参加请回复说明。")
    told = await tell_parties(ctx, uow, case, text, f"session:{case.number}:{session.id}")
    await tell_staff(ctx, uow, case,
                     f"【调解会】{case.number} 第{session.seq}次调解会：{local_time(ctx, when)}，{where}",
                     f"session:{case.number}:{session.id}", people=[actor.staff])
    return (f"已安排 {case.number} 第{session.seq}次调解会：{local_time(ctx, when)}，{where}。"
            f"已通知{told}位当事人" + (f"，{local_time(ctx, remind)}再提醒各方。" if remind else "。"))


def session_reminder_at(ctx: "AppContext", when: datetime, now: datetime) -> datetime | None:
    """The working day before the session, at the same time; when that is past already, the
    evening before (20:00), then a few hours before it but not before 07:30 (a 09:00 meeting
    was reminded at 05:00); none when even that is past (they were just told)."""
    zone = ZoneInfo(ctx.settings.timezone)
    local = when.astimezone(zone)
    day = local.date() - timedelta(days=1)
    while not clocks.is_workday(day):
        day -= timedelta(days=1)
    for at in (datetime.combine(day, local.time(), tzinfo=zone),
               datetime.combine(local.date() - timedelta(days=1), time(20, 0), tzinfo=zone),
               max(local - timedelta(hours=ctx.settings.reminder_hours),
                   datetime.combine(local.date(), time(7, 30), tzinfo=zone))):
        if now < at < when:
            return at.astimezone(when.tzinfo)
    return None


RECORD_FIELDS = ("attendees", "points", "applicant", "respondent", "proposal", "next_step")


RECORD_NAMES = {"attendees": "到场", "points": "争议焦点", "applicant": "申请人陈述", "respondent": "被申请人陈述",
                "proposal": "调解方案", "next_step": "下一步"}


async def record_session(ctx: "AppContext", uow: "UnitOfWork", actor: "Actor", case: Case, note: str) -> str:
    """笔录 N 到场：… 争议焦点：… 申请人：… 被申请人：… 方案：… 下一步：…  (the latest
    session not yet recorded; a session held without scheduling is added)."""
    fields = labelled(note)
    record = {k: fields.get(k, "") for k in RECORD_FIELDS}
    if not any(record.values()):
        return ("请按项目写笔录，例如：\n笔录 " + case.number + "\n到场：双方当事人、调解员\n争议焦点：……\n"
                "申请人：……\n被申请人：……\n方案：……\n下一步：……")
    store = await store_of(uow)
    # the latest session held and not yet recorded (one still to come is not "held": a trial's
    # 笔录 was filed against a meeting five days ahead)
    session = next((s for s in reversed(await store.sessions(case.id))
                    if s.recorded_at is None and (s.starts_at is None or s.starts_at <= uow.now)), None)
    ahead = ""
    if session is None:
        coming = next((s for s in await store.sessions(case.id) if s.recorded_at is None and s.starts_at is not None
                       and s.starts_at > uow.now), None)
        if coming is not None and coming.starts_at is not None:
            # a meeting held today while one is booked for later: this is another one (a trial
            # read "第2次" after one meeting booked, and took it for a mistake)
            ahead = f"（今天的会谈；{local_time(ctx, coming.starts_at)}的第{coming.seq}次调解会还没有举行）"
        session = await store.add_session(case.id, starts_at=uow.now, place="", video_url="", scheduled_by=actor.key)
    session.record = record
    session.recorded_at = uow.now
    await (await uow.cases()).event(case, EventKind.SESSION_RECORDED, actor.key, session=session.id,
                                    seq=session.seq, **record)
    missing = [RECORD_NAMES[k] for k in RECORD_FIELDS if not record[k]]
    return (f"已记录 {case.number} 第{session.seq}次调解会笔录{ahead}。"
            + (f"（未填：{'、'.join(missing)}）" if missing else ""))


async def remind_session(ctx: "AppContext", uow: "UnitOfWork", case: Case, session_id: int, due: datetime) -> None:
    session = await (await uow.session()).get(MediationSession, session_id)
    if session is None or session.recorded_at is not None or session.starts_at is None \
            or session.starts_at <= uow.now or case.status not in OPEN_STATUSES:
        return          # held, recorded, gone by, or the case is over (settled, ended, archived)
    where = f"视频调解：{session.video_url}" if session.video_url else session.place
    text = f"提醒：案件 {case.number} 的调解会将于 {local_time(ctx, session.starts_at)} 举行，地点：{where}。"
    await tell_parties(ctx, uow, case, text, f"session_reminder:{case.number}:{session.id}")
    await tell_staff(ctx, uow, case, "【调解会提醒】" + text, f"session_reminder:{case.number}:{session.id}")
    await (await uow.cases()).event(case, EventKind.CLOCK, "scheduler", stage="session", what="reminder",
                                    session=session.id, due=session.starts_at.isoformat())
