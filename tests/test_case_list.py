"""Case lists with filters, sorts and keyset cursors (the console's list, `jiefen cases`), the
duplicate window's candidates, and migration 0010 moving existing assignees into rows — on
SQLite and on a real PostgreSQL."""
from __future__ import annotations

import contextlib
import itertools
import tracemalloc
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from bot.lifecycle import OPEN_STATUSES
from storage.case_list import BadCursor, CaseFilter, Scope, Sort, page_cases, stream_cases
from storage.cases import CaseStore, NewCase
from storage.db import MIGRATIONS, Database
from storage.models import Case, CaseAssignee, StaffLoad
from storage.registry import DEMO_FILE, read_registry_file, save_registry
from tests.test_case_store import db  # noqa: F401  (the sqlite / postgresql fixture)

T0 = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)
PLACES = ("DX01", "DX01-G1", "DX02", "NH01", "NH03", None)
TYPES = ("neighbour", "labour", "property_mgmt")
CHANNELS = ("wechat_mp", "web", "wecom_bot")
WALK = ((), ("dispatched",), ("dispatched", "mediating"), ("dispatched", "mediating", "resolved"),
        ("dispatched", "mediating", "resolved", "closed"), ("escalated",))


async def fill(db, n: int = 37) -> None:
    async with db.session() as s:
        await save_registry(s, read_registry_file(DEMO_FILE))
    kinds = itertools.cycle(TYPES)
    for i in range(n):
        now = T0 + timedelta(hours=7 * i)
        async with db.session() as s:
            store = CaseStore(s, now=now)
            case, _ = await store.open(NewCase(f"k{i}", next(kinds), "red" if i % 7 == 0 else "green",
                                               PLACES[i % len(PLACES)], CHANNELS[i % 3], f"u{i}", f"第{i}件",
                                               source="DX01" if i % 4 == 0 else ""))
            if i % 2:
                store.assign(case, [("gw-liulin", "grid_worker")] + ([("com-labour", "committee")] if i % 3 else []))
            for status in WALK[i % len(WALK)]:
                store.now = now + timedelta(hours=(i * 13) % 11)      # updated out of opening order
                await store.transition(case, status, "t")
            if case.status in OPEN_STATUSES:     # (no clock hook here) due times out of opening order
                case.next_due_at = T0 + timedelta(hours=(i * 37) % 50)


async def everything(db) -> list:
    async with db.session() as s:
        return list(await CaseStore(s, now=T0).list())


async def walk(db, flt, sort, descending, size) -> list[str]:
    seen, cursor = [], None
    while True:
        async with db.session() as s:
            page = await page_cases(s, flt, sort=sort, descending=descending, limit=size, cursor=cursor)
        seen += [c.number for c in page.cases]
        assert len(page.cases) <= size
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


FILTERS = {
    "all": (CaseFilter(), lambda c: True),
    "open": (CaseFilter(statuses=frozenset(OPEN_STATUSES)), lambda c: c.status in OPEN_STATUSES),
    "type+risk": (CaseFilter(types=frozenset({"labour"}), risks=frozenset({"green"})),
                  lambda c: c.type == "labour" and c.risk == "green"),
    "subtree": (CaseFilter(places=frozenset({"DX01", "DX01-G1", "DX01-G1-M1", "DX01-G2"})),
                lambda c: c.place_code in ("DX01", "DX01-G1")),
    "channel+code": (CaseFilter(channels=frozenset({"web", "wechat_mp"}), sources=frozenset({"DX01"})),
                     lambda c: c.channel in ("web", "wechat_mp") and c.source == "DX01"),
    "assignee open": (CaseFilter(statuses=frozenset(OPEN_STATUSES), assignee="com-labour"),
                      lambda c: c.status in OPEN_STATUSES and "com-labour" in c.assignees),
    "assignee any": (CaseFilter(assignee="gw-liulin"), lambda c: "gw-liulin" in c.assignees),
    # a grid worker's own list: their scope (their places, or assigned to them) and the filter
    # by assignee joined together (a 500 for every non-centre, a trial found)
    "assignee in a scope": (CaseFilter(assignee="gw-liulin", scope=Scope(places=frozenset({"DX01"}), types=None,
                                                                         staff_id="gw-liulin")),
                            lambda c: "gw-liulin" in c.assignees),
    "dates": (CaseFilter(created_from=T0 + timedelta(days=2), created_to=T0 + timedelta(days=7)),
              lambda c: T0 + timedelta(days=2) <= c.created_at < T0 + timedelta(days=7)),
}


