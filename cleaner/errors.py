"""The errors the cleaner reports to its user: each says what is wrong and where, in one line."""

from __future__ import annotations


class CleanerError(Exception):
    """Base class: an error in the user's input or set-up (exit code 2), never a bug."""


class RuleError(CleanerError):
    """A rule file is invalid, or a ``--select``/``--ignore`` code names no rule."""


class InputError(CleanerError):
    """An input cannot be read: missing or unreadable path, broken JSONL line, bad field."""


class OutputError(CleanerError):
    """An output cannot be written: no permission, no space, a path that is not a folder, or two
    inputs that would be written to one file; and an output that would overwrite an input."""


class SettingsError(CleanerError):
    """A setting of the wrong type or an unknown one (in a manifest's header, or in ``[tool.cleaner]``)."""


class ManifestError(CleanerError):
    """A manifest that cannot be read: not a manifest, another format, or inconsistent."""


class ExtraError(CleanerError):
    """A command needs an optional extra that is not installed (``cleaner report`` and plotly)."""
