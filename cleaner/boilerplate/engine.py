"""The boilerplate engine: applies the ``split``, ``span``, ``line``, ``block`` and ``run`` rules to a text.

Lines are the unit (structured text has one block per line).  A removed line takes one
separator with it (the one after it, or before it at the end of the text), so removing lines
never leaves a double blank line and the result is already tidy: cleaning it again changes
nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from cleaner.document import Edit, EditLog, iter_lines
from cleaner.memo import LineTable
from cleaner.ruleset.model import BlockRule, BoilerplateRule, LineRule, Neighbours, Rule, RunRule, SpanRule, SplitRule
from cleaner.ruleset.registry import SHAPES, SPLITTERS
from cleaner.text.tokens import words


@dataclass(slots=True)
class _Line:
    start: int
    end: int
    text: str


class _Lines:
    """The units being judged, what is removed so far, and quick ways to their neighbours.

    The rules ask, line after line, for the nearest non-blank line, the nearest kept line, or the
    first line past the furniture that a block's evidence looks through.  Walking there line by
    line costs the length of the stretch walked, once per question: quadratic when thousands of
    lines are furniture ("Read More" on every line).  Here each answer costs amortised O(1):

    * the non-blank neighbours are computed once;
    * lines only ever join ``removed`` (none leaves it while the lines are judged), so the
      stretches that "nearest kept" skips only grow: a union-find with path compression jumps
      over them (:func:`_find`);
    * the same holds for what one block rule looks through while it marks its blocks
      (:meth:`looks_through`).
    """

    def __init__(self, stripped: list[str], removed: dict[int, Rule]) -> None:
        self.stripped = stripped
        self.removed = removed
        n = len(stripped)
        self.next_nonblank: list[int | None] = [None] * n
        self.prev_nonblank: list[int | None] = [None] * n
        last: int | None = None
        for i in range(n):
            self.prev_nonblank[i] = last
            if stripped[i]:
                last = i
        last = None
        for i in range(n - 1, -1, -1):
            self.next_nonblank[i] = last
            if stripped[i]:
                last = i
        self._kept_jump: dict[int, list[int]] = {}
        #: (rule code, step) -> the line from which on every line to that end was taken by the rule
        self.taken_to_end: dict[tuple[str, int], int] = {}
        self._look: dict[tuple[int, int], tuple[list[int], Callable[[int], bool]]] = {}
        self._look_rule: BlockRule | None = None
        self._sides: dict[tuple[int, str], tuple[bool, bool]] = {}

    def judge(self, side: Neighbours, line: str) -> tuple[bool, bool]:
        """``(side.accepts(line), side.counts(line))``, found once per side and text (they depend on both alone)."""
        key = (id(side), line)
        found = self._sides.get(key)
        if found is None:
            found = self._sides[key] = (side.accepts(line), side.counts(line))
        return found

    def nonblank(self, i: int, step: int) -> int | None:
        """The nearest non-blank line before (step -1) or after (+1) line ``i``."""
        return self.next_nonblank[i] if step > 0 else self.prev_nonblank[i]

    def following(self, i: int, step: int, n: int) -> list[int]:
        """The next ``n`` non-blank lines from line ``i`` in direction ``step``."""
        out: list[int] = []
        j = self.nonblank(i, step)
        while j is not None and len(out) < n:
            out.append(j)
            j = self.nonblank(j, step)
        return out

    def kept(self, i: int, step: int) -> int | None:
        """The nearest non-blank line before (step -1) or after (+1) line ``i`` that is not removed."""
        jump = self._kept_jump.get(step)
        if jump is None:
            jump = self._kept_jump[step] = list(range(len(self.stripped)))
        removed, stripped = self.removed, self.stripped
        return _find(jump, i + step, step, lambda j: not stripped[j] or j in removed)

    def start_marking(self, rule: BlockRule) -> None:
        """Forget what the previous rule looked through: ``rule`` marks its blocks now."""
        self._look = {}
        self._look_rule = rule

    def looks_through(
        self, rule: BlockRule, side: Neighbours, step: int, anchors: frozenset[int]
    ) -> tuple[list[int], Callable[[int], bool]]:
        """The jumps and the test for :func:`_find`: what the evidence of ``rule`` looks through.

        It looks through blank lines, lines this rule took as anchors (a second credit under one
        picture) and lines that a context-free line rule took, unless ``side`` names that rule in
        ``confirm_by`` (an ad label).  While a rule marks its blocks only that rule adds to
        ``removed``, so what it looks through only grows, and the jumps stay true until
        :meth:`start_marking` is called for the next rule.
        """
        assert rule is self._look_rule, "start_marking(rule) first"
        key = (id(side), step)
        found = self._look.get(key)
        if found is None:  # the jumps and the test, made once per side while the rule marks
            removed, stripped = self.removed, self.stripped

            def through(k: int) -> bool:
                if not stripped[k]:
                    return True
                other = removed.get(k)
                if other is None:
                    return False
                if other is rule:
                    return k in anchors
                return isinstance(other, LineRule) and not other.contextual and other.code not in side.confirm_by

            found = self._look[key] = (list(range(len(self.stripped))), through)
        return found


def _find(jump: list[int], j: int, step: int, skipped: Callable[[int], bool]) -> int | None:
    """The first line from ``j`` in direction ``step`` that is not ``skipped``; None past the end.

    ``jump[k] != k`` says that every line from ``k`` up to (not including) ``jump[k]`` is
    skipped.  The links are shortened on the way (path compression), so a long stretch is walked
    once.  Only valid while ``skipped`` never turns false for a line where it was true.
    """
    n = len(jump)
    path: list[int] = []
    while 0 <= j < n:
        nxt = jump[j]
        if nxt == j:
            if not skipped(j):
                break
            nxt = j + step
        path.append(j)
        j = nxt
    for k in path:
        jump[k] = j
    return j if 0 <= j < n else None


def _find_removals(
    stripped: list[str],
    rules: tuple[BoilerplateRule, ...],
    whole: list[str] | None = None,
    initial: dict[int, Rule] | None = None,
) -> dict[int, Rule]:
    """Which non-blank lines go, and by which rule (the first rule, in code order, wins).

    Lines already removed are invisible to the evidence of other rules (a widget's headlines do
    not stop at an "Advertisement" line that goes anyway).  The passes repeat until nothing more
    is found, so that the result is what cleaning the output again would give: idempotence.
    """
    removed: dict[int, Rule] = dict(initial or {})
    lines = _Lines(stripped, removed)
    plain = [r for r in rules if isinstance(r, LineRule) and not r.contextual]
    blocks = [r for r in rules if isinstance(r, BlockRule)]
    runs = [r for r in rules if isinstance(r, RunRule)]
    contextual = [r for r in rules if isinstance(r, LineRule) and r.contextual]
    # a line rule without context judges each line alone: once is enough; it sees the line whole
    # and as the span rules leave it.  Its verdict depends on the text alone, so identical lines
    # (a page of "Read More" or "Share", a site's menu on each of its pages) are judged once.
    verdicts: LineTable[tuple[str, str], LineRule | None] = _table("verdicts", tuple(plain))
    for i, s in enumerate(stripped):
        if s and i not in removed:
            w = whole[i] if whole is not None else s
            key = (w, s)
            if key in verdicts:
                found = verdicts[key]
            else:
                found = _first_match(plain, w, s)
                verdicts.put(key, found, len(s) if w is s else len(w) + len(s))
            if found is not None:
                removed[i] = found
    # units of a line that a line rule took whole are settled: they anchor nothing
    locked = set(initial or {})
    anchors = []
    distinct = _distinct(stripped)
    # which block rules a line anchors depends on its text alone: asked once per text (and rules)
    anchored: LineTable[str, tuple[bool, ...]] = _table("anchors", tuple(blocks))
    masks: dict[str, tuple[bool, ...]] = {}
    for s in distinct if blocks else ():
        mask = anchored.get(s)
        if mask is None:
            mask = tuple(block.anchors(s) for block in blocks)
            anchored.put(s, mask, len(s))
        masks[s] = mask
    for k, block in enumerate(blocks):
        anchor_lines = frozenset(i for s, at in distinct.items() if masks[s][k] for i in at)
        anchors.append((block, anchor_lines, [i for i in sorted(anchor_lines) if i not in locked]))
    # whether a contextual rule's patterns match a line depends on the line alone (its context is
    # judged after, by _in_context): asked once per text, rule and rule list, across documents
    matching: LineTable[tuple[str, str], bool] = _table("contextual", tuple(contextual))
    # how many entries `removed` has once every non-blank line is taken (the initial units may be blank)
    everything = sum(1 for s in stripped if s) + sum(1 for i in removed if not stripped[i])
    for _ in range(_MAX_PASSES):
        before = len(removed)
        for block, anchor_lines, hits in anchors:
            lines.start_marking(block)
            for i in hits:
                _mark_block(i, lines, block, anchor_lines)
        fired = Counter(r.code for r in removed.values())
        for run in runs:
            if not run.requires or sum(fired[c] for c in run.requires) >= run.requires_min:
                _mark_runs(stripped, run, removed)
        fired = Counter(r.code for r in removed.values())
        # the lines still kept: a removed line is only skipped below (lines never leave `removed`)
        kept = [i for i, s in enumerate(stripped) if s and i not in removed] if contextual else []
        for rule in contextual:
            if rule.requires and sum(fired[c] for c in rule.requires) < rule.requires_min:
                continue
            code = rule.code
            kept_before = 0  # kept non-blank lines before line i
            for i in kept:
                if i in removed:  # taken by an earlier rule of this loop
                    continue
                s = stripped[i]
                key = (code, s)
                match = matching.get(key)
                if match is None:
                    match = rule.matches(s)
                    matching.put(key, match, len(s))
                if not match:
                    kept_before += 1
                    continue
                if rule.position == "first" and kept_before > 0:
                    break  # only the first line that stays can be a section label
                if rule.position == "head" and kept_before >= _HEAD_LINES:
                    break
                kept_before += 1
                if not _in_context(lines, i, rule):
                    continue
                removed[i] = rule
                kept_before -= 1
        if len(removed) == before or len(removed) == everything:
            break  # nothing new; or nothing left that a pass could take (a page of furniture)
    return removed


#: Answers about lines kept across documents and across the rounds of one document (a site repeats
#: its furniture on every page: on web/, 17% of a page's lines were on an earlier page; and the
#: second round of a document judges again the lines the first one left), each table within a
#: budget of characters (:mod:`cleaner.memo`), emptied when it is spent: the verdicts of the
#: context-free line rules, whether a contextual rule's patterns match (its context is judged
#: apart), the cuts of the split rules, the spans of the span rules, the block rules a line anchors
#: (and, for :mod:`cleaner.boilerplate.thread`, a line's signature template and cut points).
#: An answer depends on the line and the rules alone: the output is the same with or without them.
#: Keyed by what is asked and the rules' identities (an entry holds its rules, so that no other
#: object takes one of their ids while it lives).
_TABLES: dict[tuple[str, tuple[int, ...]], tuple[tuple[object, ...], LineTable[Any, Any]]] = {}


def _table(question: str, rules: tuple[object, ...]) -> LineTable[Any, Any]:
    """The answers to ``question`` remembered for the rule list ``rules`` (one table per rule selection)."""
    key = (question, tuple(map(id, rules)))
    entry = _TABLES.get(key)
    if entry is None:
        if len(_TABLES) >= 32:
            _TABLES.clear()
        entry = _TABLES[key] = (rules, LineTable())
    return entry[1]


def _first_match(plain: list[LineRule], w: str, s: str) -> LineRule | None:
    """The first context-free line rule of ``plain`` that takes the unit ``w`` (``s``: as the span rules leave it)."""
    for rule in plain:
        if rule.matches(w) or (w != s and rule.matches(s)):
            return rule
    return None


def _distinct(stripped: list[str]) -> dict[str, list[int]]:
    """The distinct non-blank lines and where each occurs (so that a test of the text alone runs once per text)."""
    out: dict[str, list[int]] = {}
    for i, s in enumerate(stripped):
        if s:
            out.setdefault(s, []).append(i)
    return out


#: Enough for any real page; a bound so that no input can loop.
_MAX_PASSES = 8
#: ``position = "head"``: among the first this many lines that stay.
_HEAD_LINES = 3


def _in_context(lines: _Lines, i: int, rule: LineRule) -> bool:
    """Whether line ``i`` has the context that a contextual line rule asks for."""
    stripped, removed = lines.stripped, lines.removed
    if rule.neighbours and not _neighbours_are(lines, i, rule.neighbours):
        return False
    if rule.between and not _between(lines, i, rule.between, rule.between_weak):
        return False
    if rule.beside:
        sides = (lines.nonblank(i, -1), lines.nonblank(i, 1))
        if not any(j is not None and j in removed and removed[j].code in rule.beside for j in sides):
            return False
    if rule.not_after:
        j = lines.kept(i, -1)
        if j is not None and any(p.fullmatch(stripped[j]) for p in rule.not_after):
            return False
    if rule.followed_by:
        j = lines.kept(i, 1)
        if j is None or not SHAPES[rule.followed_by](stripped[j]):
            return False
    return True


def _neighbours_are(lines: _Lines, i: int, shape: str) -> bool:
    """Whether the nearest kept lines before and after line ``i`` both have ``shape``."""
    test = SHAPES[shape]
    for step in (-1, 1):
        j = lines.kept(i, step)
        if j is None or not test(lines.stripped[j]):
            return False
    return True


def _between(lines: _Lines, i: int, strong: tuple[str, ...], weak: tuple[str, ...]) -> bool:
    """Whether the nearest non-blank lines on both sides of line ``i`` were removed by ``strong``
    rules, or one by a ``strong`` and the other by a ``weak`` rule."""
    found = []
    for step in (-1, 1):
        j = lines.nonblank(i, step)
        if j is None or j not in lines.removed:
            return False
        found.append(lines.removed[j].code)
    strong_sides = sum(code in strong for code in found)
    return strong_sides == 2 or (strong_sides == 1 and any(code in weak for code in found))


#: A block's evidence takes at most this many lines that ride along without counting (kickers
#: and times between a widget's headlines) on each side of its anchor; past them it ends, as it
#: does at a paragraph.  Chosen, not measured: a real widget has a few; without a bound, a page
#: of thousands of such lines under thousands of anchors makes every anchor walk the whole page
#: (bench/adversarial.py, case "widget-kickers").
_MAX_RIDERS = 32


def _mark_block(i: int, lines: _Lines, rule: BlockRule, anchors: frozenset[int]) -> None:
    """Mark the anchor line ``i`` and the neighbouring lines its evidence reaches.

    The evidence stops at a line that another rule removes: that line is another piece of the
    page, and what lies beyond it is not this block's to take.  ``anchors`` are the lines that
    anchor ``rule``.
    """
    stripped, removed = lines.stripped, lines.removed
    taken = [i]
    to_end: list[int] = []
    for side, step in ((rule.after, 1), (rule.before, -1)):
        if side is None:
            continue
        got: list[int] = []
        counted = 0
        # the evidence stopped at a line that a rule of `confirm_by` took, or the anchor closes a
        # block of this same rule just above it (a "More in World" footer under its widget)
        prev = lines.nonblank(i, -step)
        vouched = prev is not None and removed.get(prev) is rule
        if side.to_end:
            # every non-blank line to the end of the text in this direction (counted up to `min`)
            reach = len(lines.following(i, step, side.min))
        else:
            riders = 0
            j: int | None = i + step
            limit = side.max + 1  # one more, to see an overflow
            jump, through = lines.looks_through(rule, side, step, anchors)
            while j is not None and counted < limit:
                # past blank lines, other anchors of this rule (a second credit under one
                # picture) and junk on its own (an ad label): absent, as they will be once removed
                j = _find(jump, j, step, through)
                if j is None:
                    break
                if j in removed and removed[j] is not rule:
                    # a line another structure took belongs to something else: the evidence ends
                    vouched = removed[j].code in side.confirm_by
                    break
                if j in anchors:
                    break
                accepts, counts = lines.judge(side, stripped[j])
                if not accepts:
                    break
                riders += not counts
                if riders > _MAX_RIDERS:
                    break
                counted += counts
                got.append(j)
                j += step
            reach = len(got)
        if side.confirm and not any(
            any(p.fullmatch(stripped[j]) for p in side.confirm) for j in lines.following(i, step, 3)
        ):
            return  # the lines after the anchor do not look like what the anchor announces
        if counted > side.max:
            # more lines of this shape than a widget has: a list of the article's own
            got = [] if side.overflow == "anchor" else _first_counted(got, stripped, side, side.max)
            reach = len(got)
        if reach + vouched < side.min:
            return
        if side.to_end:
            to_end.append(step)
        taken += got
    removed[i] = rule  # the anchor is this block's evidence, whichever line rule also matched it
    for j in taken[1:]:
        removed.setdefault(j, rule)
    for step in to_end:
        _take_to_end(lines, rule, i, step)


def _take_to_end(lines: _Lines, rule: BlockRule, i: int, step: int) -> None:
    """Mark every non-blank line after line ``i`` to the end (step 1), or before it to the start (-1).

    What an earlier anchor of the rule already took to that end is not walked again: lines never
    leave ``removed``, so it is still taken.
    """
    key = (rule.code, step)
    n = len(lines.stripped)
    done = lines.taken_to_end.get(key, n if step > 0 else -1)
    j = i + step
    while 0 <= j < n and (j < done if step > 0 else j > done):
        if lines.stripped[j]:
            lines.removed.setdefault(j, rule)
        j += step
    lines.taken_to_end[key] = min(done, i + 1) if step > 0 else max(done, i - 1)


def _mark_runs(stripped: list[str], rule: RunRule, removed: dict[int, Rule]) -> None:
    """Mark every maximal run of consecutive kept lines of the rule's shape whose length fits."""
    run = rule.run
    assert run is not None
    test = SHAPES[run.shape]
    kept = [i for i, s in enumerate(stripped) if s and (i not in removed or removed[i] is rule)]
    k = 0
    end = 0
    while k < len(kept):
        if not test(stripped[kept[k]]):
            k += 1
            continue
        p = run.period
        # where the run from k ends is never before where the run from an earlier start in it
        # ended (the lines up to there passed the same tests): each line is compared once
        end = max(end, k + 1)
        while (
            end < len(kept)
            and test(stripped[kept[end]])
            and (not run.identical or end - k < p or stripped[kept[end]] == stripped[kept[end - p]])
        ):
            end += 1
        whole = k + p + (end - k - p) // p * p if run.identical and p > 1 else end  # whole repeats only
        before = stripped[kept[k - 1]] if k > 0 else ""
        fits = run.min <= whole - k <= run.max and not any(pat.fullmatch(before) for pat in run.not_after)
        if fits and run.some:
            fits = all(any(SHAPES[name](stripped[j]) for j in kept[k:whole]) for name in run.some)
        if fits:
            for j in kept[k + 1 : whole] if run.keep_first else kept[k:whole]:
                removed.setdefault(j, rule)
            k = end = whole
        else:
            k = k + 1 if p > 1 else max(whole, k + 1)


