"""Choosing the shingle size for ``cleaner dedup``: exact similarities and scores per n-gram size.

    python bench/dedup_ngram.py [DUPS.jsonl] [--jobs 2]

Cleans the dev set's duplicates task, then for word 1- to 5-grams prints the exact Jaccard and
containment (smaller shingle set in the larger) over pairs of copies (lowest) and pairs of
different stories (highest), and the pair F1 and ARI of ``Deduplicator`` at the default thresholds.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from itertools import combinations
from pathlib import Path

from cleaner.dedup import Deduplicator, Params, tokens
from cleaner.document import Document
from cleaner.pipeline import clean_stream

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "eval" / "dev" / "dups.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("path", nargs="?", default=str(DEFAULT))
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    task = Path(args.path)
    if not task.exists():
        print(f"{task}: not found; nothing to measure")
        return
    recs = [json.loads(line) for line in task.open(encoding="utf-8") if line.strip()]
    docs = [Document(str(r["id"]), r["text"]) for r in recs]
    texts = [d.text for d in clean_stream(docs, jobs=args.jobs)]
    labels = [r["meta"]["cluster"] for r in recs]
    words = [tokens(t) for t in texts]
    for n in (1, 2, 3, 4, 5):
        sets = [{tuple(w[i : i + n]) for i in range(max(1, len(w) - n + 1))} for w in words]
        low_j = low_c = 1.0
        high_j = high_c = 0.0
        for i, j in combinations(range(len(texts)), 2):
            inter = len(sets[i] & sets[j])
            jac = inter / max(1, len(sets[i] | sets[j]))
            cont = inter / max(1, min(len(sets[i]), len(sets[j])))
            if labels[i] == labels[j]:
                low_j, low_c = min(low_j, jac), min(low_c, cont)
            else:
                high_j, high_c = max(high_j, jac), max(high_c, cont)
        dedup = Deduplicator(Params(ngram=n))
        for r, t in zip(recs, texts, strict=True):
            dedup.add_text(str(r["id"]), t)
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
            for a in dedup.assign():
                f.write(json.dumps({"id": dedup.ids[a.index], "cluster": dedup.ids[a.kept]}) + "\n")
        score = subprocess.run(
            [sys.executable, str(task.parent.parent / "score.py"), str(task), f.name, "--json"],
            capture_output=True,
            text=True,
            check=True,
        )
        Path(f.name).unlink()
        s = json.loads(score.stdout)
        print(
            f"word {n}-grams: copies J >= {low_j:.2f}, C >= {low_c:.2f}; "
            f"different J <= {high_j:.2f}, C <= {high_c:.2f}; pair F1 {s['f1']:.4f} ARI {s['ari']:.4f}"
        )


if __name__ == "__main__":
    main()
