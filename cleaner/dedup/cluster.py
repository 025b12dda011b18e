"""Clusters of near-duplicates: LSH candidates, verified by Jaccard or containment, joined by union-find.

The thresholds sit in the middle of the plateau measured on the development set (see
:mod:`cleaner.dedup.shingles`; ``python bench/dedup_ngram.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cleaner.dedup.lsh import BandIndex
from cleaner.dedup.signer import Params, Signature, Signer, containment, estimate_jaccard

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
        from datasketch import MinHashLSH  # imported when first needed: it brings scipy (0.9 s)

        # datasketch chooses the bands (b bands of r slots) for the threshold; the buckets are
        # kept in arrays of our own (cleaner.dedup.lsh): the same candidates, a sixth of the memory
        bands = MinHashLSH(threshold=lsh_threshold, num_perm=self.params.num_perm).hashranges
        self.hashranges: list[tuple[int, int]] = [(int(lo), int(hi)) for lo, hi in bands]
        self.ids: list[str] = []
        self.signatures: list[Signature] = []
        self.lsh = BandIndex(self.hashranges, self.signatures)
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
        signature = np.asarray(signature, dtype=np.uint32)  # the index compares slices byte for byte
        self.ids.append(doc_id)
        self.signatures.append(signature)
        self.sizes.append(size)
        self.lengths.append(length)
        if size == 0:
            return i  # an empty document is a duplicate of nothing
        for j in sorted(self.lsh.query_insert(i, signature)):
            if self.verified(i, j):
                self.uf.union(i, j)
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
