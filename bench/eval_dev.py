"""Score the cleaner on the development evaluation set in ``../shared/eval`` (if it is there).

    python bench/eval_dev.py [TASK ...] [--set dev|web] [--no-repeats] [--shared PATH] [--json]

Each task file's records are cleaned with the default rules and scored with the set's own
scorer (``score.py``), so the numbers are the ones its README compares against.  Exits 0 with a
note when the evaluation set is absent (a fresh clone without ``../shared``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from cleaner.corpus import Repeats
from cleaner.document import Document
from cleaner.pipeline import Cleaner, clean_stream
from cleaner.settings import Settings

DEFAULT_SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
TEXT_TASKS = ("inline", "glued", "flat", "lead")


def load_scorer(shared: Path) -> ModuleType:
    """Import the evaluation set's ``score.py`` as a module."""
    spec = importlib.util.spec_from_file_location("dev_score", shared / "eval" / "score.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def task_path(shared: Path, task: str, evalset: str = "dev") -> Path:
    """The file of a task of an evaluation set (``web`` ships gzipped)."""
    plain = shared / "eval" / evalset / f"{task}.jsonl"
    return plain if plain.exists() else plain.with_suffix(".jsonl.gz")


def documents(records: dict[str, Any]) -> Iterator[Document]:
    """The task's records as documents that keep their ``url`` (as a crawler's records do), for CE001."""
    for rid, r in records.items():
        yield Document(rid, r["text"], record={"url": r["url"]} if r.get("url") else None)


def evaluate_text_task(
    shared: Path, task: str, jobs: int = 1, evalset: str = "dev", repeats: bool = True, settings: Settings | None = None
) -> dict[str, Any]:
    """Clean every record of a text task and score the output.

    Records keep their ``url`` (as a crawler's records do), so that the corpus evidence (CE001)
    counts per site; ``repeats=False`` cleans each page alone.
    """
    scorer = load_scorer(shared)
    records = scorer.read(str(task_path(shared, task, evalset)))

    table = Repeats().add_all(documents(records)) if repeats else None
    cleaned = clean_stream(documents(records), settings or Settings(), jobs=jobs, repeats=table)
    out = {d.id: {"id": d.id, "text": d.text} for d in cleaned}
    result: dict[str, Any] = scorer.text_scores(records, out)
    return result


def false_split_rate(shared: Path) -> dict[str, float]:
    """Clean the clean article text (the gold of ``inline`` and ``lead``) and count the tokens that
    cuts at run-together text (RP001) changed: removed with a piece, or a line break inserted."""
    scorer = load_scorer(shared)
    cleaner = Cleaner(Settings())
    tokens = changed = 0
    for task in ("inline", "lead"):
        for rid, record in scorer.read(str(shared / "eval" / "dev" / f"{task}.jsonl")).items():
            tokens += len(scorer.toks(record["gold"]))
            for e in cleaner.clean(Document(rid, record["gold"])).edits:
                if e.code == "RP001" or "RP001" in e.note:
                    changed += len(scorer.toks(e.removed)) + bool(e.inserted)
    return {"tokens": tokens, "changed": changed, "per_10k": 10_000 * changed / max(1, tokens)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("tasks", nargs="*", default=list(TEXT_TASKS))
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--set", dest="evalset", choices=("dev", "web"), default="dev")
    parser.add_argument("--no-repeats", action="store_true", help="clean each page alone (no corpus evidence)")
    args = parser.parse_args(argv)
    if not (args.shared / "eval" / "dev").is_dir():
        print(f"no evaluation set at {args.shared / 'eval'}: skipped", file=sys.stderr)
        return 0
    results = {t: evaluate_text_task(args.shared, t, args.jobs, args.evalset, not args.no_repeats) for t in args.tasks}
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    keys = ("recall", "precision", "junk_removed", "prose_lost_per_1000", "lead_fixed_or_dropped", "lead_intact_kept")
    print(f"{'task':8} " + " ".join(f"{k:>21}" for k in keys))
    for task, res in results.items():
        cells = [f"{res[k]:21.4f}" if isinstance(res.get(k), float) else f"{'-':>21}" for k in keys]
        print(f"{task:8} " + " ".join(cells))
    if "glued" in args.tasks:
        fs = false_split_rate(args.shared)
        print(
            f"false splits on clean article text: {fs['changed']} changed tokens in {fs['tokens']} "
            f"({fs['per_10k']:.2f} per 10,000)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
