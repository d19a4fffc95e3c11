"""The demo county with something to say: console passwords for a few of its staff, and a year
of made-up history (`jiefen init --demo --history`) so the dashboard, the heat map and the
reports have figures: a few thousand cases over the villages, seasonal (wage arrears before the
Spring Festival, neighbours' noise and water in summer, land at sowing time), most settled,
the last weeks' still open, some late and a few under a red card, and one type rising in one
village over the last two months (labour in 东溪镇石桥村: a workshop stops paying).

Everything made up here is marked: reporters 'demo-history-…', intake keys 'demo-history-…',
no phone numbers. The kept figures are recounted at the end (storage/figures.rebuild)."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.settings import Settings
from storage import figures
from storage.db import Database
from storage.lifecycle import EventKind
from storage.models import Case, CaseAssignee, CaseCounter, CaseEvent, CodeScan
from storage.registry import Registry, read_registry

DEMO_PASSWORD = "qingshan-demo"
# who can log in to the demo console: the county centre, a town's mediator, a village's grid worker
DEMO_LOGINS = ("centre-qs", "med-dx", "gw-liulin")
RISING = ("DX03", "labour")

# cases a month per type over the county, by month (1 … 12): their seasons
SEASONS: dict[str, tuple[int, ...]] = {
    "neighbour":         (14, 12, 14, 15, 17, 21, 24, 23, 18, 15, 13, 13),
    "marriage_family":   (12, 16, 11, 9, 9, 8, 8, 8, 9, 10, 9, 11),
    "labour":            (16, 10, 6, 5, 5, 5, 6, 6, 6, 7, 11, 18),
    "land_forest":       (3, 4, 9, 10, 7, 4, 3, 3, 5, 6, 4, 3),
    "homestead_housing": (4, 4, 6, 6, 6, 5, 5, 5, 5, 5, 5, 4),
    "property_mgmt":     (8, 7, 8, 8, 9, 10, 12, 12, 9, 8, 8, 9),
    "debt":              (9, 12, 6, 5, 5, 5, 5, 5, 5, 5, 6, 10),
    "contract":          (3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3),
    "damages":           (3, 3, 3, 3, 4, 4, 4, 4, 3, 3, 3, 3),
    "environment":       (2, 2, 2, 3, 3, 4, 5, 5, 3, 2, 2, 2),
    "traffic":           (4, 5, 3, 3, 3, 3, 3, 3, 3, 4, 4, 5),
    "medical":           (1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1),
    "consumer":          (3, 4, 3, 3, 3, 3, 3, 3, 3, 3, 4, 5),
    "land_acquisition":  (1, 1, 2, 2, 2, 2, 1, 1, 1, 2, 2, 1),
    "other":             (2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2),
}
WORDS: dict[str, tuple[str, ...]] = {
    "neighbour": ("楼上天天半夜拖椅子，吵得睡不着", "邻居在楼道里堆杂物，老人出门不方便", "隔壁装修一个多月了，中午也不停",
                  "邻居家的狗天天叫，说了也不管", "楼上漏水把我家天花板泡坏了，他不认"),
    "marriage_family": ("老公喝了酒就吵，家里过不下去了", "兄弟几个为老人赡养的事闹翻了", "离婚后孩子抚养费一直不给"),
    "labour": ("在厂里干了三个月，工资一分没拿到", "包工头欠我们十几个人的工钱过年都没给", "厂里受伤了老板不给报销",
               "车间停工了，老板说没钱发工资"),
    "land_forest": ("两家的田埂界线说不清，天天吵", "山林承包到期了，村里和我们说法不一样", "有人占了我家的自留地种菜"),
    "homestead_housing": ("宅基地被邻居多占了半米，建房子建过来了", "老屋分家，兄弟不同意我翻修"),
    "property_mgmt": ("物业收了钱电梯还是老坏", "小区车位被外面的车占了，物业不管", "物业费涨价没开业主大会"),
    "debt": ("借给亲戚五万块钱，两年了不还", "朋友借钱时写了欠条，现在电话不接"),
    "contract": ("装修公司收了定金不干活", "买的农机坏了，商家不给修"),
    "damages": ("邻居家的树倒了砸坏了我的车", "被人家的狗咬了，对方不给看病的钱"),
    "environment": ("养猪场的味道太大，窗户都不敢开", "旁边的厂子晚上排黑水到河里"),
    "traffic": ("电动车被小车刮倒了，对方只肯赔两百", "停车的时候被蹭了，对方不认"),
    "medical": ("在诊所打针后过敏了，诊所说不关他们的事",),
    "consumer": ("网上买的东西是假的，店家不退", "理发店办的卡，店关门了钱不退"),
    "land_acquisition": ("修路占了我家的地，补偿款还没到",),
    "other": ("村里的路灯坏了半年没人修",),
}
CHANNELS = (("wechat_mp", 45), ("web", 20), ("wecom_bot", 14), ("group_forward", 16), ("wecom_app", 5))
OPEN_STATES = ("dispatched", "mediating", "escalated")


async def give_demo_passwords(db: Database, now: datetime) -> list[str]:
    """Console passwords for DEMO_LOGINS that have none yet; the ids given one. Only in the demo
    county itself: a registry of one's own whose staff share a demo id get no known password."""
    from bot.accounts import set_password
    from storage.accounts import with_password
    from storage.registry import DEMO_FILE, read_registry_file

    async with db.session() as s:
        reg = await read_registry(s)
        have = await with_password(s)
    demo = read_registry_file(DEMO_FILE)
    if set(reg.places) != set(demo.places) or any(reg.staff.get(sid) != demo.staff.get(sid) for sid in DEMO_LOGINS):
        return []
    given = []
    for sid in DEMO_LOGINS:
        if sid in reg.staff and sid not in have:
            await set_password(db, reg.staff[sid], DEMO_PASSWORD, now)
            given.append(sid)
    return given


