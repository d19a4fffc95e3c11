"""Costs that follow the work, not the history: a tick reads only what is due and never runs
twice, the next due time moves with every change, counts kept with every change agree with a
recount (also with several workers writing at once), digests over tens of thousands of cases."""
from __future__ import annotations

import asyncio
import itertools
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, event, func, insert, select
from sqlalchemy.exc import OperationalError

from adapters.wecom_robot import build_digest, queue_digests
from bot import clocks, routing
from bot.scheduler import Scheduler
from jiefen.testing import make_context
from storage import figures
from storage.cases import NewCase
from storage.models import Case, CaseAssignee, CaseFigure, Meta, StaffLoad
from tests.staff.conftest import WECOM
from tests.staff.helpers import case_of, events_of, outbox, report, staff_bot

CN = ZoneInfo("Asia/Shanghai")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=CN).astimezone(UTC)


async def _pg_url(tmp_path, postgres_server) -> str:
    import asyncpg
    name = f"x{tmp_path.name[-20:].replace('-', '_').lower()}"
    conn = await asyncpg.connect(f"postgresql://jiefen@127.0.0.1:{postgres_server.port}/postgres")
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return f"postgresql+asyncpg://jiefen@127.0.0.1:{postgres_server.port}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
async def any_ctx(request, tmp_path, clock):
    url = None
    if request.param == "postgresql":
        url = await _pg_url(tmp_path, request.getfixturevalue("postgres_server"))
    context = await make_context(tmp_path, clock=clock, database_url=url, **WECOM)
    yield context
    await context.close()


async def open_routed(ctx, key: str, place: str, text: str = "楼上天天半夜拖椅子", type_: str = "neighbour",
                      source: str = ""):
    async with ctx.uow() as uow:
        case, _ = await (await uow.cases()).open(NewCase(key, type_, "green", place, "test", f"r-{key}", text,
                                                         source=source))
        await routing.route_new_case(ctx, uow, case)
        return case.number


class SlowScheduler(Scheduler):
    """A runner whose every case takes longer than its lock lives."""
    pause = 0.6

    async def check(self, uow, case):
        await asyncio.sleep(self.pause)
        await super().check(uow, case)


async def test_a_tick_longer_than_its_lock_cannot_run_twice(any_ctx, clock):
    ctx = any_ctx
    clock.set(local(2026, 9, 30, 10, 0))
    numbers = [await open_routed(ctx, f"k{i}", place) for i, place in enumerate(("DX01", "DX02", "DX03"))]
    clock.set(local(2026, 10, 10, 6, 30))          # all three in the reminder window of their acceptance
    slow = SlowScheduler(ctx, batch_size=1, lock_ttl=0.3)
    first = asyncio.create_task(slow.run_once())
    await asyncio.sleep(0.45)                      # its lock has run out while its first case is still going
    second = Scheduler(ctx)
    assert await second.run_once() is True         # so another runner may take the clocks
    assert await first is True
    assert (slow.handled, second.handled) == (1, 2)     # the first stopped when it found its lock gone
    for number in numbers:
        assert [(e.data["stage"], e.data["what"]) for e in await events_of(ctx, number, "clock")] \
            == [("start", "reminder")]
    reminders = [r for r in await outbox(ctx, "wecom_app") if r.kind == "reminder"]
    assert sorted(r.case_number for r in reminders) == sorted(numbers)      # each sent once


async def test_a_tick_reads_only_the_cases_due(ctx, clock):
    clock.set(local(2026, 9, 30, 10, 0))
    for i, place in enumerate(("DX01", "DX02", "DX03", "NH01")):
        await open_routed(ctx, f"k{i}", place)
    sched = Scheduler(ctx)
    await sched.run_once()                          # first tick here: every open case looked at once
    assert sched.handled == 4
    clock.set(local(2026, 10, 9, 18, 0))
    await sched.run_once()
    assert sched.handled == 4                       # nothing due: nothing read
    clock.set(local(2026, 10, 10, 6, 0))            # the reminders' moment
    await sched.run_once()
    assert sched.handled == 8
    await sched.run_once()
    assert sched.handled == 8


async def test_the_next_due_time_moves_with_each_change(bot, ctx, clock):
    clock.set(local(2026, 9, 30, 10, 0))
    number = await report(bot)
    case = await case_of(ctx, number)
    # dispatched at once: the next moment is 4 hours before the acceptance deadline (3 working days)
    assert case.next_due_at == local(2026, 10, 10, 6, 0) and case.overdue_since is None
    await staff_bot(ctx, "LiHongMei").say(f"接单 {number}")
    case = await case_of(ctx, number)
    red_due = clocks.add_working_days(case.assigned_at, 15, "Asia/Shanghai")
    assert case.next_due_at == red_due - timedelta(hours=4)          # only the result's clock runs now
    async with ctx.uow() as uow:                    # yellow: a joint meeting within 7 working days
        (await (await uow.cases()).get(number)).risk = "yellow"
    case = await case_of(ctx, number)
    assert case.next_due_at == clocks.add_working_days(case.assigned_at, 7, "Asia/Shanghai") - timedelta(hours=4)
    clock.set(red_due)
    await Scheduler(ctx).run_once()
    case = await case_of(ctx, number)
    assert case.red_card_at == red_due and case.level == "town"
    assert case.next_due_at == clocks.add_working_days(red_due, 3, "Asia/Shanghai") - timedelta(hours=4)


