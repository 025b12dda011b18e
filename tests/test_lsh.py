"""The local LSH index (cleaner.dedup.lsh) against datasketch's MinHashLSH: the same candidates, less memory."""

from __future__ import annotations

import random

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHashLSH

from cleaner.dedup.lsh import BandIndex


def near_copies(n: int, slots: int, rng: random.Random, values: int) -> np.ndarray:
    """``n`` signatures, most of them near copies of earlier ones; small slot values, so that
    buckets are shared by chance too (long chains, and tables that grow several times)."""
    sigs = np.zeros((n, slots), dtype=np.uint32)
    for i in range(n):
        if i and rng.random() < 0.6:
            sigs[i] = sigs[rng.randrange(i)]
            changed = rng.sample(range(slots), rng.randrange(1, slots))
            sigs[i, changed] = [rng.randrange(values) for _ in changed]
        else:
            sigs[i] = [rng.randrange(values) for _ in range(slots)]
    return sigs


@pytest.mark.parametrize(
    ("threshold", "slots", "values", "seed"),
    [
        (0.2, 128, 1 << 20, 0),  # the defaults: 28 bands of 2 slots (a key is the slice itself)
        (0.2, 128, 40, 1),  # values so few that most bands share buckets
        (0.5, 128, 1 << 32, 2),  # bands of 5 slots: keys mixed, slices compared
        (0.8, 64, 7, 3),  # wide bands, tiny values: key collisions must not make candidates
        (0.3, 16, 3, 4),
    ],
)
def test_the_same_candidates_as_datasketch_for_every_query(
    threshold: float, slots: int, values: int, seed: int
) -> None:
    rng = random.Random(seed)
    sigs = near_copies(2500, slots, rng, values)
    reference = MinHashLSH(threshold=threshold, num_perm=slots)
    rows: list[np.ndarray] = []
    index = BandIndex([(int(lo), int(hi)) for lo, hi in reference.hashranges], rows, capacity=16)
    for i, sig in enumerate(sigs):
        lean = LeanMinHash(seed=1, hashvalues=sig, scheme="affine32")
        assert index.query(sig) == set(reference.query(lean)), i
        reference.insert(i, lean, check_duplication=False)
        rows.append(sig)
        index.insert(i, sig)
    # and asked again once everything is in (after the tables grew)
    for i in range(0, len(sigs), 97):
        assert index.query(sigs[i]) == set(reference.query(LeanMinHash(seed=1, hashvalues=sigs[i], scheme="affine32")))


def test_a_signature_never_inserted_finds_nothing_in_an_empty_index() -> None:
    index = BandIndex([(0, 2), (2, 4)], [])
    assert index.query(np.array([1, 2, 3, 4], dtype=np.uint32)) == set()


def test_bands_of_different_widths_are_refused() -> None:
    with pytest.raises(ValueError, match="one width"):
        BandIndex([(0, 2), (2, 5)], [])


def test_memory_a_document_is_bounded() -> None:
    """The arrays grow by doubling: after n documents they hold at most a fixed number of bytes a document."""
    rng = np.random.default_rng(5)
    rows: list[np.ndarray] = []
    index = BandIndex([(2 * b, 2 * b + 2) for b in range(28)], rows)
    n = 20_000
    for i in range(n):
        rows.append(rng.integers(0, 1 << 32, 56, dtype=np.uint32))
        index.insert(i, rows[-1])
    # 28 bands x (four slots of 4 bytes at most, just after a doubling; two after n more) + 4 bytes of chain (x2)
    assert index.nbytes() / n <= 28 * (4 * 4 + 2 * 4)


def test_a_member_inserted_twice_or_rows_of_another_type_are_refused() -> None:
    rows = [np.arange(4, dtype=np.uint32), np.arange(4, dtype=np.uint64)]
    index = BandIndex([(0, 2), (2, 4)], rows)
    index.insert(0, rows[0])
    with pytest.raises(ValueError, match="increasing order"):
        index.insert(0, rows[0])  # would chain the member to itself: a query that never ends
    with pytest.raises(ValueError, match="uint32"):
        index.insert(1, rows[1])  # its slices as bytes would never equal a uint32 query's
