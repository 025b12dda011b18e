"""Truncated leads and tails: a first word that lost its first letters, a last sentence cut off.

Scrapers sometimes cut the first letter or two of a document ("apitalism struggles ..." for
"Capitalism struggles ...", "ASHINGTON (Reuters)" for "WASHINGTON (Reuters)").  :func:`restore_lead`
weighs two hypotheses about the first word with a lexicon (wordfreq) and the document itself:

* *intact*: the word is what the author wrote;
* *cut*: it is the end of a longer word, one of the *completions* that add one or two letters in
  front ("euters" -> "reuters"; "hen" -> "when", "then").

Each word gets a probability that mixes its lexicon frequency with how often it occurs in the rest
of the document (a cache language model: a document names its subject again, so "Hong Kong" later
in the text speaks for "ong Kong" -> "Hong Kong"), and the next word (the same pair later in the
text).  The odds of *cut* against *intact* are the ratio of the two masses, times prior odds that
depend on what the text itself says:

* flattened text (all lowercase) and all-caps first words: nothing but the lexicon speaks for a
  cut, so the prior favours *intact* (:data:`PRIOR_UNCASED`): only a fragment far less likely than
  its completions ("ith" against "with", "hen" against "when" and "then") is taken for a cut;
* structured text whose first word starts with a lowercase letter while its sentences start with
  capitals: that is how a cut looks, and an intact document seldom starts so (brands like "eBay"
  and particles like "de Blasio" are never touched), so the prior favours *cut*
  (:data:`PRIOR_CASED`).  A capitalised first word, a number, a quote or a bracket is never touched.

When *cut* wins, the word is restored if one completion holds most of the mass, in the text's case
style (a sentence start, an all-caps word, or lowercase in flattened text); otherwise the fragment
is dropped (and, in structured text, the next word is capitalised as the new sentence start).  A
change is only made if the result would not be changed again, so the repair is idempotent.

:func:`truncated_tail` says whether the document's last sentence is cut off; it changes nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from itertools import pairwise

import regex

from cleaner.cache import derived
from cleaner.document import Edit, EditLog
from cleaner.ruleset import vocab
from cleaner.ruleset.registry import RepairContext, flag, repair
from cleaner.text import lexicon
from cleaner.text.language import detect_language
from cleaner.text.style import is_flat
from cleaner.text.tokens import SCRIPT_LETTERS, SCRIPT_WORD, TAIL_WORD, TOKEN, words

# --- the model's numbers ------------------------------------------------------------------
# Measured by cutting one or two letters off the sentence starts of the development set's articles
# (about 1,600 of each kind, structured and flattened; bench/eval_leads.py scores the set itself).

#: Prior odds of *cut* against *intact* when only the lexicon can tell (flattened text, all caps):
#: about one document in 30.  Intact flattened sentence starts changed: 0.2% (0.06% at 0.01); the
#: commonest trap, "he" (odds 11 for "the"), fires from 0.09 on.
PRIOR_UNCASED = 0.03
#: The same for a lowercase first word in cased text: the odds above times 1,000, since a cut
#: cased word starts in lowercase and an intact cased document about once in 1,000.  Recall on cuts
#: is the same from 10 to 1,000; 1,000 turned "site: media | ..." into "Onsite: ...", 30 does not.
PRIOR_CASED = 30.0
#: Weight of the document's own words (the cache) against the lexicon (0.03, 0.1, 0.3 measured:
#: 0.3 restores most, at one more intact word changed in 1,650).
CACHE_WEIGHT = 0.3
#: The probability of a word the lexicon does not know (wordfreq's lists stop near zipf 1): an
#: unknown fragment without completions is as likely cut as intact (a rare name either way).
OOV = 1e-8
#: How much less likely a cut of two letters is than a cut of one (0.03, 0.1, 0.3 measured: 0.3
#: halves the wrong restorations of two-letter cuts and costs 1.5 points on one-letter cuts).
TWO_LETTER_PENALTY = 0.3
#: A completion is restored when it holds this share of the completions' mass (three times all
#: the others together); below it the fragment is dropped.  Scoring a restoration 1, a drop 0.5 and
#: a wrong word -1, 0.75 is the best threshold measured (0.6 to 0.95).
RESTORE_SHARE = 0.75
#: A fragment of one letter is dropped, never restored: restorations of one letter were right
#: half the time ("t" is "It" or "At", "o" is "To", "So" or "No").
MIN_RESTORE_LETTERS = 2
#: In flattened text single letters are left alone: they are words ("a", "i", Portuguese "o") and
#: the pieces of flattened abbreviations ("u s" for "U.S.").
MIN_UNCASED_LETTERS = 2
#: The alphabet of a language: first letters of this many frequent words, each seen this often.
ALPHABET_WORDS = 20000
ALPHABET_MIN = 20
#: Sentence starts needed to call a text cased, and the share of them that must be capitals.
CASED_MIN_STARTS = 2
CASED_MIN_SHARE = 0.7

# --- tokens ---------------------------------------------------------------------------------

_LEADING_SPACE = regex.compile(r"\s*")
#: A first word that may be a fragment: letters, then perhaps "'s", hyphenated parts, one mark.
_LEAD = regex.compile(r"(?P<stem>\p{L}[\p{L}\p{M}]*)(?P<rest>(?:['’]\p{L}+)?(?:-[\p{L}\p{M}]+)*[,.:;!?]?)")
_UPPER = regex.compile(r"\p{Lu}")
#: Where a sentence starts: after sentence punctuation (and closing quotes) and space, or a line.
_SENTENCE_START = regex.compile(r"(?:[.!?…][\"'”’)\]]*[ \t]+|\n[ \t]*)[\"'“‘(\[]?(\p{L})")
#: Name particles written in lowercase at the start of a name ("de Blasio", "van Gogh").
_PARTICLES = vocab.words("name-particles")


@dataclass(frozen=True)
class _Lead:
    """The first word of a text: where it is and what it is made of."""

    start: int  # offset of the word
    end: int  # offset after the word
    stem: str  # its leading letters (the part a completion extends)
    next_start: int  # offset of the next word (len(text) if none)
    next_word: str  # the next word's leading letters, casefolded ('' if none)


def _lead(text: str) -> _Lead | None:
    """The first word of ``text`` if it could be a fragment (it starts with a cased letter)."""
    m = _LEADING_SPACE.match(text)
    start = m.end() if m else 0
    tok = TOKEN.match(text, start)
    if tok is None:
        return None
    parts = _LEAD.fullmatch(tok.group())
    if parts is None:
        return None
    stem = parts.group("stem")
    if stem[0].lower() == stem[0].upper():  # a script without case (Korean, Chinese, Arabic ...)
        return None
    nxt = TOKEN.search(text, tok.end())
    next_word = ""
    if nxt is not None:
        letters = SCRIPT_LETTERS.match(nxt.group())
        next_word = letters.group().casefold() if letters else ""
    return _Lead(tok.start(), tok.end(), stem, nxt.start() if nxt else len(text), next_word)


# --- the lexicon ------------------------------------------------------------------------------


@cache
def _languages() -> frozenset[str]:
    """The languages wordfreq has a word list for (kept in the user cache: importing wordfreq to ask
    costs 0.25 s of every start)."""

    def build() -> list[str]:
        from wordfreq import available_languages

        return sorted(set(available_languages("small")) | set(available_languages("large")))

    return frozenset(derived(f"wordfreq-{version('wordfreq')}-languages.json", build))


def _lexicon(lang: str) -> lexicon.FrequencyTable:
    """Every word wordfreq knows in ``lang``, with its frequency (casefolded, as wordfreq keeps them).

    A memory-mapped table built once per machine (:mod:`cleaner.text.lexicon`), not the
    dictionary that wordfreq loads into every process.
    """
    return lexicon.table((lang,))


@cache
def _alphabet(lang: str) -> str:
    """The letters that start words of ``lang`` (those of its 20,000 most frequent words; kept in the
    user cache: wordfreq reads its whole list to answer)."""

    def build() -> str:
        from wordfreq import top_n_list

        firsts = Counter(w[0] for w in top_n_list(lang, ALPHABET_WORDS) if SCRIPT_LETTERS.fullmatch(w))
        return "".join(sorted(ch for ch, n in firsts.items() if n >= ALPHABET_MIN))

    name = f"wordfreq-{version('wordfreq')}-alphabet-{lang}-{ALPHABET_WORDS}-{ALPHABET_MIN}.json"
    alphabet: str = derived(name, build)
    return alphabet


def _completions(frag: str, lang: str) -> list[tuple[str, int]]:
    """The words of ``lang`` that are ``frag`` with one or two letters added in front, and how many."""
    table, letters = _lexicon(lang), _alphabet(lang)
    candidates = [(ch + frag, 1) for ch in letters] + [(a + b + frag, 2) for a in letters for b in letters]
    known = table.get_many([word for word, _ in candidates]) > 0.0
    found = [c for c, k in zip(candidates, known.tolist(), strict=True) if k]
    return found


class _Model:
    """Word probabilities for one document: the lexicon mixed with the document's own words."""

    def __init__(self, text: str, lang: str, lead: _Lead) -> None:
        self.lang = lang
        words = [w.casefold() for w in SCRIPT_WORD.findall(text, lead.end)]
        self.unigrams = Counter(words)
        self.bigrams = Counter(pairwise(words))
        self.size = len(words)
        self.next_word = lead.next_word

    def completions(self, frag: str) -> list[tuple[str, int]]:
        """The document's own words that are ``frag`` with one or two letters in front (names)."""
        return [(w, len(w) - len(frag)) for w in self.unigrams if 0 < len(w) - len(frag) <= 2 and w.endswith(frag)]

    def p(self, word: str) -> float:
        """The probability of ``word`` as the first word of this document."""
        lexicon = _lexicon(self.lang).get(word)
        cache_p = 0.0
        if self.size:
            cache_p = 0.5 * self.unigrams[word] / self.size
            following = self.unigrams[self.next_word]
            if following:
                cache_p += 0.5 * self.bigrams[(word, self.next_word)] / following
        return (1 - CACHE_WEIGHT) * lexicon + CACHE_WEIGHT * cache_p


