"""``cleaner clean`` against what users would otherwise run, in one run on one corpus (issue 12).

    python bench/peers.py [--corpus generated|web-inline|PATH ...] [--repeat 1] [--shared DIR] [--json PATH]

For each corpus (default: ``generated`` then ``web-inline``, each its own table) it times, over all
documents of the corpus:

    read        read the JSONL file and ``orjson.loads`` each line (the floor every tool pays)
    ftfy        ``ftfy.fix_text`` with datatrove's ``FTFYFormatter`` settings
    langdetect  ``langdetect.detect_langs`` on whole documents (seed 0, profiles loaded first)
    minhash     datasketch ``MinHash.bulk``, 128 permutations, word 5-grams (lowercased ``\\w+``
                tokens), shingling included, in batches of 1,000 documents
    cleaner dedup signing
                ``cleaner.dedup.Signer`` on the same documents with 5-gram shingles (its own
                tokens), as ``bench/minhash_speed.py`` does; its speed-up over ``MinHash.bulk`` is
                printed under the table (project target: >= 3.5x)
    datatrove   ``FTFYFormatter()`` then ``C4QualityFilter()`` (defaults, spacy tokenizer warmed
                up first) over ``datatrove.data.Document``s, chained ``.run()`` generators consumed
    cleaner clean --jobs 1 / --jobs 2
                ``python -m cleaner clean CORPUS -o bench/out/peers-*.jsonl --jobs N`` in a
                subprocess, wall clock including start-up; CPU seconds and peak RSS (largest
                process) from ``os.wait4``

Every step is timed with ``time.perf_counter`` (wall) and ``time.process_time`` (CPU; children's
rusage for the command line), best of ``--repeat``.  The table gives seconds, CPU s, MB/s, docs/s,
MB per CPU-s, and "cleaner --jobs 1 vs this" = cleaner's MB/s / the step's MB/s (above 1: cleaner
is faster).  MB are 10^6 bytes of input JSONL.

Corpora: ``generated`` repeats ``../shared/eval/dev/inline.jsonl`` (``{"id": "<id>-<k>", "text"}``)
until the file reaches 10,000,000 bytes (1,811 documents) in bench/out/peers-generated-10mb.jsonl;
``web-inline`` is ``../shared/eval/web/inline.jsonl.gz`` decompressed once into
bench/out/web-inline.jsonl (``id``, ``text`` and ``url``, which corpus evidence uses); a PATH is
any .jsonl (or .jsonl.gz, decompressed the same way).  Without the shared eval folder the named
corpora are skipped.

datatrove and spacy are not dependencies of the project: without them the datatrove row is skipped
(``pip install -e ".[bench]"`` to compare).  The cleaner rows run the working tree,
which other people may be editing: the code version is printed.  On a shared machine absolute
times are noise; the ratios within one run are what count.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import gzip
import importlib.util
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import orjson

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
DEFAULT_SHARED = Path(__file__).resolve().parents[1].parent / "shared"
GENERATED_BYTES = 10_000_000
NUM_PERM = 128
NGRAM = 5
BATCH = 1000
CLEANER_1 = "cleaner clean --jobs 1"
CLEANER_2 = "cleaner clean --jobs 2"
SIGNING = "cleaner dedup signing"
WORD = re.compile(r"\w+")

Record = dict[str, Any]


# --- corpora ----------------------------------------------------------------------------------


def generated_bytes(source: Path) -> bytes:
    """``source``'s records repeated (ids suffixed ``-k``) until the JSONL reaches 10^7 bytes."""
    with open(source, "rb") as f:
        records = [orjson.loads(line) for line in f if line.strip()]
    if not records:
        raise SystemExit(f"{source} has no records")
    lines: list[bytes] = []
    size = k = 0
    while size < GENERATED_BYTES:
        for r in records:
            line = orjson.dumps({"id": f"{r['id']}-{k}", "text": r["text"]}) + b"\n"
            lines.append(line)
            size += len(line)
            if size >= GENERATED_BYTES:
                break
        k += 1
    return b"".join(lines)


