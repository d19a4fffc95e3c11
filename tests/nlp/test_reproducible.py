"""A reading is the same in every process, and the shipped model is not replaced by a weaker
one by accident."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEXTS = ["楼上漏水到我家天花板都泡了", "养猪场的臭味熏得人睡不着，河里的鱼也死了", "隔壁拿着菜刀说要砍死我",
         "地边的树被他砍了还占了我家的地", "宅基底被邻居占了一米", "骑摩托被小车撞了肇事司机跑了"]
READ = ("import json,sys; from nlp.understanding import Understanding; u=Understanding(); "
        "print(json.dumps([[r.type, r.risk, r.ask_safety, list(r.evidence), list(r.risk_reasons)] "
        "for r in map(u.read, json.loads(sys.argv[1]))], ensure_ascii=False))")


def _read_in_process(seed: str) -> list:
    env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(ROOT))
    p = subprocess.run([sys.executable, "-c", READ, json.dumps(TEXTS, ensure_ascii=False)], capture_output=True,
                       text=True, cwd=ROOT, env=env, timeout=120)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def test_the_same_reading_whatever_the_hash_seed():
    # string hashing differs between processes: the evidence shown to people (and written
    # to the ledger) must not follow a set's order
    a, b = _read_in_process("1"), _read_in_process("2")
    assert a == b
    assert any(len(r[3]) > 1 for r in a)          # there is an order to keep


def test_write_refuses_without_the_real_sets(tmp_path):
    model = ROOT / "nlp" / "data" / "chat_model.json"
    before = model.read_bytes()
    env = dict(os.environ, JIEFEN_REAL_DATA=str(tmp_path), PYTHONPATH=str(ROOT))
    p = subprocess.run([sys.executable, "-m", "nlp.train", "write"], capture_output=True, text=True, cwd=ROOT,
                       env=env, timeout=120)
    assert p.returncode == 2 and "--chat-only" in p.stderr
    assert model.read_bytes() == before
