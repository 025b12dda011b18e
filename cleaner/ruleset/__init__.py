"""The rules as data: the files of ``rules/``, validated against ``rule.schema.json``, loaded and selected."""

from cleaner.ruleset.model import Rule, RuleSet, load_rules

__all__ = ["Rule", "RuleSet", "load_rules"]
