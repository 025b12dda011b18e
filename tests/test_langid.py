"""cleaner.text.langid against langdetect itself: the same n-grams, the same probabilities to the bit.

Every comparison runs plain langdetect (``DetectorFactory.seed``, ``Detector.append``,
``get_probabilities``) next to :class:`cleaner.text.langid.LangId` on the same text and asserts
the full lists equal, languages, order and float values; "no features" must raise the same
``LangDetectException`` on both sides.  A fresh ``LangId`` per module, so that its table grows
and its word memory fills here, from nothing.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import numpy
import pytest
from langdetect import DetectorFactory, LangDetectException
from langdetect.lang_detect_exception import ErrorCode
from langdetect.utils.ngram import NGram

from cleaner.text import langid
from cleaner.text.language import _factory, detect_sample, language_sample

FIXTURES = Path(__file__).parent / "fixtures"
ARTICLES = sorted((FIXTURES / "articles").glob("*.txt")) + sorted((FIXTURES / "raw").glob("*.txt"))

#: Short and awkward texts: scripts, capitals, URLs and e-mail addresses, marks, no letters.
STRINGS = [
    "",
    " ",
    "12 34 -- !!",
    "https://example.com/a?b=1 nobody@example.com",
    "a",
    "I",
    "Hello",
    "Hello ",
    "Hello.",
    "  Hello,   world  ",
    "a  b\t\tc\n\nd e",
    "NASA AND THE ESA SAID THE LAUNCH OF ARTEMIS II WAS DELAYED AGAIN ON FRIDAY",
    "McDonald's, IBM, the iPhone and USA Today: OK, AbCdEf GHi jKL MNOp qRS",
    "ÀÉÎ ÕÜ ÇA VA? ÉTÉ À PARIS, l'ÉCOLE EST FERMÉE",
    "See https://example.com/path?x=1&y=2 and mail john.doe@example.org for details, or http://foo.bar.",
    "Write to press-office@agency.gov.uk or visit http://agency.gov.uk/news#latest today",
    "Москва — столица России, крупнейший по численности населения город страны.",
    "Новости дня и недели (Moscow Times, Reuters)",
    "Привет [[[[[[[[[[[[ ^^^^ ____ ````",
    "Приветы abc",  # 3 Latin letters to 7 others: they go
    "Привет abc",  # 3 to 6: they stay
    "ểểểểểể abc",
    "北京是中华人民共和国的首都，也是全国的政治和文化中心。",
    "東京は日本の首都です。ひらがなとカタカナ、そして漢字。",
    "서울은 대한민국의 수도이자 최대 도시이다.",
    "القاهرة هي عاصمة جمهورية مصر العربية وأكبر مدنها.",
    "تهران پایتخت ایران است و بزرگ‌ترین شهر این کشور است.",
    "Hà Nội là thủ đô của nước Cộng hòa Xã hội chủ nghĩa Việt Nam.",
    unicodedata.normalize("NFD", "Hà Nội là thủ đô của nước Cộng hòa Xã hội chủ nghĩa Việt Nam."),
    "Școala și țara: Bucureștiul e capitala României.",
    "Η Αθήνα είναι η πρωτεύουσα της Ελλάδας.",
    "ירושלים היא בירת ישראל.",
    "กรุงเทพมหานครเป็นเมืองหลวงของประเทศไทย",
    "नई दिल्ली भारत की राजधानी है।",
    "«Bonjour» il fait 20° dehors\xa0! C'est l'été.",
    "it’s — “quoted” … text, isn’t it?",
    "😀 hello 😀 𠀀𠀁 world",
    "Der Bundestag hat am Freitag über den Haushalt beraten. Die Opposition kritisierte die Pläne.",
    "El Gobierno aprobó ayer la reforma de las pensiones, que entrará en vigor en enero.",
    "Le gouvernement a présenté mercredi son projet de loi sur les retraites.",
    "English text with 一些中文 and some Русский mixed in, plus عربي too.",
    "Obrigado por tudo, muchas gracias",
    "Ik ben een Berliner und du",
]


def _langdetect(text: str) -> tuple[list[str], list[tuple[str, float]] | int]:
    """langdetect's n-grams for ``text``, and its probabilities (or its error code)."""
    detector = _factory().create()
    detector.append(text)
    detector.cleaning_text()
    ngrams: list[str] = detector._extract_ngrams()
    detector._extract_ngrams = lambda: ngrams  # get_probabilities: the same again (once is enough)
    try:
        return ngrams, [(str(lang.lang), float(lang.prob)) for lang in detector.get_probabilities()]
    except LangDetectException as e:
        return ngrams, int(e.code)


