"""What every full match of a pattern must contain: prefilters derived from the patterns themselves.

A line rule's patterns are tried in full on every line, and a pattern that may start anywhere
(``.{0,200}\\b(?i:click here to ...)``) walks the whole line at every start it can take: 10-50 us
a line.  Most such patterns name words that every match holds ("inbox", "click", "/" and an
agency): a line without any of them cannot match, and searching a line for a few words takes a
few hundred nanoseconds.  :func:`guards` finds those words by reading the pattern (RE2's and
Hyperscan's "required literals"), so that no prefilter is written by hand and none can drift
from its pattern.

Sound by construction, never by measurement: every string the pattern matches in full contains
one string of each guard.  A guard is compiled by the same engine with the same case rules as the
pattern (``(?i:...)`` where the pattern ignores case), so it matches at least what the pattern's
letters match.  Whatever the analysis does not understand (a back-reference, a construct of the
``regex`` module that the standard parser reads otherwise) gives no guard, and the pattern is
tried on every line as before; tests/test_literals.py checks the claim on every rule's examples
and on generated lines.
"""

from __future__ import annotations

import re

# the standard library's parser of regular expressions: private modules, unchanged since Python 3.11
# (sre_parse, their public name until then, warns on import); typeshed has no stubs for them
import re._constants as sre_c  # type: ignore[import-not-found]
import re._parser as sre  # type: ignore[import-not-found]
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import product
from typing import Any

#: A literal: its characters, each with whether the pattern ignores its case there.
Literal = tuple[tuple[str, bool], ...]
#: A set of literals of which every match holds one (as a substring).
Required = frozenset[Literal]

#: Bounds that keep the analysis small; past them a node is "not a known set of strings".  These
#: four change speed only, never a result (a guard is sound whatever its size); chosen, not
#: measured, except that a guard of many strings was seen to cost more than the pattern it guards
#: (a search per string: 10 us for 49 of them on a web/ line, against 1-3 us for most patterns).
_MAX_SET = 64
_MAX_LENGTH = 40
#: At most this many guards a pattern, of at most this many strings each (each a search of the line).
_MAX_GUARDS = 2
_MAX_GUARD_STRINGS = 8

# a class of the regex module (\p{Lu}, \P{L}, \pL) is read as some class of characters: never a literal
_PROPERTY = re.compile(r"\\[pP](?:\{[^}]*\}|[A-Za-z])")
# regex constructs that the standard parser reads as literals or otherwise (a POSIX class, a named list,
# a word boundary of its own, a flag it lacks, a fuzzy constraint): no guard for such a pattern
_FOREIGN = re.compile(r"\[:\^?[a-z]+:\]|\\[LmMG]|\(\?[^:=!<>#P(]*[VfbewrpxX]|\{\s*[a-zA-Z]")


@dataclass(frozen=True)
class _Facts:
    """What a node matches: exactly one of ``exact`` (None: not a known small set), and the
    candidate requirements (sets of which every match holds one string; empty: none known)."""

    exact: frozenset[Literal] | None
    required: tuple[Required, ...] = ()


_EMPTY = _Facts(frozenset({()}))
_UNKNOWN = _Facts(None)


#: A guard: lowercase ASCII strings of which a line (lowercased) holds one, or the pattern cannot match it.
Guard = tuple[str, ...]


def guards(pattern: str) -> tuple[Guard, ...]:
    """Prefilters for ``pattern``: a line that the pattern matches in full passes each (:func:`passes`).

    Empty when nothing is required (or the pattern is not understood), when what is required is
    not ASCII or too many strings to search cheaply, or when the pattern starts with a fixed
    character: then a full match fails at the line's first character, faster than any search.

    >>> guards(r".{0,120}\\b(?i:meet your inbox|delivered to your inbox)\\b.{0,80}")
    (('meet your inbox', 'delivered to your inbox'),)
    >>> guards(r"Advertisement|ADVERTISEMENT")
    ()
    """
    parsed = _parse(pattern)
    if parsed is None or _starts_fixed(parsed.data):
        return ()
    facts = _sequence(parsed.data, bool(parsed.state.flags & re.IGNORECASE))
    usable = {g for g in map(_guard, facts.required) if g is not None and len(g) <= _MAX_GUARD_STRINGS}
    return tuple(sorted(usable, key=lambda g: (len(g), -min(map(len, g)), g))[:_MAX_GUARDS])


