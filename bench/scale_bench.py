"""Scale benchmark: what the clocks, an intake, 我的, routing's open load, the case list and the
centre's figures cost on PostgreSQL with 10k, 100k and 1M cases of history.

The loader builds a realistic ledger through the project's models (their tables, bulk-copied):
the demo county, cases opened at a steady 300 a day (so a larger ledger is a longer history,
ending now), 85% resolved or closed, 15% open, about ten ledger events per case; assignees as
routing would name them (bot/staffing.py), each open case's next due time and overdue flag from
bot/clocks.py with every earlier reminder taken as sent, and the kept counts recounted by
storage/figures.py. Loading runs with fsync off; measuring restarts the server with fsync on.

Each size has its own PostgreSQL cluster under --root (kept, so the 1M load is built once):

    python bench/scale_bench.py load --cases 1000000           # build (minutes at 1M)
    python bench/scale_bench.py measure --cases 1000000        # time the operations
    python bench/scale_bench.py run --write                    # 10k, 100k, 1M: load what is missing,
                                                               # measure, write bench/RESULTS-scale.md

Times are medians over repeats in one process against a server on 127.0.0.1 (2 cores shared
by both); "growth" is the ratio between sizes in the same run.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import pwd
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)      # 09:00 in the county, a Monday
RATE = 300                                                     # cases opened a day
SIZES = (10_000, 100_000, 1_000_000)
WECOM = dict(wecom_corpid="wxbench", wecom_agentid="1000002", wecom_secret="s", wecom_token="t",
             wecom_aes_key="kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR", wecom_api_base="http://127.0.0.1:9")
CN = ZoneInfo("Asia/Shanghai")
TYPES = (("neighbour", 24), ("property_mgmt", 12), ("marriage_family", 10), ("labour", 10), ("debt", 8),
         ("homestead_housing", 7), ("damages", 6), ("contract", 5), ("environment", 4), ("consumer", 4),
         ("land_forest", 3), ("traffic", 3), ("business", 2), ("medical", 1), ("land_acquisition", 1), ("other", 0))
CHANNELS = (("wechat_mp", 50), ("web", 20), ("wecom_bot", 15), ("wecom_app", 5), ("group_forward", 10))
PLACES = (("DX01", 6), ("DX01-G1", 10), ("DX01-G1-M1", 6), ("DX01-G2", 8), ("DX02", 6), ("DX02-G1", 8),
          ("DX03", 6), ("DX03-G1", 8), ("NH01", 6), ("NH01-G1", 8), ("NH01-G1-M1", 6), ("NH02", 5),
          ("NH02-G1", 5), ("NH03", 5), ("NH03-G1", 5), ("DX", 1), ("NH", 1), (None, 2))


def _pick(rng: random.Random, table):
    items, weights = zip(*table)
    return rng.choices(items, weights=[w or 0.5 for w in weights])[0]


# ---- a PostgreSQL cluster per size ------------------------------------------------------------------
class Cluster:
    def __init__(self, folder: Path):
        self.folder = folder
        self.data = folder / "data"
        self.port = 0
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @staticmethod
    def _bin(name: str) -> str:
        import glob
        found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
        return found[-1] if found else shutil.which(name)

    def create(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.as_user:
            pw = pwd.getpwnam("postgres")
            os.chown(self.folder, pw.pw_uid, pw.pw_gid)
            os.chmod(self.folder, 0o700)
        subprocess.run(self.as_user + [self._bin("initdb"), "-D", str(self.data), "-U", "jiefen", "--auth=trust",
                                       "-E", "UTF8", "--locale=C"], check=True, stdout=subprocess.DEVNULL)

    @property
    def exists(self) -> bool:
        return (self.data / "PG_VERSION").exists()

    def start(self, fsync: bool) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        opts = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c shared_buffers=1GB "
                f"-c max_connections=100 -c fsync={'on' if fsync else 'off'} "
                f"-c synchronous_commit={'on' if fsync else 'off'} -c full_page_writes={'on' if fsync else 'off'} "
                "-c max_wal_size=4GB -c checkpoint_timeout=30min")
        subprocess.run(self.as_user + [self._bin("pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "log"),
                                       "-w", "-t", "120", "-o", opts, "start"], check=True, stdout=subprocess.DEVNULL)

    def stop(self) -> None:
        subprocess.run(self.as_user + [self._bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def url(self, db: str = "jiefen") -> str:
        return f"postgresql+asyncpg://jiefen@127.0.0.1:{self.port}/{db}"


# ---- the loader -------------------------------------------------------------------------------------
def _settings(url: str):
    from bot.settings import Settings
    return Settings.load(env={}, database_url=url, **WECOM)


class Ledger:
    """Generates cases and their events as routing, the clocks and the staff would have left them."""

    def __init__(self, n: int, reg, settings, seed: int = 15):
        self.n, self.reg, self.settings = n, reg, settings
        self.rng = random.Random(seed)
        self.span = timedelta(days=n / RATE)
        self.start = NOW - self.span
        self.residents = max(100, n // 3)
        self.event_id = 0
        self.day_seq: dict[str, int] = {}
        self._routed: dict[tuple, list] = {}

    def _people(self, type_: str, place: str | None, risk: str):
        key = (type_, place, risk)
        if key not in self._routed:
            self._routed[key] = self._route(type_, place, risk)
        return self._routed[key]

    def _route(self, type_: str, place: str | None, risk: str):
        from bot import staffing
        chosen = [c.staff for c in staffing.grid_workers(self.reg, place)] if place else []
        pool = [s for s in self.reg.staff.values() if s.role == "committee" and type_ in s.types]
        if pool:
            chosen.append(pool[0])
        if risk == "red":
            chosen += [s for s in self.reg.staff.values() if s.role == "leader_on_duty"]
        if not chosen:
            chosen = [s for s in self.reg.staff.values() if s.role == "centre"]
        seen, out = set(), []
        for s in chosen:
            if s.id not in seen:
                seen.add(s.id)
                out.append(s)
        return out

    def case(self, i: int):
        """One case: (case row, assignee rows, event rows)."""
        from bot import clocks
        from bot.lifecycle import OPEN_STATUSES
        from nlp.reading import TYPE_NAMES
        from storage.models import Case
        rng = self.rng
        created = self.start + self.span * (i / self.n) + timedelta(seconds=rng.random() * 60)
        created = min(created, NOW - timedelta(minutes=1))
        type_ = _pick(rng, TYPES)
        place = _pick(rng, PLACES)
        channel = _pick(rng, CHANNELS)
        risk = rng.choices(("green", "yellow", "red"), (80, 15, 5))[0]
        age = (NOW - created).days
        r = rng.random()
        if r < 0.15:
            status = rng.choices(("received", "dispatched", "mediating", "escalated"), (8, 30, 50, 12))[0] \
                if age < 30 else rng.choices(("mediating", "escalated"), (70, 30))[0]
        else:
            status = "closed" if r < 0.97 else "resolved"
        level = "village"
        if status == "escalated" or (status != "received" and rng.random() < 0.08):
            level = rng.choice(("town", "county"))
        day = created.astimezone(CN).strftime("%y%m%d")
        seq = self.day_seq[day] = self.day_seq.get(day, 0) + 1
        reporter = f"o{rng.randrange(self.residents):07d}"
        dispatched = None if status == "received" else created + timedelta(minutes=rng.randint(0, 30))
        assigned = dispatched
        if level != "village" and dispatched:
            assigned = dispatched + timedelta(days=rng.randint(5, 30))
        resolved = closed = None
        if status in ("resolved", "closed"):
            resolved = (dispatched or created) + timedelta(hours=rng.gammavariate(2.0, 60.0))
            resolved = min(resolved, NOW - timedelta(minutes=5))
            if status == "closed":
                closed = min(resolved + timedelta(hours=rng.randint(1, 96)), NOW - timedelta(minutes=1))
        satisfaction = rng.choices((5, 4, 3, 2, 1), (50, 30, 12, 5, 3))[0] if status == "closed" and rng.random() < .7 else None
        updated = closed or resolved or assigned or created
        case = Case(id=i + 1, number=f"JF{day}-{seq:03d}", intake_key=f"load:{i}", type=type_, risk=risk,
                    risk_reasons=["扬言动手"] if risk == "red" else [], status=status, level=level, place_code=place,
                    channel=channel, reporter=reporter, reporter_name="", contact=f"138{rng.randrange(10**8):08d}",
                    parties=[], description=f"关于{TYPE_NAMES.get(type_, type_)}的反映（档案{i}号）",
                    source=(place or "")[:4] if rng.random() < 0.3 else "", media=[], satisfaction=satisfaction,
                    created_at=created, updated_at=updated, dispatched_at=dispatched, assigned_at=assigned,
                    resolved_at=resolved, closed_at=closed)
        people = self._people(type_, place, risk) if status != "received" else \
            [s for s in self.reg.staff.values() if s.role == "centre"][:1]
        if level == "town":
            people = [s for s in self.reg.staff.values() if s.id in ("med-dx", "med-nh")][:1] + people[1:]
        elif level == "county":
            people = [self.reg.staff["med-county"]] + people[1:]
        is_open = status in OPEN_STATUSES
        assignees = [(i + 1, s.id, s.role, pos, is_open, assigned) for pos, s in enumerate(people)]
        events = []

        def ev(at, kind, actor, /, **data):
            self.event_id += 1
            events.append((self.event_id, i + 1, at, kind, actor, json.dumps(data, ensure_ascii=False)))

        who = f"{channel}:{reporter}"
        ev(created - timedelta(minutes=2), "message_in", who, text="（反映内容）")
        ev(created - timedelta(minutes=2), "message_out", "bot", text="请核对")
        ev(created, "message_in", who, text="确认")
        ev(created, "created", who, status="received", type=type_, risk=risk, place=place)
        ev(created, "message_out", "bot", text=f"已受理！案件编号：{case.number}")
        if dispatched:
            ev(dispatched, "assigned", "routing", staff=[{"id": s.id, "role": s.role} for s in people])
            ev(dispatched, "status", "routing", before="received", after="dispatched")
            ev(dispatched, "notification", "outbox", kind="assignment", outcome="sent")
        if rng.random() < 0.02:
            ev(created + timedelta(hours=3), "linked_report", f"wechat_mp:o{rng.randrange(self.residents):07d}",
               reason="other_party")
        if status in ("mediating", "resolved", "closed") or (status == "escalated" and rng.random() < .5):
            ev((dispatched or created) + timedelta(hours=5), "status", "staff", before="dispatched", after="mediating")
            ev((dispatched or created) + timedelta(days=1), "progress", "staff", text="已上门了解情况")
        if risk != "green" and rng.random() < 0.6:
            ev((dispatched or created) + timedelta(days=2), "appointment", "staff", text="周三上午村委会约谈")
        if resolved:
            ev(resolved, "status", "staff", before="mediating", after="resolved", outcome="达成协议")
        if closed:
            ev(closed, "status", who, before="resolved", after="closed", satisfaction=satisfaction)
        red_card_at = None
        if is_open:
            # the clocks as a scheduler that never missed a tick would have left them
            met = lambda anchor: any(e[3] == "appointment" and e[2] >= anchor for e in events)  # noqa: E731
            done = set()
            lead = timedelta(hours=self.settings.reminder_hours)
            for stage, anchor, due in clocks.due(case, self.settings):
                a = anchor.isoformat()
                if due - lead <= NOW:
                    done.add((stage.name, "reminder", a))
                if due <= NOW:
                    done.add((stage.name, "notice", a))
                    if stage.name == "red_card":
                        red_card_at = due
            for stage, what, a in sorted(done)[:3]:
                ev(NOW - timedelta(days=1), "clock", "scheduler", stage=stage, what=what, anchor=a)
            p = clocks.plan(case, self.settings, NOW, done, met)
            case.next_due_at = p.next_due
            case.overdue_since = NOW - timedelta(days=1) if p.overdue else None
            if red_card_at:
                ev(red_card_at, "red_card", "scheduler", level=level)
        case.red_card_at = red_card_at
        return case, assignees, events


CASE_COLUMNS = ("id", "number", "intake_key", "type", "risk", "risk_reasons", "status", "level", "place_code",
                "channel", "reporter", "reporter_name", "contact", "parties", "description", "source", "media",
                "satisfaction", "created_at", "updated_at", "dispatched_at", "assigned_at", "resolved_at",
                "closed_at", "next_due_at", "overdue_since", "red_card_at")


def _case_record(c) -> tuple:
    return tuple(json.dumps(getattr(c, k), ensure_ascii=False) if k in ("risk_reasons", "parties", "media")
                 else getattr(c, k) for k in CASE_COLUMNS)


async def load(url: str, n: int) -> dict:
    """Build the ledger into an empty database at `url`."""
    from bot import clocks
    from bot.scheduler import SETTINGS_KEY
    from storage import figures
    from storage.db import Database
    from storage.models import Meta
    from storage.registry import DEMO_FILE, read_registry_file, save_registry

    started = time.perf_counter()
    settings = _settings(url)
    db = Database(url, timezone=settings.timezone)
    await db.migrate()
    reg = read_registry_file(DEMO_FILE)
    async with db.session() as s:
        await save_registry(s, reg)
        s.add(Meta(key=SETTINGS_KEY, value=clocks.fingerprint(settings)))
    ledger = Ledger(n, reg, settings)
    events_total = 0
    async with db.engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        chunk = 20_000
        for lo in range(0, n, chunk):
            cases, assignees, events = [], [], []
            for i in range(lo, min(n, lo + chunk)):
                c, a, e = ledger.case(i)
                cases.append(_case_record(c))
                assignees += a
                events += e
            await raw.copy_records_to_table("cases", records=cases, columns=CASE_COLUMNS)
            await raw.copy_records_to_table("case_assignees", records=assignees,
                                            columns=("case_id", "staff_id", "role", "position", "open", "since"))
            await raw.copy_records_to_table("case_events", records=events,
                                            columns=("id", "case_id", "at", "kind", "actor", "data"))
            events_total += len(events)
            print(f"  {min(n, lo + chunk):,} cases, {events_total:,} events, {time.perf_counter() - started:.0f} s",
                  flush=True)
        await raw.execute("SELECT setval('cases_id_seq', (SELECT max(id) FROM cases))")
        await raw.execute("SELECT setval('case_events_id_seq', (SELECT max(id) FROM case_events))")
        await raw.executemany("INSERT INTO case_counters (day, last) VALUES ($1, $2)",
                              sorted(ledger.day_seq.items()))
    await figures.rebuild(db)
    async with db.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.exec_driver_sql("VACUUM ANALYZE")
    await db.close()
    return {"cases": n, "events": events_total, "seconds": time.perf_counter() - started}


# ---- the measurements -------------------------------------------------------------------------------
INTAKE = ("我是{place}的，楼上那家天天半夜{noise}，吵得孩子睡不着，电话{phone}",
          "我是{place}的，在工地干了{n}个月活，老板一分钱工资没给，电话{phone}",
          "{place}小区物业乱收停车费，一个月{n}百块，不交就不让进，电话{phone}",
          "我家在{place}，隔壁盖房子占了我家宅基地{n}米，电话{phone}",
          "我住{place}，前年借给亲戚{n}万块钱，现在不还还躲着我，电话{phone}",
          "{place}有个养猪场臭气熏天，污水直接排到河里，电话{phone}")
VILLAGES = ("柳林村", "桃源村", "石桥村", "南湖社区", "新华社区", "杏花村")
NOISE = ("拖椅子", "跳绳", "打麻将", "放音乐", "砸核桃", "吵架")


class Site:
    """One loaded ledger, ready to be measured: its context and the operations, each an async
    callable doing one unit of the work measured."""

    def __init__(self, n: int, url: str):
        self.n, self.url = n, url
        self.ops: dict[str, object] = {}
        self.notes: dict[str, str] = {}
        self.intakes = {"opened": 0, "joined": 0}

    async def open(self) -> None:
        from sqlalchemy import delete, event, select

        from adapters.wecom_robot import queue_digests
        from bot import staffing
        from bot.clock import FakeClock
        from bot.lifecycle import OPEN_STATUSES
        from bot.scheduler import Scheduler
        from handlers.staff import my_cases
        from jiefen.testing import TestBot, make_context
        from storage.case_list import CaseFilter, Sort, page_cases
        from storage.figures import read_figures
        from storage.models import OutboxItem, StaffLoad

        with tempfile.TemporaryDirectory() as folder:
            ctx = self.ctx = await make_context(Path(folder), clock=FakeClock(NOW), database_url=self.url,
                                                demo=False, **WECOM)
        sched = Scheduler(ctx, jobs=[queue_digests])
        await sched.run_once()
        assert sched.handled == 0, "the loaded ledger should have nothing due now"
        self.sched = sched

        async def first_tick_of_the_day():          # the day's digests are built and queued
            async with ctx.db.session() as s:
                await s.execute(delete(OutboxItem).where(OutboxItem.kind == "digest"))
            await sched.run_once()
        self.ops["tick, the day's first (4 group digests)"] = first_tick_of_the_day
        self.ops["tick, nothing due"] = sched.run_once

        rng = random.Random(7)
        combos = [(t, v) for t in INTAKE for v in VILLAGES]
        rng.shuffle(combos)
        warm = TestBot(ctx, channel="web", user="bench-warm")
        await warm.say("你好")                          # the language model loads on first use
        counter = itertools.count()
        confirm_times: list[float] = []
        self.confirm_times = confirm_times

        async def intake():
            k = next(counter)
            template, village = combos[k % len(combos)]
            bot = TestBot(ctx, channel="web", user=f"bench-{k}")
            bot._ids = itertools.count(1000 * (k + 1))        # message ids unique across residents (dedupe)
            text = template.format(place=village, noise=rng.choice(NOISE), n=rng.randint(2, 9),
                                   phone=f"139{rng.randrange(10**8):08d}")
            first = await bot.last(text)
            if "对方" in first and "请核对" not in first:
                await bot.last("跳过")
            t = time.perf_counter()
            reply = await bot.last("确认")
            confirm_times.append((time.perf_counter() - t) * 1000)
            self.intakes["opened"] += "已受理" in reply
            self.intakes["joined"] += "合并" in reply
        self.ops["intake, whole report (2–3 messages)"] = intake

        from bot.duplicates import _related_places
        window = timedelta(days=ctx.settings.duplicate_window_days)
        near = _related_places(ctx.registry, "DX01")
        plans = self.plans = {}
        for name, places in (("duplicate window: a report's candidates (柳林村, two types)", near),
                             ("duplicate window: a report without a place", {None})):
            statements = []

            def keep(_c, _cur, statement, parameters, _ctx, _many, statements=statements):
                if "FROM cases" in statement and "created_at >=" in statement:
                    statements.append((statement, parameters))

            async def candidates(places=places):
                async with ctx.uow() as uow:
                    await (await uow.cases()).recent(since=uow.now - window, place_codes=places,
                                                      types={"neighbour", "property_mgmt"})
            event.listen(ctx.db.engine.sync_engine, "before_cursor_execute", keep)
            await candidates()
            event.remove(ctx.db.engine.sync_engine, "before_cursor_execute", keep)
            async with ctx.db.engine.connect() as conn:
                plan = [r[0] for r in (await conn.exec_driver_sql("EXPLAIN " + statements[0][0],
                                                                   statements[0][1])).all()]
            plans[name] = plan
            # the (place, type, opened) index, or PostgreSQL's choice of the opening time's: either
            # reads the window, not the history; a sequential scan would read the history
            used = sorted({w for line in plan for w in line.replace("(", " ").split() if w.startswith("ix_cases")})
            self.notes[name] = f" ({', '.join(used)})" if used and "Seq Scan" not in " ".join(plan) \
                else " (a sequential scan!)"
            self.ops[name] = candidates

        async with ctx.db.session() as s:
            busiest = await s.scalar(select(StaffLoad.staff_id).order_by(StaffLoad.open_cases.desc()).limit(1))
        staff = ctx.registry.staff[busiest]
        self.busiest = busiest

        async def mine():
            async with ctx.uow() as uow:
                await my_cases(ctx, uow, staff)
        self.ops["我的 (the busiest grid worker)"] = mine
        pool = [s.id for s in ctx.registry.staff.values() if s.role == "committee" and "labour" in s.types]
        everyone = list(ctx.registry.staff)

        async def load_pool():
            async with ctx.uow() as uow:
                await staffing.open_load(uow, pool)

        async def load_all():
            async with ctx.uow() as uow:
                await staffing.open_load(uow, everyone)
        self.ops["open load (routing: the type's committee)"] = load_pool
        self.ops["open load (every staff member)"] = load_all

        lists = {"all cases, newest first": (CaseFilter(), Sort.CREATED),
                 "open cases in 东溪镇": (CaseFilter(statuses=frozenset(OPEN_STATUSES),
                                                  places=ctx.registry.subtree("DX")), Sort.CREATED),
                 "open cases by next due time": (CaseFilter(statuses=frozenset(OPEN_STATUSES)), Sort.DUE),
                 "a staff member's open cases": (CaseFilter(statuses=frozenset(OPEN_STATUSES), assignee=busiest),
                                                 Sort.CREATED)}
        for name, (flt, sort) in lists.items():
            cursor, pages = None, 1
            async with ctx.db.session() as s:
                while pages < 1000:
                    page = await page_cases(s, flt, sort=sort, limit=20, cursor=cursor)
                    if page.next_cursor is None:
                        break
                    cursor, pages = page.next_cursor, pages + 1

            async def first_page(flt=flt, sort=sort):
                async with ctx.db.session() as s:
                    await page_cases(s, flt, sort=sort, limit=20)

            async def deep_page(flt=flt, sort=sort, cursor=cursor):
                async with ctx.db.session() as s:
                    await page_cases(s, flt, sort=sort, limit=20, cursor=cursor)
            self.ops[f"list page 1: {name}"] = first_page
            self.ops[f"list page 1,000: {name}"] = deep_page
            if pages < 1000:
                self.notes[f"list page 1,000: {name}"] = f" (p. {pages}, the last)"

        today = NOW.astimezone(CN).date()

        async def month():
            async with ctx.db.session() as s:
                await read_figures(s, today - timedelta(days=29), today)

        async def year():
            async with ctx.db.session() as s:
                await read_figures(s, today - timedelta(days=364), today)
        self.ops["figures: last 30 days"] = month
        self.ops["figures: last 365 days"] = year

    async def close(self) -> None:
        await self.ctx.close()


async def measure_sites(sites: list[Site], repeat: int) -> dict[int, dict[str, list[float]]]:
    """Every operation, round after round across the sizes (the machine's load changes over a
    run; interleaving keeps the sizes' ratios fair)."""
    for site in sites:
        await site.open()
    out: dict[int, dict[str, list[float]]] = {site.n: {} for site in sites}
    try:
        names = list(sites[0].ops)
        for name in names:
            rounds = 3 if "first" in name else repeat
            for r in range(rounds):
                for site in sites[r % len(sites):] + sites[:r % len(sites)]:
                    t = time.perf_counter()
                    await site.ops[name]()
                    out[site.n].setdefault(name, []).append((time.perf_counter() - t) * 1000)
        for site in sites:
            ordered = {}
            for name, values in out[site.n].items():
                ordered[name] = values
                if name.startswith("intake, whole"):
                    ordered["intake, the confirmation: 确认 → case number"] = site.confirm_times
            out[site.n] = ordered
            print(f"  {site.n:,}: intakes {site.intakes}, busiest {site.busiest}", flush=True)
            for name, plan in site.plans.items():
                print(f"  {site.n:,}: {name}:\n      " + "\n      ".join(plan), flush=True)
    finally:
        for site in sites:
            await site.close()
    return out


def stream_memory(url: str) -> tuple[float, float]:
    """`jiefen cases --jsonl` over the whole ledger: (seconds, peak resident MB of the process)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIEFEN_")}
    env["JIEFEN_DATABASE_URL"] = url
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "jiefen.cli", "cases", "--jsonl"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise RuntimeError(proc.stderr.read().decode())
    return time.perf_counter() - started, usage.ru_maxrss / 1024


# ---- driving ----------------------------------------------------------------------------------------
def _cluster(root: Path, n: int) -> Cluster:
    return Cluster(root / f"pg-{n}")


async def _createdb(cluster: Cluster, name: str = "jiefen", template: str | None = None) -> None:
    import asyncpg
    conn = await asyncpg.connect(f"postgresql://jiefen@127.0.0.1:{cluster.port}/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    finally:
        await conn.close()


async def _warm(url: str) -> None:
    """Read the tables and indexes once, as a server that has been running would have them."""
    import asyncpg
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        await conn.execute("SELECT pg_prewarm(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                           "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')")
    finally:
        await conn.close()


def ensure_loaded(root: Path, n: int) -> None:
    cluster = _cluster(root, n)
    if cluster.exists and (cluster.folder / "loaded.json").exists():
        return
    if cluster.exists:
        shutil.rmtree(cluster.folder)
    cluster.create()
    cluster.start(fsync=False)
    try:
        asyncio.run(_createdb(cluster))
        print(f"loading {n:,} cases", flush=True)
        info = asyncio.run(load(cluster.url(), n))
        (cluster.folder / "loaded.json").write_text(json.dumps(info))
        print(f"loaded {n:,} cases, {info['events']:,} events in {info['seconds']:.0f} s", flush=True)
    finally:
        cluster.stop()


def run_measure(root: Path, sizes: list[int], repeat: int, stream: bool):
    clusters = [_cluster(root, n) for n in sizes]
    for c in clusters:
        c.start(fsync=True)
    try:
        for c in clusters:       # measured on a copy: the intakes measured leave the loaded ledger as it was
            asyncio.run(_createdb(c, "jiefen_run", template="jiefen"))
            asyncio.run(_warm(c.url("jiefen_run")))
        sites = [Site(n, c.url("jiefen_run")) for n, c in zip(sizes, clusters)]
        results = asyncio.run(measure_sites(sites, repeat))
        notes = {site.n: site.notes for site in sites}
        if stream:
            for n, c in zip(sizes, clusters):
                secs, mb = stream_memory(c.url())
                results[n]["`jiefen cases --jsonl`, the whole ledger (s, not ms)"] = [secs]
                results[n]["… its peak resident memory (MB)"] = [mb]
        return results, notes
    finally:
        for c in clusters:
            c.stop()


def table(by_size: dict[int, dict[str, list[float]]], notes: dict[int, dict[str, str]]) -> list[str]:
    sizes = sorted(by_size)
    label = lambda n: f"{n // 10**6}M" if n >= 10**6 else f"{n // 1000}k"      # noqa: E731
    pairs = list(zip(sizes, sizes[1:]))
    lines = ["| operation | " + " | ".join(f"{label(n)} cases ({int(n * .15):,} open)" for n in sizes)
             + "".join(f" | growth {label(a)}→{label(b)}" for a, b in pairs) + " |",
             "| --- |" + " ---: |" * (len(sizes) + len(pairs))]
    names = list(dict.fromkeys(k for n in sizes for k in by_size[n]))
    for name in names:
        med = {n: statistics.median(by_size[n][name]) for n in sizes if name in by_size[n]}
        cells = [(f"{med[n]:,.1f}" if med[n] < 100 else f"{med[n]:,.0f}") + notes.get(n, {}).get(name, "")
                 if n in med else "–" for n in sizes]
        ratios = [f"{med[b] / med[a]:.2f}×" if a in med and b in med and med[a] > 0 else "–" for a, b in pairs]
        lines.append(f"| {name} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("command", choices=("load", "measure", "run"))
    p.add_argument("--cases", type=int, action="append", help="a size (repeatable); run: 10k, 100k, 1M")
    p.add_argument("--root", default="/var/tmp/jiefen-scale", help="where the clusters live")
    p.add_argument("--repeat", type=int, default=15)
    p.add_argument("--stream", action="store_true", help="also stream the whole ledger through `jiefen cases`")
    p.add_argument("--write", action="store_true", help="write bench/RESULTS-scale.md")
    args = p.parse_args(argv)
    root = Path(args.root)
    sizes = args.cases or list(SIZES)
    if args.command == "load":
        for n in sizes:
            ensure_loaded(root, n)
        return 0
    if args.command == "run":
        for n in sizes:
            ensure_loaded(root, n)
    print(f"measuring {', '.join(f'{n:,}' for n in sizes)} cases", flush=True)
    by_size, notes = run_measure(root, sizes, args.repeat, args.stream)
    lines = [f"PostgreSQL 15 on 127.0.0.1 (fsync on, shared_buffers 1GB), the demo county, {RATE} cases a day "
             f"ending {NOW.astimezone(CN):%Y-%m-%d %H:%M} local; median ms over {args.repeat} repeats "
             f"(the day's first tick: 3); {platform.machine()}, {os.cpu_count()} cores shared with the server, "
             f"Python {platform.python_version()}", "", *table(by_size, notes)]
    print("\n".join(lines))
    if args.write:
        out = Path(__file__).with_name("RESULTS-scale.md")
        out.write_text("# Scale benchmark (measured)\n\n`python bench/scale_bench.py run --stream --write`\n\n"
                       + "\n".join(lines) + "\n")
        (Path(__file__).with_name("RESULTS-scale.json")).write_text(json.dumps(
            {str(n): r for n, r in by_size.items()}, ensure_ascii=False, indent=1))
        print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
