"""An experiment not adopted: a line judge fitted on shallow features with context (issue 11, point 2).

    pip install scikit-learn   # the experiment only; the cleaner does not use it
    python bench/line_judge_experiment.py [--task inline] [--thresholds 0.8 0.9 0.95]

What the rules leave on ``web/`` is judged line by line by a logistic regression over
boilerpipe- and jusText-like features of the line and its neighbours (length, end punctuation,
capitals, digits, separators, stop-word density, first-person words, dates and times, runs of
short lines, position against the page's densest block of prose, words shared with the rest of
the page).  It is fitted on half of web/'s sites and scored on the other half, both ways, so
every figure is held out (dev/ has almost no junk left after the rules: 1 % of its lines, too
little to fit on).  The result (2026-12-02) is in bench/RESULTS.md: at thresholds that keep
article sentences it removes too little; where it removes enough, it takes bibliographies,
comments the gold keeps and a few article sentences.  So it is not part of the cleaner.
"""

from __future__ import annotations

import argparse
import collections
import math
import random
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import eval_dev

from cleaner import clean_stream
from cleaner.corpus import Repeats
from cleaner.settings import Settings

WORD = re.compile(r"\w+")


TIME = re.compile(r"\d{1,2}:\d{2}|\bago\b", re.I)
DATE = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b20\d\d\b",
    re.I,
)
FIRST_PERSON = {"i", "me", "my", "you", "your", "thanks", "thank", "im", "great", "love", "lol", "agree"}
SHORT = math.log1p(8)


def site(url: str | None) -> str | None:
    match = re.match(r"https?://([^/]+)", url or "")
    return ".".join(match.group(1).lower().split(".")[-2:]) if match else None


def shape(line: str, stop: set[str]) -> list[float]:
    """The line alone: 16 numbers."""
    s = line.strip()
    w = s.split()
    n = len(w)
    toks = WORD.findall(s.lower())
    nt = max(1, len(toks))
    return [
        math.log1p(n),
        math.log1p(len(s)),
        float(s[-1:] in ".!?\"”'’:"),
        float(s[-1:] in ".!?"),
        sum(1 for x in w if x[:1].isupper()) / max(1, n),
        sum(c.isdigit() for c in s) / max(1, len(s)),
        sum(1 for t in toks if t in stop) / nt,
        float(bool(re.search(r"[|•·»«›]", s))),
        float(bool(re.search(r"https?://|www\.|@\w|#\w", s))),
        s.count(",") / max(1, n),
        float(n <= 3),
        sum(1 for t in toks if t in FIRST_PERSON) / nt,
        float("!" in s),
        float("?" in s),
        float(bool(TIME.search(s))),
        float(bool(DATE.search(s))),
    ]


