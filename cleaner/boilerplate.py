"""The boilerplate engine: applies ``line``, ``span`` and ``block`` rules to a text.

Lines are the unit (structured text has one block per line).  A removed line takes one
separator with it (the one after it, or before it at the end of the text), so removing lines
never leaves a double blank line and the result is already tidy: cleaning it again changes
nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from cleaner.document import Edit, EditLog, iter_lines
from cleaner.glue import SPLITTERS
from cleaner.rules import Neighbours, Rule
from cleaner.shapes import SHAPES


@dataclass(slots=True)
class _Line:
    start: int
    end: int
    text: str


def _find_removals(
    stripped: list[str],
    rules: tuple[Rule, ...],
    whole: list[str] | None = None,
    initial: dict[int, Rule] | None = None,
) -> dict[int, Rule]:
    """Which non-blank lines go, and by which rule (the first rule, in code order, wins).

    Lines already removed are invisible to the evidence of other rules (a widget's headlines do
    not stop at an "Advertisement" line that goes anyway).  The passes repeat until nothing more
    is found, so that the result is what cleaning the output again would give: idempotence.
    """
    removed: dict[int, Rule] = dict(initial or {})
    plain = [r for r in rules if r.kind == "line" and not r.contextual]
    blocks = [r for r in rules if r.kind == "block"]
    runs = [r for r in rules if r.kind == "run"]
    contextual = [r for r in rules if r.kind == "line" and r.contextual]
    # a line rule without context judges each line alone: once is enough; it sees the line whole
    # and as the span rules leave it
    for i, s in enumerate(stripped):
        if s and i not in removed:
            w = whole[i] if whole is not None else s
            for rule in plain:
                if rule.matches(w) or (w != s and rule.matches(s)):
                    removed[i] = rule
                    break
    # units of a line that a line rule took whole are settled: they anchor nothing
    locked = set(initial or {})
    anchors = [
        (rule, [i for i, s in enumerate(stripped) if s and i not in locked and rule.anchors(s)]) for rule in blocks
    ]
    for _ in range(_MAX_PASSES):
        before = len(removed)
        for rule, hits in anchors:
            for i in hits:
                _mark_block(i, stripped, rule, removed)
        fired = Counter(r.code for r in removed.values())
        for rule in runs:
            if not rule.requires or sum(fired[c] for c in rule.requires) >= rule.requires_min:
                _mark_runs(stripped, rule, removed)
        fired = Counter(r.code for r in removed.values())
        for rule in contextual:
            if rule.requires and sum(fired[c] for c in rule.requires) < rule.requires_min:
                continue
            kept_before = 0  # kept non-blank lines before line i
            for i, s in enumerate(stripped):
                if not s:
                    continue
                if i in removed or not rule.matches(s):
                    kept_before += i not in removed
                    continue
                if rule.position == "first" and kept_before > 0:
                    break  # only the first line that stays can be a section label
                if rule.position == "head" and kept_before >= _HEAD_LINES:
                    break
                kept_before += 1
                if not _in_context(stripped, removed, i, rule):
                    continue
                removed[i] = rule
                kept_before -= 1
        if len(removed) == before:
            break
    return removed


#: Enough for any real page; a bound so that no input can loop.
_MAX_PASSES = 8
#: ``position = "head"``: among the first this many lines that stay.
_HEAD_LINES = 3


def _nearest(stripped: list[str], i: int, step: int, removed: dict[int, Rule] | None = None) -> int | None:
    """The nearest non-blank line before (step -1) or after (+1) line ``i``; kept only, if ``removed`` is given."""
    j = i + step
    while 0 <= j < len(stripped) and (not stripped[j] or (removed is not None and j in removed)):
        j += step
    return j if 0 <= j < len(stripped) else None


def _in_context(stripped: list[str], removed: dict[int, Rule], i: int, rule: Rule) -> bool:
    """Whether line ``i`` has the context that a contextual line rule asks for."""
    if rule.neighbours and not _neighbours_are(stripped, removed, i, rule.neighbours):
        return False
    if rule.between and not _between(stripped, removed, i, rule.between, rule.between_weak):
        return False
    if rule.beside:
        sides = (_nearest(stripped, i, -1), _nearest(stripped, i, 1))
        if not any(j is not None and j in removed and removed[j].code in rule.beside for j in sides):
            return False
    if rule.not_after:
        j = _nearest(stripped, i, -1, removed)
        if j is not None and any(p.fullmatch(stripped[j]) for p in rule.not_after):
            return False
    if rule.followed_by:
        j = _nearest(stripped, i, 1, removed)
        if j is None or not SHAPES[rule.followed_by](stripped[j]):
            return False
    return True


def _neighbours_are(stripped: list[str], removed: dict[int, Rule], i: int, shape: str) -> bool:
    """Whether the nearest kept lines before and after line ``i`` both have ``shape``."""
    test = SHAPES[shape]
    for step in (-1, 1):
        j = _nearest(stripped, i, step, removed)
        if j is None or not test(stripped[j]):
            return False
    return True


def _between(
    stripped: list[str], removed: dict[int, Rule], i: int, strong: tuple[str, ...], weak: tuple[str, ...]
) -> bool:
    """Whether the nearest non-blank lines on both sides of line ``i`` were removed by ``strong``
    rules, or one by a ``strong`` and the other by a ``weak`` rule."""
    found = []
    for step in (-1, 1):
        j = _nearest(stripped, i, step)
        if j is None or j not in removed:
            return False
        found.append(removed[j].code)
    strong_sides = sum(code in strong for code in found)
    return strong_sides == 2 or (strong_sides == 1 and any(code in weak for code in found))


def _mark_block(i: int, stripped: list[str], rule: Rule, removed: dict[int, Rule]) -> None:
    """Mark the anchor line ``i`` and the neighbouring lines its evidence reaches.

    The evidence stops at a line that another rule removes: that line is another piece of the
    page, and what lies beyond it is not this block's to take.
    """
    taken = [i]
    for side, step in ((rule.after, 1), (rule.before, -1)):
        if side is None:
            continue
        got: list[int] = []
        counted = 0
        # the evidence stopped at a line that a rule of `confirm_by` took, or the anchor closes a
        # block of this same rule just above it (a "More in World" footer under its widget)
        prev = _nearest(stripped, i, -step)
        vouched = prev is not None and removed.get(prev) is rule
        j = i + step
        limit = len(stripped) if side.to_end else side.max + 1  # one more, to see an overflow
        while 0 <= j < len(stripped) and counted < limit:
            if not stripped[j]:
                j += step
                continue
            if removed.get(j) is rule and not side.to_end and rule.anchors(stripped[j]):
                j += step  # another anchor of this rule (a second credit under one picture): look past it
                continue
            if j in removed and removed[j] is not rule and not side.to_end:
                other = removed[j]
                if other.kind == "line" and not other.contextual and other.code not in side.confirm_by:
                    j += step  # junk on its own (an ad label): absent, as it will be once removed
                    continue
                vouched = other.code in side.confirm_by
                break  # a line another structure took belongs to something else: the evidence ends
            if not side.to_end:
                if rule.anchors(stripped[j]) or not side.accepts(stripped[j]):
                    break
                counted += side.counts(stripped[j])
            got.append(j)
            j += step
        if side.confirm and not any(
            any(p.fullmatch(stripped[j]) for p in side.confirm) for j in _following(stripped, i, step, 3)
        ):
            return  # the lines after the anchor do not look like what the anchor announces
        if counted > side.max and not side.to_end:
            # more lines of this shape than a widget has: a list of the article's own
            got = [] if side.overflow == "anchor" else _first_counted(got, stripped, side, side.max)
        if len(got) + vouched < side.min:
            return
        taken += got
    removed[i] = rule  # the anchor is this block's evidence, whichever line rule also matched it
    for j in taken[1:]:
        removed.setdefault(j, rule)


def _mark_runs(stripped: list[str], rule: Rule, removed: dict[int, Rule]) -> None:
    """Mark every maximal run of consecutive kept lines of the rule's shape whose length fits."""
    run = rule.run
    assert run is not None
    test = SHAPES[run.shape]
    kept = [i for i, s in enumerate(stripped) if s and (i not in removed or removed[i] is rule)]
    k = 0
    while k < len(kept):
        if not test(stripped[kept[k]]):
            k += 1
            continue
        p = run.period
        end = k + 1
        while (
            end < len(kept)
            and test(stripped[kept[end]])
            and (not run.identical or end - k < p or stripped[kept[end]] == stripped[kept[end - p]])
        ):
            end += 1
        if run.identical and p > 1:
            end = k + p + (end - k - p) // p * p  # whole repeats only
        members = kept[k:end]
        before = stripped[kept[k - 1]] if k > 0 else ""
        fits = run.min <= len(members) <= run.max and not any(pat.fullmatch(before) for pat in run.not_after)
        if fits and run.some:
            fits = any(SHAPES[run.some](stripped[j]) for j in members)
        if fits:
            for j in members[1:] if run.keep_first else members:
                removed.setdefault(j, rule)
            k = end
        else:
            k = k + 1 if p > 1 else max(end, k + 1)