def _first_counted(got: list[int], stripped: list[str], side: Neighbours, n: int) -> list[int]:
    """The lines of ``got`` up to (and with) the ``n``-th that counts."""
    out: list[int] = []
    for j in got:
        if n == 0:
            break
        out.append(j)
        n -= side.counts(stripped[j])
    return out


#: How many times a line whose pieces were partly removed is judged again as the line it became.
_MAX_REJOINED_PASSES = 4


def apply_boilerplate(text: str, rules: tuple[BoilerplateRule, ...]) -> tuple[str, list[Edit]]:
    """Apply boilerplate ``rules`` to ``text``; return the new text and the edits, in order.

    The unit the rules judge is a line, or a piece of a line where a ``split`` rule (RP001) finds
    run-together text.  A line goes whole when all its pieces go; a piece goes alone otherwise,
    and pieces that stay on both sides of it are set on lines of their own.  Pieces that all stay
    are left as they were: a cut is made only where a piece is removed.  A line that lost a piece
    and kept the rest is judged again as the line it became, since its glue points may have
    changed ("Advertisementlinkedin|Headline" has none that "linkedin|Headline" has), so that
    cleaning the result again finds nothing more.

    >>> from cleaner.ruleset.model import load_rules
    >>> rules = load_rules().boilerplate
    >>> apply_boilerplate("First paragraph.\\nAdvertisement\\nSecond paragraph.", rules)[0]
    'First paragraph.\\nSecond paragraph.'
    >>> glued = "Burning stubble fouls the air.Sakib Ali/Hindustan Times/Getty ImagesThis image shows fires."
    >>> apply_boilerplate(glued, rules)[0]
    'This image shows fires.'
    """
    edits: list[Edit] = []
    for _ in range(_MAX_REJOINED_PASSES):
        text, found, rejoined = _boilerplate_pass(text, rules)
        edits += found
        if not rejoined:
            break
    return text, edits


