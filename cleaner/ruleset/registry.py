"""The tables that rule files name implementations in; implementations register themselves.

A rule file names a function (``function = "restore_lead"``, a shape ``"headline"``); the module
that holds it registers it here with a decorator (:func:`repair`, :func:`splitter`, :func:`shape`,
:func:`flag`),
as dolma's taggers do.  This module imports no implementation: :func:`load_implementations`
imports the packages listed in :data:`IMPLEMENTATIONS` by name, so adding a repair touches one
file and its rule file.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, TypeVar

from cleaner.memo import line_cache

if TYPE_CHECKING:
    from cleaner.document import Edit


@dataclass(frozen=True, slots=True)
class RepairContext:
    """What a repair is told about the document it repairs: its rule, and what is known of the text.

    ``lang`` and ``prob`` are the language of the text the repair receives and its probability, as
    :func:`cleaner.text.language.detect_language` finds them; ``flat`` whether the text is
    flattened (:func:`cleaner.text.style.is_flat`).  ``None``: not known (the repairs that run
    before the language is detected get none, and a caller may leave them out); a repair that
    needs one then finds it itself.
    """

    code: str
    slug: str
    lang: str | None = None
    prob: float = 0.0
    flat: bool | None = None


#: A repair: ``(text, context) -> (text, edits)``.
Repair = Callable[[str, RepairContext], "tuple[str, list[Edit]]"]
#: A splitter: the offsets in a line where run-together text may be cut.
Splitter = Callable[[str], list[int]]
#: A shape: whether a (stripped) line has it.
Shape = Callable[[str], bool]
#: A flag: something a document's cleaned text shows, which the cleaner records and does not change.
Flag = Callable[[str], bool]

#: a registered implementation's type
F = TypeVar("F", bound=Callable[..., object])

REPAIRS: dict[str, Repair] = {}
SPLITTERS: dict[str, Splitter] = {}
SHAPES: dict[str, Shape] = {}
FLAGS: dict[str, Flag] = {}

#: The packages whose modules register implementations (imported once, by name).
IMPLEMENTATIONS = ("cleaner.steps", "cleaner.text.shapes")


def _register(table: dict[str, F], name: str, wrap: Callable[[F], F] | None = None) -> Callable[[F], F]:
    """A decorator that puts a function into ``table`` under ``name`` (``wrap`` of it, if given)."""

    def add(f: F) -> F:
        table[name] = wrap(f) if wrap is not None else f
        return f

    return add


def repair(name: str) -> Callable[[Repair], Repair]:
    """Register a repair under the name rule files give in ``function``."""
    return _register(REPAIRS, name)


def splitter(name: str) -> Callable[[Splitter], Splitter]:
    """Register a splitter under the name ``split`` rule files give in ``function``."""
    return _register(SPLITTERS, name)


def shape(name: str) -> Callable[[Shape], Shape]:
    """Register a line shape under the name rules give in ``shape``, ``neighbours``, ``after``...

    Rules ask the same line for its shape many times (every block scan, every pass): the answer
    is computed once per distinct line (kept within a budget of characters: :mod:`cleaner.memo`).
    """
    return _register(SHAPES, name, line_cache())


def flag(name: str) -> Callable[[Flag], Flag]:
    """Register a flag under the name ``flag`` rule files give in ``function``."""
    return _register(FLAGS, name)


@lru_cache(maxsize=1)
def load_implementations() -> None:
    """Import every module that registers an implementation (once)."""
    for module in IMPLEMENTATIONS:
        importlib.import_module(module)
