#!/usr/bin/env python3
"""Write the news headlines the headline test learns from: every THUCNews title of the
development and test files (20,000, ten categories, society included) to
$JIEFEN_REAL_DATA/headlines/thucnews_titles.tsv, as `category<TAB>title`.

    python scripts/build_headlines.py [--mirror-root /work/.mirror] [--out DIR]

The real sets (scripts/build_real_sets.py) hold 150 of these titles as `none` rows; the
headline test needs thousands, and all ten categories: a society headline is the one that
reads like a report of a fight. They live in a subfolder, so they are not one more real set.
Same snapshot, commit and licence as the real set `thucnews_titles` (nlp/data/real/SOURCES.md).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_real_sets import OUT_DIR, SOURCES, clean, git_dir, git_show  # noqa: E402

SUBDIR = "headlines"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mirror-root", type=Path, default=Path("/work/.mirror"))
    ap.add_argument("--out", type=Path, default=OUT_DIR)
    args = ap.parse_args(argv)
    src = next(s for s in SOURCES if s.name == "thucnews_titles")
    gdir = git_dir(args.mirror_root, src.repo)
    classes = git_show(gdir, src.commit, "THUCNews/data/class.txt").split()
    seen: set[str] = set()
    out = args.out / SUBDIR / "thucnews_titles.tsv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="\n") as f:
        for path in src.paths:
            for line in git_show(gdir, src.commit, path).splitlines():
                if "\t" not in line:
                    continue
                title, idx = line.rsplit("\t", 1)
                title = clean(title)
                if title and title not in seen:
                    seen.add(title)
                    f.write(f"{classes[int(idx)]}\t{title}\n")
    print(f"{len(seen)} titles -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
