"""Corpus evidence: a line that many pages of one site repeat is that site's furniture.

In a crawl the strongest sign of boilerplate is repetition: a menu, a footer, a "Most popular"
list or a disclaimer comes back on page after page of one site, whatever the site and whatever
its words.  A first pass over the corpus counts, per site, on how many pages each normalised
line occurs (:class:`Repeats`, hashes only, not text); the cleaning pass then removes from a page
the lines that its site repeats on at least ``min_pages`` pages (rule CE001), each edit saying
so ("seen on 57 pages of example.com").

Three guards keep article text (precision first):

* a page counts once per exact text, so copies of one page do not make its lines look repeated;
* a line that reads as a sentence of prose (ten words or more, ending like a sentence) stays: a
  repeated sentence is rare in furniture and common in syndicated copies of one story; so does
  a line without a letter (a number, a date, a rule of dashes), which has no words to judge;
* a line that is about the page stays: when at least half of its content words occur in the
  page's lines that are not repeated (its own headline, which other pages list as a link).

Run-together text (line breaks lost, "...the bridge.Most readEngineers raise the barrierPupils
get a library") hides its blocks inside lines that never repeat whole.  Its blocks are counted
too, cut where RP001 finds glue, apart from the lines: a block of a line that is not repeated
whole goes when the site has it, as a line or a block, on ``min_pages`` pages, with the same
guards and three more: a block has two words or more (one word between two cuts is as often a
piece of a name, "Five|Thirty|Eight"); it holds no sentence end followed by more text (a
sentence with a link glued to it); and no cut is made inside a word that the page writes whole
elsewhere ("SmartGlass"), nor where a number runs into a word ("masing2"), nor after a colon
(a label and its value: "Category:Eye Candy").  Repeated blocks that stand next to each other are
judged as prose together, as the line they would be (a syndicated paragraph run together is cut
into sentences too short to be prose one by one).

The site of a document is the host of its record's ``url`` (or its ``source`` or ``domain``
field), else the folder of its file: files of one folder are pages of one site.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import regex
import xxhash

from cleaner.document import Document, Edit, EditLog, iter_lines
from cleaner.errors import InputError
from cleaner.io.writers import atomic_file
from cleaner.text.tokens import words

#: A line of this many words or more that ends like a sentence is prose: never removed for repetition.
PROSE_WORDS = 10
#: A block of a run-together line has at least this many words (a cut next to a shorter piece is not made).
BLOCK_WORDS = 2
#: A repeated line stays when at least this share of its content words occur in the page's other lines.
ABOUT_SHARE = 0.5
#: Content words: this many letters at least (shorter words are mostly function words in any language).
CONTENT_LETTERS = 4
#: The table keeps at most this many (site, line) counts; when full, the lines seen once are
#: dropped (they are the most, and a line seen once is evidence of nothing).  About 100 bytes an
#: entry: 200 MB at most, whatever the corpus.  What still grows with the corpus is one hash per
#: distinct page (to count copies once: about 60 bytes a page) and one counter per site.  Each
#: worker of a pool receives the table once, when it starts.
MAX_ENTRIES = 2_000_000
#: The version of a stored table (``--repeats-store``): the hashing of lines and sites it was made with.
TABLE_FORMAT = "cleaner-repeats-2"

_WORD = regex.compile(r"\w+")
_LETTER = regex.compile(r"\p{L}")
#: a sentence's end inside a text, with more text after it ("U.S. on" is none)
_SENTENCE_INSIDE = regex.compile(r"\p{Ll}{2}[.!?…][\"'”’)\]]*\s+\S")
_SENTENCE_END = regex.compile(r"[.!?…][\"'”’)\]]*\s*$")
#: The fields of a record that say where it comes from (for CE001, and for rules limited to some ``sources``).
SOURCE_FIELDS = ("url", "source", "domain")


def _record_sources(doc: Document) -> list[str]:
    return [v for k in SOURCE_FIELDS if isinstance(v := (doc.record or {}).get(k), str)]


def source_keys(doc: Document) -> tuple[str, ...]:
    """Where a document comes from: its record's ``url``, ``source`` and ``domain`` fields, and its file.

    >>> source_keys(Document("1", "", source="crawl/a.jsonl:3", line=3, record={"url": "https://x.org/1"}))
    ('https://x.org/1', 'crawl/a.jsonl')
    """
    keys = _record_sources(doc)
    where = doc.source[: -len(f":{doc.line}")] if doc.line and doc.source.endswith(f":{doc.line}") else doc.source
    if where:
        keys.append(where)
    return tuple(keys)


def site_of(doc: Document) -> str:
    """The site a document comes from: the host of its ``url`` (``source``, ``domain``), else its file's folder.

    >>> site_of(Document("1", "", record={"url": "https://www.example.com/news/1"}))
    'www.example.com'
    >>> site_of(Document("2", "", source="crawl/site-a/page.txt"))
    'crawl/site-a'
    """
    for value in _record_sources(doc):
        if value:
            host = urlsplit(value).hostname if "://" in value else value
            return (host or value).lower()
    where = doc.path or doc.source
    return os.path.dirname(where) if where else ""


def line_key(line: str) -> str:
    """A line as repetition compares it: its words, lowercased (case, punctuation and spacing aside).

    >>> line_key("  Most Popular:  Stories ")
    'most popular stories'
    """
    return " ".join(_WORD.findall(line.lower()))


#: Blocks are counted apart from lines: a line is repeated when whole lines repeat it; a block of
#: a run-together line when it occurs, as a line or as a block, on pages enough.  (A line left
#: after a run-together line lost its repeated blocks is judged as a line, not as the block it was.)
_BLOCK = "\x01"


def _hash(site: str, key: str) -> int:
    return xxhash.xxh64_intdigest((site + "\0" + key).encode("utf-8", "surrogatepass"))


@dataclass
class Repeats:
    """On how many pages of each site each line occurs (first pass), and what that makes of a line.

    >>> table = Repeats()
    >>> for i in range(3):
    ...     table.add(Document(str(i), f"Story {i} is here.\\nSubscribe to our newsletter", record={"url": f"https://x.org/{i}"}))
    >>> table.pages("x.org", "Subscribe to our newsletter"), table.pages("x.org", "Story 1 is here.")
    (3, 1)
    """

    counts: dict[int, int] = field(default_factory=dict)
    #: how many distinct pages each site has
    sites: Counter[str] = field(default_factory=Counter)
    _texts: set[int] = field(default_factory=set)

    def add(self, doc: Document) -> None:
        """Count ``doc``'s distinct lines for its site (once per exact text of a page)."""
        site, text_hash, lines = page_lines(doc)
        if text_hash in self._texts:
            return
        self._texts.add(text_hash)
        self.sites[site] += 1
        for h in lines:
            self.counts[h] = self.counts.get(h, 0) + 1
        if len(self.counts) > MAX_ENTRIES:
            self.counts = {h: n for h, n in self.counts.items() if n > 1}

    def remember(self, doc: Document) -> None:
        """Know ``doc``'s text as a page already counted (a cleaned page, read again in a later run).

        Its lines are not counted again: without this, cleaning the output of a run (``--in-place``)
        with a stored table would count every page a second time.
        """
        self._texts.add(self._text_hash(site_of(doc), doc.text))

    @staticmethod
    def _text_hash(site: str, text: str) -> int:
        return xxhash.xxh64_intdigest((site + "\0" + text).encode("utf-8", "surrogatepass"))

    def add_all(self, docs: Iterable[Document]) -> Repeats:
        """Count every document of ``docs``; return the table."""
        for doc in docs:
            self.add(doc)
        return self

    def save(self, path: Path) -> None:
        """Write the table to ``path`` (``.npz``: hashes and counts, no text), atomically.

        >>> import tempfile
        >>> table = Repeats()
        >>> table.add(Document("1", "A\\nMenu", record={"url": "https://x.org/1"}))
        >>> with tempfile.TemporaryDirectory() as d:
        ...     table.save(Path(d) / "t.npz")
        ...     again = Repeats.load(Path(d) / "t.npz")
        >>> again.pages("x.org", "Menu"), again.sites["x.org"]
        (1, 1)
        """
        keys = np.fromiter(self.counts.keys(), dtype=np.uint64, count=len(self.counts))
        counts = np.fromiter(self.counts.values(), dtype=np.uint32, count=len(self.counts))
        texts = np.fromiter(self._texts, dtype=np.uint64, count=len(self._texts))
        sites = json.dumps(sorted(self.sites.items()))
        with atomic_file(path) as f:
            np.savez_compressed(
                f, format=np.array(TABLE_FORMAT), keys=keys, counts=counts, texts=texts, sites=np.array(sites)
            )

    @classmethod
    def load(cls, path: Path) -> Repeats:
        """Read a table that :meth:`save` wrote; ``InputError`` if the file is not one."""
        try:
            loaded = np.load(path, allow_pickle=False)
            if not isinstance(loaded, np.lib.npyio.NpzFile):
                raise InputError(f"{path}: not a table of repeated lines (an array, not an .npz archive)")
            with loaded as data:
                if str(data["format"]) != TABLE_FORMAT:
                    raise InputError(f"{path}: not a table of repeated lines of this version ({data['format']})")
                counts = dict(zip(data["keys"].tolist(), data["counts"].tolist(), strict=True))
                texts = set(data["texts"].tolist())
                sites = Counter(dict(json.loads(str(data["sites"]))))
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            raise InputError(f"{path}: cannot read the table of repeated lines: {exc}") from exc
        return cls(counts, sites, texts)

    def pages(self, site: str, line: str) -> int:
        """On how many pages of ``site`` the line occurs."""
        key = line_key(line)
        return self.counts.get(_hash(site, key), 0) if key else 0

    def block_pages(self, site: str, block: str) -> int:
        """On how many pages of ``site`` the text occurs as a line or as a block of a run-together line."""
        key = line_key(block)
        return self.counts.get(_hash(site, _BLOCK + key), 0) if key else 0