def _reference(text: str) -> list[tuple[str, float]] | int:
    """langdetect's probabilities for ``text`` (or its error code)."""
    return _langdetect(text)[1]


def _ours(ident: langid.LangId, text: str) -> list[tuple[str, float]] | int:
    try:
        return [(str(lang.lang), float(lang.prob)) for lang in ident.get_probabilities(text)]
    except LangDetectException as e:
        return int(e.code)


@pytest.fixture(scope="module")
def ident() -> langid.LangId:
    assert DetectorFactory.seed == 0  # cleaner.text.language's setting
    return langid.LangId(langid.profiles())  # the cached table, as cleaning uses it


def _texts() -> Iterator[tuple[str, str]]:
    for k, path in enumerate(ARTICLES):
        text = path.read_text("utf-8")
        yield path.stem, text
        if k % 6 == 0:
            yield f"{path.stem}-sample", language_sample(text)
        # lines: headings, datelines, credits, sentences (short texts take langdetect's longest)
        for n, line in enumerate(text.split("\n")[k % 7 :: 20]):
            if line.strip():
                yield f"{path.stem}-line{n}", line
    for k, text in enumerate(STRINGS):
        yield f"string{k}", text


TEXTS = dict(_texts())


@pytest.mark.parametrize("name", list(TEXTS))
def test_the_same_ngrams_and_probabilities_as_langdetect(ident: langid.LangId, name: str) -> None:
    text = TEXTS[name]
    ngrams, expected = _langdetect(text)
    assert ident.features(text) == ngrams
    assert _ours(ident, text) == expected
    assert _ours(ident, text) == expected  # again, from the word memory


def test_the_texts_are_varied(ident: langid.LangId) -> None:
    """The comparisons above cover many languages, close calls and texts without features."""
    results = [_ours(ident, text) for name, text in TEXTS.items() if "-" not in name]
    top = {r[0][0] for r in results if isinstance(r, list) and r}
    assert {"en", "de", "fr", "es", "ru", "zh-cn", "ja", "ko", "ar", "fa", "vi", "el", "he", "th", "hi"} <= top
    assert sum(isinstance(r, list) and len(r) >= 2 for r in results) >= 5
    assert sum(r == ErrorCode.CantDetectError for r in results) >= 3


def test_no_features_raise_as_in_langdetect(ident: langid.LangId) -> None:
    for text in ["", "12 34 -- !!", "http://example.com/x", "«» — …"]:
        with pytest.raises(LangDetectException) as raised:
            ident.get_probabilities(text)
        assert raised.value.code == ErrorCode.CantDetectError
        assert _reference(text) == ErrorCode.CantDetectError


def test_long_text_is_cut_where_langdetect_cuts_it(ident: langid.LangId) -> None:
    text = "\n".join(path.read_text("utf-8") for path in ARTICLES[:12])  # German at the end
    assert len(text) > langid.MAX_TEXT_LENGTH
    text = text + " Москва " * 2000
    ngrams, expected = _langdetect(text)
    assert ident.features(text) == ngrams
    assert _ours(ident, text) == expected


