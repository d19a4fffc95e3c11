"""The labelled sets, grouped by who wrote them: one group per chat author (a voice) and
one per real source. Validation leaves one group out at a time (nlp/train.py): random
folds over lines would put an author's phrasing, or a source's register, on both sides.

Lines: type<TAB>risk<TAB>text; '#' comments; type '*' = risk only; risk '?' = the source
does not tell (real texts).
"""
from __future__ import annotations

import os
from pathlib import Path

from nlp.evaluate import DATA_DIR, load_tsv

GEN = DATA_DIR / "gen"
WAYS = DATA_DIR / "ways"
REAL_DATA_ENV = "JIEFEN_REAL_DATA"


def real_dir() -> Path:
    """Where the real-text sets are. They are third-party text (nlp/data/real/SOURCES.md),
    never committed: built by scripts/build_real_sets.py into $JIEFEN_REAL_DATA, or into
    nlp/data/real/ (ignored by git). A checkout without them still reads, trains from the
    chat sets and checks the recorded validation (nlp/data/cv.json)."""
    return Path(os.environ.get(REAL_DATA_ENV) or DATA_DIR / "real")


def chat_groups() -> dict[str, list[Path]]:
    """Every chat set, one group per author (the first two engineers' dev batches are one)."""
    groups = {"dev": [DATA_DIR / "eval_chat_dev.tsv", DATA_DIR / "eval_chat_dev4.tsv"],
              "heldout": [DATA_DIR / "eval_chat_heldout.tsv"],
              "heldout2": [DATA_DIR / "eval_chat_heldout2.tsv"],
              "heldout3": [DATA_DIR / "eval_chat_heldout3.tsv"],
              "heldout4": [DATA_DIR / "eval_chat_heldout4.tsv"]}
    groups.update({p.stem: [p] for p in sorted(GEN.glob("*.tsv"))})
    return groups


def ways_groups() -> dict[str, list[Path]]:
    """The ways of saying a red report (nlp/data/ways/: class by class, register by register,
    with look-alikes; risk only), one group per author. They are evidence that a red cue is
    needed by more than one author (nlp.tiers.choose_tiers), not training lines: written red
    by design (three in four), they would teach the model that a register is a danger."""
    return {p.stem: [p] for p in sorted(WAYS.glob("*.tsv"))}


def real_groups() -> dict[str, list[Path]]:
    """Every real-text source present (nlp/data/real/SOURCES.md); none in a bare checkout."""
    return {p.stem: [p] for p in sorted(real_dir().glob("*.tsv"))}


def law_groups() -> dict[str, list[Path]]:
    """The statute articles (scripts/build_statutes.py), beside the real sets when built:
    the law's own words for each type, trained on in every fold and never scored."""
    return {p.stem: [p] for p in sorted((real_dir() / "statutes").glob("*.tsv"))}


def groups() -> dict[str, list[Path]]:
    return {**chat_groups(), **real_groups()}


def rows(paths) -> list[tuple[str, str, str]]:
    return [r for p in paths for r in load_tsv(p)]
