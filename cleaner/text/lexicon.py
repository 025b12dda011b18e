"""wordfreq's word frequencies as compact tables, built once per machine and memory-mapped.

The glue splitter asks whether a word is known in any of eight languages and how common it is;
the lead restorer asks the same of one language.  wordfreq answers from Python dictionaries that
take 0.3 s and 30-90 MB per language to load (3.2 million entries, about 3 s and 400 MB for the
eight), in every process.  Here the same numbers live in one file per set of languages: the
64-bit xxh3 hashes of the words, sorted, beside their frequencies (the highest of the languages).
The file is written once, atomically, into the cache directory (``$CLEANER_CACHE_DIR``, else
``$XDG_CACHE_HOME/cleaner``, else ``~/.cache/cleaner``), named by wordfreq's version, and opened
with ``numpy.load(mmap_mode="r")``: opening costs nothing, a look-up is a binary search over
pages the system shares between processes, and a process touches only the pages it reads.
Where no cache can be written the table is built in memory for the process.

The answers are wordfreq's own: ``table(langs).get(word)`` gives what ``get_frequency_dict(lang).get(word,
0.0)`` gives (the highest over the languages), for every word of the dictionaries
(tests/test_lexicon.py compares them).  Two different words with the same 64-bit hash would
share an entry (the higher frequency); among 2.5 million words the chance that any pair does is
about 2 in 10^7, and the chance that a word the lexicon lacks passes for one it has, about
1 in 10^13 per word.
"""

from __future__ import annotations

from functools import cache, lru_cache
from importlib.metadata import version
from pathlib import Path

import numpy as np
import xxhash
from numpy.typing import NDArray

from cleaner.cache import cache_dir, store

#: Bumped when the file layout changes, so that old caches are not read.
FORMAT = 1

_xxh3 = xxhash.xxh3_64_intdigest


def _hash(word: str) -> int:
    """The 64-bit xxh3 hash of a word's UTF-8 bytes."""
    return _xxh3(word.encode("utf-8", "surrogatepass"))


class FrequencyTable:
    """Words' frequencies, looked up by hash: ``table.get(word)`` is 0.0 for a word it does not know."""

    __slots__ = ("_freqs", "_keys", "_size", "get")

    def __init__(self, keys: NDArray[np.uint64], freqs: NDArray[np.float64]) -> None:
        self._keys = keys
        self._freqs = freqs
        self._size = len(keys)
        # words repeat (Zipf's law): most look-ups are answered from this cache, not the search
        self.get = lru_cache(maxsize=1 << 16)(self._get)

    def __len__(self) -> int:
        return self._size

    def __contains__(self, word: str) -> bool:
        return self.get(word) > 0.0

    def _get(self, word: str) -> float:
        h = np.uint64(_hash(word))
        i = int(self._keys.searchsorted(h))
        if i < self._size and self._keys[i] == h:
            return float(self._freqs[i])
        return 0.0

    def get_many(self, words: list[str]) -> NDArray[np.float64]:
        """The frequencies of many words at once (one vectorised search)."""
        if not words:
            return np.zeros(0)
        hashes = np.fromiter((_hash(w) for w in words), dtype=np.uint64, count=len(words))
        idx = self._keys.searchsorted(hashes)
        idx[idx >= self._size] = 0
        found = self._keys[idx] == hashes
        return np.where(found, self._freqs[idx], 0.0)


def _build(langs: tuple[str, ...]) -> tuple[NDArray[np.uint64], NDArray[np.float64]]:
    """The sorted hashes and the highest frequency of every word of ``langs``."""
    from wordfreq import get_frequency_dict  # imported to build a table: 0.25 s of every start otherwise

    merged: dict[str, float] = {}
    for lang in langs:
        for word, freq in get_frequency_dict(lang).items():
            if freq > merged.get(word, 0.0):
                merged[word] = freq
    keys = np.fromiter((_hash(w) for w in merged), dtype=np.uint64, count=len(merged))
    freqs = np.fromiter(merged.values(), dtype=np.float64, count=len(merged))
    order = np.argsort(keys, kind="stable")
    keys, freqs = keys[order], freqs[order]
    # two words with one hash (improbable): one entry, with the higher frequency
    same = np.flatnonzero(keys[1:] == keys[:-1])
    for k in same[::-1]:
        freqs[k] = max(freqs[k], freqs[k + 1])
    if len(same):
        keep = np.ones(len(keys), dtype=bool)
        keep[same + 1] = False
        keys, freqs = keys[keep], freqs[keep]
    return keys, freqs


def _paths(langs: tuple[str, ...]) -> tuple[Path, Path]:
    """The two files of a table: its sorted hashes and their frequencies."""
    stem = f"wordfreq-{version('wordfreq')}-f{FORMAT}-{'-'.join(langs)}"
    return cache_dir() / f"{stem}.keys.npy", cache_dir() / f"{stem}.freqs.npy"


def _load(paths: tuple[Path, Path]) -> FrequencyTable | None:
    try:
        keys = np.load(paths[0], mmap_mode="r")
        freqs = np.load(paths[1], mmap_mode="r")
    except Exception:  # missing, or damaged in any way (an empty file: EOFError): built again
        return None
    if keys.dtype != np.uint64 or freqs.dtype != np.float64 or keys.shape != freqs.shape:
        return None
    return FrequencyTable(keys, freqs)


@cache
def table(langs: tuple[str, ...]) -> FrequencyTable:
    """The frequency table of ``langs`` (the highest frequency of each word), from the cache or built."""
    paths = _paths(langs)
    found = _load(paths)
    if found is not None:
        return found
    keys, freqs = _build(langs)
    if not (store(paths[0], lambda f: np.save(f, keys)) and store(paths[1], lambda f: np.save(f, freqs))):
        return FrequencyTable(keys, freqs)  # no cache to write: this process keeps its own copy
    return _load(paths) or FrequencyTable(keys, freqs)