@pytest.mark.parametrize("seed", [1, 12345])
def test_other_seeds_give_langdetects_other_answers(
    ident: langid.LangId, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "Some words here, quelques mots ici, einige Wörter hier, algunas palabras aquí."
    at_zero = _ours(ident, text)
    monkeypatch.setattr(DetectorFactory, "seed", seed)
    assert _ours(ident, text) == _reference(text)
    assert _ours(ident, text) != at_zero


def test_a_small_word_memory_gives_the_same_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(langid, "WORD_CACHE_SIZE", 3)
    ident = langid.LangId(_factory())
    for text in STRINGS[15:25]:
        assert _ours(ident, text) == _reference(text)
    assert len(ident._words) <= 3


def test_word_runs_split_where_ngram_normalize_makes_a_space() -> None:
    """Every character of the BMP, and every 97th beyond: in a word run exactly when
    ``NGram.normalize`` does not turn it into a space."""
    codes = [*range(0xD800), *range(0xE000, 0x10000), *range(0x10000, 0x110000, 97)]
    text = "".join(map(chr, codes))
    in_runs = [False] * len(text)
    for run in langid.WORD.finditer(text):
        in_runs[run.start() : run.end()] = [True] * (run.end() - run.start())
    expected = [NGram.normalize(ch) != " " for ch in text]
    assert [chr(codes[k]) for k, (a, b) in enumerate(zip(in_runs, expected, strict=True)) if a != b] == []


def test_detect_sample_is_langdetects_answer() -> None:
    for path in ARTICLES[::4]:
        sample = language_sample(path.read_text("utf-8"))
        expected = _reference(sample)
        assert isinstance(expected, list)
        assert detect_sample(sample) == (expected[0][0], round(expected[0][1], 4))
    assert detect_sample("12 34 -- !! " * 10) == ("und", 0.0)


def test_detect_sample_needs_twenty_letters() -> None:
    assert detect_sample("Ab, 1 " * 9 + "c.") == ("und", 0.0)  # 19 letters
    expected = _reference("Ab, 1 " * 10)  # 20
    assert isinstance(expected, list)
    assert detect_sample("Ab, 1 " * 10) == (expected[0][0], round(expected[0][1], 4))


def test_the_cached_profiles_are_langdetects_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    factory = _factory()
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path))
    langid.profiles.cache_clear()
    try:
        built = langid.profiles()  # built from the factory, and written
        files = sorted(p.name for p in tmp_path.iterdir())
        assert len(files) == 2 and langid._names_path().name in files  # the names and their table
        langid.profiles.cache_clear()
        read = langid.profiles()  # read back, memory-mapped
        assert isinstance(read.word_lang_prob_map.matrix, numpy.memmap)
        for table in (built, read):
            assert table.langlist == factory.langlist
            assert table.seed == factory.seed == 0
            assert list(table.word_lang_prob_map) == list(factory.word_lang_prob_map)
            for gram, probs in factory.word_lang_prob_map.items():
                assert table.word_lang_prob_map[gram].tolist() == probs
    finally:
        langid.profiles.cache_clear()


def test_damaged_or_mismatched_cached_profiles_are_built_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path))
    langid.profiles.cache_clear()
    try:
        good = langid.profiles()
        names = json.loads(langid._names_path().read_text("utf-8"))
        table = tmp_path / names["table"]
        table.write_bytes(b"")  # a crash's empty file
        langid.profiles.cache_clear()
        assert langid.profiles().langlist == good.langlist
        # another install's languages in another order: its table has another name
        other = {**names, "langlist": names["langlist"][::-1], "table": "elsewhere.npy"}
        langid._names_path().write_text(json.dumps(other), "utf-8")
        langid.profiles.cache_clear()
        assert langid.profiles().langlist == good.langlist
    finally:
        langid.profiles.cache_clear()


def test_the_default_is_one_detector_on_the_cached_profiles() -> None:
    assert langid.default() is langid.default()
    assert isinstance(langid.default().factory, langid.Profiles)
