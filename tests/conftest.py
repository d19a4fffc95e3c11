from __future__ import annotations

import socket

import pytest

from bot.clock import FakeClock
from jiefen.testing import TestBot, make_context
from tests.servers import postgres_server, redis_server  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def no_internet(monkeypatch):
    """Tests talk to loopback only: any other address fails the test."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")):
            raise OSError(f"tests may not reach {host}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
async def ctx(tmp_path, clock):
    context = await make_context(tmp_path, clock=clock)
    yield context
    await context.close()


@pytest.fixture
def bot(ctx):
    return TestBot(ctx)

