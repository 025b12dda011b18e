"""The style of a text: structured (blocks on lines, with case and punctuation) or flattened.

Some datasets ship text lowercased, without punctuation, on one line.  Repairs and rules that
rely on case, punctuation or line breaks must know which kind of text they are looking at.
"""

from __future__ import annotations

from functools import lru_cache

import regex

from cleaner.text.tokens import LETTER_RUN

_UPPER = regex.compile(r"\p{Lu}")
_PUNCT = regex.compile(r"[.,;:!?\"“”()]")

#: A flattened text has at least this many words (a short lowercase line is just a short line).
FLAT_MIN_WORDS = 30


# the repairs of one round ask about the same text one after another (the flat repairs, the lead)
@lru_cache(maxsize=2)
def is_flat(text: str) -> bool:
    """Whether ``text`` is flattened: lowercase, no punctuation, at most a few lines, 30+ words.

    >>> is_flat("apitalism struggles during covid 19 pandemic beijing ap china and the u s are " * 3)
    True
    >>> is_flat("China says US backs campaign. The talks went on for hours, officials said.")
    False
    """
    if _UPPER.search(text) or _PUNCT.search(text):
        return False
    return text.count("\n") <= 2 and len(LETTER_RUN.findall(text)) >= FLAT_MIN_WORDS
