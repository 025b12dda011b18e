"""Line shapes: named predicates that block and context rules refer to by name.

A rule file says ``shapes = ["headline"]``; this module says what a headline looks like.  They
are deliberately coarse: a shape alone never removes anything, it only bounds how far the
evidence of an anchor line (a widget header, a credit) reaches.

The word and character bounds in the shapes (a headline has 1 to 20 words and at most 160
characters, a teaser 1 to 40 words ...) are chosen, not fitted: round values that hold the
headlines, captions and teasers of the development set with room to spare.  A shape that is too
wide lets an anchor's evidence reach further; the anchors themselves decide what goes.
"""

from __future__ import annotations

import regex

from cleaner.ruleset import vocab
from cleaner.ruleset.registry import shape
from cleaner.text.tokens import LETTER_WORD, words

_SENTENCE_END = regex.compile(r"[.!?…][\"'”’)\]]*$")
_CLAUSE_END = regex.compile(r"[.:;,][\"'”’)\]]*$")
_ELLIPSIS = regex.compile(r"(?:\.\.\.|…)$")
_TEASER_END = regex.compile(r"[.!?:\"”]\s*$")
_SENTENCE_BREAK = regex.compile(r"[.!?](?:\s|$)")
_LISTY = regex.compile(r"[,()$<>/|]|\s(?:vs?\.?|by)\s")
_NUMBERED = regex.compile(r"\s*\d+[.)]\s")
#: A news dateline opening a paragraph: a place in capitals, perhaps an agency in brackets, a dash
#: ("LONDON —", "WASHINGTON (Reuters) -", "ST. LOUIS, Mo. —").
_DATELINE = regex.compile(r"\p{Lu}[\p{Lu}\s.,'’-]{1,40}(?:,\s*\p{Lu}[\p{L}.]{1,12})?\s*(?:\([^()]{1,30}\)\s*)?[—–-]\s")


@shape("headline")
def is_headline(line: str) -> bool:
    """A title-like line: 1 to 20 words and 160 characters at most, ending in no ``.:;,`` but an ellipsis.

    >>> is_headline("Swarovski stays resilient amid China's anti-graft drive")
    True
    >>> is_headline("Will China's slowdown derail reforms?")
    True
    >>> is_headline("The two also agreed to increase information sharing.")
    False
    >>> is_headline("UK weather alert: Plague of mosquitos to devastate Britain as Hurri...")
    True
    """
    s = line.strip()
    n = len(words(s))
    return 1 <= n <= 20 and len(s) <= 160 and (not _CLAUSE_END.search(s) or _ELLIPSIS.search(s) is not None)


@shape("long-headline")
def is_long_headline(line: str) -> bool:
    """A headline of four words or more (numbers and labels in tables are shorter).

    >>> is_long_headline("10 things in tech you need to know today"), is_long_headline("0")
    (True, False)
    """
    return is_headline(line) and len(words(line)) >= 4


@shape("long-line")
def is_long_line(line: str) -> bool:
    """Eight words or more: a line whose repetition cannot be a coincidence of the text.

    >>> is_long_line("Los Angeles Lakers' LeBron James dunks during the first half")
    True
    """
    return len(words(line)) >= 8


@shape("plain-headline")
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


@shape("caption")
def is_caption(line: str) -> bool:
    """What a photo caption looks like: 3 to 50 words, at most three sentences, no closing colon.

    >>> is_caption("The flags of the U.S. and China.")
    True
    >>> is_caption("Here is what they said:")
    False
    >>> is_caption("LONDON — To many in Britain, the decision on Tuesday was a blow.")  # a dateline: a lead
    False
    """
    s = line.strip()
    if _DATELINE.match(s):
        return False  # "LONDON — To many in Britain, ...": an article's first paragraph
    return 3 <= len(words(s)) <= 50 and len(_SENTENCE_BREAK.findall(s)) <= 3 and not s.endswith(":")


_VOICE = vocab.words("caption-voice-en")
_NOT_CAPTION = vocab.words("caption-not-en")
#: Where one sentence ends and another begins: a word of three lowercase letters or a digit, the
#: stop, perhaps a closing quote, a capital.  "Calif., last Wednesday" and "Nov. 19" do not count.
_NEXT_SENTENCE = regex.compile(r"(?<=\p{Ll}{3}|\d)[.!?][\"”’)]?\s+[\"“‘]?\p{Lu}")


