"""The page excerpts' recipe (scripts/real_pages_recipe.py): an excerpt recorded from a
collector's lines is cut again from search answers, exactly, with no text kept in the recipe."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import yaml

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "real_pages_recipe.py"


def _module():
    spec = importlib.util.spec_from_file_location("real_pages_recipe", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


PAGES = {
    "https://example.org/a": "标题\n张三与李四是邻居。李四家空调外机正对张三卧室窗户，噪音很大。双方协商不成。调解员上门。",
    "https://example.org/b": "王某向村委反映：他家承包的三亩责任田被邻组村民占用，要求退还。村委答复正在核实。",
}


def _lines(tmp_path: Path) -> Path:
    rows = [
        {"kind": "mediation", "label": "neighbour", "url": "https://example.org/a", "query": "空调外机 噪音 调解",
         "source_excerpt": PAGES["https://example.org/a"], "text": "李四家空调外机正对张三卧室窗户，噪音很大。"},
        {"kind": "board", "label": "land_forest", "risk": "red", "url": "https://example.org/b", "query": "责任田 占用",
         "source_excerpt": PAGES["https://example.org/b"], "text": "他家承包的三亩责任田被邻组村民占用，要求退还。"},
        # not a piece of its page's text (a collector's slip): left out, not guessed
        {"kind": "board", "label": "other", "url": "https://example.org/b", "query": "责任田 占用",
         "source_excerpt": PAGES["https://example.org/b"], "text": "村委答复已经解决了。"},
        # the same text twice: kept once
        {"kind": "court", "label": "neighbour", "url": "https://example.org/a", "query": "空调",
         "source_excerpt": PAGES["https://example.org/a"], "text": "李四家空调外机正对张三卧室窗户，噪音很大。"},
    ]
    p = tmp_path / "reader.jsonl"
    p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return p


def test_recipe_keeps_no_text_and_rebuilds_the_same_excerpts(tmp_path):
    mod = _module()
    lines = _lines(tmp_path)
    recipe = tmp_path / "recipe.json"
    assert mod.record([lines], recipe) == 0
    kept = json.loads(recipe.read_text(encoding="utf-8"))
    assert len(kept) == 2
    assert "正对张三卧室" not in recipe.read_text(encoding="utf-8")    # no text, only where it sits
    assert kept[1]["risk"] == "red" and "risk" not in kept[0]

    collected = tmp_path / "collected.yaml"
    mod.write_yaml([lines], collected)

    # the corpus answers a query with the page's text; a page given with a longer head than the
    # collector copied is still cut right (the piece is found by its hash)
    answers = tmp_path / "answers.jsonl"
    answers.write_text("".join(json.dumps({"query": q, "results": [{"url": u, "excerpt": head + PAGES[u]}]},
                                          ensure_ascii=False) + "\n"
                               for q, u, head in [("空调外机 噪音 调解", "https://example.org/a", ""),
                                                  ("责任田 占用", "https://example.org/b", "【来信】")]),
                       encoding="utf-8")
    rebuilt = tmp_path / "rebuilt.yaml"
    assert mod.rebuild([answers], recipe, rebuilt) == 0
    assert rebuilt.read_bytes() == collected.read_bytes()
    entries = yaml.safe_load(rebuilt.read_text(encoding="utf-8"))
    assert [e["text"] for e in entries] == ["李四家空调外机正对张三卧室窗户，噪音很大。", "他家承包的三亩责任田被邻组村民占用，要求退还。"]


def test_rebuild_says_what_it_could_not_cut(tmp_path):
    mod = _module()
    recipe = tmp_path / "recipe.json"
    mod.record([_lines(tmp_path)], recipe)
    answers = tmp_path / "answers.jsonl"
    # page a changed (the excerpt is gone), page b not answered at all
    answers.write_text(json.dumps({"query": "x", "results": [{"url": "https://example.org/a", "excerpt": "页面已更新"}]},
                                  ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "rebuilt.yaml"
    assert mod.rebuild([answers], recipe, out) == 1
    assert yaml.safe_load(out.read_text(encoding="utf-8")) == []


def test_queries_name_the_pages_each_finds(tmp_path, capsys):
    mod = _module()
    recipe = tmp_path / "recipe.json"
    mod.record([_lines(tmp_path)], recipe)
    capsys.readouterr()
    mod.queries(recipe)
    got = json.loads(capsys.readouterr().out)
    assert got == [{"query": "空调外机 噪音 调解", "finds": ["https://example.org/a"]},
                   {"query": "责任田 占用", "finds": ["https://example.org/b"]}]


def test_the_committed_recipe_is_well_formed():
    rows = json.loads(SCRIPT.with_name("real_pages_recipe.json").read_text(encoding="utf-8"))
    assert len(rows) > 500
    for r in rows:
        assert set(r) <= {"kind", "label", "risk", "url", "query", "start", "length", "sha256"}
        assert r["kind"] in ("court", "mediation", "board", "complaint", "question")
        assert len(r["sha256"]) == 64 and r["length"] >= 10 and r["start"] >= 0
