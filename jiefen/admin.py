"""What the command line does, as plain async functions (the CLI only parses and prints)."""
from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator, Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.privacy import mask_data, mask_party, mask_phone, mask_text, names_of
from bot.settings import Settings
from jiefen.compose import build_context, configure_logging
from storage.case_list import CaseFilter, Sort, UnknownPlace, stream_cases
from storage.cases import CaseStore, canonical_number
from storage.db import Database
from storage.models import Case, CaseEvent
from storage.registry import DEMO_FILE, Registry, read_registry, read_registry_file, save_registry


async def init_database(settings: Settings, demo: bool = False) -> int:
    """Migrate; with demo, load the demo county into an empty registry. Returns places loaded."""
    db = Database(settings.database_url)
    try:
        await db.migrate()
        if not demo:
            return 0
        async with db.session() as s:
            if (await read_registry(s)).places:
                return 0
            reg = read_registry_file(DEMO_FILE)
            await save_registry(s, reg)
            return len(reg.places)
    finally:
        await db.close()


async def demo_logins(settings: Settings) -> list[str]:
    """Give the demo county's console accounts their demo password (those without one) and say
    which logins work with it."""
    from bot.accounts import check_password
    from jiefen.demo import DEMO_LOGINS, DEMO_PASSWORD, give_demo_passwords
    from storage.accounts import password_hash

    db = Database(settings.database_url, timezone=settings.timezone)
    try:
        await give_demo_passwords(db, Clock().now())
        working = []
        async with db.session() as s:
            reg = await read_registry(s)
            for sid in DEMO_LOGINS:
                if sid in reg.staff and check_password(DEMO_PASSWORD, await password_hash(s, sid)):
                    working.append(f"{sid}（{reg.staff[sid].name}）")
    finally:
        await db.close()
    if not working:
        return []
    return [f"Demo console login: {' / '.join(working)}, password {DEMO_PASSWORD}"]


async def load_registry_file(settings: Settings, path: str) -> tuple[int, int]:
    reg = read_registry_file(path)
    db = Database(settings.database_url)
    try:
        await db.migrate()
        async with db.session() as s:
            await save_registry(s, reg)
        return len(reg.places), len(reg.staff)
    finally:
        await db.close()


async def set_staff_password(settings: Settings, staff_id: str, password: str) -> None:
    """`jiefen staff passwd ID`: KeyError for an unknown or inactive id, PasswordTooWeak."""
    from bot.accounts import set_password

    db = Database(settings.database_url)
    try:
        await db.migrate()
        async with db.session() as s:
            staff = (await read_registry(s)).staff.get(staff_id)
        if staff is None or not staff.active:
            raise KeyError(f"no active staff member {staff_id!r} in the registry")
        await set_password(db, staff, password, Clock().now())
    finally:
        await db.close()


async def registry_dict(settings: Settings) -> dict[str, Any]:
    db = Database(settings.database_url)
    try:
        await db.migrate()
        async with db.session() as s:
            return (await read_registry(s)).as_dict()
    finally:
        await db.close()


def case_json(case: Case, registry: Registry) -> dict[str, Any]:
    """A case as lists and reports show it: contact and names masked."""
    return {"number": case.number, "type": case.type, "risk": case.risk, "risk_reasons": case.risk_reasons,
            "status": case.status, "level": case.level, "place": registry.name(case.place_code),
            "place_code": case.place_code, "place_path": registry.full_name(case.place_code),
            "channel": case.channel, "reporter": {"channel": case.channel, "user": case.reporter},
            "contact_masked": mask_phone(case.contact) if case.contact else "",
            "parties": [{**p, "name": mask_party(p.get("name", ""), names_of(case))} for p in case.parties],
            "description": mask_text(case.description, names_of(case)), "source": case.source,
            "assignees": case.assignees,
            "created_at": case.created_at.isoformat(), "updated_at": case.updated_at.isoformat(),
            "dispatched_at": case.dispatched_at.isoformat() if case.dispatched_at else None,
            "resolved_at": case.resolved_at.isoformat() if case.resolved_at else None,
            "satisfaction": case.satisfaction}


def event_json(e: CaseEvent, names: tuple[str, ...] = ()) -> dict[str, Any]:
    """An event as the ledger view shows it: personal data masked however deep it sits."""
    return {"at": e.at.isoformat(), "kind": e.kind, "actor": e.actor, "data": mask_data(e.data or {}, names)}


