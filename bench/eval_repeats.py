"""Choose CE001's ``min_pages`` on half of the sites of ``web/`` and report it on the other half.

    python bench/eval_repeats.py [--task inline] [--pages 2 3 4 5]

The pages of ``../shared/eval/web/TASK`` are split by site (the host of their ``url``: even or odd
hash), so that no site is in both halves.  For each half, every candidate ``min_pages`` is scored
with CE001 alone (``--select CE``, the table counted over that half): the one that removes the
most junk while it loses no more article sentences than 0.5 per 1000 and keeps recall within
0.002 of the text left as it is is chosen there, and reported on the other half.

Run on 2026-12-02: half 0 chooses 3, which on half 1 (held out) keeps recall at 0.9832 (0.9871 as
it is), removes 0.084 of the junk and loses no article sentence; half 1 finds no value within the
recall bound (every value costs it 0.0022 to 0.0064 of recall).  CE001 ships with 3.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import xxhash

sys.path.insert(0, str(Path(__file__).resolve().parent))
import eval_dev

from cleaner.corpus import Repeats
from cleaner.pipeline import Cleaner
from cleaner.ruleset.model import RepeatRule
from cleaner.settings import Settings

MAX_PROSE_LOST = 0.5
MAX_RECALL_DROP = 0.002


def half_of(url: str | None) -> int:
    """0 or 1 by the site's host; pages without a url go to half 0 (they count corpus-wide)."""
    host = urlsplit(url).hostname if url else None
    return xxhash.xxh64_intdigest(host.encode()) % 2 if host else 0


def score(records: dict[str, Any], min_pages: int | None) -> dict[str, float]:
    """CE001 alone with this ``min_pages`` (None: the text as it is) on ``records``, scored."""
    scorer = eval_dev.load_scorer(eval_dev.DEFAULT_SHARED)

    if min_pages is None:
        out = {rid: {"id": rid, "text": r["text"]} for rid, r in records.items()}
    else:
        cleaner = Cleaner(Settings(select=("CE",)), Repeats().add_all(eval_dev.documents(records)))
        cleaner._repeat_rules = tuple(replace(r, min_pages=min_pages) for r in cleaner._repeat_rules)
        assert all(isinstance(r, RepeatRule) for r in cleaner._repeat_rules)
        out = {d.id: {"id": d.id, "text": cleaner.clean(d).text} for d in eval_dev.documents(records)}
    res = scorer.text_scores(records, out)
    return {k: float(res[k]) for k in ("recall", "junk_removed", "prose_lost_per_1000")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--task", default="inline")
    parser.add_argument("--pages", type=int, nargs="+", default=[2, 3, 4, 5])
    args = parser.parse_args()
    scorer = eval_dev.load_scorer(eval_dev.DEFAULT_SHARED)
    records = scorer.read(str(eval_dev.task_path(eval_dev.DEFAULT_SHARED, args.task, "web")))
    halves = [{k: r for k, r in records.items() if half_of(r.get("url")) == h} for h in (0, 1)]
    table: list[dict[str, Any]] = []
    for h, part in enumerate(halves):
        base = score(part, None)
        for k in args.pages:
            table.append({"half": h, "min_pages": k, **score(part, k), "base_recall": base["recall"]})
    print(f"{'half':>4} {'pages':>5} {'recall':>8} {'junk':>7} {'prose lost':>10}")
    for row in table:
        print(
            f"{row['half']:>4} {row['min_pages']:>5} {row['recall']:8.4f} {row['junk_removed']:7.4f} "
            f"{row['prose_lost_per_1000']:10.2f}"
        )
    for fit in (0, 1):
        ok = [
            r
            for r in table
            if r["half"] == fit
            and r["prose_lost_per_1000"] <= MAX_PROSE_LOST
            and r["base_recall"] - r["recall"] <= MAX_RECALL_DROP
        ]
        if not ok:
            print(f"half {fit}: no value keeps prose and recall")
            continue
        best = max(ok, key=lambda r: (r["junk_removed"], -r["min_pages"]))
        held = next(r for r in table if r["half"] == 1 - fit and r["min_pages"] == best["min_pages"])
        print(
            f"chosen on half {fit}: min_pages {best['min_pages']}; on half {1 - fit} (held out): recall "
            f"{held['recall']:.4f} (as is {held['base_recall']:.4f}), junk {held['junk_removed']:.4f}, "
            f"prose lost {held['prose_lost_per_1000']:.2f} per 1000"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