def page_lines(doc: Document) -> tuple[str, int, set[int]]:
    """What one page adds to the table: its site, the hash of its exact text there, its distinct line and block hashes.

    Each line counts as a line and as a block; each block of a run-together line (RP001's glue
    points, blocks of two words or more) as a block.

    :meth:`Repeats.add` counts these; a cluster engine counts the same pairs (page, line) per
    shard and merges them, each page once (:mod:`cleaner.engines.tasks`).

    >>> site, page, lines = page_lines(Document("1", "Menu\\nStory.\\nMenu", record={"url": "https://x.org/1"}))
    >>> site, len(lines)  # two lines, each a line and a block
    ('x.org', 4)
    """
    site = site_of(doc)
    keys: set[str] = set()
    for _s, _e, line in iter_lines(doc.text):
        key = line_key(line)
        if key:
            keys.update((key, _BLOCK + key))
        for _a, _b, piece in _glued_pieces(line):
            if block := line_key(piece):
                keys.add(_BLOCK + block)
    return site, Repeats._text_hash(site, doc.text), {_hash(site, key) for key in keys}


def _glued_pieces(line: str, names: Callable[[], Counter[str]] | None = None) -> list[tuple[int, int, str]]:
    """The blocks a run-together line was glued from (RP001's glue points), with their offsets; [] if none.

    >>> [p for _a, _b, p in _glued_pieces("Most PopularFirst headline hereSecond one")]
    ['Most Popular', 'First headline here', 'Second one']
    >>> _glued_pieces("Polls in the FiveThirtyEight forecast moved")
    []
    >>> _glued_pieces("Date:November 6, 2012 | Category:Eye Candy | Author:Ann Lee")
    []
    """
    from cleaner.steps.glue import glue_points

    # a label and its value ("Category:Eye Candy | Author:Ann Lee") are one block
    glued = [p for p in glue_points(line) if line[p - 1] != ":"]
    points = _block_cuts(line, glued)
    if points and names is not None:
        # a word that the page writes whole elsewhere too is a name ("SmartGlass"), not two blocks
        # (each word looked up once: many points of one long token compare it once, not once each);
        # ``names`` counts the page's words, asked only for a line that has blocks
        page_words = names()
        around = _words_at(line, glued)
        counts = {word: page_words[word] for word in set(around)}
        points = _block_cuts(line, [p for p, word in zip(glued, around, strict=True) if counts[word] < 2])
    bounds = [0, *points, len(line)]
    return [(a, b, line[a:b]) for a, b in pairwise(bounds) if a < b] if points else []


