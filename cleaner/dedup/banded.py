"""The banded MinHash plan in pieces that run on partitions of a corpus (for a cluster engine).

Local dedup (:class:`cleaner.dedup.cluster.Deduplicator`) makes an edge of every pair of non-empty
documents that share an LSH bucket (the same slice ``[i*r:(i+1)*r]`` of their signatures, for a
band ``i`` of datasketch's ``MinHashLSH``) and pass :meth:`~Deduplicator.verified`; the clusters
are the connected components.  That set of edges does not depend on the order in which documents
were inserted, so these stages find the same edges and components with no partition holding more
than its share:

1. :func:`band_rows`: per shard, one row per (non-empty document, band): the band and its slice;
2. :func:`bucket_pairs`: rows of one bucket meet in one partition and become candidate pairs;
3. :func:`verify_pairs`: each pair, from the two signatures and set sizes, by the local rule;
4. :func:`star_step`: connected components by large-star / small-star rounds over the edge list
   (Kiveris et al., "Connected Components in MapReduce and Beyond", SoCC 2014), until every
   component is a star around its smallest member (:func:`is_star_forest`);
5. :func:`choose_kept`: in each component, the longest document (ties: the first), or the first.

A document is known by its global number ``gid = unit << 32 | position``: units (shards) in input
order, documents in shard order, so that ordering by ``gid`` is the local run's input order.

A bucket of ``n`` documents makes ``n (n - 1) / 2`` candidate pairs; the local run verifies each of
them too, so results agree, but such a bucket costs its partition that much memory and time.

Tables are dicts of equally long numpy arrays (columns), so that a partition pickles compactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from cleaner.dedup.cluster import Deduplicator
from cleaner.dedup.lsh import mix as mix  # partitions by key (the engine and the tests call bd.mix)
from cleaner.dedup.signer import containment

Table = dict[str, npt.NDArray[Any]]
Int64s = npt.NDArray[np.int64]

#: Bits of a gid that number a document within its unit.
POSITION_BITS = 32


def gids(unit: int, n: int) -> Int64s:
    """The global numbers of the ``n`` documents of unit ``unit``.

    >>> gids(2, 3).tolist()
    [8589934592, 8589934593, 8589934594]
    """
    return (np.int64(unit) << np.int64(POSITION_BITS)) + np.arange(n, dtype=np.int64)


def unit_of(gid: npt.NDArray[np.int64]) -> Int64s:
    """The unit each gid belongs to."""
    return np.asarray(gid, dtype=np.int64) >> np.int64(POSITION_BITS)


def band_ranges(dedup: Deduplicator) -> list[tuple[int, int]]:
    """The slices of the signature that the local run's LSH compares: datasketch's own ``hashranges``."""
    return [(int(lo), int(hi)) for lo, hi in dedup.hashranges]


def take(table: Table, index: npt.NDArray[np.generic]) -> Table:
    """The rows ``index`` (an index array or a boolean mask) of every column."""
    return {k: v[index] for k, v in table.items()}


def concat(tables: Sequence[Table], like: Table | None = None) -> Table:
    """The rows of ``tables`` one after the other (``like`` gives the columns when there is none)."""
    tables = [t for t in tables if t]
    if not tables:
        return {k: v[:0] for k, v in (like or {}).items()}
    return {k: np.concatenate([t[k] for t in tables]) for k in tables[0]}


def split(table: Table, dest: npt.NDArray[np.integer], parts: int) -> list[Table]:
    """``table`` cut into ``parts`` tables: row ``i`` goes to part ``dest[i]`` (order kept within a part)."""
    order = np.argsort(dest, kind="stable")
    bounds = np.searchsorted(dest[order], np.arange(parts + 1))
    return [take(table, order[bounds[p] : bounds[p + 1]]) for p in range(parts)]


def band_rows(table: Table, ranges: list[tuple[int, int]]) -> Table:
    """One row per (non-empty document, band): ``key`` = the band number and the signature's slice, ``gid``.

    Empty documents (no shingle) are in no bucket, as the local run never inserts them.
    """
    keep = table["size"] > 0
    sig = table["sig"][keep]
    gid = table["gid"][keep]
    if not ranges:
        return {"key": np.zeros((0, 1), np.uint32), "gid": gid[:0]}
    r = ranges[0][1] - ranges[0][0]
    keys = np.empty((len(ranges), len(gid), r + 1), dtype=np.uint32)
    for band, (lo, hi) in enumerate(ranges):
        keys[band, :, 0] = band
        keys[band, :, 1:] = sig[:, lo:hi]
    return {"key": keys.reshape(-1, r + 1), "gid": np.tile(gid, len(ranges))}


def bucket_pairs(rows: Table) -> Table:
    """The candidate pairs ``a < b`` of documents that share a bucket (an exact key), each pair once."""
    key, gid = rows["key"], rows["gid"].astype(np.int64)
    if len(gid) < 2:
        return {"a": gid[:0], "b": gid[:0]}
    _, group = np.unique(key, axis=0, return_inverse=True)
    group = group.ravel()
    order = np.lexsort((gid, group))
    group, gid = group[order], gid[order]
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    sizes = np.diff(np.r_[starts, len(group)])
    a_parts, b_parts = [], []
    for start, size in zip(starts[sizes > 1], sizes[sizes > 1], strict=True):
        members = np.unique(gid[start : start + size])
        i, j = np.triu_indices(len(members), k=1)
        a_parts.append(members[i])
        b_parts.append(members[j])
    if not a_parts:
        return {"a": gid[:0], "b": gid[:0]}
    pairs = np.unique(np.stack([np.concatenate(a_parts), np.concatenate(b_parts)], axis=1), axis=0)
    return {"a": pairs[:, 0], "b": pairs[:, 1]}


def unique_pairs(pairs: Table) -> Table:
    """``pairs`` with each (a, b) once, sorted."""
    if len(pairs["a"]) == 0:
        return pairs
    both = np.unique(np.stack([pairs["a"], pairs["b"]], axis=1), axis=0)
    return {"a": both[:, 0], "b": both[:, 1]}


def lookup(table: Table, keys: npt.NDArray[Any]) -> npt.NDArray[np.intp]:
    """The rows of ``table`` (sorted by ``gid``) that hold each of ``keys``; every key must be there."""
    where = np.searchsorted(table["gid"], keys)
    if len(keys) and (where.max(initial=0) >= len(table["gid"]) or np.any(table["gid"][where] != keys)):
        raise ValueError("a document number is not in its shard's table")
    return where


def verify_pairs(pairs: Table, dedup: Deduplicator) -> Table:
    """The pairs that are edges, by the local rule (:meth:`Deduplicator.verified`), from ``sig_a``, ``sig_b``,
    ``size_a``, ``size_b``.

    The estimated Jaccard is the share of equal slots (integer counts, divided as
    :func:`~cleaner.dedup.signer.estimate_jaccard` divides them); containment is computed by the
    same function as the local run, only for the pairs whose Jaccard alone does not decide.
    """
    n = len(pairs["a"])
    if n == 0:
        return {"a": pairs["a"], "b": pairs["b"]}
    perms = pairs["sig_a"].shape[1]
    equal = np.count_nonzero(pairs["sig_a"] == pairs["sig_b"], axis=1)
    jac = equal / perms
    edge = jac >= dedup.threshold
    maybe = np.flatnonzero(~edge & (jac >= dedup.min_jaccard_for_containment))
    size_a, size_b = pairs["size_a"], pairs["size_b"]
    for k in maybe:
        small, large = sorted((int(size_a[k]), int(size_b[k])))
        if small > 0 and containment(float(jac[k]), small, large) >= dedup.containment_threshold:
            edge[k] = True
    edge &= (size_a > 0) & (size_b > 0)
    return {"a": pairs["a"][edge], "b": pairs["b"][edge]}


def directed(edges: Table) -> Table:
    """Both directions of undirected edges, as rows ``(u, v)``."""
    return {"u": np.concatenate([edges["a"], edges["b"]]), "v": np.concatenate([edges["b"], edges["a"]])}


def _groups(u: Int64s, v: Int64s) -> tuple[Int64s, Int64s, Int64s, Int64s]:
    """Rows sorted by (u, v), each once; the start of each u's run and its length."""
    if len(u):
        both = np.unique(np.stack([u, v], axis=1), axis=0)
        u, v = both[:, 0], both[:, 1]
    starts = np.flatnonzero(np.r_[True, u[1:] != u[:-1]]) if len(u) else np.zeros(0, np.int64)
    return u, v, starts.astype(np.int64), np.diff(np.r_[starts, len(u)]).astype(np.int64)


