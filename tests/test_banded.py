"""The banded plan's pieces against the local engine's: the same candidates, edges and components."""

from __future__ import annotations

import random

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHashLSH

from cleaner.dedup import Deduplicator, UnionFind
from cleaner.dedup import banded as bd


def signatures(n: int, rng: random.Random) -> tuple[np.ndarray, np.ndarray]:
    """``n`` signatures of 128 slots, many of them near copies of earlier ones (so buckets are shared)."""
    sigs = np.zeros((n, 128), dtype=np.uint32)
    for i in range(n):
        if i and rng.random() < 0.6:
            j = rng.randrange(i)
            sigs[i] = sigs[j]
            slots = rng.sample(range(128), rng.randrange(10, 120))
            sigs[i, slots] = [rng.randrange(1 << 20) for _ in slots]
        else:
            sigs[i] = [rng.randrange(1 << 20) for _ in range(128)]
    sizes = np.array([rng.randrange(0, 400) if rng.random() > 0.05 else 0 for _ in range(n)], dtype=np.int64)
    return sigs, sizes


@pytest.mark.parametrize("seed", range(5))
def test_candidates_edges_and_components_are_the_local_ones(seed: int) -> None:
    rng = random.Random(seed)
    n = 120
    sigs, sizes = signatures(n, rng)
    local = Deduplicator()
    for i in range(n):
        local.add_signature(str(i), sigs[i], int(sizes[i]), int(sizes[i]) * 7 + rng.randrange(3))
    # datasketch's LSH over the same bands (the reference of the local index), asked one document at a time
    reference = MinHashLSH(threshold=0.2, num_perm=128)
    assert [(int(lo), int(hi)) for lo, hi in reference.hashranges] == local.hashranges
    for i in range(n):
        if sizes[i]:
            reference.insert(i, LeanMinHash(seed=1, hashvalues=sigs[i], scheme="affine32"), check_duplication=False)
    expected = set()
    for i in range(n):
        if sizes[i]:
            lean = LeanMinHash(seed=1, hashvalues=sigs[i], scheme="affine32")
            expected |= {(min(i, j), max(i, j)) for j in reference.query(lean) if j != i}
    # the same documents in three units of 40, by the banded plan
    table = bd.concat(
        [
            {
                "gid": bd.gids(u, 40),
                "sig": sigs[u * 40 : (u + 1) * 40],
                "size": sizes[u * 40 : (u + 1) * 40],
                "length": np.array(local.lengths[u * 40 : (u + 1) * 40], dtype=np.int64),
            }
            for u in range(3)
        ]
    )
    index = {int(g): k for k, g in enumerate(table["gid"])}
    rows = bd.band_rows(table, bd.band_ranges(local))
    parts = bd.split(rows, (bd.mix(rows["key"]) % np.uint64(4)).astype(np.int64), 4)
    pairs = bd.unique_pairs(bd.concat([bd.bucket_pairs(p) for p in parts]))
    found = {(index[int(a)], index[int(b)]) for a, b in zip(pairs["a"], pairs["b"], strict=True)}
    assert found == expected
    ia = np.array([index[int(a)] for a in pairs["a"]], dtype=np.int64)
    ib = np.array([index[int(b)] for b in pairs["b"]], dtype=np.int64)
    edges = bd.verify_pairs(
        {**pairs, "sig_a": sigs[ia], "sig_b": sigs[ib], "size_a": sizes[ia], "size_b": sizes[ib]}, local
    )
    assert {(index[int(a)], index[int(b)]) for a, b in zip(edges["a"], edges["b"], strict=True)} == {
        (i, j) for i, j in expected if local.verified(i, j)
    }
    # components by star rounds (rows spread over 3 partitions each step) and the kept documents
    current = edges
    for _ in range(bd.POSITION_BITS):
        rows_uv = bd.directed(current)
        split_uv = bd.split(rows_uv, (bd.mix(rows_uv["u"]) % np.uint64(3)).astype(np.int64), 3)
        if all(bd.is_star_forest(p) for p in split_uv):
            break
        current = bd.concat([bd.star_step(p, large=True) for p in split_uv], current)
        rows_uv = bd.directed(current)
        split_uv = bd.split(rows_uv, (bd.mix(rows_uv["u"]) % np.uint64(3)).astype(np.int64), 3)
        current = bd.unique_pairs(bd.concat([bd.star_step(p, large=False) for p in split_uv], current))
    uf = UnionFind()
    for _ in range(n):
        uf.add()
    for a, b in zip(edges["a"], edges["b"], strict=True):
        uf.union(index[int(a)], index[int(b)])
    centre = {index[int(b)]: index[int(a)] for a, b in zip(current["a"], current["b"], strict=True)}
    assert {i: centre.get(i, i) for i in range(n)} == {i: uf.find(i) for i in range(n)}
    members = {
        "centre": np.concatenate([current["a"], current["a"]]),
        "gid": np.concatenate([current["b"], current["a"]]),
    }
    members["length"] = table["length"][[index[int(g)] for g in members["gid"]]]
    for keep in ("longest", "first"):
        chosen = bd.choose_kept(members, keep)
        kept = {index[int(g)]: index[int(k)] for g, k in zip(chosen["gid"], chosen["kept"], strict=True)}
        assignments = local.assign(keep)
        assert {a.index: a.kept for a in assignments if a.index in kept} == kept
        assert all(a.keep for a in assignments if a.index not in kept)
