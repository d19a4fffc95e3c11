"""Speed of the understanding layer on short chat messages.

Reports, in the same run: texts/second of `jieba.lcut` alone and of `Understanding.read`
on the same texts (the chat eval sets), their ratio (target ≤ 2), the start-up time of
building an `Understanding` (demo registry), and memory (tracemalloc peak during
construction, process RSS).

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


def _texts() -> list[str]:
    from nlp.evaluate import PARTS, load_tsv
    return [t for p in PARTS["all"] for _, _, t in load_tsv(p)]


def _best(fn, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def run(rounds: int = 5, model: str | None = None) -> dict:
    import jieba
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    from nlp.cli import _load_places
    from nlp.understanding import Understanding

    texts = _texts()
    places = _load_places(None)

    tracemalloc.start()
    t0 = time.perf_counter()
    u = Understanding(places, model_dir=model)
    startup = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    u.read("预热")  # first call: lazy caches (OpenCC tables, learned model's tokenizer)
    t_jieba = _best(lambda: [jieba.lcut(t) for t in texts], rounds)
    t_read = _best(lambda: [u.read(t) for t in texts], rounds)
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    n = len(texts)
    return {
        "texts": n, "avg_chars": round(sum(map(len, texts)) / n, 1),
        "jieba_lcut_per_s": round(n / t_jieba), "read_per_s": round(n / t_read),
        "jieba_us": round(t_jieba / n * 1e6, 1), "read_us": round(t_read / n * 1e6, 1),
        "ratio_read_to_jieba": round(t_read / t_jieba, 2),
        "startup_s": round(startup, 3), "startup_peak_mb": round(peak / 2**20, 1),
        "max_rss_mb": round(rss_kb / 1024, 1), "model": model or "built-in",
    }


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