async def test_a_change_of_clock_settings_recomputes_the_due_times(tmp_path, clock):
    clock.set(local(2026, 11, 23, 9, 0))
    ctx = await make_context(tmp_path, clock=clock, **WECOM)
    try:
        number = await open_routed(ctx, "k1", "DX01")
        await Scheduler(ctx).run_once()
    finally:
        await ctx.close()
    ctx = await make_context(tmp_path, clock=clock, demo=False, start_mediation_days=1, **WECOM)
    try:
        await Scheduler(ctx).run_once()
        case = await case_of(ctx, number)
        assert case.next_due_at == clocks.add_working_days(case.assigned_at, 1, "Asia/Shanghai") - timedelta(hours=4)
    finally:
        await ctx.close()


async def counts(ctx) -> tuple[list, list]:
    """The kept counters, rows that hold something only."""
    async with ctx.db.session() as s:
        fig = (await s.execute(select(*CaseFigure.__table__.c).order_by(CaseFigure.day, CaseFigure.dim,
                                                                         CaseFigure.key))).all()
        load = (await s.execute(select(StaffLoad.staff_id, StaffLoad.open_cases)
                                .where(StaffLoad.open_cases != 0).order_by(StaffLoad.staff_id))).all()
    return [tuple(r) for r in fig if any(r[3:])], [tuple(r) for r in load]


async def test_kept_counts_agree_with_a_recount_with_several_workers_at_once(any_ctx, clock):
    ctx = any_ctx
    places = itertools.cycle(("DX01", "DX02", "DX03", "NH01", "NH02", "NH03"))
    kinds = itertools.cycle(("neighbour", "labour", "property_mgmt", "marriage_family"))

    async def one(i: int) -> str:
        return await open_routed(ctx, f"c{i}", next(places), f"第{i}件纠纷", next(kinds),
                                 source="DX01" if i % 4 == 0 else "")

    numbers = await asyncio.gather(*(one(i) for i in range(24)))     # concurrent units of work
    clock.advance(hours=2)

    async def act(i: int, number: str) -> None:
        async with ctx.uow() as uow:
            store = await uow.cases()
            case = await store.get_for_update(number)
            if i % 3 == 0:
                await store.transition(case, "mediating", "t")
                await store.transition(case, "resolved", "t")
                await store.update(case, "t", satisfaction=4)
                await store.transition(case, "closed", "t")
            elif i % 3 == 1:
                await routing.escalate(ctx, uow, case, "t", "难")
            else:
                store.add_assignee(case, "centre-qs", "centre")
                case.place_code = "DX01"

    await asyncio.gather(*(act(i, n) for i, n in enumerate(numbers)))
    kept = await counts(ctx)
    await figures.rebuild(ctx.db)
    assert await counts(ctx) == kept
    async with ctx.db.session() as s:
        total = await s.scalar(select(CaseFigure.cases).where(CaseFigure.day == "*", CaseFigure.dim == "all"))
        open_rows = await s.scalar(select(func.count()).select_from(CaseAssignee).where(CaseAssignee.open.is_(True)))
        f = await figures.read_figures(s, clock.now().astimezone(CN).date(), clock.now().astimezone(CN).date())
    assert total == 24 and sum(n for _, n in kept[1]) == open_rows
    assert f.total.cases == 24 and f.total.closed == 8 and f.total.satisfaction == 4.0
    assert f.by_place["DX01"].cases >= 8 and f.now.open == 16
    assert f.total.mean_dispatch_hours == 0.0 and f.total.mean_result_days == round(2 / 24, 2)
    # the area's grids: place × type and place × channel add up to the place and to the type
    for code, m in f.by_place.items():
        assert sum((v for k, v in f.by_place_type.items() if k.split("|")[0] == code), figures.Measures()) == m
        assert sum((v for k, v in f.by_place_channel.items() if k.split("|")[0] == code), figures.Measures()) == m
    for kind, m in f.by_type.items():
        assert sum((v for k, v in f.by_place_type.items() if k.split("|")[1] == kind), figures.Measures()) == m
    assert list(f.by_source) == ["DX01"] and f.by_source["DX01"].cases == 6       # scanned codes only


async def test_figures_kept_by_an_older_version_are_rebuilt_once(ctx, clock):
    await open_routed(ctx, "v1", "DX01", source="DX01")
    async with ctx.db.session() as s:
        await s.execute(delete(CaseFigure).where(CaseFigure.dim == "src"))       # rows an older version kept
        (await s.get(Meta, figures.META_KEY)).value = ctx.db.timezone
    assert await figures.ensure_built(ctx.db) is True
    assert await figures.ensure_built(ctx.db) is False
    async with ctx.db.session() as s:
        f = await figures.read_figures(s, clock.now().astimezone(CN).date(), clock.now().astimezone(CN).date())
    assert f.by_source["DX01"].cases == 1 and f.by_place_type["DX01|neighbour"].cases == 1


