"""MinHash signing speed and accuracy: cleaner.dedup's vectorised signer against ``MinHash.bulk``.

    python bench/minhash_speed.py [DUPS.jsonl] [--num-perm 128] [--repeat 3]

Both start from the same texts and the same word shingles (``cleaner.dedup.tokens``, 3-grams):
datasketch hashes each shingle's bytes (sha1) and applies its permutations; ours hashes each word
once with xxh64, combines n-gram hashes with numpy, and applies the same permutations in one
array operation.  Prints time per document for both, the speed ratio, and the mean absolute error
of both Jaccard estimates against the exact Jaccard of the shingle sets, on pairs of copies (same
cluster in the dev set) and on neighbouring pairs of different documents.
Reads ``../shared/eval/dev/dups.jsonl`` by default, else the test articles.
"""

from __future__ import annotations

import argparse
import json
import time
from itertools import combinations
from pathlib import Path

from datasketch import MinHash

from cleaner.dedup import DEFAULT_NGRAM, Params, Signer, estimate_jaccard, tokens

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "eval" / "dev" / "dups.jsonl"


def load(path: Path) -> tuple[list[str], list[str]]:
    """Texts and their cluster labels."""
    if path.exists():
        recs = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
        return [r["text"] for r in recs], [str((r.get("meta") or {}).get("cluster", i)) for i, r in enumerate(recs)]
    files = sorted((ROOT / "tests" / "fixtures" / "articles").glob("*.txt"))
    texts = [f.read_text("utf-8") for f in files]
    texts += [t[: int(len(t) * 0.7)] for t in texts]
    return texts, [str(i % len(files)) for i in range(len(texts))]


def shingles(text: str, n: int) -> list[bytes]:
    words = tokens(text)
    if not words:
        return []
    k = min(n, len(words))
    return [" ".join(words[i : i + k]).encode("utf-8") for i in range(len(words) - k + 1)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("path", nargs="?", default=str(DEFAULT))
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--ngram", type=int, default=DEFAULT_NGRAM)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    texts, labels = load(Path(args.path))
    params = Params(num_perm=args.num_perm, ngram=args.ngram)
    signer = Signer(params)

    best_ours = best_theirs = float("inf")
    for _ in range(args.repeat):
        t = time.perf_counter()
        ours = [signer.sign(x)[0] for x in texts]
        best_ours = min(best_ours, time.perf_counter() - t)
        t = time.perf_counter()
        theirs = MinHash.bulk(
            [shingles(x, args.ngram) for x in texts], num_perm=args.num_perm, seed=params.seed, scheme=params.scheme
        )
        best_theirs = min(best_theirs, time.perf_counter() - t)

    sets = [set(shingles(x, args.ngram)) for x in texts]
    same = [(i, j) for i, j in combinations(range(len(texts)), 2) if labels[i] == labels[j]]
    other = [(i, i + 1) for i in range(len(texts) - 1) if labels[i] != labels[i + 1]]
    n = len(texts)
    print(f"{n} documents, {args.num_perm} permutations, word {args.ngram}-grams (best of {args.repeat})")
    print(f"  cleaner.dedup : {1e3 * best_ours / n:.3f} ms/doc")
    print(f"  MinHash.bulk  : {1e3 * best_theirs / n:.3f} ms/doc")
    print(f"  speed-up      : {best_theirs / best_ours:.1f}x")
    for name, pairs in (("copies", same), ("different", other)):
        if not pairs:
            continue
        err_ours = err_theirs = 0.0
        for i, j in pairs:
            union = len(sets[i] | sets[j])
            exact = len(sets[i] & sets[j]) / union if union else 0.0
            err_ours += abs(estimate_jaccard(ours[i], ours[j]) - exact)
            err_theirs += abs(theirs[i].jaccard(theirs[j]) - exact)
        print(
            f"  mean |J error| on {len(pairs)} pairs of {name}: "
            f"cleaner.dedup {err_ours / len(pairs):.4f}, MinHash.bulk {err_theirs / len(pairs):.4f}"
        )


if __name__ == "__main__":
    main()