def _guard(required: Required) -> Guard | None:
    """``required`` as lowercase strings to look for, the fewest that do (None if one is not ASCII).

    A string that holds another of the set is left out: a line with it has the other one too.
    """
    found = set()
    for lit in required:
        text = "".join(c for c, _ in lit).lower()
        if not text or not text.isascii():
            return None  # an empty string requires nothing; other scripts fold otherwise
        found.add(text)
    kept = [t for t in found if not any(o != t and o in t for o in found)]
    return tuple(sorted(kept, key=lambda t: (len(t), t)))


#: The characters that ``regex`` matches to an ASCII letter when case is ignored but that
#: ``str.lower`` does not turn into it (tests/test_literals.py checks every code point).  A line that
#: has one is tried without guards.
FOLDS_TO_ASCII = "İıſ"

_last: tuple[str, str | None] = ("", "")


def folded(line: str) -> str | None:
    """``line`` lowercased, as guards look at it; None if it has a character of :data:`FOLDS_TO_ASCII`.

    The rules ask it of one line after another: the last answer is kept.
    """
    global _last
    if _last[0] is line:
        return _last[1]
    low: str | None = line.lower()
    if not line.isascii() and any(c in line for c in FOLDS_TO_ASCII):
        low = None
    _last = (line, low)
    return low


def passes(guards: tuple[Guard, ...], low: str | None) -> bool:
    """Whether a line lowercased as ``low`` (:func:`folded`) may match the pattern of ``guards``."""
    if low is None:
        return True
    for guard in guards:  # loops, not any() and all(): this runs for every rule on every line
        for text in guard:
            if text in low:
                break
        else:
            return False
    return True


def required_sets(pattern: str) -> tuple[Required, ...]:
    """What every full match of ``pattern`` holds: sets of literals, one of each set (the two most selective)."""
    parsed = _parse(pattern)
    if parsed is None:
        return ()
    return _best(_sequence(parsed.data, bool(parsed.state.flags & re.IGNORECASE)).required, _MAX_GUARDS)


def _parse(pattern: str) -> Any:
    """The standard parser's tree of ``pattern``, or None where it might read the pattern otherwise than ``regex``."""
    if "\\\\" in pattern:  # after an escaped backslash, a "p" is no class: not worth telling apart
        return None
    plain = _PROPERTY.sub(r"\\d", pattern)
    if _FOREIGN.search(plain):
        return None
    try:
        parsed = sre.parse(plain)
    except (re.error, OverflowError, RecursionError):
        return None
    return None if parsed.state.flags & (re.VERBOSE | re.LOCALE) else parsed


def _best(candidates: Iterable[Required], n: int) -> tuple[Required, ...]:
    """The ``n`` most selective requirements: few alternatives, long strings (a heuristic: any is sound)."""
    usable = {r for r in candidates if r and all(r_ for r_ in r)}  # an empty literal requires nothing
    return tuple(sorted(usable, key=lambda r: (len(r), -min(map(len, r)), sorted(r)))[:n])


def _starts_fixed(items: Any) -> bool:
    """Whether the first character of any match is one of a few fixed characters (a literal, a small set)."""
    for op, av in items:
        if op in (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT):
            return False  # a look-around first: the analysis stays simple
        if op is sre_c.LITERAL:
            return True
        if op is sre_c.IN:
            return all(o is sre_c.LITERAL for o, _ in av)
        if op is sre_c.SUBPATTERN:
            return _starts_fixed(av[3])
        if op is sre_c.BRANCH:
            return all(_starts_fixed(b.data) for b in av[1])
        if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT):
            return av[0] >= 1 and _starts_fixed(av[2].data)
        if op is sre_c.ATOMIC_GROUP:
            return _starts_fixed(av.data)
        return False
    return False


