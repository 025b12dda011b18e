"""cleaner: turn scraped text into a clean, deduplicated corpus, every edit explained.

The public API::

    from cleaner import clean_text, Cleaner, Settings, Document, Edit, apply_edits, load_rules
"""

from cleaner.document import Document, Edit, apply_edits
from cleaner.errors import CleanerError, InputError, RuleError
from cleaner.pipeline import Cleaner, Settings, clean_stream, clean_text
from cleaner.rules import Rule, RuleSet, load_rules

__version__ = "0.1.0"

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
