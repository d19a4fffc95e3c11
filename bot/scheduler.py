"""The clock runner: reminders before each due time, a notice at it, a red card at 15 working
days (to the assignees, the leader on duty and the centre) with escalation one level up, and
the work groups' daily digests. With several worker processes only the holder of a lock in
the state store runs it; everything it does goes to the case's ledger.

What was already sent is read from the ledger ("clock" events keyed by stage, what and the
anchor), so a restart or a second runner never repeats a reminder, and a reassignment (a new
anchor) starts the clocks again.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Awaitable, Callable, Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot import clocks, routing
from bot.background import BackgroundLoop
from bot.lifecycle import OPEN_STATUSES
from bot.notify import inert, shorten
from nlp.reading import TYPE_NAMES
from storage.models import Case

if TYPE_CHECKING:
    from bot.context import AppContext
    from bot.uow import UnitOfWork

Job = Callable[["AppContext", "UnitOfWork"], Awaitable[None]]
log = logging.getLogger("jiefen.scheduler")
LOCK = "scheduler"


class Scheduler:
    def __init__(self, ctx: "AppContext", jobs: Iterable[Job] = ()):
        self.ctx = ctx
        self.jobs = list(jobs)            # more work on the same tick and lock (the group digests)
        self._loop_task = BackgroundLoop("scheduler", self._loop)

    async def run_once(self) -> bool:
        """One look at every clock; False when another worker holds the lock."""
        ttl = max(30.0, self.ctx.settings.scheduler_interval * 3)
        token = await self.ctx.state.try_lock(LOCK, ttl)
        if token is None:
            return False
        try:
            async with self.ctx.uow() as uow:
                session = await uow.session()
                cases = (await session.scalars(select(Case).where(Case.status.in_(OPEN_STATUSES))
                                               .order_by(Case.id))).all()
                for case in cases:
                    await self.check(uow, case)
                for job in self.jobs:
                    await job(self.ctx, uow)
        finally:
            await self.ctx.state.unlock(LOCK, token)
        return True

    async def check(self, uow: "UnitOfWork", case: Case) -> None:
        settings, now = self.ctx.settings, uow.now
        store = await uow.cases()
        events = await store.events(case)
        await routing.follow_up(self.ctx, uow, case, events)
        done = {(e.data.get("stage"), e.data.get("what"), e.data.get("anchor")) for e in events if e.kind == "clock"}
        lead = timedelta(hours=settings.reminder_hours)
        for stage, anchor, due in clocks.due(case, settings):
            a = anchor.isoformat()
            if stage.name == "meeting" and any(e.kind == "appointment" and e.at >= anchor for e in events):
                continue
            if now >= due and (stage.name, "notice", a) not in done:
                await store.event(case, "clock", "scheduler", stage=stage.name, what="notice", anchor=a,
                                  due=due.isoformat())
                if stage.name == "red_card":
                    await self.red_card(uow, case, due)
                    return                    # the case moved up: its clocks start again there
                await self.tell_staff(uow, case, "notice", stage, due, a)
            elif due - lead <= now < due and (stage.name, "reminder", a) not in done:
                await store.event(case, "clock", "scheduler", stage=stage.name, what="reminder", anchor=a,
                                  due=due.isoformat())
                await self.tell_staff(uow, case, "reminder", stage, due, a)

    def _local(self, when) -> str:
        return when.astimezone(ZoneInfo(self.ctx.settings.timezone)).strftime("%m月%d日 %H:%M")

    async def tell_staff(self, uow, case: Case, what: str, stage: clocks.Stage, due, anchor: str) -> None:
        reg = self.ctx.registry
        people = [reg.staff[a] for a in case.assignees or [] if a in reg.staff]
        if what == "notice" or not people:    # overdue: the centre supervises (月督办)
            people += [s for s in routing.centres(reg, case.place_code) if s not in people]
        head = "【即将到期】" if what == "reminder" else "【已超期】"
        text = (f"{head}{case.number}（{TYPE_NAMES.get(case.type, case.type)}，{reg.full_name(case.place_code)}）"
                f"应在 {self._local(due)} 前{stage.label}。"
                + (f"回复“接单 {case.number}”接单。" if stage.name == "start" else f"回复“查 {case.number}”看详情。"))
        for s in people:
            push = routing.staff_push(s, text, case, "reminder", f"clock:{case.number}:{stage.name}:{what}:{anchor}")
            if push:
                await uow.push(push)

    async def red_card(self, uow, case: Case, due) -> None:
        """红牌警告: the assignees, the leader on duty and the centre, then one level up."""
        reg, store = self.ctx.registry, await uow.cases()
        local_now = uow.now.astimezone(ZoneInfo(self.ctx.settings.timezone))
        people = {a: reg.staff[a] for a in case.assignees or [] if a in reg.staff}
        people.update({c.staff.id: c.staff for c in routing.leaders_on_duty(reg, case.place_code, local_now)})
        people.update({s.id: s for s in routing.centres(reg, case.place_code)})
        days = self.ctx.settings.red_card_days
        text = (f"【红牌警告】{case.number}（{TYPE_NAMES.get(case.type, case.type)}，{reg.full_name(case.place_code)}）"
                f"分派已满{days}个工作日仍未化解：{inert(shorten(case.description, 60))}\n"
                "已由综治中心督办，并上报上一级办理。")
        await store.event(case, "red_card", "scheduler", to=list(people), due=due.isoformat(), level=case.level)
        for s in people.values():
            push = routing.staff_push(s, text, case, "alert", f"red_card:{case.number}:{due.isoformat()}")
            if push:
                await uow.push(push)
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

