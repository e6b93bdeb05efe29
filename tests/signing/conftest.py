"""Fixtures: the W3C vectors, an issuer with one key (``tests/signing/issuer.py``), and a
credential with status entries."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.signing.issuer import Issuer, achievement_credential

VECTORS = Path(__file__).parent / "vectors"


@pytest.fixture(scope="session")
def vector() -> Callable[[str], str]:
    """The exact text of a vector file, e.g. ``vector("eddsa-jcs-2022/canonDocJCS.txt")``."""
    return lambda name: (VECTORS / name).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def vector_json(vector: Callable[[str], str]) -> Callable[[str], Any]:
    return lambda name: json.loads(vector(name))


@pytest.fixture(scope="session")
def vectors_dir() -> Path:
    return VECTORS


@pytest.fixture
def issuer() -> Issuer:
    """An issuer with one key, ``key-1``, valid from 2024-01-01 with no end."""
    body = Issuer()
    body.add_key("key-1", seed=1, validFrom="2024-01-01T00:00:00Z")
    return body


@pytest.fixture
def credential() -> dict[str, Any]:
    return achievement_credential(status_indexes={"revocation": 94567, "suspension": 23452})
