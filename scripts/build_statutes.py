#!/usr/bin/env python3
"""Write the statute articles the model may learn the law's own words from: articles of the
laws and regulations that govern each dispute type, to $JIEFEN_REAL_DATA/statutes/statutes.tsv
as `type<TAB>?<TAB>article`.

    python scripts/build_statutes.py [--mirror-root /work/.mirror] [--out DIR]

Why: court findings and legal questions are written in the law's words (用人单位, 经济补偿,
相邻关系, 借款合同), which the residents' chat voices seldom use. An article of the Labour
Contract Law is about labour whatever it says. They are knowledge, not an evaluation set:
they are trained on in every fold and never scored (nlp/train.py, kind "law").

The table below maps a law (or a chapter of a code) to a type; a type not named has no
statute. Laws are not subject to copyright in China (Copyright Law, art. 5); the texts are
LawRefBook/Laws' transcriptions. At most PER_TYPE articles a type, taken evenly through its
laws, so that a long regulatory law does not outweigh the rest.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_real_sets import OUT_DIR, clean, git_dir, git_show  # noqa: E402

REPO = "LawRefBook/Laws"
COMMIT = "2f4c5c23716267af9dbebbbbd6cbbf732b101981"
SUBDIR = "statutes"
PER_TYPE = 150
MAX_CHARS = 200

# (file, chapter titles it is restricted to or None for all, type). A code's chapters of
# another type are named under that type, and left out of the code's own row by `except`.
TABLE: list[tuple[str, tuple[str, ...] | None, str]] = [
    ("民法典/婚姻家庭编.md", None, "marriage_family"),
    ("民法典/继承编.md", None, "marriage_family"),
    ("社会法/反家庭暴力法(2015-12-27).md", None, "marriage_family"),
    ("民法典/物权编.md", ("相邻关系",), "neighbour"),
    ("民法典/物权编.md", ("宅基地使用权",), "homestead_housing"),
    ("民法典/物权编.md", ("土地承包经营权",), "land_forest"),
    ("民法典/物权编.md", ("业主的建筑物区分所有权",), "property_mgmt"),
    ("民法商法/农村土地承包法(2018-12-29).md", None, "land_forest"),
    ("诉讼与非诉讼程序法/农村土地承包经营纠纷调解仲裁法(2009-06-27).md", None, "land_forest"),
    ("经济法/森林法(2019-12-28).md", None, "land_forest"),
    ("行政法规/国有土地上房屋征收与补偿条例(2011-01-21).md", None, "land_acquisition"),
    ("民法典/合同编.md", ("借款合同",), "debt"),
    ("司法解释/最高人民法院关于审理民间借贷案件适用法律若干问题的规定(2020-12-29).md", None, "debt"),
    ("民法典/合同编.md", ("合伙合同",), "business"),
    ("民法商法/合伙企业法(2006-08-27).md", None, "business"),
    ("民法典/合同编.md", ("物业服务合同",), "property_mgmt"),
    ("行政法规/物业管理条例(2018-03-19).md", None, "property_mgmt"),
    ("民法典/合同编.md", None, "contract"),
    ("民法典/侵权责任编.md", ("产品责任",), "consumer"),
    ("民法商法/消费者权益保护法(2013-10-25).md", None, "consumer"),
    ("经济法/产品质量法(2018-12-29).md", None, "consumer"),
    ("民法典/侵权责任编.md", ("机动车交通事故责任",), "traffic"),
    ("行政法/道路交通安全法(2021-04-29).md", None, "traffic"),
    ("行政法规/道路交通安全法实施条例(2017-10-07).md", None, "traffic"),
    ("民法典/侵权责任编.md", ("医疗损害责任",), "medical"),
    ("行政法规/医疗纠纷预防和处理条例(2018-07-31).md", None, "medical"),
    ("行政法规/医疗事故处理条例(2002-04-04).md", None, "medical"),
    ("民法典/侵权责任编.md", ("环境污染和生态破坏责任",), "environment"),
    ("行政法/环境保护法(2014-04-24).md", None, "environment"),
    ("行政法/大气污染防治法(2018-10-26).md", None, "environment"),
    ("行政法/水污染防治法(2017-06-27).md", None, "environment"),
    ("行政法/噪声污染防治法(2021-12-24).md", None, "environment"),
    ("民法典/侵权责任编.md", None, "damages"),
    ("社会法/劳动合同法(2012-12-28).md", None, "labour"),
    ("社会法/劳动法(2018-12-29).md", None, "labour"),
    ("诉讼与非诉讼程序法/劳动争议调解仲裁法(2007-12-29).md", None, "labour"),
    ("行政法规/工伤保险条例(2010-12-20).md", None, "labour"),
    ("行政法规/保障农民工工资支付条例(2019-12-30).md", None, "labour"),
]

_CHAPTER = re.compile(r"^#+\s*第[一二三四五六七八九十百零]+章\s*(.+?)\s*$")
_ARTICLE = re.compile(r"^第[一二三四五六七八九十百千零]+条\s*")


def chapters(text: str) -> list[tuple[str, list[str]]]:
    """(chapter title, its articles) in the order of the file; articles before any chapter
    under the title ""."""
    out: list[tuple[str, list[str]]] = [("", [])]
    body = text.split("<!-- INFO END -->", 1)[-1]
    for line in body.splitlines():
        line = line.strip()
        if not line:
            continue
        m = _CHAPTER.match(line)
        if m:
            out.append((m.group(1), []))
        elif line.startswith("#"):
            continue
        elif _ARTICLE.match(line):
            out[-1][1].append(_ARTICLE.sub("", line))
        elif out[-1][1]:
            out[-1][1][-1] += line     # a later paragraph of the same article
    return [(t, arts) for t, arts in out if arts]


def articles(gdir: Path) -> dict[str, list[str]]:
    """Every type's articles, each article once, under the first row of the table that takes it."""
    claimed: set[tuple[str, str, int]] = set()
    by_type: dict[str, list[str]] = {}
    # a code is named by several rows (one per chapter it gives another type): read it once
    parsed = {path: chapters(git_show(gdir, COMMIT, path)) for path in dict.fromkeys(r[0] for r in TABLE)}
    # chapter rows first: a code's row without chapters takes what the others left
    for path, only, typ in sorted(TABLE, key=lambda r: r[1] is None):
        for title, arts in parsed[path]:
            if only is not None and title not in only:
                continue
            for i, a in enumerate(arts):
                if (path, title, i) in claimed:
                    continue
                claimed.add((path, title, i))
                text = clean(a)[:MAX_CHARS]
                if len(text) >= 12:
                    by_type.setdefault(typ, []).append(text)
    return by_type


def evenly(items: list[str], n: int) -> list[str]:
    if len(items) <= n:
        return items
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mirror-root", type=Path, default=Path("/work/.mirror"))
    ap.add_argument("--out", type=Path, default=OUT_DIR)
    args = ap.parse_args(argv)
    gdir = git_dir(args.mirror_root, REPO)
    out = args.out / SUBDIR / "statutes.tsv"
    out.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with out.open("w", encoding="utf-8", newline="\n") as f:
        f.write(f"# statutes: https://github.com/{REPO} @ {COMMIT}\n")
        f.write("# type<TAB>risk<TAB>article; built by scripts/build_statutes.py (its table maps laws to types)\n")
        for typ, arts in sorted(articles(gdir).items()):
            for a in evenly(arts, PER_TYPE):
                f.write(f"{typ}\t?\t{a}\n")
                n += 1
            print(f"{typ}: {min(len(arts), PER_TYPE)} of {len(arts)}")
    print(f"{n} articles -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