def _units(reg: Registry) -> list[str]:
    return sorted(c for c, p in reg.places.items() if p.level in ("village", "community"))


def _leaf(reg: Registry, unit: str, rnd: random.Random) -> str:
    spots = [c for c in reg.subtree(unit) if reg.places[c].level in ("grid", "microgrid")] or [unit]
    return rnd.choice(spots + [unit])


def _people(reg: Registry, place: str, level: str) -> list[tuple[str, str]]:
    chain = {p.code for p in reg.ancestors(place)}
    wanted = {"village": ("grid_worker",), "town": ("mediator",), "county": ("mediator",)}[level]
    at = {"village": ("village", "community"), "town": ("town",), "county": ("county",)}[level]
    return [(s.id, s.role) for s in reg.staff.values() if s.active and s.role in wanted
            and any(c in chain and reg.places[c].level in at for c in s.places)][:1]


def _weight(kind: str, unit: str, day: date, today: date) -> float:
    w = SEASONS[kind][day.month - 1] / 30.0
    if (unit, kind) == RISING and (today - day).days <= 60:
        w += 0.35 * (1 + (60 - (today - day).days) / 30)          # the rise: more each week
    return w


async def add_history(settings: Settings, cases: int = 3000, *, seed: int = 12, today: date | None = None) -> int:
    """About `cases` cases over the year before `today` (local). Refuses to run twice. Returns
    the cases added."""
    tz = ZoneInfo(settings.timezone)
    rnd = random.Random(seed)
    db = Database(settings.database_url, timezone=settings.timezone)
    try:
        await db.migrate()
        async with db.session() as s:
            reg = await read_registry(s)
            done = await s.scalar(select(func.count()).select_from(Case).where(Case.intake_key.like("demo-history-%")))
        if not reg.places:
            raise SystemExit("load the demo county first: jiefen init --demo")
        if done:
            return 0
        today = today or datetime.now(tz).date()
        units = _units(reg)
        days = [today - timedelta(days=d) for d in range(365, 0, -1)]
        raw = {(day, u, k): _weight(k, u, day, today) for day in days for u in units for k in SEASONS}
        scale = cases / sum(raw.values())
        made = 0
        counters: dict[str, int] = {}
        batch: list[Case] = []
        events: list[tuple[Case, list[tuple[datetime, str, str, dict]]]] = []
        scans: list[dict] = []
        for day in days:
            todays = []
            for unit in units:
                for kind in SEASONS:
                    expected = raw[(day, unit, kind)] * scale
                    n = int(expected) + (1 if rnd.random() < expected - int(expected) else 0)
                    todays += [(datetime.combine(day, time(7, 0), tz) + timedelta(minutes=rnd.randint(0, 14 * 60)),
                                unit, kind) for _ in range(n)]
            todays.sort()                      # numbers in the order of the day, as intake gives them
            for seq, (created, unit, kind) in enumerate(todays, 1):
                case, history = _case(reg, rnd, settings, created, unit, kind, today, seq)
                batch.append(case)
                events.append((case, history))
                if case.source:                # scans: a code is scanned more often than it is reported through
                    scans += [{"dedupe_key": f"demo-history-{case.intake_key}-{i}", "code": case.source,
                               "channel": "wechat_mp", "kind": "scan",
                               "at": created - timedelta(minutes=rnd.randint(1, 600))}
                              for i in range(rnd.choice((1, 1, 2, 3)))]
            made += len(todays)
            if todays:
                counters[day.strftime("%y%m%d")] = len(todays)
            if len(batch) >= 400:
                await _save(db, batch, events, scans)
                batch, events, scans = [], [], []
        await _save(db, batch, events, scans)
        async with db.session() as s:
            for day, last in counters.items():
                row = await s.get(CaseCounter, day)
                if row is None:
                    s.add(CaseCounter(day=day, last=last))
                else:
                    row.last = max(row.last, last)
        await figures.rebuild(db)
        return made
    finally:
        await db.close()


