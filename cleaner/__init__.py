"""cleaner: turn scraped text into a clean, deduplicated corpus, every edit explained.

The public API::

    from cleaner import clean_text, Cleaner, Settings, Document, Edit, apply_edits, load_rules

Each name is imported when it is first used (PEP 562), so that ``import cleaner.cli`` and
``cleaner --help`` do not load the cleaner's rules, numpy and its other libraries.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cleaner.document import Document, Edit, apply_edits
    from cleaner.errors import CleanerError, InputError, RuleError
    from cleaner.pipeline import Cleaner, clean_stream, clean_text
    from cleaner.ruleset.model import Rule, RuleSet, load_rules
    from cleaner.settings import Settings

    __version__: str

#: Where each public name is defined.
_HOMES = {
    "Document": "cleaner.document",
    "Edit": "cleaner.document",
    "apply_edits": "cleaner.document",
    "CleanerError": "cleaner.errors",
    "InputError": "cleaner.errors",
    "RuleError": "cleaner.errors",
    "Cleaner": "cleaner.pipeline",
    "clean_stream": "cleaner.pipeline",
    "clean_text": "cleaner.pipeline",
    "Rule": "cleaner.ruleset.model",
    "RuleSet": "cleaner.ruleset.model",
    "load_rules": "cleaner.ruleset.model",
    "Settings": "cleaner.settings",
}

__all__ = [
    "Cleaner",
    "CleanerError",
    "Document",
    "Edit",
    "InputError",
    "Rule",
    "RuleError",
    "RuleSet",
    "Settings",
    "__version__",
    "apply_edits",
    "clean_stream",
    "clean_text",
    "load_rules",
]


def _version() -> str:
    """The installed version (written once, in pyproject.toml)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cleaner")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


def __getattr__(name: str) -> Any:
    """A public name, imported from its module on first use (and kept here)."""
    if name == "__version__":
        value: Any = _version()
    elif name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name]), name)
    else:
        raise AttributeError(f"module 'cleaner' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
