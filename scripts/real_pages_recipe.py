#!/usr/bin/env python3
"""Keep the page excerpts of the real sets recoverable without keeping their text in git.

The five `*_pages` sets are excerpts of web pages stored in the search tool's `pages` corpus;
the excerpts themselves are third-party text and live only in `raw/pages_excerpts.yaml` beside
the sets, outside git.  Four times that file was lost with the machine it lived on, and four
times the sets were collected again by reading, each time a different sample.  This script
makes a collection reproducible: the recipe (scripts/real_pages_recipe.json, committed) keeps,
for each excerpt, its page's address, a query that finds the page, the label given by reading,
and where the excerpt sits in the text the corpus returns for that page (offset, length,
SHA-256) — no text.  The corpus returns the same text for a page whatever the query (the page
from its beginning), so the excerpts can be cut again exactly.

    # after a collection: readers' JSON lines (kind, label, risk?, url, query, source_excerpt, text)
    python scripts/real_pages_recipe.py record READERS.jsonl... [--recipe FILE]
    python scripts/real_pages_recipe.py write-yaml READERS.jsonl... --out DIR/raw/pages_excerpts.yaml

    # on a new machine: the queries to run (one search each, corpus "pages")
    python scripts/real_pages_recipe.py queries > queries.json
    # then save each search's JSON answer, one per line, as {"query": Q, "results": [...]}
    python scripts/real_pages_recipe.py rebuild SEARCH_ANSWERS.jsonl --out DIR/raw/pages_excerpts.yaml

`rebuild` writes the entries in the recipe's order and says which could not be cut again (a
page missing from the answers, or the excerpt no longer in its text: the hash tells, looked for
at the recorded offset and then anywhere in the page); the build
(scripts/build_real_sets.py) then gives the same rows as the collection did.

Only the standard library and PyYAML are used.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import yaml

RECIPE = Path(__file__).with_name("real_pages_recipe.json")
KINDS = ("court", "mediation", "board", "complaint", "question")


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def find_piece(whole: str, start: int, length: int, digest: str) -> str | None:
    """The piece of a page's text with this hash: at `start` first, else anywhere (the collector's
    copy of the page may differ from the corpus by a character before the piece)."""
    for i in [start, *range(0, max(0, len(whole) - length) + 1)]:
        piece = whole[i:i + length]
        if len(piece) == length and sha(piece) == digest:
            return piece
    return None


def read_jsonl(paths: list[Path]) -> list[dict[str, Any]]:
    out = []
    for p in paths:
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise SystemExit(f"{p}:{n}: {e}") from None
    return out


def collected(paths: list[Path]) -> list[dict[str, Any]]:
    """Readers' entries checked and deduplicated by text (first one kept), in file order."""
    seen: set[str] = set()
    entries = []
    for e in read_jsonl(paths):
        text, whole = e.get("text", ""), e.get("source_excerpt", "")
        if e.get("kind") not in KINDS or not text or text in seen:
            continue
        start = whole.find(text)
        if start < 0:
            print(f"not a piece of its page's text, left out: {e.get('url')} {text[:30]}", file=sys.stderr)
            continue
        seen.add(text)
        entries.append({**e, "start": start})
    return entries


def record(paths: list[Path], recipe: Path) -> int:
    rows = []
    for e in collected(paths):
        row = {"kind": e["kind"], "label": e["label"], "url": e["url"], "query": e["query"],
               "start": e["start"], "length": len(e["text"]), "sha256": sha(e["text"])}
        if e.get("risk") == "red":
            row["risk"] = "red"
        rows.append(row)
    recipe.write_text("[\n" + ",\n".join(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in rows)
                      + "\n]\n", encoding="utf-8")
    print(f"{len(rows)} excerpts -> {recipe}")
    return 0


def yaml_entries(entries: list[dict[str, Any]]) -> str:
    keep = []
    for e in entries:
        row = {"kind": e["kind"], "label": e["label"], "url": e["url"], "text": e["text"]}
        if e.get("risk") == "red":
            row["risk"] = "red"
        keep.append(row)
    return str(yaml.safe_dump(keep, allow_unicode=True, sort_keys=False, width=10_000))


def write_yaml(paths: list[Path], out: Path) -> int:
    entries = collected(paths)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml_entries(entries), encoding="utf-8")
    print(f"{len(entries)} excerpts -> {out}")
    return 0


def queries(recipe: Path) -> int:
    rows = json.loads(recipe.read_text(encoding="utf-8"))
    by_query: dict[str, list[str]] = {}
    for r in rows:
        urls = by_query.setdefault(r["query"], [])
        if r["url"] not in urls:
            urls.append(r["url"])
    json.dump([{"query": q, "finds": urls} for q, urls in by_query.items()], sys.stdout,
              ensure_ascii=False, indent=1)
    print()
    return 0


def rebuild(answers: list[Path], recipe: Path, out: Path) -> int:
    pages: dict[str, str] = {}
    for a in read_jsonl(answers):
        for r in a.get("results", []):
            pages.setdefault(r["url"], r["excerpt"])
    entries, missing, changed = [], 0, 0
    for r in json.loads(recipe.read_text(encoding="utf-8")):
        whole = pages.get(r["url"])
        if whole is None:
            missing += 1
            continue
        text = find_piece(whole, r["start"], r["length"], r["sha256"])
        if text is None:
            changed += 1
            continue
        entries.append({**r, "text": text})
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml_entries(entries), encoding="utf-8")
    print(f"{len(entries)} excerpts -> {out}; {missing} pages not in the answers, {changed} changed")
    return 0 if not (missing or changed) else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--recipe", type=Path, default=RECIPE)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("record", help="write the recipe from readers' JSON lines")
    p.add_argument("files", type=Path, nargs="+")
    p = sub.add_parser("write-yaml", help="write raw/pages_excerpts.yaml from readers' JSON lines")
    p.add_argument("files", type=Path, nargs="+")
    p.add_argument("--out", type=Path, required=True)
    sub.add_parser("queries", help="print the queries that find the recipe's pages")
    p = sub.add_parser("rebuild", help="cut the excerpts again from saved search answers")
    p.add_argument("files", type=Path, nargs="+")
    p.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    if args.cmd == "record":
        return record(args.files, args.recipe)
    if args.cmd == "write-yaml":
        return write_yaml(args.files, args.out)
    if args.cmd == "queries":
        return queries(args.recipe)
    return rebuild(args.files, args.recipe, args.out)


if __name__ == "__main__":
    sys.exit(main())
