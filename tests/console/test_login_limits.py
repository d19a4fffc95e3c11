"""The console's log-in under attack (an outside trial's findings): the lock-out holds against
attempts sent at once, the password hash does not stop the other channels, and a state store
that cannot be reached is "try again later", not a fault."""
from __future__ import annotations

import asyncio
import re

from bot.accounts import Accounts, LoginPolicy, hash_password
from storage.accounts import set_password_hash
from storage.state import MemoryStateStore
from tests.console.conftest import PASSWORD


async def test_attempts_sent_at_once_are_counted_before_any_is_checked(ctx):
    """150 wrong passwords and the right one, sent together, all passed the look at the counters
    and were all checked: the right one logged in."""
    accounts = Accounts(ctx.db, MemoryStateStore(), LoginPolicy(max_failures=5))
    burst = [accounts.login(ctx.registry, "gw-liulin", f"guess-{i}", "10.0.0.9") for i in range(30)]
    burst.append(accounts.login(ctx.registry, "gw-liulin", PASSWORD, "10.0.0.9"))
    results = await asyncio.gather(*burst)
    assert results[-1] is None and not any(results)
    assert await accounts.locked("gw-liulin", "10.0.0.9")


async def test_a_right_password_within_the_limit_logs_in_and_does_not_count_against_the_address(ctx):
    accounts = Accounts(ctx.db, MemoryStateStore(), LoginPolicy(max_failures=5))
    for _ in range(40):             # more logins than the address may fail: successes are no failures
        assert await accounts.login(ctx.registry, "gw-liulin", PASSWORD, "10.0.0.9") is not None
    assert not await accounts.locked("gw-liulin", "10.0.0.9")


async def test_the_password_hash_leaves_the_event_loop_free(ctx):
    """scrypt ran on the event loop: 300 failed logins made a resident's WeChat message wait 11 s."""
    async with ctx.db.session() as s:
        await set_password_hash(s, "gw-liulin", hash_password(PASSWORD), ctx.clock.now())   # the real cost
    accounts = Accounts(ctx.db, MemoryStateStore())
    ticks = 0
    done = False

    async def ticker():
        nonlocal ticks
        while not done:
            ticks += 1
            await asyncio.sleep(0)
    other = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    before = ticks
    assert await accounts.login(ctx.registry, "gw-liulin", PASSWORD, "10.0.0.9") is not None
    during = ticks - before
    done = True
    await other
    assert during > 5, during       # the loop went on while the hash was computed


async def test_a_state_store_out_of_reach_is_a_503_page_not_a_fault(aiohttp_client, tmp_path, clock):
    """With Redis down every console page, and the log-in, answered 500."""
    import shutil

    from jiefen.gateway import make_app
    from jiefen.testing import make_context
    from storage.state import RedisStateStore
    from tests.console.conftest import give_passwords
    from tests.servers import start_redis
    proc, folder, server = start_redis()
    ctx = await make_context(tmp_path, clock=clock, reading_processes=0, state=RedisStateStore(server.url))
    try:
        await give_passwords(ctx)
        client = await aiohttp_client(make_app(ctx, run_outbox=False))
        page = await client.get("/console/login")
        token = re.search(r'name="csrf" value="([^"]+)"', await page.text()).group(1)
        proc.terminate()
        proc.wait(10)
        r = await client.post("/console/login", data={"staff_id": "centre-qs", "password": PASSWORD, "csrf": token},
                              allow_redirects=False)
        assert r.status == 503 and "稍后" in await r.text()
        client.session.cookie_jar.update_cookies({"jiefen_console": "x" * 43})
        assert (await client.get("/console/cases")).status == 503
        assert (await client.get("/console/api/cases")).status == 503
    finally:
        await ctx.close()
        shutil.rmtree(folder, ignore_errors=True)


async def test_behind_a_trusted_proxy_one_clients_failures_do_not_lock_out_the_others(aiohttp_client, ctx):
    """Behind the proxy, 20 failed log-ins from anyone locked the console for every staff member."""
    from jiefen.gateway import make_app
    ctx.settings = ctx.settings.replace(trusted_proxies="127.0.0.0/8")
    client = await aiohttp_client(make_app(ctx, run_outbox=False))

    async def attempt(staff_id: str, password: str, address: str):
        page = await client.get("/console/login")
        token = re.search(r'name="csrf" value="([^"]+)"', await page.text()).group(1)
        return await client.post("/console/login", data={"staff_id": staff_id, "password": password, "csrf": token},
                                 headers={"X-Forwarded-For": address}, allow_redirects=False)
    for i in range(25):
        await attempt(f"nobody-{i}", "wrong-password", "203.0.113.7")
    assert (await attempt("med-dx", PASSWORD, "203.0.113.7")).status == 429          # that address is locked
    assert (await attempt("med-dx", PASSWORD, "198.51.100.20")).status == 302        # another person is not


async def test_a_password_reset_ends_the_sessions_opened_before_it(client, ctx):
    """After `jiefen staff passwd`, a session opened with the leaked password kept working for 12 h."""
    from bot.accounts import set_password
    from tests.console.conftest import login
    await login(client, "gw-nanhu")
    assert (await client.get("/console/api/cases")).status == 200
    await set_password(ctx.db, ctx.registry.staff["gw-nanhu"], "new-strong-pass-1", ctx.clock.now())
    assert (await client.get("/console/api/cases")).status == 401
    await login(client, "gw-nanhu", "new-strong-pass-1")
    assert (await client.get("/console/api/cases")).status == 200
