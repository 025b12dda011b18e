"""``[tool.cleaner]`` in the nearest ``pyproject.toml``: a project's own defaults, as ruff reads ``[tool.ruff]``.

::

    [tool.cleaner]
    select = ["BP", "WS"]          # or "BP,WS"
    ignore = ["BP011"]
    rules = ["cleaner-rules"]      # folders of local rules, relative to this pyproject.toml
    jobs = 2                       # or "auto"
    engine = "dask"                # where clean, dedup and index run: "local" (default) or "dask"
    scheduler = "tcp://head:8786"  # the Dask scheduler, or "local:N" for a LocalCluster of N workers

The nearest ``pyproject.toml`` at or above the current folder that has a ``[tool.cleaner]`` table
is used; an option given on the command line wins over it.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cleaner.errors import SettingsError

#: The keys ``[tool.cleaner]`` may hold.
KEYS = ("select", "ignore", "rules", "jobs", "engine", "scheduler")


@dataclass(frozen=True)
class Config:
    """What ``[tool.cleaner]`` says (empty when there is none) and where it was found."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    rules: tuple[str, ...] = ()
    jobs: int | None = None
    path: Path | None = None
    engine: str | None = None
    scheduler: str | None = None


def _codes(value: Any, where: str, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(c.strip() for c in value.split(",") if c.strip())
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise SettingsError(f"{where}: [tool.cleaner] {key} must be a list of strings or a comma-separated string")


def available_cores() -> int:
    """As many workers as this process may use cores."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def parse_jobs(value: Any, where: str) -> int:
    """A number of workers: a positive integer, or ``"auto"`` for the cores there are."""
    if value == "auto":
        return available_cores()
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    raise SettingsError(f'{where}: jobs must be a positive integer or "auto", not {value!r}')


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start`` that has a ``[tool.cleaner]`` table."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text("utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                raise SettingsError(f"{candidate}: cannot read: {exc}") from None
            if "cleaner" in data.get("tool", {}):
                return candidate
    return None


def load_config(start: Path | None = None) -> Config:
    """The ``[tool.cleaner]`` table nearest to ``start`` (default: the current folder).

    ``SettingsError`` on an unknown key or a value of the wrong type: a typo must not pass silently.
    """
    path = find_pyproject((start or Path.cwd()).absolute())
    if path is None:
        return Config()
    table = tomllib.loads(path.read_text("utf-8"))["tool"]["cleaner"]
    where = str(path)
    if not isinstance(table, dict):
        raise SettingsError(f"{where}: [tool.cleaner] must be a table")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise SettingsError(f"{where}: unknown [tool.cleaner] keys: {', '.join(unknown)} (known: {', '.join(KEYS)})")
    rules = _codes(table["rules"], where, "rules") if "rules" in table else ()
    return Config(
        select=_codes(table["select"], where, "select") if "select" in table else None,
        ignore=_codes(table["ignore"], where, "ignore") if "ignore" in table else None,
        # folders are relative to the pyproject.toml that names them, wherever the command runs
        rules=tuple(os.path.relpath(path.parent / r) for r in rules),
        jobs=parse_jobs(table["jobs"], where) if "jobs" in table else None,
        path=path,
        engine=_text(table, "engine", where),
        scheduler=_text(table, "scheduler", where),
    )


def _text(table: dict[str, Any], key: str, where: str) -> str | None:
    """A string value of ``[tool.cleaner]`` (None when absent); ``SettingsError`` if it is not a string."""
    if key not in table:
        return None
    value = table[key]
    if not isinstance(value, str):
        raise SettingsError(f"{where}: [tool.cleaner] {key} must be a string, not {value!r}")
    return value