def features(lines: list[str], stop: set[str]) -> list[list[float]]:
    """Each line's shape, its neighbours', a window's averages, and where it stands on the page."""
    n = len(lines)
    sh = [shape(line, stop) for line in lines]
    words = [{t for t in WORD.findall(x.lower()) if t not in stop and len(t) > 3 and not t.isdigit()} for x in lines]
    count: collections.Counter[str] = collections.Counter()
    for ws in words:
        count.update(ws)
    best = cur = 0.0
    first, last, start = 0, n - 1, 0
    for i, s in enumerate(sh):  # the densest block of prose (a maximum-sum run of lines)
        if cur <= 0:
            cur, start = 0.0, i
        cur += (math.exp(s[0]) - 1) * (1 if s[3] else 0.3) - 12
        if cur > best:
            best, first, last = cur, start, i
    zero = [0.0] * len(sh[0]) if sh else []
    out = []
    for i in range(n):
        run, j = 0, i
        while j >= 0 and sh[j][0] < SHORT:
            run, j = run + 1, j - 1
        j = i + 1
        while j < n and sh[j][0] < SHORT:
            run, j = run + 1, j + 1
        win = sh[max(0, i - 3) : i + 4]
        ws = words[i]
        out.append(
            sh[i]
            + (sh[i - 1] if i else zero)
            + (sh[i + 1] if i + 1 < n else zero)
            + [sum(x[k] for x in win) / len(win) for k in (0, 3, 6, 11)]
            + [
                float(lines.count(lines[i]) > 1),
                sum(1 for w in ws if count[w] > 1) / len(ws) if ws else 0.0,
                float(not ws),
                math.log1p(run),
                i / max(1, n - 1),
                float(i < first),
                float(i > last),
                math.log1p(max(0, i - last)),
                math.log1p(max(0, first - i)),
                math.log1p(n),
            ]
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--task", default="inline")
    ap.add_argument("--thresholds", type=float, nargs="+", default=[0.8, 0.9, 0.95])
    args = ap.parse_args()
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from wordfreq import top_n_list

    stop = set(top_n_list("en", 200))
    shared = eval_dev.DEFAULT_SHARED
    scorer = eval_dev.load_scorer(shared)
    records = scorer.read(str(eval_dev.task_path(shared, args.task, "web")))
    table = Repeats().add_all(eval_dev.documents(records))
    cleaned = {d.id: d.text for d in clean_stream(eval_dev.documents(records), Settings(), jobs=2, repeats=table)}
    pages: list[dict[str, Any]] = []
    for rid, r in records.items():
        gold = scorer.shingles(r["gold"])
        junk = scorer.shingles(r["text"]) - gold
        lines = [x for x in cleaned[rid].split("\n") if x.strip()]
        labels = []
        for x in lines:  # junk: no gold shingle and some junk; article: half its shingles in the gold
            s = scorer.shingles(x)
            total, in_gold = sum(s.values()), sum((s & gold).values())
            labels.append(1 if total and not in_gold and (s & junk) else 0 if total and in_gold * 2 >= total else -1)
        feats = features(lines, stop) if lines else []
        pages.append({"id": rid, "site": site(r.get("url")) or rid, "lines": lines, "X": feats, "y": labels})
    sites = sorted({p["site"] for p in pages})
    random.Random(0).shuffle(sites)
    half = set(sites[: len(sites) // 2])
    models = {}
    for name, part in (("A", True), ("B", False)):
        rows = [x for p in pages if (p["site"] in half) == part for x, y in zip(p["X"], p["y"], strict=True) if y >= 0]
        y = [y for p in pages if (p["site"] in half) == part for y in p["y"] if y >= 0]
        models[name] = make_pipeline(StandardScaler(), LogisticRegression(max_iter=3000)).fit(np.array(rows), y)
    task = {p["id"]: {"text": records[p["id"]]["text"], "gold": records[p["id"]]["gold"]} for p in pages}
    probs = {}
    for p in pages:  # each page judged by the model fitted on the other half's sites
        model = models["B" if p["site"] in half else "A"]
        probs[p["id"]] = model.predict_proba(np.array(p["X"]))[:, 1] if p["lines"] else []

    def score(threshold: float | None) -> dict[str, float]:
        out = {}
        for p in pages:
            keep = (
                p["lines"]
                if threshold is None
                else [x for x, q in zip(p["lines"], probs[p["id"]], strict=True) if q < threshold]
            )
            out[p["id"]] = {"text": "\n".join(keep) if threshold is not None else cleaned[p["id"]]}
        return scorer.text_scores(task, out)

    print("| web/" + args.task + " | recall | junk removed | prose lost /1000 |\n| --- | --- | --- | --- |")
    for t in [None, *args.thresholds]:
        s = score(t)
        name = "the rules" if t is None else f"the rules + judge >= {t}"
        print(f"| {name} | {s['recall']:.4f} | {s['junk_removed']:.3f} | {s['prose_lost_per_1000']:.2f} |")


if __name__ == "__main__":
    main()
