"""Clocks in working days on the Chinese calendar, with a controllable clock: National Day
2026 (1–7 October off, Saturday 10 October a make-up working day), reminders, notices, red
cards and escalation village → town → county, one runner across workers."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot import clocks
from bot.scheduler import Scheduler
from tests.staff.helpers import case_of, events_of, outbox, report, staff_bot

CN = ZoneInfo("Asia/Shanghai")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=CN).astimezone(UTC)


def test_working_days_skip_the_holiday_and_count_the_make_up_saturday():
    start = local(2026, 9, 30, 10, 0)                        # Wednesday before National Day
    assert clocks.add_working_days(start, 1, "Asia/Shanghai") == local(2026, 10, 8, 10, 0)
    assert clocks.add_working_days(start, 3, "Asia/Shanghai") == local(2026, 10, 10, 10, 0)   # make-up Saturday
    assert clocks.add_working_days(start, 4, "Asia/Shanghai") == local(2026, 10, 12, 10, 0)   # Sunday 11th off
    assert clocks.working_days_between(start, local(2026, 10, 12, 9), "Asia/Shanghai") == 4
    assert clocks.add_working_days(local(2026, 11, 27, 9), 1, "Asia/Shanghai") == local(2026, 11, 30, 9)


def test_a_year_the_calendar_does_not_know_counts_weekdays():
    assert clocks.add_working_days(local(2027, 1, 8, 9), 1, "Asia/Shanghai") == local(2027, 1, 11, 9)


async def pushes_since(ctx, seen: int):
    rows = await outbox(ctx, "wecom_app")
    return [(r.user, r.kind, r.text) for r in rows[seen:]], len(rows)


async def test_reminder_notice_and_nothing_twice_across_the_holiday(bot, ctx, clock):
    clock.set(local(2026, 9, 30, 10, 0))
    number = await report(bot)
    sched = Scheduler(ctx)
    _, seen = await pushes_since(ctx, 0)
    # due to accept: 3 working days → Saturday 10 October 10:00; reminder 4 hours before
    clock.set(local(2026, 10, 9, 18, 0))
    await sched.run_once()
    new, seen = await pushes_since(ctx, seen)
    assert new == []                                          # the evening before is not yet 4 hours before
    clock.set(local(2026, 10, 10, 6, 30))
    await sched.run_once()
    new, seen = await pushes_since(ctx, seen)
    assert [(u, k) for u, k, _ in new] == [("LiHongMei", "reminder")]
    assert "即将到期" in new[0][2] and "10月10日 10:00" in new[0][2] and f"接单 {number}" in new[0][2]
    await sched.run_once()                                    # a second look sends nothing again
    assert (await pushes_since(ctx, seen))[0] == []
    clock.set(local(2026, 10, 10, 10, 1))
    await sched.run_once()
    new, seen = await pushes_since(ctx, seen)
    assert sorted(u for u, _, _ in new) == ["LiHongMei", "QSCentre"] and all("已超期" in t for _, _, t in new)
    ledger = [(e.data["stage"], e.data["what"]) for e in await events_of(ctx, number, "clock")]
    assert ledger == [("start", "reminder"), ("start", "notice")]


async def test_red_card_after_15_working_days_then_town_then_county(bot, ctx, clock):
    clock.set(local(2026, 9, 30, 10, 0))
    number = await report(bot)
    await staff_bot(ctx, "LiHongMei").say(f"接单 {number}")
    sched = Scheduler(ctx)
    _, seen = await pushes_since(ctx, 0)
    red_due = clocks.add_working_days(local(2026, 9, 30, 10, 0), 15, "Asia/Shanghai")
    assert red_due == local(2026, 10, 27, 10, 0)              # 15 working days, the holiday not counted
    clock.set(red_due - timedelta(minutes=1))
    await sched.run_once()
    new, seen = await pushes_since(ctx, seen)
    assert [(u, k) for u, k, _ in new] == [("LiHongMei", "reminder")]
    clock.set(red_due)
    await sched.run_once()
    new, seen = await pushes_since(ctx, seen)
    # a red card is supervision: it queues behind a live red alert (it took the centre's slots)
    reds = [(u, k) for u, k, t in new if "红牌" in t and k == "red_card"]
    assert sorted(reds) == [("GaoZhenHua", "red_card"), ("LiHongMei", "red_card"), ("QSCentre", "red_card")]
    # the leader and the centre are not on the case: the resident's number is masked
    assert all("13812345678" not in t and "138****5678" in t for u, k, t in new if k == "red_card"), new
    # the town's mediator hears why it came up (the card said only whose it was)
    assert [t for u, k, t in new if (u, k) == ("LiuDeMing", "assignment") and "上报原因：红牌警告" in t]
    case = await case_of(ctx, number)
    assert (case.status, case.level, case.assignees) == ("escalated", "town", ["med-dx"])
    assert len(await events_of(ctx, number, "red_card")) == 1
    # nobody at the town takes it: 15 working days after the town got it, the county
    town_due = clocks.add_working_days(case.assigned_at, 15, "Asia/Shanghai")
    clock.set(town_due)
    await sched.run_once()
    case = await case_of(ctx, number)
    assert (case.status, case.level, case.assignees) == ("escalated", "county", ["med-county"])
    assert len(await events_of(ctx, number, "red_card")) == 2
    told = [r.text for r in await outbox(ctx, "test")]
    assert any("乡镇" in t for t in told) and any("县里" in t for t in told)
    # at the county nothing is above: the red card says so, and the case keeps a clock
    county_due = clocks.add_working_days(case.assigned_at, 15, "Asia/Shanghai")
    clock.set(county_due)
    _, seen = await pushes_since(ctx, 0)
    await sched.run_once()
    new, seen = await pushes_since(ctx, seen)
    cards = [t for u, k, t in new if k == "red_card"]
    assert cards and all("无法再上报" in t and "上报上一级" not in t for t in cards), cards
    case = await case_of(ctx, number)
    assert case.level == "county" and case.next_due_at is not None and case.next_due_at > clock.now()


async def make_yellow(ctx, number):
    async with ctx.uow() as uow:
        (await (await uow.cases()).get(number)).risk = "yellow"


async def test_a_complex_case_needs_a_joint_meeting_within_7_days(bot, ctx, clock):
    number = await report(bot)
    await make_yellow(ctx, number)
    await staff_bot(ctx, "LiHongMei").say(f"接单 {number}")
    case = await case_of(ctx, number)
    clock.set(clocks.add_working_days(case.assigned_at, 7, "Asia/Shanghai"))
    await Scheduler(ctx).run_once()
    assert [(e.data["stage"], e.data["what"]) for e in await events_of(ctx, number, "clock")] == [("meeting", "notice")]


async def test_a_recorded_appointment_is_the_joint_meeting(bot, ctx, clock):
    number = await report(bot)
    await make_yellow(ctx, number)
    li = staff_bot(ctx, "LiHongMei")
    await li.say(f"接单 {number}")
    await li.say(f"约谈 {number} 明天上午9点村委会")
    case = await case_of(ctx, number)
    clock.set(clocks.add_working_days(case.assigned_at, 7, "Asia/Shanghai"))
    await Scheduler(ctx).run_once()
    assert await events_of(ctx, number, "clock") == []


async def test_only_one_worker_runs_the_clock(ctx):
    token = await ctx.state.try_lock("scheduler", 60)
    assert token
    assert await Scheduler(ctx).run_once() is False
    await ctx.state.unlock("scheduler", token)
    assert await Scheduler(ctx).run_once() is True


async def test_a_place_given_after_an_urgent_report_brings_in_the_grid_worker_at_once(bot, ctx, clock):
    reply = await bot.last("有人拿着刀说要砍人")
    number = re.search(r"JF\d{6}-\d{3}", reply).group(0)
    case = await case_of(ctx, number)
    assert case.place_code is None and "lead-duty" in case.assignees
    _, seen = await pushes_since(ctx, 0)
    await bot.say("柳林村")                                     # no scheduler in between: a red case cannot wait
    new, seen = await pushes_since(ctx, seen)
    assert ("LiHongMei", "assignment") in [(u, k) for u, k, _ in new]
    assert "gw-liulin" in (await case_of(ctx, number)).assignees
    await bot.say("13812345678")
    new, seen = await pushes_since(ctx, seen)
    leader = [t for u, k, t in new if u == "GaoZhenHua"]
    assert leader and "案件补充" in leader[-1] and "13812345678" in leader[-1] and "柳林村" in leader[-1]
    assert ("LiHongMei", "assignment") not in [(u, k) for u, k, _ in new]    # joined once
    await Scheduler(ctx).run_once()                           # the scheduler's look finds nothing left to tell
    assert (await pushes_since(ctx, seen))[0] == []


async def test_one_runner_across_workers_sharing_redis(tmp_path, clock, redis_server):
    from jiefen.testing import make_context
    from storage.state import open_state_store
    from tests.staff.conftest import WECOM
    a = await make_context(tmp_path, clock=clock, state=open_state_store(redis_server.url, "t-sched:"), **WECOM)
    b = await make_context(tmp_path, clock=clock, state=open_state_store(redis_server.url, "t-sched:"), **WECOM)
    try:
        token = await a.state.try_lock("scheduler", 60)        # worker A is looking at the clocks
        assert await Scheduler(b).run_once() is False          # worker B leaves them alone
        await a.state.unlock("scheduler", token)
        assert await Scheduler(b).run_once() is True
    finally:
        await a.close()
        await b.close()


async def test_a_red_case_is_due_in_hours_at_any_hour(bot, ctx, clock):
    """A red case cannot wait for working days: on a Saturday night its acceptance is due
    two hours after assignment (JIEFEN_RED_RESPONSE_HOURS), the reminder comes half-way, and
    the resident is told hours, not "3个工作日"."""
    clock.set(local(2026, 10, 17, 22, 0))                    # a Saturday night
    reply = await bot.last("我是柳林村的，隔壁两家打起来了，有人拿了铁锹，已经有人头上流血了，电话13812345678")
    number = re.search(r"JF\d{6}-\d{3}", reply).group(0)
    case = await case_of(ctx, number)
    assert case.risk == "red" and case.status == "dispatched"
    [(stage, at)] = [(s.name, at) for s, _a, at in clocks.due(case, ctx.settings) if s.name == "start"]
    assert at == local(2026, 10, 18, 0, 0)
    told = [p.text for p in await outbox(ctx) if p.channel != "wecom_app" and number in p.text]
    assert told and not any("工作日" in t for t in told) and any("2小时内" in t for t in told), told
    sched = Scheduler(ctx)
    _, seen = await pushes_since(ctx, 0)
    clock.set(local(2026, 10, 17, 23, 1))
    await sched.run_once()
    new, seen = await pushes_since(ctx, seen)
    assert ("LiHongMei", "reminder") in [(u, k) for u, k, _ in new], new
    clock.set(local(2026, 10, 18, 0, 1))
    await sched.run_once()
    new, seen = await pushes_since(ctx, seen)
    assert any("已超期" in t for _, _, t in new), new


async def test_routine_clock_messages_wait_for_working_hours(bot, ctx, clock):
    """A trial's reminder reached a grid worker on a Sunday at 21:30 and a red card went out at
    01:30: a routine clock message is held to the next working morning (a red case's is not)."""
    from sqlalchemy import select

    from storage.models import OutboxItem
    clock.set(local(2026, 12, 2, 1, 30))                      # a Wednesday, at night
    number = await report(bot)
    case = await case_of(ctx, number)
    start_due = clocks.add_working_days(case.assigned_at, 3, "Asia/Shanghai")
    clock.set(start_due - timedelta(hours=2))                  # the reminder falls in the night (23:30)
    await Scheduler(ctx).run_once()
    async with ctx.db.session() as s:
        rows = (await s.scalars(select(OutboxItem).where(OutboxItem.kind == "reminder",
                                                          OutboxItem.case_number == number))).all()
    assert rows, "no reminder queued"
    for r in rows:
        due = r.next_attempt_at.replace(tzinfo=UTC) if r.next_attempt_at.tzinfo is None else r.next_attempt_at
        at = due.astimezone(ZoneInfo("Asia/Shanghai"))
        assert clocks.is_workday(at.date()) and 8 <= at.hour < 20, at


async def test_after_a_gap_the_red_card_alone_speaks_for_what_was_due(bot, ctx, clock):
    """A trial stopped the clocks past a case's deadlines: the first tick sent the red card, then
    "【已超期】…请接单" to the worker it had just taken the case from."""
    clock.set(local(2026, 11, 2, 10, 0))
    number = await report(bot)
    case = await case_of(ctx, number)
    clock.set(clocks.add_working_days(case.assigned_at, 15, "Asia/Shanghai") + timedelta(hours=1))
    _, seen = await pushes_since(ctx, 0)
    await Scheduler(ctx).run_once()
    new, _ = await pushes_since(ctx, seen)
    assert [t for u, k, t in new if k == "red_card"], new
    assert not [t for u, k, t in new if "已超期" in t or "即将到期" in t], new
    assert (await case_of(ctx, number)).level == "town"


def test_a_year_the_calendar_package_does_not_know_keeps_the_statutory_holidays():
    """A trial's 2027 clocks counted New Year's Day, the Spring Festival and Qingming as working
    days (chinesecalendar 1.11 ends with 2026): the law's holidays stay rest days."""
    from datetime import date
    if clocks.calendar_known(2027):
        pytest.skip("the installed chinesecalendar knows 2027")
    for d in (date(2027, 1, 1), date(2027, 2, 5), date(2027, 2, 8), date(2027, 4, 5), date(2027, 5, 2),
              date(2027, 6, 9), date(2027, 9, 15), date(2027, 10, 1)):
        assert not clocks.is_workday(d), d
    assert clocks.is_workday(date(2027, 2, 9)) and clocks.is_workday(date(2027, 1, 4))
    # 31 Dec 2026 10:00 + 3 working days: not Tue 5 Jan (1 Jan is a holiday)
    assert clocks.add_working_days(local(2026, 12, 31, 10, 0), 3, "Asia/Shanghai") == local(2027, 1, 6, 10, 0)


def test_the_lunar_feasts_agree_with_the_calendar_package_where_it_knows_them():
    import chinese_calendar
    for year in (2025, 2026):
        official = {d for d in clocks.statutory_holidays(year)}
        assert all(chinese_calendar.is_holiday(d) for d in official), year
        assert len(official) == 13, year           # 1 + 4 + 1 + 2 + 1 + 1 + 3 days, as the law counts them


async def test_a_transfer_at_the_same_level_keeps_the_red_card_clock(bot, ctx, clock):
    """A trial handed a case to a colleague and back a day before its red card: the red card
    moved 15 working days on, each time."""
    clock.set(local(2026, 11, 2, 10, 0))
    number = await report(bot)
    await staff_bot(ctx, "LiHongMei").say(f"接单 {number}")
    before = (await case_of(ctx, number)).assigned_at
    clock.set(local(2026, 11, 19, 10, 0))
    reply = await staff_bot(ctx, "LiHongMei").last(f"转办 {number} 王建国")
    assert "已转办" in reply, reply
    case = await case_of(ctx, number)
    assert case.assignees == ["gw-taoyuan"] and case.assigned_at == before, (case.assignees, case.assigned_at)
    # the card does not ask to accept a case in mediation
    card = [p for p in await outbox(ctx, "wecom_app") if p.user == "WangJianGuo"][-1]
    assert "接着办理" in card.text and "回复“接单" not in card.text, card.text


async def test_a_case_sent_back_to_the_centre_keeps_a_clock(bot, ctx, clock):
    """A clock trial's case sent back to the centre (退回) got one reminder and one overdue
    notice, then nothing for four weeks."""
    clock.set(local(2026, 11, 2, 10, 0))
    number = await report(bot)
    clock.set(local(2026, 11, 9, 10, 0))
    assert "已退回" in await staff_bot(ctx, "LiHongMei").last(f"退回 {number} 这块地不归我们村管")
    sched = Scheduler(ctx)
    case = await case_of(ctx, number)
    clock.set(clocks.add_working_days(case.assigned_at, 1, "Asia/Shanghai"))       # the dispatch clock, again
    await sched.run_once()
    stages = [(e.data["stage"], e.data["what"]) for e in await events_of(ctx, number, "clock")]
    assert ("dispatch", "notice") in stages, stages
    clock.set(clocks.add_working_days(case.assigned_at, 15, "Asia/Shanghai"))
    _, seen = await pushes_since(ctx, 0)
    await sched.run_once()
    new, _ = await pushes_since(ctx, seen)
    cards = [(u, t) for u, k, t in new if k == "red_card"]
    assert cards and all("尽快分派" in t for _, t in cards), new
    case = await case_of(ctx, number)
    assert case.status == "received" and case.next_due_at is not None
