"""The clock runner: reminders before each due time, a notice at it, a red card at 15 working
days (to the assignees, the leader on duty and the centre) with escalation one level up, and
the work groups' daily digests. With several worker processes only the holder of a lock in
the state store runs it; everything it does goes to the case's ledger.

A tick costs what is due, not what is open: each open case stores when the scheduler next has
something to do for it (`next_due_at`, kept by bot/clocks.py in the transaction of every
change), and a tick reads only the cases due now, in batches, each batch one short
transaction. The lock is renewed between batches; a runner that lost it stops.

Nothing is sent twice: what was already sent is read from the ledger ("clock" events keyed by
stage, what and the anchor), so a restart never repeats a reminder and a reassignment (a new
anchor) starts the clocks again; and a runner claims each case by moving its `next_due_at`
from the value it read (compare-and-set), so of two runners that read the same due case — one
whose lock ran out mid-batch and the next holder — only one handles it.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from bot import clocks, routing, staffing
from bot.background import BackgroundLoop
from bot.lifecycle import OPEN_STATUSES
from bot.notify import inert, shorten
from bot.privacy import mask_text, names_of
from nlp.reading import TYPE_NAMES
from storage.lifecycle import EventKind, PushKind
from storage.models import Case, Meta
from storage.sql import rowcount

if TYPE_CHECKING:
    from bot.context import AppContext
    from bot.uow import UnitOfWork

Job = Callable[["AppContext", "UnitOfWork"], Awaitable[None]]
log = logging.getLogger("jiefen.scheduler")
LOCK = "scheduler"
SETTINGS_KEY = "clock_settings"
DUE_AT_ONCE = datetime(2000, 1, 1, tzinfo=UTC)
CLAIM = timedelta(minutes=10)        # a claimed case's next look if its batch never commits
WORK_STARTS, WORK_ENDS = time(8, 0), time(20, 0)     # when routine clock messages go out
LEDGER_KINDS = ("clock", "appointment") + routing.FOLLOW_UP_KINDS


class Scheduler:
    def __init__(self, ctx: "AppContext", jobs: Iterable[Job] = (), *, batch_size: int | None = None,
                 lock_ttl: float | None = None):
        self.ctx = ctx
        self.jobs = list(jobs)            # more work on the same tick and lock (the group digests)
        # a batch is one write transaction; SQLite has one writer at a time, so its batches are short
        self.batch_size = batch_size or (200 if ctx.db.dialect == "postgresql" else 20)
        self.lock_ttl = lock_ttl or max(30.0, ctx.settings.scheduler_interval * 3)
        self.handled = 0                  # cases this runner has looked at (tests, logs)
        self._settings_checked = False    # settings and calendar are a process's: checked once
        self._loop_task = BackgroundLoop("scheduler", self._loop)

    async def run_once(self) -> bool:
        """One look at the clocks that are due; False when another worker holds the lock."""
        token = await self.ctx.state.try_lock(LOCK, self.lock_ttl)
        if token is None:
            return False
        try:
            if not self._settings_checked:
                await self._settings_moved()
                self._settings_checked = True
            now = self.ctx.clock.now()
            first = True
            while True:
                if not first and not await self.ctx.state.renew(LOCK, token, self.lock_ttl):
                    log.warning("the scheduler lock was lost mid-tick; the rest waits for the next holder")
                    return True
                first = False
                batch = await self._due(now)
                if batch:
                    await self._run_batch(batch)
                if len(batch) < self.batch_size:
                    break
            if self.jobs and await self.ctx.state.renew(LOCK, token, self.lock_ttl):
                async with self.ctx.uow() as uow:
                    for job in self.jobs:
                        await job(self.ctx, uow)
        finally:
            await self.ctx.state.unlock(LOCK, token)
        return True

    async def _settings_moved(self) -> None:
        """Due times were computed with the clock settings and the calendar: when either
        changes, every open case is looked at again (and gets its due time anew)."""
        mark = clocks.fingerprint(self.ctx.settings)
        async with self.ctx.db.session() as s:
            row = await s.get(Meta, SETTINGS_KEY)
            if row is not None and row.value == mark:
                return
            await s.execute(update(Case).where(Case.status.in_(OPEN_STATUSES)).values(next_due_at=DUE_AT_ONCE)
                            .execution_options(synchronize_session=False))
            if row is None:
                s.add(Meta(key=SETTINGS_KEY, value=mark))
            else:
                row.value = mark

    async def _due(self, now: datetime) -> list[tuple[int, datetime | None]]:
        async with self.ctx.db.session() as s:
            return [(int(r[0]), r[1]) for r in (await s.execute(
                select(Case.id, Case.next_due_at).where(Case.next_due_at <= now)
                .order_by(Case.next_due_at, Case.id).limit(self.batch_size))).all()]

    async def _run_batch(self, batch: list[tuple[int, datetime | None]]) -> None:
        try:
            async with self.ctx.uow() as uow:
                for case_id, seen in batch:
                    await self._visit(uow, case_id, seen)
            return
        except Exception:
            log.exception("a batch of clocks failed; its cases one at a time")
        for case_id, seen in batch:
            try:
                async with self.ctx.uow() as uow:
                    await self._visit(uow, case_id, seen)
            except Exception:
                log.exception("the clocks of case %s failed; it is looked at again later", case_id)
                async with self.ctx.db.session() as s:      # put off, so it does not hold up the others
                    await s.execute(update(Case).where(Case.id == case_id, Case.next_due_at == seen)
                                    .values(next_due_at=self.ctx.clock.now() + CLAIM)
                                    .execution_options(synchronize_session=False))

    async def _visit(self, uow: "UnitOfWork", case_id: int, seen: datetime | None) -> None:
        session = await uow.session()
        claimed = await session.execute(update(Case).where(Case.id == case_id, Case.next_due_at == seen)
                                        .values(next_due_at=uow.now + CLAIM)
                                        .execution_options(synchronize_session=False))
        if rowcount(claimed) != 1:        # handled meanwhile by another runner, or changed: no longer ours
            return
        case = await session.get(Case, case_id, populate_existing=True)
        if case is None:                  # deleted meanwhile (never, but not worth a crash)
            return
        await self.check(uow, case)
        self.handled += 1

    async def check(self, uow: "UnitOfWork", case: Case) -> None:
        settings, now = self.ctx.settings, uow.now
        store = await uow.cases()
        events = list(await store.events(case, LEDGER_KINDS))
        await routing.follow_up(self.ctx, uow, case, events)
        done = {(e.data.get("stage"), e.data.get("what"), e.data.get("anchor")) for e in events if e.kind == EventKind.CLOCK}

        def met(anchor: datetime) -> bool:
            return any(e.kind == EventKind.APPOINTMENT and e.at >= anchor for e in events)

        stages = clocks.due(case, settings)
        # a red card due now moves the case: what was due before it at this level is told by the
        # red card, not sent after it to people it takes the case from (a gap in the clocks, a
        # server down, sent "请接单" to a worker already taken off the case)
        carding = any(s.name == "red_card" and now >= d and (s.name, "notice", a.isoformat()) not in done
                      for s, a, d in stages)
        for stage, anchor, due in stages:
            a = anchor.isoformat()
            if stage.name == "meeting" and met(anchor):
                continue
            if carding and stage.name != "red_card":
                for what in ("reminder", "notice"):
                    if (stage.name, what, a) not in done and (what == "notice" or now < due):
                        done.add((stage.name, what, a))
                        await store.event(case, EventKind.CLOCK, "scheduler", stage=stage.name, what=what, anchor=a,
                                          due=due.isoformat(), told="红牌警告")
                continue
            if now >= due and (stage.name, "notice", a) not in done:
                await store.event(case, EventKind.CLOCK, "scheduler", stage=stage.name, what="notice", anchor=a,
                                  due=due.isoformat())
                done.add((stage.name, "notice", a))
                if stage.name == "red_card":
                    await self.red_card(uow, case, due)
                    break                     # the case moved up: its clocks start again there
                await self.tell_staff(uow, case, "notice", stage, due, a)
            elif clocks.reminder_at(anchor, due, settings) <= now < due and (stage.name, "reminder", a) not in done:
                await store.event(case, EventKind.CLOCK, "scheduler", stage=stage.name, what="reminder", anchor=a,
                                  due=due.isoformat())
                done.add((stage.name, "reminder", a))
                await self.tell_staff(uow, case, "reminder", stage, due, a)
        if case.status not in OPEN_STATUSES:
            case.next_due_at = case.overdue_since = None
            return
        p = clocks.plan(case, settings, now, done, met)
        nxt = p.next_due
        if nxt is not None and nxt <= now:   # cannot happen; never let a case be due again at once
            nxt = now + timedelta(seconds=settings.scheduler_interval)
        case.next_due_at = nxt
        case.overdue_since = (case.overdue_since or now) if p.overdue else None

    def _local(self, when: datetime) -> str:
        return when.astimezone(ZoneInfo(self.ctx.settings.timezone)).strftime("%m月%d日 %H:%M")

    async def tell_staff(self, uow: "UnitOfWork", case: Case, what: str, stage: clocks.Stage, due: datetime,
                         anchor: str) -> None:
        reg = self.ctx.registry
        people = [reg.staff[a] for a in case.assignees or [] if a in reg.staff]
        if what == "notice" or not people:    # overdue: the centre supervises (月督办)
            people += [s for s in staffing.centres(reg, case.place_code) if s not in people]
        head = "【即将到期】" if what == "reminder" else "【已超期】"
        text = (f"{head}{case.number}（{TYPE_NAMES.get(case.type, case.type)}，{reg.full_name(case.place_code)}）"
                f"应在 {self._local(due)} 前{stage.label}。")
        holders = set(case.assignees or [])
        held = self._working_hours(uow.now, case)
        for s in people:
            # the one who has it accepts; the centre, told to supervise, is not asked to accept
            ask = (f"回复“接单 {case.number}”接单。" if stage.name == "start" and s.id in holders
                   else f"回复“查 {case.number}”看详情。")
            push = routing.staff_push(self.ctx, s, text + ask, case, "reminder",
                                      f"clock:{case.number}:{stage.name}:{what}:{anchor}")
            if push:
                await uow.push(push, due=held)

    def _working_hours(self, now: datetime, case: Case) -> datetime | None:
        """When a routine clock message may go out: now in working hours, else the next working
        morning (a reminder reached a grid worker on a Sunday at 21:30, a red card at 01:30); a
        red case's at once."""
        if case.risk == "red":
            return None
        zone = ZoneInfo(self.ctx.settings.timezone)
        local = now.astimezone(zone)
        if clocks.is_workday(local.date()) and WORK_STARTS <= local.time() < WORK_ENDS:
            return None
        day = local.date() if local.time() < WORK_STARTS else local.date() + timedelta(days=1)
        while not clocks.is_workday(day):
            day += timedelta(days=1)
        return datetime.combine(day, WORK_STARTS, tzinfo=zone).astimezone(UTC)

    async def red_card(self, uow: "UnitOfWork", case: Case, due: datetime) -> None:
        """红牌警告: the assignees, the leader on duty and the centre, then one level up."""
        reg, store = self.ctx.registry, await uow.cases()
        local_now = uow.now.astimezone(ZoneInfo(self.ctx.settings.timezone))
        people = {a: reg.staff[a] for a in case.assignees or [] if a in reg.staff}
        people.update({c.staff.id: c.staff for c in staffing.leaders_on_duty(reg, case.place_code, local_now)})
        people.update({s.id: s for s in staffing.centres(reg, case.place_code)})
        days = self.ctx.settings.red_card_days
        # nothing above the county, nor above the centre holding a case sent back to it
        top = case.level == "county" or case.status == "received"
        # the leader and the centre read it too: the resident's number and names masked (the
        # description was quoted whole, "电话13812345678", to people not on the case)
        said = mask_text(shorten(case.description, 60), names_of(case))
        text = (f"【红牌警告】{case.number}（{TYPE_NAMES.get(case.type, case.type)}，{reg.full_name(case.place_code)}）"
                f"分派已满{days}个工作日仍未化解：{inert(said)}\n"
                + ("退回综治中心后一直未分派：请综治中心尽快分派。" if case.status == "received" else
                   "已在县级办理，无法再上报：请值班领导协调督办。" if top else "综治中心督办，案件上报上一级办理。"))
        await store.event(case, EventKind.RED_CARD, "scheduler", to=list(people), due=due.isoformat(), level=case.level)
        case.red_card_at = uow.now
        held = self._working_hours(uow.now, case)
        for s in people.values():
            push = routing.staff_push(self.ctx, s, text, case, PushKind.RED_CARD, f"red_card:{case.number}:{due.isoformat()}")
            if push:
                await uow.push(push, due=held)
        if top:
            # nothing above: its clocks start again from now, so it is not left without a deadline
            store.assign(case, [(a.staff_id, a.role) for a in case.assignments])
        else:
            await routing.escalate(self.ctx, uow, case, "scheduler", f"红牌警告：{days}个工作日未化解")

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:
                log.exception("scheduler")
            await asyncio.sleep(self.ctx.settings.scheduler_interval)

    def start(self) -> None:
        self._loop_task.start()

    async def stop(self) -> None:
        await self._loop_task.stop()

