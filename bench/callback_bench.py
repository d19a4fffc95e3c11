"""Benchmark of the Official Account callback: safe-mode (encrypted) text messages that continue
residents' intakes, against a bare aiohttp handler that answers `success`, in the same run.

Each server runs in its own process on 127.0.0.1 (so the client's work is not counted against
it); the client sends every request encrypted and signed as WeChat does, prepared before the
clock starts, with a fixed number in flight. Bounded in count and time; loopback only.

The embedded default (SQLite, the in-process state store) is measured at each number in flight
(`--concurrency 1,16`), each on a fresh database. `--postgres-workers 1,2,4` also measures
`jiefen serve --workers N` on PostgreSQL and Redis (started on loopback in temporary folders,
as the tests do), each N on a fresh database.

    python bench/callback_bench.py [--messages 2000] [--concurrency 1,16] [--residents 200]
                                   [--postgres-workers 1,2,4] [--rounds 3] [--sqlite-synchronous full]
                                   [--write]
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import logging
import multiprocessing as mp
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOKEN, AES_KEY, APPID = "benchtoken", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wxbench0000000001"
STORY = ["我是柳林村的，楼上邻居天天半夜吵闹", "已经好几个月了，说了好几次都不听", "昨天晚上又吵到两点，孩子睡不着",
         "他们还往楼下扔垃圾", "物业也不管", "我们都是老人，身体受不了"]
# every message's words differ, as residents' do: the reader keeps recent readings, and the
# same six lines again and again would measure that cache, not reading
DETAIL = ["住{n}号楼", "{n}点多还在响", "找过他们{n}次", "已经{n}天了", "门牌{n}号", "我在{n}单元"]


def _text(who: int, turn: int) -> str:
    return f"{STORY[turn % len(STORY)]}，{DETAIL[(who + turn) % len(DETAIL)].format(n=who % 97 + turn + 2)}"


# ---- the two servers ------------------------------------------------------------------------------
def _serve(kind: str, ready: mp.Queue, stop: mp.Event, folder: str, synchronous: str = "") -> None:
    logging.disable(logging.WARNING)
    asyncio.run(_run_server(kind, ready, stop, folder, synchronous))


async def _run_server(kind: str, ready, stop, folder: str, synchronous: str = "") -> None:
    from aiohttp import web

    ctx = None
    if kind == "bare":
        app = web.Application(client_max_size=1024 * 1024)

        async def success(request: web.Request) -> web.Response:
            await request.read()
            return web.Response(text="success")
        app.router.add_post("/wechat/mp", success)
    else:
        from adapters.wechat_mp import WeChatMPChannel
        from bot.clock import Clock
        from jiefen.gateway import freeze_loaded, make_app
        from jiefen.testing import make_context

        ctx = await make_context(Path(folder), clock=Clock(), wechat_token=TOKEN, wechat_appid=APPID,
                                 wechat_aes_key=AES_KEY, wechat_api_base="http://127.0.0.1:9")
        if synchronous:          # an experiment: what a flush in every commit costs (no group commit)
            from sqlalchemy import event

            ctx.db.wal_sync = None           # answers no longer wait for a shared flush

            def pragma(dbapi_conn, _record) -> None:
                cur = dbapi_conn.cursor()
                cur.execute(f"PRAGMA synchronous={synchronous}")
                cur.close()
            event.listen(ctx.db.engine.sync_engine, "connect", pragma)
            await ctx.db.engine.dispose()
        app = make_app(ctx, channels=[WeChatMPChannel(ctx)], run_outbox=False)
        freeze_loaded()                  # as `jiefen serve` does
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    ready.put(site._server.sockets[0].getsockname()[1])
    while not stop.is_set():
        await asyncio.sleep(0.1)
    await runner.cleanup()
    if ctx is not None:
        await ctx.close()


# ---- the client ---------------------------------------------------------------------------------
def _requests(n: int, residents: int, prefix: str = "oBench", id_base: int = 10**15,
              nonce_base: int = 100000) -> list[tuple[dict, bytes]]:
    """n encrypted, signed callbacks: resident i's k-th message continues their story."""
    import xmltodict
    from wechatpy.crypto import WeChatCrypto

    crypto, out, ts = WeChatCrypto(TOKEN, AES_KEY, APPID), [], str(int(time.time()))
    for i in range(n):
        who, turn = i % residents, i // residents
        xml = (f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[{prefix}{who:06d}]]>"
               f"</FromUserName><CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
               f"<Content><![CDATA[{_text(who, turn)}]]></Content><MsgId>{id_base + i}</MsgId></xml>")
        nonce = str(nonce_base + i)         # a nonce is used once per timestamp (adapters/replay.py)
        enc = xmltodict.parse(crypto.encrypt_message(xml, nonce, ts))["xml"]
        sig = hashlib.sha1("".join(sorted([TOKEN, ts, nonce])).encode()).hexdigest()
        query = {"signature": sig, "timestamp": ts, "nonce": nonce, "openid": f"{prefix}{who:06d}",
                 "encrypt_type": "aes", "msg_signature": enc["MsgSignature"]}
        body = f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><Encrypt><![CDATA[{enc['Encrypt']}]]></Encrypt></xml>"
        out.append((query, body.encode()))
    return out


