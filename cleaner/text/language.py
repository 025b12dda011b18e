"""Language identification with langdetect, made deterministic and fast.

langdetect samples features at random; its factory is seeded once per process
(``DetectorFactory.seed = 0``: every detector seeds its own generator from it) so that the same
text always gets the same answer, whatever the worker.  The detection itself runs in
:mod:`cleaner.text.langid`, langdetect's algorithm on langdetect's profiles with the same seeded
draws, with bit-identical probabilities, four to six times faster (``tests/test_langid.py``,
``bench/langid_agreement.py``).  It sees a bounded sample of the text (its cost grows with
length, its accuracy does not beyond a few hundred characters).
"""

from __future__ import annotations

import gc
from functools import lru_cache

import regex
from langdetect import DetectorFactory, LangDetectException, detector_factory

from cleaner.text import langid
from cleaner.text.tokens import words

#: How much text langdetect sees: the first characters of the document (measured on the dev
#: set: the same answers as 2,000 characters, at two thirds of the cost).
SAMPLE_CHARS = 1000
#: Fewer letters than this and the answer would be a guess: ``und``.
MIN_LETTERS = 20
#: A sample of running text shorter than this is padded out with the start of the text instead.
MIN_SAMPLE_CHARS = 200

#: :data:`MIN_LETTERS` letters or more, whatever lies between them (a match from the start: no
#: list of every letter made to be counted).
_ENOUGH_LETTERS = regex.compile(rf"\P{{L}}*+(?:\p{{L}}\P{{L}}*+){{{MIN_LETTERS}}}")

# langdetect's documented way to deterministic results: every detector seeds its own RNG from this
# (and so does cleaner.text.langid, which reads it from the factory as langdetect's Detector does).
DetectorFactory.seed = 0


def _factory() -> DetectorFactory:
    if detector_factory._factory is None:
        detector_factory.init_factory()
        gc.freeze()  # the 55 profiles live as long as the process: out of the collector's way
    factory = detector_factory._factory
    assert factory is not None  # init_factory sets it
    return factory


#: A line of running text has this many words at least (:func:`cleaner.text.tokens.words`).
#: Chosen: shorter lines are mostly labels, credits and headlines, which say little of a language.
RUNNING_TEXT_WORDS = 8


def language_sample(text: str) -> str:
    r"""What langdetect sees of ``text``: its lines of running text (eight words or more), up to
    :data:`SAMPLE_CHARS`; the start of the text if it has too few such lines.

    Running text is what boilerplate rules leave alone, so the sample, and the language, seldom
    change when a document is cleaned (the pipeline then need not ask again).

    >>> para = "The talks went on for hours on Friday and again on Saturday, officials said. " * 3
    >>> language_sample("Advertisement\n" + para) == para
    True
    """
    picked: list[str] = []
    size = 0
    for line in text.split("\n"):
        if len(words(line)) >= RUNNING_TEXT_WORDS:
            picked.append(line)
            size += len(line) + 1
            if size >= SAMPLE_CHARS:
                break
    sample = "\n".join(picked)[:SAMPLE_CHARS]
    return sample if len(sample) >= MIN_SAMPLE_CHARS else text[:SAMPLE_CHARS]


def detect_language(text: str) -> tuple[str, float]:
    """The language code of ``text`` and its probability; ``("und", 0.0)`` when unknowable.

    >>> detect_language("The United States has promised support for China's campaign to hunt officials.")[0]
    'en'
    >>> detect_language("12 34 -- !!")
    ('und', 0.0)
    """
    return detect_sample(language_sample(text))


@lru_cache(maxsize=4096)
def detect_sample(sample: str) -> tuple[str, float]:
    """The language of a sample that :func:`language_sample` took (cached: samples repeat).

    langdetect's answer (``Detector.append(sample)``, ``get_probabilities()[0]``), computed by
    :class:`cleaner.text.langid.LangId` on the same profiles with the same seed.
    """
    if _ENOUGH_LETTERS.match(sample) is None:
        return "und", 0.0
    detector = langid.default()  # outside the try: a failure to load the profiles is no answer "und"
    try:
        best = detector.get_probabilities(sample)[0]
    except (LangDetectException, IndexError):
        return "und", 0.0
    return str(best.lang), round(float(best.prob), 4)
