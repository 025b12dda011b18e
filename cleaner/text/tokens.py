"""What a word is: the one place that says how text is cut into tokens, and why the cuts differ.

Every step counts and compares words; they all take their tokens from here.  There are a few
kinds, each for a reason that the step's job gives (not for taste), and a step names the kind it
uses:

* :func:`words` (:data:`WORD`): a word of running text, letters and digits with the
  apostrophes, dots, ampersands and hyphens that stand inside one ("U.S.", "2.5", "AT&T",
  "don't").  Line shapes count these: "8 words" means ``len(words(line)) >= 8`` everywhere.
* :data:`LETTER_RUN`: a maximal run of letters (no digits, no marks): what the lexicons of
  run-together text look up, and what the flattened-text test counts.
* :data:`LETTER_WORD`: a run of letters with inner apostrophes and hyphens, without digits:
  what a Title Case test inspects.
* :data:`SCRIPT_WORD` and :data:`SCRIPT_LETTERS`: letters with their combining marks (Devanagari,
  Thai, decomposed accents), where a word is looked up in a lexicon of any language (truncated
  leads and tails); the first must start with a letter, the second may be a word's tail.
* :data:`TAIL_WORD`: a :data:`SCRIPT_WORD` with one inner apostrophe ("didn't"): the last word of
  a document, looked up in a list of words that never end a sentence.
* :data:`TOKEN`: a run without white space, as written; the unit of flattened text, and of the
  first word of a document.

Deduplication shingles its own way (:func:`cleaner.dedup.shingles.tokens`): it folds case and
punctuation away byte by byte, for speed, and must not change, or stored signatures would no
longer compare.
"""

from __future__ import annotations

import regex

from cleaner.memo import line_cache

WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}'’.&-]*")
LETTER_RUN = regex.compile(r"\p{L}+")
LETTER_WORD = regex.compile(r"\p{L}[\p{L}'’-]*")
SCRIPT_WORD = regex.compile(r"\p{L}[\p{L}\p{M}]*")
SCRIPT_LETTERS = regex.compile(r"[\p{L}\p{M}]+")
TAIL_WORD = regex.compile(r"\p{L}[\p{L}\p{M}]*(?:['’]\p{L}+)?")
TOKEN = regex.compile(r"\S+")


def words(line: str) -> list[str]:
    """The words of a line (letters and digits, with inner apostrophes, dots and hyphens).

    >>> words("U.S. stocks rise 2.5% — again")
    ['U.S.', 'stocks', 'rise', '2.5', 'again']
    """
    return list(_words(line))  # a list of one's own: the caller may change it


@line_cache()
def _words(line: str) -> tuple[str, ...]:
    # the shapes and rules ask for the words of one line several times (three times a line on
    # web/): found once
    return tuple(WORD.findall(line))
