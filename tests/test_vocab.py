"""Word lists (``rules/vocab/*.txt``): named in patterns, loaded by the rules loader, in the digest."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from cleaner.errors import RuleError
from cleaner.ruleset.model import default_rules_dir, load_rules, parse_rule
from cleaner.ruleset.vocab import load_vocab, words


def _copy_rules(to: Path) -> Path:
    shutil.copytree(default_rules_dir(), to)
    return to


def _rule(pattern: str) -> dict[str, object]:
    data = tomllib.loads((default_rules_dir() / "BP004-advertisement.toml").read_text("utf-8"))
    data["patterns"] = [pattern]
    return data


def test_a_placeholder_expands_to_the_list_and_matches(tmp_path: Path) -> None:
    rules = _copy_rules(tmp_path / "rules")
    (rules / "vocab" / "test-agencies.txt").write_text("# agencies for a test\nAP\nAP Photo\nU.S. Press\n", "utf-8")
    rule = parse_rule(_rule(r"Photo:\s+{vocab:test-agencies}"), "BP004-advertisement.toml", rules)
    assert rule.matcher is not None
    assert "(?:U\\.S\\.\\ Press|AP\\ Photo|AP)" in rule.matcher.pattern  # escaped, longest first
    assert rule.matches("Photo: AP Photo") and rule.matches("Photo: U.S. Press") and rule.matches("Photo: AP")
    assert not rule.matches("Photo: UxS. Press")  # the "." is escaped


def test_the_shipped_rules_use_the_shipped_lists() -> None:
    bp003 = load_rules().get("BP003")
    assert "{vocab:" not in (bp003.anchor_matcher.pattern if bp003.anchor_matcher else "")
    assert bp003.anchors("Sakib Ali/Hindustan Times/Getty Images")
    assert "photo-agencies" in load_vocab(str(default_rules_dir())).lists
    assert "the" in words("flat-stopwords")


def test_a_missing_list_is_a_clear_error(tmp_path: Path) -> None:
    rules = _copy_rules(tmp_path / "rules")
    with pytest.raises(RuleError, match=r"BP004-advertisement.toml: no word list 'no-such-list': .*no-such-list\.txt"):
        parse_rule(_rule("{vocab:no-such-list}"), "BP004-advertisement.toml", rules)
    with pytest.raises(RuleError, match="no word list 'nope'"):
        words("nope")


def test_a_list_with_an_entry_twice_is_an_error(tmp_path: Path) -> None:
    rules = _copy_rules(tmp_path / "rules")
    (rules / "vocab" / "twice.txt").write_text("# a list\nAP\nAP\n", "utf-8")
    with pytest.raises(RuleError, match=r"twice\.txt:3: 'AP' is listed twice"):
        load_rules(str(rules))


def test_the_digest_covers_every_list(tmp_path: Path) -> None:
    same, names, patterns = (_copy_rules(tmp_path / name) for name in ("same", "names", "patterns"))
    with (names / "vocab" / "flat-stopwords.txt").open("a", encoding="utf-8") as f:
        f.write("whereupon\n")  # a list that no rule pattern names counts too
    with (patterns / "vocab" / "photo-agencies.txt").open("a", encoding="utf-8") as f:
        f.write("Pressefoto Test\n")
    digests = {load_rules(str(d)).digest for d in (same, names, patterns)}
    assert len(digests) == 3
    assert load_rules(str(same)).digest == load_rules().digest