def _node(op: Any, av: Any, ic: bool) -> _Facts:
    """The facts of one node of the standard parser's tree (``ic``: case ignored here)."""
    if op is sre_c.LITERAL:
        return _Facts(frozenset({((chr(av), ic),)}))
    if op is sre_c.IN:
        if len(av) <= 8 and all(o is sre_c.LITERAL for o, _ in av):
            return _Facts(frozenset({((chr(c), ic),) for _, c in av}))
        return _UNKNOWN
    if op in (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT):
        return _EMPTY  # zero width: it adds no character to the match
    if op is sre_c.SUBPATTERN:
        _group, add, remove, p = av
        inner = (ic or bool(add & re.IGNORECASE)) and not remove & re.IGNORECASE
        return _sequence(p.data, inner)
    if op is sre_c.ATOMIC_GROUP:
        return _sequence(av.data, ic)  # what it matches, it matches as the group inside would
    if op is sre_c.BRANCH:
        branches = [_sequence(b.data, ic) for b in av[1]]
        exact: frozenset[Literal] | None = frozenset()
        for b in branches:
            exact = None if exact is None or b.exact is None else exact | b.exact
        if exact is not None and len(exact) > _MAX_SET:
            exact = None
        # every match goes through one branch: it holds what that branch requires
        each = [_requirement(b) for b in branches]
        required = () if any(r is None for r in each) else (frozenset().union(*each),)  # type: ignore[arg-type]
        return _Facts(exact, required)
    if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT):
        low, high, p = av
        item = _sequence(p.data, ic)
        if low == 0:
            if high == 1 and item.exact is not None:
                return _Facts(_limit(item.exact | {()}))  # optional: "comments?"
            return _UNKNOWN
        if low == high and item.exact is not None and low <= 4:
            return _Facts(_concat([item.exact] * low))
        r = _requirement(item)
        return _Facts(None, () if r is None else (r,))
    return _UNKNOWN  # anything else (a back-reference, a conditional): nothing known


def _requirement(f: _Facts) -> Required | None:
    """The best single requirement of a node (its exact strings, or its best candidate); None if none."""
    if f.exact is not None:
        return f.exact if all(f.exact) else None
    best = _best(f.required, 1)
    return best[0] if best else None


def _sequence(items: list[Any], ic: bool) -> _Facts:
    """The facts of a concatenation: runs of nodes with exact strings joined, and every node's requirements."""
    required: list[Required] = []
    run: list[frozenset[Literal]] = []
    exact: frozenset[Literal] | None = frozenset({()})

    def close() -> None:
        if run:
            joined = _concat(run)
            if joined is not None:
                required.append(joined)
            run.clear()

    for op, av in items:
        f = _node(op, av, ic)
        required.extend(f.required)
        if f.exact is None:
            exact = None
            close()
            continue
        if exact is not None:
            exact = _concat([exact, f.exact])
        run.append(f.exact)
        if _concat(run) is None:  # too many strings: start a new run here
            run.pop()
            close()
            run.append(f.exact)
    close()
    return _Facts(exact, tuple(required))


def _concat(parts: list[frozenset[Literal]]) -> frozenset[Literal] | None:
    """Every string made of one of each part, in order; None past the bounds."""
    size = 1
    for p in parts:
        size *= len(p)
        if size > _MAX_SET:
            return None
    out = frozenset(tuple(c for lit in combo for c in lit) for combo in product(*parts))
    return _limit(out)


def _limit(lits: frozenset[Literal]) -> frozenset[Literal] | None:
    if len(lits) > _MAX_SET or any(len(lit) > _MAX_LENGTH for lit in lits):
        return None
    return lits
