from pathlib import Path

import pytest

from nlp.places import load_registry
from nlp.understanding import Understanding

REGISTRY = Path(__file__).resolve().parents[2] / "storage" / "demo" / "demo_county.yaml"


@pytest.fixture(scope="session")
def places():
    return load_registry(str(REGISTRY))


@pytest.fixture(scope="session")
def u(places):
    return Understanding(places)
