"""The one settings object: what changes results, shared by the commands, the manifest and the store."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any

from cleaner.dedup import DEFAULT_CONTAINMENT, DEFAULT_NGRAM, DEFAULT_NUM_PERM, DEFAULT_THRESHOLD, Params
from cleaner.errors import InputError, SettingsError
from cleaner.ruleset import RuleSet
from cleaner.ruleset.model import load_with_local

#: Which document of a cluster of copies is kept.
KEEP_POLICIES = ("longest", "first")


@dataclass(frozen=True)
class Settings:
    """Everything that changes results, for every command: which rules, and how copies are found.

    One object: ``cleaner clean`` uses the rule selection, ``cleaner dedup`` and ``cleaner index``
    the rest too; the manifest writes all of it in its header, and the signature store the
    MinHash parameters (:attr:`params`).  Frozen and picklable, so workers rebuild the same.
    """

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    threshold: float = DEFAULT_THRESHOLD
    containment: float = DEFAULT_CONTAINMENT
    num_perm: int = DEFAULT_NUM_PERM
    ngram: int = DEFAULT_NGRAM
    seed: int = Params.seed
    scheme: str = Params.scheme
    normalisation: int = Params.normalisation
    keep: str = "longest"
    #: folders of local rules added to the shipped ones (``--rules``, ``[tool.cleaner] rules``)
    rule_dirs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # the order of rule codes does not change which rules run: one spelling for the header
        object.__setattr__(self, "select", tuple(sorted(set(self.select))))
        object.__setattr__(self, "ignore", tuple(sorted(set(self.ignore))))
        object.__setattr__(self, "rule_dirs", tuple(dict.fromkeys(self.rule_dirs)))

    def check(self) -> None:
        """Refuse dedup settings that cannot work, saying which and why (``InputError``)."""
        if self.keep not in KEEP_POLICIES:
            raise InputError(f"--keep must be one of {', '.join(KEEP_POLICIES)}, not {self.keep!r}")
        if not 0.0 < self.threshold <= 1.0 or not 0.0 < self.containment <= 1.0:
            raise InputError("--threshold and --containment must be in (0, 1]")
        if self.num_perm < 2 or self.ngram < 1:
            raise InputError("--num-perm must be at least 2 and --ngram at least 1")

    def ruleset(self) -> RuleSet:
        """The selected rules (validated; ``RuleError`` if a code names no rule)."""
        return load_with_local(self.rule_dirs).select(list(self.select), list(self.ignore))

    @property
    def params(self) -> Params:
        """The MinHash parameters."""
        return Params(self.num_perm, self.ngram, self.seed, self.scheme, self.normalisation)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (tuples as lists); ``rule_dirs`` only when local rules were used."""
        return {
            f.name: list(v) if isinstance(v := getattr(self, f.name), tuple) else v
            for f in fields(self)
            if f.name != "rule_dirs" or self.rule_dirs
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        """Inverse of :meth:`to_dict`; ``SettingsError`` on an unknown or mistyped setting."""
        known = {f.name: f.type for f in fields(cls)}
        unknown = set(data) - set(known)
        if unknown:
            raise SettingsError(f"unknown settings: {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {}
        for name, value in data.items():
            values[name] = _typed(name, str(known[name]), value)
        return cls(**values)

    def cells(self) -> Iterator[tuple[str, str]]:
        """``(name, value)`` as the settings table shows them."""
        for name, value in self.to_dict().items():
            yield name, ",".join(value) if isinstance(value, list) else str(value)

    @classmethod
    def from_cells(cls, cells: dict[str, str]) -> Settings:
        """Inverse of :meth:`cells`."""
        types = {f.name: str(f.type) for f in fields(cls)}
        data: dict[str, Any] = {}
        for name, text in cells.items():
            kind = types.get(name, "str")
            data[name] = [c for c in text.split(",") if c] if kind.startswith("tuple") else text
        return cls.from_dict(data)


def _typed(name: str, kind: str, value: Any) -> Any:
    try:
        if kind.startswith("tuple"):
            if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                raise TypeError
            return tuple(value)
        if kind == "float":
            return float(value)
        if kind == "int":
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise TypeError
            return int(value)
        return str(value)
    except (TypeError, ValueError):
        raise SettingsError(f"setting {name}: {value!r} is not a {kind}") from None
