"""Near-duplicate stories, as a chain of stages: shingles (:mod:`.shingles`), MinHash signatures
(:mod:`.signer`), verified clusters (:mod:`.cluster`), and the signature store that makes runs
incremental (:mod:`.store`).  Pure functions and classes; :mod:`cleaner.commands.dedup` does the I/O.
"""

from cleaner.dedup.cluster import (
    DEFAULT_CONTAINMENT,
    DEFAULT_THRESHOLD,
    Assignment,
    Deduplicator,
    UnionFind,
)
from cleaner.dedup.shingles import DEFAULT_NGRAM, normalise, shingle_hashes, token_bytes, tokens
from cleaner.dedup.signer import (
    DEFAULT_NUM_PERM,
    DEFAULT_SEED,
    SCHEME,
    Params,
    Signature,
    Signer,
    containment,
    estimate_jaccard,
)

__all__ = [
    "DEFAULT_CONTAINMENT",
    "DEFAULT_NGRAM",
    "DEFAULT_NUM_PERM",
    "DEFAULT_SEED",
    "DEFAULT_THRESHOLD",
    "SCHEME",
    "Assignment",
    "Deduplicator",
    "Params",
    "Signature",
    "Signer",
    "UnionFind",
    "containment",
    "estimate_jaccard",
    "normalise",
    "shingle_hashes",
    "token_bytes",
    "tokens",
]
