"""Where ``clean``, ``dedup`` and ``index`` run: ``local`` (this process and its pool, :mod:`cleaner.pipeline`)
or ``dask`` (a Dask cluster, :mod:`cleaner.engines.dask`; the work of one shard in :mod:`.tasks`).

Both give the same bytes; the engine is a choice of where, never of what.
"""

from __future__ import annotations

from cleaner.errors import CleanerError

#: The engines, the default first.
ENGINES = ("local", "dask")


class EngineError(CleanerError):
    """The engine cannot run: the dask extra is missing, the scheduler cannot be reached, a worker died
    (exit 2, as an output error: nothing partial is left)."""


def check_engine(name: str, where: str = "--engine") -> str:
    """``name`` if it names an engine; ``EngineError`` otherwise.

    >>> check_engine("dask")
    'dask'
    """
    if name not in ENGINES:
        raise EngineError(f"{where}: unknown engine {name!r} (known: {', '.join(ENGINES)})")
    return name
