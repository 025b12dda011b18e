"""Shingles: the normalised words of a text, hashed in word n-grams.

Text is normalised first (:func:`normalise`: NFKC, lowercase, every run of punctuation and
whitespace becomes one space), so a copy that was flattened (lowercased, punctuation stripped)
has the same tokens as its source, and "U.S." and "u s" agree.

Shingles are word 3-grams (:data:`DEFAULT_NGRAM`), chosen by measurement on the development set
(``/work/shared/eval/dev/dups.jsonl``, cleaned first; ``python bench/dedup_ngram.py`` prints it).
Exact containment of the smaller shingle set in the larger, lowest over pairs of copies against
highest over pairs of different stories:

============  ==========  ============  ==============================
shingles      copies >=   different <=  pair F1 at the defaults
============  ==========  ============  ==============================
words         0.82        0.70          0.989
word 2-grams  0.77        0.36          1.0
word 3-grams  0.73        0.31          1.0
word 4-grams  0.69        0.27          1.0
word 5-grams  0.65        0.25          1.0 (0.993 at C 0.7)
============  ==========  ============  ==============================

Single words give no margin (stories on one topic share their vocabulary).  From 2-grams on the
gap between copies and different stories is about 0.4 wide and widest for 3- and 4-grams; 3-grams
keep copies higher (a light edit kills ``n`` shingles, so longer shingles pull edited copies
down: 5-grams lose a pair at containment 0.7) and sign faster than 4-grams.  With 3-grams every
containment threshold from 0.45 to 0.75 (and Jaccard thresholds 0.4-0.6) scores 1.0 on the dev
set; the defaults sit in the middle of that plateau (containment 0.6, Jaccard 0.5).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import xxhash

DEFAULT_NGRAM = 3
NORMALISATION = 1  # bumped whenever normalise() or shingling changes; stored in signature stores

_WORD_CHAR = re.compile(r"\w")
_ASCII_BYTES = bytes(range(128))
# ASCII bytes that are not word characters become spaces; bytes of non-ASCII characters stay
_ASCII_SEPARATORS = bytes(c if c >= 128 or chr(c).isalnum() or c == ord("_") else 32 for c in range(256))
_U64 = np.uint64
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5], dtype=np.uint64)


def token_bytes(text: str) -> list[bytes]:
    """The words of the normalised text, UTF-8 encoded: what ``re.findall(r"\\w+", ...)`` finds in it.

    Faster than ``findall`` (which dominated signing time), with C-level byte operations only:
    after NFKC and lowercasing, the text is encoded; each distinct non-ASCII character that is not a
    word character (a handful per document: quotes, dashes) is replaced by a space; ASCII
    punctuation becomes a space with one ``bytes.translate``; and ``split`` cuts the words.

    >>> token_bytes("Don’t—stop: ÉTÉ_2 «ok»")
    [b'don', b't', b'stop', b'\xc3\xa9t\xc3\xa9_2', b'ok']
    """
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    data = text.lower().encode("utf-8")
    if not data.isascii():
        # the non-ASCII characters alone (deleting ASCII bytes from UTF-8 leaves whole characters)
        for ch in set(data.translate(None, _ASCII_BYTES).decode("utf-8")):
            if not _WORD_CHAR.match(ch):
                data = data.replace(ch.encode("utf-8"), b" ")
    return data.translate(_ASCII_SEPARATORS).split()


def tokens(text: str) -> list[str]:
    """The words of the normalised text.

    >>> tokens("The U.S. economy — it's fine.")
    ['the', 'u', 's', 'economy', 'it', 's', 'fine']
    """
    return [t.decode("utf-8") for t in token_bytes(text)]


def normalise(text: str) -> str:
    """NFKC, lowercase, punctuation removed and whitespace collapsed.

    >>> normalise("The U.S. economy —  it's\\nfine.")
    'the u s economy it s fine'
    >>> normalise("the u s economy its fine")
    'the u s economy its fine'
    """
    return " ".join(tokens(text))


def token_hashes(words: Sequence[bytes]) -> npt.NDArray[np.uint64]:
    """xxh64 of every word, as uint64."""
    return np.fromiter(map(xxhash.xxh64_intdigest, words), dtype=np.uint64, count=len(words))


def shingle_hashes(text: str, ngram: int = DEFAULT_NGRAM) -> npt.NDArray[np.uint32]:
    """The distinct 32-bit hashes of the word ``ngram``-shingles of ``text`` (sorted).

    A text shorter than ``ngram`` words is one shingle; an empty text has none.
    """
    th = token_hashes(token_bytes(text))
    n = len(th)
    if n == 0:
        return np.zeros(0, dtype=np.uint32)
    k = min(ngram, n)
    count = n - k + 1
    with np.errstate(over="ignore"):
        # position j of the n-gram gets its own odd multiplier, so word order counts
        acc = th[:count] * _multiplier(0)
        for j in range(1, k):
            acc += th[j : j + count] * _multiplier(j)
        folded = (acc >> _U64(32)).astype(np.uint32) ^ acc.astype(np.uint32)
    folded.sort()
    return folded[np.concatenate(([True], folded[1:] != folded[:-1]))]


def _multiplier(j: int) -> np.uint64:
    return np.uint64((int(_MIX[j % len(_MIX)]) + 2 * (j // len(_MIX))) % (1 << 64))
