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


def _module() -> Any:
    path = Path(__file__).resolve().parent.parent / "bench" / "eval_dev.py"
    spec = importlib.util.spec_from_file_location("eval_dev", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _evaluate(task: str) -> dict[str, Any]:
    result: dict[str, Any] = _module().evaluate_text_task(SHARED, task)
    return result


def test_inline_junk_goes_and_article_stays() -> None:
    res = _evaluate("inline")
    assert res["recall"] >= 0.995
    assert res["junk_removed"] >= 0.80


def test_glued_text_is_split_and_cleaned() -> None:
    res = _evaluate("glued")
    assert res["recall"] >= 0.99
    assert res["junk_removed"] >= 0.75


def test_cuts_at_glue_never_change_clean_text() -> None:
    assert _module().false_split_rate(SHARED)["per_10k"] <= 1.0


def test_flat_widgets_go_and_article_stays() -> None:
    res = _evaluate("flat")
    assert res["recall"] >= 0.99
    assert res["junk_removed"] >= 0.80
