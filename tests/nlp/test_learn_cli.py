import csv
import json
import os
import subprocess
import sys
from pathlib import Path

from nlp.learn import LearnedModel, train_from_csv
from nlp.understanding import Understanding

ROOT = Path(__file__).resolve().parents[2]

ROWS = [
    ("路灯坏了", "晚上没灯很黑", "城建"), ("马路坑洼", "道路破损要修", "城建"), ("路灯不亮", "小区路灯坏", "城建"),
    ("下水道堵", "道路积水", "城建"), ("学校收费", "学校乱收补课费", "教育"), ("老师体罚", "老师打学生", "教育"),
    ("学位不够", "孩子上学难", "教育"), ("学校食堂", "学生吃不饱", "教育"), ("工厂排污", "河水发黑发臭", "环保"),
    ("噪音扰民", "工地夜间施工噪音", "环保"), ("废气", "化工厂排废气刺鼻", "环保"), ("垃圾焚烧", "烧垃圾黑烟", "环保"),
]


def write_csv(path):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "title", "detail", "label"])
        for i, (t, d, l) in enumerate(ROWS):
            w.writerow([i, t, d, l])


def test_train_tiny_csv(tmp_path):
    p = tmp_path / "cases.csv"
    write_csv(p)
    rep = train_from_csv(str(p), ["title", "detail"], "label", str(tmp_path / "m"))
    assert rep["rows"] == 12 and set(rep["labels"]) == {"城建", "教育", "环保"}
    assert (tmp_path / "m" / "model.json").exists() and (tmp_path / "m" / "keywords.yaml").exists()
    m = LearnedModel.load(tmp_path / "m")
    assert m.predict("学校老师乱收费") == "教育"
    u = Understanding(model_dir=tmp_path / "m")
    r = u.read("化工厂排放废气，河水发臭，电话13812345678")
    assert r.type == "环保" and r.phones == ("13812345678",)
    assert 0 <= r.confidence <= 1 and r.runner_up in {"城建", "教育"}


def _run(args, stdin):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "nlp.cli", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120)


def test_cli_classify_json_contract():
    p = _run(["classify", "--json"], "干了半年活老板一分钱没给\n我是柳林村的，楼上那家天天半夜拖椅子，电话13812345678\n\n拿着刀说要砍人\n")
    assert p.returncode == 0, p.stderr
    lines = [json.loads(l) for l in p.stdout.splitlines()]
    assert len(lines) == 4
    for d in lines:
        for k in ("type", "confidence", "risk", "places", "phones", "runner_up", "evidence", "risk_reasons",
                  "money", "people"):
            assert k in d
    assert lines[0]["type"] == "labour"
    assert lines[1]["type"] == "neighbour" and lines[1]["phones"] == ["13812345678"]
    assert lines[1]["places"][0]["code"] == "DX01"
    assert lines[2]["type"] == "none"
    assert lines[3]["risk"] == "red"
    # the reason names the words behind it; a model version for the ledger
    assert lines[3]["risk_reasons"][0].startswith("暴力或暴力威胁：“") and "砍人" in lines[3]["risk_reasons"][0]
    assert all(d["ask_safety"] is False for d in lines)
    assert len({d["model_version"] for d in lines}) == 1 and len(lines[0]["model_version"]) >= 8


def test_cli_classify_for_people():
    p = _run(["classify"], "拿着刀说要砍人\n")
    assert p.returncode == 0, p.stderr
    assert "类型：" in p.stdout and "风险：红色（暴力或暴力威胁：“" in p.stdout
    assert not p.stdout.lstrip().startswith("{")


def test_cli_classify_texts_given_as_arguments():
    """`jiefen classify 他拿刀说要砍人 "物业费涨了"`: one reading per argument, stdin not read."""
    p = _run(["classify", "--json", "拿着刀说要砍人", "物业费又涨了"], "这一行不读\n")
    assert p.returncode == 0, p.stderr
    lines = [json.loads(l) for l in p.stdout.splitlines()]
    assert [d["text"] for d in lines] == ["拿着刀说要砍人", "物业费又涨了"]
    assert lines[0]["risk"] == "red" and lines[1]["type"] == "property_mgmt"


def test_cli_train_then_classify_with_model(tmp_path):
    p = tmp_path / "cases.csv"
    write_csv(p)
    t = _run(["nlp", "train", "--input", str(p), "--text", "title", "--text", "detail", "--label", "label",
              "--out", str(tmp_path / "m")], "")
    assert t.returncode == 0, t.stderr
    c = _run(["classify", "--json", "--model", str(tmp_path / "m")], "学校老师打学生\n")
    assert c.returncode == 0, c.stderr
    assert json.loads(c.stdout)["type"] == "教育"


def test_cli_report():
    p = _run(["nlp", "report", "--part", "dev"], "")
    assert p.returncode == 0, p.stderr
    assert "type accuracy" in p.stdout and "red recall" in p.stdout