async def test_pages_put_together_are_the_filtered_list_in_order(db):
    await fill(db)
    every = await everything(db)
    for name, (flt, keep) in FILTERS.items():
        await _check_filter(db, flt, [c for c in every if keep(c)], name)


async def _check_filter(db, flt, cases, name):
    assert cases, f"the filter {name} must let something through"
    by_id = [c.number for c in sorted(cases, key=lambda c: c.id)]
    assert await walk(db, flt, Sort.CREATED, False, 4) == by_id
    assert await walk(db, flt, Sort.CREATED, True, 5) == by_id[::-1]
    by_updated = [c.number for c in sorted(cases, key=lambda c: (c.updated_at, c.id), reverse=True)]
    assert await walk(db, flt, Sort.UPDATED, True, 3) == by_updated
    # the next clock first, then the cases without one (a trial's list sorted so said "3034 件" and
    # showed none: only cases with a clock were listed)
    due = [c for c in cases if c.next_due_at is not None]
    rest = [c.number for c in sorted(cases, key=lambda c: c.id) if c.next_due_at is None]
    by_due = [c.number for c in sorted(due, key=lambda c: (c.next_due_at, c.id))]
    assert await walk(db, flt, Sort.DUE, False, 4) == by_due + rest
    assert await walk(db, flt, Sort.DUE, True, 3) == by_due[::-1] + rest
    streamed = [c.number async for c in stream_cases(db, flt, batch=6)]
    assert streamed == by_id


async def test_a_forged_or_foreign_cursor_is_refused(db):
    await fill(db, 8)
    async with db.session() as s:
        page = await page_cases(s, limit=3)
        with pytest.raises(BadCursor):
            await page_cases(s, limit=3, cursor="not-a-cursor")
        with pytest.raises(BadCursor):
            await page_cases(s, sort=Sort.UPDATED, limit=3, cursor=page.next_cursor)


async def test_duplicate_candidates_come_from_related_places_and_types(db):
    await fill(db)
    async with db.session() as s:
        store = CaseStore(s, now=T0)
        since = T0 - timedelta(days=1)
        near = await store.recent(since=since, place_codes={"DX01", "DX01-G1"}, types={"neighbour"})
        assert near and all(c.place_code in ("DX01", "DX01-G1") and c.type == "neighbour"
                            and c.status in OPEN_STATUSES for c in near)
        nowhere = await store.recent(since=since, place_codes={None}, types=set(TYPES))
        assert nowhere and all(c.place_code is None for c in nowhere)
        many = [f"P{i}" for i in range(1000)] + ["DX01"]        # one parameter however many places
        assert {c.id for c in await store.recent(since=since, place_codes=many, types=set(TYPES))} == \
            {c.id for c in await store.recent(since=since, place_codes={"DX01"}, types=set(TYPES))}