def _following(stripped: list[str], i: int, step: int, n: int) -> list[int]:
    """The next ``n`` non-blank lines from line ``i`` in direction ``step``."""
    out: list[int] = []
    j = i + step
    while 0 <= j < len(stripped) and len(out) < n:
        if stripped[j]:
            out.append(j)
        j += step
    return out


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


def apply_boilerplate(text: str, rules: tuple[Rule, ...]) -> tuple[str, list[Edit]]:
    """Apply boilerplate ``rules`` to ``text``; return the new text and the edits, in order.

    The unit the rules judge is a line, or a piece of a line where a ``split`` rule (RP001) finds
    run-together text.  A line goes whole when all its pieces go; a piece goes alone otherwise,
    and pieces that stay on both sides of it are set on lines of their own.  Pieces that all stay
    are left as they were: a cut is made only where a piece is removed.  A line that lost a piece
    and kept the rest is judged again as the line it became, since its glue points may have
    changed ("Advertisementlinkedin|Headline" has none that "linkedin|Headline" has), so that
    cleaning the result again finds nothing more.

    >>> from cleaner.rules import load_rules
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


def _boilerplate_pass(text: str, rules: tuple[Rule, ...]) -> tuple[str, list[Edit], bool]:
    """One pass of :func:`apply_boilerplate`; also whether a line lost a piece and kept the rest."""
    lines = [_Line(s, e, t) for s, e, t in iter_lines(text)]
    splitters = [r for r in rules if r.kind == "split"]
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
    pieces: list[list[int]] = [[] for _ in lines]
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
        us = pieces[li]
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


def _units(lines: list[_Line], splitters: list[Rule]) -> tuple[list[_Line], list[int]]:
    """The units the rules judge (lines, or pieces of lines cut at glue points), and each one's line."""
    if not splitters:
        return lines, list(range(len(lines)))
    units: list[_Line] = []
    owner: list[int] = []
    for li, ln in enumerate(lines):
        cuts: set[int] = set()
        if ln.text.strip():
            for rule in splitters:
                cuts.update(SPLITTERS[rule.function](ln.text))
        bounds = [0, *sorted(c for c in cuts if 0 < c < len(ln.text)), len(ln.text)]
        for a, b in pairwise(bounds):
            units.append(_Line(ln.start + a, ln.start + b, ln.text[a:b]))
            owner.append(li)
    return units, owner


