"""cleaner: turn scraped text into a clean, deduplicated corpus, every edit explained.

The public API::

    from cleaner import clean_text, Cleaner, Settings, Document, Edit, apply_edits, load_rules
"""

from importlib.metadata import PackageNotFoundError, version

from cleaner.document import Document, Edit, apply_edits
from cleaner.errors import CleanerError, InputError, RuleError
from cleaner.pipeline import Cleaner, clean_stream, clean_text
from cleaner.ruleset.model import Rule, RuleSet, load_rules
from cleaner.settings import Settings

try:  # the version is written once, in pyproject.toml
    __version__ = version("cleaner")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

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