def _block_cuts(line: str, points: list[int]) -> list[int]:
    """The glue points of ``points`` that cut ``line`` into blocks: a cut next to a piece of one word is dropped.

    A block is a phrase ("Most Popular", a headline); one word between two cuts is as often a word
    cut out of a name ("Five|Thirty|Eight").
    """
    bounds = [0, *points, len(line)]
    short = [len(words(line[a:b])) < BLOCK_WORDS for a, b in pairwise(bounds)]
    return [p for k, p in enumerate(points) if not short[k] and not short[k + 1]]


def _words_at(line: str, points: list[int]) -> list[str]:
    """The word (a run of letters and digits) around each offset of ``points`` (increasing) in ``line``.

    "" where no word runs across the offset.  Linear in the line: the points inside one word share
    its bounds, found once (a scan per point made a run-together line of one long token quadratic).

    >>> _words_at("Try SmartGlass.Now here", [9, 15])
    ['SmartGlass', '']
    """
    out = []
    start = end = -1
    word = ""
    for at in points:
        if not start < at < end:
            start = end = at
            while start > 0 and line[start - 1].isalnum():
                start -= 1
            while end < len(line) and line[end].isalnum():
                end += 1
            word = line[start:end]  # one string per word (its hash too), not a copy per point
        out.append(word if start < at < end else "")
    return out


