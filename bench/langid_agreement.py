"""cleaner.text.langid against plain langdetect on every document of the evaluation sets.

    python bench/langid_agreement.py [--shared PATH] [--limit N]

For every record of ``../shared/eval/dev/*.jsonl`` and ``../shared/eval/web/*.jsonl.gz`` (the
``dups`` files too), the sample that the pipeline detects (``language_sample(text)``) is given
to both: langdetect as ``cleaner.text.language`` used it before (a detector of the seeded factory,
``append``, ``get_probabilities``) and ``LangId``, the re-implementation that ``detect_sample``
now calls.  Prints, per set, the share of documents with the same top language (after
``detect_sample``'s rules: ``und`` below 20 letters or without features), the same where
langdetect is confident (probability 0.9 or more), identical probability lists (every language
and float equal, or both raising), and the time per document of each (``detect_sample`` without
its cache; the word memory of ``LangId`` fills as the documents go, as in a cleaning run).
Each set is run by langdetect first, then by ``detect_sample`` (not in turns: langdetect's
dictionaries would push the other's data out of the processor's caches between documents).
Exits 0 with a note when the evaluation set is absent (a fresh clone without ``../shared``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import regex
from langdetect import LangDetectException

from cleaner.text import langid
from cleaner.text.language import MIN_LETTERS, _factory, detect_sample, language_sample

DEFAULT_SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CONFIDENT = 0.9
LETTER = regex.compile(r"\p{L}")

Probabilities = list[tuple[str, float]] | str


def records(path: Path) -> Iterator[str]:
    """The ``text`` of each record of a .jsonl or .jsonl.gz file."""
    data = path.read_bytes()
    for line in (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8").split("\n"):
        if line.strip():
            yield str(json.loads(line)["text"])


def langdetect_probabilities(sample: str) -> Probabilities:
    """Plain langdetect: a detector of the seeded factory (``DetectorFactory.seed = 0``)."""
    detector = _factory().create()
    detector.append(sample)
    try:
        return [(str(lang.lang), float(lang.prob)) for lang in detector.get_probabilities()]
    except LangDetectException as e:
        return f"error {e.code}"


def langid_probabilities(sample: str) -> Probabilities:
    try:
        return [(str(lang.lang), float(lang.prob)) for lang in langid.default().get_probabilities(sample)]
    except LangDetectException as e:
        return f"error {e.code}"


def answer(sample: str, probabilities: Probabilities) -> tuple[str, float]:
    """``detect_sample``'s answer from a list of probabilities (``und`` below 20 letters)."""
    if len(LETTER.findall(sample)) < MIN_LETTERS or isinstance(probabilities, str) or not probabilities:
        return "und", 0.0
    return probabilities[0][0], round(probabilities[0][1], 4)


@dataclass
class Tally:
    documents: int = 0
    same_top: int = 0
    confident: int = 0
    confident_same: int = 0
    identical: int = 0
    same_answer: int = 0
    seconds_langdetect: float = 0.0
    seconds_langid: float = 0.0
    differ: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for key in ("documents", "same_top", "confident", "confident_same", "identical", "same_answer"):
            setattr(self, key, getattr(self, key) + getattr(other, key))
        self.seconds_langdetect += other.seconds_langdetect
        self.seconds_langid += other.seconds_langid
        self.differ += other.differ


def compare(samples: list[tuple[str, str]]) -> Tally:
    """Both on every sample: langdetect over all of them first, then ``detect_sample``."""
    tally = Tally(documents=len(samples))
    before: list[tuple[tuple[str, float], Probabilities]] = []
    t = time.perf_counter()
    for _, sample in samples:
        # detect_sample as it was: the letter count, a detector of the seeded factory
        found = langdetect_probabilities(sample)
        before.append((answer(sample, found), found))
    tally.seconds_langdetect = time.perf_counter() - t
    now: list[tuple[str, float]] = []
    t = time.perf_counter()
    for _, sample in samples:
        now.append(detect_sample.__wrapped__(sample))  # without its cache: samples repeat
    tally.seconds_langid = time.perf_counter() - t
    for (name, sample), (old, found), new in zip(samples, before, now, strict=True):
        tally.same_top += old[0] == new[0]
        tally.same_answer += old == new
        if old[1] >= CONFIDENT:
            tally.confident += 1
            tally.confident_same += old[0] == new[0]
        if found == langid_probabilities(sample):
            tally.identical += 1
        else:
            tally.differ.append(name)
    return tally


def share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.2f}%)" if whole else "-"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared folder (holding eval/)")
    ap.add_argument("--limit", type=int, default=0, help="at most this many records per file (0: all)")
    args = ap.parse_args()
    folder = args.shared / "eval"
    files = {"dev": sorted((folder / "dev").glob("*.jsonl")), "web": sorted((folder / "web").glob("*.jsonl.gz"))}
    if not any(files.values()):
        print(f"no evaluation set in {folder}: nothing to compare")
        return
    _factory()
    langid.default()
    tallies: dict[str, Tally] = {}
    for name, paths in files.items():
        samples = [
            (f"{path.name}#{k}", language_sample(text))
            for path in paths
            for k, text in enumerate(records(path))
            if not args.limit or k < args.limit
        ]
        tallies[name] = compare(samples)
    total = Tally()
    for t in tallies.values():
        total.add(t)
    columns = {**tallies, "all": total}
    rows = [
        ("documents", lambda t: str(t.documents)),
        ("same top language", lambda t: share(t.same_top, t.documents)),
        (f"same top, langdetect >= {CONFIDENT}", lambda t: share(t.confident_same, t.confident)),
        ("same (lang, round(prob, 4))", lambda t: share(t.same_answer, t.documents)),
        ("identical probability lists", lambda t: share(t.identical, t.documents)),
        ("langdetect ms/doc", lambda t: f"{1e3 * t.seconds_langdetect / max(t.documents, 1):.2f}"),
        ("langid ms/doc", lambda t: f"{1e3 * t.seconds_langid / max(t.documents, 1):.2f}"),
        ("speed-up", lambda t: f"{t.seconds_langdetect / t.seconds_langid:.1f}x" if t.seconds_langid else "-"),
    ]
    print(f"detect_sample on language_sample(text), {folder}")
    print("| measure | " + " | ".join(columns) + " |")
    print("| --- |" + " --- |" * len(columns))
    for label, cell in rows:
        print(f"| {label} | " + " | ".join(cell(t) for t in columns.values()) + " |")
    if total.differ:
        print(f"different probability lists: {', '.join(total.differ[:20])}")


if __name__ == "__main__":
    main()
