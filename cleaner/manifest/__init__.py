"""The corpus manifest (INDEX.md and its JSON form): its data (:mod:`.model`), its Markdown form
(:mod:`.markdown`), and reading either back (:mod:`.load`)."""

from cleaner.errors import ManifestError
from cleaner.manifest.load import is_manifest, load_manifest, parse
from cleaner.manifest.markdown import parse_markdown, render_markdown
from cleaner.manifest.model import Entry, Manifest, render_json, title_of

__all__ = [
    "Entry",
    "Manifest",
    "ManifestError",
    "is_manifest",
    "load_manifest",
    "parse",
    "parse_markdown",
    "render_json",
    "render_markdown",
    "title_of",
]
