"""Comment threads: readers' comments that a page printed after (or inside) its article.

A comment thread shows itself by its rhythm, not by its words: every comment carries a signature
line (who wrote it and when: "Nora Patel — July 10th, 2012, 1:26 am", "by Ines Moreau on
November 9, 2010 at 6:10 am. Reply #", "Posted by: Marta at September 10, 2012 11:40 AM",
"by bluekite42 (118204) writes:"), and the signatures of one thread are printed from one
template, a few lines apart, with the comments' text between them.  Blogs, forums and news sites
of every kind print threads so; none of it depends on having seen the site.

A thread rule (``kind = "thread"``) finds them in three steps:

1. a *signature* is a short line (``max_words``) that holds a timestamp (``stamp``: a time of day
   or "3 hours ago") with a date (``dated``: a date alone signs letters and posts as often, a
   time alone race results and schedules) and a sign of a person
   (``signed``: "by", "says", "|", a dash, "Reply"), or that ends like "NAME writes:"; it must
   not end like a sentence (an article's live-blog entry "12:55 PM – The leader holds on for
   another hole.") and may hold at most ``max_name_words`` words besides the template's own
   (``thread-markers``), at least one, and they must read as a name (capitalised, or one or two
   lowercase words: a username), not as a timeline's headline;
2. signatures are grouped by their *template* (the line with the name left out, the digits
   folded, the months named alike), so that an article's own byline ("by John on July 15, 2012")
   never joins its readers' signatures ("Tom Okafor 03.02.14 at 10:41");
3. a thread is ``min_signatures`` signatures of one template or more, each within ``max_gap``
   lines of the next, with text between most pairs and a median distance of at most
   ``max_median_gap`` lines: comments are short, articles are not (a blog's front page, whose
   posts end in "Posted by X at 09:41 PM", is not a thread), and they carry more than one name
   (one author signing short posts is a front page, not a thread).  Neither is a list of posts whose
   lines, or the lines beside them, give a count of comments ("View/Add Comments (6)", "270
   Comments"): those are posts and bylines (``not_signature``).

Run-together text, where the line breaks were lost, is cut first where a signature runs into its
neighbours (``cuts``: "1:26 am|Wow", "great.|Reply|Bob"); a piece still too long to be a signature
that holds a time or a verb of writing is cut at its ``joints`` too (where a lower-case word runs
into a capital, a full stop into a word: "actions|I agree", "news!|[Reply]|28. Jun"), and the
distances between signatures count the cut pieces of a few words or more, not the fragments.

The lines from the first signature (or a comment header just above it: "12 Comments", "Leave a
Reply") to the last one go, with the last comment: up to the action line that closes it ("Reply",
"Report abuse"), or, under a header (signatures then head their comments), as many lines as the
median distance between signatures.  Precision first: a thread whose signatures follow their
comments leaves the first comment's text, which nothing tells from the article's last paragraph.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

import regex

from cleaner.document import Edit, EditLog, iter_lines
from cleaner.memo import LineTable
from cleaner.ruleset import vocab
from cleaner.text.tokens import words

_TOKEN = regex.compile(r"\w+(?:\.\w\.)?|[^\w\s]")
#: a line longer than this many characters per word allowed has more words than a signature may
_CHARS_PER_WORD = 30
#: a piece cut at a joint with fewer words than this is a fragment (a name, a button, a word of
#: a camel-cased name), which does not count as a line between signatures
_ROW_WORDS = 4
_TEMPLATE_PUNCTUATION = frozenset("|—–-:#,./()")
_HALF_DAY = frozenset({"am", "pm", "a.m.", "p.m."})
_SENTENCE_END = regex.compile(r"\b\p{L}{3,}[.!?][\"'”’)]*\s*$")
#: the words a signature may end its sentence with ("Posted at 4:05 p.m.", "Anonymous said...")
_SIGNATURE_END = regex.compile(r"\b(?:[ap]\.?m|said|wrote|says)[.!?…]*\s*$", regex.I)


@dataclass(frozen=True)
class ThreadSpec:
    """What a thread rule's file gives (see :class:`cleaner.ruleset.model.ThreadRule`)."""

    stamp: regex.Pattern[str]
    dated: regex.Pattern[str]
    signed: regex.Pattern[str]
    writes: regex.Pattern[str]
    actions: regex.Pattern[str]
    header: regex.Pattern[str]
    not_signature: regex.Pattern[str]
    cuts: tuple[regex.Pattern[str], ...]
    months: regex.Pattern[str]
    min_signatures: int
    max_gap: int
    max_median_gap: int
    max_words: int
    max_name_words: int
    joints: tuple[regex.Pattern[str], ...] = ()


