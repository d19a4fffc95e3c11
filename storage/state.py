"""The state store: conversation drafts, dedupe keys, counters and locks.

Values are JSON. Two implementations share one test suite: `MemoryStateStore` for one
process (the embedded default) and `RedisStateStore` for several worker processes.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, Protocol


class LockTimeout(Exception):
    pass


class StateStore(Protocol):
    async def get(self, key: str) -> Any | None: ...
    async def set(self, key: str, value: Any, ttl: float | None = None) -> None: ...
    async def delete(self, key: str) -> None: ...
    async def add(self, key: str, value: Any, ttl: float | None = None) -> bool:
        """Set only if absent; True when this call set it (a dedupe claim)."""
    async def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        """Add to a counter; the ttl is set when the counter is created."""
    async def push(self, key: str, value: Any, ttl: float | None = None) -> None: ...
    async def pop_all(self, key: str) -> list[Any]: ...
    def lock(self, key: str, ttl: float = 30.0, wait: float = 10.0) -> contextlib.AbstractAsyncContextManager[None]: ...
    async def try_lock(self, key: str, ttl: float) -> str | None: ...
    async def unlock(self, key: str, token: str) -> bool: ...
    async def renew(self, key: str, token: str, ttl: float) -> bool:
        """Extend a lock this token still holds; False when it was lost (expired, taken)."""
    def subscribe(self, channel: str) -> contextlib.AbstractAsyncContextManager["Subscription"]:
        """Messages published on `channel` from now on, by this process or any other."""
    async def publish(self, channel: str, message: Any) -> None:
        """Send a JSON value to every current subscriber of `channel` (lost when none listens)."""
    async def close(self) -> None: ...


class Subscription(Protocol):
    async def get(self, timeout: float) -> Any | None:
        """The next message, or None when none came within `timeout` seconds."""


class _MemorySubscription:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=1000)

    async def get(self, timeout: float) -> Any | None:
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None


class _LockMixin:
    """Locks built on `try_lock`/`unlock`, so both stores behave alike: a token per holder,
    an expiry so a dead worker does not hold a lock for ever."""

    async def try_lock(self, key: str, ttl: float) -> str | None:
        raise NotImplementedError

    async def unlock(self, key: str, token: str) -> bool:
        raise NotImplementedError

    @contextlib.asynccontextmanager
    async def lock(self, key: str, ttl: float = 30.0, wait: float = 10.0) -> AsyncIterator[None]:
        deadline = time.monotonic() + wait
        delay = 0.002
        while True:
            token = await self.try_lock(key, ttl)
            if token:
                break
            if time.monotonic() >= deadline:
                raise LockTimeout(key)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.05)
        try:
            yield
        finally:
            await self.unlock(key, token)


SWEEP_EVERY = 1000       # writes between two sweeps of expired keys


class MemoryStateStore(_LockMixin):
    def __init__(self, now: Callable[[], float] = time.monotonic):
        self._now = now
        self._data: dict[str, tuple[Any, float | None]] = {}
        self._writes = 0
        self._subscribers: dict[str, set[_MemorySubscription]] = {}

    def _live(self, key: str) -> Any | None:
        item = self._data.get(key)
        if item is None:
            return None
        value, expires = item
        if expires is not None and expires <= self._now():
            del self._data[key]
            return None
        return value

    def _expiry(self, ttl: float | None) -> float | None:
        self._writes += 1
        if self._writes % SWEEP_EVERY == 0:
            self._sweep()
        return None if ttl is None else self._now() + ttl

    def _sweep(self) -> None:
        """Expired keys that nobody reads again (a nonce, a rate counter) go, so memory follows
        what is live, not everything ever written."""
        now = self._now()
        for key in [k for k, (_v, exp) in self._data.items() if exp is not None and exp <= now]:
            del self._data[key]

    async def get(self, key: str) -> Any | None:
        value = self._live(key)
        # a copy, so callers never share mutable state with the store (as with Redis)
        return None if value is None else json.loads(json.dumps(value))

    async def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        self._data[key] = (json.loads(json.dumps(value)), self._expiry(ttl))

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    async def add(self, key: str, value: Any, ttl: float | None = None) -> bool:
        if self._live(key) is not None:
            return False
        await self.set(key, value, ttl)
        return True

    async def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        current = self._live(key)
        expires = self._data[key][1] if current is not None else self._expiry(ttl)
        value = int(current or 0) + amount
        self._data[key] = (value, expires)
        return value

    async def push(self, key: str, value: Any, ttl: float | None = None) -> None:
        current = self._live(key) or []
        expires = self._data[key][1] if key in self._data else self._expiry(ttl)
        self._data[key] = (current + [json.loads(json.dumps(value))], expires)

    async def pop_all(self, key: str) -> list[Any]:
        value = self._live(key) or []
        self._data.pop(key, None)
        return value

    async def try_lock(self, key: str, ttl: float) -> str | None:
        token = secrets.token_hex(8)
        return token if await self.add("lock:" + key, token, ttl) else None

    async def unlock(self, key: str, token: str) -> bool:
        if self._live("lock:" + key) == token:
            del self._data["lock:" + key]
            return True
        return False

    async def renew(self, key: str, token: str, ttl: float) -> bool:
        if self._live("lock:" + key) != token:
            return False
        self._data["lock:" + key] = (token, self._expiry(ttl))
        return True

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:
        sub = _MemorySubscription()
        self._subscribers.setdefault(channel, set()).add(sub)
        try:
            yield sub
        finally:
            self._subscribers.get(channel, set()).discard(sub)

    async def publish(self, channel: str, message: Any) -> None:
        value = json.loads(json.dumps(message))
        for sub in list(self._subscribers.get(channel, ())):
            if not sub.queue.full():            # a reader that stopped reading loses messages, not memory
                sub.queue.put_nowait(value)

    async def close(self) -> None:
        self._data.clear()


_UNLOCK = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end
"""
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end
"""
_INCR = """
local v = redis.call('incrby', KEYS[1], ARGV[1])
if tonumber(ARGV[2]) > 0 and redis.call('pttl', KEYS[1]) < 0 then redis.call('pexpire', KEYS[1], ARGV[2]) end
return v
"""
_PUSH = """
redis.call('rpush', KEYS[1], ARGV[1])
if tonumber(ARGV[2]) > 0 and redis.call('pttl', KEYS[1]) < 0 then redis.call('pexpire', KEYS[1], ARGV[2]) end
return 1
"""


class RedisStateStore(_LockMixin):
    def __init__(self, url: str, prefix: str = "jiefen:", max_connections: int = 50):
        import redis.asyncio as aioredis
        from redis.asyncio.retry import Retry
        from redis.backoff import EqualJitterBackoff
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeout

        # one bounded pool per process: a burst waits for a free connection (up to 5 s) instead
        # of opening hundreds and meeting Redis's "max number of clients reached". A burst of
        # new connections on a loaded host can lose a SYN (the kernel resends it after 1 s, then
        # 3 s), so a connect gets 5 s and two more tries; a dead Redis still refuses at once.
        # A retried command is at least once, as a request WeChat sends again already is.
        retry = Retry(EqualJitterBackoff(cap=0.5, base=0.05), 2,
                      supported_errors=(RedisConnectionError, RedisTimeout))
        pool = aioredis.BlockingConnectionPool.from_url(url, max_connections=max_connections, timeout=5,
                                                         decode_responses=True, socket_connect_timeout=5,
                                                         retry=retry)
        self._redis = aioredis.Redis.from_pool(pool)      # closing the client closes the pool
        self._prefix = prefix
        self._unlock = self._redis.register_script(_UNLOCK)
        self._renew = self._redis.register_script(_RENEW)
        self._incr = self._redis.register_script(_INCR)
        self._push = self._redis.register_script(_PUSH)

    def _k(self, key: str) -> str:
        return self._prefix + key

    @staticmethod
    def _ms(ttl: float | None) -> int:
        return 0 if ttl is None else max(1, int(ttl * 1000))

    async def get(self, key: str) -> Any | None:
        raw = await self._redis.get(self._k(key))
        return None if raw is None else json.loads(raw)

    async def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        await self._redis.set(self._k(key), json.dumps(value, ensure_ascii=False), px=self._ms(ttl) or None)

    async def delete(self, key: str) -> None:
        await self._redis.delete(self._k(key))

    async def add(self, key: str, value: Any, ttl: float | None = None) -> bool:
        return bool(await self._redis.set(self._k(key), json.dumps(value, ensure_ascii=False),
                                          px=self._ms(ttl) or None, nx=True))

    async def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        return int(await self._incr(keys=[self._k(key)], args=[amount, self._ms(ttl)]))

    async def push(self, key: str, value: Any, ttl: float | None = None) -> None:
        await self._push(keys=[self._k(key)], args=[json.dumps(value, ensure_ascii=False), self._ms(ttl)])

    async def pop_all(self, key: str) -> list[Any]:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.lrange(self._k(key), 0, -1)
            pipe.delete(self._k(key))
            items, _ = await pipe.execute()
        return [json.loads(i) for i in items]

    async def try_lock(self, key: str, ttl: float) -> str | None:
        token = secrets.token_hex(8)
        ok = await self._redis.set(self._k("lock:" + key), token, px=self._ms(ttl), nx=True)
        return token if ok else None

    async def unlock(self, key: str, token: str) -> bool:
        return bool(await self._unlock(keys=[self._k("lock:" + key)], args=[token]))

    async def renew(self, key: str, token: str, ttl: float) -> bool:
        return bool(await self._renew(keys=[self._k("lock:" + key)], args=[token, self._ms(ttl)]))

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        sub = _RedisSubscription(pubsub)
        try:
            await sub.settled(pubsub.subscribe(self._k("chan:" + channel)))
            yield sub
        finally:
            # closing the connection ends the subscription on the server too; bounded, since
            # it runs while a cancellation is ending the listener (and after an outage)
            await sub.close()

    async def publish(self, channel: str, message: Any) -> None:
        await self._redis.publish(self._k("chan:" + channel), json.dumps(message, ensure_ascii=False))

    async def close(self) -> None:
        await self._redis.aclose()


class _RedisSubscription:
    """redis-py can hold a cancellation back while it tears a pub/sub connection down (it then
    goes on reading until its timeout, 30 s, or for ever): each of its calls runs in a task of
    its own, so the listener that awaits it is cancelled at once whatever the call does."""
    CLOSE_WITHIN = 2.0

    def __init__(self, pubsub: Any) -> None:
        self.pubsub = pubsub
        self._calls: set[asyncio.Task[Any]] = set()

    async def settled(self, call: Coroutine[Any, Any, Any]) -> Any:
        task = asyncio.ensure_future(call)
        self._calls.add(task)
        task.add_done_callback(_forget)
        task.add_done_callback(self._calls.discard)
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            task.cancel()
            raise

    async def get(self, timeout: float) -> Any | None:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            msg = await self.settled(self.pubsub.get_message(ignore_subscribe_messages=True, timeout=left))
            if msg is not None and msg.get("type") == "message":
                return json.loads(msg["data"])

    async def close(self) -> None:
        closing = asyncio.ensure_future(self.pubsub.aclose())
        closing.add_done_callback(_forget)
        await asyncio.wait({closing, *self._calls}, timeout=self.CLOSE_WITHIN)


def _forget(task: asyncio.Task[Any]) -> None:
    """A call left behind by a cancelled listener: its outcome is of no use to anyone."""
    if not task.cancelled():
        task.exception()


def open_state_store(url: str, prefix: str = "jiefen:", max_connections: int = 50) -> StateStore:
    if url.startswith("memory:"):
        return MemoryStateStore()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStateStore(url, prefix, max_connections)
    raise ValueError(f"unknown state store URL {url!r}: use memory:// or redis://")
