"""`jiefen nlp train --from-ledger`: staff corrections in the ledger teach the chat model.

The ledger is a real SQLite database made by the project's migrations and models; the
"shipped" data is a small TSV so that the pure-Python trainer (no scikit-learn in CI)
runs in seconds.
"""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from nlp.ledger import read_corrections, retrain, split_recent
from nlp.train import Line, train
from nlp.understanding import Understanding

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)

BASE = [
    ("labour", "green", "干了半年活老板一分钱没给"), ("labour", "green", "工地包工头拖欠我们三个月工资"),
    ("labour", "yellow", "厂里不发工资还扣押金"), ("labour", "green", "老板跑了工钱没结"),
    ("neighbour", "green", "楼上天天半夜拖椅子吵得睡不着"), ("neighbour", "green", "隔壁家的狗天天叫"),
    ("neighbour", "yellow", "对门把杂物堆在楼道里"), ("neighbour", "green", "楼上漏水到我家"),
    ("debt", "green", "他借了我两万块钱一直不还"), ("debt", "green", "欠条写好了到期不还钱"),
    ("debt", "yellow", "朋友借钱不还还把我拉黑了"), ("debt", "green", "借给亲戚五千块要不回来"),
    ("none", "green", "你好"), ("none", "green", "谢谢你们"), ("none", "green", "我的案子怎么样了"),
    ("none", "green", "今天天气真好"),
    ("labour", "red", "老板不给工资我就从楼顶跳下去"), ("neighbour", "red", "隔壁拿着菜刀说要砍死我"),
]
# corrections the county made: charging piles in the compound are the property company's
# business (a type the "shipped" data above does not know)
PILES = ["小区充电桩坏了半个月没人修", "充电桩的电费收得比外面贵", "物业说充电桩不归他们管",
         "业主群里都在说充电桩的事", "地下车库充电桩被人占着", "充电桩半夜还在响", "充电桩一直跳闸修不好",
         "充电桩旁边堆满杂物", "新装的充电桩收费不透明", "充电桩扫码付不了钱"]


def write_tsv(path: Path, rows) -> Path:
    path.write_text("".join(f"{t}\t{r}\t{x}\n" for t, r, x in rows), encoding="utf-8")
    return path


async def make_ledger(url: str) -> None:
    from storage.db import Database
    from storage.models import Case, CaseEvent
    db = Database(url)
    await db.migrate()
    async with db.session() as s:
        for i, text in enumerate(PILES):
            at = T0 + timedelta(days=i)
            case = Case(number=f"JF2611{i:02d}-001", intake_key=f"k{i}", type="neighbour", risk="green",
                        channel="web", reporter=f"u{i}", description=text, created_at=at, updated_at=at)
            s.add(case)
            await s.flush()
            actor = "staff:w1" if i % 2 else "console:c1"
            s.add(CaseEvent(case_id=case.id, at=at + timedelta(hours=1), kind="corrected", actor=actor,
                            data={"field": "type", "before": "neighbour", "after": "property_mgmt",
                                  "reason": "充电桩归物业管"}))
            # not labels: a place correction, and a row no person made
            s.add(CaseEvent(case_id=case.id, at=at + timedelta(hours=2), kind="corrected", actor=actor,
                            data={"field": "place", "before": "DX01", "after": "DX02", "reason": ""}))
            s.add(CaseEvent(case_id=case.id, at=at + timedelta(hours=3), kind="corrected", actor="bot",
                            data={"field": "type", "before": "property_mgmt", "after": "debt", "reason": ""}))
        # a risk correction with its reason: the centre saw a threat the bot missed
        at = T0 + timedelta(days=20)
        case = Case(number="JF261121-001", intake_key="kr", type="neighbour", risk="yellow", channel="web",
                    reporter="ur", description="他说今晚带人来收拾我全家", created_at=at, updated_at=at)
        s.add(case)
        await s.flush()
        s.add(CaseEvent(case_id=case.id, at=at, kind="corrected", actor="console:c2",
                        data={"field": "risk", "before": "yellow", "after": "red", "reason": "有明确威胁"}))
    await db.close()


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    d = tmp_path_factory.mktemp("ledger")
    url = f"sqlite+aiosqlite:///{d / 'jiefen.db'}"
    asyncio.run(make_ledger(url))
    base = write_tsv(d / "base.tsv", BASE)
    # the model in use before: the same kind of model, trained on the base alone
    u = Understanding()
    lines = [Line("base", "chat", t, r == "red", u._normalize(x)) for t, r, x in BASE]
    before = d / "before"
    train(lines, {"C": 10.0, "min_df": 1}, backend="python").save(before / "chat_model.json")
    return url, base, before, d


def test_corrections_are_read_from_the_ledger(ledger):
    url, *_ = ledger
    cs = asyncio.run(read_corrections(url))
    assert len(cs) == len(PILES) + 1
    # the last correction by a person counts; the bot's own row and the place do not
    assert {c.type for c in cs[:-1]} == {"property_mgmt"} and all(c.risk is None for c in cs[:-1])
    assert cs[-1].risk == "red" and cs[-1].type is None and cs[-1].reasons == ("有明确威胁",)
    assert [c.at for c in cs] == sorted(c.at for c in cs)
    older, recent = split_recent(cs, 0.3)
    assert len(recent) == 3 and recent[-1] is cs[-1] and older[-1].at <= recent[0].at


def test_retrain_learns_the_corrections_and_says_so(ledger, tmp_path):
    url, base, before, _ = ledger
    out = tmp_path / "model"
    rep = retrain(url, out, holdout=0.3, base=[base], before_dir=before, backend="python", log=lambda s: None)
    # kept aside: the two newest charging-pile cases and the threat
    assert rep["kept_aside"] == 3 and rep["trained_on_corrections"] == len(PILES) - 2
    b, a = rep["before"], rep["after"]
    assert b["type_n"] == a["type_n"] == 2
    assert b["type_correct"] == 0          # the old model has no property_mgmt at all
    assert a["type_correct"] == 2
    assert a["model_version"] != b["model_version"]
    u = Understanding(model_dir=out)
    assert u.read("小区的充电桩又坏了").type == "property_mgmt"
    meta = json.loads((out / "chat_model.json").read_text(encoding="utf-8"))["meta"]
    assert meta["ledger"]["corrections"] == len(PILES) - 2 and "jiefen.db" in meta["ledger"]["url"]


def test_cli_from_ledger(ledger, tmp_path):
    url, base, before, _ = ledger
    env = dict(os.environ, PYTHONPATH=str(ROOT), JIEFEN_DATABASE_URL=url)
    p = subprocess.run([sys.executable, "-m", "jiefen.cli", "nlp", "train", "--from-ledger", "--base", str(base),
                        "--before", str(before), "--backend", "python", "--holdout", "0.3", "--out",
                        str(tmp_path / "m")], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert p.returncode == 0, p.stderr
    assert "| before (" in p.stdout and "| after (" in p.stdout and "0/2" in p.stdout and "2/2" in p.stdout
    assert (tmp_path / "m" / "chat_model.json").exists()