async def test_my_cases_count_them_all_and_list_the_oldest(bot, ctx):
    for i in range(23):
        await open_routed(ctx, f"m{i}", "DX01", f"第{i}件")
    answer = await staff_bot(ctx, "LiHongMei").last("我的")
    assert "（23件）" in answer and "最早的20件" in answer and answer.count("JF") == 20


async def upstream_parameter_limit(db) -> None:
    """SQLite as built upstream (and by most platforms) takes at most 32,766 parameters in one
    statement; Debian's build takes 250,000, which would hide one parameter per case."""
    def limit(dbapi_conn, _record) -> None:
        dbapi_conn.driver_connection._conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 32_766)
    event.listen(db.engine.sync_engine, "connect", limit)
    await db.engine.dispose()                       # connections from now on have the limit
    async with db.session() as s:
        with pytest.raises(OperationalError, match="too many SQL variables"):
            await s.execute(select(Case.id).where(Case.id.in_(list(range(40_000)))))


async def test_a_tick_with_a_digest_over_40000_open_cases_commits(any_ctx, clock):
    """Past 32,767 open cases in one town, a digest that sent one parameter per case made
    PostgreSQL refuse the tick's query (SQLite's limit is the same): the tick rolled back and
    no reminder was ever committed. The tick with the digests and a due reminder commits."""
    ctx = any_ctx
    if ctx.db.dialect == "sqlite":
        await upstream_parameter_limit(ctx.db)
    clock.set(local(2026, 9, 30, 10, 0))
    number = await open_routed(ctx, "due", "DX01")
    sched = Scheduler(ctx, jobs=[queue_digests])
    await sched.run_once()                          # its first look; today's digests go out
    clock.set(local(2026, 10, 10, 9, 0))            # next morning: its reminder is due, and the digests
    now = clock.now()
    rows = [dict(number=f"JF990101-{i:05d}", intake_key=f"bulk{i}", type="neighbour", risk="green",
                 risk_reasons=[], status="dispatched", level="village", place_code="DX01-G1",
                 channel="test", reporter=f"u{i}", reporter_name="", contact="", parties=[],
                 description="", source="", media=[], created_at=now - timedelta(days=2 if i % 4 else 0),
                 updated_at=now, overdue_since=now if i % 5 == 0 else None,
                 red_card_at=now if i % 10 == 1 else None) for i in range(40_000)]
    async with ctx.db.session() as s:
        for i in range(0, len(rows), 5000):
            await s.execute(Case.__table__.insert(), rows[i:i + 5000])
    await figures.rebuild(ctx.db)         # a bulk insert passes the kept counts by: recount them
    assert await sched.run_once() is True
    today = [r for r in await outbox(ctx, "wecom_robot") if r.key.endswith(":2026-10-10")]
    assert len(today) == 4                                            # every group's digest, committed
    [town] = [r.text for r in today if r.user == "grp-dx-town"]
    assert "新增 <font color=\"info\">10000</font> 件" in town
    assert "超期 <font color=\"warning\">8000</font> 件" in town          # overdue, no red card
    assert "红牌 <font color=\"warning\">4000</font> 件" in town
    assert "另有3985件" in town and "另有9985件" in town
    assert [(e.data["stage"], e.data["what"]) for e in await events_of(ctx, number, "clock")] \
        == [("start", "reminder")]                                    # committed with them
    async with ctx.uow() as uow:
        assert "红牌 <font color=\"warning\">4000</font> 件" in await build_digest(ctx, uow, "grp-dx-town")


def test_the_calendar_is_read_once_per_day(monkeypatch):
    """Working-day arithmetic asks chinesecalendar about a day once, however many cases have
    clocks over it (a tick spent a third of its time in the package's table)."""
    import chinese_calendar
    asked: list = []
    original = chinese_calendar.is_workday

    def counted(day):
        asked.append(day)
        return original(day)
    monkeypatch.setattr(chinese_calendar, "is_workday", counted)
    clocks.is_workday.cache_clear()
    clocks._working_day_after.cache_clear()
    try:
        starts = [local(2026, 9, 28, 8, 0) + timedelta(hours=7 * i) for i in range(20)]   # across 国庆
        answers = {(s, n): clocks.add_working_days(s, n, "Asia/Shanghai")
                   for _ in range(50) for s in starts for n in (3, 7, 15)}
        # 国庆 1-7 October, and Saturday 10 October a make-up working day
        assert answers[(local(2026, 9, 30, 9, 0), 3)] == local(2026, 10, 10, 9, 0)
        assert len(asked) == len(set(asked)) <= 45            # each day once; 3,000 sums above
        span = (starts[0], starts[-1] + timedelta(days=20))
        first = clocks.working_days_between(*span, "Asia/Shanghai")
        asked.clear()
        assert clocks.working_days_between(*span, "Asia/Shanghai") == first and asked == []
    finally:
        clocks.is_workday.cache_clear()                # nothing counted stays cached for other tests
        clocks._working_day_after.cache_clear()
