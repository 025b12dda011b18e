"""MinHash signatures of shingle sets.

Signatures use datasketch's ``affine32`` permutation scheme, computed here with numpy: each token
is hashed once with xxh64, a shingle's hash is a fixed mix of its tokens' hashes (vectorised
over the document), folded to 32 bits, and then, exactly as :meth:`datasketch.MinHash.update_batch`
does, pre-mixed with the MurmurHash3 finaliser and permuted ``a * h + b`` (mod 2**32) by the
permutations datasketch derives from the seed, taking the minimum per permutation.  The result is
a :class:`datasketch.LeanMinHash` with the same seed and scheme, so its ``jaccard()`` is valid
against any MinHash fed the same shingle hashes (a test checks bit-for-bit equality).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from cleaner.dedup.shingles import DEFAULT_NGRAM, NORMALISATION, shingle_hashes

if TYPE_CHECKING:
    from datasketch import LeanMinHash

SCHEME = "affine32"
DEFAULT_SEED = 1
DEFAULT_NUM_PERM = 128

Signature = npt.NDArray[np.uint32]


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
        from datasketch import MinHash  # imported when first needed: it brings scipy (0.9 s)

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
        from datasketch import LeanMinHash

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
