"""Live updates between worker processes: two apps on one database and one Redis (as `jiefen serve
--workers 2` runs them); a case changed through one reaches the open pages of the other as a
server-sent event, for the people whose area it is in, and for nobody else."""
from __future__ import annotations

import asyncio
import json
import uuid

from jiefen.gateway import make_app
from jiefen.testing import make_context
from storage.state import RedisStateStore
from tests.console.conftest import give_passwords, login, open_case


async def events(response, into: list[dict]) -> None:
    name = ""
    while True:
        line = (await response.content.readline()).decode()
        if not line:
            return
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:") and name == "cases":
            into.append(json.loads(line[5:]))


async def test_a_change_through_one_worker_reaches_the_others_pages(tmp_path, clock, aiohttp_client, redis_server):
    prefix = f"live{uuid.uuid4().hex[:6]}:"
    one = await make_context(tmp_path, clock=clock, reading_processes=0,
                             state=RedisStateStore(redis_server.url, prefix=prefix))
    two = await make_context(tmp_path, clock=clock, reading_processes=0, demo=False,
                             state=RedisStateStore(redis_server.url, prefix=prefix))
    try:
        await give_passwords(one)
        number = await open_case(one, "live1", "DX01")
        watcher = await aiohttp_client(make_app(one, run_outbox=False))
        outsider = await aiohttp_client(make_app(one, run_outbox=False))
        actor = await aiohttp_client(make_app(two, run_outbox=False))
        await login(watcher, "med-dx")
        await login(outsider, "med-nh")
        csrf = await login(actor, "gw-liulin")               # the session is in Redis: valid on either worker
        seen, not_mine = [], []
        streams = []
        for client, into in ((watcher, seen), (outsider, not_mine)):
            r = await client.get("/console/api/live")
            assert r.status == 200 and r.headers["Content-Type"] == "text/event-stream"
            streams.append(asyncio.create_task(events(r, into)))
        await asyncio.sleep(0.3)                              # both subscribed
        r = await actor.post(f"/console/cases/{number}/act", data={"csrf": csrf, "action": "accept", "note": ""},
                             allow_redirects=False)
        assert r.status == 303
        for _ in range(50):
            if seen:
                break
            await asyncio.sleep(0.1)
        assert seen and number in seen[0]["cases"]
        nh = await open_case(two, "live2", "NH01")            # a change in 南湖 reaches 南湖's mediator only
        for _ in range(50):
            if not_mine:
                break
            await asyncio.sleep(0.1)
        assert not_mine == [{"cases": [nh]}]
        assert all(nh not in e["cases"] for e in seen)
        for t in streams:
            t.cancel()
    finally:
        await two.close()
        await one.close()