def _boilerplate_pass(text: str, rules: tuple[BoilerplateRule, ...]) -> tuple[str, list[Edit], bool]:
    """One pass of :func:`apply_boilerplate`; also whether a line lost a piece and kept the rest."""
    lines = [_Line(s, e, t) for s, e, t in iter_lines(text)]
    splitters = [r for r in rules if isinstance(r, SplitRule)]
    units, owner = _units(lines, splitters)
    spans = _find_spans(units, rules)
    # the rules see each unit as the span rules leave it
    stripped = [_cut(u.text, spans[i]).strip() if i in spans else u.text.strip() for i, u in enumerate(units)]
    whole_rule = _whole_line_matches(lines, units, owner, rules)
    initial = {i: whole_rule[owner[i]] for i in range(len(units)) if owner[i] in whole_rule}
    removed = _find_removals(stripped, rules, [u.text.strip() for u in units] if spans else None, initial)
    for i, cuts in spans.items():
        if not stripped[i]:
            removed[i] = cuts[0][2]  # the spans took the whole unit: it goes whole
    if not removed and not spans:
        return text, [], False
    pieces: list[list[int]] | None = None  # the units of each line; None: each line is its one unit
    if len(units) == len(lines):
        gone = {li: removed[li] for li in removed}
    else:
        pieces = [[] for _ in lines]
        for i, li in enumerate(owner):
            pieces[li].append(i)
        gone = {li: removed[us[0]] for li, us in enumerate(pieces) if us and all(u in removed for u in us)}
    last_kept = _last_kept_index(lines, gone)
    nonblank = [i for i, ln in enumerate(lines) if ln.text.strip()]
    next_nb = dict(pairwise(nonblank))
    prev_nb = {b: a for a, b in pairwise(nonblank)}
    split_rule = splitters[0] if splitters else None
    log = EditLog(text)
    rejoined = False
    for li, ln in enumerate(lines):
        rule = gone.get(li)
        if rule is not None:
            if li < last_kept:  # the line and the separator after it
                log.add(rule.code, rule.slug, ln.start, lines[next_nb[li]].start)
            else:  # at the tail: the separator before it and the line
                j = prev_nb.get(li)
                log.add(rule.code, rule.slug, ln.start if j is None else lines[j].end, ln.end)
            continue
        us = pieces[li] if pieces is not None else [li]
        for k, u in enumerate(us):
            unit = units[u]
            if u in removed:
                r = removed[u]
                note = f"a piece of a line cut by {split_rule.code} {split_rule.slug}" if split_rule else ""
                log.add(r.code, r.slug, unit.start, unit.end, "", note)
                kept_before = any(v not in removed for v in us[:k])
                kept_next = k + 1 < len(us) and us[k + 1] not in removed
                # kept on one side only, the rest stays on this line, glued anew; kept on both
                # sides, the pieces get lines of their own, which the pipeline judges again
                rejoined = rejoined or kept_before != kept_next
                if kept_before and kept_next and split_rule is not None:
                    # the pieces on both sides were separate blocks: give them separate lines
                    log.add(split_rule.code, split_rule.slug, unit.end, unit.end, "\n")
            elif u in spans:
                for s, e, r in spans[u]:
                    log.add(r.code, r.slug, unit.start + s, unit.start + e)
    return log.result(), log.edits, rejoined


