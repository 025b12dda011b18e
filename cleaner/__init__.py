"""cleaner: turn scraped text into a clean, deduplicated corpus, every edit explained.

The public API (the README's "Python API" section shows it at work)::

    from cleaner import clean_text, clean_stream, clean_records, find_duplicates, load_manifest
    from cleaner import Cleaner, Settings, Document, Edit, apply_edits, Deduplicator, Repeats

Names are imported when first used (PEP 562), so that ``import cleaner`` and ``cleaner --version``
do not load the rules' machinery, numpy or ftfy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: Every public name and the module that defines it.
_EXPORTS = {
    "Cleaner": "cleaner.pipeline",
    "clean_stream": "cleaner.pipeline",
    "clean_text": "cleaner.pipeline",
    "clean_records": "cleaner.api",
    "find_duplicates": "cleaner.api",
    "Verdict": "cleaner.api",
    "Document": "cleaner.document",
    "Edit": "cleaner.document",
    "apply_edits": "cleaner.document",
    "as_documents": "cleaner.document",
    "CleanerError": "cleaner.errors",
    "InputError": "cleaner.errors",
    "RuleError": "cleaner.errors",
    "ManifestError": "cleaner.errors",
    "ExtraError": "cleaner.errors",
    "Rule": "cleaner.ruleset.model",
    "RuleSet": "cleaner.ruleset.model",
    "load_rules": "cleaner.ruleset.model",
    "Settings": "cleaner.settings",
    "Deduplicator": "cleaner.dedup.cluster",
    "Repeats": "cleaner.corpus",
    "Manifest": "cleaner.manifest.model",
    "load_manifest": "cleaner.manifest.load",
}

__all__ = [
    "Cleaner",
    "CleanerError",
    "Deduplicator",
    "Document",
    "Edit",
    "ExtraError",
    "InputError",
    "Manifest",
    "ManifestError",
    "Repeats",
    "Rule",
    "RuleError",
    "RuleSet",
    "Settings",
    "Verdict",
    "__version__",
    "apply_edits",
    "as_documents",
    "clean_records",
    "clean_stream",
    "clean_text",
    "find_duplicates",
    "load_manifest",
    "load_rules",
]

__version__: str  # set by __getattr__ on first use

if TYPE_CHECKING:  # what type checkers and editors see; at run time __getattr__ imports on demand
    from cleaner.api import Verdict, clean_records, find_duplicates
    from cleaner.corpus import Repeats
    from cleaner.dedup.cluster import Deduplicator
    from cleaner.document import Document, Edit, apply_edits, as_documents
    from cleaner.errors import CleanerError, ExtraError, InputError, ManifestError, RuleError
    from cleaner.manifest.load import load_manifest
    from cleaner.manifest.model import Manifest
    from cleaner.pipeline import Cleaner, clean_stream, clean_text
    from cleaner.ruleset.model import Rule, RuleSet, load_rules
    from cleaner.settings import Settings


def _version() -> str:
    """The installed version, written once, in pyproject.toml (``importlib.metadata`` costs 0.1 s: read on demand)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cleaner")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        globals()[name] = value = _version()
        return value
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cleaner' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next access is a plain lookup
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
