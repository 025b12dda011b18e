"""The corpus manifest's data: one :class:`Entry` per document, the settings, the totals.

A :class:`Manifest` holds what ``cleaner index`` found: the tool version, the settings that change
results, the digest of the rule set, and one :class:`Entry` per document (path, title, language,
words, SHA-256 of the cleaned text, edits per rule, the flags raised, duplicate cluster, kept or a
duplicate of which).  The totals are derived from the entries, never stored apart from them.
:meth:`Manifest.to_dict` / :meth:`Manifest.from_dict` are the JSON form; :mod:`.markdown` is the
INDEX.md form; :mod:`.load` reads either back.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cleaner.errors import ManifestError, SettingsError
from cleaner.settings import Settings

#: The layout version; a manifest of another version is refused, not misread.  Format 2 added the
#: flags column: a format-1 manifest does not say which documents were flagged, so it is not read
#: as if none were.
FORMAT = 2
#: The first line of every Markdown manifest: how readers (and ``cleaner clean``) recognise one.
MARKER = "<!-- cleaner-index"
#: A title is the document's first line, cut to this many characters.
TITLE_CHARS = 72
#: How many of the largest duplicate clusters the summary lists.
TOP_CLUSTERS = 20

KEPT = "kept"
DUPLICATE_OF = "duplicate of "
SUMMARY_KEYS = ("documents", "kept", "duplicates", "duplicate_clusters", "words", "edits", "changed", "flagged")
COLUMNS = ("path", "title", "lang", "prob", "words", "sha256", "edits", "flags", "cluster", "status")


@dataclass(frozen=True)
class Entry:
    """One document of the manifest."""

    path: str
    title: str
    lang: str
    lang_prob: float
    words: int
    sha256: str
    edits: dict[str, int]
    cluster: int
    duplicate_of: str | None  # None: kept
    # the codes of the flag rules raised on the cleaned text (FL001: its last sentence is cut off)
    flags: tuple[str, ...] = ()

    @property
    def kept(self) -> bool:
        """Whether this document is the one kept of its cluster."""
        return self.duplicate_of is None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "path": self.path,
            "title": self.title,
            "lang": self.lang,
            "lang_prob": self.lang_prob,
            "words": self.words,
            "sha256": self.sha256,
            "edits": dict(self.edits),
            "cluster": self.cluster,
            "duplicate_of": self.duplicate_of,
            "flags": list(self.flags),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Entry:
        """Inverse of :meth:`to_dict`."""
        try:
            return cls(
                str(d["path"]),
                str(d["title"]),
                str(d["lang"]),
                float(d["lang_prob"]),
                int(d["words"]),
                str(d["sha256"]),
                {str(k): int(v) for k, v in d["edits"].items()},
                int(d["cluster"]),
                None if d["duplicate_of"] is None else str(d["duplicate_of"]),
                tuple(str(code) for code in d["flags"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ManifestError(f"bad document entry {d!r}: {exc!r}") from None


def title_of(text: str, limit: int = TITLE_CHARS) -> str:
    """The first non-blank line of ``text``, whitespace collapsed, cut at a word to ``limit`` characters.

    >>> title_of("\\n  China   shows reforms resolve\\nBody.")
    'China shows reforms resolve'
    >>> title_of("one two three four", limit=12)
    'one two…'
    """
    for line in text.split("\n"):
        words = line.split()
        if words:
            title = " ".join(words)
            if len(title) <= limit:
                return title
            cut = title[: limit - 1]
            space = cut.rfind(" ")
            return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"
    return ""


@dataclass(frozen=True)
class Manifest:
    """A corpus manifest: header, and one entry per document in path order."""

    version: str
    rules: str
    settings: Settings
    entries: tuple[Entry, ...]
    slugs: dict[str, str] = field(default_factory=dict)  # rule code -> slug, for the codes in edits

    def totals(self) -> dict[str, Any]:
        """What the summary says, derived from the entries."""
        langs: Counter[str] = Counter(e.lang for e in self.entries)
        edits: Counter[str] = Counter()
        docs: Counter[str] = Counter()
        for e in self.entries:
            edits.update(e.edits)
            docs.update(e.edits.keys())
        members = Counter(e.cluster for e in self.entries)
        kept = sum(e.kept for e in self.entries)
        return {
            "documents": len(self.entries),
            "kept": kept,
            "duplicates": len(self.entries) - kept,
            "duplicate_clusters": sum(1 for n in members.values() if n > 1),
            "words": sum(e.words for e in self.entries),
            "edits": sum(edits.values()),
            "changed": sum(1 for e in self.entries if e.edits),
            "flagged": sum(1 for e in self.entries if e.flags),
            "languages": {lang: n for lang, n in sorted(langs.items(), key=lambda kv: (-kv[1], kv[0]))},
            "rules": {
                code: {"slug": self.slugs.get(code, ""), "edits": edits[code], "documents": docs[code]}
                for code in sorted(edits)
            },
        }

    def check_clusters(self) -> None:
        """``ManifestError`` unless paths are unique and every cluster has one kept document, which
        its duplicates name."""
        kept: dict[int, str] = {}
        paths: set[str] = set()
        for e in self.entries:
            if e.path in paths:
                raise ManifestError(f"{e.path}: listed twice")
            paths.add(e.path)
            if e.kept:
                if e.cluster in kept:
                    raise ManifestError(f"cluster {e.cluster} has two kept documents: {kept[e.cluster]}, {e.path}")
                kept[e.cluster] = e.path
        for e in self.entries:
            if not e.kept and kept.get(e.cluster) != e.duplicate_of:
                raise ManifestError(f"{e.path}: a duplicate of {e.duplicate_of}, which is not kept in its cluster")

    def largest_clusters(self, limit: int = TOP_CLUSTERS) -> list[tuple[int, int, str]]:
        """``(cluster, documents, kept path)`` of the largest clusters of copies (ties: lowest number)."""
        members = Counter(e.cluster for e in self.entries)
        kept = {e.cluster: e.path for e in self.entries if e.kept}
        big = sorted((c for c, n in members.items() if n > 1), key=lambda c: (-members[c], c))
        return [(c, members[c], kept[c]) for c in big[:limit]]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: header, totals, documents."""
        return {
            "format": FORMAT,
            "cleaner": self.version,
            "rules": self.rules,
            "settings": self.settings.to_dict(),
            "totals": self.totals(),
            "documents": [e.to_dict() for e in self.entries],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        """Inverse of :meth:`to_dict`; ``ManifestError`` when the totals disagree with the documents."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            found = data.get("format") if isinstance(data, dict) else None
            raise ManifestError(
                f"not a cleaner manifest of format {FORMAT} (format {found!r}); "
                "if cleaner index wrote it, run cleaner index again to rewrite it"
            )
        try:
            totals = data["totals"]
            slugs = {code: str(r["slug"]) for code, r in totals["rules"].items() if r.get("slug")}
            manifest = cls(
                str(data["cleaner"]),
                str(data["rules"]),
                Settings.from_dict(data["settings"]),
                tuple(Entry.from_dict(d) for d in data["documents"]),
                slugs,
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ManifestError(f"incomplete manifest: missing {exc}") from None
        except SettingsError as exc:
            raise ManifestError(str(exc)) from None
        manifest.check_clusters()
        derived = manifest.totals()
        if totals != derived:
            wrong = [k for k in derived if totals.get(k) != derived[k]]
            raise ManifestError(
                f"the summary disagrees with the documents ({', '.join(wrong)}): edited by hand or cut short?"
            )
        return manifest


def render_json(manifest: Manifest) -> str:
    """The manifest as JSON (keys in a fixed order, non-ASCII kept, one final newline)."""
    return json.dumps(manifest.to_dict(), ensure_ascii=False, indent=1) + "\n"
