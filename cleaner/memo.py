"""Caches of answers about lines of text, kept across documents within a budget of characters.

The cleaner asks the same line the same questions many times (its words, its shape, a line rule's
verdict), within a document and across the pages of a site.  A cache keyed by lines holds the
lines themselves, so a bound on the number of entries does not bound its memory: 65,536 news
paragraphs and their words took about 300 MB in a worker process (bench/RESULTS.md).  These caches
count the characters of their keys (and a fixed cost per entry) and are emptied when the budget is
spent, so a process holds at most about ``budget`` characters' worth of lines per cache, whatever
the size of the corpus.  An answer depends on the line alone: the output is the same with or
without them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

#: The cost of an entry besides its key's characters (a dict slot, the key and value objects): a
#: cache of short lines is bounded by entries too.
ENTRY_COST = 64
#: The default budget of a cache, in characters of keys: about 1-10 MB a cache (a line's words,
#: as separate strings, take about ten times the line).
BUDGET = 1 << 20

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LineTable(Generic[K, V]):
    """A dict of answers whose keys are weighed in characters; emptied when ``budget`` is spent."""

    __slots__ = ("_data", "budget", "used")

    def __init__(self, budget: int = BUDGET) -> None:
        self._data: dict[K, V] = {}
        self.budget = budget
        self.used = 0

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: K) -> V | None:
        """The answer kept for ``key``, or None."""
        return self._data.get(key)

    def __contains__(self, key: K) -> bool:
        return key in self._data

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def put(self, key: K, value: V, chars: int) -> None:
        """Keep ``value`` for ``key``, whose keys weigh ``chars`` characters (not if that alone is over budget)."""
        cost = chars + ENTRY_COST
        if cost > self.budget:
            return
        if self.used + cost > self.budget:
            self.clear()
        self._data[key] = value
        self.used += cost

    def clear(self) -> None:
        """Forget every answer."""
        self._data.clear()
        self.used = 0


def line_cache(budget: int = BUDGET) -> Callable[[Callable[[str], V]], Callable[[str], V]]:
    """A decorator: remember ``f(line)`` in a :class:`LineTable` of ``budget`` characters.

    The wrapper has ``table`` (the :class:`LineTable`) and ``cache_clear()``.
    """

    def wrap(f: Callable[[str], V]) -> Callable[[str], V]:
        table: LineTable[str, V] = LineTable(budget)
        data = table._data

        def cached(line: str) -> V:
            try:
                return data[line]
            except KeyError:
                pass
            value = f(line)
            table.put(line, value, len(line))
            return value

        cached.table = table  # type: ignore[attr-defined]
        cached.cache_clear = table.clear  # type: ignore[attr-defined]
        cached.__doc__ = f.__doc__
        cached.__name__ = getattr(f, "__name__", "cached")
        cached.__wrapped__ = f  # type: ignore[attr-defined]
        return cached

    return wrap
