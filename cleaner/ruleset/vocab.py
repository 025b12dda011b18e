"""Word lists as data: ``rules/vocab/NAME.txt``, one entry per line.

Every list of words, names, headers or agencies that a rule or a step needs lives in a file of
the rules directory's ``vocab/`` folder (dolma's practice: the code loads its lists, none is typed
into a module).  A file holds one entry per line; blank lines and lines starting with ``#`` are
left out, and its header comment says what the list is, what uses it and where it came from.

Two ways in:

* a rule pattern names a list, ``{vocab:photo-agencies}``, and :func:`expand_patterns` writes it
  out when the rules load: a non-capturing alternation of the entries, each escaped, longest
  first, so that an entry is never cut short by a shorter one that is its beginning ("AP Photo"
  before "AP");
* a step asks for a list with :func:`words` (a set) or :func:`entries` (in the file's order),
  read from the default rules directory, at import time or at call time.

The rule-set digest covers every list (:func:`Vocab.fingerprint`), as it covers every rule file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import regex

from cleaner.errors import RuleError

#: The folder of a rules directory that holds the lists.
VOCAB_FOLDER = "vocab"
#: ``{vocab:NAME}`` in a pattern: the list ``NAME`` as an alternation.
PLACEHOLDER = regex.compile(r"\{vocab:([^{}]*)\}")
#: The keys of a rule file (at any depth: ``after.patterns``, ``run.not_after``) that hold patterns.
PATTERN_KEYS = frozenset(
    {"patterns", "anchor", "not_after", "confirm", "stamp", "signed", "writes", "actions", "header", "not_signature"}
    | {"months", "cuts", "joints", "dated", "prefilter"}
)
_NAME = regex.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def default_rules_dir() -> Path:
    """Where the rules are: ``cleaner/rules`` in an installed wheel, else ``rules/`` of the checkout.

    (Defined here, not in :mod:`cleaner.ruleset.model`, which imports the steps: a step reads its
    lists while it is imported, before the model is.)
    """
    package = Path(__file__).resolve().parent.parent
    packaged = package / "rules"
    if packaged.is_dir():
        return packaged
    return package.parent / "rules"


def parse_list(text: str, where: str) -> tuple[str, ...]:
    """The entries of a list file's text, in order; a repeated entry is an error.

    >>> parse_list("# agencies\\nAP\\n\\n  Getty Images  \\n", "x.txt")
    ('AP', 'Getty Images')
    """
    out: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), 1):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        if entry in seen:
            raise RuleError(f"{where}:{number}: {entry!r} is listed twice")
        seen.add(entry)
        out.append(entry)
    return tuple(out)


@dataclass(frozen=True)
class Vocab:
    """The lists of one rules directory, by name (a file's name without ``.txt``)."""

    folder: Path
    lists: Mapping[str, tuple[str, ...]]
    #: every file's name and bytes: what the rule-set digest takes in
    fingerprint: bytes = b""

    def entries(self, name: str) -> tuple[str, ...]:
        """The entries of list ``name`` in the file's order; ``RuleError`` naming the file if there is none."""
        try:
            return self.lists[name]
        except KeyError:
            known = ", ".join(sorted(self.lists)) or "none"
            missing = self.folder / (name + ".txt")
            raise RuleError(f"no word list {name!r}: {missing} does not exist (lists: {known})") from None

    def alternation(self, name: str) -> str:
        """List ``name`` as a non-capturing regex alternation: each entry escaped, the longest first.

        >>> Vocab(Path("vocab"), {"a": ("AP", "AP Photo", "U.S.")}).alternation("a")
        '(?:AP\\\\ Photo|U\\\\.S\\\\.|AP)'
        """
        entries = sorted(self.entries(name), key=len, reverse=True)  # stable: ties keep the file's order
        return "(?:" + "|".join(regex.escape(e) for e in entries) + ")"

    def expand(self, pattern: str, where: str) -> str:
        """``pattern`` with every ``{vocab:NAME}`` written out as :meth:`alternation` of ``NAME``."""

        def one(m: regex.Match[str]) -> str:
            name = m.group(1)
            if not _NAME.fullmatch(name):
                raise RuleError(f"{where}: bad list name {name!r} in {m.group()} (lowercase words joined by '-')")
            try:
                return self.alternation(name)
            except RuleError as exc:
                raise RuleError(f"{where}: {exc}") from None

        return str(PLACEHOLDER.sub(one, pattern))


@cache
def load_vocab(directory: str) -> Vocab:
    """The lists of ``directory/vocab/*.txt`` (none if there is no such folder), read once per directory."""
    return read_vocab(directory)


def read_vocab(directory: str) -> Vocab:
    """The lists of ``directory/vocab/*.txt``, read now (a local folder's lists may be edited between loads)."""
    folder = Path(directory) / VOCAB_FOLDER
    lists: dict[str, tuple[str, ...]] = {}
    fingerprint = bytearray()
    for f in sorted(folder.glob("*.txt")) if folder.is_dir() else []:
        raw = f.read_bytes()
        fingerprint += f"{VOCAB_FOLDER}/{f.name}".encode() + b"\0" + raw + b"\0"
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RuleError(f"{f}: not UTF-8: {exc}") from None
        lists[f.stem] = parse_list(text, str(f))
    return Vocab(folder, MappingProxyType(lists), bytes(fingerprint))


def with_local(folder: Path) -> Vocab:
    """The shipped lists and those of a local rule folder's ``vocab/``, for the folder's rules.

    A local list may not take a shipped list's name: a rule that names it would silently get
    another list than the one its author read.
    """
    shipped, local = load_vocab(str(default_rules_dir())), read_vocab(str(folder))
    clash = sorted(set(shipped.lists) & set(local.lists))
    if clash:
        raise RuleError(f"{local.folder / (clash[0] + '.txt')}: a shipped list has this name; name yours otherwise")
    return Vocab(local.folder, MappingProxyType({**shipped.lists, **local.lists}), local.fingerprint)


def expand_patterns(data: dict[str, Any], directory: Path, where: str, lists: Vocab | None = None) -> dict[str, Any]:
    """A rule file's data with the lists named in its patterns (:data:`PATTERN_KEYS`) written out.

    The lists are those of ``directory`` (or ``lists``, when given).  The data is not changed in
    place; a file without a placeholder comes back as it was.
    """
    vocab = lists if lists is not None else load_vocab(str(directory))

    def walk(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if key in PATTERN_KEYS and isinstance(value, list):
            return [vocab.expand(p, where) if isinstance(p, str) else p for p in value]
        if key in PATTERN_KEYS and isinstance(value, str):  # a single pattern: ``prefilter``
            return vocab.expand(value, where)
        return value

    out: dict[str, Any] = walk(data)
    return out


def patterns_of(data: dict[str, Any]) -> Iterator[str]:
    """Every pattern of a rule file's data (the values of :data:`PATTERN_KEYS`, at any depth)."""
    for key, value in data.items():
        if isinstance(value, dict):
            yield from patterns_of(value)
        elif key in PATTERN_KEYS:
            yield from ([value] if isinstance(value, str) else (p for p in value if isinstance(p, str)))


@cache
def entries(name: str) -> tuple[str, ...]:
    """List ``name`` of the default rules directory, in the file's order (where the order counts)."""
    return load_vocab(str(default_rules_dir())).entries(name)


@cache
def words(name: str) -> frozenset[str]:
    """List ``name`` of the default rules directory as a set: ``words("flat-stopwords")``."""
    return frozenset(entries(name))
