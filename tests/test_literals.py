"""The guards derived from patterns (cleaner/ruleset/literals.py) never turn away a line that the pattern matches."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.ruleset.literals import FOLDS_TO_ASCII, folded, guards, passes
from cleaner.ruleset.model import BlockRule, LineRule, guarded, load_rules
from tests.test_rules import _every_line_the_tests_know

RULES = load_rules()
#: every pattern a line or block rule tries in full, with its rule's code
PATTERNS = [(r.code, p) for r in RULES.boilerplate if isinstance(r, LineRule) for p in r.pattern_texts] + [
    (r.code, p) for r in RULES.boilerplate if isinstance(r, BlockRule) for p in r.anchor_texts
]
GUARDED = [(code, p) for code, p in PATTERNS if guards(p)]


def test_the_characters_that_fold_to_ascii_are_all_listed() -> None:
    # every code point that regex matches to an ASCII letter ignoring case, and that str.lower
    # does not make that letter, is in FOLDS_TO_ASCII (the guards' lowercasing rests on it)
    everything = "".join(chr(i) for i in range(sys.maxunicode + 1) if not 0xD800 <= i <= 0xDFFF)
    odd = set()
    for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ":  # regex's folding is not symmetric
        for x in regex.compile(f"(?i:{c})", regex.V0).findall(everything):
            if x.lower() != c.lower():
                odd.add(x)
    assert odd == set(FOLDS_TO_ASCII)


def test_the_rules_have_guarded_patterns() -> None:
    # the expensive patterns that may start anywhere have guards (else the tests below prove little)
    assert {code for code, _ in GUARDED} >= {"BP003", "BP005", "BP010", "BP019"}


@pytest.mark.parametrize(("code", "pattern"), GUARDED, ids=[f"{c}-{i}" for i, (c, _) in enumerate(GUARDED)])
def test_every_line_of_the_tests_that_a_pattern_takes_passes_its_guards(code: str, pattern: str) -> None:
    compiled = regex.compile(pattern, regex.V0)
    gs = guards(pattern)
    lines = [line for line in _every_line_the_tests_know() if compiled.fullmatch(line)]
    assert [line for line in lines if not passes(gs, folded(line))] == []


def test_a_rule_matches_the_lines_its_alternation_matches() -> None:
    # the rule's verdict with guards is the verdict of its patterns as one alternation
    for rule in RULES.boilerplate:
        if isinstance(rule, LineRule) and rule.matcher is not None:
            whole = rule.matcher
        elif isinstance(rule, BlockRule):
            whole = rule.anchor_matcher
        else:
            continue
        tries = guarded(rule.pattern_texts if isinstance(rule, LineRule) else rule.anchor_texts)
        for line in _every_line_the_tests_know():
            alone = any(p.fullmatch(line) for _, p in tries)
            assert alone == (whole.fullmatch(line) is not None), (rule.code, line)


# --- generated patterns and lines that they match --------------------------------------------


@dataclass(frozen=True)
class Node:
    """A small regular expression and a way to make strings that it matches."""

    text: str
    kind: str
    parts: tuple[Node, ...] = ()
    low: int = 0
    high: int = 0


_CHARS = "abksiAB /|:-"


def _node(depth: int) -> st.SearchStrategy[Node]:
    lit = st.text(_CHARS, min_size=1, max_size=4).map(lambda s: Node(regex.escape(s), "lit", (), 0, 0))
    cls = st.sampled_from(["[ab]", "[:|]", r"\w", r"\p{Lu}", ".", r"[^\p{Ll}]", r"\s"]).map(lambda t: Node(t, "cls"))
    leaf = st.one_of(lit, lit, cls)
    if depth == 0:
        return leaf
    inner = _node(depth - 1)
    seq = st.lists(inner, min_size=1, max_size=3).map(lambda ns: Node("".join(n.text for n in ns), "seq", tuple(ns)))
    alt = st.lists(inner, min_size=2, max_size=3).map(
        lambda ns: Node("(?:" + "|".join(n.text for n in ns) + ")", "alt", tuple(ns))
    )
    ic = inner.map(lambda n: Node(f"(?i:{n.text})", "ic", (n,)))
    rep = st.tuples(inner, st.integers(0, 2), st.integers(0, 2), st.sampled_from(["", "?", "+"])).map(
        lambda t: Node(f"(?:{t[0].text}){{{t[1]},{t[1] + t[2]}}}{t[3]}", "rep", (t[0],), t[1], t[1] + t[2])
    )
    look = inner.map(lambda n: Node(f"(?=.*{n.text})", "look", (n,)))
    return st.one_of(leaf, seq, alt, ic, rep, look, st.just(Node(r"\b", "zero")))


@st.composite
def _sample(draw: st.DrawFn, node: Node) -> str:
    """A string that ``node`` may match (it is checked: only strings it matches in full count)."""
    if node.kind == "lit":
        return str(regex.sub(r"\\(.)", r"\1", node.text))
    if node.kind == "cls":
        return draw(st.sampled_from(["a", "b", "A", ":", " ", "ſ", "K", "ı", "x"]))
    if node.kind == "seq":
        return "".join(draw(_sample(p)) for p in node.parts)
    if node.kind == "alt":
        return draw(_sample(draw(st.sampled_from(node.parts))))
    if node.kind == "ic":
        s = draw(_sample(node.parts[0]))
        other = {"s": "ſ", "S": "ſ", "k": "K", "K": "K", "i": "İ", "I": "ı"}
        return "".join(draw(st.sampled_from([c, c.swapcase(), other.get(c, c)])) for c in s)
    if node.kind == "rep":
        n = draw(st.integers(node.low, node.high))
        return "".join(draw(_sample(node.parts[0])) for _ in range(n))
    return ""  # zero width; a look-ahead is satisfied (or not) by what follows


@settings(max_examples=600, deadline=None)
@given(st.data())
def test_a_generated_pattern_guards_no_line_it_matches(data: st.DataObject) -> None:
    node = data.draw(_node(3))
    pattern = regex.compile(node.text, regex.V0)
    gs = guards(node.text)
    prefix = data.draw(st.text(_CHARS + "ſıİK", max_size=3))
    line = prefix + data.draw(_sample(node)) + data.draw(st.text(_CHARS, max_size=3))
    if pattern.fullmatch(line):
        assert passes(gs, folded(line)), (node.text, gs, line)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(GUARDED), st.data())
def test_lines_changed_around_what_a_rule_takes_still_pass_its_guards(
    item: tuple[str, str], data: st.DataObject
) -> None:
    # lines that a rule's pattern matches, with text added around them and letters' case changed
    code, pattern = item
    compiled = regex.compile(pattern, regex.V0)
    examples = [line for line in _every_line_the_tests_know() if compiled.fullmatch(line)] or ["x"]
    line = data.draw(st.sampled_from(sorted(examples)))
    flips = data.draw(st.lists(st.integers(0, max(0, len(line) - 1)), max_size=6))
    chars = list(line)
    for k in flips:
        if chars:
            chars[k] = chars[k].swapcase()
    line = data.draw(st.text(max_size=5)) + "".join(chars) + data.draw(st.text(max_size=5))
    if compiled.fullmatch(line):
        assert passes(guards(pattern), folded(line)), (code, line)