def _units(lines: list[_Line], splitters: list[SplitRule]) -> tuple[list[_Line], list[int]]:
    """The units the rules judge (lines, or pieces of lines cut at glue points), and each one's line."""
    if not splitters:
        return lines, list(range(len(lines)))
    units: list[_Line] = []
    owner: list[int] = []
    # where a line is cut depends on its text alone: found once per distinct line (and splitters)
    found: LineTable[str, list[int]] = _table("cuts", tuple(splitters))
    for li, ln in enumerate(lines):
        bounds = found.get(ln.text)
        if bounds is None:
            cuts: set[int] = set()
            if ln.text.strip():
                for rule in splitters:
                    cuts.update(SPLITTERS[rule.function](ln.text))
            bounds = [0, *sorted(c for c in cuts if 0 < c < len(ln.text)), len(ln.text)]
            found.put(ln.text, bounds, len(ln.text))
        if len(bounds) == 2:  # not cut: the line is its one unit
            units.append(ln)
            owner.append(li)
            continue
        for a, b in pairwise(bounds):
            units.append(_Line(ln.start + a, ln.start + b, ln.text[a:b]))
            owner.append(li)
    return units, owner


#: A line cut into pieces is first judged whole when it is this short (a link run together).
_WHOLE_LINE_WORDS = 25


