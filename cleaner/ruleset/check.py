"""Running a rule's own examples and negatives: what ``cleaner rules --test`` and the test suite do.

An example must come out as written, with an edit of the rule and edits that replay; a negative
must come out as the rules the rule depends on leave it (the rule itself changes nothing there).
A rule is run alone with the rules its evidence needs, so that an example shows this rule.
"""

from __future__ import annotations

from cleaner.corpus import Repeats
from cleaner.document import Document, apply_edits
from cleaner.pipeline import Cleaner
from cleaner.ruleset.model import (
    DOMAIN,
    LOCAL_PREFIX,
    FlagRule,
    LineRule,
    RepeatRule,
    Rule,
    RuleSet,
    RunRule,
    SplitRule,
)
from cleaner.settings import Settings


def _reads_removals(rule: Rule) -> bool:
    """Whether ``rule`` reads what other rules removed around its line (``between``, ``beside``)."""
    return isinstance(rule, LineRule) and bool(rule.between or rule.beside)


def _requires(rule: Rule) -> tuple[str, ...]:
    return rule.requires if isinstance(rule, (LineRule, RunRule)) else ()


def selection(rule: Rule) -> tuple[str, ...]:
    """The rules an example of ``rule`` runs with: itself and what its evidence needs."""
    if isinstance(rule, SplitRule) or _reads_removals(rule):
        # a split is judged by the boilerplate rules; between/beside read other rules' removals
        return (rule.code, "BP")
    return (rule.code, *_requires(rule))


def example_source(rule: Rule) -> dict[str, str] | None:
    """The record an example of a rule limited to ``sources`` comes from: its first source.

    >>> from dataclasses import replace
    >>> from cleaner.ruleset.model import load_rules
    >>> example_source(replace(load_rules().get("BP004"), sources=("example.com", "x/*")))
    {'url': 'https://example.com/example'}
    """
    if not rule.sources:
        return None
    first = rule.sources[0]
    return {"url": f"https://{first}/example" if DOMAIN.fullmatch(first) else first.replace("*", "x")}


def clean_with(rule: Rule, text: str, rule_dirs: tuple[str, ...] = ()) -> Document:
    """``text`` cleaned by ``rule`` and the rules its evidence needs (from the rule's first source).

    A corpus-evidence rule's examples and negatives are the pages of one site: each is cleaned
    against the table of the lines that all of them repeat (:func:`example_corpus`).
    """
    record = example_source(rule) or ({"url": "https://example.com/page"} if isinstance(rule, RepeatRule) else None)
    doc = Document("example", text, record=record)
    repeats = example_corpus(rule) if isinstance(rule, RepeatRule) else None
    return Cleaner(Settings(select=selection(rule), rule_dirs=rule_dirs), repeats).clean(doc)


def example_corpus(rule: RepeatRule) -> Repeats:
    """The site a corpus-evidence rule's examples and negatives make, as its table of repeated lines."""
    pages = [text for text, _ in rule.examples] + list(rule.negatives)
    return Repeats().add_all(
        Document(str(i), text, record={"url": f"https://example.com/{i}"}) for i, text in enumerate(pages)
    )


def negative_expected(rule: Rule, rules: RuleSet, text: str, rule_dirs: tuple[str, ...] = ()) -> str:
    """What a negative of ``rule`` must come out as: what the rules it depends on make of it alone."""
    deps = _requires(rule)
    if _reads_removals(rule):
        deps = tuple(r.code for r in rules.boilerplate if r.code != rule.code and not r.code.startswith(LOCAL_PREFIX))
    if not deps:
        return text
    doc = Document("n", text, record=example_source(rule))
    return Cleaner(Settings(select=deps, rule_dirs=rule_dirs)).clean(doc).text


def failures(rule: Rule, rules: RuleSet, rule_dirs: tuple[str, ...] = ()) -> list[str]:
    """What is wrong with ``rule``'s examples and negatives, one line each (empty: all pass)."""
    out: list[str] = []
    if isinstance(rule, FlagRule):
        return _flag_failures(rule, rule_dirs)
    for i, (text, expected) in enumerate(rule.examples, 1):
        doc = clean_with(rule, text, rule_dirs)
        if doc.text != expected:
            out.append(f"example {i}: expected {expected!r}, got {doc.text!r}")
        elif not any(e.code == rule.code or rule.code in e.note for e in doc.edits):
            out.append(f"example {i}: the rule made no edit (an example must show the rule at work)")
        elif apply_edits(text, doc.edits) != doc.text:
            out.append(f"example {i}: the edits do not replay")
    for i, text in enumerate(rule.negatives, 1):
        got = clean_with(rule, text, rule_dirs).text
        expected = negative_expected(rule, rules, text, rule_dirs)
        if got != expected:
            out.append(f"negative {i}: changed {text!r} to {got!r}")
    return out


def _flag_failures(rule: FlagRule, rule_dirs: tuple[str, ...] = ()) -> list[str]:
    """A flag's examples must raise it and leave the text as it is; its negatives must not raise it."""
    out: list[str] = []
    for i, (text, expected) in enumerate(rule.examples, 1):
        doc = clean_with(rule, text, rule_dirs)
        if expected != text:
            out.append(f"example {i}: a flag changes no text: its output must be its input")
        elif doc.metadata.get(rule.function) is not True:
            out.append(f"example {i}: the flag {rule.function} was not raised")
    for i, text in enumerate(rule.negatives, 1):
        if clean_with(rule, text, rule_dirs).metadata.get(rule.function) is not False:
            out.append(f"negative {i}: the flag {rule.function} was raised (or not looked for) on {text!r}")
    return out
