"""BP028 comment-thread on ``web/``: the pages whose sites were read while the rule was written, and the rest.

    python bench/eval_thread.py [--task inline]

The signature forms of BP028 were written from the comment threads of a few pages of
``../shared/eval/web`` (their sites are in :data:`READ`: the pages looked at while writing it,
and those whose losses were looked at while narrowing it).  The figures that count are those of
the pages of the other sites, which the rule never saw.  Each part is cleaned twice, with every
rule and with every rule but BP028, and scored with the set's scorer.

``prose_lost_per_1000`` counts the gold's sentences that the output lost.  Some pages' gold keeps
their readers' comments, against the set's own rule (its README says such pages were left out);
they are listed, with what BP028 costs there, and the figures are given without them as well.  A
page counts as one whose gold keeps its thread when BP028 found a thread there and at least half
of the thread's lines of ten words or more are gold lines.

Run on 2026-12-02 (see bench/RESULTS.md for the table).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import eval_dev

from cleaner.corpus import Repeats
from cleaner.document import Document
from cleaner.pipeline import Cleaner
from cleaner.settings import Settings

#: The hosts (or page ids, for pages without a url) of ``web/`` that were read while BP028 was written.
READ = frozenset(
    {
        "www.fourhourworkweek.com",
        "www.athleticsnation.com",
        "news.slashdot.org",
        "games.slashdot.org",
        "politics.slashdot.org",
        "randfishkin.com",
        "dragnet_data-R990",
        "dragnet_data-R187",
        "www.catscratchreader.com",
        "dragnet_data-20",
        "dragnet_data-248",
        "cleaneval-dev-57",
        "cleaneval-dev-46",
        "cleaneval-dev-20",
        "cleaneval-dev-8",
        "cleaneval-dev-19",
        "readability-wikipedia",
        "readability-wikipedia-2",
        "dragnet_data-R180",
        "dragnet_data-R465",
        "www.hanneli.com",
        "blog.penelopetrunk.com",
        "earlyretirementextreme.com",
        "torasrealfood.blogspot.com",
        "www.tomahawknation.com",
        # read while BP028's joints (run-together threads) were written, 2026-12-02
        "www.everywhereist.com",
        "www.thefirearmblog.com",
        "www.brightsideofthesun.com",
        "www.zerohedge.com",
        "www.guardian.co.uk",
        "blogs.discovermagazine.com",
    }
)
_WORD = re.compile(r"\w+")
KEYS = ("recall", "junk_removed", "prose_lost_per_1000")


def site(rid: str, url: str | None) -> str:
    host = urlsplit(url).hostname if url else None
    return host or rid


def clean_all(records: dict[str, Any], settings: Settings) -> dict[str, Document]:

    cleaner = Cleaner(settings, Repeats().add_all(eval_dev.documents(records)))
    return {d.id: cleaner.clean(d) for d in eval_dev.documents(records)}


def gold_keeps_thread(record: dict[str, Any], doc: Document) -> bool:
    gold = {" ".join(_WORD.findall(line.lower())) for line in record["gold"].split("\n")}
    long_lines = [
        " ".join(_WORD.findall(line.lower()))
        for e in doc.edits
        if e.code == "BP028"
        for line in e.removed.split("\n")
        if len(_WORD.findall(line)) >= 10
    ]
    return bool(long_lines) and 2 * sum(k in gold for k in long_lines) >= len(long_lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--task", default="inline")
    args = parser.parse_args()
    scorer = eval_dev.load_scorer(eval_dev.DEFAULT_SHARED)
    records = scorer.read(str(eval_dev.task_path(eval_dev.DEFAULT_SHARED, args.task, "web")))
    with_rule = clean_all(records, Settings())
    without = clean_all(records, Settings(ignore=("BP028",)))
    keeps = sorted(rid for rid, r in records.items() if gold_keeps_thread(r, with_rule[rid]))
    unread = {rid for rid, r in records.items() if site(rid, r.get("url")) not in READ}
    parts = {
        "all pages": set(records),
        "sites not read (held out)": unread,
        "all, without gold-keeps-thread pages": set(records) - set(keeps),
        "held out, without them": unread - set(keeps),
    }
    print(f"{'part':40} {'pages':>5} {'BP028':>6} " + " ".join(f"{k:>20}" for k in KEYS))
    for name, ids in parts.items():
        sub = {rid: records[rid] for rid in ids}
        for label, out in (("off", without), ("on", with_rule)):
            res = scorer.text_scores(sub, {rid: {"id": rid, "text": out[rid].text} for rid in ids})
            cells = " ".join(f"{float(res[k]):20.4f}" for k in KEYS)
            print(f"{name:40} {len(ids):5d} {label:>6} {cells}")
    print(f"pages whose gold keeps the comment thread BP028 removes: {len(keeps)}: {', '.join(keeps)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
