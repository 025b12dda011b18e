"""Throughput of ``cleaner clean`` on a generated news-like corpus, and where the time goes.

    python bench/throughput.py [--size-mb 100] [--jobs 1 2] [--corpus PATH]
    python bench/throughput.py --profile [--profile-mb 10]

The first form generates the corpus if it is missing (``bench/make_corpus.py``), runs the real
command line once per ``--jobs`` value (``cleaner clean CORPUS -o bench/out/cleaned-jobsN.jsonl
--jobs N``, wall-clock timed, start-up included), prints jobs, seconds, MB/s and docs/s, and
checks that every output is byte-identical to the first.

``--profile`` cleans the first ``--profile-mb`` of the corpus in this process under cProfile
(``cleaner.readers`` + ``cleaner.pipeline.clean_stream``, one job), prints the top functions by
cumulative and by own time, then times the pipeline's step functions directly over the same
documents (each repair in ``cleaner.repairs.REPAIRS``, ``cleaner.language.detect_language``,
``cleaner.boilerplate.apply_boilerplate``, the edit bookkeeping, JSON in and out) and, on a
smaller sample, each boilerplate rule on its own.

MB are 10^6 bytes of input JSONL.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import os
import platform
import pstats
import re
import resource
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"
sys.path.insert(0, str(BENCH))

from make_corpus import DEFAULT_SEED, make_corpus  # noqa: E402


def code_version() -> str:
    """The commit of the code measured, and whether cleaner/ or rules/ have uncommitted changes."""
    root = BENCH.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "cleaner", "rules"], cwd=root, capture_output=True, text=True
        )
    except OSError:
        return "unknown (no git)"
    changed = [ln[3:] for ln in dirty.stdout.splitlines()]
    return head.stdout.strip() + (f" + uncommitted changes in {', '.join(changed)}" if changed else " (clean)")


def rule_count() -> str:
    from cleaner.rules import load_rules

    rules = load_rules().rules
    return f"{len(rules)} rules ({sum(r.kind != 'repair' for r in rules)} boilerplate)"


def corpus_path(size_mb: float) -> Path:
    return OUT / f"corpus-{size_mb:g}mb.jsonl"


def ensure_corpus(path: Path, size_mb: float, seed: int) -> None:
    if path.exists():
        return
    t0 = time.perf_counter()
    n, size = make_corpus(path, size_mb, seed)
    print(f"generated {path}: {n} documents, {size / 1e6:.1f} MB in {time.perf_counter() - t0:.1f}s")


def cleaner_command() -> list[str]:
    """The installed ``cleaner`` script of this interpreter (else on PATH, else via ``-c``)."""
    beside = Path(sys.executable).parent / "cleaner"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("cleaner")
    if found:
        return [found]
    return [sys.executable, "-c", "import sys; from cleaner.cli import main; sys.exit(main())"]


def count_lines(path: Path) -> int:
    n = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 24):
            n += chunk.count(b"\n")
    return n


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 24):
            h.update(chunk)
    return h.hexdigest()


def run_cli(corpus: Path, out: Path, jobs: int) -> dict[str, float | str]:
    """One timed run of the command line; its wall and CPU seconds and its summary line."""
    cmd = [*cleaner_command(), "clean", str(corpus), "-o", str(out), "--jobs", str(jobs)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}")
    summary = next((ln for ln in proc.stderr.splitlines() if " documents, " in ln), "")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "summary": summary, "load": f"{load0:.1f}/{os.getloadavg()[0]:.1f}"}


def throughput(args: argparse.Namespace) -> int:
    corpus = args.corpus or corpus_path(args.size_mb)
    ensure_corpus(corpus, args.size_mb, args.seed)
    size = corpus.stat().st_size
    docs = count_lines(corpus)
    print(f"corpus {corpus}: {size / 1e6:.1f} MB, {docs} documents")
    print(f"code: {code_version()}; {rule_count()}")
    print(
        f"machine: nproc={os.cpu_count()}, affinity={len(os.sched_getaffinity(0))}, "
        f"python {platform.python_version()}, load average {os.getloadavg()[0]:.2f}"
    )
    # start-up: import, rule loading and validation, on a one-document input
    tiny = OUT / "one-doc.jsonl"
    with open(corpus, "rb") as f:
        tiny.write_bytes(f.readline())
    startup = run_cli(tiny, OUT / "one-doc-cleaned.jsonl", 1)["wall"]
    print(f"start-up (one document, --jobs 1): {startup:.2f}s")
    rows = []
    for jobs in args.jobs:
        out = OUT / f"cleaned-jobs{jobs}.jsonl"
        r = run_cli(corpus, out, jobs)
        rows.append((jobs, r, out))
        print(f"  --jobs {jobs}: {r['wall']:.1f}s  ({r['summary']})", flush=True)
    print()
    print("| jobs | seconds | MB/s | docs/s | CPU s (user+sys) | speed-up | load avg before/after |")
    print("|-----:|--------:|-----:|-------:|-----------------:|---------:|----------------------:|")
    base = rows[0][1]["wall"]
    for jobs, r, _ in rows:
        wall = float(r["wall"])
        mbs, dps, cpu = size / 1e6 / wall, docs / wall, float(r["cpu"])
        print(f"| {jobs} | {wall:.1f} | {mbs:.3f} | {dps:.1f} | {cpu:.1f} | {base / wall:.2f}x | {r['load']} |")
    digests = {jobs: sha256(out) for jobs, _, out in rows}
    first = rows[0][0]
    same = all(d == digests[first] for d in digests.values())
    print()
    for jobs, d in digests.items():
        print(f"  sha256 --jobs {jobs}: {d}")
    print(f"outputs byte-identical across --jobs {', '.join(map(str, digests))}: {'YES' if same else 'NO'}")
    return 0 if same else 1


# --- profiling ------------------------------------------------------------------------------


def read_slice(corpus: Path, mb: float) -> bytes:
    """The first whole lines of ``corpus`` adding up to at least ``mb`` MB."""
    limit = int(mb * 1_000_000)
    lines, size = [], 0
    with open(corpus, "rb") as f:
        for line in f:
            lines.append(line)
            size += len(line)
            if size >= limit:
                break
    return b"".join(lines)


def parse_slice(data: bytes) -> list:
    from cleaner.readers import ReadReport, parse_jsonl

    return list(parse_jsonl(io.BytesIO(data), "slice", "slice.jsonl", ReadReport()))


def print_stats(prof: cProfile.Profile, key: str, n: int) -> None:
    stream = io.StringIO()
    stats = pstats.Stats(prof, stream=stream)
    stats.sort_stats(key).print_stats(n)
    text = stream.getvalue()
    # drop pstats' preamble up to the column header; shorten site-packages paths
    start = text.find("   ncalls")
    text = re.sub(r"\S*/site-packages/", "", text[start if start >= 0 else 0 :])
    text = text.replace(str(BENCH.parent) + "/", "")
    print(text.rstrip())


def stage_timings(docs_data: bytes) -> None:
    """Time each step of ``Cleaner.clean`` directly, in pipeline order, over the same documents."""
    from cleaner.boilerplate import apply_boilerplate
    from cleaner.document import LineMap
    from cleaner.language import detect_language
    from cleaner.pipeline import LANGUAGE_ORDER, Cleaner, Settings
    from cleaner.repairs import REPAIRS
    from cleaner.writers import dumps, output_record

    pc = time.perf_counter
    t: defaultdict[str, float] = defaultdict(float)
    detect_language("A warm-up sentence, so that loading the language profiles is not timed here.")
    t0 = pc()
    docs = parse_slice(docs_data)
    t["read: parse JSONL (orjson, Document)"] = pc() - t0
    c = Cleaner(Settings())
    early = getattr(c, "_early", None)
    late = getattr(c, "_late", None)
    if early is None or late is None:
        early = [r for r in c.rules.repairs if r.order < LANGUAGE_ORDER]
        late = [r for r in c.rules.repairs if r.order >= LANGUAGE_ORDER]
    boiler = getattr(c, "_boilerplate", c.rules.boilerplate)
    for doc in docs:
        doc.original = doc.text
        text = doc.text
        t0 = pc()
        lines = LineMap(text)
        t["bookkeeping: LineMap + edit line mapping"] += pc() - t0
        for stage_rules in (early, None, late):
            if stage_rules is None:
                t0 = pc()
                lang, prob = detect_language(text)
                t["language: detect_language"] += pc() - t0
                doc.metadata["lang"], doc.metadata["lang_prob"] = lang, prob
                continue
            for rule in stage_rules:
                t0 = pc()
                text, edits = REPAIRS[rule.function](text, rule.code, rule.slug)
                t1 = pc()
                doc.edits.extend(lines.apply(e) for e in edits)
                t["bookkeeping: LineMap + edit line mapping"] += pc() - t1
                group = {"EN": "encoding", "WS": "whitespace"}.get(rule.code[:2], "repair")
                t[f"{group}: {rule.code} {rule.function}"] += t1 - t0
        t0 = pc()
        active = tuple(r for r in boiler if r.applies_to(lang))
        text, edits = apply_boilerplate(text, active)
        t1 = pc()
        doc.edits.extend(lines.apply(e) for e in edits)
        t["bookkeeping: LineMap + edit line mapping"] += pc() - t1
        t["boilerplate: apply_boilerplate (all rules)"] += t1 - t0
        doc.text = text
    t0 = pc()
    for doc in docs:
        dumps(output_record(doc))
    t["write: output_record + orjson dumps"] = pc() - t0
    total = sum(t.values())
    mb = len(docs_data) / 1e6
    print(f"\nStage timings, {len(docs)} documents, {mb:.1f} MB, {total:.1f}s ({mb / total:.3f} MB/s single core):")
    print("| stage | seconds | share | ms/doc |")
    print("|---|---:|---:|---:|")
    groups = defaultdict(float)
    for k, v in sorted(t.items(), key=lambda kv: -kv[1]):
        groups[k.split(":")[0]] += v
        print(f"| {k} | {v:.2f} | {100 * v / total:.1f}% | {1000 * v / len(docs):.2f} |")
    ranked = sorted(groups.items(), key=lambda kv: -kv[1])
    print("\nBy group: " + ", ".join(f"{g} {100 * v / total:.1f}%" for g, v in ranked))


def boilerplate_rule_timings(docs_data: bytes, mb: float) -> None:
    """Each boilerplate rule applied alone over a sample (text after the repairs), its share."""
    from cleaner.boilerplate import apply_boilerplate
    from cleaner.language import detect_language
    from cleaner.pipeline import Cleaner, Settings
    from cleaner.repairs import REPAIRS

    docs = parse_slice(read_slice_bytes(docs_data, mb))
    c = Cleaner(Settings())
    texts = []
    for doc in docs:  # the text as the boilerplate step sees it
        text = doc.text
        for rule in c.rules.repairs:
            text, _ = REPAIRS[rule.function](text, rule.code, rule.slug)
        texts.append((text, detect_language(text)[0]))
    rules = getattr(c, "_boilerplate", c.rules.boilerplate)
    pc = time.perf_counter
    times = {}
    for rule in rules:
        t0 = pc()
        for text, lang in texts:
            if rule.applies_to(lang):
                apply_boilerplate(text, (rule,))
        times[rule] = pc() - t0
    t0 = pc()
    for text, lang in texts:
        apply_boilerplate(text, tuple(r for r in rules if r.applies_to(lang)))
    together = pc() - t0
    t0 = pc()
    for text, _ in texts:
        apply_boilerplate(text, ())
    empty = pc() - t0
    alone = sum(times.values())
    print(
        f"\nBoilerplate rules, each applied alone to {len(texts)} documents ({mb:g} MB, text after repairs); "
        f"all together {together:.2f}s, no rules (line split only) {empty:.2f}s:"
    )
    print("| rule | kind | seconds alone | share of sum |")
    print("|---|---|---:|---:|")
    for rule, v in sorted(times.items(), key=lambda kv: -kv[1]):
        print(f"| {rule.code} {rule.slug} | {rule.kind} | {v:.2f} | {100 * v / alone:.1f}% |")


def read_slice_bytes(data: bytes, mb: float) -> bytes:
    limit = int(mb * 1_000_000)
    end = 0
    while end < min(limit, len(data)):
        nl = data.find(b"\n", end)
        end = len(data) if nl < 0 else nl + 1
    return data[:end]


def profile(args: argparse.Namespace) -> int:
    from cleaner.pipeline import Settings, clean_stream
    from cleaner.readers import ReadReport, parse_jsonl

    corpus = args.corpus or corpus_path(args.size_mb)
    ensure_corpus(corpus, args.size_mb, args.seed)
    data = read_slice(corpus, args.profile_mb)
    print(f"profiling {len(data) / 1e6:.1f} MB of {corpus} in-process, one job")
    print(f"code: {code_version()}; {rule_count()}")
    Settings().ruleset()  # rule loading outside the profile: it is start-up, not throughput
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    n = 0
    for _ in clean_stream(parse_jsonl(io.BytesIO(data), "slice", "slice.jsonl", ReadReport()), Settings(), jobs=1):
        n += 1
    prof.disable()
    wall = time.perf_counter() - t0
    print(f"{n} documents in {wall:.1f}s under cProfile\n")
    print(f"Top {args.top} by cumulative time:")
    print_stats(prof, "cumulative", args.top)
    print(f"\nTop {args.top} by own (total) time:")
    print_stats(prof, "tottime", args.top)
    stage_timings(data)
    if args.rules_mb > 0:
        boilerplate_rule_timings(data, args.rules_mb)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=100.0, help="corpus size, MB (default 100)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="--jobs values to run (default 1 2)")
    parser.add_argument("--corpus", type=Path, help="default bench/out/corpus-<size>mb.jsonl, generated if missing")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--profile", action="store_true", help="profile in-process instead of timing the CLI")
    parser.add_argument("--profile-mb", type=float, default=10.0, help="MB to profile (default 10)")
    parser.add_argument("--rules-mb", type=float, default=2.0, help="MB for the per-boilerplate-rule timings (0: skip)")
    parser.add_argument("--top", type=int, default=25, help="functions to list (default 25)")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    return profile(args) if args.profile else throughput(args)


if __name__ == "__main__":
    sys.exit(main())
