"""Throughput of ``cleaner clean`` on a generated news-like corpus, and where the time goes.

    python bench/throughput.py [--size-mb 100] [--jobs 1 2] [--corpus PATH] [--snapshot [COMMIT]]
    python bench/throughput.py --profile [--profile-mb 10] [--snapshot [COMMIT]]

The first form generates the corpus if it is missing (``bench/make_corpus.py``), runs the real
command line once per ``--jobs`` value (``cleaner clean CORPUS -o bench/out/cleaned-jobsN.jsonl
--jobs N``, wall-clock timed, start-up included), prints jobs, seconds, MB/s and docs/s, and
checks that every output is byte-identical to the first.

``--profile`` cleans the first ``--profile-mb`` of the corpus in this process under cProfile
(``cleaner.io.readers`` + ``cleaner.pipeline.clean_stream``, one job), prints the top functions by
cumulative and by own time, then times the pipeline's step functions directly over the same
documents (each repair in ``cleaner.ruleset.registry.REPAIRS``, ``cleaner.text.language.detect_language``,
``cleaner.boilerplate.engine.apply_boilerplate``, the edit bookkeeping, JSON in and out) and, on a
smaller sample, each boilerplate rule on its own.  Memo caches are emptied before each pass,
so no pass is timed warm.

``--snapshot`` times a frozen copy of a commit's ``cleaner/`` and ``rules/`` (``git archive``
into bench/out/snapshot-<sha>/) instead of the working tree: while other people edit the code,
that is the only way that the ``--jobs`` runs clean with the same code and can be compared.

MB are 10^6 bytes of input JSONL.  On a shared machine, read "MB per CPU-s" (the cost of the
code) alongside MB/s (wall clock, which other processes slow down).
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
import tarfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

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


def rule_count(snapshot: Path | None = None) -> str:
    from cleaner.ruleset.model import load_rules

    rules = load_rules(str(snapshot / "rules") if snapshot else None).rules
    return f"{len(rules)} rules ({sum(r.kind != 'repair' for r in rules)} boilerplate)"


def corpus_path(size_mb: float) -> Path:
    return OUT / f"corpus-{size_mb:g}mb.jsonl"


def ensure_corpus(path: Path, size_mb: float, seed: int) -> None:
    if path.exists():
        return
    t0 = time.perf_counter()
    n, size = make_corpus(path, size_mb, seed)
    print(f"generated {path}: {n} documents, {size / 1e6:.1f} MB in {time.perf_counter() - t0:.1f}s")


def make_snapshot(commit: str) -> tuple[Path, str]:
    """``cleaner/`` and ``rules/`` of ``commit``, extracted (once) under bench/out/snapshot-<sha>/.

    Other people edit cleaner/ and rules/ while a benchmark runs; timing a frozen copy means that
    every ``--jobs`` run cleans with the same code and rules, so their outputs can be compared.
    """
    root = BENCH.parent
    sha = subprocess.run(
        ["git", "rev-parse", "--short", commit], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()
    dest = OUT / f"snapshot-{sha}"
    if not (dest / "cleaner" / "__init__.py").exists():
        data = subprocess.run(
            ["git", "archive", "--format=tar", sha, "cleaner", "rules"], cwd=root, capture_output=True, check=True
        ).stdout
        tmp = OUT / f".snapshot-{sha}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(tmp, filter="data")
        shutil.rmtree(dest, ignore_errors=True)
        tmp.rename(dest)
    return dest, sha


#: Set by ``--snapshot``: the directory whose ``cleaner`` package the CLI runs.
SNAPSHOT: Path | None = None


def snapshot_env() -> dict[str, Any]:
    """``env`` and ``cwd`` for a subprocess that must import ``cleaner`` from the snapshot.

    ``python -c`` puts the working directory first on ``sys.path`` (before ``PYTHONPATH``), and the
    editable install points at the checkout, so the child runs in the snapshot directory.
    """
    if SNAPSHOT is None:
        return {}
    env = dict(os.environ)
    env["PYTHONPATH"] = str(SNAPSHOT) + os.pathsep + env.get("PYTHONPATH", "")
    return {"env": env, "cwd": str(SNAPSHOT)}


def check_snapshot_import() -> None:
    """Fail unless a child process started like the benchmark runs imports the snapshot's cleaner."""
    if SNAPSHOT is None:
        return
    probe = [
        sys.executable,
        "-c",
        "import cleaner.cli, cleaner.ruleset.model as r; print(cleaner.cli.__file__, r.default_rules_dir())",
    ]
    got = subprocess.run(probe, capture_output=True, text=True, check=True, **snapshot_env()).stdout.split()
    if not all(Path(p).resolve().is_relative_to(SNAPSHOT.resolve()) for p in got):
        raise SystemExit(f"snapshot not in effect: the child imports {got}")


