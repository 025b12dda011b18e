"""Unified diffs that ``patch -p0`` and ``git apply -p0`` accept: what ``cleaner clean --diff`` prints.

:mod:`difflib` gives the hunks; three things it leaves to the caller make the difference between a
diff to read and a patch to apply, and they are done here:

* lines end at ``\\n`` only (``str.splitlines`` also breaks at ``\\r``, ``\\x0c``, U+2028, ...,
  which ``patch`` and ``git apply`` take as part of a line);
* a last line without a newline is followed by ``\\ No newline at end of file`` (without it the
  next line of the diff is glued onto it, and both tools reject the patch as malformed);
* a file name with a space ends with a tab, and one with a quote, a backslash, a control
  character or bytes that are not UTF-8 is C-quoted (``"caf\\351.txt"``), as GNU diff and git
  write them, so that both tools find the file.
"""

from __future__ import annotations

import difflib
import os

#: What follows a changed last line that has no newline (GNU diff's words, which both tools expect).
NO_NEWLINE = "\\ No newline at end of file\n"

#: Bytes of a file name written as C escapes inside quotes (git's ``quote_c_style``).
_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\t"): "\\t", ord("\n"): "\\n", ord("\r"): "\\r"}


def patch_lines(text: str) -> list[str]:
    """``text`` cut into lines at ``\\n`` only, each keeping its ``\\n`` (the last may have none).

    >>> patch_lines("a\\r\\nb\\u2028c\\nd")
    ['a\\r\\n', 'b\\u2028c\\n', 'd']
    >>> patch_lines(""), patch_lines("x\\n")
    ([], ['x\\n'])
    """
    lines = text.split("\n")
    last = lines.pop()
    out = [line + "\n" for line in lines]
    if last:
        out.append(last)
    return out


def patch_label(name: str | bytes) -> str:
    """A file name as a ``---``/``+++`` line names it, so that ``patch`` and ``git apply`` read it back.

    A plain name stays as it is; one with a space gets a closing tab (the end of the name, where
    GNU diff puts its timestamp); one with a quote, a backslash, a control character or bytes that
    are not UTF-8 is quoted, with those bytes as C escapes.

    >>> patch_label("corpus/a.txt"), patch_label("corpus/a b.txt"), patch_label("é.txt")
    ('corpus/a.txt', 'corpus/a b.txt\\t', 'é.txt')
    >>> print(patch_label(b"caf\\xe9 \\"x\\".txt"))
    "caf\\351 \\"x\\".txt"
    """
    raw = os.fsencode(name) if isinstance(name, str) else name
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and text.isprintable() and '"' not in text and "\\" not in text:
        return text + "\t" if " " in text else text
    if text is None:  # bytes that are not UTF-8: printable ASCII as it is, the rest as octal escapes
        quoted = "".join(_ESCAPES.get(b) or (chr(b) if 0x20 <= b < 0x7F else f"\\{b:03o}") for b in raw)
    else:
        quoted = "".join(
            _ESCAPES.get(ord(c)) or (c if c.isprintable() else "".join(f"\\{b:03o}" for b in c.encode())) for c in text
        )
    return f'"{quoted}"'


def unified_diff(before: str, after: str, name: str | bytes, context: int = 3) -> str:
    """A unified diff of two texts of one file ``name`` (empty when they are equal).

    Both labels are the name itself (``patch -p0``, ``git apply -p0``).

    >>> print(unified_diff("one\\ntwo\\nAdvertisement", "one\\ntwo\\n", "a.txt"), end="")
    --- a.txt
    +++ a.txt
    @@ -1,3 +1,2 @@
     one
     two
    -Advertisement
    \\ No newline at end of file
    """
    label = patch_label(name)
    out = []
    for line in difflib.unified_diff(patch_lines(before), patch_lines(after), label, label, n=context):
        out.append(line if line.endswith("\n") else line + "\n" + NO_NEWLINE)
    return "".join(out)
