"""Results of the dask engine's tasks kept on disk, so that a worker's memory does not grow with the corpus.

A future's result stays in its worker's memory until the client lets the future go, and the
dedup plan keeps its futures (signatures, partition tables, pieces of shuffles, manifest rows)
for a whole run: with one worker, that was the whole corpus's signatures, ids and rows, several
times over (``bench/dask_memory.py``).  Here every such task writes its result to a scratch folder
and returns a :class:`Spilled` handle (a path); the task that needs it reads it back.  A worker
holds the inputs and output of the task it runs (a partition of a few shards, a band bucket) and
handles, whatever the size of the corpus.

The scratch folder must be one that the client and every worker can read (as the staging folder
is); the client removes it at the end of the run.  Each result is written to a temporary name and
renamed, with a new name for every run of a task: a task that a dead worker left half done is
run again, and nothing reads its half-written file.
"""

from __future__ import annotations

import operator
import os
import pickle
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from distributed import Client, Future


@dataclass(frozen=True)
class Spilled:
    """A result written to the scratch folder: what a future holds instead of the data."""

    path: str


def load(value: Any) -> Any:
    """``value`` itself, or what a :class:`Spilled` handle (or a list of them) stands for."""
    if isinstance(value, Spilled):
        with open(value.path, "rb") as f:
            return pickle.load(f)
    if isinstance(value, list) and value and isinstance(value[0], Spilled):
        return [load(v) for v in value]
    return value


def spill(folder: str, name: str, value: Any) -> Spilled:
    """Write ``value`` under ``folder`` (pickled, atomically, a new file); its handle."""
    path = os.path.join(folder, f"{name}-{uuid.uuid4().hex}.pickle")
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
    return Spilled(path)


def on_disk(fn: Callable[..., Any], folder: str | None, many: bool, *args: Any) -> Any:
    """Run ``fn`` on the loaded ``args``; its result spilled to ``folder`` (``many``: each item of a list
    on its own, a handle each), or kept as it is when ``folder`` is None."""
    value = fn(*[load(a) for a in args])
    if folder is None:
        return value
    if many:
        return [spill(folder, fn.__name__, v) for v in value]
    return spill(folder, fn.__name__, value)


def in_memory(fn: Callable[..., Any], *args: Any) -> Any:
    """Run ``fn`` on the loaded ``args``; its result kept in memory (a count, a flag, a report: small)."""
    return fn(*[load(a) for a in args])


class Scratch:
    """Tasks on ``client`` whose results go to ``folder`` (or stay in memory when it is None)."""

    def __init__(self, client: Client, folder: str | None) -> None:
        self.client = client
        self.folder = folder

    def submit(self, fn: Callable[..., Any], *args: Any, many: bool = False) -> Future[Any]:
        """``fn(*args)``, its result on disk (every task its own: never merged with one of the same arguments)."""
        return self.client.submit(on_disk, fn, self.folder, many, *args, key=_key(fn))

    def small(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        """``fn(*args)``, its result in memory."""
        return self.client.submit(in_memory, fn, *args, key=_key(fn))

    def pick(self, results: Future[Any], j: int) -> Future[Any]:
        """Item ``j`` of a task's list of results (spilled one by one: a handle, nothing is read)."""
        return self.client.submit(operator.getitem, results, j, key=_key(operator.getitem))

    def gather(self, futures: Sequence[Future[Any]]) -> list[Any]:
        """The results of ``futures``, read back on the client when spilled."""
        return [load(r) for r in self.client.gather(list(futures))]


def _key(fn: Callable[..., Any]) -> str:
    """A new task key named after ``fn`` (dask's dashboard and logs show the name)."""
    return f"{getattr(fn, '__name__', 'task').lstrip('_')}-{uuid.uuid4().hex}"
