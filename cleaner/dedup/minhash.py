"""Near-duplicate stories: MinHash signatures, LSH candidates, verified clusters.

Pure functions and classes; :mod:`cleaner.commands.dedup` does the I/O.

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

Signatures use datasketch's ``affine32`` permutation scheme, computed here with numpy: each token
is hashed once with xxh64, a shingle's hash is a fixed mix of its tokens' hashes (vectorised
over the document), folded to 32 bits, and then, exactly as :meth:`datasketch.MinHash.update_batch`
does, pre-mixed with the MurmurHash3 finaliser and permuted ``a * h + b`` (mod 2**32) by the
permutations datasketch derives from the seed, taking the minimum per permutation.  The result is
a :class:`datasketch.LeanMinHash` with the same seed and scheme, so its ``jaccard()`` is valid
against any MinHash fed the same shingle hashes (a test checks bit-for-bit equality).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import xxhash
from datasketch import LeanMinHash, MinHash, MinHashLSH

SCHEME = "affine32"
DEFAULT_SEED = 1
DEFAULT_NUM_PERM = 128
DEFAULT_NGRAM = 3
DEFAULT_THRESHOLD = 0.5
DEFAULT_CONTAINMENT = 0.6
# the LSH looks for pairs down to this estimated Jaccard, so that a copy cut short (Jaccard with
# its source as low as 0.15-0.3 on the dev set) becomes a candidate and is verified by containment;
# a candidate costs one comparison of two signatures, so a low threshold is cheap
CANDIDATE_THRESHOLD = 0.2
# a containment edge also needs this estimated Jaccard: between a very short and a very long
# document a few chance slot collisions would otherwise estimate a high containment
# (copies cut short have a Jaccard of 0.15 and more with their source on the dev set)
MIN_JACCARD_FOR_CONTAINMENT = 0.1
NORMALISATION = 1  # bumped whenever normalise() or shingling changes; stored in indexes

_WORD_CHAR = re.compile(r"\w")
_ASCII_BYTES = bytes(range(128))
# ASCII bytes that are not word characters become spaces; bytes of non-ASCII characters stay
_ASCII_SEPARATORS = bytes(c if c >= 128 or chr(c).isalnum() or c == ord("_") else 32 for c in range(256))
_U64 = np.uint64
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5], dtype=np.uint64)

Signature = npt.NDArray[np.uint32]


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


@dataclass(frozen=True)
class Params:
    """What makes signatures comparable; stored in an index and checked on load."""

    num_perm: int = DEFAULT_NUM_PERM
    ngram: int = DEFAULT_NGRAM
    seed: int = DEFAULT_SEED
    scheme: str = SCHEME
    normalisation: int = NORMALISATION

    def as_dict(self) -> dict[str, Any]:
        """The parameters as plain values."""
        return {
            "num_perm": self.num_perm,
            "ngram": self.ngram,
            "seed": self.seed,
            "scheme": self.scheme,
            "normalisation": self.normalisation,
        }


class Signer:
    """Computes MinHash signatures with datasketch's permutations for ``params``."""

    def __init__(self, params: Params) -> None:
        self.params = params
        template = MinHash(num_perm=params.num_perm, seed=params.seed, scheme=params.scheme)
        a, b = template.permutations
        self._a = np.asarray(a, dtype=np.uint32)[:, None]
        self._b = np.asarray(b, dtype=np.uint32)[:, None]
        self._empty = np.asarray(template.hashvalues, dtype=np.uint32)

    def sign_hashes(self, hashes: npt.NDArray[np.uint32], chunk: int = 4096) -> Signature:
        """The signature of a set of 32-bit shingle hashes (as ``MinHash.update_batch`` computes it)."""
        if len(hashes) == 0:
            return self._empty.copy()
        with np.errstate(over="ignore"):
            hv = hashes.astype(np.uint32)
            hv = hv ^ (hv >> np.uint32(16))
            hv = hv * np.uint32(0x85EBCA6B)
            hv = hv ^ (hv >> np.uint32(13))
            hv = hv * np.uint32(0xC2B2AE35)
            hv = hv ^ (hv >> np.uint32(16))
            out = self._empty.copy()
            for start in range(0, len(hv), chunk):
                # permutations x shingles: the minimum runs along contiguous memory
                part = self._a * hv[None, start : start + chunk]
                part += self._b
                np.minimum(out, part.min(axis=1), out=out)
        return out

    def sign(self, text: str) -> tuple[Signature, int]:
        """The signature of a text and the size of its shingle set."""
        hashes = shingle_hashes(text, self.params.ngram)
        return self.sign_hashes(hashes), len(hashes)

    def lean(self, signature: Signature) -> LeanMinHash:
        """A datasketch LeanMinHash over ``signature`` (same seed and scheme)."""
        return LeanMinHash(seed=self.params.seed, hashvalues=signature, scheme=self.params.scheme)


def estimate_jaccard(a: Signature, b: Signature) -> float:
    """The share of equal slots: the MinHash estimate of the Jaccard similarity."""
    return float(np.count_nonzero(a == b)) / len(a)