def cleaner_command() -> list[str]:
    """The installed ``cleaner`` script of this interpreter (else on PATH, else via ``-c``).

    With a snapshot, the same entry point (``cleaner.cli:main``) imported from the snapshot.
    """
    if SNAPSHOT is not None:
        return [sys.executable, "-c", "import sys; from cleaner.cli import main; sys.exit(main())"]
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
    proc = subprocess.run(cmd, capture_output=True, text=True, **snapshot_env())
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}")
    summary = next((ln for ln in proc.stderr.splitlines() if " documents, " in ln), "")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "summary": summary, "load": f"{load0:.1f}/{os.getloadavg()[0]:.1f}"}


def throughput(args: argparse.Namespace) -> int:
    corpus = (args.corpus or corpus_path(args.size_mb)).resolve()
    ensure_corpus(corpus, args.size_mb, args.seed)
    size = corpus.stat().st_size
    docs = count_lines(corpus)
    print(f"corpus {corpus}: {size / 1e6:.1f} MB, {docs} documents")
    if SNAPSHOT is not None:
        check_snapshot_import()
        print(f"code: snapshot {SNAPSHOT.name} (committed code, frozen for all runs); {rule_count(SNAPSHOT)}")
    else:
        print(f"code: working tree {code_version()}; {rule_count()}")
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
    print("| jobs | seconds | MB/s | docs/s | CPU s (user+sys) | cores busy | MB per CPU-s | speed-up | load avg |")
    print("|-----:|--------:|-----:|-------:|-----------------:|-----------:|-------------:|---------:|---------:|")
    base = float(rows[0][1]["wall"])
    for jobs, r, _ in rows:
        wall, cpu = float(r["wall"]), float(r["cpu"])
        mbs, dps = size / 1e6 / wall, docs / wall
        print(
            f"| {jobs} | {wall:.1f} | {mbs:.3f} | {dps:.1f} | {cpu:.1f} | {cpu / wall:.2f} | {size / 1e6 / cpu:.3f} "
            f"| {base / wall:.2f}x | {r['load']} |"
        )
    print(
        "(cores busy = CPU s / wall s: well under --jobs means the machine was shared and the wall-clock\n"
        " figures are lower bounds; MB per CPU-s is the code's cost, less sensitive to other load)"
    )
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
    from cleaner.io.discover import ReadReport
    from cleaner.io.readers import parse_jsonl

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


def clear_caches() -> int:
    """Empty the memo caches of cleaner's modules (``lru_cache`` functions, and dicts of them such
    as ``registry.SHAPES``), so that a second pass over the same documents is not timed warm.
    Rule-loading caches (``cleaner.ruleset.model``) stay: they are start-up, not per-document work."""
    n = 0
    for name, module in list(sys.modules.items()):
        if not name.startswith("cleaner.") or name == "cleaner.ruleset.model":
            continue
        for value in list(vars(module).values()):
            targets = value.values() if isinstance(value, dict) else (value,)
            for v in targets:
                if callable(getattr(v, "cache_clear", None)):
                    v.cache_clear()
                    n += 1
    return n


