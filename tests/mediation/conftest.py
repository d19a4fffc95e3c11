"""The mediation record runs on the staff side (WeCom app): these contexts have it."""
from __future__ import annotations

import pytest

from jiefen.testing import make_context
from tests.staff.conftest import WECOM


@pytest.fixture
async def ctx(tmp_path, clock):
    context = await make_context(tmp_path, clock=clock, **WECOM)
    yield context
    await context.close()
