"""langdetect's detector, fast: the same algorithm on langdetect's own profiles, the same numbers.

langdetect (:mod:`langdetect.detector`) spends its time in Python loops: one method call per
character to cut the text into n-grams, and one loop over its 55 languages per sampled n-gram.
:class:`LangId` does the same work with the same data and the same random draws, so that its
probabilities are *bit-identical* to ``Detector.get_probabilities()`` with the same seed:

* the text is prepared as ``Detector.append`` and ``Detector.cleaning_text`` prepare it (URLs and
  e-mail addresses blanked, Vietnamese marks composed, ``max_text_length`` characters, Latin
  letters dropped from a text mostly in another script);
* the text is cut into words at the characters that ``NGram.normalize`` makes a space (one
  regular expression), and the n-grams of a word, which depend on the word alone (``NGram``
  starts afresh at every space), are worked out once per word, from its characters normalised
  by ``NGram.normalize`` (looked up once per character in a ``str.translate`` table): the
  sequence of n-grams is the one ``Detector._extract_ngrams`` builds, in the same order, the
  capital-word rule included;
* the trials draw from a ``random.Random`` seeded the same way, with the same calls in the same
  order (``gauss`` for a trial's smoothing, ``choice`` for each n-gram, on a list as long as
  langdetect's), and update the 55 probabilities with numpy: ``prob * (weight + word_prob)`` is
  the same IEEE operations on each element as langdetect's ``prob[i] *= weight + word_prob[i]``
  (five n-grams at a time, between two normalisations, in one left-to-right
  ``multiply.reduce``); the normalisation sums with the builtin ``sum`` over the same list of
  floats, as langdetect does (whatever the Python version's ``sum`` does, it does to both), and
  divides each element by the sum;
* the result is sorted and filtered by langdetect's own code (``Language``, ``PROB_THRESHOLD``).

langdetect stays the reference (``tests/test_langid.py``, ``bench/langid_agreement.py``): this
module reads its profiles (``DetectorFactory.word_lang_prob_map``, kept as one memory-mapped
table in the user cache by :func:`profiles`, 87,598 n-grams x 55 languages, 38 MB that forked
workers share) and its constants, and holds only the n-grams of the words met lately.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import threading
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy
import numpy.typing
from langdetect import DetectorFactory, LangDetectException, detector_factory
from langdetect.detector import Detector
from langdetect.lang_detect_exception import ErrorCode
from langdetect.language import Language
from langdetect.utils.ngram import NGram
from langdetect.utils.unicode_block import UNICODE_GENERAL_PUNCTUATION, _unicode_blocks

from cleaner.cache import cache_dir, store

Table = numpy.typing.NDArray[numpy.float64]

#: ``Detector.__init__``'s settings (instance attributes there, so not readable from the class).
N_TRIAL = 7
MAX_TEXT_LENGTH = 10000

#: Words whose n-grams are remembered (a few hundred bytes each); the memory is emptied when it
#: holds more.  Words repeat (Zipf): after a few documents most are found there.
WORD_CACHE_SIZE = 32_768

# ``Detector.cleaning_text``: what counts as Latin ('A' <= ch <= 'z', six ASCII signs included)
_LATIN = re.compile("[A-z]+")
# ... and what as another script: langdetect means "U+0300 and above, but not Latin Extended
# Additional", but compares the block's number with the block's name, so every character from
# U+0300 on counts
_BELOW_0300 = re.compile("[\x00-\u02ff]+")
# ``NGram.normalize_vi`` composes a letter with one of these marks after it
_MARK = re.compile(f"[{re.escape(NGram.DMARK_CLASS)}]")


class _Normalized(dict[int, str]):
    """A ``str.translate`` table that applies ``NGram.normalize``, filled as characters come."""

    def __missing__(self, code: int) -> str:
        ch: str = NGram.normalize(chr(code))
        self[code] = ch
        return ch


_NORMALIZED = _Normalized()


def _spaces() -> list[int]:
    """The characters that ``NGram.normalize`` makes a space: ASCII but letters, some of Latin-1
    (``NGram.LATIN1_EXCLUDED``) and General Punctuation; no other branch returns a space."""
    punctuation = next((start, end) for block, start, end in _unicode_blocks if block == UNICODE_GENERAL_PUNCTUATION)
    codes = [*range(0x100), *range(punctuation[0], punctuation[1] + 1)]
    return [code for code in codes if _NORMALIZED[code] == " "]


def _char_class(codes: list[int]) -> str:
    return "".join(f"\\U{code:08x}" for code in codes)


#: What ``NGram`` sees as a word: a run of characters that do not normalise to a space.
WORD = re.compile(f"[^{_char_class(_spaces())}]+")


def prepare(text: str, max_text_length: int = MAX_TEXT_LENGTH) -> str:
    """``text`` as langdetect cuts it into n-grams: appended (``Detector.append``: no URLs and
    e-mail addresses, Vietnamese marks composed, ``max_text_length`` characters at most) and
    cleaned (``Detector.cleaning_text``: no Latin letters in a text mostly in another script).

    ``Detector.append`` also turns runs of spaces into one, which ``NGram`` would do anyway.

    >>> prepare("Visit https://example.com/a?b=1 or write to desk@example.com!")
    'Visit   or write to  !'
    >>> prepare("Новости дня и недели (Moscow)")  # mostly Cyrillic: the Latin letters go
    'Новости дня и недели ()'
    """
    # (each pattern only where it can match: the e-mail pattern costs a search at every letter)
    if "http" in text:
        text = Detector.URL_RE.sub(" ", text)
    if "@" in text:
        text = Detector.MAIL_RE.sub(" ", text)
    if _MARK.search(text):
        text = NGram.normalize_vi(text)
    text = text[:max_text_length]
    non_latin = len(_BELOW_0300.sub("", text))
    if non_latin:
        # Latin goes when there is less than half as much of it: count it up to that much
        enough, latin = (non_latin + 1) // 2, 0
        for run in _LATIN.finditer(text):
            latin += run.end() - run.start()
            if latin >= enough:
                break
        else:
            text = _LATIN.sub("", text)
    return text


def word_runs(prepared: str) -> tuple[list[str], bool]:
    """The words of a :func:`prepare`'d text (not normalised yet), and whether a space follows
    the last (one that ``NGram.normalize`` makes: it ends the word, and n-grams end on it).

    >>> word_runs("Hello, wörld—again")
    (['Hello', 'wörld', 'again'], False)
    """
    closed = not prepared or _NORMALIZED[ord(prepared[-1])] == " "
    return WORD.findall(prepared), closed


def _word_ngrams(word: str, known: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The n-grams of ``word`` (normalised, no spaces) that ``known`` holds, as
    ``Detector._extract_ngrams`` finds them after a space: those that end on each of its
    characters, then those that end on the space after it (when one follows)."""
    body: list[str] = []
    before, last = " ", " "  # the two characters before ``ch`` (NGram starts from a space)
    for ch in word:
        # NGram.capitalword: two capitals in a row, and nothing ends on the second
        if not (ch.isupper() and last.isupper()):
            if ch in known:
                body.append(ch)
            gram = last + ch
            if gram in known:
                body.append(gram)
            if last != " ":
                gram = before + gram
                if gram in known:
                    body.append(gram)
        before, last = last, ch
    # the space after the word: not a capital, and no 1-gram (a space is none)
    tail: list[str] = []
    gram = last + " "
    if gram in known:
        tail.append(gram)
    gram = before + gram
    if gram in known:
        tail.append(gram)
    return body, tail


