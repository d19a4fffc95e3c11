"""One suite for both state stores: the in-process one and Redis (a real redis-server)."""
from __future__ import annotations

import asyncio
import uuid

import pytest

from storage.state import LockTimeout, MemoryStateStore, RedisStateStore


@pytest.fixture(params=["memory", "redis"])
async def store(request):
    if request.param == "memory":
        s = MemoryStateStore()
    else:
        server = request.getfixturevalue("redis_server")
        s = RedisStateStore(server.url, prefix=f"t{uuid.uuid4().hex[:8]}:")
    yield s
    await s.close()


async def test_get_set_delete_json_values(store):
    assert await store.get("k") is None
    await store.set("k", {"步骤": "place", "n": [1, 2]})
    assert await store.get("k") == {"步骤": "place", "n": [1, 2]}
    await store.delete("k")
    assert await store.get("k") is None


async def test_values_are_copies(store):
    value = {"a": [1]}
    await store.set("k", value)
    value["a"].append(2)
    got = await store.get("k")
    got["a"].append(3)
    assert await store.get("k") == {"a": [1]}


async def test_add_claims_once(store):
    assert await store.add("seen:1", True) is True
    assert await store.add("seen:1", True) is False
    results = await asyncio.gather(*(store.add("seen:2", i) for i in range(20)))
    assert results.count(True) == 1


async def test_ttl_expires(store):
    await store.set("short", 1, ttl=0.05)
    await store.add("short-add", 1, ttl=0.05)
    await asyncio.sleep(0.15)
    assert await store.get("short") is None
    assert await store.add("short-add", 2) is True


async def test_counters(store):
    assert await store.incr("c") == 1
    assert await store.incr("c", 5) == 6
    assert sorted(await asyncio.gather(*(store.incr("d") for _ in range(50)))) == list(range(1, 51))
    assert await store.incr("d", 0) == 50


async def test_counter_ttl_is_set_once_at_creation(store):
    await store.incr("window", ttl=0.2)
    await asyncio.sleep(0.12)
    await store.incr("window", ttl=0.2)       # does not extend the window
    await asyncio.sleep(0.12)
    assert await store.incr("window", 0) == 0


async def test_lists(store):
    await store.push("q", {"a": 1})
    await store.push("q", "二")
    assert await store.pop_all("q") == [{"a": 1}, "二"]
    assert await store.pop_all("q") == []


async def test_lock_excludes(store):
    inside = 0
    most = 0

    async def work():
        nonlocal inside, most
        async with store.lock("L", ttl=5, wait=5):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.01)
            inside -= 1

    await asyncio.gather(*(work() for _ in range(10)))
    assert most == 1


async def test_lock_wait_times_out(store):
    token = await store.try_lock("busy", ttl=5)
    assert token
    with pytest.raises(LockTimeout):
        async with store.lock("busy", ttl=5, wait=0.05):
            pass
    assert await store.unlock("busy", "not-the-token") is False
    assert await store.unlock("busy", token) is True


async def test_a_dead_holders_lock_expires(store):
    assert await store.try_lock("dead", ttl=0.05)
    await asyncio.sleep(0.1)
    assert await store.try_lock("dead", ttl=1)


async def test_publish_reaches_every_subscriber_from_then_on(store):
    await store.publish("cases", {"lost": True})          # nobody listens yet: gone
    async with store.subscribe("cases") as a, store.subscribe("cases") as b, store.subscribe("other") as c:
        await asyncio.sleep(0.05)                          # Redis: the subscription is in place
        await store.publish("cases", {"number": "JF261123-001", "地点": "DX01"})
        assert await a.get(2) == {"number": "JF261123-001", "地点": "DX01"}
        assert await b.get(2) == {"number": "JF261123-001", "地点": "DX01"}
        assert await c.get(0.2) is None
        assert await a.get(0.1) is None
    await store.publish("cases", {"after": True})          # unsubscribed: no error, nobody gets it




async def test_a_listener_ends_when_cancelled_even_as_its_store_closes(store):
    """redis-py can hold a cancellation back while a subscription's connection is being torn
    down: a listener cancelled just as its store closed (a context closed before its server, a
    Redis outage) went on waiting up to its read timeout, 30 s, and once in CI for ever; the
    server's shutdown waited for it. A listener that retries on errors, as a long-lived one
    must, ends promptly when cancelled, whatever its subscription was doing."""
    async def listen() -> None:
        while True:
            try:
                async with store.subscribe("cases") as sub:
                    while True:
                        await sub.get(30.0)
            except Exception:
                await asyncio.sleep(0.5)

    for close_first in (False, True):
        for delay in (0.0, 0.001, 0.003, 0.01, 0.05):
            tasks = [asyncio.create_task(listen()) for _ in range(3)]
            await asyncio.sleep(0.1)
            if close_first:
                await store.close()
            await asyncio.sleep(delay)
            for t in tasks:
                t.cancel()
            done, _ = await asyncio.wait(tasks, timeout=5.0)
            assert len(done) == 3 and all(t.cancelled() for t in tasks), \
                f"listening 5 s after a cancellation {delay} s after {'closing' if close_first else 'subscribing'}"


async def test_a_connection_dropped_while_opening_is_tried_again(redis_server):
    """A burst of new connections on a loaded host can lose one (CI once saw a connect time out
    among fifty): the pool tries again instead of failing the resident's request."""
    dropped = 0

    async def pipe(reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def flaky(reader, writer):
        nonlocal dropped
        if dropped < 2:                       # the first two connections die at once
            dropped += 1
            writer.close()
            return
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", redis_server.port)
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    proxy = await asyncio.start_server(flaky, "127.0.0.1", 0)
    port = proxy.sockets[0].getsockname()[1]
    store = RedisStateStore(f"redis://127.0.0.1:{port}/0", prefix=f"t{uuid.uuid4().hex[:8]}:")
    try:
        assert await store.incr("c") == 1
        assert dropped == 2
    finally:
        await store.close()
        proxy.close()
        await proxy.wait_closed()
