"""Dispute-code scans are rows in the database, written when the scan arrives: `jiefen codes`,
a separate process with a state store of its own (memory:// by default), counts them; WeChat's
retries of one scan event count once."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from adapters.wechat_mp.codes import code_counts, record_scan
from jiefen.cli import main
from jiefen.testing import make_context
from storage.db import Database
from storage.models import CodeScan

ROOT = Path(__file__).resolve().parents[2]


async def scans_in(ctx) -> dict[str, int]:
    async with ctx.db.session() as s:
        return dict((await s.execute(select(CodeScan.code, func.count()).group_by(CodeScan.code))).all())


async def test_each_scan_event_is_a_row_and_a_retry_is_not(resident, wx_ctx, clock):
    await resident.event("subscribe", "qrscene_DX01", Ticket="T")      # a new follower scans
    await resident.event("subscribe", "qrscene_DX01", Ticket="T")      # WeChat's retry: same CreateTime
    clock.advance(seconds=40)
    await resident.event("SCAN", "DX01", Ticket="T")                   # scans again, now a follower
    await resident.event("SCAN", "NH01", Ticket="T")
    await resident.event("subscribe")                                  # no code: not a scan
    await resident.event("CLICK", "report")
    async with wx_ctx.db.session() as s:
        rows = (await s.scalars(select(CodeScan).order_by(CodeScan.id))).all()
    assert [(r.code, r.kind, r.channel) for r in rows] == [("DX01", "follow", "wechat_mp"), ("DX01", "scan", "wechat_mp"),
                                                           ("NH01", "scan", "wechat_mp")]
    assert all(resident.openid not in r.dedupe_key for r in rows)      # no openid in the table


async def test_concurrent_copies_of_a_scan_count_once(resident, wx_ctx):
    answers = await asyncio.gather(*(resident.event("SCAN", "DX01", Ticket="T") for _ in range(4)))
    assert all("柳林村" in a for a in answers)
    assert await scans_in(wx_ctx) == {"DX01": 1}


async def test_another_context_on_the_same_database_counts_the_scans(resident, wx_ctx, clock, tmp_path):
    await resident.event("SCAN", "DX01", Ticket="T")
    other = await make_context(tmp_path, clock=clock, demo=False)      # its own, empty memory:// state store
    try:
        assert await other.state.get("code:DX01:scans") is None
        rows = {r["code"]: r for r in await code_counts(other)}
    finally:
        await other.close()
    assert rows["DX01"]["scans"] == 1 and rows["DX01"]["place"] == "东溪镇柳林村"


async def test_jiefen_codes_shows_a_scan_made_through_the_callback(resident, wx_ctx, monkeypatch, capsys):
    await resident.event("subscribe", "qrscene_DX01", Ticket="T")
    await resident.event("subscribe", "qrscene_DX01", Ticket="T")      # the retry
    monkeypatch.setenv("JIEFEN_DATABASE_URL", wx_ctx.settings.database_url)
    monkeypatch.delenv("JIEFEN_STATE_URL", raising=False)
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["codes", "--json"]) == 0      # the CLI's own context and loop
    rows = {r["code"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["DX01"]["scans"] == 1 and rows["DX01"]["applications"] == 0

    # and from a separate process, as an operator would run it
    env = {**os.environ, "JIEFEN_DATABASE_URL": wx_ctx.settings.database_url, "PYTHONPATH": str(ROOT)}
    env.pop("JIEFEN_STATE_URL", None)
    script = "from jiefen.cli import main; raise SystemExit(main(['codes']))"
    done = await asyncio.to_thread(subprocess.run, [sys.executable, "-c", script],
                                   cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    [line] = [ln for ln in done.stdout.splitlines() if ln.startswith("DX01")]
    assert line.split()[2] == "1"                                       # code, place, scans


async def test_a_failing_scan_record_does_not_cost_the_answer(resident, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("database away")
    monkeypatch.setattr("adapters.wechat_mp.channel.record_scan", broken)
    assert "柳林村" in await resident.event("SCAN", "DX01", Ticket="T")


@pytest.fixture
async def pg_db(postgres_server, tmp_path):
    import asyncpg
    name = f"s{tmp_path.name[-20:].replace('-', '_').lower()}"
    conn = await asyncpg.connect(f"postgresql://jiefen@127.0.0.1:{postgres_server.port}/postgres")
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    database = Database(f"postgresql+asyncpg://jiefen@127.0.0.1:{postgres_server.port}/{name}")
    await database.migrate()
    yield database
    await database.close()


async def test_scans_on_postgresql_count_once_per_event(pg_db, clock):
    ctx = SimpleNamespace(db=pg_db, clock=clock)      # record_scan needs only the database and the clock
    results = await asyncio.gather(*(record_scan(ctx, "wechat_mp", "DX01", "ev:o1:1700000000:scan:DX01", "scan")
                                     for _ in range(4)))
    assert results.count(True) == 1
    assert await record_scan(ctx, "wechat_mp", "DX01", "ev:o1:1700000009:scan:DX01", "scan")
    async with pg_db.session() as s:
        assert await s.scalar(select(func.count()).select_from(CodeScan)) == 2
