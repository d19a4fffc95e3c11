#!/usr/bin/env python3
"""Rebuild the real-text sets (*.tsv in $JIEFEN_REAL_DATA, default nlp/data/real/) from
snapshots of public repositories.

Every labelled line the classifier learned from used to be synthetic.  This
script turns a few public Chinese corpora into `type<TAB>risk<TAB>text` rows
for the 16 dispute types + `none`, so that training and validation can see
real text.  Each source is read from a git snapshot (a bare or normal
repository under MIRROR_ROOT, as brought by the search tool's `fetch`), at a
fixed commit, so the output is reproducible byte for byte.

    python scripts/build_real_sets.py [--mirror-root /work/.mirror] [--out DIR] [--only NAME] [--show N]

The sets are third-party text and are never committed: they are written to --out
(default $JIEFEN_REAL_DATA, else nlp/data/real/, which git ignores).

The mapping from each source's own labels to ours is data (SOURCES below);
labels that do not map cleanly to one of our types are dropped, and the
reason is written in nlp/data/real/SOURCES.md (committed).  Sources without labels of
their own were labelled by reading each row: the labels live in
real_sets_labels.yaml beside this script (lawyer-llama questions).  Every source is
fetched: five sets of web-page excerpts, which no script could fetch again, were retired in
December 2026 (nlp/data/real/SOURCES.md).  Public corpora reserved for
evaluation (CAIL, LawBench, CLUE/FewCLUE and the toutiao set behind TNEWS,
TipDM 2020) are never read here.

Only the standard library and PyYAML (a project dependency) are used.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import re
import subprocess
import sys
import unicodedata
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

SEED = "jiefen-realdata-1"
CAP = 150  # rows per (source, type)
MAX_CHARS = 300
# The real sets are third-party text: they live outside git, in the folder named by
# JIEFEN_REAL_DATA (default nlp/data/real/, ignored by git).
OUT_DIR = Path(os.environ.get("JIEFEN_REAL_DATA") or Path(__file__).resolve().parent.parent / "nlp" / "data" / "real")

TYPES = (
    "marriage_family neighbour homestead_housing land_forest land_acquisition contract debt "
    "business damages environment labour medical traffic property_mgmt consumer other none"
).split()


# --------------------------------------------------------------------------- git access


def git_dir(mirror_root: Path, repo: str) -> Path:
    base = mirror_root / repo.replace("/", "+") / "repo"
    return base / ".git" if (base / ".git").is_dir() else base


def git_blob(gdir: Path, commit: str, path: str) -> bytes:
    return subprocess.run(
        ["git", f"--git-dir={gdir}", "show", f"{commit}:{path}"],
        check=True, capture_output=True,
    ).stdout


def git_show(gdir: Path, commit: str, path: str) -> str:
    out = git_blob(gdir, commit, path)
    try:
        return out.decode("utf-8-sig")
    except UnicodeDecodeError:  # older Chinese CSVs are GBK
        return out.decode("gb18030", errors="replace")


def git_ls(gdir: Path, commit: str, prefix: str) -> list[str]:
    out = subprocess.run(
        ["git", f"--git-dir={gdir}", "ls-tree", "-r", "--name-only", "-z", commit, prefix],
        check=True, capture_output=True,
    ).stdout.decode("utf-8")
    return [p for p in out.split("\0") if p]


# --------------------------------------------------------------------------- cleaning

_WS = re.compile(r"\s+")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def clean(text: str) -> str:
    """One line, whitespace collapsed, at most MAX_CHARS characters."""
    text = unicodedata.normalize("NFC", text or "")
    text = text.replace("\u3000", " ").replace("\xa0", " ")
    text = _WS.sub(" ", text).strip()
    if len(text) > MAX_CHARS:
        cut = text[:MAX_CHARS]
        # end on a sentence boundary when one is near, so a row reads as a whole
        end = max(cut.rfind(p) for p in "。；！？!?;")
        text = cut[: end + 1] if end >= MAX_CHARS * 0.6 else cut
    return text


def cjk_count(text: str) -> int:
    return len(_CJK.findall(text))


# --------------------------------------------------------------------------- sources


@dataclass
class Row:
    label: str  # the source's own label
    text: str
    risk: str = "?"


@dataclass
class Source:
    name: str
    repo: str
    commit: str
    paths: list[str]
    licence: str
    reader: Callable[["Source", Path], Iterator[Row]]
    mapping: dict[str, str]  # source label -> our type; a missing label is dropped
    default_risk: str = "?"
    min_cjk: int = 4
    max_chars: int | None = None  # if set, longer texts are dropped rather than cut
    # for sources that map everything to one type, spread the cap over source labels
    stratify: bool = False
    # how a row's source label is looked up in `mapping` (default: as it is)
    key: Callable[[str], str] = field(default=lambda label: label)


def read_thucnews(src: Source, gdir: Path) -> Iterator[Row]:
    classes = git_show(gdir, src.commit, "THUCNews/data/class.txt").split()
    for path in src.paths:
        for line in git_show(gdir, src.commit, path).splitlines():
            if "\t" not in line:
                continue
            title, idx = line.rsplit("\t", 1)
            yield Row(classes[int(idx)], title, "green")


def read_chatterbot(src: Source, gdir: Path) -> Iterator[Row]:
    for path in git_ls(gdir, src.commit, src.paths[0]):
        if not path.endswith(".yml"):
            continue
        doc = yaml.safe_load(git_show(gdir, src.commit, path)) or {}
        topic = Path(path).stem
        for conv in doc.get("conversations") or []:
            for turn in conv:
                if isinstance(turn, str):
                    yield Row(topic, turn, "green")


def read_car_complaints(src: Source, gdir: Path) -> Iterator[Row]:
    for path in src.paths:
        reader = csv.DictReader(io.StringIO(git_show(gdir, src.commit, path)))
        for rec in reader:
            text = (rec.get("desc") or "").strip()
            if text:
                yield Row("car_complaint", text)


def read_muser_sentences(src: Source, gdir: Path) -> Iterator[Row]:
    for path in src.paths:
        for rec in json.loads(git_show(gdir, src.commit, path)):
            yield Row("民间借贷纠纷", rec["sentence"])


# A negative delivery review is a consumer grievance only when it says what went wrong with
# the order or the shop's handling of it; "味道一般" is an opinion, not a dispute.
WAIMAI_GRIEVANCE = re.compile(
    r"退款|退钱|钱也不退|投诉|客服|骗|少送|漏送|送错|没送到|没有送|不送了|多收|乱收|赔|差价|发票"
)


def review_row(label: str | None, text: str, kind: str = "") -> Row:
    """A review: positive (green), negative with a grievance word, or negative without one
    (the mappings drop it: an opinion, not a dispute); `kind` is added to the label."""
    text = text.strip()
    if label == "1":
        return Row("positive" + kind, text, "green")
    return Row(("negative_grievance" if WAIMAI_GRIEVANCE.search(text) else "negative_other") + kind, text, "?")


def read_waimai(src: Source, gdir: Path) -> Iterator[Row]:
    for path in src.paths:
        for rec in csv.DictReader(io.StringIO(git_show(gdir, src.commit, path))):
            yield review_row(rec.get("label"), rec.get("review") or "")


def read_shopping(src: Source, gdir: Path) -> Iterator[Row]:
    """online_shopping_10_cats: a zip holding one CSV (cat, label, review); the label
    carries the product category so that the cap is spread over the ten of them."""
    for path in src.paths:
        with zipfile.ZipFile(io.BytesIO(git_blob(gdir, src.commit, path))) as z:
            text = z.read(z.namelist()[0]).decode("utf-8-sig")
        for rec in csv.DictReader(io.StringIO(text)):
            yield review_row(rec.get("label"), rec.get("review") or "", f":{rec.get('cat') or '?'}")


_FACT_HEADINGS = ("基本案情", "案情回顾", "简要案情", "案情简介")


def lawrefbook_key(label: str) -> str:
    """<folder>/<case title> -> <folder>/<first 10 hex of the title's SHA-1>."""
    import hashlib
    folder, _, title = label.partition("/")
    return f"{folder}/{hashlib.sha1(title.encode()).hexdigest()[:10]}"


