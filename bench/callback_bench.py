"""Benchmark of the Official Account callback: safe-mode (encrypted) text messages that continue
residents' intakes, against a bare aiohttp handler that answers `success`, in the same run.

Each server runs in its own process on 127.0.0.1 (so the client's work is not counted against
it); the client sends every request encrypted and signed as WeChat does, prepared before the
clock starts, with a fixed number in flight. Bounded in count and time; loopback only.

    python bench/callback_bench.py [--messages 2000] [--concurrency 16] [--residents 200] [--write]
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import logging
import multiprocessing as mp
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


# ---- the two servers ------------------------------------------------------------------------------
def _serve(kind: str, ready: mp.Queue, stop: mp.Event, folder: str) -> None:
    logging.disable(logging.WARNING)
    asyncio.run(_run_server(kind, ready, stop, folder))


async def _run_server(kind: str, ready, stop, folder: str) -> None:
    from aiohttp import web

    ctx = None
    if kind == "bare":
        app = web.Application(client_max_size=1024 * 1024)

        async def success(request: web.Request) -> web.Response:
            await request.read()
            return web.Response(text="success")
        app.router.add_post("/wechat/mp", success)
    else:
        from adapters.gateway import make_app
        from adapters.wechat_mp import WeChatMPChannel
        from bot.clock import Clock
        from bot.testing import make_context

        ctx = await make_context(Path(folder), clock=Clock(), wechat_token=TOKEN, wechat_appid=APPID,
                                 wechat_aes_key=AES_KEY, wechat_api_base="http://127.0.0.1:9")
        app = make_app(ctx, channels=[WeChatMPChannel(ctx)], run_outbox=False)
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
def _requests(n: int, residents: int, prefix: str = "oBench", id_base: int = 10**15) -> list[tuple[dict, bytes]]:
    """n encrypted, signed callbacks: resident i's k-th message continues their story."""
    import xmltodict
    from wechatpy.crypto import WeChatCrypto

    crypto, out, ts = WeChatCrypto(TOKEN, AES_KEY, APPID), [], str(int(time.time()))
    for i in range(n):
        who, turn = i % residents, i // residents
        xml = (f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[{prefix}{who:06d}]]>"
               f"</FromUserName><CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
               f"<Content><![CDATA[{STORY[turn % len(STORY)]}]]></Content><MsgId>{id_base + i}</MsgId></xml>")
        nonce = str(100000 + i)
        enc = xmltodict.parse(crypto.encrypt_message(xml, nonce, ts))["xml"]
        sig = hashlib.sha1("".join(sorted([TOKEN, ts, nonce])).encode()).hexdigest()
        query = {"signature": sig, "timestamp": ts, "nonce": nonce, "openid": f"{prefix}{who:06d}",
                 "encrypt_type": "aes", "msg_signature": enc["MsgSignature"]}
        body = f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><Encrypt><![CDATA[{enc['Encrypt']}]]></Encrypt></xml>"
        out.append((query, body.encode()))
    return out


async def _drive(port: int, requests: list[tuple[dict, bytes]], concurrency: int, residents: int,
                 time_limit: float, warmup: list[tuple[dict, bytes]]) -> dict:
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

        started = time.perf_counter()
        await asyncio.gather(*(resident(q) for q in queues))
        elapsed = time.perf_counter() - started
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else latencies * 99
    return {"messages": len(latencies), "seconds": elapsed, "rate": len(latencies) / elapsed,
            "p50": q[49] * 1000, "p99": q[98] * 1000, "statuses": statuses, "passive": passive}


def _measure(kind: str, requests, args) -> dict:
    ready, stop = mp.Queue(), mp.Event()
    with tempfile.TemporaryDirectory() as folder:
        proc = mp.Process(target=_serve, args=(kind, ready, stop, folder), daemon=True)
        proc.start()
        try:
            port = ready.get(timeout=60)
            return asyncio.run(_drive(port, requests, args.concurrency, args.residents, args.time_limit,
                                    _requests(6, 2, "oWarmup", 10**16)))
        finally:
            stop.set()
            proc.join(20)
            if proc.is_alive():
                proc.kill()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--messages", type=int, default=2000)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--residents", type=int, default=200)
    p.add_argument("--time-limit", type=float, default=120.0, help="seconds per server at most")
    p.add_argument("--write", action="store_true", help="write bench/RESULTS-callback.md")
    args = p.parse_args(argv)
    requests = _requests(args.messages, args.residents)
    rows = [("bare aiohttp `success`", _measure("bare", requests, args)),
            ("jiefen /wechat/mp", _measure("jiefen", requests, args))]
    lines = [f"{args.messages} safe-mode text messages, {args.residents} residents continuing intakes, "
             f"{args.concurrency} in flight; {platform.processor() or platform.machine()}, "
             f"{mp.cpu_count()} cores, Python {platform.python_version()}",
             "",
             "| server | messages | msgs/s | p50 ms | p99 ms | HTTP statuses | passive replies |",
             "| --- | ---: | ---: | ---: | ---: | --- | ---: |"]
    for name, r in rows:
        lines.append(f"| {name} | {r['messages']} | {r['rate']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | "
                     f"{r['statuses']} | {r['passive']} |")
    print("\n".join(lines))
    if args.write:
        out = Path(__file__).with_name("RESULTS-callback.md")
        out.write_text("# Callback benchmark (measured)\n\n`python bench/callback_bench.py --write`\n\n"
                       + "\n".join(lines) + "\n")
        print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