def _whole_line_matches(
    lines: list[_Line], units: list[_Line], owner: list[int], rules: tuple[BoilerplateRule, ...]
) -> dict[int, Rule]:
    """Lines cut into pieces that a context-free line rule takes whole ("Read MoreChina shows ...")."""
    if len(units) == len(lines):
        return {}
    plain = [r for r in rules if isinstance(r, LineRule) and not r.contextual]
    split_lines = {li for li, n in Counter(owner).items() if n > 1}
    out: dict[int, Rule] = {}
    for li in sorted(split_lines):
        s = lines[li].text.strip()
        if len(words(s)) > _WHOLE_LINE_WORDS:
            continue  # a long line is a paragraph with something glued to it: judge the pieces
        for rule in plain:
            if rule.matches(s):
                out[li] = rule
                break
    return out


def _last_kept_index(lines: list[_Line], removed: dict[int, Rule]) -> int:
    """Index of the last non-blank line that stays (-1 if none)."""
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].text.strip() and i not in removed:
            return i
    return -1


def _find_spans(lines: list[_Line], rules: tuple[BoilerplateRule, ...]) -> dict[int, list[tuple[int, int, Rule]]]:
    """Spans to cut inside lines, by ``span`` rules, left to right without overlap."""
    spans: dict[int, list[tuple[int, int, Rule]]] = {}
    span_rules = [r for r in rules if isinstance(r, SpanRule)]
    if not span_rules:
        return spans
    # spans depend on a line's text alone: found once per distinct text (and span rules)
    seen: LineTable[str, list[tuple[int, int, Rule]]] = _table("spans", tuple(span_rules))
    for i, ln in enumerate(lines):
        if not ln.text.strip():
            continue
        merged = seen.get(ln.text)
        if merged is None:
            merged = _spans_of(ln.text, span_rules)
            seen.put(ln.text, merged, len(ln.text))
        if merged:
            spans[i] = merged
    return spans