class StepTimer:
    """Wraps the pipeline's step functions, as ``cleaner.pipeline`` looks them up, with timers.

    Nothing is re-implemented: ``Cleaner.clean`` runs as it is, whatever its control flow, and
    each call it makes to a repair in ``REPAIRS``, to ``detect_language``/``language_sample`` or
    to ``apply_boilerplate`` is timed; the rest of ``clean`` is bookkeeping (edit line mapping).
    The inputs of ``apply_boilerplate`` are kept (up to ``keep_chars``) for the per-rule timings.
    """

    def __init__(self, keep_chars: int = 0) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.calls: defaultdict[str, int] = defaultdict(int)
        self.kept: list[tuple[str, tuple[Any, ...]]] = []
        self.keep_chars = keep_chars
        self._kept_chars = 0
        self._saved: dict[str, Any] = {}

    def _wrap(self, label: str, fn: Any, keep: bool = False) -> Any:
        pc = time.perf_counter
        seconds, calls = self.seconds, self.calls

        def timed(*args: Any, **kwargs: Any) -> Any:
            if keep and self._kept_chars < self.keep_chars:
                self.kept.append((args[0], args[1]))
                self._kept_chars += len(args[0])
            t0 = pc()
            try:
                return fn(*args, **kwargs)
            finally:
                seconds[label] += pc() - t0
                calls[label] += 1

        return timed

    def __enter__(self) -> StepTimer:
        import cleaner.pipeline as pipeline

        self._saved = {k: getattr(pipeline, k) for k in ("REPAIRS", "detect_language", "apply_boilerplate")}
        if hasattr(pipeline, "language_sample"):
            self._saved["language_sample"] = pipeline.language_sample
        rules = {r.function: r for r in pipeline.Cleaner(pipeline.Settings()).rules.repairs}

        def repair_label(name: str) -> str:
            code = rules[name].code if name in rules else "?"
            group = {"EN": "encoding", "WS": "whitespace"}.get(code[:2], "repair")
            return f"{group}: {code} {name}"

        pipeline.REPAIRS = {k: self._wrap(repair_label(k), f) for k, f in self._saved["REPAIRS"].items()}
        pipeline.detect_language = self._wrap("language: detect_language", self._saved["detect_language"])
        if "language_sample" in self._saved:
            pipeline.language_sample = self._wrap("language: language_sample", self._saved["language_sample"])
        pipeline.apply_boilerplate = self._wrap(
            "boilerplate: apply_boilerplate", self._saved["apply_boilerplate"], keep=True
        )
        return self

    def __exit__(self, *exc: object) -> None:
        import cleaner.pipeline as pipeline

        for k, v in self._saved.items():
            setattr(pipeline, k, v)


def stage_timings(docs_data: bytes, keep_mb: float) -> StepTimer:
    """Time each step function of the pipeline over the documents, as ``Cleaner.clean`` calls them."""
    from cleaner.io.writers import dumps, output_record
    from cleaner.pipeline import Cleaner
    from cleaner.settings import Settings
    from cleaner.text.language import detect_language

    pc = time.perf_counter
    detect_language("A warm-up sentence, so that loading the language profiles is not timed here.")
    clear_caches()
    t0 = pc()
    docs = parse_slice(docs_data)
    read = pc() - t0
    cleaner = Cleaner(Settings())
    with StepTimer(int(keep_mb * 1_000_000)) as timer:
        t0 = pc()
        for doc in docs:
            cleaner.clean(doc)
        clean = pc() - t0
    t0 = pc()
    for doc in docs:
        dumps(output_record(doc))
    t = dict(timer.seconds)
    t["bookkeeping: rest of Cleaner.clean (edit line mapping, rule selection)"] = clean - sum(timer.seconds.values())
    t["read: parse JSONL (orjson, Document)"] = read
    t["write: output_record + orjson dumps"] = pc() - t0
    total = sum(t.values())
    mb = len(docs_data) / 1e6
    print(
        f"\nStage timings, {len(docs)} documents, {mb:.1f} MB, {total:.1f}s ({mb / total:.3f} MB/s single core, "
        f"no profiler):"
    )
    print("| stage | calls | seconds | share | ms/doc |")
    print("|---|---:|---:|---:|---:|")
    groups: defaultdict[str, float] = defaultdict(float)
    for k, v in sorted(t.items(), key=lambda kv: -kv[1]):
        groups[k.split(":")[0]] += v
        calls = timer.calls.get(k, "")
        print(f"| {k} | {calls} | {v:.2f} | {100 * v / total:.1f}% | {1000 * v / len(docs):.2f} |")
    ranked = sorted(groups.items(), key=lambda kv: -kv[1])
    print("\nBy group: " + ", ".join(f"{g} {100 * v / total:.1f}%" for g, v in ranked))
    return timer


