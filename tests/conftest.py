"""Shared fixtures: the raw seed documents (kept raw here, whatever happens to seeds/)."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
RAW_SEEDS = sorted((FIXTURES / "raw").glob("*.txt"))
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


@pytest.fixture
def raw_seeds(tmp_path: Path) -> Path:
    """A fresh copy of the raw seed documents in a folder of their own."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for f in RAW_SEEDS:
        (folder / f.name).write_bytes(f.read_bytes())
    return folder


def seed_text(prefix: str) -> str:
    """The raw text of the seed whose file name starts with ``prefix``."""
    return next(f for f in RAW_SEEDS if f.name.startswith(prefix)).read_text("utf-8")