class LangId:
    """langdetect's ``Detector`` for the profiles of ``factory`` (a loaded ``DetectorFactory``).

    Each call is a fresh detector: ``LangId(f).get_probabilities(text)`` gives what
    ``d = f.create(); d.append(text); d.get_probabilities()`` gives, seed included.
    """

    def __init__(self, factory: DetectorFactory) -> None:
        self.factory = factory
        profile_map = factory.word_lang_prob_map
        if not isinstance(profile_map, _Rows):  # langdetect's own dictionary of lists: one table of it
            grams = list(profile_map)
            profile_map = _Rows(grams, numpy.array([profile_map[g] for g in grams], dtype=numpy.float64))
        # n-gram -> its row of probabilities in the profiles' table (memory-mapped from the cache)
        self._known: _Rows = profile_map
        self._table: Table = profile_map.matrix
        self._langlist: list[str] = list(factory.langlist)
        # word (as written) -> the rows of its n-grams (with the space after it), and how many
        # of them end before that space
        self._words: dict[str, tuple[tuple[int, ...], int]] = {}
        self._lock = threading.Lock()

    # -- n-grams

    def features(self, text: str, max_text_length: int = MAX_TEXT_LENGTH) -> list[str]:
        """The n-grams langdetect samples from ``text``, in its order (``Detector._extract_ngrams``)."""
        result: list[str] = []
        found, closed = word_runs(prepare(text, max_text_length))
        last = len(found) - 1
        for k, word in enumerate(found):
            body, tail = _word_ngrams(word.translate(_NORMALIZED), self._known)
            result += body
            if closed or k < last:
                result += tail
        return result

    def _word(self, word: str) -> tuple[tuple[int, ...], int]:
        with self._lock:
            if len(self._words) >= WORD_CACHE_SIZE:
                self._words.clear()
            body, tail = _word_ngrams(word.translate(_NORMALIZED), self._known)
            row = self._known.row
            entry = (tuple(row(gram) for gram in body + tail), len(body))
            self._words[word] = entry
        return entry

    def _sampled(self, text: str, max_text_length: int) -> list[int]:
        """The rows of :meth:`features` in the table, in the same order."""
        result: list[int] = []
        found, closed = word_runs(prepare(text, max_text_length))
        end = "" if closed or not found else found.pop()
        cache = self._words
        for word in found:
            result += (cache.get(word) or self._word(word))[0]
        if end:
            rows, body = cache.get(end) or self._word(end)
            result += rows[:body]
        return result

    # -- detection

    def get_probabilities(
        self, text: str, seed: int | None = None, max_text_length: int = MAX_TEXT_LENGTH
    ) -> list[Language]:
        """The languages of ``text`` above ``Detector.PROB_THRESHOLD``, most probable first, as
        ``Detector.get_probabilities`` gives them; ``seed`` defaults to the factory's, as there.

        Raises ``LangDetectException`` (``ErrorCode.CantDetectError``) when the text has no
        n-gram of the profiles, as langdetect does.
        """
        rows = self._sampled(text, max_text_length)
        if not rows:
            raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        if seed is None:
            seed = self.factory.seed
        langprob = self._detect_block(self._table, rows, seed)
        threshold = Detector.PROB_THRESHOLD
        result = [Language(lang, p) for lang, p in zip(self._langlist, langprob, strict=True) if p > threshold]
        result.sort(reverse=True)
        return result

    def _detect_block(self, table: Table, rows: list[int], seed: int | None) -> list[float]:
        """``Detector._detect_block`` after the n-grams: the trials, and their average.

        A trial multiplies its probabilities by ``weight + word_prob`` for one sampled n-gram
        after another, and normalises them after the first and then after every fifth.  The
        five n-grams between two normalisations are drawn first, and their five products are
        one ``multiply.reduce`` down the columns of ``[prob, weight + row1, ..., weight + row5]``:
        a left fold, in that order, so the same roundings as five multiplications in a row.
        """
        size = len(self._langlist)
        rng = random.Random()
        rng.seed(seed)
        choice, gauss = rng.choice, rng.gauss
        take, divide, reduce = table.take, numpy.divide, numpy.multiply.reduce
        alpha_default, alpha_width = Detector.ALPHA_DEFAULT, Detector.ALPHA_WIDTH
        base_freq, conv_threshold, limit = Detector.BASE_FREQ, Detector.CONV_THRESHOLD, Detector.ITERATION_LIMIT
        langprob = numpy.zeros(size, dtype=numpy.float64)
        stack = numpy.empty((6, size), dtype=numpy.float64)
        prob, factors = stack[0], stack[1:]
        for _ in range(N_TRIAL):
            prob.fill(1.0 / size)  # Detector._init_probability
            alpha = alpha_default + gauss(0.0, 1.0) * alpha_width
            weight = alpha / base_freq
            # Detector._update_lang_prob: prob[k] *= weight + word_prob[k]
            product = prob * (weight + table[choice(rows)])
            i = 0
            while True:
                # Detector._normalize_prob: the builtin sum, in list order; the largest quotient
                # is the quotient of the largest (rounding is monotonic)
                values = product.tolist()
                total = sum(values)
                divide(product, total, out=prob)
                if max(values) / total > conv_threshold or i >= limit:
                    break
                # n-grams i + 1 to i + 5 ("clip": the rows are all there; "raise" would copy)
                take([choice(rows), choice(rows), choice(rows), choice(rows), choice(rows)], 0, factors, "clip")
                factors += weight
                product = reduce(stack, axis=0)
                i += 5
            langprob += prob / N_TRIAL
        result: list[float] = langprob.tolist()
        return result