async def test_the_duplicate_window_is_read_through_its_index(tmp_path):
    """Place (or no place), type and opening time: one index range per place and type, never
    every case of a place (the window's cost follows the window, not the history). SQLite
    plans by the indexes' shape; PostgreSQL by the table's statistics, so its plans are
    looked at where the tables are large (bench/scale_bench.py prints them at 10k to 1M)."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'window.db'}")
    await db.migrate()
    try:
        await _window_plans(db)
    finally:
        await db.close()


async def _window_plans(db) -> None:
    await fill(db)
    statements = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        if "FROM cases" in statement and "created_at >=" in statement:
            statements.append((statement, parameters))
    sa.event.listen(db.engine.sync_engine, "before_cursor_execute", keep)
    try:
        async with db.session() as s:
            store = CaseStore(s, now=T0)
            since = T0 - timedelta(days=1)
            await store.recent(since=since, place_codes={"DX01", "DX", "QS", "DX01-G1"}, types={"neighbour", "debt"})
            await store.recent(since=since, place_codes={None}, types={"neighbour"})
    finally:
        sa.event.remove(db.engine.sync_engine, "before_cursor_execute", keep)
    assert len(statements) == 2
    async with db.engine.begin() as conn:
        for statement, parameters in statements:
            plan = " ".join(r[-1] for r in (await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement,
                                                                          parameters)).all())
            assert "ix_cases_duplicates" in plan, plan
            assert "ix_cases_place_id" not in plan and "SCAN cases" not in plan, plan


def _upgrade_to(sync_conn, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = sync_conn
    command.upgrade(cfg, revision)


async def test_migration_moves_the_assignees_into_rows(tmp_path, request):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    await _migration_check(database)


async def test_migration_moves_the_assignees_into_rows_on_postgres(tmp_path, postgres_server):
    import asyncpg
    name = f"m{tmp_path.name[-20:].replace('-', '_').lower()}"
    conn = await asyncpg.connect(f"postgresql://jiefen@127.0.0.1:{postgres_server.port}/postgres")
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    await _migration_check(Database(f"postgresql+asyncpg://jiefen@127.0.0.1:{postgres_server.port}/{name}"))


async def _migration_check(database: Database) -> None:
    try:
        async with database.engine.begin() as conn:
            await conn.run_sync(_upgrade_to, "0005")
            await conn.execute(sa.text("INSERT INTO staff (id, name, role, places, types, wecom_userid, phone, "
                                       "capacity, active, on_duty) VALUES ('gw', 'G', 'grid_worker', '[]', '[]', "
                                       "'', '', 20, true, '[]'), ('com', 'C', 'committee', '[]', '[]', '', '', "
                                       "20, true, '[]')"))
            for i, (status, assignees) in enumerate((("dispatched", '["gw", "com"]'), ("closed", '["com"]'),
                                                     ("mediating", '["com", "gw", "com"]'), ("received", "[]"))):
                await conn.execute(sa.text(
                    "INSERT INTO cases (number, intake_key, type, risk, risk_reasons, status, level, channel, reporter,"
                    " reporter_name, contact, parties, description, source, assignees, media, created_at, updated_at)"
                    f" VALUES ('JF{i}', 'k{i}', 'labour', 'green', '[]', '{status}', 'village', 'test', 'u', '', '',"
                    f" '[]', '', '', '{assignees}', '[]', :t, :t)"), {"t": T0.replace(tzinfo=None)})
            await conn.execute(sa.text("INSERT INTO case_events (case_id, at, kind, actor, data) "
                                       "VALUES (3, :t, 'red_card', 'scheduler', '{}')"), {"t": T0.replace(tzinfo=None)})
        await database.migrate()
        async with database.session() as s:
            cases = {c.number: c for c in await CaseStore(s, now=T0).list()}
            assert [cases[f"JF{i}"].assignees for i in range(4)] == [["gw", "com"], ["com"], ["com", "gw"], []]
            assert [a.role for a in cases["JF0"].assignments] == ["grid_worker", "committee"]
            flags = dict((await s.execute(sa.select(CaseAssignee.case_id, CaseAssignee.open)
                                          .where(CaseAssignee.staff_id == "com"))).all())
            assert flags == {1: True, 2: False, 3: True}
            load = dict((await s.execute(sa.select(StaffLoad.staff_id, StaffLoad.open_cases))).all())
            assert load == {"gw": 2, "com": 2}
            assert cases["JF2"].red_card_at is not None and cases["JF0"].red_card_at is None
            assert cases["JF0"].next_due_at is not None and cases["JF1"].next_due_at is None   # open: due at once
    finally:
        await database.close()


class _Discard:
    """Standard output that keeps nothing (what a pipe to another program costs us)."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


async def _bulk(url: str, start: int, stop: int) -> None:
    database = Database(url)
    rows = [dict(number=f"JF990101-{i:05d}", intake_key=f"bulk{i}", type=TYPES[i % 3],
                 risk="green", risk_reasons=[], status="closed" if i % 7 else "dispatched", level="village",
                 place_code=PLACES[i % 5], channel=CHANNELS[i % 3], reporter=f"u{i}", reporter_name="",
                 contact="13812345678", parties=[{"name": "张三", "role": "对方"}],
                 description=f"楼上张三家天天半夜拖椅子，说了好几次都不听，第{i}件" * 3, source="", media=[],
                 created_at=T0 + timedelta(minutes=i), updated_at=T0 + timedelta(minutes=i)) for i in range(start, stop)]
    try:
        async with database.session() as s:
            await s.execute(sa.insert(Case.__table__), rows)
    finally:
        await database.close()


async def _peak_of_listing(settings) -> int:
    """Peak bytes allocated while `jiefen cases --json` lists every case (its whole path:
    migrations checked, registry read, cases streamed, masked, printed)."""
    from jiefen.admin import case_rows
    from jiefen.cli import _print_cases
    tracemalloc.start()
    try:
        with contextlib.redirect_stdout(_Discard()):
            await _print_cases(case_rows(settings), "json")
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