def write_once(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` unless the file is already there with the same size."""
    if path.exists() and path.stat().st_size == len(data):
        return
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def decompressed(source: Path, dest: Path) -> Path:
    """``source`` (.jsonl.gz) as JSONL with each record's ``id``, ``text`` and ``url``, once."""
    if dest.exists() and dest.stat().st_mtime >= source.stat().st_mtime:
        return dest
    lines = []
    with gzip.open(source, "rb") as f:
        for line in f:
            if not line.strip():
                continue
            r = orjson.loads(line)
            keep = {k: r[k] for k in ("id", "text", "url") if k in r}
            lines.append(orjson.dumps(keep) + b"\n")
    write_once(dest, b"".join(lines))
    return dest


def resolve_corpus(name: str, shared: Path) -> tuple[str, Path] | None:
    """The label and JSONL path of ``--corpus name``, building it if needed; None if unavailable."""
    OUT.mkdir(parents=True, exist_ok=True)
    if name in ("generated", "web-inline"):
        source = shared / "eval" / ("dev/inline.jsonl" if name == "generated" else "web/inline.jsonl.gz")
        if not source.exists():
            print(f"skipped corpus {name}: {source} not found (give the shared folder with --shared)")
            return None
        if name == "generated":
            path = OUT / "peers-generated-10mb.jsonl"
            write_once(path, generated_bytes(source))
            return name, path
        return name, decompressed(source, OUT / "web-inline.jsonl")
    path = Path(name).resolve()
    if not path.exists():
        raise SystemExit(f"corpus {path} not found")
    if path.name.endswith(".gz"):
        path = decompressed(path, OUT / path.name.removesuffix(".gz"))
    return path.stem, path


# --- steps ------------------------------------------------------------------------------------


class Timing:
    """Best wall and CPU seconds over the repeats of one step."""

    def __init__(self) -> None:
        self.wall = float("inf")
        self.cpu = float("inf")
        self.rss_mb: float | None = None
        self.note = ""

    def add(self, wall: float, cpu: float) -> None:
        if wall < self.wall:
            self.wall, self.cpu = wall, cpu


def timed(fn: Callable[[], object], repeat: int) -> Timing:
    """``fn`` run ``repeat`` times in this process; best wall time and its CPU time."""
    t = Timing()
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        t.add(time.perf_counter() - w0, time.process_time() - c0)
    return t


def read_records(path: Path) -> list[Record]:
    with open(path, "rb") as f:
        return [orjson.loads(line) for line in f if line.strip()]


def ftfy_config() -> Any:
    """datatrove's ``FTFYFormatter`` settings, or the same settings written out without datatrove."""
    try:
        from datatrove.pipeline.formatters import FTFYFormatter  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        from ftfy import TextFixerConfig

        # datatrove 0.10's FTFYFormatter defaults: ftfy's own, minus the normalising fixes
        return TextFixerConfig(
            fix_latin_ligatures=False,
            fix_character_width=False,
            uncurl_quotes=False,
            fix_line_breaks=False,
            normalization=None,
        )
    return FTFYFormatter().config


def step_ftfy(texts: list[str], repeat: int) -> Timing:
    import ftfy

    config = ftfy_config()
    return timed(lambda: [ftfy.fix_text(t, config=config) for t in texts], repeat)


def step_langdetect(texts: list[str], repeat: int) -> Timing:
    from langdetect import DetectorFactory, detect_langs
    from langdetect.detector_factory import init_factory
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    init_factory()

    def run() -> None:
        for text in texts:
            with contextlib.suppress(LangDetectException):
                detect_langs(text)

    return timed(run, repeat)


def shingles(text: str) -> list[bytes]:
    words = WORD.findall(text.lower())
    if not words:
        return []
    k = min(NGRAM, len(words))
    return [" ".join(words[i : i + k]).encode("utf-8") for i in range(len(words) - k + 1)]


def step_minhash(texts: list[str], repeat: int) -> Timing:
    from datasketch import MinHash

    def run() -> None:
        for start in range(0, len(texts), BATCH):
            MinHash.bulk([shingles(t) for t in texts[start : start + BATCH]], num_perm=NUM_PERM)

    return timed(run, repeat)


def step_signing(texts: list[str], repeat: int) -> Timing | str:
    try:
        from cleaner.dedup import Params, Signer
    except ImportError as e:
        return f"cleaner.dedup.Signer not importable ({e})"
    signer = Signer(Params(num_perm=NUM_PERM, ngram=NGRAM))
    signer.sign("A warm-up sentence, so that nothing lazy is timed below.")
    return timed(lambda: [signer.sign(t) for t in texts], repeat)


def step_datatrove(records: list[Record], repeat: int) -> Timing | str:
    try:
        import spacy  # noqa: F401
        from datatrove.data import Document  # type: ignore[import-untyped,import-not-found,unused-ignore]
        from datatrove.pipeline.filters import C4QualityFilter  # type: ignore[import-untyped,import-not-found,unused-ignore]
        from datatrove.pipeline.formatters import FTFYFormatter  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError as e:
        return f"skipped ({e}): pip install -e '.[bench]' to compare"

    def pipeline(items: list[Record]) -> int:
        docs: Iterator[Any] = (Document(text=r["text"], id=str(r.get("id", i))) for i, r in enumerate(items))
        data = FTFYFormatter().run(docs, rank=0, world_size=1)
        data = C4QualityFilter().run(data, rank=0, world_size=1)
        return sum(1 for _ in data)

    try:
        pipeline(records[:1])  # loads spacy's tokenizer
    except Exception as e:  # a missing spacy model or language data
        return f"skipped ({type(e).__name__}: {e}): pip install -e '.[bench]' to compare"
    kept: list[int] = []
    t = timed(lambda: kept.append(pipeline(records)), repeat)
    t.note = f"C4 filter kept {kept[-1]} of {len(records)}"
    return t


#: Set by ``--snapshot``: the directory whose ``cleaner`` package the cleaner rows run.
SNAPSHOT: Path | None = None


def child_env() -> dict[str, Any]:
    """``env`` and ``cwd`` for the command line: the checkout, or the snapshot's ``cleaner`` first.

    ``python -m`` puts the working directory first on ``sys.path``, ahead of the editable install.
    """
    if SNAPSHOT is None:
        return {"cwd": ROOT}
    env = dict(os.environ)
    env["PYTHONPATH"] = str(SNAPSHOT) + os.pathsep + env.get("PYTHONPATH", "")
    return {"env": env, "cwd": SNAPSHOT}


def use_snapshot(commit: str) -> str:
    """Freeze ``commit``'s cleaner/ and rules/ (``bench/throughput.py``'s snapshot) for the cleaner rows."""
    global SNAPSHOT
    sys.path.insert(0, str(BENCH))
    from throughput import make_snapshot

    SNAPSHOT, sha = make_snapshot(commit)
    sys.path.insert(0, str(SNAPSHOT))  # the in-process signer too
    probe = [sys.executable, "-c", "import cleaner.cli, cleaner.ruleset.model as r; print(cleaner.cli.__file__)"]
    got = subprocess.run(probe, capture_output=True, text=True, check=True, **child_env()).stdout.strip()
    if not Path(got).resolve().is_relative_to(SNAPSHOT.resolve()):
        raise SystemExit(f"snapshot not in effect: the child imports {got}")
    return sha


def step_cli(label: str, corpus: Path, jobs: int, repeat: int) -> Timing | str:
    """``python -m cleaner clean`` in a subprocess: wall clock with start-up, CPU and peak RSS of the child."""
    out = OUT / f"peers-{label}-cleaned-jobs{jobs}.jsonl"
    cmd = [sys.executable, "-m", "cleaner", "clean", str(corpus), "-o", str(out), "--jobs", str(jobs)]
    t = Timing()
    for _ in range(repeat):
        with tempfile.TemporaryFile() as log:
            w0 = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=log, stderr=log, **child_env())
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - w0
            proc.returncode = os.waitstatus_to_exitcode(status)
            log.seek(0)
            output = log.read().decode("utf-8", "replace")
        if proc.returncode != 0:
            sys.stderr.write(output)
            last = (output.strip().splitlines() or ["no output"])[-1]
            return f"failed: exit {proc.returncode} ({last})"
        # ru_maxrss (KiB on Linux) of the child and of the descendants it waited for: the largest process
        if wall < t.wall:
            t.rss_mb = usage.ru_maxrss / 1024
            t.note = next((ln.strip() for ln in output.splitlines() if " documents" in ln), "")
        t.add(wall, usage.ru_utime + usage.ru_stime)
    return t


# --- report -----------------------------------------------------------------------------------


def versions() -> dict[str, str]:
    found = {}
    for name in ("cleaner", "datatrove", "ftfy", "langdetect", "datasketch", "spacy", "orjson"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown"
    m = re.search(r"^model name\s*:\s*(.+)$", text, re.M)
    return m.group(1).strip() if m else platform.processor() or "unknown"


def code_version() -> str:
    """The commit, and whether cleaner/ or rules/ have uncommitted changes (bench/throughput.py's)."""
    sys.path.insert(0, str(BENCH))
    from throughput import code_version as commit_and_changes

    return "working tree " + commit_and_changes()


def environment() -> dict[str, Any]:
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "versions": versions(),
        "code": code_version(),
        "load_average": os.getloadavg()[0],
    }


def run_corpus(label: str, path: Path, repeat: int) -> dict[str, Any]:
    size = path.stat().st_size
    mb = size / 1e6
    print(f"\n## {label}: {path} ({mb:.2f} MB)", flush=True)
    timings: dict[str, Timing | str] = {}
    records: list[Record] = []

    def read() -> None:
        records[:] = read_records(path)

    def progress(name: str) -> None:
        t = timings[name]
        print(f"  {name}: {t if isinstance(t, str) else f'{t.wall:.2f}s'}", flush=True)

    timings["read"] = timed(read, repeat)
    docs = len(records)
    texts = [r["text"] for r in records]
    print(f"  {docs} documents, load average {os.getloadavg()[0]:.2f}", flush=True)
    progress("read")
    steps: list[tuple[str, Callable[[], Timing | str]]] = [
        ("ftfy", lambda: step_ftfy(texts, repeat)),
        ("langdetect", lambda: step_langdetect(texts, repeat)),
        ("minhash", lambda: step_minhash(texts, repeat)),
        (SIGNING, lambda: step_signing(texts, repeat)),
        ("datatrove", lambda: step_datatrove(records, repeat)),
        (CLEANER_1, lambda: step_cli(label, path, 1, repeat)),
        (CLEANER_2, lambda: step_cli(label, path, 2, repeat)),
    ]
    for name, fn in steps:
        timings[name] = fn()
        progress(name)

    base = timings[CLEANER_1]
    base_mbs = mb / base.wall if isinstance(base, Timing) else None
    rows: list[dict[str, Any]] = []
    print()
    print(
        "| step | seconds | CPU s | MB/s | docs/s | MB per CPU-s | cleaner --jobs 1 vs this | peak RSS MB |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    for name, t in timings.items():
        if isinstance(t, str):
            print(f"| {name} | {t} | | | | | | |")
            rows.append({"step": name, "skipped": t})
            continue
        mbs = mb / t.wall
        row = {
            "step": name,
            "seconds": t.wall,
            "cpu_seconds": t.cpu,
            "mb_per_s": mbs,
            "docs_per_s": docs / t.wall,
            "mb_per_cpu_s": mb / t.cpu if t.cpu > 0 else None,
            "cleaner_jobs1_vs_this": base_mbs / mbs if base_mbs else None,
            "peak_rss_mb": t.rss_mb,
            "note": t.note,
        }
        rows.append(row)
        per_cpu = f"{mb / t.cpu:.3f}" if t.cpu > 0 else ""
        rss = f"{t.rss_mb:.0f}" if t.rss_mb is not None else ""
        ratio = f"{base_mbs / mbs:.3f}" if base_mbs else ""
        print(
            f"| {name} | {t.wall:.2f} | {t.cpu:.2f} | {mbs:.3f} | {docs / t.wall:.1f} | {per_cpu} | {ratio} | {rss} |"
        )
    result: dict[str, Any] = {"corpus": label, "path": str(path), "bytes": size, "documents": docs, "steps": rows}
    two = timings[CLEANER_2]
    if isinstance(two, Timing):
        result["jobs2_mb_per_s_per_core"] = mb / two.wall / 2
        print(f"\n{CLEANER_2}: {mb / two.wall:.3f} MB/s, {mb / two.wall / 2:.3f} MB/s per core")
    sign, bulk = timings[SIGNING], timings["minhash"]
    if isinstance(sign, Timing) and isinstance(bulk, Timing):
        result["signing_speedup_vs_minhash_bulk"] = bulk.wall / sign.wall
        print(
            f"{SIGNING} vs MinHash.bulk ({NUM_PERM} permutations, word {NGRAM}-grams): "
            f"{bulk.wall / sign.wall:.1f}x faster (target >= 3.5x)"
        )
    for name, t in timings.items():
        if isinstance(t, Timing) and t.note:
            print(f"  {name}: {t.note}")
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    ap.add_argument(
        "--corpus",
        nargs="+",
        default=["generated", "web-inline"],
        help="generated, web-inline or a .jsonl[.gz] PATH (default: generated web-inline)",
    )
    ap.add_argument("--repeat", type=int, default=1, help="best of this many runs of each step")
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared folder holding eval/")
    ap.add_argument("--json", type=Path, help="write every number to this JSON file")
    ap.add_argument(
        "--snapshot",
        nargs="?",
        const="HEAD",
        metavar="COMMIT",
        help="run a frozen copy of COMMIT's cleaner/ and rules/ (default HEAD), not the working tree others edit",
    )
    args = ap.parse_args()
    shared: Path = args.shared.resolve()
    needs_shared = [c for c in args.corpus if c in ("generated", "web-inline")]
    if needs_shared and not (shared / "eval").is_dir() and len(needs_shared) == len(args.corpus):
        print(f"skipped: the shared eval folder {shared / 'eval'} is not there (give it with --shared)")
        return 0

    env = environment()
    if args.snapshot:
        env["code"] = f"snapshot of {use_snapshot(args.snapshot)} (bench/out/snapshot-*, committed code)"
    print(f"date: {env['date']}")
    print(f"platform: {env['platform']}; CPU: {env['cpu']} ({env['cores']} cores); python {env['python']}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in env["versions"].items()))
    print(f"code: {env['code']}")
    print("(absolute times on a shared machine are noise; compare the ratios within one run)")
    if importlib.util.find_spec("datatrove") is None:
        print("(datatrove not installed: ftfy runs with its FTFYFormatter settings written out here)")

    results = []
    for name in args.corpus:
        corpus = resolve_corpus(name, shared)
        if corpus is not None:
            results.append(run_corpus(*corpus, args.repeat))
    if args.json:
        args.json.write_text(json.dumps({"environment": env, "corpora": results}, indent=2) + "\n")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
