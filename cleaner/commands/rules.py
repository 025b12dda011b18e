"""``cleaner rules``: list the rules, print one rule's page, or test a folder of local rules."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from cleaner.commands.common import ExitCode
from cleaner.errors import CleanerError
from cleaner.ruleset.model import load_with_local


def run_rules(code: str | None = None, rule_dirs: tuple[str, ...] = (), out: TextIO | None = None) -> ExitCode:
    """Every rule on a line (code, slug, kind, summary), or the page of the rule ``code`` names."""
    out = out or sys.stdout
    ruleset = load_with_local(rule_dirs)
    if code is None:
        for r in ruleset.rules:
            print(f"{r.code}  {r.slug:28} {r.kind:7} {r.summary}", file=out)
        return ExitCode.OK
    try:
        print(ruleset.get(code).page(), file=out)
    except KeyError:
        raise CleanerError(f"no rule {code!r} (see `cleaner rules`)") from None
    return ExitCode.OK


def run_rule_tests(folders: tuple[str, ...], rule_dirs: tuple[str, ...] = (), out: TextIO | None = None) -> ExitCode:
    """Run the examples and negatives of every rule in ``folders``; exit 1 if one fails.

    The folders are loaded as local rules beside the shipped ones (and ``rule_dirs``), so a rule
    file that is invalid, or whose code is not a local code, is an error (exit 2) before any test.
    """
    from cleaner.ruleset.check import failures  # runs the cleaner: loaded only for --test

    out = out or sys.stdout
    dirs = tuple(dict.fromkeys(rule_dirs + folders))
    ruleset = load_with_local(dirs)
    tested = {str(Path(f).resolve()) for f in folders}
    passed = failed = 0
    for rule in ruleset.rules:
        if str(Path(rule.path).resolve().parent) not in tested:
            continue
        wrong = failures(rule, ruleset, dirs)
        count = f"{len(rule.examples)} examples, {len(rule.negatives)} negatives"
        if wrong:
            failed += 1
            print(f"FAIL {rule.code} {rule.slug} ({count})", file=out)
            for line in wrong:
                print(f"  {line}", file=out)
        else:
            passed += 1
            print(f"ok   {rule.code} {rule.slug} ({count})", file=out)
    print(f"{passed} passed, {failed} failed", file=out)
    return ExitCode.WOULD_CHANGE if failed else ExitCode.OK
