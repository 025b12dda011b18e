"""Generate a deterministic, news-like JSONL corpus for the throughput benchmark.

    python bench/make_corpus.py [OUT.jsonl] [--size-mb 100] [--seed 20240601]

Each line is ``{"id": "news-0000001", "text": "..."}``: 2-6 KB of English-looking paragraphs
(words drawn by frequency from wordfreq's top 5,000 English words, put into sentence templates
with names, places, numbers and quotations), interleaved with the boilerplate that scraped news
carries: "Advertisement", "Read More <headline>", "Top Stories" widgets, photo captions and
"Name | Agency | Getty Images" credits, share lines, bylines, copyright notices, mojibake
("donâ€™t"), HTML entities, trailing spaces, blank-line runs, the odd CRLF document and
zero-width space.

The same seed and size give the same bytes (no network, no clock); 100 MB takes a few seconds.
``--size-mb`` counts 10^6 bytes; the file stops at the first record that reaches the size.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from itertools import accumulate
from pathlib import Path

try:
    import orjson

    def _dumps(record: dict[str, str]) -> bytes:
        return orjson.dumps(record) + b"\n"

except ImportError:  # pragma: no cover - orjson is a dependency of cleaner
    import json

    def _dumps(record: dict[str, str]) -> bytes:
        return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")


DEFAULT_OUT = Path(__file__).resolve().parent / "out" / "corpus.jsonl"
DEFAULT_SEED = 20240601


def _items(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(sep))


FIRST_NAMES = _items(
    "James Mary John Patricia Robert Jennifer Michael Linda David Elizabeth William Barbara Richard "
    "Susan Joseph Jessica Thomas Sarah Charles Karen Wei Li Priya Ahmed Fatima Olga Hiroshi Ana "
    "Carlos Sofia Kwame Amara Lars Ingrid Mateo Chloe Raj Mei Omar Leila Pierre Elena"
)
LAST_NAMES = _items(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Thompson White Harris Clark Lewis Zhang "
    "Wang Patel Khan Ivanova Tanaka Silva Mensah Okafor Nielsen Larsen Dubois Rossi Novak Kowalski"
)
PLACES = _items(
    "Washington|London|Beijing|New Delhi|Paris|Berlin|Tokyo|Moscow|Brussels|Nairobi|Lagos|"
    "Sao Paulo|Mexico City|Sydney|Toronto|Seoul|Jakarta|Istanbul|Cairo|Johannesburg|Chicago|"
    "Los Angeles|Hong Kong|Singapore|Dubai|Geneva|Madrid|Rome|Warsaw|Kyiv",
    "|",
)
ORGS = _items(
    "the Federal Reserve|the World Bank|the United Nations|the European Commission|the Treasury|"
    "the health ministry|the central bank|the city council|the International Monetary Fund|"
    "the Department of Justice|the company|the police department|the World Health Organization|"
    "the electoral commission|the trade union|the Supreme Court|Parliament|the state government",
    "|",
)
ROLES = _items(
    "a spokesman for|a spokeswoman for|an economist at|a senior official at|the chief executive of|"
    "a lawyer for|an analyst at|a former adviser to|the director of|a member of",
    "|",
)
DAYS = _items("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
MONTHS = _items("Jan. Feb. March April May June July Aug. Sept. Oct. Nov. Dec.")
SECTIONS = _items(
    "World|Politics|Business|World Economy|Tech|Health|Science|Sports|Opinion|Markets|Climate|"
    "Entertainment|Europe|Asia|US News|Middle East",
    "|",
)
AGENCIES = ("Getty Images", "Reuters", "AFP", "Bloomberg", "AP", "iStock", "NurPhoto", "Xinhua")
OUTLETS = ("News Corp", "CBS Interactive Inc", "The Daily Herald", "Global Media Group", "Reuters")

# Words that look odd mid-sentence in a synthetic text (chat slang, single letters, contractions
# that wordfreq splits, numbers); the rest of the top 5,000 is used as it comes.
_SKIP = set(
    _items(
        "i u ur im dont lol wtf omg lmao idk tho yeah ya gonna wanna pls ok okay haha re ll ve mm fuck fucking shit "
        "damn porn sex sexy"
    )
)

# Contractions and quotations: straight ASCII, typographic (non-ASCII, so ftfy looks at the
# line), or mojibake (UTF-8 read as cp1252: what EN001 repairs).
_APOS = {"ascii": "'", "curly": "\u2019", "mojibake": "\u00e2\u20ac\u2122"}
_QUOTES = {
    "ascii": ('"', '"'),
    "curly": ("\u201c", "\u201d"),
    "mojibake": ("\u00e2\u20ac\u0153", "\u00e2\u20ac\u009d"),
}
_CONTRACTIONS = ("don{a}t", "it{a}s", "can{a}t", "won{a}t", "isn{a}t", "we{a}re", "they{a}re", "that{a}s", "didn{a}t")


def load_vocabulary() -> tuple[list[str], list[float]]:
    """The 5,000 most frequent English words and their cumulative frequency weights."""
    try:
        from wordfreq import top_n_list, word_frequency
    except ImportError:  # pragma: no cover - wordfreq is a dependency of cleaner
        words = list(
            _items(
                "the to and of a in is for that it on with this was be as are have at he not by but "
                "from or we an they which their has been more said would will its one new people "
                "government year percent market company country officials first two last report city"
            )
        )
        return words, list(accumulate(1.0 / (r + 1) for r in range(len(words))))
    words = [w for w in top_n_list("en", 5000) if w.isalpha() and (len(w) > 1 or w == "a") and w not in _SKIP]
    weights = [word_frequency(w, "en") for w in words]
    return words, list(accumulate(weights))


class Generator:
    """Makes documents from one seeded RNG; the same seed gives the same documents."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.words, self.cum = load_vocabulary()
        self.total = self.cum[-1]

    # --- pieces ---------------------------------------------------------------------------

    def _words(self, n: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum, k=n)

    def _name(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def _number(self) -> str:
        r = self.rng.random()
        if r < 0.4:
            return f"{self.rng.uniform(0.1, 12):.1f}%"
        if r < 0.7:
            return f"${self.rng.randint(2, 950)} {self.rng.choice(('million', 'billion'))}"
        return f"{self.rng.randint(2, 99000):,}"

    def _clause(self, lo: int, hi: int, style: str) -> str:
        ws = self._words(self.rng.randint(lo, hi))
        if self.rng.random() < 0.15:
            ws.insert(self.rng.randrange(len(ws) + 1), self.rng.choice(_CONTRACTIONS).format(a=_APOS[style]))
        if self.rng.random() < 0.2:
            ws.insert(self.rng.randrange(len(ws) + 1), self._number())
        if self.rng.random() < 0.06:
            ws.insert(
                self.rng.randrange(len(ws) + 1),
                self.rng.choice(("&amp;", "AT&amp;T", "&quot;S&amp;P 500&quot;", "&#39;")),
            )
        return " ".join(ws)

    def sentence(self, style: str) -> str:
        """One sentence from a template; ``style`` picks the apostrophes and quotation marks."""
        rng = self.rng
        t = rng.random()
        body = self._clause(6, 22, style)
        body = body[0].upper() + body[1:]
        if t < 0.45:
            return body + "."
        if t < 0.6:
            return f"{body}, {self._name()} said."
        if t < 0.72:
            q1, q2 = _QUOTES[style]
            return f"{q1}{body},{q2} said {self._name()}, {rng.choice(ROLES)} {rng.choice(ORGS)}."
        if t < 0.82:
            return f"{body} in {rng.choice(PLACES)} on {rng.choice(DAYS)}."
        if t < 0.9:
            return f"According to {rng.choice(ORGS)}, {self._clause(5, 15, style)} by {self._number()}."
        if t < 0.96:
            return f"{body}, {self._clause(4, 12, style)}."
        return f"{body}?"

    def headline(self) -> str:
        ws = self._words(self.rng.randint(5, 10))
        if self.rng.random() < 0.4:
            ws.insert(self.rng.randrange(len(ws)), self.rng.choice(PLACES))
        small = ("a", "an", "the", "of", "to", "in", "and", "for", "on")
        title = " ".join(w if w in small else w[0].upper() + w[1:] for w in ws)
        return title[0].upper() + title[1:]

    def paragraph(self, style: str) -> str:
        return " ".join(self.sentence(style) for _ in range(self.rng.randint(1, 6)))

    def boilerplate(self) -> str:
        """One block of the furniture that scraped news pages carry (one or more lines)."""
        rng = self.rng
        kind = rng.random()
        if kind < 0.18:
            return "Advertisement"
        if kind < 0.32:
            lead = rng.choice(("Read More ", "Read more: ", "Related: ", "See also: ", "READ MORE: "))
            return lead + self.headline()
        if kind < 0.42:
            head = rng.choice(("Top Stories", "Trending News", "Most Popular", "Related Articles", "More Stories"))
            return "\n".join([head] + [self.headline() for _ in range(rng.randint(2, 4))])
        if kind < 0.54:
            caption = self._clause(6, 14, "ascii").capitalize() + "."
            if rng.random() < 0.6:
                credit = f"{self._name()} | {rng.choice(AGENCIES[1:])} | Getty Images"
            else:
                credit = f"{self._name()}/{rng.choice(AGENCIES)}"
            return f"{caption}\n{credit}"
        if kind < 0.64:
            return rng.choice(
                ("Share this article", "Share on: Facebook Twitter Reddit", "Print", "Email", "258 Shares")
            )
        if kind < 0.72:
            return rng.choice(
                (
                    "Sign up for our newsletter",
                    "Get the latest headlines delivered to your inbox.",
                    "Subscribe to our YouTube channel",
                    "CLICK HERE TO GET THE APP",
                )
            )
        if kind < 0.8:
            return rng.choice(("Continue reading below", "Story continues below advertisement", "ADVERTISEMENT"))
        if kind < 0.87:
            return f"Image {rng.randint(1, 9)} of {rng.randint(10, 20)}"
        if kind < 0.93:
            return rng.choice(("* * *", '<div class="ad"></div>', "|", "###"))
        return f"\u00a9 {rng.randint(2009, 2023)} {rng.choice(OUTLETS)}. All Rights Reserved."

    # --- documents ------------------------------------------------------------------------

    def document(self) -> str:
        rng = self.rng
        r = rng.random()
        style = "ascii" if r < 0.55 else "curly" if r < 0.9 else "mojibake"
        target = rng.randint(2000, 6000)
        blocks: list[str] = []
        if rng.random() < 0.3:
            blocks.append(rng.choice(SECTIONS))
        if rng.random() < 0.4:
            blocks.append(f"By {self._name()}")
        if rng.random() < 0.25:
            date = f"{rng.choice(MONTHS)} {rng.randint(1, 28)}, {rng.randint(2015, 2023)}"
            clock = f"{rng.randint(1, 12)}:{rng.randint(0, 59):02d} {rng.choice(('AM', 'PM'))}"
            blocks.append(f"Published {date} at {clock}")
        size = 0
        while size < target:
            para = self.paragraph(style)
            if rng.random() < 0.05:
                para += rng.choice(("   ", " ", "\t", "\u00a0"))  # trailing whitespace
            if rng.random() < 0.01:
                cut = para.find(" ", len(para) // 2)
                if cut > 0:
                    para = para[:cut] + "\u200b" + para[cut:]  # a zero-width space
            blocks.append(para)
            size += len(para) + 2
            if rng.random() < 0.25:
                bp = self.boilerplate()
                blocks.append(bp)
                size += len(bp) + 2
        if rng.random() < 0.3:
            blocks.append(self.boilerplate())
        seps = rng.choice(("\n\n", "\n\n", "\n"))
        out: list[str] = []
        for i, b in enumerate(blocks):
            if i:
                out.append("\n\n\n\n" if rng.random() < 0.04 else seps)
            out.append(b)
        text = "".join(out)
        if rng.random() < 0.02:
            text = text.replace("\n", "\r\n")
        return text


def make_corpus(out: Path, size_mb: float = 100.0, seed: int = DEFAULT_SEED) -> tuple[int, int]:
    """Write the corpus to ``out`` (atomically); return (documents, bytes)."""
    limit = int(size_mb * 1_000_000)
    gen = Generator(seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    n = written = 0
    with open(tmp, "wb") as f:
        buf: list[bytes] = []
        while written < limit:
            n += 1
            line = _dumps({"id": f"news-{n:07d}", "text": gen.document()})
            buf.append(line)
            written += len(line)
            if len(buf) >= 1000:
                f.write(b"".join(buf))
                buf.clear()
        f.write(b"".join(buf))
    tmp.replace(out)
    return n, written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT, help=f"output JSONL (default {DEFAULT_OUT})")
    parser.add_argument("--size-mb", type=float, default=100.0, help="size in MB of 10^6 bytes (default 100)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    n, size = make_corpus(args.out, args.size_mb, args.seed)
    print(f"{args.out}: {n} documents, {size / 1e6:.1f} MB in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
