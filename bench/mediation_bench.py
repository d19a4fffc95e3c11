"""Mediation figures benchmark: what `storage.mediation.mediation_figures` costs for a month and
for the whole ledger as the history grows (SQLite, the laptop deployment), reported as growth
between sizes measured in the same run (the machine is shared: absolute times are noise).

Each size is a fresh database migrated to head: cases opened at a steady 300 a day ending now,
40% of them with an agreement (a fifth oral), amounts, performance states, confirmations and
follow-up visits drawn from a fixed seed; rows bulk-inserted through the models' tables.

    python bench/mediation_bench.py [--sizes 10000 100000] [--repeats 7]
"""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from storage.db import Database  # noqa: E402
from storage.mediation import mediation_figures  # noqa: E402
from storage.models import Agreement, Case, FollowUp  # noqa: E402

PER_DAY = 300
NOW = datetime(2026, 12, 1, tzinfo=UTC)
ORIGINS = ["applied"] * 6 + ["own_initiative", "police", "court", "government"]


def rows(n: int, rng: random.Random):
    cases, agreements, visits = [], [], []
    for i in range(1, n + 1):
        opened = NOW - timedelta(days=(n - i) / PER_DAY, minutes=rng.randrange(600))
        cases.append(dict(id=i, number=f"JF{i:09d}", intake_key=f"k{i}", type="neighbour", risk="green",
                          risk_reasons=[], status="closed", level="village", place_code=None, channel="web",
                          reporter=f"u{i}", reporter_name="", contact="", parties=[], description="", source="",
                          origin=rng.choice(ORIGINS), media=[], created_at=opened, updated_at=opened))
        if rng.random() < 0.4:
            signed = opened + timedelta(days=rng.randrange(1, 10))
            due = signed + timedelta(days=10)
            performed = rng.random() < 0.8
            agreements.append(dict(id=len(agreements) + 1, case_id=i, number=f"A{i}", form="oral" if rng.random() < 0.2
                                   else "written", facts="", disputes="", responsibility="", terms="t",
                                   amount_fen=rng.randrange(0, 5_000_00), performance_method="", performance_due=due,
                                   committee="", mediator="", signed_at=signed,
                                   performance="performed" if performed else "overdue",
                                   performed_at=due - timedelta(days=rng.randrange(-3, 9)) if performed else None,
                                   confirmation=rng.choice(["none"] * 7 + ["applied", "confirmed", "refused"]),
                                   confirm_court="", confirm_number="", confirm_decided_on="", created_by=""))
            visits.append(dict(case_id=i, agreement_id=len(agreements), due_at=signed + timedelta(days=14),
                               staff_id="", done_at=signed + timedelta(days=15) if rng.random() < 0.9 else None,
                               risk="", reopened=rng.random() < 0.05))
    return cases, agreements, visits


async def measure(n: int, repeats: int, folder: Path) -> dict[str, float]:
    db = Database(f"sqlite+aiosqlite:///{folder / f'm{n}.db'}")
    await db.migrate()
    cases, agreements, visits = rows(n, random.Random(13))
    async with db.session() as s:
        for table, data in ((Case, cases), (Agreement, agreements), (FollowUp, visits)):
            for k in range(0, len(data), 5000):
                await s.execute(insert(table), data[k:k + 5000])
    out = {}
    for label, since in (("month", NOW - timedelta(days=30)), ("all", None)):
        times = []
        for _ in range(repeats):
            async with db.session() as s:
                t = time.perf_counter()
                f = await mediation_figures(s, since=since, until=NOW + timedelta(days=30))
                times.append(time.perf_counter() - t)
        out[label] = statistics.median(times)
        out[label + "_agreements"] = f.agreements
    await db.close()
    return out


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = {n: await measure(n, args.repeats, Path(tmp)) for n in args.sizes}
    base = results[args.sizes[0]]
    print("| cases | agreements in the month | month (ms) | growth | agreements in all | all (ms) | growth |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for n, r in results.items():
        print(f"| {n:,} | {r['month_agreements']:,} | {r['month'] * 1000:.1f} | {r['month'] / base['month']:.2f}× "
              f"| {r['all_agreements']:,} | {r['all'] * 1000:.1f} | {r['all'] / base['all']:.2f}× |")


if __name__ == "__main__":
    asyncio.run(main())