#: A line cut into pieces is first judged whole when it is this short (a link run together).
_WHOLE_LINE_WORDS = 25


def _whole_line_matches(
    lines: list[_Line], units: list[_Line], owner: list[int], rules: tuple[Rule, ...]
) -> dict[int, Rule]:
    """Lines cut into pieces that a context-free line rule takes whole ("Read MoreChina shows ...")."""
    if len(units) == len(lines):
        return {}
    plain = [r for r in rules if r.kind == "line" and not r.contextual]
    split_lines = {li for li, n in Counter(owner).items() if n > 1}
    out: dict[int, Rule] = {}
    for li in sorted(split_lines):
        s = lines[li].text.strip()
        if len(s.split()) > _WHOLE_LINE_WORDS:
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


def _find_spans(lines: list[_Line], rules: tuple[Rule, ...]) -> dict[int, list[tuple[int, int, Rule]]]:
    """Spans to cut inside lines, by ``span`` rules, left to right without overlap."""
    spans: dict[int, list[tuple[int, int, Rule]]] = {}
    span_rules = [r for r in rules if r.kind == "span"]
    if not span_rules:
        return spans
    for i, ln in enumerate(lines):
        if not ln.text.strip():
            continue
        found: list[tuple[int, int, Rule]] = []
        for rule in span_rules:
            for p in rule.patterns:
                for m in p.finditer(ln.text):
                    if m.end() > m.start():
                        found.append((*_widen(ln.text, m.start(), m.end()), rule))
        if not found:
            continue
        found.sort(key=lambda t: (t[0], -t[1]))
        merged: list[tuple[int, int, Rule]] = []
        for s, e, r in found:
            if merged and s < merged[-1][1]:
                continue
            merged.append((s, e, r))
        spans[i] = merged
    return spans


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