def _starts_in_a_word(text: str, start: int) -> bool:
    return start > 0 and text[start].isdigit() and text[start - 1].isalpha()


def _holds_sentence(block: str) -> bool:
    return _SENTENCE_INSIDE.search(block) is not None


def _is_prose(line: str) -> bool:
    return len(words(line)) >= PROSE_WORDS and _SENTENCE_END.search(line) is not None


def _content(line: str) -> set[str]:
    return {w for w in _WORD.findall(line.lower()) if len(w) >= CONTENT_LETTERS and not w.isdigit()}


def remove_repeats(
    text: str, site: str, table: Repeats, min_pages: int, code: str, slug: str
) -> tuple[str, list[Edit]]:
    """Remove the lines of ``text`` that ``site`` repeats on ``min_pages`` pages or more (see the module).

    >>> table = Repeats()
    >>> pages = [f"Page {i} tells of the bridge.\\nHome | News | Sport\\nThe end of page {i}." for i in range(3)]
    >>> for i, p in enumerate(pages):
    ...     table.add(Document(str(i), p, record={"url": f"https://x.org/{i}"}))
    >>> text, edits = remove_repeats(pages[0], "x.org", table, 3, "CE001", "repeated-line")
    >>> text, edits[0].note
    ('Page 0 tells of the bridge.\\nThe end of page 0.', 'seen on 3 pages of x.org')
    """
    # the units judged: a line, or the blocks of a run-together line that is not repeated as a whole
    lines = list(iter_lines(text))
    page_words = cache(lambda: Counter(_WORD.findall(text)))  # counted once, for the first line with glue
    units: list[tuple[int, int, int, str, int]] = []  # line, start, end, text, pages of the site with it
    for k, (start, end, line) in enumerate(lines):
        n = table.pages(site, line) if line.strip() else 0
        pieces = _glued_pieces(line, page_words) if n < min_pages else []
        if pieces:
            units.extend((k, start + a, start + b, piece, table.block_pages(site, piece)) for a, b, piece in pieces)
        else:
            units.append((k, start, end, line, n))
    repeated = [u[4] >= min_pages for u in units]
    if not any(repeated):
        return text, []
    own: Counter[str] = Counter()
    for unit, rep in zip(units, repeated, strict=True):
        if not rep:
            own.update(_content(unit[3]))
    prose = _prose_runs(text, units, repeated)
    gone = []
    for unit, rep, in_prose in zip(units, repeated, prose, strict=True):
        if in_prose:
            continue  # repeated blocks that read as prose run together: a syndicated paragraph
        if not rep or _is_prose(unit[3]) or not _LETTER.search(unit[3]):
            continue  # prose; or a number, a date, a rule of dashes: no words to judge it by
        if unit[3] != lines[unit[0]][2] and (_holds_sentence(unit[3]) or _starts_in_a_word(text, unit[1])):
            # a block that holds the end of a sentence and more (prose, cut where a link was glued
            # to it), or that starts with a number run into a word ("masing2", "tulisan2 yang")
            continue
        content = _content(unit[3])
        if content and sum(1 for w in content if own[w]) >= ABOUT_SHARE * len(content):
            continue  # the page's own headline, which other pages of the site list as a link
        gone.append(unit)
    if not gone:
        return text, []
    return _remove_units(text, lines, units, gone, site or "the corpus", code, slug)


