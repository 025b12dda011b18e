"""Peak memory of near-duplicate detection for N documents (default 100,000).

    python bench/dedup_memory.py [--docs N] [--words W]

Generates N distinct news-like documents (W words each, from wordfreq's English word list, fixed
seed), signs and indexes them with :class:`cleaner.dedup.Deduplicator`, and reports the peak of
the memory Python allocated for the deduplicator (``tracemalloc``) and the process's peak RSS.
Texts are generated one at a time and dropped after signing: the deduplicator holds signatures.
"""

from __future__ import annotations

import argparse
import random
import resource
import time
import tracemalloc

from wordfreq import top_n_list

from cleaner.dedup import Deduplicator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--words", type=int, default=400)
    args = parser.parse_args()
    vocab = top_n_list("en", 20_000)
    rng = random.Random(20261123)
    tracemalloc.start()
    dedup = Deduplicator()
    start = time.perf_counter()
    for i in range(args.docs):
        text = " ".join(rng.choices(vocab, k=args.words))
        dedup.add_text(str(i), text)
    assignments = dedup.assign()
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    clusters = len({a.kept for a in assignments})
    print(f"{args.docs} documents of {args.words} words: {clusters} clusters in {seconds:.1f}s")
    print(
        f"peak traced memory: {peak / 1e6:.1f} MB ({peak / args.docs / 1e3:.2f} kB a document); "
        f"peak RSS of the process: {rss_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
