"""The county teaches the reading: staff corrections in the ledger become training lines.

A correction is a ledger row (`case_events`) of kind `corrected`, made by a person
(`staff:<id>` from the staff command, `console:<id>` from the centre's console), with
`data = {"field": "type" | "risk" | "place", "before": ..., "after": ..., "reason": ...}`.
The text is the case's description. A case's line takes the last correction of each
field: its type when the type was corrected, its risk (red or not) when the risk was;
a field nobody corrected teaches nothing (the bot's own reading is no label).

`retrain` keeps the most recent corrected cases aside (by the time of their last
correction), trains the chat model on the shipped sets plus the older corrections, reads
the kept-aside cases with the model in use before and with the new one, and writes the
new model to a folder the service loads with `JIEFEN_NLP_MODEL_DIR` (see README).
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from nlp.reading import DISPUTE_TYPES, NOT_A_DISPUTE, RISK_COLOURS
from storage.lifecycle import EventKind

CORRECTED = EventKind.CORRECTED
TYPES = set(DISPUTE_TYPES) | {NOT_A_DISPUTE}


@dataclass(frozen=True)
class Correction:
    case_id: int
    at: datetime                  # the case's last correction
    text: str                     # the case's description
    type: str | None              # the corrected type, or None when nobody corrected it
    risk: str | None              # the corrected colour, or None
    actors: tuple[str, ...]
    reasons: tuple[str, ...]


async def read_corrections(url: str) -> list[Correction]:
    """Every corrected case in the ledger at `url` (a SQLAlchemy URL, e.g. the
    JIEFEN_DATABASE_URL setting), oldest correction first."""
    from sqlalchemy import select

    from storage.db import Database
    from storage.models import Case, CaseEvent
    db = Database(url)
    try:
        async with db.session() as s:
            q = (select(CaseEvent.case_id, CaseEvent.at, CaseEvent.actor, CaseEvent.data, Case.description)
                 .join(Case, Case.id == CaseEvent.case_id)
                 .where(CaseEvent.kind == CORRECTED)
                 .order_by(CaseEvent.at, CaseEvent.id))
            rows = (await s.execute(q)).all()
    finally:
        await db.close()
    cases: dict[int, dict] = {}
    for case_id, at, actor, data, text in rows:
        data = data or {}
        # corrections come from people; an automatic row is no label
        if not str(actor or "").startswith(("staff:", "console:")):
            continue
        c = cases.setdefault(case_id, {"at": at, "text": text or "", "type": None, "risk": None,
                                       "actors": [], "reasons": []})
        c["at"] = max(c["at"], at)
        field, after = data.get("field"), str(data.get("after") or "")
        if field == "type" and after in TYPES:
            c["type"] = after
        elif field == "risk" and after in RISK_COLOURS:
            c["risk"] = after
        else:
            continue
        c["actors"].append(str(actor))
        if data.get("reason"):
            c["reasons"].append(str(data["reason"]))
    out = [Correction(cid, c["at"], c["text"], c["type"], c["risk"], tuple(c["actors"]), tuple(c["reasons"]))
           for cid, c in cases.items() if (c["type"] or c["risk"]) and c["text"].strip()]
    return sorted(out, key=lambda c: (c.at, c.case_id))


def split_recent(corrections: Sequence[Correction], fraction: float, least: int = 1) -> tuple[list, list]:
    """(older, most recent): the newest `fraction` of the corrected cases (at least
    `least` when there are two or more) kept aside."""
    n = len(corrections)
    k = max(least if n >= 2 else 0, round(n * fraction))
    return list(corrections[:n - k]), list(corrections[n - k:])


def score(understanding, cases: Sequence[Correction]) -> dict:
    """How a reading does on corrected cases: type accuracy where the type was corrected,
    red recall and non-red read as red where the risk was."""
    t_ok = t_n = tp = red = fp = neg = 0
    for c in cases:
        r = understanding.read(c.text)
        if c.type is not None:
            t_n += 1
            t_ok += r.type == c.type
        if c.risk is not None:
            if c.risk == "red":
                red += 1
                tp += r.risk == "red"
            else:
                neg += 1
                fp += r.risk == "red"
    return {"type_n": t_n, "type_correct": t_ok, "red": red, "red_found": tp, "non_red": neg, "false_red": fp}


def retrain(url: str, out_dir: str | Path, *, holdout: float = 0.2, ledger_weight: float = 3.0,
            base: Sequence[str | Path] | None = None, before_dir: str | Path | None = None,
            backend: str = "auto", log=print) -> dict:
    """Train on the shipped sets (or the TSV files in `base`) plus the older corrections,
    compare with the model in use (`before_dir`, default the shipped one) on the most
    recent corrections, and write `out_dir/chat_model.json`."""
    from nlp.chat_model import LinearModel
    from nlp.corpus import rows as read_rows
    from nlp.train import Line, load_lines, train
    from nlp.understanding import CHAT_MODEL, DATA_DIR, Understanding

    corrections = asyncio.run(read_corrections(url))
    if not corrections:
        raise SystemExit("no staff corrections in the ledger: nothing to learn")
    older, recent = split_recent(corrections, holdout)
    u_before = Understanding(model_dir=before_dir)
    norm = u_before._normalize
    if base:
        lines = [Line(Path(p).stem, "chat", None if t == "*" else t, None if r == "?" else r == "red", norm(x))
                 for p in base for t, r, x in read_rows([Path(p)])]
    else:
        lines = load_lines(norm)
        if not any(l.kind == "real" for l in lines):
            # the shipped model learned real texts too: the new one will not have
            log("note: no real-text sets here (JIEFEN_REAL_DATA, nlp/data/real/SOURCES.md): the new model learns "
                "the chat sets and the corrections only, and may read court-style or formal texts worse than "
                "the shipped one")
    for c in older:
        lines.append(Line("ledger", "ledger", c.type, None if c.risk is None else c.risk == "red", norm(c.text)))
    current = LinearModel.load(Path(before_dir) / CHAT_MODEL if before_dir and (Path(before_dir) / CHAT_MODEL).exists()
                               else DATA_DIR / CHAT_MODEL)
    cfg = dict(current.meta.get("config") or {})
    cfg["ledger_w"] = ledger_weight
    since = f" (corrected from {recent[0].at:%Y-%m-%d %H:%M} on)" if recent else ""
    log(f"{len(corrections)} corrected cases: training on {len(lines) - len(older)} shipped lines and the "
        f"{len(older)} older corrections; the {len(recent)} most recent{since} kept aside")
    model = train(lines, cfg, backend=backend,
                  meta={"trained_on": sorted({l.group for l in lines if l.group != "ledger"}),
                        "ledger": {"url": _safe_url(url), "corrections": len(older), "kept_aside": len(recent),
                                   "until": older[-1].at.isoformat() if older else None}})
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model.save(out / CHAT_MODEL)
    u_after = Understanding(model_dir=out)
    before, after = score(u_before, recent), score(u_after, recent)
    report = {"corrections": len(corrections), "trained_on_corrections": len(older), "kept_aside": len(recent),
              "before": {"model_version": u_before.model_version, **before},
              "after": {"model_version": u_after.model_version, **after}, "written": str(out / CHAT_MODEL)}
    log(format_report(report))
    return report


def format_report(rep: dict) -> str:
    def line(name, d):
        t = f"{d['type_correct']}/{d['type_n']}" + (f" = {d['type_correct'] / d['type_n']:.3f}" if d["type_n"] else "")
        r = f"{d['red_found']}/{d['red']}"
        f = f"{d['false_red']}/{d['non_red']}"
        return f"| {name} ({d['model_version']}) | {t} | {r} | {f} |"
    return "\n".join([f"on the {rep['kept_aside']} most recent corrected cases (kept aside):",
                      "| model | type right | red found | non-red read as red |", "| --- | --- | --- | --- |",
                      line("before", rep["before"]), line("after", rep["after"]),
                      f"wrote {rep['written']}"])


def _safe_url(url: str) -> str:
    """The URL without its password (it goes into the model file)."""
    try:
        from sqlalchemy.engine import make_url
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # pragma: no cover
        return "?"


def main_train(args) -> int:
    """`jiefen nlp train --from-ledger`: the database and the model in use from the
    service's settings (handed over by the command line above this layer) unless given."""
    import os
    settings = args.settings_of(args) if getattr(args, "settings_of", None) else None
    url = args.database_url or (settings.database_url if settings else os.environ.get("JIEFEN_DATABASE_URL"))
    if not url:
        raise SystemExit("nlp train --from-ledger: which ledger? --database-url or JIEFEN_DATABASE_URL")
    before = args.before or (settings.nlp_model_dir if settings else os.environ.get("JIEFEN_NLP_MODEL_DIR")) or None
    rep = retrain(url, args.out, holdout=args.holdout, base=args.base or None, before_dir=before,
                  backend=args.backend)
    if args.json:
        print(json.dumps(rep, ensure_ascii=False, indent=1))
    return 0
