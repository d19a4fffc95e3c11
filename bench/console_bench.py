"""Console benchmark: what the centre's dashboard and case list cost through HTTP, on PostgreSQL
with 10k and 100k cases of history (the ledgers of bench/scale_bench.py: 300 cases a day, 85%
settled, assignees, clocks, kept counts).

    python bench/console_bench.py                     # load what is missing, measure, print
    python bench/console_bench.py --write             # … and write bench/RESULTS-console.md

Each request goes through the whole app (aiohttp, the session in the state store, scoping, the
queries, the JSON or the page) from a client in the same process; times are medians over
repeats, the sizes interleaved round by round (the machine is shared: its load changes over a
run), "growth" the ratio of the 100k to the 10k median in the same run. Clusters live under
--root (kept, so a size is loaded once).
"""
from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import scale_bench  # noqa: E402  (the loader and the clusters)

SIZES = (10_000, 100_000)
PASSWORD = "bench-console-2026"


class Site:
    def __init__(self, n: int, url: str):
        self.n, self.url = n, url
        self.ops: dict[str, object] = {}

    async def open(self) -> None:
        import re

        from aiohttp.test_utils import TestClient, TestServer

        from bot.accounts import hash_password
        from bot.clock import FakeClock
        from jiefen.gateway import make_app
        from jiefen.testing import make_context
        from storage import figures
        from storage.accounts import set_password_hash
        from storage.case_list import CaseFilter, page_cases

        with tempfile.TemporaryDirectory() as folder:
            ctx = self.ctx = await make_context(Path(folder), clock=FakeClock(scale_bench.NOW), database_url=self.url,
                                                demo=False, reading_processes=0, **scale_bench.WECOM)
        await figures.ensure_built(ctx.db)
        hashed = hash_password(PASSWORD)
        async with ctx.db.session() as s:
            for sid in ("centre-qs", "med-dx"):
                await set_password_hash(s, sid, hashed, ctx.clock.now())
        self.clients = {}
        for who in ("centre-qs", "med-dx"):
            client = TestClient(TestServer(make_app(ctx, run_outbox=False)))
            await client.start_server()
            page = await client.get("/console/login")
            token = re.search(r'name="csrf" value="([^"]+)"', await page.text()).group(1)
            r = await client.post("/console/login", data={"staff_id": who, "password": PASSWORD, "csrf": token},
                                  allow_redirects=False)
            assert r.status == 302, await r.text()
            self.clients[who] = client
        cursor = None
        async with ctx.db.session() as s:                 # the cursor of the list's 1,000th page
            for _ in range(999):
                page = await page_cases(s, CaseFilter(), limit=20, cursor=cursor)
                if page.next_cursor is None:
                    break
                cursor = page.next_cursor

        def get(who: str, url: str):
            async def op():
                r = await self.clients[who].get(url)
                assert r.status == 200, (url, r.status)
                await r.read()
            return op
        self.ops = {
            "dashboard JSON, county, last 30 days": get("centre-qs", "/console/api/dashboard?period=30"),
            "dashboard JSON, county, last 365 days": get("centre-qs", "/console/api/dashboard?period=365"),
            "dashboard JSON, a town (东溪镇), last 30 days": get("med-dx", "/console/api/dashboard?period=30"),
            "dashboard page (HTML), county, last 30 days": get("centre-qs", "/console/dashboard?period=30"),
            "case list page 1 (HTML), county": get("centre-qs", "/console/cases"),
            "case list page 1,000 (JSON), county": get("centre-qs", f"/console/api/cases?cursor={cursor}"),
            "case list, open cases in 东溪镇 (JSON)": get("med-dx", "/console/api/cases?open=1&place=DX"),
        }

    async def close(self) -> None:
        for c in self.clients.values():
            await c.close()
        await self.ctx.close()


async def measure(sites: list[Site], repeat: int) -> dict[int, dict[str, list[float]]]:
    for site in sites:
        await site.open()
    out: dict[int, dict[str, list[float]]] = {s.n: {} for s in sites}
    try:
        for name in sites[0].ops:
            for site in sites:
                await site.ops[name]()                     # once unmeasured: the statement caches
            for _ in range(repeat):
                for site in sites:
                    t = time.perf_counter()
                    await site.ops[name]()
                    out[site.n].setdefault(name, []).append((time.perf_counter() - t) * 1000)
    finally:
        for site in sites:
            await site.close()
    return out


def table(results: dict[int, dict[str, list[float]]]) -> list[str]:
    sizes = sorted(results)
    lines = ["| request | " + " | ".join(f"{n:,} cases (ms, median / p90)" for n in sizes) + " | growth |",
             "| --- | " + " | ".join("---" for _ in sizes) + " | --- |"]
    for name in results[sizes[0]]:
        cells, medians = [], []
        for n in sizes:
            xs = sorted(results[n][name])
            med = statistics.median(xs)
            medians.append(med)
            cells.append(f"{med:.1f} / {xs[int(0.9 * (len(xs) - 1))]:.1f}")
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {medians[-1] / medians[0]:.2f}× |")
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", default="/var/tmp/jiefen-console-bench", help="where the clusters live")
    p.add_argument("--repeat", type=int, default=15)
    p.add_argument("--write", action="store_true", help="write bench/RESULTS-console.md")
    args = p.parse_args(argv)
    root = Path(args.root)
    root.mkdir(parents=True, exist_ok=True)
    for n in SIZES:
        scale_bench.ensure_loaded(root, n)
    clusters = [scale_bench._cluster(root, n) for n in SIZES]
    for c in clusters:
        c.start(fsync=True)
    try:
        for c in clusters:                                 # measured on a copy: log-ins write their rows
            asyncio.run(scale_bench._createdb(c, "console_run", template="jiefen"))
            asyncio.run(scale_bench._warm(c.url("console_run")))
        results = asyncio.run(measure([Site(n, c.url("console_run")) for n, c in zip(SIZES, clusters)],
                                      args.repeat))
    finally:
        for c in clusters:
            c.stop()
    lines = table(results)
    print("\n".join(lines))
    if args.write:
        head = [f"# Console benchmark ({time.strftime('%Y-%m-%d')})", "",
                f"`python bench/console_bench.py --write` on {platform.machine()}, Python {platform.python_version()},"
                f" PostgreSQL on 127.0.0.1 (the same 2 shared cores as the client and the app); {args.repeat} "
                "repeats, sizes interleaved. Through HTTP: session, scoping, queries, JSON or HTML.", ""]
        (ROOT / "bench" / "RESULTS-console.md").write_text("\n".join(head + lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