@dataclass(frozen=True)
class Verdict:
    """What :func:`judge` makes of a first word."""

    action: str  # "keep", "restore" or "drop"
    word: str = ""  # the most likely completion (casefolded), '' if none
    odds: float = 0.0  # odds of cut against intact, the prior included
    share: float = 0.0  # the best completion's share of the completions' mass
    prior: float = 0.0  # the prior odds the text's style gave
    lang: str = ""  # the lexicon's language, when one was needed


def _cased(text: str, lead: _Lead) -> bool:
    """Whether the text's sentences start with capitals (so a lowercase first word stands out)."""
    upper = total = 0
    for m in _SENTENCE_START.finditer(text, lead.end):
        ch = m.group(1)
        if ch.lower() == ch.upper():
            continue
        total += 1
        upper += ch.isupper()
    return total >= CASED_MIN_STARTS and upper >= CASED_MIN_SHARE * total


def judge(text: str, lang: str | None = None, flat: bool | None = None) -> Verdict:
    """Judge the first word of ``text``: keep it, restore it, or drop it.

    ``lang``: the language of ``text``, and ``flat``: whether it is flattened, when the caller
    knows them (the pipeline does); found here otherwise.

    >>> v = judge("hen the talks ended, the two sides left. They met again. Nothing changed.")
    >>> v.action, v.word, v.prior, round(v.share, 2)
    ('drop', 'when', 30.0, 0.66)
    >>> judge("The talks went on. Officials said so. Nothing changed.").action
    'keep'
    """
    keep = Verdict("keep")
    lead = _lead(text)
    if lead is None:
        return keep
    stem = lead.stem
    token = text[lead.start : lead.end]
    if flat is None:
        flat = is_flat(text)
    if stem.islower() and token == token.lower():
        if flat:
            prior = PRIOR_UNCASED
        elif stem.casefold() in _PARTICLES and text[lead.next_start : lead.next_start + 1].isupper():
            return keep  # "de Blasio", "van Gogh"
        else:
            prior = PRIOR_CASED if _cased(text, lead) else PRIOR_UNCASED
    elif stem.isupper() and len(stem) >= 2 and not flat:
        prior = PRIOR_UNCASED  # an all-caps word: a cut "ASHINGTON" or an acronym "NYAG"
    else:
        return keep  # a capitalised word, "eBay", "iPhone", a single capital
    if len(stem) == 1 and token[1:2] == "-":
        return keep  # "e-mail", "x-ray", "t-shirt"
    if prior < 1 and len(stem) < MIN_UNCASED_LETTERS:
        return keep
    if lang is None:
        lang, _prob = detect_language(text)
    if lang not in _languages():
        return keep
    model = _Model(text, lang, lead)
    frag = stem.casefold()
    found = _completions(frag, lang) + model.completions(frag)
    masses = {word: model.p(word) * (TWO_LETTER_PENALTY if k == 2 else 1.0) for word, k in found}
    cut_mass = sum(masses.values())
    odds = prior * (cut_mass + OOV) / max(model.p(frag), OOV)
    best = min(masses, key=lambda w: (-masses[w], w)) if masses else ""
    share = masses[best] / cut_mass if best and cut_mass else 0.0
    if odds < 1:
        action = "keep"
    elif share >= RESTORE_SHARE and len(stem) >= MIN_RESTORE_LETTERS:
        action = "restore"
    else:
        action = "drop"
    return Verdict(action, best, odds, share, prior, lang)


