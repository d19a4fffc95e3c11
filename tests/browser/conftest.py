"""Real pages in a real browser: Debian's chromium driven by Playwright for Python (its own
browser download is not available here, so `executable_path` points at the package's binary).
`scripts/test` installs chromium when it is missing; screenshots go to JIEFEN_SCREENSHOTS (or
the test's temporary folder) to be looked at."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
# what a headless Chromium needs on a closed machine: no sandbox as root, no calls home
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
async def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("JIEFEN_REQUIRE_SERVERS") == "1":
            pytest.fail("chromium is required here but not installed")
        pytest.skip("chromium not installed (scripts/test installs it)")
    from playwright.async_api import async_playwright
    async with async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        await b.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("JIEFEN_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
