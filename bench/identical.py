"""Are the outputs of the three commands the same bytes as when they were recorded?

A restructuring must not change what users get.  This script runs ``cleaner clean`` (full JSONL
records with every edit, and ``--explain``), ``cleaner dedup`` (the verdicts) and ``cleaner index``
(INDEX.md) on the seeds, the raw seed fixtures and every task of ``../shared/eval/dev/``, and
stores the SHA-256 of each output; ``check`` runs them again and lists what differs.

    python bench/identical.py record            # write bench/identical.json
    python bench/identical.py check             # exit 1 if an output differs from the record
    python bench/identical.py check --keep DIR  # ... and keep the outputs to look at

Paths are given relative to the repository root (the script runs there), so that the ids and
sources in the outputs do not depend on where the checkout lies.  The rule-set digest and the
version in INDEX.md's settings table are masked: moving a word list into ``rules/`` changes the
digest (it covers every file of the rules directory) and nothing else.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "bench" / "identical.json"
#: The corpora, as paths relative to the repository root.
CORPORA = ["seeds", "tests/fixtures/raw"] + [
    f"../shared/eval/dev/{task}.jsonl" for task in ("inline", "glued", "flat", "lead", "dups")
]
#: The settings lines of INDEX.md whose values change with the rules' files or the version, not with results.
_MASKED = re.compile(rb"^\| (rules|cleaner) \| [^|]* \|$", re.MULTILINE)


def _run(args: list[str], stdout: Path | None = None) -> bytes:
    done = subprocess.run(
        [sys.executable, "-m", "cleaner", *args], cwd=ROOT, capture_output=True, check=False, timeout=3600
    )
    if done.returncode not in (0, 1):
        raise SystemExit(f"cleaner {' '.join(args)}: exit {done.returncode}\n{done.stderr.decode(errors='replace')}")
    return done.stdout


def outputs(corpus: str, work: Path, jobs: int) -> dict[str, bytes]:
    """The outputs of the three commands on one corpus, by name."""
    slug = re.sub(r"[^\w]+", "_", corpus).strip("_")
    clean, verdicts = work / f"{slug}.clean.jsonl", work / f"{slug}.dedup.jsonl"
    explain = _run(["clean", corpus, "-o", str(clean), "--explain", "--jobs", str(jobs)])
    _run(["dedup", corpus, "-o", str(verdicts), "--jobs", str(jobs)])
    # to stdout: its paths are relative to the repository root (a file's are relative to its folder)
    manifest = _run(["index", corpus, "-o", "-", "--jobs", str(jobs)])
    (work / f"{slug}.INDEX.md").write_bytes(manifest)
    return {
        "clean": clean.read_bytes(),
        "explain": explain,
        "dedup": verdicts.read_bytes(),
        "index": _MASKED.sub(rb"| \1 | (masked) |", manifest),
    }


def digests(jobs: int, keep: Path | None) -> dict[str, str]:
    """``corpus/output`` -> SHA-256, for every corpus present (the dev set needs ../shared)."""
    found: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="cleaner-identical-") as tmp:
        work = keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for corpus in CORPORA:
            if not (ROOT / corpus).exists():
                print(f"{corpus}: not here, skipped", file=sys.stderr)
                continue
            for name, data in outputs(corpus, work, jobs).items():
                found[f"{corpus} {name}"] = hashlib.sha256(data).hexdigest()
                print(f"{corpus} {name}: {len(data):,} bytes", file=sys.stderr)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["record", "check"])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="keep the outputs in this folder")
    args = parser.parse_args()
    now = digests(args.jobs, args.keep)
    if args.mode == "record":
        RECORD.write_text(json.dumps(now, indent=2, sort_keys=True) + "\n", "utf-8")
        print(f"{RECORD.relative_to(ROOT)}: {len(now)} outputs recorded")
        return 0
    recorded = json.loads(RECORD.read_text("utf-8"))
    differ = sorted(k for k in now if recorded.get(k) != now[k])
    missing = sorted(set(recorded) - set(now))
    for k in differ:
        print(f"DIFFERS  {k}")
    for k in missing:
        print(f"NOT RUN  {k}")
    note = f"; {len(missing)} not run" if missing else ""
    print(f"{len(now) - len(differ)} of {len(now)} outputs identical to the record{note}")
    return 1 if differ else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