def _apply(text: str, verdict: Verdict, code: str, slug: str) -> tuple[str, list[Edit]]:
    lead = _lead(text)
    assert lead is not None
    log = EditLog(text)
    stem = lead.stem
    cased = _UPPER.search(text) is not None  # lowercase text (flattened or not) stays lowercase
    if verdict.action == "restore":
        prefix = verdict.word[: len(verdict.word) - len(stem.casefold())]
        if stem.isupper():
            prefix = prefix.upper()
        elif cased:
            prefix = prefix[:1].upper() + prefix[1:]
        log.add(code, slug, lead.start, lead.start, prefix, f"restored {prefix + stem!r}")
    else:
        after = lead.next_start
        nxt = text[after : after + 1]
        following = TOKEN.match(text, after)
        capitalise = (
            cased
            and stem.islower()
            and following is not None
            and following.group() == following.group().lower()
            and nxt.islower()
        )
        if capitalise:
            log.add(code, slug, lead.start, after + 1, nxt.upper(), "dropped a cut first word")
        else:
            log.add(code, slug, lead.start, after, "", "dropped a cut first word")
    return log.result(), log.edits


@repair("restore_lead")
def restore_lead(text: str, ctx: RepairContext) -> tuple[str, list[Edit]]:
    """Restore a first word that lost its first letters, or drop it when the word is unclear.

    >>> flat = ("euters the new york state attorney general is investigating wework according to two "
    ...         "people familiar with the matter the inquiry is focused on whether the company misled "
    ...         "investors about its finances")
    >>> restore_lead(flat, RepairContext("RP002", "truncated-lead"))[0][:26]
    'reuters the new york state'
    >>> restore_lead("olice said on Monday. The suspect fled.", RepairContext("RP002", "truncated-lead"))[0]
    'Police said on Monday. The suspect fled.'
    >>> text, edits = restore_lead("ASHINGTON (Reuters) - The Senate voted.", RepairContext("RP002", "truncated-lead"))
    >>> text, [e.describe() for e in edits]
    ('WASHINGTON (Reuters) - The Senate voted.', ["RP002 truncated-lead: inserted 'W' (restored 'WASHINGTON')"])
    >>> ctx = RepairContext("RP002", "truncated-lead")
    >>> restore_lead("hen the talks ended, the two sides left. They met again.", ctx)[0]
    'The talks ended, the two sides left. They met again.'
    >>> restore_lead("eBay said on Monday. The shares rose.", RepairContext("RP002", "truncated-lead"))[1]
    []
    """
    verdict = judge(text, ctx.lang, ctx.flat)
    if verdict.action == "keep":
        return text, []
    new, edits = _apply(text, verdict, ctx.code, ctx.slug)
    # the result is judged in the text's language: one word restored or dropped does not change it
    if judge(new, verdict.lang).action != "keep":
        return text, []  # the result would be changed again: too unsure to change anything
    return new, edits


