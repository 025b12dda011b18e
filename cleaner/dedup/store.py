"""The signature store: what ``cleaner dedup --store FILE`` keeps between runs (a ``.npz`` file).

Every signature, shingle-set size, length, id and cleaned-text hash, and the parameters that make
signatures comparable.  A later run adds its documents to the stored ones without signing them
again; a store built with other parameters is refused.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import xxhash

from cleaner.dedup.cluster import Deduplicator
from cleaner.dedup.signer import Params
from cleaner.errors import InputError
from cleaner.io.discover import shown_path
from cleaner.io.writers import atomic_file

#: Format 2 stores each document's text hash (ids are checked against it).
STORE_FORMAT = 2


def text_hash(text: str) -> str:
    """The hash by which an index knows a document's cleaned text (xxh3, 128 bits, hex)."""
    return xxhash.xxh3_128_hexdigest(text.encode("utf-8", errors="surrogatepass"))


def load_store(path: Path, params: Params, dedup: Deduplicator) -> dict[str, str]:
    """Add the documents stored in the store at ``path`` to ``dedup``; their ids and text hashes.

    Raises :class:`InputError` when the store was built with other parameters or is unreadable.
    """
    try:
        with np.load(path, allow_pickle=False) as data:
            stored = json.loads(str(data["params"]))
            if stored.get("format") != STORE_FORMAT:
                raise InputError(
                    f"{shown_path(path)}: a signature store of format {stored.get('format')!r} (this cleaner reads "
                    f"{STORE_FORMAT}); build a new store"
                )
            signatures = np.asarray(data["signatures"], dtype=np.uint32)
            sizes = data["sizes"].tolist()
            lengths = data["lengths"].tolist()
            ids = [str(x) for x in data["ids"].tolist()]
            hashes = [str(x) for x in data["hashes"].tolist()]
    except InputError:
        raise
    except Exception as exc:
        # np.load meets a truncated, empty or foreign file with many kinds of error (zipfile's,
        # numpy's, json's, an object array); none of them is the user's to fix but by a new index
        reason = "empty file" if path.exists() and path.stat().st_size == 0 else type(exc).__name__
        raise InputError(
            f"{shown_path(path)}: not a signature store written by cleaner dedup --store ({reason}); "
            "remove it or name a new one"
        ) from None
    wanted = {"format": STORE_FORMAT, **params.as_dict()}
    if stored != wanted:
        diff = ", ".join(f"{k} {stored.get(k)!r} (asked {v!r})" for k, v in wanted.items() if stored.get(k) != v)
        raise InputError(f"{shown_path(path)}: store was built with other parameters: {diff}; use a new store")
    if not (len(signatures) == len(sizes) == len(lengths) == len(ids) == len(hashes)):
        raise InputError(f"{shown_path(path)}: a damaged signature store (arrays of unequal length); build a new one")
    for i, doc_id in enumerate(ids):
        dedup.add_signature(doc_id, signatures[i].copy(), int(sizes[i]), int(lengths[i]))
    return dict(zip(ids, hashes, strict=True))


def save_store(path: Path, params: Params, dedup: Deduplicator, hashes: list[str]) -> None:
    """Write every signature, size, length, id and text hash, and the parameters, atomically (``.npz``)."""
    n, p = len(dedup), params.num_perm
    sigs = np.stack(dedup.signatures) if n else np.zeros((0, p), dtype=np.uint32)
    with atomic_file(path) as f:
        np.savez(
            f,
            params=np.array(json.dumps({"format": STORE_FORMAT, **params.as_dict()})),
            signatures=sigs.astype(np.uint32),
            sizes=np.array(dedup.sizes, dtype=np.int64),
            lengths=np.array(dedup.lengths, dtype=np.int64),
            ids=np.array(dedup.ids, dtype=np.str_),
            hashes=np.array(hashes, dtype=np.str_),
        )
