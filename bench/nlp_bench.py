"""Speed of the understanding layer.

Reports, in the same run: texts/second of `jieba.lcut` alone and of `Understanding.read`
on the same texts, their ratio (target <= 1.5), for the chat sets and for all labelled
texts (chat and real); the start-up time (building an `Understanding` with the demo
registry and reading one text; target <= 1.5 s); memory (tracemalloc peak while building
another one, process RSS).

    python bench/nlp_bench.py [--rounds 5] [--model DIR]
"""
from __future__ import annotations

import argparse
import gc
import json
import logging
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _texts(part: str) -> list[str]:
    from nlp.evaluate import load_tsv, parts
    return [t for p in parts()[part] for _, _, t in load_tsv(p)]


def _best(fn, rounds: int) -> float:
    # CPU time of this thread: other processes on the shared machine take the cores in
    # turns, and wall time would count their turns as ours
    best = float("inf")
    for _ in range(rounds):
        gc.collect()
        t0 = time.thread_time()
        fn()
        best = min(best, time.thread_time() - t0)
    return best


def run(rounds: int = 5, model: str | None = None) -> dict:
    import jieba
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    from nlp.cli import _load_places
    from nlp.understanding import Understanding

    places = _load_places(None)
    t0 = time.perf_counter()
    u = Understanding(places, model_dir=model)
    u.read("楼上天天半夜拖椅子")
    startup = time.perf_counter() - t0

    tracemalloc.start()
    Understanding(places, model_dir=model)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    out = {"startup_s": round(startup, 3), "startup_peak_mb": round(peak / 2**20, 1), "model": model or "built-in"}
    for part in ("chat", "all"):
        texts = _texts(part)
        # interleaved rounds (the machine is shared): the best time of each, and the median
        # of the per-round ratios
        tj, tr = [], []
        for _ in range(rounds):
            tj.append(_best(lambda texts=texts: [jieba.lcut(t) for t in texts], 1))
            tr.append(_best(lambda texts=texts: [u.read(t) for t in texts], 1))
        t_jieba, t_read = min(tj), min(tr)
        ratios = sorted(r / j for r, j in zip(tr, tj, strict=False))
        n = len(texts)
        out[part] = {"texts": n, "avg_chars": round(sum(map(len, texts)) / n, 1),
                     "jieba_us": round(t_jieba / n * 1e6, 1), "read_us": round(t_read / n * 1e6, 1),
                     "ratio_read_to_jieba": round(t_read / t_jieba, 2),
                     "median_round_ratio": round(ratios[len(ratios) // 2], 2)}
    out["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--model", default=None)
    args = ap.parse_args()
    r = run(args.rounds, args.model)
    print(json.dumps(r, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
