"""The manifest as INDEX.md: a GitHub table, rendered and parsed back exactly.

:func:`render_markdown` and :func:`parse_markdown` are inverses.  Cell text is escaped so that it
renders as written and parses back exactly: ``\\`` and the characters Markdown would act on inside
a table cell get a backslash (``_`` only where it could start or end emphasis, so paths stay
readable), and characters that a cell cannot hold (controls, a space at either end) become numeric
character references.

>>> e = Entry("a|b.txt", "A *bold* claim", "en", 0.9999, 3, "0" * 64, {"BP001": 1}, 1, None, ("FL001",))
>>> m = Manifest("0.1.0", "r" * 16, Settings(), (e,), {"BP001": "read-more-link"})
>>> parse_markdown(render_markdown(m)) == m
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from cleaner.errors import ManifestError, SettingsError
from cleaner.manifest.model import (
    COLUMNS,
    DUPLICATE_OF,
    FORMAT,
    KEPT,
    MARKER,
    SUMMARY_KEYS,
    TOP_CLUSTERS,
    Entry,
    Manifest,
)
from cleaner.settings import Settings

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
                    " ".join(e.flags),
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
        raise ManifestError(
            f"manifest format {m.group(1)}; this cleaner reads format {FORMAT}: run cleaner index again to rewrite it"
        )
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
        "settings": _settings_from_cells(header),
        "totals": {**summary, "languages": languages, "rules": rules},
        "documents": documents,
    }
    return Manifest.from_dict(data)


def _settings_from_cells(header: dict[str, str]) -> dict[str, Any]:
    try:
        return Settings.from_cells(header).to_dict()
    except SettingsError as exc:
        raise ManifestError(str(exc)) from None


def _entry(cells: list[str]) -> dict[str, Any]:
    if len(cells) != len(COLUMNS):
        raise ValueError(f"{len(cells)} cells, not {len(COLUMNS)}: {cells!r}")
    path, title, lang, prob, words, sha, edits, flags, cluster, status = cells
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
        "flags": flags.split(),
    }
