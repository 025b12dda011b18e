"""``cleaner index`` on a corpus of 10,000 text files: time, determinism, readability, planted copies.

    python bench/index_corpus.py [--docs 10000] [--copies 0.1] [--jobs 2 1]

Writes ``bench/out/index-corpus/`` (ignored by git): ``corpus/docs/`` holds news-like documents
from ``bench/make_corpus.py``'s generator (boilerplate, mojibake and all) in folders of 100, and
``corpus/copies/`` near-duplicates of some of them (re-scraped with other junk, cut to 70-95 %,
flattened, a few words changed), 10 % of the total by default.  Then it runs ``cleaner index``
once per ``--jobs`` value, each writing ``INDEX-jobs<N>.md`` beside ``corpus/``, and reports:

- wall and CPU seconds of each run, and whether the manifests are byte-identical;
- the manifest's size and where its document table starts (the summary comes first);
- how many planted copies share their original's cluster, and how many originals were merged.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from make_corpus import DEFAULT_SEED, Generator

from cleaner.dedup import normalise
from cleaner.manifest import load_manifest

OUT = Path(__file__).resolve().parent / "out" / "index-corpus"
JUNK = ("Advertisement", "Share this article", "Read More Markets brace for another volatile week", "Top Stories")


def variant(text: str, rng: random.Random) -> str:
    """A near-duplicate of ``text``: one or two of re-scraped, cut, flattened, lightly edited."""
    kinds = rng.sample(["rescrape", "cut", "flat", "edit"], k=rng.choice((1, 2)))
    lines = text.splitlines()
    if "rescrape" in kinds:
        lines = [ln for ln in lines if rng.random() > 0.1]
        for _ in range(3):
            lines.insert(rng.randrange(len(lines) + 1), rng.choice(JUNK))
    if "cut" in kinds:
        lines = lines[: max(1, int(len(lines) * rng.uniform(0.7, 0.95)))]
    out = "\n".join(lines)
    if "edit" in kinds:
        words = out.split(" ")
        for _ in range(max(1, len(words) // 50)):
            words[rng.randrange(len(words))] = rng.choice(("also", "then", "still", "said"))
        out = " ".join(words)
    if "flat" in kinds:
        out = normalise(out)
    return out


def make(root: Path, docs: int, share: float, seed: int) -> dict[str, str]:
    """Write the corpus; return {copy path: original path}, both relative to ``root``."""
    if root.exists():
        shutil.rmtree(root)
    gen = Generator(seed)
    rng = random.Random(seed)
    n_copies = int(docs * share)
    originals: list[tuple[str, str]] = []
    for i in range(docs - n_copies):
        rel = f"docs/{i // 100:03d}/news-{i:05d}.txt"
        text = gen.document()
        originals.append((rel, text))
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, "utf-8")
    truth: dict[str, str] = {}
    for j in range(n_copies):
        rel, text = rng.choice(originals)
        copy = f"copies/{j // 100:03d}/copy-{j:05d}.txt"
        (root / copy).parent.mkdir(parents=True, exist_ok=True)
        (root / copy).write_text(variant(text, rng), "utf-8")
        truth[copy] = rel
    return truth


def run(root: Path, target: Path, jobs: int) -> tuple[float, float]:
    """Run ``cleaner index``; wall and CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    cmd = ["cleaner", "index", str(root), "-o", str(target), "--jobs", str(jobs), "--no-progress"]
    subprocess.run(cmd, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--copies", type=float, default=0.1, help="share of the documents that are copies")
    parser.add_argument("--jobs", type=int, nargs="+", default=[2, 1])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    t0 = time.perf_counter()
    corpus = OUT / "corpus"
    truth = make(corpus, args.docs, args.copies, args.seed)
    size = sum(p.stat().st_size for p in corpus.rglob("*.txt"))
    made = time.perf_counter() - t0
    print(f"corpus: {args.docs} files, {size / 1e6:.1f} MB, {len(truth)} copies, made in {made:.0f}s")

    outputs = []
    for jobs in args.jobs:
        target = OUT / f"INDEX-jobs{jobs}.md"
        wall, cpu = run(corpus, target, jobs)
        outputs.append(target.read_bytes())
        print(f"--jobs {jobs}: {wall:.1f} s wall, {cpu:.1f} s CPU, {args.docs / wall:.1f} documents/s")
    print(f"byte-identical across --jobs {' '.join(map(str, args.jobs))}: {len(set(outputs)) == 1}")

    text = outputs[0].decode("utf-8")
    lines = text.split("\n")
    table = lines.index("## Documents")
    print(f"INDEX.md: {len(outputs[0]) / 1e6:.2f} MB, {len(lines) - 1} lines; the summary is lines 1-{table}")
    manifest = load_manifest(OUT / f"INDEX-jobs{args.jobs[0]}.md")
    cluster = {e.path.removeprefix("corpus/"): e.cluster for e in manifest.entries}
    found = sum(cluster[c] == cluster[o] for c, o in truth.items())
    originals = [e for e in manifest.entries if e.path.startswith("corpus/docs/")]
    merged = len(originals) - len({e.cluster for e in originals})
    print(f"planted copies in their original's cluster: {found}/{len(truth)}; originals merged together: {merged}")
    print("\n".join(lines[:table]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