def read_lawrefbook_cases(src: Source, gdir: Path) -> Iterator[Row]:
    """Court-published typical cases: the facts section of each case, labelled by file."""
    for path in git_ls(gdir, src.commit, src.paths[0]):
        if not path.endswith(".md") or path.endswith("_index.md"):
            continue
        sections: dict[str, list[str]] = defaultdict(list)
        head = "_"
        body = git_show(gdir, src.commit, path).split("<!-- INFO END -->", 1)[-1]
        for line in body.splitlines():
            if line.startswith("## "):
                head = line[3:].strip()
                continue
            if line.strip():
                sections[head].append(line.strip())
        facts = next((sections[h] for h in _FACT_HEADINGS if sections.get(h)), None)
        if facts is None:
            facts = sections.get("_") or next(iter(sections.values()), [])
        label = path[len(src.paths[0]):].rsplit(".", 1)[0]
        yield Row(label, " ".join(facts))


LABELS_FILE = Path(__file__).resolve().parent / "real_sets_labels.yaml"
_LAWYER_LLAMA_FILES = {
    "la": ("data/legal_advice.json", "instruction"),
    "zx": ("data/zixun_gpt4.json", "query"),
    "lc": ("data/legal_counsel_with_article_v2.json", "query"),
}


def read_lawyer_llama(src: Source, gdir: Path) -> Iterator[Row]:
    """Real consultation questions (PKU open data, 66law.cn users), labelled by reading.

    The repository's answers were written by ChatGPT and are ignored; only the user's question is
    kept.  Each labelled question is keyed `<file prefix>:<index>` in real_sets_labels.yaml.
    """
    labels = yaml.safe_load(LABELS_FILE.read_text(encoding="utf-8"))[src.name]
    wanted = {key: ours for ours, keys in labels.items() for key in keys}
    for prefix, (path, field_name) in _LAWYER_LLAMA_FILES.items():
        for i, item in enumerate(json.loads(git_show(gdir, src.commit, path))):
            if isinstance(item, list):  # legal_advice.json wraps each record in a list
                item = item[0]
            ours = wanted.get(f"{prefix}:{i}")
            if ours:
                yield Row(ours, item.get(field_name) or "")


