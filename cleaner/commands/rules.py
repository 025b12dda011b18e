"""``cleaner rules``: list the rules, or print one rule's page."""

from __future__ import annotations

import sys
from typing import TextIO

from cleaner.commands.common import ExitCode
from cleaner.errors import CleanerError
from cleaner.ruleset import load_rules


def run_rules(code: str | None = None, out: TextIO | None = None) -> ExitCode:
    """Every rule on a line (code, slug, kind, summary), or the page of the rule ``code`` names."""
    out = out or sys.stdout
    ruleset = load_rules()
    if code is None:
        for r in ruleset.rules:
            print(f"{r.code}  {r.slug:28} {r.kind:7} {r.summary}", file=out)
        return ExitCode.OK
    try:
        print(ruleset.get(code).page(), file=out)
    except KeyError:
        raise CleanerError(f"no rule {code!r} (see `cleaner rules`)") from None
    return ExitCode.OK
