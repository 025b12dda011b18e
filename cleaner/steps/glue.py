"""Where run-together text was glued: the points at which a line may be cut into pieces.

Extractors drop the break between blocks, so a credit, a caption or a link ends up glued to the
paragraph next to it: "Read MoreChina shows ...", "...harming air quality.Sakib Ali/Hindustan
Times/Getty ImagesThis satellite image ...", "He didn't get it.Credit...Doug Mills".  This module
only *finds* candidate cut points; the boilerplate engine cuts the line there, lets the rules
judge the pieces, and keeps a cut only where a piece is removed.  A wrong cut between two pieces
that both stay is never made, so a false guess here costs nothing.

Two kinds of glue:

* a sentence end glued to the next sentence: two lowercase letters or a year, ``.``/``!``/``?``
  or ``:`` (and a closing quote), then a capitalised word: "quality.Sakib", "it.”The",
  "2017.Natalie", "Money:Here's".  Abbreviations ("Mrs.",
  "Gov."), initials ("U.S."), decimals, times, URLs and file names do not have that shape or are
  listed;
* a lowercase letter followed by a capital inside a word, when the joined word is not a word of the
  lexicon (wordfreq) or of the allow-list ``rules/vocab/camel-case-names.txt``, and both parts are common
  words: "MoreChina", "ImagesThis", "treatmentCredit"; not "iPhone", "YouTube", "McDonald",
  "LinkedIn", "DeSantis".
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from functools import cache, lru_cache

import regex

from cleaner.memo import line_cache
from cleaner.ruleset import vocab
from cleaner.ruleset.registry import splitter
from cleaner.text import lexicon
from cleaner.text.tokens import LETTER_RUN

# The three cut-offs below were chosen by hand on the development set's glued task and the clean
# articles of tests/fixtures/articles (bench/eval_dev.py glued reports the effect: no false split
# in 280,880 tokens of clean text); they are round values on wordfreq's Zipf scale, not fitted.
#: A part of a glued word must be at least this common (Zipf scale: 3 is once per million words).
PART_ZIPF = 2.5
#: A right part at least this common ("The", "This", "In", "He") starts a sentence: the left part
#: may then be a name the lexicon does not know ("iFixitThe", "SnijderThe").
STARTER_ZIPF = 6.0
#: A joined word at least this common is a word (or a name), not glue: "YouTube", "AirPods".
JOINED_ZIPF = 2.5

#: Abbreviations that end in a full stop ("Gov.Newsom" is no sentence end), lowercase, without it.
_ABBREVIATIONS = vocab.words("glue-abbreviations")
#: Words that open a piece of page furniture: glued after a name they are still a new block
#: ("PuskarPhoto: Gene J. Puskar", "BraunAdvertisement").
_FURNITURE_WORDS = vocab.words("glue-furniture-words")
#: Words that templates glue to what they introduce on purpose ("Media captionJulian Assange ..."):
#: the two belong together, so no cut after them.
_LEAD_INS = frozenset({"caption", "copyright"})
# (the look-ahead first: it fails at most positions at once, where the look-behind first scanned
# back over the letters before every position of a long word; the matches are the same)
_SENTENCE_GLUE = regex.compile(
    r"(?=\p{Lu}(?:\p{Ll}|\p{Lu}+\b))(?<=(\p{L}*\p{Ll}{2}|\p{Lu}{2,}|\d+)[\"'”’)\]]?[.!?:][\"'”’)\]]?)"
)
_CAMEL = regex.compile(r"(?<=\p{Ll})(?=\p{Lu}\p{Ll})")
#: Joins that need no lexicon, because a word never has them inside: a closing quote or bracket
#: run into a capitalised word ('Matters"This'), an initialism run into one ("U.S.Transcript"),
#: letters run into a number ("Brazil17H ago", "BUSINESS10 thoughts"), a number run into a
#: capitalised word ("2019The"), lowercase run into a word in capitals ("ImagesWASHINGTON"),
#: capitals run into a capitalised word ("ADVERTISEMENTNoem", "CNETSurely"), a word run into an
#: opening bracket or quote ('service(Walt Disney', 'ministries“A cause').
_PLAIN_JOINS = (
    r"(?<=[\p{L}.!?][\"'”’)\]]{1,2})(?=\p{Lu}(?:\p{Ll}|\p{Lu}+\b))"
    r"|(?<=\S\s[)\]])(?=\p{Lu}\p{Ll})"
    r"|(?<=\p{Ll}(?:\.\.\.|…))(?=\p{Lu}\p{Ll})"
    r"|(?<=\p{Ll}{2}[.!?])(?=©)"
    r"|(?<=\p{L}{2})(?=(?:https?:)?//\w)"
    r"|(?<=\p{Ll}{2}[.!?][\"'”’]?)(?=\d)"
    r"|(?<=\p{L}{2})(?=\d{1,2}\p{Lu}\p{Ll})"
    r"|(?<=\.\p{Lu}\.)(?=\p{Lu}\p{Ll})"
    r"|(?<=\p{L}{3})(?=\d+(?:[HMDhmd]\b|\s)|\d{4}-\d\d-\d\d)"
    r"|(?<=[+-]\d\d:\d\d)(?=\d{4}-\d\d-\d\d)"
    r"|(?<=\.(?i:png|jpe?g|gif|webp|svg|html?|php|pdf))(?=\p{Lu}\p{Ll}|\d)"
    r"|(?<=\d)(?=\p{Lu}\p{Ll}{2})"
    r"|(?<=\p{Ll}{2})(?=\p{Lu}{2,}\p{Ll}?\b)"
    r"|(?<=\p{Lu}{2})(?=\p{Lu}\p{Ll}{2})"
    r"|(?<=\p{Ll}{2}|\p{Lu}{2})(?=[(“]\p{Lu})"
    r"|(?<=\))(?=[\"“]\p{Lu})"
    r"|(?<=\p{L}\+)(?=\p{Lu}\p{Ll})"
)
#: The joins, each tried only where the text after the point can start one of them: a capital, a
#: digit, "©", "/", an opening bracket or quote, or "http" (the look-ahead first, as in
#: :data:`_SENTENCE_GLUE`: most positions fail it at once, where all seventeen look-behinds were
#: tried at each; the points are the same, tests/test_adversarial.py compares them).
_PLAIN_GLUE = regex.compile(r"(?=[\p{Lu}\d©/(“\"]|https?:)(?:" + _PLAIN_JOINS + ")")


#: What every join of :data:`_PLAIN_GLUE` (and of :data:`_SENTENCE_GLUE`: a full stop, a colon or a
#: closing quote before a capital) has at its point: a character that is no space before it,
#: and after it one that can start a glued block (a capital, a digit, a bracket, a quote, "©",
#: "/"; after a digit, no digit: a time run into a date has its ":" before).  About half of the
#: lines have none, and
#: the standard library's ``re`` tells so in a few microseconds, where the alternatives of
#: :data:`_PLAIN_GLUE`, tried at every position, take 25-50 (a necessary condition, each
#: alternative checked by hand; tests/test_adversarial.py compares the points with and without it).
_PLAIN_TRIGGER = re.compile(r"[^\s\d][^\sa-z,.;:'’”!?)\]\-]|\d[^\s\da-z,.;:'’”!?)\]\-]")


@cache
def allowed_names() -> frozenset[str]:
    """Names written with inner capitals that are never glue (lowercased), from the allow-list file."""
    return frozenset(name.lower() for name in vocab.entries("camel-case-names"))


#: The lexicons consulted: a word is as common as it is in the language where it is most common.
LEXICON_LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl", "ru")


@lru_cache(maxsize=1 << 16)
def _zipf(word: str) -> float:
    if word.isascii() and word.isalpha() and word.islower():  # [a-z]+, without a regex call
        # what zipf_frequency gives, without its tokenizer (a run of a-z is one token, which its
        # normalisation leaves alone): one look-up in the eight languages' table (the highest
        # frequency of the word in any of them), which a line of thousands of glued words needs
        # (issue 9); tests/test_adversarial.py compares
        freq = _lexicon().get(word)
        return _freq_to_zipf(freq) if freq else _UNKNOWN_ZIPF
    # any other word: wordfreq's tokenizer says what it would look up ("straße" -> "strasse"); one
    # token without digits, the same in every language, is looked up in the table as above.  Only
    # the rest asks wordfreq itself, which loads its eight dictionaries (about 400 MB) to answer.
    from wordfreq import zipf_frequency  # imported when first needed: 0.25 s of every start otherwise
    from wordfreq.numbers import smash_numbers
    from wordfreq.tokens import lossy_tokenize

    forms = {tuple(lossy_tokenize(word, lang)) for lang in LEXICON_LANGUAGES}
    if len(forms) == 1:
        (tokens,) = forms
        if len(tokens) == 1 and smash_numbers(tokens[0]) == tokens[0]:
            freq = _lexicon().get(tokens[0])
            return _freq_to_zipf(freq) if freq else _UNKNOWN_ZIPF
    return max(zipf_frequency(word, lang) for lang in LEXICON_LANGUAGES)


def _lexicon() -> lexicon.FrequencyTable:
    """wordfreq's frequencies in :data:`LEXICON_LANGUAGES`, the highest of the eight for each word.

    A memory-mapped table built once per machine (:mod:`cleaner.text.lexicon`): opening it costs
    nothing, where loading wordfreq's eight dictionaries took about 3 s and 400 MB per process.
    """
    return lexicon.table(LEXICON_LANGUAGES)


def _known(word: str) -> bool:
    """Whether a word of a-z is in any of the lexicons (most parts after a capital inside a word are not)."""
    return _lexicon().get(word) > 0.0


def _freq_to_zipf(freq: float) -> float:
    """Rounded as ``wordfreq.zipf_frequency`` rounds: 3 significant digits, then 2 decimals (floor 1e-9)."""
    freq = max(freq, 1e-9)
    freq = round(freq, math.floor(-math.log(freq, 10)) + 3)
    return round(math.log(freq, 10) + 9, 2)


#: The Zipf value of a word that no lexicon knows (computed once: most glued pairs are not words).
_UNKNOWN_ZIPF = _freq_to_zipf(0.0)


@lru_cache(maxsize=1 << 14)
def _is_glued_word(left: str, right: str, token: str) -> bool:
    """Whether ``token`` is ``left`` and ``right`` run together rather than one word.

    The joined word must be unknown to the lexicon and the allow-list, and the right part a common
    word; the left part must be one too, unless the right part is one of the words that start
    sentences ("The", "This", "He"): then the left part may be a name ("iFixitThe").
    """
    if len(left) < 2 or len(right) < 2 or left.lower() in _LEAD_INS:
        return False
    # the parts first: a right part that is no common word (nor furniture) settles it whatever the
    # joined word is, and most capitals inside a word are not glue (one look-up, not three)
    right_zipf = _zipf(right.lower())
    starts = right_zipf >= STARTER_ZIPF or right.lower() in _FURNITURE_WORDS
    if not starts and (right_zipf < PART_ZIPF or _zipf(left.lower()) < PART_ZIPF):
        return False
    lowered = token.lower()
    for form in (lowered, lowered[:-1] if lowered.endswith("s") else lowered):
        if form in allowed_names() or _zipf(form) >= JOINED_ZIPF:
            return False
    return True


@splitter("glue_points")
def glue_points(line: str) -> list[int]:
    """The offsets in ``line`` where two blocks were run together, in increasing order.

    >>> glue_points("Read MoreChina shows reforms resolve in graft crackdown")
    [9]
    >>> line = "smoke is harming air quality.Sakib Ali/Hindustan Times/Getty ImagesThis satellite image"
    >>> [line[p:p + 5] for p in glue_points(line)]
    ['Sakib', 'This ']
    >>> glue_points("The iPhone, YouTube, McDonald's, LinkedIn and Mrs.Smith ran.")
    []
    >>> line = 'with beef imports from Brazil17H agoMore U.S.Transcript: "Intelligence Matters"This week'
    >>> [line[p:p + 5] for p in glue_points(line)]
    ['17H a', 'More ', 'Trans', 'This ']
    """
    return list(_glue_points(line))  # a list of one's own: the caller may change it


@line_cache()
def _glue_points(line: str) -> tuple[int, ...]:
    # the boilerplate engine and the corpus evidence (CE001: counting a page's blocks, then
    # judging them; twice a line when a line has pieces) ask about the same lines: on 600 web/
    # pages, 6 calls a distinct line (bench/RESULTS.md, 2026-12-03).  The points depend on the
    # line alone: found once, within the cache's budget of characters.
    points: set[int] = set()
    if _PLAIN_TRIGGER.search(line) is not None:  # a sentence glued to the next has it too: one check
        for m in _SENTENCE_GLUE.finditer(line):
            if m.group(1).lower() not in _ABBREVIATIONS:
                points.add(m.start())
        points.update(m.start() for m in _PLAIN_GLUE.finditer(line))
    # a capital inside a word is where a token can be cut: without one in the line, no token has one
    camel = _CAMEL.search(line) is not None
    known = _known
    for token in LETTER_RUN.finditer(line) if camel else ():
        word = token.group()
        if len(word) < 4 or line[token.start() - 1 : token.start()] in ("#", "@"):
            continue  # hashtags and handles are written in camel case on purpose
        cuts = [m.start() for m in _CAMEL.finditer(word)]
        bounds = [0, *cuts, len(word)]
        for k, cut in enumerate(cuts):
            right = word[cut : bounds[k + 2]]
            lowered = right.lower()
            if lowered.isascii() and not known(lowered) and lowered not in _FURNITURE_WORDS:
                # what _is_glued_word answers, without its caches: a right part of a-z that no
                # lexicon knows has Zipf 0, below PART_ZIPF and STARTER_ZIPF, and is no furniture
                continue
            left = word[bounds[k] : cut]
            if _is_glued_word(left, right, word[bounds[k] : bounds[k + 2]]):
                points.add(token.start() + cut)
    for run in _WORD_RUN.finditer(line):
        points.update(run.start() + cut for cut in _button_cuts(run.group()))
    return tuple(_unprotected(line, sorted(points)))


#: A capitalised or lowercase run of letters, of the length of two buttons at least (``_button_cuts``
#: cuts nothing shorter than 8 letters): the runs of ``\p{Lu}?\p{Ll}+`` that it can cut, and no others
#: (a run shorter than that is no match, nor is any piece of it), without a call for every short word.
_WORD_RUN = regex.compile(r"\p{Lu}?\p{Ll}{7,}")


#: Share-bar buttons, which run together when their markup is flattened ("linkedintwitteremailprint").
_BUTTONS = vocab.entries("share-buttons")  # in the file's order: the first that fits wins


_BUTTONS_BY_LETTER = {c: tuple(b for b in _BUTTONS if b[0] == c) for c in {b[0] for b in _BUTTONS}}


def _button_cuts(word: str) -> list[int]:
    """Cuts in a word that is share-bar buttons run together, perhaps after one word of text.

    Linear in the word: which suffixes split into buttons is found once, from the end, and the
    lexicon is asked only about leading words that are followed by buttons and not longer than
    its longest word.

    >>> _button_cuts("linkedintwitteremailprint"), _button_cuts("Retirementfacebook"), _button_cuts("printer")
    ([8, 15, 20], [10], [])
    """
    lowered = word.lower()
    if len(word) < 8 or not lowered.endswith(_BUTTONS) or _zipf(lowered) >= JOINED_ZIPF:
        return []
    after = _button_splits(lowered)
    for lead in range(len(word)):  # a leading word of text (or none), then buttons only
        if after[lead] is None:
            continue
        if lead and (lead < 3 or lead > LONGEST_WORD or _zipf(lowered[:lead]) < PART_ZIPF):
            continue
        cuts = []
        at = after[lead]
        while at is not None and at < len(word):
            cuts.append(at)
            at = after[at]
        return ([lead] if lead else []) + cuts
    return []


def _button_splits(word: str) -> list[int | None]:
    """For each offset ``i``, where the first button ends when ``word[i:]`` splits into buttons.

    None where it does not split.  The first button in :data:`_BUTTONS` order that leaves a
    splittable rest wins (the order a search from the left would try them in).

    >>> _button_splits("emailprint")[0], _button_splits("emailprint")[5], _button_splits("emailprint")[1]
    (5, 10, None)
    """
    after: list[int | None] = [None] * (len(word) + 1)
    after[len(word)] = len(word)
    for i in range(len(word) - 1, -1, -1):
        for b in _BUTTONS_BY_LETTER.get(word[i], ()):
            end = i + len(b)
            if end <= len(word) and after[end] is not None and word.startswith(b, i):
                after[i] = end
                break
    return after


#: No word of the lexicons is longer than this (measured: the longest entry of wordfreq 3.1's lists
#: for :data:`LEXICON_LANGUAGES` is a German compound of 80 letters; tests/test_adversarial.py
#: checks that it still holds).  A longer run of letters has frequency 0: no need to look it up.
LONGEST_WORD = 80


#: Tokens written without spaces on purpose: handles, hashtags, e-mail addresses, URLs, file names.
_URL_START = regex.compile(r"(?:https?:)?//\w")
_FILE_END = regex.compile(r"\.(?i:png|jpe?g|gif|webp|svg|html?|php|pdf)$")
_PROTECTED = regex.compile(
    r"[@#]\S*|\S*(?:://|www\.|@)\S*|\S*\.(?i:com|org|net|edu|gov|io|co|uk|de|html?|php|pdf|jpe?g|png)\b\S*"
)


def _unprotected(line: str, points: list[int]) -> list[int]:
    """The ``points`` that do not fall inside a token written without spaces on purpose.

    Each token (a run without a space) is judged once, however many points it holds, so that a
    long token with many points costs its length once, not once per point.
    """
    if not points:
        return points
    spaces = [m.start() for m in _SPACE.finditer(line)]
    protected: dict[int, bool] = {}
    out = []
    for point in points:
        # the longest extension is 5 characters with its dot (".jpeg"): the window sees it whole
        # (each test only where its first character is: a "." before, an "h" or "/" at the point)
        before = max(0, point - 5)
        if (line.find(".", before, point) >= 0 and _FILE_END.search(line, before, point)) or (
            line.startswith(("h", "/"), point) and _URL_START.match(line, point)
        ):
            out.append(point)  # a URL ends (after a file name's extension) or starts here
            continue
        k = bisect_left(spaces, point)
        start = spaces[k - 1] + 1 if k else 0
        if start not in protected:
            end = spaces[k] if k < len(spaces) else len(line)
            protected[start] = _PROTECTED.fullmatch(line[start:end]) is not None
        if not protected[start]:
            out.append(point)
    return out


_SPACE = regex.compile(" ")