def _cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU time (user + system) of a process and of its live children (the reader processes)."""
    def of(stat: str) -> float:
        fields = stat[stat.rindex(")") + 2:].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    own, children = of(Path(f"/proc/{pid}/stat").read_text()), 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
                children += of(stat)
    return own, children


async def _drive(port: int, requests: list[tuple[dict, bytes]], concurrency: int, residents: int,
                 time_limit: float, warmup: list[tuple[dict, bytes]], server_pid: int | None = None) -> dict:
    import aiohttp

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    passive = 0
    # one resident's messages go in order (as a person types); residents run side by side
    queues = [requests[r::residents] for r in range(residents)]
    deadline = time.monotonic() + time_limit
    sem = asyncio.Semaphore(concurrency)

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        url = f"http://127.0.0.1:{port}/wechat/mp"
        for query, body in warmup:           # first use loads the language model: not what we measure
            async with session.post(url, params=query, data=body) as resp:
                await resp.read()

        async def resident(queue):
            nonlocal passive
            for query, body in queue:
                if time.monotonic() > deadline:
                    return
                async with sem:
                    started = time.perf_counter()
                    async with session.post(url, params=query, data=body) as resp:
                        text = await resp.text()
                    latencies.append(time.perf_counter() - started)
                statuses[resp.status] = statuses.get(resp.status, 0) + 1
                passive += text.startswith("<xml>")

        cpu_before = _cpu_seconds(server_pid) if server_pid else None
        started = time.perf_counter()
        await asyncio.gather(*(resident(q) for q in queues))
        elapsed = time.perf_counter() - started
        cpu_after = _cpu_seconds(server_pid) if server_pid else None
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else latencies * 99
    cpu = None
    if cpu_before and cpu_after and latencies:    # ms of CPU per message: the server, its readers
        cpu = tuple((b - a) * 1000 / len(latencies) for a, b in zip(cpu_before, cpu_after))
    return {"messages": len(latencies), "seconds": elapsed, "rate": len(latencies) / elapsed,
            "p50": q[49] * 1000, "p99": q[98] * 1000, "statuses": statuses, "passive": passive, "cpu": cpu}


def _measure(kind: str, args, concurrency: int, synchronous: str = "") -> dict:
    ready, stop = mp.Queue(), mp.Event()
    with tempfile.TemporaryDirectory() as folder:
        # not a daemon: the server forks its reader processes (bot/reader.py), which a daemon may not
        proc = mp.Process(target=_serve, args=(kind, ready, stop, folder, synchronous))
        proc.start()
        try:
            port = ready.get(timeout=60)
            # signed now: a callback's timestamp must be recent (adapters/replay.py)
            requests = _requests(args.messages, args.residents)
            return asyncio.run(_drive(port, requests, concurrency, args.residents, args.time_limit,
                                      _requests(6, 2, "oWarmup", 10**16, nonce_base=900000), proc.pid))
        finally:
            stop.set()
            proc.join(20)
            if proc.is_alive():
                proc.kill()


def _measure_workers(workers: int, args, concurrency: int, pg, redis) -> dict:
    """`jiefen serve --workers N` on a fresh PostgreSQL database and Redis."""
    import socket
    import subprocess
    import urllib.request

    import asyncpg

    name = f"bench_w{workers}_c{concurrency}"

    async def fresh() -> None:
        conn = await asyncpg.connect(f"postgresql://jiefen@127.0.0.1:{pg.port}/postgres")
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()
    asyncio.run(fresh())
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIEFEN_")}
    env.update(JIEFEN_DATABASE_URL=f"postgresql+asyncpg://jiefen@127.0.0.1:{pg.port}/{name}",
               JIEFEN_STATE_URL=redis.url, JIEFEN_STATE_PREFIX=f"{name}:", JIEFEN_PORT=str(port),
               JIEFEN_WECHAT_TOKEN=TOKEN, JIEFEN_WECHAT_APPID=APPID, JIEFEN_WECHAT_AES_KEY=AES_KEY,
               JIEFEN_WECHAT_API_BASE="http://127.0.0.1:9", JIEFEN_LOG_LEVEL="WARNING")
    proc = subprocess.Popen([sys.executable, "-m", "jiefen.cli", "serve", "--demo", "--workers", str(workers)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
                break
            except OSError:
                time.sleep(0.3)
        requests = _requests(args.messages, args.residents)
        return asyncio.run(_drive(port, requests, concurrency, args.residents, args.time_limit,
                                  _requests(6, 2, "oWarmup", 10**16, nonce_base=900000)))
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _row(name: str, concurrency: int, runs: list[dict]) -> str:
    """The median round by throughput; every round's msgs/s after it (the machine is shared)."""
    r = sorted(runs, key=lambda x: x["rate"])[len(runs) // 2]
    statuses: dict[int, int] = {}
    for x in runs:
        for k, v in x["statuses"].items():
            statuses[k] = statuses.get(k, 0) + v
    rounds = ", ".join(f"{x['rate']:.0f}" for x in runs)
    cpu = f"{r['cpu'][0]:.2f} + {r['cpu'][1]:.2f}" if r.get("cpu") else "–"
    return (f"| {name} | {concurrency} | {r['messages']} | {r['rate']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | "
            f"{cpu} | {rounds} | {statuses} | {sum(x['passive'] for x in runs)} of {sum(x['messages'] for x in runs)} |")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--messages", type=int, default=2000)
    p.add_argument("--concurrency", default="1,16", help="numbers in flight, separated by commas")
    p.add_argument("--residents", type=int, default=200)
    p.add_argument("--postgres-workers", default="", help="e.g. 1,2,4: also jiefen serve --workers N on "
                                                          "PostgreSQL + Redis")
    p.add_argument("--time-limit", type=float, default=120.0, help="seconds per server at most")
    p.add_argument("--rounds", type=int, default=1, help="measure every server this many times, in turn")
    p.add_argument("--sqlite-synchronous", default="", choices=("", "full", "off"),
                   help="also measure the embedded server with this SQLite synchronous setting and no group "
                        "commit (full: every commit flushes the WAL itself, as before group commit)")
    p.add_argument("--write", action="store_true", help="write bench/RESULTS-callback.md")
    args = p.parse_args(argv)
    levels = [int(c) for c in args.concurrency.split(",") if c.strip()]
    # round after round, every server in turn: the machine's load changes over a run, and
    # interleaving keeps the ratios between servers fair
    embedded = [("jiefen /wechat/mp, embedded (SQLite, in-process state)", "")]
    if args.sqlite_synchronous:
        embedded.append((f"… the same, `synchronous={args.sqlite_synchronous}`, no group commit (experiment)",
                         args.sqlite_synchronous))
    runs: dict[tuple[str, int], list[dict]] = {}
    for _ in range(args.rounds):
        runs.setdefault(("bare aiohttp `success`", max(levels)), []).append(_measure("bare", args, max(levels)))
        for name, sync in embedded:
            for c in levels:
                runs.setdefault((name, c), []).append(_measure("jiefen", args, c, sync))
    rows = [_row(name, c, r) for (name, c), r in runs.items()]
    workers = [int(w) for w in args.postgres_workers.split(",") if w.strip()]
    if workers:
        sys.path.insert(0, str(ROOT / "tests"))
        from servers import start_postgres, start_redis, stop_postgres
        pg_handle, pg = start_postgres()
        redis_proc, redis_folder, redis = start_redis()
        try:
            pg_runs: dict[tuple[int, int], list[dict]] = {}
            for _ in range(args.rounds):
                for n in workers:
                    for c in levels:
                        pg_runs.setdefault((n, c), []).append(_measure_workers(n, args, c, pg, redis))
            for (n, c), r in pg_runs.items():
                rows.append(_row(f"jiefen /wechat/mp, PostgreSQL + Redis, {n} worker{'s' if n > 1 else ''}", c, r))
        finally:
            redis_proc.terminate()
            stop_postgres(pg_handle)
    lines = [f"{args.messages} safe-mode text messages, {args.residents} residents continuing intakes; "
             f"{platform.processor() or platform.machine()}, {mp.cpu_count()} cores (client and servers share "
             f"them), Python {platform.python_version()}",
             "",
             f"Median of {args.rounds} round(s) by throughput (each round: every server in turn, each on a fresh "
             f"database); load average when done: {', '.join(f'{x:.1f}' for x in os.getloadavg())}",
             "",
             "| server | in flight | messages | msgs/s | p50 ms | p99 ms | server CPU ms/msg (process + readers) | "
             "msgs/s each round | HTTP statuses | passive replies |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |", *rows]
    print("\n".join(lines))
    if args.write:
        out = Path(__file__).with_name("RESULTS-callback.md")
        out.write_text("# Callback benchmark (measured)\n\n`python bench/callback_bench.py "
                       + " ".join(argv if argv is not None else sys.argv[1:]) + "`\n\n" + "\n".join(lines) + "\n")
        print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
