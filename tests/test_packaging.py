"""An installed copy (a wheel, not this checkout) has every file the code reads: the
reading's model and tables, templates, static assets, migrations, the labelled sets
`jiefen nlp train --from-ledger` trains on. A wheel built before this test lacked
nlp/data/chat_model.json, so an installed server could not read a single message."""
from __future__ import annotations

import fnmatch
import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "nlp", "adapters", "storage", "jiefen")


def _patterns() -> list[str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return list(data["tool"]["setuptools"]["package-data"]["*"])


def _packaged(path: str, patterns: list[str]) -> bool:
    """As setuptools reads a pattern of the "*" key: relative to the package holding the file
    (every folder is a package here: namespace packages)."""
    name = path.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(name, p) for p in patterns if "/" not in p) or \
        any(fnmatch.fnmatch(path, f"*/{p}") for p in patterns if "/" in p)


def test_every_file_the_code_reads_is_in_the_package():
    files = subprocess.run(["git", "-C", str(ROOT), "ls-files", *PACKAGES], capture_output=True, text=True,
                           check=True).stdout.split()
    assert any(f == "nlp/data/chat_model.json" for f in files)
    left_out = [f for f in files if not f.endswith((".py", ".md")) and not _packaged(f, _patterns())]
    assert not left_out, f"add their kinds to [tool.setuptools.package-data] in pyproject.toml: " \
                         f"{len(left_out)} files, e.g. {left_out[:8]}"


def test_the_check_itself_sees_a_kind_left_out():
    patterns = [p for p in _patterns() if p != "*.weights"]
    assert not _packaged("nlp/data/chat_model.weights", patterns)
    assert _packaged("nlp/data/chat_model.weights", _patterns())
    assert _packaged("storage/migrations/versions/0001_start.py", _patterns())