def boilerplate_rule_timings(inputs: list[tuple[str, tuple[Any, ...]]]) -> None:
    """Each boilerplate rule applied alone to the texts the pipeline gave ``apply_boilerplate``."""
    from cleaner.boilerplate.engine import apply_boilerplate

    if not inputs:
        return
    pc = time.perf_counter
    times: defaultdict[Any, float] = defaultdict(float)
    rules = {r.code: r for _, active in inputs for r in active}
    for code, rule in sorted(rules.items()):
        clear_caches()
        t0 = pc()
        for text, active in inputs:
            if rule in active:
                apply_boilerplate(text, (rule,))
        times[code] = pc() - t0
    clear_caches()
    t0 = pc()
    for text, active in inputs:
        apply_boilerplate(text, active)
    together = pc() - t0
    clear_caches()
    t0 = pc()
    for text, _ in inputs:
        apply_boilerplate(text, ())
    empty = pc() - t0
    alone = sum(times.values())
    mb = sum(len(text) for text, _ in inputs) / 1e6
    print(
        f"\nBoilerplate rules, each applied alone to the {len(inputs)} texts ({mb:.1f} M chars) that the pipeline "
        f"passed to apply_boilerplate; all together {together:.2f}s, no rules (line split only) {empty:.2f}s:"
    )
    print("| rule | kind | seconds alone | share of sum |")
    print("|---|---|---:|---:|")
    for code, v in sorted(times.items(), key=lambda kv: -kv[1]):
        r = rules[code]
        print(f"| {code} {r.slug} | {r.kind} | {v:.2f} | {100 * v / alone:.1f}% |")


def profile(args: argparse.Namespace) -> int:
    from cleaner.io.discover import ReadReport
    from cleaner.io.readers import parse_jsonl
    from cleaner.pipeline import clean_stream
    from cleaner.settings import Settings

    corpus = (args.corpus or corpus_path(args.size_mb)).resolve()
    ensure_corpus(corpus, args.size_mb, args.seed)
    data = read_slice(corpus, args.profile_mb)
    print(f"profiling {len(data) / 1e6:.1f} MB of {corpus} in-process, one job")
    import cleaner

    where = f"snapshot {SNAPSHOT.name}" if SNAPSHOT is not None else f"working tree {code_version()}"
    print(f"code: {where} ({Path(cleaner.__file__).parent}); {rule_count()}")
    Settings().ruleset()  # rule loading outside the profile: it is start-up, not throughput
    clear_caches()
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
    timer = stage_timings(data, args.rules_mb)
    boilerplate_rule_timings(timer.kept)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=100.0, help="corpus size, MB (default 100)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="--jobs values to run (default 1 2)")
    parser.add_argument("--corpus", type=Path, help="default bench/out/corpus-<size>mb.jsonl, generated if missing")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--snapshot",
        nargs="?",
        const="HEAD",
        metavar="COMMIT",
        help="time a frozen copy of COMMIT's cleaner/ and rules/ (default HEAD) instead of the working tree",
    )
    parser.add_argument("--profile", action="store_true", help="profile in-process instead of timing the CLI")
    parser.add_argument("--profile-mb", type=float, default=10.0, help="MB to profile (default 10)")
    parser.add_argument(
        "--rules-mb", type=float, default=2.0, help="MB of text for the per-boilerplate-rule timings (0: skip)"
    )
    parser.add_argument("--top", type=int, default=25, help="functions to list (default 25)")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    if args.snapshot:
        global SNAPSHOT
        SNAPSHOT, _ = make_snapshot(args.snapshot)
        sys.path.insert(0, str(SNAPSHOT))  # --profile imports cleaner from the snapshot too
    return profile(args) if args.profile else throughput(args)


if __name__ == "__main__":
    sys.exit(main())
