"""Score the truncated-lead repair alone on the development set's ``lead`` and ``flat`` tasks.

    python bench/eval_leads.py [--shared PATH] [--show] [--simulate]

Only :func:`cleaner.steps.leads.restore_lead` is applied to each record's text (no other repair, no
boilerplate rule), and the output is scored with the set's own ``score.py``: ``lead_restored``,
``lead_fixed_or_dropped`` and ``lead_intact_kept``.  ``--show`` prints every first word that was
changed or left cut.

:func:`cleaner.steps.leads.truncated_tail` is measured on the same tasks' gold articles: whole (every
flag is a false alarm) and cut at a random word between 70% and 95% of their length (seeded; a cut
that falls just after a stop cannot be seen, so a perfect score is below 1).

``--simulate`` measures the repair where the thresholds in :mod:`cleaner.steps.leads` were chosen: one
or two letters cut off up to twelve sentence starts of each gold article of ``lead`` (structured,
and flattened as ``flat`` is), and the same starts left whole.

Exits 0 with a note when the evaluation set is absent.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import regex

from cleaner.ruleset.registry import RepairContext
from cleaner.steps.leads import restore_lead, truncated_tail
from cleaner.text.style import is_flat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_dev import DEFAULT_SHARED, load_scorer

TASKS = ("lead", "flat")


def evaluate(shared: Path, task: str, show: bool = False) -> dict[str, Any]:
    """Apply the repair to every record of ``task`` and score the output."""
    scorer = load_scorer(shared)
    records = scorer.read(str(shared / "eval" / "dev" / f"{task}.jsonl"))
    out = {}
    for rid, r in records.items():
        text, _edits = restore_lead(r["text"], RepairContext("RP002", "truncated-lead"))
        out[rid] = {"id": rid, "text": text}
        if show:
            cut = r["meta"].get("lead_cut")
            before, after, gold = r["text"].split()[:1], text.split()[:1], r["gold"].split()[:1]
            if before != after or cut:
                mark = "ok" if after == gold or (cut and text.split()[:1] == r["gold"].split()[1:2]) else "XX"
                print(f"{task} {mark} cut={cut!s:5} {before} -> {after} gold {gold}")
    result: dict[str, Any] = scorer.text_scores(records, out)
    return result


def cut_tail(text: str, rng: random.Random) -> str:
    """``text`` cut after a random word between 70% and 95% of its words."""
    ends = [i for i in range(1, len(text)) if text[i].isspace() and not text[i - 1].isspace()] + [len(text)]
    return text[: ends[int(len(ends) * rng.uniform(0.7, 0.95))]]


def evaluate_tails(shared: Path, task: str, cuts: int = 5) -> dict[str, float]:
    """False alarms on whole gold articles and flags on articles cut mid-text."""
    scorer = load_scorer(shared)
    records = scorer.read(str(shared / "eval" / "dev" / f"{task}.jsonl"))
    rng = random.Random(0)
    whole = [r["gold"] for r in records.values() if r["gold"].strip()]
    cut = [cut_tail(g, rng) for g in whole for _ in range(cuts)]
    return {
        "whole_flagged": sum(map(truncated_tail, whole)) / len(whole),
        "cut_flagged": sum(map(truncated_tail, cut)) / len(cut),
    }


_SENTENCE_START = regex.compile(r"(?<=[.!?])[\"”’)]?\s+(?=\p{Lu})")
_WORD = re.compile(r"\w+")


def _flatten(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]|_", " ", text.lower()).split())


def _outcome(original: str, given: str, cut: int) -> str:
    out = restore_lead(given, RepairContext("RP002", "truncated-lead"))[0]
    if not cut:
        return "kept" if out == given else "damaged"
    first, gold = _WORD.findall(out.lower())[:1], _WORD.findall(original.lower())[:2]
    if first == gold[:1]:
        return "restored"
    if first == gold[1:2]:
        return "dropped"
    return "left cut" if out == given else "wrong"


def simulate(shared: Path) -> Counter[tuple[str, int, str]]:
    """Outcomes of the repair on sentence starts of the gold articles, whole and cut by 1 or 2 letters."""
    scorer = load_scorer(shared)
    outcomes: Counter[tuple[str, int, str]] = Counter()
    for record in scorer.read(str(shared / "eval" / "dev" / "lead.jsonl")).values():
        gold = record["gold"]
        starts = [m.end() for m in _SENTENCE_START.finditer(gold)]
        for start in starts[:: max(1, len(starts) // 12)][:12]:
            for style, doc in (("structured", gold[start:]), ("flattened", _flatten(gold[start:]))):
                word = re.match(r"[^\W\d_]+", doc)
                if word is None or (style == "flattened" and not is_flat(doc)):
                    continue
                for cut in (0, 1, 2):
                    if cut and len(word.group()) < 2 * cut:
                        continue
                    outcomes[(style, cut, _outcome(doc, doc[cut:], cut))] += 1
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--show", action="store_true")
    parser.add_argument("--simulate", action="store_true")
    args = parser.parse_args(argv)
    if not (args.shared / "eval" / "dev").is_dir():
        print(f"no evaluation set at {args.shared / 'eval'}: skipped", file=sys.stderr)
        return 0
    for task in TASKS:
        res = evaluate(args.shared, task, args.show)
        keys = ("lead_restored", "lead_fixed_or_dropped", "lead_intact_kept")
        print(task, " ".join(f"{k}={res[k]:.4f}" for k in keys), res["lead"])
        tails = evaluate_tails(args.shared, task)
        print(task, "tails:", " ".join(f"{k}={v:.4f}" for k, v in tails.items()))
    if args.simulate:
        for (style, cut, outcome), n in sorted(simulate(args.shared).items()):
            print(f"simulated {style:10} letters cut={cut} {outcome:8} {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