# --- truncated tails ----------------------------------------------------------------------------

#: A line that ends a sentence: sentence punctuation, then perhaps closing quotes and brackets; or a
#: closing quote or bracket alone (a quotation, a parenthesis, a credit in brackets).
_ENDS_SENTENCE = regex.compile(r"(?:[.!?…。！？][\"'”’»)\]]*|[\"'”’»)\]])\s*$")
_SENTENCE_MARK = regex.compile(r"[.!?…。！？]")
#: A line ending on a word that never ends a sentence has this many words at least (not a label).
TAIL_MIN_WORDS = 3
#: A prose line has this many words at least (shorter lines without a stop are labels and credits).
TAIL_PROSE_WORDS = 8
#: ... and at most this share of its words capitalised (Title Case headings and name lists are not prose).
TAIL_MAX_CAPITALISED = 0.5

#: A last line holding a web address, an e-mail address, a copyright sign or a pipe is furniture.
_FURNITURE = regex.compile(r"@|www\.|https?:|\.(?:com|org|net)\b|©|\|")

#: English words that need something after them, so a sentence (almost) never ends on them:
#: articles and possessive determiners, prepositions that are not also particles, conjunctions and
#: complementisers, subject pronouns, modal verbs, titles, and nationality adjectives (they
#: stand before a noun).  Measured on the development set's articles: 0.6% of sentences end on one
#: of them (a stranded "for" or "to" mostly), against 22% of words taken at random.
NON_FINAL_EN = vocab.words("non-final-en")