@lru_cache(maxsize=1 << 16)
def _token_key(tok: str, months: regex.Pattern[str]) -> str | None:
    """A token in a template: itself, "0", "M" or "am"; "" if punctuation of a name; None if a word of one."""
    low = tok.lower()
    if tok.isdigit():
        return "0"
    if months.fullmatch(low):
        return "M"
    if low in _HALF_DAY:
        return "am"  # morning and afternoon are one template
    if low in vocab.words("thread-markers") or tok in _TEMPLATE_PUNCTUATION:
        return low  # a word or a separator of the template
    if not tok[0].isalnum():
        return ""  # other punctuation belongs to names ("Ada@SmallKitchen", "Paula @ Home")
    return None


def _parse(line: str, spec: ThreadSpec) -> tuple[str, list[str]]:
    """A line's template (without its name, digits folded) and the words it left out (the name)."""
    out: list[str] = []
    names: list[str] = []
    for tok in _TOKEN.findall(line):
        key = _token_key(tok, spec.months)
        if key is None:
            names.append(tok)
        elif key and not (out and out[-1] == key == "0"):
            out.append(key)
    return " ".join(out), names


def template(line: str, spec: ThreadSpec) -> tuple[str, int]:
    """A signature's template (the line without its name, digits folded) and how many words it left out.

    >>> from cleaner.ruleset.model import load_rules
    >>> spec = load_rules().get("BP028").spec
    >>> template("by Ines Moreau on November 9, 2010 at 6:10 am. Reply #", spec)
    ('by on M 0 , 0 at 0 : 0 am . reply #', 2)
    """
    form, names = _parse(line, spec)
    return form, len(names)


def _is_name(line: str, spec: ThreadSpec) -> bool:
    """The words of a signature outside its template read as a name: capitalised, or one or two lowercase words.

    A timeline's "7:30 p.m. — Polls close across Ohio" has the shape of a signature, but its words
    are a headline's.

    >>> from cleaner.ruleset.model import load_rules
    >>> spec = load_rules().get("BP028").spec
    >>> [_is_name(s, spec) for s in ("Nora Patel — 1:26 am", "bikecat said,", "alan p at 1:24 am",
    ...                             "7:30 p.m. — Polls close across Ohio")]
    [True, True, True, False]
    """
    return _reads_as_name(_parse(line, spec)[1])


def _reads_as_name(names: list[str]) -> bool:
    lower = [t for t in names if not t[:1].isupper()]
    return len(lower) <= 1 or (len(lower) == len(names) <= 2)


#: What BP028's ``stamp`` and ``writes`` patterns need besides a ":" (a clock time, "says:", "by
#: NAME writes:"): "ago", or a verb of writing (casefolded: as they match, ignoring case).
#: A shortcut for the lines that have none, which is most; tests/test_thread.py checks it holds.
_STAMP_OR_WRITES = ("ago", "say", "said", "wrote", "write")


def signature_template(line: str, spec: ThreadSpec) -> str | None:
    """The template of ``line`` if it is a comment's signature (who wrote it and when; see the module), else None."""
    if len(line) > _CHARS_PER_WORD * spec.max_words:
        return None  # too long to count its words
    if not _may_sign(line):
        return None  # most lines: no clock time, no "ago", no "NAME writes:" (a few string tests, not 3 searches)
    stamped = spec.stamp.search(line) is not None and spec.dated.search(line) is not None
    writes = spec.writes.search(line) is not None
    if not stamped and not writes:
        return None  # most lines: no time, no "NAME writes:"
    n = len(words(line))
    if n == 0 or n > spec.max_words or spec.not_signature.search(line):
        return None
    if not writes:
        if not spec.signed.search(line):
            return None
        if _SENTENCE_END.search(line) and not _SIGNATURE_END.search(line):
            return None
    form, names = _parse(line, spec)
    # a name: a dated line without one is an entry of the article, not a reader's signature
    return form if 1 <= len(names) <= spec.max_name_words and _reads_as_name(names) else None