async def case_rows(settings: Settings, *, statuses: Iterable[str] = (), risks: Iterable[str] = (),
                    types: Iterable[str] = (),
                    place: str | None = None, channels: Iterable[str] = (), sources: Iterable[str] = (),
                    assignee: str | None = None, since: date | None = None, until: date | None = None,
                    overdue: bool = False, sort: str = "created", descending: bool = False,
                    limit: int | None = None) -> AsyncIterator[dict[str, Any]]:
    """The cases as `jiefen cases` prints them (masked), streamed: a batch at a time, so memory
    stays flat however long the ledger. `place` takes the place and everything under it;
    `since` / `until` are local days of opening, both included."""
    db = Database(settings.database_url, timezone=settings.timezone)
    try:
        await db.migrate()
        async with db.session() as s:
            registry = await read_registry(s)
        zone = ZoneInfo(settings.timezone)
        if place and place not in registry.places:
            raise UnknownPlace(place)
        flt = CaseFilter(statuses=frozenset(statuses), types=frozenset(types), risks=frozenset(risks),
                         places=registry.subtree(place) if place else None, channels=frozenset(channels),
                         sources=frozenset(sources), assignee=assignee or None,
                         created_from=datetime.combine(since, time(), zone) if since else None,
                         created_to=datetime.combine(until + timedelta(days=1), time(), zone) if until else None,
                         overdue=overdue)
        n = 0
        async for case in stream_cases(db, flt, sort=Sort(sort), descending=descending):
            if limit is not None and n >= limit:
                break
            n += 1
            yield case_json(case, registry)
    finally:
        await db.close()


async def figures_dict(settings: Settings, since: date | None = None, until: date | None = None,
                       rebuild: bool = False) -> dict[str, Any]:
    """The centre's figures for the cases opened from `since` to `until` (local days; default:
    the last 30 days), with the place names, as `jiefen figures` prints them."""
    from storage import figures
    from storage.mediation import mediation_figures

    db = Database(settings.database_url, timezone=settings.timezone)
    try:
        await db.migrate()
        if rebuild:
            await figures.rebuild(db)
        else:
            await figures.ensure_built(db)
        until = until or Clock().now().astimezone(ZoneInfo(settings.timezone)).date()
        since = since or until - timedelta(days=29)
        async with db.session() as s:
            registry = await read_registry(s)
            data = (await figures.read_figures(s, since, until)).as_dict()
            zone = ZoneInfo(settings.timezone)
            data["mediation"] = (await mediation_figures(
                s, since=datetime.combine(since, time(0), tzinfo=zone),
                until=datetime.combine(until + timedelta(days=1), time(0), tzinfo=zone))).as_dict()
        data["place_names"] = {code: registry.full_name(code) for code in data["by_place"] if code}
        return data
    finally:
        await db.close()


async def write_documents(settings: Settings, number: str, folder: str, *, application: bool = False) -> list[str]:
    """A case's agreement (every holder's Word copy and the PDF) or its application for
    judicial confirmation, written into `folder`; the paths."""
    from pathlib import Path

    from bot.mediation import case_documents

    db = Database(settings.database_url, timezone=settings.timezone)
    try:
        await db.migrate()
        async with db.session() as s:
            registry = await read_registry(s)
            case = await CaseStore(s, now=Clock().now()).get(canonical_number(number, settings.case_number_prefix)
                                                             or number)
            if case is None:
                raise LookupError(f"no case {number}")
            docs = await case_documents(s, settings, registry, case, application=application)
        out = Path(folder)

        def write() -> list[str]:
            out.mkdir(parents=True, exist_ok=True)
            for d in docs:
                (out / d.name).write_bytes(d.data)
            return [str(out / d.name) for d in docs]

        return await asyncio.to_thread(write)
    finally:
        await db.close()


async def show_case(settings: Settings, number: str) -> dict[str, Any] | None:
    db = Database(settings.database_url)
    try:
        await db.migrate()
        async with db.session() as s:
            registry = await read_registry(s)
            store = CaseStore(s, now=Clock().now(), prefix=settings.case_number_prefix)
            case = await store.get(canonical_number(number, settings.case_number_prefix) or number)
            if case is None:
                return None
            # the mediation's parties are masked too
            from storage.mediation import MediationStore
            parties = await MediationStore(s, now=store.now).parties(case.id)
            names = names_of(case) + tuple(p.name for p in parties if p.name)
            return {**case_json(case, registry), "events": [event_json(e, names) for e in await store.events(case)]}
    finally:
        await db.close()


async def serve(settings: Settings, demo: bool = False) -> None:
    """The gateway in this process (several processes: jiefen/workers.py)."""
    from aiohttp import web

    from jiefen.gateway import freeze_loaded, make_app

    configure_logging(settings.log_level)
    demo_lines: list[str] = []
    if demo:
        await init_database(settings, demo=True)
        demo_lines = await demo_logins(settings)
    ctx = await build_context(settings)
    app = make_app(ctx)
    freeze_loaded()
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    print(f"jiefen is serving {len(ctx.registry.places)} places. Open the web chat: "
          f"http://{settings.host}:{settings.port}/", flush=True)
    print(f"The centre's console: http://{settings.host}:{settings.port}/console/", flush=True)
    for line in demo_lines:
        print(line, flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)   # finish in-flight work, then go
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        await ctx.close()


async def chat(settings: Settings, user: str) -> None:
    from adapters.terminal import TerminalChannel

    configure_logging("WARNING")
    ctx = await build_context(settings)
    try:
        await TerminalChannel(ctx, user).run(sys.stdin)
    finally:
        await ctx.close()