def containment(jaccard: float, size_small: int, size_large: int) -> float:
    """Containment of the smaller set in the larger, from their Jaccard and set sizes.

    |A ∩ B| = J (|A| + |B|) / (1 + J); divided by |A|, the smaller set.

    >>> round(containment(0.7, 70, 100), 3)
    1.0
    >>> round(containment(0.5, 100, 100), 3)
    0.667
    """
    if size_small <= 0:
        return 0.0
    return min(1.0, jaccard * (size_small + size_large) / ((1.0 + jaccard) * size_small))


class UnionFind:
    """Union-find over 0..n-1; the root of a set is its smallest member (deterministic)."""

    def __init__(self) -> None:
        self.parent: list[int] = []

    def add(self) -> int:
        """A new singleton; its number."""
        self.parent.append(len(self.parent))
        return len(self.parent) - 1

    def find(self, x: int) -> int:
        """The root of ``x``'s set."""
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, x: int, y: int) -> None:
        """Join the sets of ``x`` and ``y``."""
        rx, ry = self.find(x), self.find(y)
        if rx != ry:
            lo, hi = min(rx, ry), max(rx, ry)
            self.parent[hi] = lo


@dataclass
class Assignment:
    """One document's place: the kept document of its cluster and its similarity to it."""

    index: int
    kept: int
    keep: bool
    similarity: float
    containment: float


@dataclass
class Deduplicator:
    """Signatures of documents in input order, an LSH over them, and verified edges.

    Holds signatures and sizes, never texts.  Documents are added in order (stored ones from an
    index first); :meth:`assign` clusters everything added so far.
    """

    params: Params = field(default_factory=Params)
    threshold: float = DEFAULT_THRESHOLD
    containment_threshold: float = DEFAULT_CONTAINMENT
    candidate_threshold: float = CANDIDATE_THRESHOLD
    min_jaccard_for_containment: float = MIN_JACCARD_FOR_CONTAINMENT

    def __post_init__(self) -> None:
        self.signer = Signer(self.params)
        lsh_threshold = min(self.candidate_threshold, self.threshold)
        self.lsh = MinHashLSH(threshold=lsh_threshold, num_perm=self.params.num_perm)
        self.ids: list[str] = []
        self.signatures: list[Signature] = []
        self.sizes: list[int] = []
        self.lengths: list[int] = []
        self.uf = UnionFind()

    def __len__(self) -> int:
        return len(self.ids)

    def add_text(self, doc_id: str, text: str) -> int:
        """Sign and add one document; its number."""
        sig, size = self.signer.sign(text)
        return self.add_signature(doc_id, sig, size, len(text))

    def add_signature(self, doc_id: str, signature: Signature, size: int, length: int) -> int:
        """Add one document by its signature; verify its candidates; its number."""
        i = self.uf.add()
        self.ids.append(doc_id)
        self.signatures.append(signature)
        self.sizes.append(size)
        self.lengths.append(length)
        if size == 0:
            return i  # an empty document is a duplicate of nothing
        lean = self.signer.lean(signature)
        for j in sorted(self.lsh.query(lean)):
            if self.verified(i, j):
                self.uf.union(i, j)
        self.lsh.insert(i, lean, check_duplication=False)
        return i

    def similarity(self, i: int, j: int) -> tuple[float, float]:
        """Estimated Jaccard of documents ``i`` and ``j``, and containment of the smaller in the larger."""
        if self.sizes[i] == 0 or self.sizes[j] == 0:
            return 0.0, 0.0
        jac = estimate_jaccard(self.signatures[i], self.signatures[j])
        small, large = sorted((self.sizes[i], self.sizes[j]))
        return jac, containment(jac, small, large)

    def verified(self, i: int, j: int) -> bool:
        """Whether an LSH candidate pair is a true edge."""
        jac, cont = self.similarity(i, j)
        if jac >= self.threshold:
            return True
        return jac >= self.min_jaccard_for_containment and cont >= self.containment_threshold

    def assign(self, keep: str = "longest") -> list[Assignment]:
        """Every document's kept document: the longest (ties: first in order), or the first."""
        best: dict[int, int] = {}
        for i in range(len(self)):
            root = self.uf.find(i)
            cur = best.get(root)
            if cur is None or (keep == "longest" and self.lengths[i] > self.lengths[cur]):
                best[root] = i
        out: list[Assignment] = []
        for i in range(len(self)):
            k = best[self.uf.find(i)]
            if k == i:
                out.append(Assignment(i, i, True, 1.0, 1.0))
            else:
                jac, cont = self.similarity(i, k)
                out.append(Assignment(i, k, False, round(jac, 4), round(cont, 4)))
        return out


def signatures_of(texts: Iterable[str], params: Params) -> list[tuple[Signature, int]]:
    """Signatures and shingle-set sizes of many texts."""
    signer = Signer(params)
    return [signer.sign(t) for t in texts]