def thread_spans(lines: list[str], spec: ThreadSpec, rows: list[int] | None = None) -> list[tuple[int, int, int, str]]:
    """The threads of ``lines``: (first line, last line, signatures, an example signature), in order.

    ``rows`` (one per line, not decreasing) says where each line stands for the distances between
    signatures: a line cut at its joints is one row, so that cutting run-together text apart
    never spreads a thread's signatures further apart than its lines are.
    """
    at = rows if rows is not None else range(len(lines))
    by_template: dict[str, list[int]] = defaultdict(list)
    # a thread repeats its buttons and its short replies, a site its lines on every page
    templates: LineTable[str, str | None] = _table("templates", spec)
    for k, line in enumerate(lines):
        if line in templates:
            form = templates[line]
        else:
            form = signature_template(line, spec)
            templates.put(line, form, len(line))
        if form is not None:
            by_template[form].append(k)
    spans = []
    for found in by_template.values():
        runs: list[list[int]] = []
        for k in found:
            if runs and at[k] - at[runs[-1][-1]] <= spec.max_gap:
                runs[-1].append(k)
            else:
                runs.append([k])
        for run in runs:
            if len(run) < spec.min_signatures:
                continue
            gaps = sorted(at[b] - at[a] for a, b in pairwise(run))
            median = gaps[len(gaps) // 2]
            if _is_thread(lines, run, median, spec):
                spans.append(_extent(lines, run, median, spec))
    spans.sort()
    merged: list[tuple[int, int, int, str]] = []
    for span in spans:
        if merged and span[0] <= merged[-1][1] + 1:
            a, b, n, example = merged[-1]
            merged[-1] = (a, max(b, span[1]), n + span[2], example)
        else:
            merged.append(span)
    return merged


def _is_thread(lines: list[str], run: list[int], median: int, spec: ThreadSpec) -> bool:
    if median > spec.max_median_gap:
        return False  # long texts between the signatures: posts, not comments
    if len({tuple(_parse(lines[k], spec)[1]) for k in run}) < 2:
        return False  # one name under every text: one author's posts (a blog's front page), not readers' comments
    with_text = sum(
        1
        for a, b in pairwise(run)
        if any(lines[k].strip() and not spec.actions.fullmatch(lines[k].strip()) for k in range(a + 1, b))
    )
    if 2 * with_text < len(run) - 1:
        return False  # signatures one under another: a list (of posts, of dates), not a thread
    # a count of comments beside most signatures: posts' footers, not comments' signatures (one
    # beside the first is the thread's own header, "12 Comments")
    counted = sum(
        1 for k in run if any(spec.not_signature.search(lines[j]) for j in (k - 1, k + 1) if 0 <= j < len(lines))
    )
    return 2 * counted < len(run)


def _extent(lines: list[str], run: list[int], median: int, spec: ThreadSpec) -> tuple[int, int, int, str]:
    first, last = run[0], run[-1]
    for k in range(first - 1, max(-1, first - 4), -1):
        if spec.header.fullmatch(lines[k].strip()):
            first = k
            break
        if lines[k].strip() and not spec.actions.fullmatch(lines[k].strip()):
            break  # a header reaches over blank lines and buttons only, never over text
    # the last comment's text, up to the action line that closes it ("Reply"), if one comes soon
    for k in range(last + 1, min(len(lines), last + 1 + spec.max_median_gap)):
        if spec.actions.fullmatch(lines[k].strip()):
            last = k
            break
    else:
        if first == run[0] - 1:
            # a header right above the first signature: each signature heads its comment, and the
            # last comment is as long as a comment is (the median distance between signatures)
            last = min(len(lines) - 1, last + median - 1)
    while last + 1 < len(lines) and spec.actions.fullmatch(lines[last + 1].strip()):
        last += 1
    return first, last, len(run), lines[run[0]].strip()


def remove_threads(text: str, spec: ThreadSpec, code: str, slug: str) -> tuple[str, list[Edit]]:
    """Remove the comment threads of ``text``; one edit per thread, which says what it saw.

    >>> from cleaner.ruleset.model import load_rules
    >>> spec = load_rules().get("BP028").spec
    >>> page = "\\n".join(["The article ends here, with a sentence.",
    ...     "Ann — July 10, 2012, 1:26 am", "Great post!", "Reply",
    ...     "Bob — July 10, 2012, 2:02 am", "I disagree with most of it.", "Reply",
    ...     "Cy — July 11, 2012, 9:13 am", "Thanks for this.", "Reply"])
    >>> out, edits = remove_threads(page, spec, "BP028", "comment-thread")
    >>> out, edits[0].note
    ('The article ends here, with a sentence.', 'a comment thread: 3 signatures like "Ann — July 10, 2012, 1:26 am"')
    """
    pieces = _pieces(text, spec)
    spans = thread_spans([piece for _s, _e, piece, _r in pieces], spec, [row for _s, _e, _p, row in pieces])
    if not spans:
        return text, []
    log = EditLog(text)
    for first, last, n, example in spans:
        note = f'a comment thread: {n} signatures like "{example}"'
        start, end = pieces[first][0], pieces[last][1]
        at_line_start = start == 0 or text[start - 1] == "\n"
        at_line_end = end == len(text) or text[end] == "\n"
        if at_line_start and at_line_end:
            if end < len(text):  # the lines and the line break after them
                log.add(code, slug, start, end + 1, "", note)
            else:  # up to the end: the line break before them and the lines
                log.add(code, slug, max(0, start - 1), end, "", note)
        elif at_line_start or at_line_end:
            log.add(code, slug, start, end, "", note)  # run-together text: the rest stays on its line
        else:
            log.add(code, slug, start, end, "\n", note)  # the text on both sides, on lines of their own
    return log.result(), log.edits


def _pieces(text: str, spec: ThreadSpec) -> list[tuple[int, int, str, int]]:
    """The lines of ``text``, cut where a signature runs into its neighbours, with their offsets and rows.

    A line is cut at the end of each match of ``cuts``; a piece that is still too long to be a
    signature but holds what one needs (a clock time, "ago", a verb of writing) is cut at its
    ``joints`` too, where lines lost their line break.  The pieces cut from one piece of
    ``cuts`` share its row (see :func:`thread_spans`).

    >>> from cleaner.ruleset.model import load_rules
    >>> spec = load_rules().get("BP028").spec
    >>> [p for _s, _e, p, _r in _pieces("Ann — July 10, 2012, 1:26 amWow, great.ReplyBob — July 11", spec)]
    ['Ann — July 10, 2012, 1:26 am', 'Wow, great.', 'Reply', 'Bob — July 11']
    """
    out: list[tuple[int, int, str, int]] = []
    row = 0
    found: LineTable[str, tuple[int, ...]] = _table("cuts", spec)
    for start, end, line in iter_lines(text):
        at = start
        offsets = found.get(line)
        if offsets is None:
            offsets = _match_ends(spec.cuts, line)
            found.put(line, offsets, len(line))
        for offset in offsets:
            cut = start + offset
            if at < cut < end:
                row = _joined(text, at, cut, spec, row, out)
                at = cut
        row = _joined(text, at, end, spec, row, out)
    return out


def _joined(text: str, start: int, end: int, spec: ThreadSpec, row: int, out: list[tuple[int, int, str, int]]) -> int:
    """Append the piece ``text[start:end]`` (cut at its joints if it needs it) as ``row``; the next row."""
    piece = text[start:end]
    if not spec.joints or len(piece) <= _CHARS_PER_WORD or not _may_sign(piece) or len(words(piece)) <= spec.max_words:
        out.append((start, end, piece, row))
        return row + 1
    at = start
    for offset in _match_ends(spec.joints, piece):
        cut = start + offset
        if at < cut < end:
            out.append((at, cut, text[at:cut], row))
            if len(words(text[at:cut])) >= _ROW_WORDS:
                row += 1  # a paragraph or a comment run into the next: a line of its own
            at = cut
    out.append((at, end, text[at:end], row))
    return row + 1


def _match_ends(patterns: tuple[regex.Pattern[str], ...], line: str) -> tuple[int, ...]:
    """Where the matches of ``patterns`` in ``line`` end, once each, in order (the offsets to cut at).

    Each pattern on its own: an alternation of them would lose the literal scans.
    """
    return tuple(sorted({m.end() for pattern in patterns for m in pattern.finditer(line)}))


def _table(question: str, spec: ThreadSpec) -> LineTable[Any, Any]:
    """The answers to ``question`` about lines, kept across documents and rounds for ``spec`` (a line's
    signature template, where ``cuts`` cut it: they depend on the line and the spec alone), in the
    boilerplate engine's tables (:data:`cleaner.boilerplate.engine._TABLES`)."""
    from cleaner.boilerplate import engine  # here: the engine's rule model imports this module

    return engine._table(question, (spec,))


def _may_sign(line: str) -> bool:
    """Whether ``line`` has what a signature needs: a ":" (a clock time, "says:") or "ago" or a verb of writing."""
    return ":" in line or any(w in line.casefold() for w in _STAMP_OR_WRITES)
