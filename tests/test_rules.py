"""Every example and negative of every rule file, and every rule file's validity."""

from __future__ import annotations

import datetime
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from cleaner.document import Document, apply_edits
from cleaner.errors import RuleError
from cleaner.ruleset.check import clean_with, negative_expected
from cleaner.ruleset.model import FlagRule, default_rules_dir, load_rules, parse_rule

RULES = load_rules()
RULE_FILES = sorted(default_rules_dir().glob("*.toml"))


def _clean_with(code: str, text: str) -> Document:
    # the rule alone (with the rules its evidence needs), so that the examples show this rule
    return clean_with(RULES.get(code), text)


EXAMPLES = [
    pytest.param(r.code, inp, out, id=f"{r.code}-{r.slug}-ex{i}")
    for r in RULES.rules
    for i, (inp, out) in enumerate(r.examples)
]
NEGATIVES = [
    pytest.param(r.code, neg, id=f"{r.code}-{r.slug}-neg{i}") for r in RULES.rules for i, neg in enumerate(r.negatives)
]


@pytest.mark.parametrize(("code", "text", "expected"), EXAMPLES)
def test_rule_example(code: str, text: str, expected: str) -> None:
    doc = _clean_with(code, text)
    assert doc.text == expected
    rule = RULES.get(code)
    if isinstance(rule, FlagRule):  # a flag changes no text: it is raised
        assert expected == text and doc.metadata[rule.function] is True
        return
    assert doc.edits, "an example must show the rule at work"
    assert any(e.code == code or code in e.note for e in doc.edits)
    assert apply_edits(text, doc.edits) == doc.text


@pytest.mark.parametrize(("code", "text"), NEGATIVES)
def test_rule_negative_unchanged(code: str, text: str) -> None:
    # the rule changes nothing here: the result is what the rules it depends on make of it alone
    doc = _clean_with(code, text)
    assert doc.text == negative_expected(RULES.get(code), RULES, text)
    rule = RULES.get(code)
    if isinstance(rule, FlagRule):  # ... and a flag is looked for and not raised
        assert doc.metadata[rule.function] is False


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_rule_file_validates(path: Path) -> None:
    rule = parse_rule(tomllib.loads(path.read_text("utf-8")), path.name)
    assert path.name == f"{rule.code}-{rule.slug}.toml"


def test_invalid_rule_is_reported_with_its_file() -> None:
    bad = {"code": "BP999", "slug": "x", "summary": "too short"}
    with pytest.raises(RuleError, match=r"bad\.toml"):
        parse_rule(bad, "bad.toml")


def test_bad_pattern_is_reported() -> None:
    data = tomllib.loads((default_rules_dir() / "BP004-advertisement.toml").read_text("utf-8"))
    data["patterns"] = ["(unclosed"]
    with pytest.raises(RuleError, match="bad pattern"):
        parse_rule(data, "BP004-advertisement.toml")


def test_select_and_ignore_by_prefix() -> None:
    assert {r.code for r in RULES.select(["WS"]).rules} == {r.code for r in RULES.rules if r.code.startswith("WS")}
    assert "BP004" not in {r.code for r in RULES.select(ignore=["BP004"]).rules}
    with pytest.raises(RuleError, match="no rule matches"):
        RULES.select(["ZZ9"])


def test_a_field_of_another_kind_is_an_error() -> None:
    # one type per kind: a line rule has no anchor, and a block rule needs one
    data = tomllib.loads((default_rules_dir() / "BP004-advertisement.toml").read_text("utf-8"))
    with pytest.raises(RuleError, match="a line rule has no field anchor"):
        parse_rule({**data, "anchor": ["Advertisement"]}, "BP004-advertisement.toml")
    block = tomllib.loads((default_rules_dir() / "BP003-photo-credit.toml").read_text("utf-8"))
    assert block["kind"] == "block"
    with pytest.raises(RuleError, match="'anchor' is a required property"):
        parse_rule({k: v for k, v in block.items() if k != "anchor"}, "BP003-photo-credit.toml")