def _case(reg: Registry, rnd: random.Random, settings: Settings, created: datetime, unit: str, kind: str,
          today: date, seq: int) -> tuple[Case, list[tuple[datetime, str, str, dict]]]:
    tz = created.tzinfo
    day = created.date()
    age = (today - day).days
    place = _leaf(reg, unit, rnd)
    channel = rnd.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
    source = unit if channel == "wechat_mp" and rnd.random() < 0.55 else ""
    risk = rnd.choices(("green", "yellow", "red"), (80, 17, 3))[0]
    level = rnd.choices(("village", "town", "county"), (80, 16, 4))[0]
    dispatched = created + timedelta(hours=rnd.choice((0.2, 0.5, 1, 2, 3, 5, 8, 20, 30)) * rnd.uniform(0.6, 1.2))
    took = timedelta(days=min(60.0, rnd.gammavariate(1.6, 3.2)) + 0.2)
    settled = max(created + took, dispatched + timedelta(hours=1))     # not settled before it was dispatched
    now = datetime.combine(today, time(8, 0), tz)
    if settled < now and rnd.random() < (0.97 if age > 45 else 0.75):
        status = "closed" if (now - settled).days > 3 and rnd.random() < 0.9 else "resolved"
    else:
        status = rnd.choices(OPEN_STATES, (50, 40, 10))[0]
    if (unit, kind) == RISING and age <= 20 and status in ("closed", "resolved") and rnd.random() < 0.6:
        status = "mediating"                                   # the rise outruns the mediators
    if status == "escalated":
        level = "town" if level == "village" else "county"
    is_open = status in OPEN_STATES
    # a few concluded cases end unsettled: the mediation ended (a party refused) or the report withdrawn
    result = None if is_open else rnd.choices(("settled", "ended", "withdrawn"), (92, 5, 3))[0]
    if result == "withdrawn":
        status = "closed"
    overdue = is_open and age > 12 and rnd.random() < 0.5
    carded = overdue and age > 20 and rnd.random() < 0.5
    c = Case(number=f"{settings.case_number_prefix}{day.strftime('%y%m%d')}-{seq:03d}",
             intake_key=f"demo-history-{day.isoformat()}-{seq}", type=kind, risk=risk,
             risk_reasons=["反映中提到多次发生冲突"] if risk != "green" else [], status=status, level=level,
             place_code=place, channel=channel, reporter=f"demo-history-{rnd.randrange(10**8)}", reporter_name="",
             contact="", parties=[], description=rnd.choice(WORDS[kind]), source=source, media=[],
             satisfaction=rnd.choices((5, 4, 3, 2), (55, 30, 10, 5))[0] if status == "closed" and rnd.random() < 0.8
             else None,
             created_at=created, updated_at=min(now, settled) if not is_open else created + timedelta(days=1),
             dispatched_at=dispatched, assigned_at=dispatched,
             resolved_at=settled if status in ("resolved", "closed") else None, result=result,
             closed_at=settled + timedelta(days=2) if status == "closed" else None,
             overdue_since=created + timedelta(days=10) if overdue else None,
             red_card_at=created + timedelta(days=18) if carded else None)
    people = _people(reg, place, level)
    c.assignments = [CaseAssignee(staff_id=sid, role=role, position=i, open=is_open, since=dispatched)
                     for i, (sid, role) in enumerate(people)]
    history = [(created, EventKind.CREATED, "intake", {"type": kind, "risk": risk, "place": place,
                                                       "demo_history": True}),
               (dispatched, EventKind.ASSIGNED, "routing",
                {"staff": [{"id": sid, "name": reg.staff[sid].name, "role": role} for sid, role in people],
                 "reason": "按网格分派"}),
               (dispatched, EventKind.STATUS, "routing", {"before": "received", "after": "dispatched"})]
    taker = f"staff:{people[0][0]}" if people else "t"
    if status == "escalated":       # nobody took it: the red card moved it up a level
        history.append((min(now, created + timedelta(days=16)), EventKind.STATUS, "scheduler",
                        {"before": "dispatched", "after": "escalated"}))
    elif status != "dispatched":    # taken (接单), then mediated
        # half an hour to 20 hours, not drawn from `rnd` (the year's other draws stay as they were)
        accepted = min(dispatched + timedelta(hours=0.5 + seq * 7919 % 196 / 10), settled, now)
        history.append((accepted, EventKind.STATUS, taker, {"before": "dispatched", "after": "mediating"}))
    if status in ("resolved", "closed"):
        history.append((settled, EventKind.STATUS, taker,
                        {"before": "mediating", "after": "resolved", "result": result,
                         "outcome": OUTCOMES[result or "settled"]}))
    if status == "closed":
        data = {"before": "resolved", "after": "closed", "result": result}
        if c.satisfaction:
            data["satisfaction"] = c.satisfaction
        history.append((settled + timedelta(days=2), EventKind.STATUS, "bot", data))
    return c, history


OUTCOMES = {"settled": "双方达成一致", "ended": "对方不同意调解，已告知可以诉讼", "withdrawn": "群众撤回，双方已自行和解"}


async def _save(db: Database, batch: list[Case], events: list[tuple[Case, list]], scans: list[dict]) -> None:
    if not batch:
        return
    async with db.session() as s:
        if scans:
            await s.execute(CodeScan.__table__.insert(), scans)
        s.add_all(batch)
        await s.flush()
        await s.execute(CaseEvent.__table__.insert(), [
            {"case_id": case.id, "at": at, "kind": str(kind), "actor": actor, "data": data}
            for case, history in events for at, kind, actor, data in history])
