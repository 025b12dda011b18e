"""The development evaluation set (``../shared/eval``): the numbers each issue promises.

Skipped on a clone without ``../shared``.  ``bench/eval_dev.py`` prints the full table.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from .conftest import SHARED

pytestmark = pytest.mark.skipif(not (SHARED / "eval" / "dev").is_dir(), reason="no ../shared/eval")


def _evaluate(task: str) -> dict[str, Any]:
    path = Path(__file__).resolve().parent.parent / "bench" / "eval_dev.py"
    spec = importlib.util.spec_from_file_location("eval_dev", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result: dict[str, Any] = module.evaluate_text_task(SHARED, task)
    return result


def test_inline_junk_goes_and_article_stays() -> None:
    res = _evaluate("inline")
    assert res["recall"] >= 0.995
    assert res["junk_removed"] >= 0.80