def _prose_runs(text: str, units: list[tuple[int, int, int, str, int]], repeated: list[bool]) -> list[bool]:
    """For each unit, whether it is one of a run of repeated blocks of one line that reads as prose.

    Blocks cut a paragraph into sentences too short to be prose ("Schools stayed shut."), or a
    sentence into pieces (at a camel-cased name, "Stock|Car"): the repeated blocks that stand next
    to each other in a line are judged together, as the line they would be, by the prose guard,
    up to the last of them that ends like a sentence (a button glued after the paragraph, "Click
    To Tweet", is judged alone).
    """
    out = [False] * len(units)
    i = 0
    while i < len(units):
        j = i
        while repeated[i] and j + 1 < len(units) and repeated[j + 1] and units[j + 1][0] == units[i][0]:
            j += 1
        last = next((k for k in range(j, i, -1) if _SENTENCE_END.search(units[k][3])), i)
        if last > i and _is_prose(text[units[i][1] : units[last][2]]):
            out[i : last + 1] = [True] * (last + 1 - i)
        i = j + 1
    return out


def _remove_units(
    text: str,
    lines: list[tuple[int, int, str]],
    units: list[tuple[int, int, int, str, int]],
    gone: list[tuple[int, int, int, str, int]],
    where: str,
    code: str,
    slug: str,
) -> tuple[str, list[Edit]]:
    """Remove the ``gone`` units: whole lines with a line break, blocks of a line with the line cut there."""
    per_line: dict[int, int] = Counter(u[0] for u in units)
    gone_per_line: dict[int, int] = Counter(u[0] for u in gone)
    whole = {k for k, n in gone_per_line.items() if n == per_line[k]}
    last_kept = max((k for k, (_s, _e, line) in enumerate(lines) if line.strip() and k not in whole), default=-1)
    log = EditLog(text)
    gone_set = set(gone)
    first_kept: dict[int, int] = {}  # per line, the first and the last unit that stays
    last_kept_unit: dict[int, int] = {}
    for i, unit in enumerate(units):
        if unit not in gone_set:
            first_kept.setdefault(unit[0], i)
            last_kept_unit[unit[0]] = i
    for i, unit in enumerate(units):
        if unit not in gone_set:
            continue
        k, start, end, _text, n = unit
        note = f"seen on {n} pages of {where}"
        if k in whole:
            if i and units[i - 1][0] == k:
                continue  # the line went with its first unit
            if k < last_kept:  # the line and the line break after it
                log.add(code, slug, lines[k][0], lines[k + 1][0], "", note)
            else:  # after the last kept line: the line break before it and the line
                log.add(code, slug, lines[k - 1][1] if k else 0, lines[k][1], "", note)
            continue
        # a block of a run-together line: the text on both sides goes on lines of their own
        kept_before = first_kept.get(k, i) < i
        kept_after = last_kept_unit.get(k, i) > i
        next_gone = i + 1 < len(units) and units[i + 1] in gone_set and units[i + 1][0] == k
        log.add(code, slug, start, end, "\n" if kept_before and kept_after and not next_gone else "", note)
    return log.result(), log.edits