SOURCES: list[Source] = [
    Source(
        name="thucnews_titles",
        repo="649453932/Chinese-Text-Classification-Pytorch",
        commit="6cb26819af7b646275aff8a4693676f2849e67f6",
        paths=["THUCNews/data/dev.txt", "THUCNews/data/test.txt"],
        licence="MIT (repository LICENSE); the titles come from THUCNews (Sina news, THU NLP lab)",
        reader=read_thucnews,
        mapping={
            "finance": "none", "realty": "none", "stocks": "none", "education": "none",
            "science": "none", "politics": "none", "sports": "none", "game": "none",
            "entertainment": "none",
            # "society" dropped: its headlines are often reports of quarrels, fights and
            # lawsuits, i.e. text that reads exactly like a dispute.
        },
        default_risk="green",
        stratify=True,
    ),
    Source(
        name="chatterbot_zh",
        repo="gunthercox/chatterbot-corpus",
        commit="a01efece26661309b870af0251d96f94ee09fb19",
        paths=["chatterbot_corpus/data/chinese/"],
        licence="BSD-3-Clause (license.md)",
        reader=read_chatterbot,
        mapping={t: "none" for t in (
            "ai botprofile conversations emotion food gossip greetings history humor "
            "literature money movies poem politics psychology science sports trivia").split()},
        default_risk="green",
        min_cjk=2,
        max_chars=60,  # drops the long translated jokes (one narrates a beating) - not chit-chat
        stratify=True,
    ),
    Source(
        name="car_complaints_12365auto",
        repo="lxz0503/study_20190608",
        commit="74efbf067f3b2c144c3c340bf0573f9129b8239f",
        paths=["Data_Analysis/1月4日-训练营Day1-资料(74)/1月4日-训练营Day1-资料/爬虫代码/car_complain.csv"],
        licence="none stated in the repository; rows are complaint titles scraped from the public "
                "12365auto.com complaint board",
        reader=read_car_complaints,
        mapping={"car_complaint": "consumer"},
    ),
    Source(
        name="muser_lending",
        repo="THUlawtech/MUSER",
        commit="085d223034ab82d55070a9f457ad6060aca045ef",
        paths=["src/experiments/label_pred/all_test_sent_data_zy.json"],
        licence="MIT (repository LICENSE)",
        reader=read_muser_sentences,
        mapping={"民间借贷纠纷": "debt"},
        min_cjk=20,
    ),
    Source(
        name="waimai_reviews",
        repo="SophonPlus/ChineseNlpCorpus",
        commit="a0b781d72158bde242c0626c9e354d2b328865ff",
        paths=["datasets/waimai_10k/waimai_10k.csv"],
        licence="none stated in the repository (README lists the corpus for research use); "
                "reviews collected from a food-delivery platform",
        reader=read_waimai,
        mapping={"positive": "none", "negative_grievance": "consumer"},
        # "negative_other" dropped: a bare opinion about taste or speed is not a dispute.
    ),
    Source(
        name="shopping_reviews",
        repo="SophonPlus/ChineseNlpCorpus",
        commit="a0b781d72158bde242c0626c9e354d2b328865ff",
        paths=["datasets/online_shopping_10_cats/online_shopping_10_cats.zip"],
        licence="none stated in the repository (README lists the corpus for research use); "
                "reviews of ten product kinds (tablets, fruit, shampoo, clothes, hotels, books, "
                "computers, phones, milk, water heaters) from shopping platforms",
        reader=read_shopping,
        mapping={"positive": "none", "negative_grievance": "consumer"},
        key=lambda label: label.split(":")[0],
        stratify=True,
        # as for the delivery reviews: a negative opinion without a grievance word is no dispute
    ),
    Source(
        name="lawrefbook_cases",
        repo="LawRefBook/Laws",
        commit="2f4c5c23716267af9dbebbbbd6cbbf732b101981",
        paths=["案例/"],
        licence="none stated in the repository; the texts are typical cases published by the "
                "Supreme People's Court, MOHRSS and local courts",
        reader=read_lawrefbook_cases,
        # keyed by <folder>/<sha1 of the case title, 10 hex> (the titles are the source's text and are
        # not copied here); the folder and the cause of action in the title decided (SOURCES.md table)
        key=lawrefbook_key,
        mapping={
            # 劳动人事
            "劳动人事/6269f34aa7": "labour",
            "劳动人事/24d0c0fc87": "labour",
            "劳动人事/4d86f33fd0": "labour",
            "劳动人事/974db9e2c9": "labour",
            "劳动人事/028a5616b9": "labour",
            "劳动人事/2526155e15": "labour",
            "劳动人事/dbf2762b2c": "labour",
            "劳动人事/dbddf092c3": "labour",
            "劳动人事/7e03fa26f4": "labour",
            "劳动人事/31e68bae10": "labour",
            # 民法典 (a contract-for-work case whose facts are about enforcement is dropped)
            "民法典/5355f2ec95": "marriage_family",  # a printed will
            "民法典/fe9b932924": "marriage_family",  # a marriage annulled for a concealed illness
            "民法典/a69b37721f": "marriage_family",  # statutory inheritance
            "民法典/74fc6d2c2c": "marriage_family",  # marriage and family
            "民法典/99f8c7ae4f": "damages",  # an object fell from a building (property damage)
            "民法典/a16452dc6a": "damages",  # hurt in a sports activity
            "民法典/ae98560139": "traffic",  # a free ride's accident
            "民法典/608d70190f": "debt",  # a bank loan
            "民法典/859e128608": "medical",  # a hospital's service contract
            # 消费购物
            "消费购物/88a1707a10": "consumer",
            "消费购物/93527a8488": "consumer",
            "消费购物/dba563b69c": "consumer",
            "消费购物/f816403983": "consumer",
            "消费购物/977c123cdc": "consumer",
            "消费购物/3a730c513c": "consumer",
            "消费购物/5e3a3e3578": "consumer",
            "消费购物/420e8bd662": "consumer",
            "消费购物/e1ca694669": "consumer",
            "消费购物/0d6fee8d8f": "consumer",
            "消费购物/378680e207": "consumer",
            "消费购物/add0b1cd7b": "consumer",
            "消费购物/022074cd9e": "consumer",
            "消费购物/7d3397ff5e": "consumer",
            "消费购物/f3a6299c86": "consumer",
            # 行政协议诉讼
            "行政协议诉讼/a79f1fdc49": "land_acquisition",
            "行政协议诉讼/b0aa97ad60": "land_acquisition",
            "行政协议诉讼/fa7d535e97": "land_acquisition",
            "行政协议诉讼/587ffb94e7": "land_acquisition",
            "行政协议诉讼/be8519f2e2": "land_acquisition",
        },
        min_cjk=20,
    ),
    Source(
        name="lawyer_llama_questions",
        repo="AndrewZhe/lawyer-llama",
        commit="abaa09586081b82ceb7b0a9f41d05a68897b24ee",
        paths=[p for p, _ in _LAWYER_LLAMA_FILES.values()],
        licence="Apache-2.0 (repository LICENSE); the questions were taken by the repository from the "
                "PKU open research data set of 66law.cn consultations (doi:10.18170/DVN/OLO4G8)",
        reader=read_lawyer_llama,
        # the reader already yields our types (labels given by reading, real_sets_labels.yaml)
        mapping={t: t for t in TYPES if t != "none"},
    ),
]


