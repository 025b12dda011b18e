"""Measure the flat-text repairs alone (RP003 flat-widget, RP004 flat-dateline).

    python bench/eval_flat.py [--shared PATH] [--out OUT.jsonl] [--stress] [--json]

1. ``flat.jsonl`` of the development set: only these two repairs are applied, and the output is
   scored with the set's own ``score.py`` (recall, junk_removed, ...).
2. False positives: the clean articles of ``tests/fixtures/articles`` (structured, so they must not
   count as flat) and the same articles flattened (lowercased, punctuation stripped, one line: no
   widget, so nothing may be removed), and the development set's gold articles (flat already).
3. ``--stress``: a header phrase of each family is put, with no widget after it, at random places
   of those clean flat articles; what the repair then removes beyond the header is article text.
   This bounds the harm of a header phrase that prose happens to use.

``meta.widget`` is read only here, to report how each widget ended (whole, cut short, overrun).
Exits 0 with a note when the evaluation set is absent.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path
from typing import Any

from cleaner.ruleset.registry import RepairContext
from cleaner.steps.flat import split_flat_dateline, strip_flat_widgets

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = ROOT.parent / "shared"
STRESS_HEADERS = ("top stories", "read more", "related", "trending now", "you may also like", "most popular")


def flatten(text: str) -> str:
    """Text as flattened corpora ship it: lowercase, punctuation gone, one line."""
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]|_", " ", text.lower())).strip()


def repair(text: str) -> tuple[str, int, int]:
    """The text after both repairs, the words removed and the line breaks inserted."""
    out, widgets = strip_flat_widgets(text, RepairContext("RP003", "flat-widget"))
    out, datelines = split_flat_dateline(out, RepairContext("RP004", "flat-dateline"))
    return out, sum(len(e.removed.split()) for e in widgets), len(datelines)


def load_scorer(shared: Path) -> Any:
    sys.path.insert(0, str(shared / "eval"))
    import score  # type: ignore[import-not-found]

    return score


def evaluate(shared: Path, out_path: Path | None) -> dict[str, Any]:
    """Score the repairs on ``flat.jsonl`` and count how the widgets ended."""
    scorer = load_scorer(shared)
    task = scorer.read(str(shared / "eval" / "dev" / "flat.jsonl"))
    out: dict[str, dict[str, str]] = {}
    ends = {"whole": 0, "overrun": 0, "cut_short": 0, "missed": 0, "other": 0}
    for rid, rec in task.items():
        text, _, _ = repair(rec["text"])
        out[rid] = {"id": rid, "text": text}
        widget = rec["meta"]["widget"]
        removed = [e.removed.strip() for e in strip_flat_widgets(rec["text"], RepairContext("RP003", "x"))[1]]
        if not removed:
            ends["missed"] += 1
        elif widget in removed:
            ends["whole"] += 1
        elif any(widget in r for r in removed):
            ends["overrun"] += 1
        elif any(r in widget for r in removed):
            ends["cut_short"] += 1
        else:
            ends["other"] += 1
    if out_path is not None:
        with out_path.open("w", encoding="utf-8") as f:
            for rec in out.values():
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    result: dict[str, Any] = scorer.text_scores(task, out)
    result["widgets"] = ends
    return result


def clean_corpora(shared: Path) -> dict[str, list[str]]:
    """Clean articles with no widget: the fixtures as they are, flattened, and the dev set's gold."""
    articles = [p.read_text("utf-8") for p in sorted((ROOT / "tests" / "fixtures" / "articles").glob("*.txt"))]
    gold = [json.loads(line)["gold"] for line in (shared / "eval" / "dev" / "flat.jsonl").open(encoding="utf-8")]
    return {"fixtures": articles, "fixtures_flattened": [flatten(t) for t in articles], "dev_gold": gold}


def false_positives(corpora: dict[str, list[str]]) -> dict[str, dict[str, int]]:
    """Per corpus: documents, documents changed, words removed, line breaks inserted."""
    result = {}
    for name, texts in corpora.items():
        changed = removed = breaks = 0
        for text in texts:
            out, words, lines = repair(text)
            changed += out != text
            removed += words
            breaks += lines
        result[name] = {"docs": len(texts), "changed": changed, "words_removed": removed, "breaks": breaks}
    return result


def stress(texts: list[str], per_doc: int = 3, seed: int = 7) -> dict[str, dict[str, float]]:
    """Insert a bare header at random places of clean flat text: how often article words go."""
    rng = random.Random(seed)
    result = {}
    for header in STRESS_HEADERS:
        trials = fired = eaten = 0
        for text in texts:
            words = text.split()
            if len(words) < 60:
                continue
            for _ in range(per_doc):
                i = rng.randrange(10, len(words) - 10)
                probe = " ".join([*words[:i], header, *words[i:]])
                removed = sum(len(e.removed.split()) for e in strip_flat_widgets(probe, RepairContext("RP003", "x"))[1])
                trials += 1
                if removed > len(header.split()):
                    fired += 1
                    eaten += removed - len(header.split())
        result[header] = {"trials": trials, "fired": fired / max(1, trials), "words_per_firing": eaten / max(1, fired)}
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--out", type=Path, default=None, help="write the repaired flat.jsonl records here")
    parser.add_argument("--stress", action="store_true", help="also insert bare headers into clean text")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not (args.shared / "eval" / "dev" / "flat.jsonl").is_file():
        print(f"no evaluation set at {args.shared / 'eval'}: skipped", file=sys.stderr)
        return 0
    corpora = clean_corpora(args.shared)
    report: dict[str, Any] = {
        "flat": evaluate(args.shared, args.out),
        "false_positives": false_positives(corpora),
    }
    if args.stress:
        report["stress"] = stress(corpora["fixtures_flattened"] + corpora["dev_gold"])
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    flat = report["flat"]
    print(
        f"flat.jsonl: recall {flat['recall']:.4f}  junk_removed {flat['junk_removed']:.4f}  "
        f"precision {flat['precision']:.4f}  widgets {flat['widgets']}"
    )
    for name, fp in report["false_positives"].items():
        print(f"{name:20} {fp}")
    for header, st in report.get("stress", {}).items():
        print(
            f"stress {header!r:22} fired {st['fired']:.2%} of {st['trials']}, {st['words_per_firing']:.1f} words each"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
