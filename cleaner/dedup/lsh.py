"""The LSH buckets of a local run, in numpy arrays: about 0.4 kB a document instead of 9 kB.

datasketch's ``MinHashLSH`` chooses the bands (``b`` bands of ``r`` slots for a threshold and a
number of permutations, :func:`datasketch.lsh._optimal_param`), and it is what this index is
checked against (``tests/test_lsh.py``): the same candidates for every query.  Its storage is a
Python dict per band from the slice's bytes to a set of keys; with the 28 bands of two slots that
the candidate threshold 0.2 gives at 128 permutations, that is 28 dict entries, 28 small byte
strings and 28 sets a document (``bench/dedup_memory.py``: 10 kB a document with the
signatures, 1 GB for 100,000).

Here each band is an open-addressing hash table (linear probing, at most half full) of one array:
the latest member of the bucket in each slot, 4 bytes.  The bucket's key is not stored: it is
the member's own slice of its signature, which the caller holds anyway, compared byte for byte
when a query passes the slot (so a collision of slot hashes never makes a candidate).  The other
members of a bucket are chained through one more array, each member's predecessor in each band
(4 bytes).  28 bands x (2 to 4 slots x 4 bytes + 4) = 336 to 560 bytes a document.  A bucket's
members are found newest first; :meth:`BandIndex.query` returns a set, as datasketch's does.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cleaner.dedup.signer import Signature

#: Empty slot of a table (no member); and the end of a chain.
_NONE = -1


def mix(values: npt.NDArray[np.generic]) -> npt.NDArray[np.uint64]:
    """A 64-bit mix of integer keys (one per row; columns of a 2-D array are combined).

    It partitions rows by key (the dask engine) and picks a key's slot in a :class:`BandIndex` table.

    The same in every process (no salt), unlike Python's ``hash``.

    >>> bool(mix(np.array([1, 2]))[0] != mix(np.array([1, 2]))[1])
    True
    """
    arr = np.asarray(values)
    cols = (arr if arr.ndim > 1 else arr[:, None]).astype(np.uint64)
    h = np.full(len(arr), 0x9E3779B97F4A7C15, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(cols.shape[1]):
            h ^= cols[:, k]
            h *= np.uint64(0xBF58476D1CE4E5B9)
            h ^= h >> np.uint64(31)
            h *= np.uint64(0x94D049BB133111EB)
            h ^= h >> np.uint64(29)
    return h


class BandIndex:
    """Buckets of signature slices, one hash table per band; members are document numbers 0, 1, 2 ...

    ``ranges`` are the slices that datasketch's ``MinHashLSH`` compares (its ``hashranges``), all of
    one width.  ``rows`` is the caller's list of signatures, ``rows[m]`` the signature of member
    ``m``, appended before ``insert(m, ...)``: a table holds only members, and a slot's key is read
    from its member's signature when a query passes by.
    """

    def __init__(self, ranges: list[tuple[int, int]], rows: list[Signature], capacity: int = 1024) -> None:
        self.ranges = [(int(lo), int(hi)) for lo, hi in ranges]
        widths = {hi - lo for lo, hi in self.ranges}
        if len(widths) > 1:
            raise ValueError(f"bands of one width expected, got {sorted(widths)}")
        self.width = widths.pop() if widths else 0
        self.bands = len(self.ranges)
        self._rows = rows
        self._pick = (np.array([lo for lo, _ in self.ranges], dtype=np.intp)[:, None] + np.arange(self.width)).ravel()
        cap = 1 << max(4, (2 * capacity - 1).bit_length())
        #: each band's table: the latest member of the bucket in each slot, or _NONE
        self._heads = np.full((self.bands, cap), _NONE, dtype=np.int32)
        #: buckets in each band (at most one a member)
        self._buckets = np.zeros(self.bands, dtype=np.int64)
        #: a member's predecessor in its bucket, per band (rows: members)
        self._prev = np.full((capacity, self.bands), _NONE, dtype=np.int32)
        self._band = np.arange(self.bands)
        self._last = -1  # the last member inserted: members come in increasing order

    def nbytes(self) -> int:
        """Bytes held by the index's arrays (the signatures are the caller's)."""
        return self._heads.nbytes + self._prev.nbytes

    def _locate(self, signature: Signature) -> npt.NDArray[np.intp]:
        """For each band, the slot whose bucket holds ``signature``'s slice, or the empty slot where it would go.

        The home slots are read at once; only a band whose home slot holds another bucket's
        member is probed further, slot after slot (linear probing), comparing slices as bytes.
        """
        mask = self._heads.shape[1] - 1
        sl = np.asarray(signature, dtype=np.uint32)[self._pick].reshape(self.bands, self.width)
        slots = _home(sl, mask)
        first = self._heads[self._band, slots]
        rows = self._rows
        for band in np.flatnonzero(first != _NONE).tolist():
            heads, want = self._heads[band], sl[band].tobytes()
            lo, hi = self.ranges[band]
            slot, m = int(slots[band]), int(first[band])
            while m != _NONE and rows[m][lo:hi].tobytes() != want:
                slot = (slot + 1) & mask
                m = int(heads[slot])
            slots[band] = slot
        return slots

    def _members(self, heads: npt.NDArray[np.int32]) -> set[int]:
        found: set[int] = set()
        prev = self._prev
        for band in np.flatnonzero(heads != _NONE).tolist():
            j = int(heads[band])
            while j != _NONE:
                found.add(j)
                j = int(prev[j, band])
        return found

    def query(self, signature: Signature) -> set[int]:
        """The members that share a bucket with ``signature`` in some band."""
        return self._members(self._heads[self._band, self._locate(signature)])

    def insert(self, member: int, signature: Signature) -> None:
        """Put ``member`` (whose signature ``rows[member]`` is) into its bucket of every band."""
        self.query_insert(member, signature)

    def query_insert(self, member: int, signature: Signature) -> set[int]:
        """:meth:`query`, then :meth:`insert`: the buckets are found once.

        Members come in increasing order (a member inserted twice would chain to itself), and
        ``rows[member]`` is ``uint32`` (slices are compared as bytes).
        """
        if member <= self._last:
            raise ValueError(f"members must be inserted in increasing order: {member} after {self._last}")
        if self._rows[member].dtype != np.uint32:
            raise ValueError(f"signatures must be uint32, got {self._rows[member].dtype}")
        self._last = member
        if member >= len(self._prev):
            self._grow_members(member + 1)
        if 2 * (int(self._buckets.max(initial=0)) + 1) > self._heads.shape[1]:
            self._grow_tables()
        slots = self._locate(signature)
        heads = self._heads[self._band, slots]
        found = self._members(heads)
        self._prev[member] = heads
        self._buckets += heads == _NONE
        self._heads[self._band, slots] = member
        return found

    def _grow_members(self, need: int) -> None:
        prev = np.full((max(need, 2 * len(self._prev)), self.bands), _NONE, dtype=np.int32)
        prev[: len(self._prev)] = self._prev
        self._prev = prev

    def _grow_tables(self) -> None:
        """Twice the slots, every bucket moved to its home slot in the larger table."""
        cap = 2 * self._heads.shape[1]
        heads = np.full((self.bands, cap), _NONE, dtype=np.int32)
        for band in range(self.bands):
            members = self._heads[band][self._heads[band] != _NONE]
            if not len(members):
                continue
            lo, hi = self.ranges[band]
            slot = _home(np.stack([self._rows[m][lo:hi] for m in members.tolist()]), cap - 1)
            # linear probing in rounds: each free slot takes the first bucket aiming at it, the
            # others move one slot on (any order of placement gives a table that _locate reads)
            while len(members):
                free = heads[band, slot] == _NONE
                _, first = np.unique(slot[free], return_index=True)
                placed = np.flatnonzero(free)[first]
                heads[band, slot[placed]] = members[placed]
                rest = np.ones(len(members), dtype=bool)
                rest[placed] = False
                members, slot = members[rest], (slot[rest] + 1) & (cap - 1)
        self._heads = heads


def _home(slices: npt.NDArray[np.uint32], mask: int) -> npt.NDArray[np.intp]:
    """The home slot of each slice (one per row) in a table of ``mask + 1`` slots."""
    return (mix(slices) & np.uint64(mask)).astype(np.intp)