# --------------------------------------------------------------------------- build


def sample(rows: list[Row], key: str, cap: int, stratify: bool) -> list[Row]:
    rng = random.Random(f"{SEED}:{key}")
    rows = sorted(rows, key=lambda r: (r.label, r.text))
    if len(rows) <= cap:
        return rows
    if not stratify:
        return sorted(rng.sample(rows, cap), key=lambda r: (r.label, r.text))
    by_label: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        by_label[r.label].append(r)
    for lst in by_label.values():
        rng.shuffle(lst)
    out: list[Row] = []
    labels = sorted(by_label)
    i = 0
    while len(out) < cap:  # round robin over labels so small labels are not crowded out
        lst = by_label[labels[i % len(labels)]]
        if lst:
            out.append(lst.pop())
        i += 1
        if not any(by_label.values()):
            break
    return sorted(out, key=lambda r: (r.label, r.text))


def build_source(src: Source, mirror_root: Path) -> tuple[list[tuple[str, str, str]], dict]:
    gdir = git_dir(mirror_root, src.repo)
    seen: set[str] = set()
    per_type: dict[str, list[Row]] = defaultdict(list)
    stats = Counter()
    for row in src.reader(src, gdir):
        stats["read"] += 1
        ours = src.mapping.get(src.key(row.label))
        if ours is None:
            stats[f"dropped:{row.label}"] += 1
            continue
        text = clean(row.text)
        if cjk_count(text) < src.min_cjk:
            stats["too_short"] += 1
            continue
        if src.max_chars and len(row.text.strip()) > src.max_chars:
            stats["too_long"] += 1
            continue
        if text in seen:
            stats["duplicate"] += 1
            continue
        seen.add(text)
        per_type[ours].append(Row(row.label, text, row.risk or src.default_risk))
    out = []
    for t in sorted(per_type):
        assert t in TYPES, t
        for r in sample(per_type[t], f"{src.name}:{t}", CAP, src.stratify):
            out.append((t, r.risk, r.text, r.label))
    stats["available"] = sum(len(v) for v in per_type.values())
    return out, dict(stats)


