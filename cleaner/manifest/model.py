"""The corpus manifest: one row per document, as ``INDEX.md`` (for people) or JSON (for programs).

A :class:`Manifest` holds what ``cleaner index`` found: the tool version, the settings that change
results, the digest of the rule set, and one :class:`Entry` per document (path, title, language,
words, SHA-256 of the cleaned text, edits per rule, duplicate cluster, kept or a duplicate of
which).  The totals are derived from the entries, never stored apart from them.

Both forms carry the same data: :func:`render_markdown` and :func:`parse_markdown` are inverses,
and :meth:`Manifest.to_dict` / :meth:`Manifest.from_dict` are the JSON form, so a downstream tool
loads either with :func:`load_manifest`.  Loading checks the summary against the rows, and the
clusters (one kept document each, which its duplicates name): a manifest cut short, or edited so
that these disagree, is an error, not a silent mismatch.

The Markdown is a GitHub table.  Cell text is escaped so that it renders as written and parses
back exactly: ``\\`` and the characters Markdown would act on inside a table cell get a backslash
(``_`` only where it could start or end emphasis, so paths stay readable), and characters that a
cell cannot hold (controls, a space at either end) become numeric character references.

>>> e = Entry("a|b.txt", "A *bold* claim", "en", 0.9999, 3, "0" * 64, {"BP001": 1}, 1, None)
>>> m = Manifest("0.1.0", "r" * 16, IndexSettings(), (e,), {"BP001": "read-more-link"})
>>> parse_markdown(render_markdown(m)) == m
True
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from cleaner.dedup import DEFAULT_CONTAINMENT, DEFAULT_NGRAM, DEFAULT_NUM_PERM, DEFAULT_THRESHOLD, Params
from cleaner.errors import CleanerError

#: The layout version; a manifest of another version is refused, not misread.
FORMAT = 1
#: The first line of every Markdown manifest: how readers (and ``cleaner clean``) recognise one.
MARKER = "<!-- cleaner-index"
#: A title is the document's first line, cut to this many characters.
TITLE_CHARS = 72
#: How many of the largest duplicate clusters the summary lists.
TOP_CLUSTERS = 20

KEPT = "kept"
DUPLICATE_OF = "duplicate of "
SUMMARY_KEYS = ("documents", "kept", "duplicates", "duplicate_clusters", "words", "edits", "changed")
COLUMNS = ("path", "title", "lang", "prob", "words", "sha256", "edits", "cluster", "status")


class ManifestError(CleanerError):
    """A manifest that cannot be read: not a manifest, another format, or inconsistent."""


@dataclass(frozen=True)
class IndexSettings:
    """The settings that change what a manifest says; written in its header."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    threshold: float = DEFAULT_THRESHOLD
    containment: float = DEFAULT_CONTAINMENT
    num_perm: int = DEFAULT_NUM_PERM
    ngram: int = DEFAULT_NGRAM
    seed: int = Params.seed
    scheme: str = Params.scheme
    normalisation: int = Params.normalisation
    keep: str = "longest"

    def __post_init__(self) -> None:
        # the order of rule codes does not change which rules run: one spelling for the header
        object.__setattr__(self, "select", tuple(sorted(set(self.select))))
        object.__setattr__(self, "ignore", tuple(sorted(set(self.ignore))))

    @property
    def params(self) -> Params:
        """The MinHash parameters."""
        return Params(self.num_perm, self.ngram, self.seed, self.scheme, self.normalisation)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (tuples as lists)."""
        return {f.name: list(v) if isinstance(v := getattr(self, f.name), tuple) else v for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IndexSettings:
        """Inverse of :meth:`to_dict`; ``ManifestError`` on an unknown or mistyped setting."""
        known = {f.name: f.type for f in fields(cls)}
        unknown = set(data) - set(known)
        if unknown:
            raise ManifestError(f"unknown settings: {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {}
        for name, value in data.items():
            values[name] = _typed(name, str(known[name]), value)
        return cls(**values)

    def cells(self) -> Iterator[tuple[str, str]]:
        """``(name, value)`` as the settings table shows them."""
        for name, value in self.to_dict().items():
            yield name, ",".join(value) if isinstance(value, list) else str(value)

    @classmethod
    def from_cells(cls, cells: dict[str, str]) -> IndexSettings:
        """Inverse of :meth:`cells`."""
        types = {f.name: str(f.type) for f in fields(cls)}
        data: dict[str, Any] = {}
        for name, text in cells.items():
            kind = types.get(name, "str")
            data[name] = [c for c in text.split(",") if c] if kind.startswith("tuple") else text
        return cls.from_dict(data)


def _typed(name: str, kind: str, value: Any) -> Any:
    try:
        if kind.startswith("tuple"):
            if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                raise TypeError
            return tuple(value)
        if kind == "float":
            return float(value)
        if kind == "int":
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise TypeError
            return int(value)
        return str(value)
    except (TypeError, ValueError):
        raise ManifestError(f"setting {name}: {value!r} is not a {kind}") from None


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
    settings: IndexSettings
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
            raise ManifestError(f"not a cleaner manifest of format {FORMAT} (format {found!r})")
        try:
            totals = data["totals"]
            slugs = {code: str(r["slug"]) for code, r in totals["rules"].items() if r.get("slug")}
            manifest = cls(
                str(data["cleaner"]),
                str(data["rules"]),
                IndexSettings.from_dict(data["settings"]),
                tuple(Entry.from_dict(d) for d in data["documents"]),
                slugs,
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ManifestError(f"incomplete manifest: missing {exc}") from None
        manifest.check_clusters()
        derived = manifest.totals()
        if totals != derived:
            wrong = [k for k in derived if totals.get(k) != derived[k]]
            raise ManifestError(
                f"the summary disagrees with the documents ({', '.join(wrong)}): edited by hand or cut short?"
            )
        return manifest


# --- Markdown -----------------------------------------------------------------------------

# characters a table cell would act on: code spans, emphasis, links, HTML, entities, strikethrough,
# GitHub's math
_ALWAYS = frozenset("\\|`*[]<>&~$")
_ENTITY = re.compile(r"&#(\d{1,7});")


def escape(text: str) -> str:
    r"""``text`` as a table cell that renders as written and :func:`unescape` turns back.

    >>> escape("seeds/000_d87d.txt"), escape("_why_ | <b>")
    ('seeds/000_d87d.txt', '\\_why\\_ \\| \\<b\\>')
    >>> escape(" x\t")
    '&#32;x&#9;'
    """
    out: list[str] = []
    last = len(text) - 1
    for i, ch in enumerate(text):
        if ch in _ALWAYS:
            out.append("\\" + ch)
        elif ch == "_" and not (0 < i < last and text[i - 1].isalnum() and text[i + 1].isalnum()):
            out.append("\\_")  # only an underscore inside a word can never start or end emphasis
        elif not ch.isprintable() or (ch == " " and i in (0, last)):
            out.append(f"&#{ord(ch)};")
        else:
            out.append(ch)
    return "".join(out)


def unescape(cell: str) -> str:
    r"""Inverse of :func:`escape`.

    >>> unescape(r"\_why\_ \| \<b\>&#9;")
    '_why_ | <b>\t'
    """
    out: list[str] = []
    i, n = 0, len(cell)
    while i < n:
        ch = cell[i]
        if ch == "\\" and i + 1 < n:
            out.append(cell[i + 1])
            i += 2
            continue
        if ch == "&":
            m = _ENTITY.match(cell, i)
            if m and _is_character(int(m.group(1))):
                out.append(chr(int(m.group(1))))
                i = m.end()
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def _is_character(code: int) -> bool:
    return code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF


def _row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(header: tuple[str, ...], rows: Iterable[Iterable[str]], empty: str = "") -> list[str]:
    """A table; a summary table with no rows is a sentence (``empty``) instead."""
    lines = [_row(r) for r in rows]
    if not lines and empty:
        return [empty]
    return [_row(header), _row("---" for _ in header), *lines]


def _edits_cell(edits: dict[str, int]) -> str:
    return " ".join(f"{code}:{n}" for code, n in sorted(edits.items()))


def _status_cell(entry: Entry) -> str:
    return KEPT if entry.duplicate_of is None else DUPLICATE_OF + escape(entry.duplicate_of)


def render_markdown(manifest: Manifest) -> str:
    """The manifest as ``INDEX.md``: a summary first, then one table row per document."""
    t = manifest.totals()
    langs = ", ".join(f"{lang} {n}" for lang, n in t["languages"].items()) or "none"
    out = [
        f"{MARKER} format {FORMAT}: written by `cleaner index`; do not edit by hand -->",
        "# Corpus index",
        "",
        f"{t['documents']} documents: {t['kept']} kept, {t['duplicates']} duplicates "
        f"(in {t['duplicate_clusters']} clusters of copies); {t['words']} words; languages: {langs}; "
        f"{t['edits']} edits in {t['changed']} documents.",
        "",
        "## Summary",
        "",
        *_table(
            ("total", "value"),
            [(k, str(t[k])) for k in SUMMARY_KEYS],
        ),
        "",
        "### Languages",
        "",
        *_table(
            ("language", "documents"), [(escape(lang), str(n)) for lang, n in t["languages"].items()], "No documents."
        ),
        "",
        "### Edits by rule",
        "",
        *_table(
            ("rule", "slug", "edits", "documents"),
            [(code, escape(r["slug"]), str(r["edits"]), str(r["documents"])) for code, r in t["rules"].items()],
            "No edits: every document is clean.",
        ),
        "",
        f"### Largest clusters of copies (at most {TOP_CLUSTERS})",
        "",
        *_table(
            ("cluster", "documents", "kept"),
            [(str(c), str(n), escape(path)) for c, n, path in manifest.largest_clusters()],
            "No copies: every document is its own cluster.",
        ),
        "",
        "## Settings",
        "",
        *_table(
            ("setting", "value"),
            [("cleaner", escape(manifest.version)), ("rules", escape(manifest.rules))]
            + [(name, escape(value)) for name, value in manifest.settings.cells()],
        ),
        "",
        "## Documents",
        "",
        *_table(
            COLUMNS,
            (
                (
                    escape(e.path),
                    escape(e.title),
                    escape(e.lang),
                    f"{e.lang_prob:.4f}",
                    str(e.words),
                    e.sha256,
                    _edits_cell(e.edits),
                    str(e.cluster),
                    _status_cell(e),
                )
                for e in manifest.entries
            ),
        ),
    ]
    return "\n".join(out) + "\n"


def split_row(line: str) -> list[str]:
    r"""The raw cells of a table row (escapes kept; :func:`unescape` each).

    >>> split_row(r"| a \| b | c |")
    ['a \\| b', 'c']
    """
    body = line.strip()
    if not (body.startswith("|") and body.endswith("|")) or len(body) < 2:
        raise ManifestError(f"not a table row: {line[:80]!r}")
    cells: list[str] = []
    cur: list[str] = []
    i, n = 1, len(body) - 1
    while i < n:
        ch = body[i]
        if ch == "\\" and i + 1 < n:
            cur.append(body[i : i + 2])
            i += 2
            continue
        if ch == "|":
            cells.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
        i += 1
    cells.append("".join(cur).strip())
    return cells


def _sections(text: str) -> dict[str, list[list[str]]]:
    """The rows (raw cells, header and rule line dropped) of the table under each heading."""
    tables: dict[str, list[list[str]]] = {}
    heading = ""
    for line in text.split("\n"):
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
            tables.setdefault(heading, [])
        elif line.startswith("|"):
            tables.setdefault(heading, []).append(split_row(line))
    return {h: rows[2:] for h, rows in tables.items()}


def parse_markdown(text: str) -> Manifest:
    """Read ``INDEX.md`` back into the :class:`Manifest` it was rendered from.

    ``ManifestError`` if it is not a manifest, is of another format, or its summary disagrees
    with its rows.
    """
    text = text.replace("\r\n", "\n")
    first = text.split("\n", 1)[0]
    m = re.match(re.escape(MARKER) + r" format (\d+)", first)
    if m is None:
        raise ManifestError("not a cleaner manifest (its first line is not the cleaner-index marker)")
    if int(m.group(1)) != FORMAT:
        raise ManifestError(f"manifest format {m.group(1)}; this cleaner reads format {FORMAT}")
    tables = _sections(text)
    try:
        summary = {k: int(v) for k, v in tables["Summary"]}
        languages = {unescape(lang): int(n) for lang, n in tables["Languages"]}
        rules = {
            code: {"slug": unescape(slug), "edits": int(n), "documents": int(d)}
            for code, slug, n, d in tables["Edits by rule"]
        }
        header = {k: unescape(v) for k, v in tables["Settings"]}
        documents = [_entry(cells) for cells in tables["Documents"]]
    except KeyError as exc:
        raise ManifestError(f"manifest has no {exc} table") from None
    except ValueError as exc:
        raise ManifestError(f"manifest has a malformed row: {exc}") from None
    version, rules_digest = header.pop("cleaner", ""), header.pop("rules", "")
    data = {
        "format": FORMAT,
        "cleaner": version,
        "rules": rules_digest,
        "settings": IndexSettings.from_cells(header).to_dict(),
        "totals": {**summary, "languages": languages, "rules": rules},
        "documents": documents,
    }
    return Manifest.from_dict(data)


def _entry(cells: list[str]) -> dict[str, Any]:
    if len(cells) != len(COLUMNS):
        raise ValueError(f"{len(cells)} cells, not {len(COLUMNS)}: {cells!r}")
    path, title, lang, prob, words, sha, edits, cluster, status = cells
    if status == KEPT:
        duplicate_of = None
    elif status.startswith(DUPLICATE_OF):
        duplicate_of = unescape(status[len(DUPLICATE_OF) :])
    else:
        raise ValueError(f"status {status!r}")
    counts = {}
    for item in edits.split():
        code, _, n = item.partition(":")
        counts[code] = int(n)
    return {
        "path": unescape(path),
        "title": unescape(title),
        "lang": unescape(lang),
        "lang_prob": float(prob),
        "words": int(words),
        "sha256": sha,
        "edits": counts,
        "cluster": int(cluster),
        "duplicate_of": duplicate_of,
    }


def render_json(manifest: Manifest) -> str:
    """The manifest as JSON (keys in a fixed order, non-ASCII kept, one final newline)."""
    return json.dumps(manifest.to_dict(), ensure_ascii=False, indent=1) + "\n"


def parse(text: str) -> Manifest:
    """A manifest from its Markdown or JSON text (told apart by the first character)."""
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ManifestError(f"not valid JSON: {exc}") from None
        return Manifest.from_dict(data)
    return parse_markdown(text)


def load_manifest(path: str | Path) -> Manifest:
    """Read a manifest written by ``cleaner index`` (``INDEX.md`` or its ``--format json`` form)."""
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: cannot read: {exc}") from None
    try:
        return parse(text)
    except ManifestError as exc:
        raise ManifestError(f"{path}: {exc}") from None


def is_manifest(text: str) -> bool:
    """Whether ``text`` is a manifest this tool wrote (Markdown marker, or JSON with ``format``/``cleaner``).

    >>> is_manifest(MARKER + " format 1: ... -->\\n# Corpus index"), is_manifest("# Notes")
    (True, False)
    """
    if text.startswith(MARKER):
        return True
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return False
        return isinstance(data, dict) and "format" in data and "cleaner" in data and "documents" in data
    return False
