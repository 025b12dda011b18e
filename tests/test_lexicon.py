"""The memory-mapped frequency tables give wordfreq's own numbers, and are built once and reused."""

from __future__ import annotations

import os
import random
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from wordfreq import get_frequency_dict

from cleaner.steps.glue import LEXICON_LANGUAGES
from cleaner.text import lexicon


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path / "cache"))
    lexicon.table.cache_clear()
    yield tmp_path / "cache"
    lexicon.table.cache_clear()


def test_every_word_of_a_language_has_its_wordfreq_frequency(fresh_cache: Path) -> None:
    words = get_frequency_dict("nl")
    table = lexicon.table(("nl",))
    assert len(table) == len(words)
    got = table.get_many(list(words))
    assert np.array_equal(got, np.fromiter(words.values(), dtype=np.float64))


def test_the_eight_languages_table_gives_the_highest_frequency_of_any() -> None:
    # the table the glue splitter uses, from the user's cache (built there once)
    dicts = [get_frequency_dict(lang) for lang in LEXICON_LANGUAGES]
    rng = random.Random(5)
    sample = [w for d in dicts for w in rng.sample(list(d), 3000)]
    table = lexicon.table(LEXICON_LANGUAGES)
    for word in sample:
        assert table.get(word) == max(d.get(word, 0.0) for d in dicts), word


def test_words_no_lexicon_knows_get_zero(fresh_cache: Path) -> None:
    table = lexicon.table(("en",))
    for word in ["zzqxjv", "", "qwertyuiopasdf", "the-the-the-the"]:
        assert table.get(word) == 0.0
        assert word not in table
    assert "the" in table
    assert table.get_many(["zzqxjv", "the"]).tolist()[0] == 0.0


def test_the_table_is_written_once_and_read_back(fresh_cache: Path) -> None:
    first = lexicon.table(("en",))
    files = sorted(p.name for p in fresh_cache.iterdir())
    assert len(files) == 2 and all(".tmp-" not in f for f in files)
    lexicon.table.cache_clear()
    again = lexicon.table(("en",))
    assert again is not first
    assert isinstance(again._keys, np.memmap)  # opened from the file, not built again
    assert again.get("house") == first.get("house") == get_frequency_dict("en")["house"]


def test_a_damaged_cache_file_is_built_again(fresh_cache: Path) -> None:
    lexicon.table(("en",))
    for path in fresh_cache.iterdir():
        path.write_bytes(b"not a numpy file")
    lexicon.table.cache_clear()
    assert lexicon.table(("en",)).get("house") == get_frequency_dict("en")["house"]


def test_without_a_writable_cache_the_table_is_kept_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(blocker / "cache"))
    lexicon.table.cache_clear()
    try:
        table = lexicon.table(("en",))
        assert table.get("house") == get_frequency_dict("en")["house"]
        assert not isinstance(table._keys, np.memmap)
    finally:
        lexicon.table.cache_clear()


def test_the_cache_folder_without_a_home_or_with_a_relative_xdg_path(monkeypatch: pytest.MonkeyPatch) -> None:
    from cleaner import cache

    monkeypatch.delenv("CLEANER_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # not absolute: ignored, as the XDG spec asks
    monkeypatch.setenv("HOME", "/home/someone")
    assert cache.cache_dir() == Path("/home/someone/.cache/cleaner")

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert cache.cache_dir().parent == Path(tempfile.gettempdir())


def test_cache_files_are_whole_and_readable_by_all(fresh_cache: Path) -> None:
    from cleaner.cache import store

    target = fresh_cache / "sub" / "file.bin"
    mask = os.umask(0o022)  # a new file gets 0666 less the umask, as every output does
    try:
        assert store(target, lambda f: f.write(b"data"))
    finally:
        os.umask(mask)
    assert target.read_bytes() == b"data"
    assert target.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in target.parent.iterdir()] == ["file.bin"]  # no temporary file left


def test_an_empty_table_file_is_built_again(fresh_cache: Path) -> None:
    lexicon.table(("en",))
    for path in fresh_cache.iterdir():
        path.write_bytes(b"")  # what a crash before the data reached the disk could leave
    lexicon.table.cache_clear()
    assert lexicon.table(("en",)).get("house") == get_frequency_dict("en")["house"]


def test_a_derived_value_is_built_once_and_a_damaged_file_again(fresh_cache: Path) -> None:
    from cleaner.cache import derived

    calls: list[int] = []

    def build() -> list[str]:
        calls.append(1)
        return ["en", "fr"]

    assert derived("langs-v1.json", build) == ["en", "fr"]
    assert derived("langs-v1.json", build) == ["en", "fr"]
    assert len(calls) == 1  # the second came from the file
    (fresh_cache / "langs-v1.json").write_text("{not json", "utf-8")
    assert derived("langs-v1.json", build) == ["en", "fr"] and len(calls) == 2


def test_the_leads_languages_and_alphabets_are_wordfreqs(fresh_cache: Path) -> None:
    from wordfreq import available_languages

    from cleaner.steps import leads

    leads._languages.cache_clear()
    leads._alphabet.cache_clear()
    try:
        expected = set(available_languages("small")) | set(available_languages("large"))
        assert leads._languages() == expected
        alphabet = leads._alphabet("en")
        assert set("abcdefghijklmnopqrstuvw") <= set(alphabet)  # the letters that start many English words
        leads._alphabet.cache_clear()
        assert leads._alphabet("en") == alphabet  # read back from the cache file
    finally:
        leads._languages.cache_clear()
        leads._alphabet.cache_clear()