@shape("photo-caption")
def is_photo_caption(line: str) -> bool:
    """A caption above a photo credit: a caption (:func:`is_caption`) in the third person.

    The line above a credit is often the picture's caption, but as often the article's paragraph
    that the picture stood beside.  A caption describes its picture in one sentence, in the third
    person and the present: a line that says "I", "we" or "you" is the article's (or a blog's)
    own voice, and one of two sentences, a question, or one that reports ("said", "according
    to") or foresees ("will", "could") is the article's paragraph or its summary.

    >>> is_photo_caption("Heavy air pollution in Delhi is shaving years off the lives of millions.")
    True
    >>> is_photo_caption("With a few days of use, I know it is the right tablet for me.")
    False
    >>> is_photo_caption("The mayor will sign the bill on Monday, according to her office.")
    False
    >>> is_photo_caption("The fee was often blamed. Small firms called it unfair.")
    False
    >>> is_photo_caption("A runner crosses the line in Boston, May 18, 2012.")
    True
    """
    s = line.strip()
    if not is_caption(s) or s.endswith("?") or _NEXT_SENTENCE.search(s):
        return False
    return not any(w.lower() in _VOICE or w in _NOT_CAPTION for w in LETTER_WORD.findall(s))


@shape("label")
def is_label(line: str) -> bool:
    """A section label: a headline of one to three words ("Business", "Tech News").

    >>> is_label("Business"), is_label("Tribune Publishing renames itself Tronc")
    (True, False)
    """
    return is_headline(line) and len(words(line)) <= 3


@shape("teaser")
def is_teaser(line: str) -> bool:
    """A headline or a teaser of a link card: up to 40 words that do not end like a sentence.

    >>> is_teaser("Officials dismiss Taliban claim but say the cause of the crash is being investigated")
    True
    >>> is_teaser("The crash is being investigated, officials said.")
    False
    """
    s = line.strip()
    return 1 <= len(words(s)) <= 40 and not _TEASER_END.search(s)


@shape("brief")
def is_brief(line: str) -> bool:
    """A line of at most 40 words.

    >>> is_brief("At least six people have died.")
    True
    """
    return 1 <= len(words(line)) <= 40


#: Words that Title Case leaves in lowercase; they do not count in :func:`title_ratio`.
_MINOR_WORDS = vocab.words("title-minor-words")


def title_ratio(line: str) -> float:
    """The share of words (minor words aside) that start with a capital letter.

    >>> title_ratio("Man Shot at Dallas Gas Station Dies at Hospital")
    1.0
    """
    ws = [w for w in LETTER_WORD.findall(line) if w.lower() not in _MINOR_WORDS]
    return sum(w[0].isupper() for w in ws) / len(ws) if ws else 0.0


@shape("title-headline")
def is_title_headline(line: str) -> bool:
    """A Title Case headline as link lists print them: 4 to 14 words, no final stop, no list number,
    and none of the marks of an article's own list (commas, brackets, "A vs B", "Title by Author").

    >>> is_title_headline("Cities Urge Boycott of Meat Companies Linked to Amazon Fires")
    True
    >>> is_title_headline("1. Preheat the Oven")
    False
    >>> is_title_headline("Manchester City vs Tottenham Hotspur"), is_title_headline("North Woods by Daniel Mason")
    (False, False)
    """
    s = line.strip()
    n = len(words(s))
    return 4 <= n <= 14 and is_headline(s) and title_ratio(s) >= 0.8 and not _LISTY.search(s) and not _NUMBERED.match(s)


@shape("prose")
def is_prose(line: str) -> bool:
    """A paragraph of running text: 12 words or more, ending like a sentence.

    >>> is_prose("Guo said the two sides should seek cooperation in law-enforcement, Xinhua reported.")
    True
    >>> is_prose("Read More Will China's slowdown derail reforms?")
    False
    """
    s = line.strip()
    return len(words(s)) >= 12 and bool(_SENTENCE_END.search(s))


@shape("shouting")
def is_shouting(line: str) -> bool:
    """Eight to 25 words set in capitals (at least 90% of the cased letters are upper case).

    >>> is_shouting("TAYLOR SWIFT CLEARED TO PERFORM HITS AT AMAs AMID FEUD")
    True
    >>> is_shouting("WHAT YOU NEED TO MAKE JAM")
    False
    """
    if not 8 <= len(words(line)) <= 25:
        return False
    upper = sum(1 for c in line if c.isupper())
    lower = sum(1 for c in line if c.islower())
    return upper >= 9 * lower and upper > 0


@shape("any")
def is_any(line: str) -> bool:
    """Any line with something on it."""
    return bool(line.strip())