def _last_line(text: str) -> str:
    for line in reversed(text.splitlines()):
        if line.strip():
            return line.strip()
    return ""


@flag("truncated_tail")
def truncated_tail(text: str) -> bool:
    """Whether the document's last sentence is cut off.

    Structured text: the last non-blank line does not end like a sentence (a stop, a question or
    exclamation mark, an ellipsis, a closing quote or bracket) and is prose (eight words or more,
    ending in lowercase, mostly not capitalised, no web address), or it ends on a word that never
    ends an English sentence ("the", "of", "and" ...).  Flattened text, or any text without
    sentence punctuation, has no stop to miss: only that last-word signal is left.

    >>> truncated_tail("washington s indictment of five chinese " * 8)
    True
    >>> truncated_tail("The talks went on for hours, officials said.")
    False
    >>> truncated_tail("Officials met on Monday. The two sides agreed that the talks would resume in the coming")
    True
    >>> truncated_tail("The talks went on.\\nShare this article")
    False
    """
    line = _last_line(text)
    if not line:
        return False
    last_token = line.split()[-1]
    last = last_token.casefold() if TAIL_WORD.fullmatch(last_token) else ""
    non_final = last in NON_FINAL_EN and len(words(line)) >= TAIL_MIN_WORDS
    if is_flat(text) or not _SENTENCE_MARK.search(text):
        return non_final  # no punctuation to miss: only the last word can tell
    if _ENDS_SENTENCE.search(line) or not last or _FURNITURE.search(line):
        return False  # a sentence's end; a number, a date, a symbol; a web address or a credit
    if non_final:
        return True
    found = TAIL_WORD.findall(line)
    capitalised = sum(w[0].isupper() for w in found) / len(found)
    return len(found) >= TAIL_PROSE_WORDS and last_token[0].islower() and capitalised <= TAIL_MAX_CAPITALISED