class _Rows(dict[str, int]):
    """A profile map read from a table: ``gram in rows`` as a dict answers it, ``rows[gram]`` its probabilities."""

    def __init__(self, grams: list[str], matrix: Table) -> None:
        super().__init__(zip(grams, range(len(grams)), strict=True))
        self.matrix = matrix

    def __getitem__(self, gram: str) -> Table:  # type: ignore[override]
        row: Table = self.matrix[self.row(gram)]
        return row

    def row(self, gram: str) -> int:
        """Where ``gram``'s probabilities are in the table."""
        index: int = dict.__getitem__(self, gram)
        return index


class Profiles:
    """What :class:`LangId` reads of a ``DetectorFactory`` (its profile map, its languages and its
    seed), from the table that :func:`profiles` keeps in the user cache."""

    def __init__(self, grams: list[str], matrix: Table, langlist: list[str]) -> None:
        self.word_lang_prob_map = _Rows(grams, matrix)
        self.langlist = langlist

    @property
    def seed(self) -> int | None:
        """The seed langdetect's factories take (``DetectorFactory.seed``)."""
        seed: int | None = DetectorFactory.seed
        return seed


#: Bumped when the cache files' layout changes.
_FORMAT = 2


def _names_path() -> Path:
    """The cache file of the profiles' n-grams and languages, which names the file of their table."""
    return cache_dir() / f"langdetect-{version('langdetect')}-profiles-f{_FORMAT}.json"


