"""An answer goes out only once what was committed before it is on disk (the embedded SQLite
flushes its WAL once for every request waiting at that moment: group commit)."""
from __future__ import annotations

import asyncio
import os
import sqlite3

import pytest
from sqlalchemy import text

from jiefen.gateway import make_app, web_channel


@pytest.fixture
async def client(ctx, aiohttp_client):
    return await aiohttp_client(make_app(ctx, channels=[web_channel(ctx)], run_outbox=False))


async def test_commits_write_the_wal_without_flushing_it(ctx):
    async with ctx.db.engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA synchronous"))).scalar() == 1      # NORMAL
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"


async def test_a_commit_is_on_disk_only_once_someone_waits_for_it(ctx):
    sync = ctx.db.wal_sync
    await ctx.db.durable()
    flushes = sync.flushes
    async with ctx.db.session() as s:
        await s.execute(text("UPDATE inbox SET error = '' WHERE id = -1"))
        await s.execute(text("CREATE TABLE IF NOT EXISTS scratch (x)"))
    assert sync.synced < sync.committed                    # committed, not yet flushed
    await ctx.db.durable()
    assert sync.synced == sync.committed and sync.flushes == flushes + 1
    await ctx.db.durable()                                 # nothing new: no second flush
    assert sync.flushes == flushes + 1


async def test_waiters_at_the_same_moment_share_one_flush(ctx):
    sync = ctx.db.wal_sync
    async with ctx.db.session() as s:
        await s.execute(text("CREATE TABLE IF NOT EXISTS scratch (x)"))
    for i in range(16):
        async with ctx.db.session() as s:
            await s.execute(text("INSERT INTO scratch VALUES (:x)"), {"x": i})
    before = sync.flushes
    await asyncio.gather(*(ctx.db.durable() for _ in range(16)))
    assert sync.synced == sync.committed and sync.flushes == before + 1


async def test_a_commit_made_during_a_flush_waits_for_the_next_one(ctx):
    """A flush covers the commits made before it started: a later commit is not told it is
    on disk by a flush that may have missed it."""
    sync = ctx.db.wal_sync
    async with ctx.db.session() as s:
        await s.execute(text("CREATE TABLE IF NOT EXISTS scratch (x)"))
    first = asyncio.ensure_future(ctx.db.durable())
    await asyncio.sleep(0)                                 # the flush has started
    async with ctx.db.session() as s:
        await s.execute(text("INSERT INTO scratch VALUES (1)"))
    mine = sync.committed
    await ctx.db.durable()
    await first
    assert sync.synced >= mine


async def test_a_message_is_answered_after_its_commits_are_on_disk(client, ctx):
    sync = ctx.db.wal_sync
    seen = []
    real_flush = type(sync)._flush

    async def flush(self) -> None:
        await real_flush(self)
        seen.append((self.synced, self.committed))
    sync._flush = flush.__get__(sync)
    await client.get("/")
    resp = await client.post("/api/messages", json={"text": "我是柳林村的，楼上那家天天半夜拖椅子，电话13812345678"})
    assert resp.status == 200
    committed = sync.committed
    assert committed > 0 and sync.synced == committed and seen
    resp = await client.post("/api/messages", json={"text": "确认"})
    assert "JF" in (await resp.json())["replies"][0]["text"]
    assert sync.committed > committed and sync.synced == sync.committed


async def test_sixteen_messages_at_once_are_answered_with_fewer_flushes(client, ctx):
    sync = ctx.db.wal_sync
    await client.get("/")
    before_commits, before_flushes = sync.committed, sync.flushes
    replies = await asyncio.gather(*(client.post("/api/messages", json={"text": f"你好{i}", "msg_id": f"g{i}"})
                                     for i in range(16)))
    assert all(r.status == 200 for r in replies)
    assert sync.synced == sync.committed
    assert sync.committed - before_commits >= 16
    assert sync.flushes - before_flushes < sync.committed - before_commits


async def test_a_disk_that_refuses_the_flush_gets_503_and_the_retry_the_kept_answer(client, ctx, monkeypatch):
    import storage.sqlite_durable

    def broken(_path: str) -> None:
        raise OSError(5, "Input/output error")
    await client.get("/")
    monkeypatch.setattr(storage.sqlite_durable, "_fsync", broken)
    body = {"text": "我是柳林村的，楼上那家天天半夜拖椅子，电话13812345678", "msg_id": "io1"}
    refused = await client.post("/api/messages", json=body)
    assert refused.status == 503                       # not an answer the person may rely on
    monkeypatch.undo()
    again = await client.post("/api/messages", json=body)
    assert again.status == 200 and "请核对" in (await again.json())["replies"][0]["text"]


async def test_a_commit_never_checkpoints_the_wal_on_the_event_loop(ctx):
    """SQLite's automatic checkpoint runs inside the commit that crosses its threshold, and
    commits run on the event loop: it is off, and the group commit checkpoints instead."""
    async with ctx.db.engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA wal_autocheckpoint"))).scalar() == 0


async def test_commits_nobody_waits_for_are_checkpointed_all_the_same(ctx):
    """The background loops commit without answering anyone: their commits count towards the
    next checkpoint as much as a request's do."""
    sync = ctx.db.wal_sync
    sync.checkpoint_every = 20
    sync._checkpointed_at = sync.committed
    async with ctx.db.session() as s:
        await s.execute(text("CREATE TABLE IF NOT EXISTS scratch (x)"))
    for i in range(30):
        async with ctx.db.session() as s:
            await s.execute(text("INSERT INTO scratch VALUES (:x)"), {"x": i})
    for _ in range(100):                                   # nobody calls durable()
        if sync.checkpoints:
            break
        await asyncio.sleep(0.01)
    assert sync.checkpoints == 1
    # the checkpoint copied the WAL into the database file itself (read here ignoring the WAL):
    # at least the rows committed before it was asked for (the table and 19 rows: 20 commits)
    with sqlite3.connect(f"file:{sync.db_path}?immutable=1", uri=True) as conn:
        assert conn.execute("SELECT count(*) FROM scratch").fetchone()[0] >= 19


async def test_the_wal_stays_small_under_a_load_that_never_stops(ctx):
    """Sixteen units of work at a time, each reading then writing, with no pause: SQLite
    starts the WAL over only once a checkpoint has copied all of it, which a checkpoint that
    new commits overtake never does. Checkpoints hold this process's writers off, so the WAL
    is started over and stays the size of a few checkpoints' worth of commits."""
    sync = ctx.db.wal_sync
    sync.checkpoint_every = 20
    async with ctx.db.session() as s:
        await s.execute(text("CREATE TABLE IF NOT EXISTS scratch (x, pad)"))
    pad = "x" * 3000                                       # about a page a row

    async def worker(n: int) -> None:
        for i in range(40):
            async with ctx.db.session() as s:
                await s.execute(text("SELECT count(*) FROM scratch"))
                await s.execute(text("INSERT INTO scratch VALUES (:x, :pad)"), {"x": n * 100 + i, "pad": pad})
    await asyncio.gather(*(worker(n) for n in range(16)))
    await ctx.db.durable()
    assert sync.checkpoints >= 20
    # 640 commits of a page or two each: 2.5 MB or more of WAL if it were never started over
    assert os.path.getsize(sync.wal_path) < 1_000_000
