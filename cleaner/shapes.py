"""Line shapes: named predicates that block and context rules refer to by name.

A rule file says ``shapes = ["headline"]``; this module says what a headline looks like.  They
are deliberately coarse: a shape alone never removes anything, it only bounds how far the
evidence of an anchor line (a widget header, a credit) reaches.
"""

from __future__ import annotations

from collections.abc import Callable

import regex

_WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}'’.&-]*")
_SENTENCE_END = regex.compile(r"[.!?…][\"'”’)\]]*$")
_CLAUSE_END = regex.compile(r"[.:;,][\"'”’)\]]*$")
_TIMESTAMP = regex.compile(r"(?i)(?:updated\s+)?\d{1,3}\s?(?:[smhd]|sec|secs|mins?|minutes?|hours?|hrs?|days?)\s+ago")
_DATE = regex.compile(
    r"(?i)(?:(?:updated|published|posted)\s*:?\s*)?"
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)\w*,?\s+)?"
    r"(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)\w*\.?\s+\d{1,2},?\s+\d{4}"
    r"|\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)\w*\.?,?\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2})"
    r"(?:,?\s+(?:at\s+)?\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?)?"
)


def words(line: str) -> list[str]:
    """The words of a line (letters and digits, with inner apostrophes, dots and hyphens).

    >>> words("U.S. stocks rise 2.5% — again")
    ['U.S.', 'stocks', 'rise', '2.5', 'again']
    """
    return _WORD.findall(line)


def is_headline(line: str) -> bool:
    """A title-like line: 1 to 20 words, no clause or sentence ending but ``?`` or ``!``.

    >>> is_headline("Swarovski stays resilient amid China's anti-graft drive")
    True
    >>> is_headline("Will China's slowdown derail reforms?")
    True
    >>> is_headline("The two also agreed to increase information sharing.")
    False
    """
    s = line.strip()
    n = len(words(s))
    return 1 <= n <= 20 and len(s) <= 160 and not _CLAUSE_END.search(s)


def is_plain_headline(line: str) -> bool:
    """A headline in sentence case, as link lists print them; not a Title Case or ALL CAPS heading.

    Section headings are usually set in Title Case or capitals, or numbered; a related-story link
    is usually a sentence-case headline.

    >>> is_plain_headline("Swarovski stays resilient amid China's anti-graft drive")
    True
    >>> is_plain_headline("Man Shot at Dallas Gas Station Dies at Hospital")
    False
    >>> is_plain_headline("WHAT YOU NEED TO MAKE JAM")
    False
    """
    s = line.strip()
    if not is_headline(s) or not s[:1].isupper() or s.isupper():
        return False
    rest = words(s)[1:]
    if len(rest) < 3:
        return False
    capitalised = sum(1 for w in rest if w[:1].isupper())
    return capitalised <= 0.4 * len(rest)


def is_short(line: str) -> bool:
    """At most six words.

    >>> is_short("Most Popular")
    True
    """
    return 1 <= len(words(line)) <= 6


def is_caption(line: str) -> bool:
    """What a photo caption looks like: one stretch of 3 to 60 words.

    >>> is_caption("The flags of the U.S. and China.")
    True
    """
    return 3 <= len(words(line)) <= 60


def is_prose(line: str) -> bool:
    """A paragraph of running text: 12 words or more, ending like a sentence.

    >>> is_prose("Guo said the two sides should seek cooperation in law-enforcement, Xinhua reported.")
    True
    >>> is_prose("Read More Will China's slowdown derail reforms?")
    False
    """
    s = line.strip()
    return len(words(s)) >= 12 and bool(_SENTENCE_END.search(s))


def is_timestamp(line: str) -> bool:
    """A relative time or a date standing alone ("32M ago", "Nov. 19, 2019 at 4:07 PM").

    >>> is_timestamp("updated 15M ago")
    True
    >>> is_timestamp("November 19, 2019")
    True
    """
    s = line.strip()
    return bool(_TIMESTAMP.fullmatch(s) or _DATE.fullmatch(s))


def is_any(line: str) -> bool:
    """Any line with something on it."""
    return bool(line.strip())


SHAPES: dict[str, Callable[[str], bool]] = {
    "any": is_any,
    "caption": is_caption,
    "headline": is_headline,
    "plain-headline": is_plain_headline,
    "prose": is_prose,
    "short": is_short,
    "timestamp": is_timestamp,
}