def is_star_forest(rows: Table) -> bool:
    """Whether the edges (each in both directions; all rows of each ``u`` here) form stars around their
    smallest member: every node has no smaller neighbour (a centre), or exactly one and no larger (a leaf).

    >>> is_star_forest(directed({"a": np.array([1, 1]), "b": np.array([2, 3])}))
    True
    >>> is_star_forest(directed({"a": np.array([1, 2]), "b": np.array([2, 3])}))
    False
    """
    u, v, starts, sizes = _groups(rows["u"].astype(np.int64), rows["v"].astype(np.int64))
    if not len(u):
        return True
    smaller = np.add.reduceat((v < u).astype(np.int64), starts)
    return bool(np.all((smaller == 0) | ((smaller == 1) & (sizes == 1))))


def star_step(rows: Table, large: bool) -> Table:
    """One large-star or small-star step on the rows ``(u, v)`` (both directions; all rows of each ``u`` here).

    Large-star: each node ``u`` links its larger neighbours to ``m(u)``, the smallest of ``u`` and its
    neighbours.  Small-star: each node links itself and its smaller neighbours to the smallest of them.
    Components are kept; alternated, they end in stars around each component's smallest member.
    The result: undirected edges ``(a, b)``, ``a < b``.

    A path 1-2-3 becomes a star around 1:

    >>> edges = star_step(directed({"a": np.array([1, 2]), "b": np.array([2, 3])}), large=True)
    >>> edges["a"].tolist(), edges["b"].tolist()
    ([1, 1], [2, 3])
    """
    u, v, starts, sizes = _groups(rows["u"].astype(np.int64), rows["v"].astype(np.int64))
    if not large:
        keep = v < u
        u, v = u[keep], v[keep]
        starts = np.flatnonzero(np.r_[True, u[1:] != u[:-1]]) if len(u) else np.zeros(0, np.int64)
        sizes = np.diff(np.r_[starts, len(u)])
    if not len(u):
        return {"a": u, "b": u}
    low = np.minimum(np.minimum.reduceat(v, starts), u[starts])
    m = np.repeat(low, sizes)
    if large:
        keep = v > u
        a, b = m[keep], v[keep]
    else:  # every smaller neighbour, and the node itself (once), to the smallest
        a = np.concatenate([m[v != m], low[u[starts] != low]])
        b = np.concatenate([v[v != m], u[starts][u[starts] != low]])
    return unique_pairs({"a": a, "b": b})


def choose_kept(members: Table, keep: str) -> Table:
    """For rows ``(centre, gid, length)`` of whole components: each member's kept document.

    ``longest``: the longest, ties to the first in order; ``first``: the first (the centre), as
    :meth:`Deduplicator.assign` decides.  Returns ``gid``, ``centre``, ``kept`` per member.
    """
    centre, gid, length = members["centre"], members["gid"], members["length"]
    if not len(gid):
        return {"gid": gid, "centre": centre, "kept": gid}
    both = np.unique(np.stack([centre, gid, length], axis=1), axis=0)
    centre, gid, length = both[:, 0], both[:, 1], both[:, 2]
    if keep == "first":
        return {"gid": gid, "centre": centre, "kept": centre}
    # per centre: the longest, then the smallest gid
    order = np.lexsort((gid, -length, centre))
    c_sorted = centre[order]
    firsts = order[np.r_[True, c_sorted[1:] != c_sorted[:-1]]]
    kept_of = dict(zip(centre[firsts].tolist(), gid[firsts].tolist(), strict=True))
    kept = np.array([kept_of[c] for c in centre.tolist()], dtype=np.int64)
    return {"gid": gid, "centre": centre, "kept": kept}