def _spans_of(text: str, span_rules: list[SpanRule]) -> list[tuple[int, int, Rule]]:
    """The spans of one line, left to right without overlap (the longest at each start)."""
    found: list[tuple[int, int, Rule]] = []
    for rule in span_rules:
        for p in rule.patterns:
            for m in p.finditer(text):
                if m.end() > m.start():
                    found.append((*_widen(text, m.start(), m.end()), rule))
    found.sort(key=lambda t: (t[0], -t[1]))
    merged: list[tuple[int, int, Rule]] = []
    for s, e, r in found:
        if merged and s < merged[-1][1]:
            continue
        merged.append((s, e, r))
    return merged


def _cut(line: str, spans: list[tuple[int, int, Rule]]) -> str:
    """``line`` without the ``spans``."""
    return "".join(line[a:b] for a, b in _gaps(len(line), spans))


def _gaps(n: int, spans: list[tuple[int, int, Rule]]) -> list[tuple[int, int]]:
    out, pos = [], 0
    for s, e, _ in spans:
        out.append((pos, s))
        pos = e
    out.append((pos, n))
    return out


def _widen(line: str, s: int, e: int) -> tuple[int, int]:
    """Take the spaces that a cut would leave doubled or dangling."""
    while e < len(line) and line[e] == " " and (s == 0 or line[s - 1] == " "):
        e += 1
    while s > 0 and line[s - 1] == " " and e == len(line):
        s -= 1
    return s, e
