"""Language identification with langdetect, made deterministic.

langdetect samples features at random; its factory is seeded once per process so that the same
text always gets the same answer, whatever the worker.  It sees a bounded sample of the text
(its cost grows with length, its accuracy does not beyond a few hundred characters).
"""

from __future__ import annotations

import regex
from langdetect import DetectorFactory, LangDetectException, detector_factory

#: How much text langdetect sees: the first characters of the document.
SAMPLE_CHARS = 2000
#: Fewer letters than this and the answer would be a guess: ``und``.
MIN_LETTERS = 20

_LETTER = regex.compile(r"\p{L}")

# langdetect's documented way to deterministic results: every detector seeds its own RNG from this.
DetectorFactory.seed = 0


def _factory() -> DetectorFactory:
    if detector_factory._factory is None:
        detector_factory.init_factory()
    factory = detector_factory._factory
    assert factory is not None  # init_factory sets it
    return factory


def detect_language(text: str) -> tuple[str, float]:
    """The language code of ``text`` and its probability; ``("und", 0.0)`` when unknowable.

    >>> detect_language("The United States has promised support for China's campaign to hunt officials.")[0]
    'en'
    >>> detect_language("12 34 -- !!")
    ('und', 0.0)
    """
    sample = text[:SAMPLE_CHARS]
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        return "und", 0.0
    detector = _factory().create()
    detector.append(sample)
    try:
        best = detector.get_probabilities()[0]
    except (LangDetectException, IndexError):
        return "und", 0.0
    return str(best.lang), round(float(best.prob), 4)