@cache
def profiles() -> Profiles:
    """langdetect's 55 profiles as one table (n-grams x languages), memory-mapped from the user cache.

    langdetect reads them from 55 JSON files and turns them into a dictionary of lists in every
    process (0.7 s, about 100 MB); the same numbers (the floats of ``word_lang_prob_map``, in a
    float64 table) are written once per machine and langdetect version (:mod:`cleaner.cache`)
    and mapped from there.  Built from langdetect's own factory when missing or unreadable.

    The order of the languages (and so of the table's columns) is the order in which the system
    lists langdetect's profile folder, which differs between installs: the table's file is named
    by a digest of the n-grams and languages, and the names' file says which table is theirs, so
    that two installs sharing a cache never pair one's names with the other's table.
    """
    names_path = _names_path()
    try:
        names = json.loads(names_path.read_text("utf-8"))
        matrix = numpy.load(names_path.parent / names["table"], mmap_mode="r")
        if matrix.shape == (len(names["grams"]), len(names["langlist"])) and matrix.dtype == numpy.float64:
            return Profiles(names["grams"], matrix, names["langlist"])
    except Exception:  # missing, or damaged in any way (an empty file: EOFError): built again below
        pass
    detector_factory.init_factory()
    factory = detector_factory._factory
    grams = list(factory.word_lang_prob_map)
    built = numpy.array([factory.word_lang_prob_map[g] for g in grams], dtype=numpy.float64)
    langlist = list(factory.langlist)
    digest = hashlib.sha256(json.dumps([grams, langlist], ensure_ascii=False).encode("utf-8")).hexdigest()[:16]
    table_name = f"{names_path.stem}-{digest}.npy"
    names = {"grams": grams, "langlist": langlist, "table": table_name}
    # the table first, then what names it; without a cache, this process keeps its own copy
    if store(names_path.parent / table_name, lambda f: numpy.save(f, built)):
        store(names_path, lambda f: f.write(json.dumps(names, ensure_ascii=False).encode("utf-8")))
    return Profiles(grams, built, langlist)


_default: LangId | None = None


def default() -> LangId:
    """The :class:`LangId` of langdetect's profiles (:func:`profiles`), with langdetect's seed."""
    global _default
    if _default is None:
        _default = LangId(profiles())
    return _default


def get_probabilities(text: str) -> list[Language]:
    """``langdetect.detect_langs(text)``, fast: the same list, the same numbers."""
    return default().get_probabilities(text)