def _every_line_the_tests_know() -> set[str]:
    """The lines of every example, negative and fixture text, whole and cut at their glue points."""
    from itertools import pairwise

    from cleaner.steps.glue import glue_points

    texts = [t for r in RULES.rules for inp, out in r.examples for t in (inp, out)]
    texts += [n for r in RULES.rules for n in r.negatives]
    fixtures = Path(__file__).parent / "fixtures"
    texts += [p.read_text("utf-8", errors="replace") for p in sorted(fixtures.rglob("*")) if p.is_file()]
    lines: set[str] = set()
    for text in texts:
        for line in text.splitlines():
            bounds = [0, *glue_points(line), len(line)]
            lines.update(piece.strip() for piece in [line] + [line[a:b] for a, b in pairwise(bounds)])
    lines.discard("")
    return lines


PREFILTERED = [r for r in RULES.boilerplate if getattr(r, "prefilter", None) is not None]


@pytest.mark.parametrize("rule", PREFILTERED, ids=[r.code for r in PREFILTERED])
def test_a_prefilter_never_turns_away_a_line_the_rule_takes(rule: object) -> None:
    # the prefilter is a shortcut: every line that the patterns match in full contains it
    matcher = rule.matcher if hasattr(rule, "matcher") else rule.anchor_matcher  # type: ignore[attr-defined]
    matched = [line for line in _every_line_the_tests_know() if matcher.fullmatch(line)]
    assert matched, "the tests hold no line that the rule takes: the check would prove nothing"
    missed = [line for line in matched if rule.prefilter.search(line) is None]  # type: ignore[attr-defined]
    assert missed == []


@pytest.fixture
def checked_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache folder for the digests of checked rule files (read afresh, as a new process would)."""
    from cleaner.ruleset import model

    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path))
    model._checked.cache_clear()
    yield tmp_path
    model._checked.cache_clear()


def test_a_rule_file_that_passed_the_schema_is_not_checked_again_and_a_changed_one_is(
    checked_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cleaner.ruleset import model

    data = tomllib.loads(RULE_FILES[0].read_text("utf-8"))
    parse_rule(data, RULE_FILES[0].name)  # checked, and remembered
    assert (checked_cache / model._CHECKED_FILE).read_text("utf-8").count("\n") == 1

    def no_validator() -> None:
        raise AssertionError("checked again")

    real_validator = model._validator
    monkeypatch.setattr(model, "_validator", no_validator)
    model._checked.cache_clear()  # a new process: the digests come from the file
    parse_rule(data, RULE_FILES[0].name)
    monkeypatch.setattr(model, "_validator", real_validator)
    with pytest.raises(RuleError, match="summary"):
        parse_rule({**data, "summary": 5}, RULE_FILES[0].name)  # other data: checked, and wrong
    # a TOML date is not the string of the same text, checked or not
    dated = {**data, "negatives": ["2020-01-01"]}
    parse_rule(dated, RULE_FILES[0].name)
    with pytest.raises(RuleError, match="negatives"):
        parse_rule({**data, "negatives": [datetime.date(2020, 1, 1)]}, RULE_FILES[0].name)


def test_a_broken_pattern_is_refused_even_when_the_alternation_compiles(checked_cache: Path) -> None:
    from cleaner.ruleset import model

    data = tomllib.loads((default_rules_dir() / "BP004-advertisement.toml").read_text("utf-8"))
    # "(?:Subscribe\\.)|(?:.*)" compiles, but the first pattern alone does not
    broken = {**data, "patterns": ["Subscribe\\.)|(?:.*"]}
    with pytest.raises(RuleError, match="bad pattern"):
        parse_rule(broken, "BP004-advertisement.toml")
    assert not (checked_cache / model._CHECKED_FILE).exists()  # and it is not remembered as checked
