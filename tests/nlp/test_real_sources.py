"""Every real-text source is one a new machine can fetch again (scripts/build_real_sets.py):
a public repository at a fixed commit. The page excerpts that lived only in a local file were
lost with the machine five times and are retired (nlp/data/real/SOURCES.md)."""
from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_real_sets.py"


def _sources():
    spec = importlib.util.spec_from_file_location("build_real_sets", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module     # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module.SOURCES


def test_every_source_is_a_repository_at_a_fixed_commit():
    sources = _sources()
    assert len(sources) >= 8
    for src in sources:
        assert re.fullmatch(r"[A-Za-z0-9][\w.-]*/[\w.-]+", src.repo), src.name
        assert re.fullmatch(r"[0-9a-f]{40}", src.commit), src.name
        assert src.paths and src.licence, src.name


def test_every_source_is_named_in_sources_md():
    text = (Path(__file__).resolve().parents[2] / "nlp" / "data" / "real" / "SOURCES.md").read_text(encoding="utf-8")
    for src in _sources():
        assert f"## {src.name} " in text and src.commit in text, src.name