async def test_listing_every_case_takes_memory_flat_in_their_number(tmp_path):
    """Four times the cases, the same peak (tracemalloc, no clock): with one page as long as
    the ledger the peak went from 4.4 to 16.4 MB between 1,000 and 4,000 cases; streamed it
    stays near 4 MB. bench/scale_bench.py --stream measures the process at 10k to 1M."""
    from bot.settings import Settings
    from jiefen.admin import init_database
    url = f"sqlite+aiosqlite:///{tmp_path / 'many.db'}"
    settings = Settings.load(env={}, database_url=url)
    await init_database(settings, demo=True)
    await _peak_of_listing(settings)                    # first use: imports and caches are not the list's
    await _bulk(url, 0, 1000)                           # two batches: a batch is read while the last is held
    small = await _peak_of_listing(settings)
    await _bulk(url, 1000, 4000)
    large = await _peak_of_listing(settings)
    assert large < 1.3 * small, (small, large)


async def _empty_database(tmp_path, request, backend: str, tag: str) -> Database:
    """A database with no tables yet: a SQLite file, or a new database on the test PostgreSQL."""
    if backend == "sqlite":
        return Database(f"sqlite+aiosqlite:///{tmp_path / f'{tag}.db'}")
    import asyncpg
    server = request.getfixturevalue("postgres_server")
    name = f"{tag}{tmp_path.name[-20:].replace('-', '_').lower()}"
    conn = await asyncpg.connect(f"postgresql://jiefen@127.0.0.1:{server.port}/postgres")
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return Database(f"postgresql+asyncpg://jiefen@127.0.0.1:{server.port}/{name}")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_a_database_migrated_before_0006_had_attention_gets_it(tmp_path, request, backend):
    database = await _empty_database(tmp_path, request, backend, "a")
    try:
        async with database.engine.begin() as conn:      # 0011 as 0006 was first released
            await conn.run_sync(_upgrade_to, "0011")
            await conn.execute(sa.text("DROP INDEX ix_conversations_attention"))
            await conn.execute(sa.text("ALTER TABLE conversations DROP COLUMN attention"))
            await conn.execute(sa.text("INSERT INTO conversations (key, data, updated_at) "
                                       "VALUES ('web:u1', '{}', CURRENT_TIMESTAMP)"))
        await database.migrate()
        async with database.engine.begin() as conn:
            rows = (await conn.execute(sa.text("SELECT key, attention FROM conversations"))).all()
            indexes = await conn.run_sync(lambda c: {i["name"] for i in sa.inspect(c).get_indexes("conversations")})
        assert [tuple(r) for r in rows] == [("web:u1", False)] and "ix_conversations_attention" in indexes
        await database.migrate()                          # and again: nothing to do
    finally:
        await database.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_cases_concluded_before_0024_are_settled_and_the_figures_rebuilt(tmp_path, request, backend):
    """0024 adds how a concluded case ended; the cases concluded before were concluded as
    settled (化解), open ones have no result, and the figures are recounted once."""
    from storage import figures
    database = await _empty_database(tmp_path, request, backend, "r")
    try:
        async with database.engine.begin() as conn:
            await conn.run_sync(_upgrade_to, "0023")
            cases = await conn.run_sync(lambda c: sa.Table("cases", sa.MetaData(), autoload_with=c))
            for i, status in enumerate(("resolved", "closed", "mediating")):
                await conn.execute(sa.insert(cases).values(
                    number=f"JF261101-00{i}", intake_key=f"k{i}", type="neighbour", risk="green", risk_reasons=[],
                    status=status, level="village", channel="web", reporter=f"u{i}", reporter_name="", contact="",
                    parties=[], description="楼上拖椅子", source="", origin="applied", media=[],
                    created_at=T0, updated_at=T0, resolved_at=T0 if status != "mediating" else None))
        await database.migrate()
        async with database.engine.begin() as conn:
            rows = (await conn.execute(sa.text("SELECT number, result FROM cases ORDER BY number"))).all()
        assert [tuple(r) for r in rows] == [("JF261101-000", "settled"), ("JF261101-001", "settled"),
                                            ("JF261101-002", None)]
        assert await figures.ensure_built(database)
        async with database.session() as s:
            total = (await figures.read_figures(s, T0.date(), T0.date())).total
        assert (total.cases, total.resolved, total.unsettled) == (3, 2, 0)
        await database.migrate()                          # and again: nothing to do
    finally:
        await database.close()