def write_tsv(src: Source, rows, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{src.name}.tsv"
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write(f"# {src.name}: https://github.com/{src.repo} @ {src.commit}\n")
        f.write("# type<TAB>risk<TAB>text; built by scripts/build_real_sets.py, see SOURCES.md\n")
        for t, risk, text, _label in rows:
            f.write(f"{t}\t{risk}\t{text}\n")
    return path


def main(argv: Iterable[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mirror-root", type=Path, default=Path("/work/.mirror"))
    ap.add_argument("--out", type=Path, default=OUT_DIR,
                    help="folder of the real sets (default: $JIEFEN_REAL_DATA or nlp/data/real)")
    ap.add_argument("--only", action="append", help="build only these sources")
    ap.add_argument("--show", type=int, default=0, help="print N random rows per type for reading")
    args = ap.parse_args(list(argv) if argv is not None else None)

    for src in SOURCES:
        if args.only and src.name not in args.only:
            continue
        rows, stats = build_source(src, args.mirror_root)
        path = write_tsv(src, rows, args.out)
        counts = Counter(t for t, *_ in rows)
        print(f"{src.name}: {len(rows)} rows -> {path}")
        print("  per type:", dict(sorted(counts.items())))
        print("  stats:", stats)
        if args.show:
            rng = random.Random(f"show:{src.name}")
            by_t = defaultdict(list)
            for t, _risk, text, label in rows:
                by_t[t].append((label, text))
            for t, lst in sorted(by_t.items()):
                print(f"  --- {t}")
                for label, text in rng.sample(lst, min(args.show, len(lst))):
                    print(f"    [{label}] {text[:160]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
