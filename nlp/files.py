"""Reading the understanding layer's data files."""
from __future__ import annotations

from pathlib import Path

import yaml

DATA_DIR = Path(__file__).with_name("data")
# libyaml's parser when the installed PyYAML has it: the data files load ~10x faster
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: str | Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_LOADER) or {}
