"""Dispute-code (解纷码) scans: one append-only row per scan or page open, whatever the channel,
so `jiefen codes` counts them from any process and with any state store. A channel's retry of
the same event has the same key and is stored once; no user id is stored."""
from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.db import Database
from storage.lifecycle import Result
from storage.models import Case, CodeScan
from storage.registry import Registry
from storage.sql import rowcount

RESOLVED = ("resolved", "closed")
SETTLED = and_(Case.status.in_(RESOLVED), or_(Case.result.is_(None), Case.result == Result.SETTLED))


async def record_scan(db: Database, channel: str, code: str, event_id: str, kind: str, at: datetime) -> bool:
    """Store one scan of `code`; False when this event (channel + event id) was stored before."""
    digest = hashlib.sha256(f"{channel}|{event_id}".encode()).hexdigest()[:64]
    insert = pg_insert if db.dialect == "postgresql" else sqlite_insert
    stmt = (insert(CodeScan).values(dedupe_key=digest, code=code[:64], channel=channel[:32], kind=kind[:16], at=at)
            .on_conflict_do_nothing(index_elements=[CodeScan.dedupe_key]))
    async with db.session() as s:
        res = await s.execute(stmt)
    return rowcount(res) == 1


async def code_counts(db: Database, registry: Registry) -> list[dict[str, Any]]:
    """Per code: scans, applications (cases opened from it) and settled cases (化解), success rate."""
    async with db.session() as s:
        rows = (await s.execute(select(Case.source, func.count(), func.sum(case((SETTLED, 1), else_=0)))
                                .where(Case.source != "").group_by(Case.source))).all()
        scanned = dict((await s.execute(select(CodeScan.code, func.count()).group_by(CodeScan.code))).all())
    by_code = {src: (int(n), int(r or 0)) for src, n, r in rows}
    out = []
    for code in sorted(set(by_code) | set(scanned)):
        applications, resolved = by_code.get(code, (0, 0))
        out.append({"code": code, "place": registry.full_name(code) or code, "scans": int(scanned.get(code, 0)),
                    "applications": applications, "resolved": resolved,
                    "success_rate": round(resolved / applications, 3) if applications else None})
    return out
