"""Corpus evidence (issue 11): the lines a site repeats on many pages are furniture, removed with the count."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.corpus import Repeats, site_of
from cleaner.document import Document, apply_edits
from cleaner.pipeline import Cleaner, clean_stream
from cleaner.settings import Settings

runner = CliRunner()

MENU = ["Home", "World", "Business", "Sport", "Culture", "Opinion", "Log in", "Sign up for our daily briefing"]
FOOTER = ["About us", "Contact", "Terms of use", "Privacy policy", "© 2024 The Example Gazette"]
TOPICS = [
    ("river", "flood", "barrier", "Engineers raise the river barrier before winter"),
    ("school", "library", "books", "Pupils get a library of their own"),
    ("market", "square", "traders", "Weekly market returns to the old square"),
    ("bridge", "council", "vote", "Councillors back a second bridge"),
    ("orchestra", "concert", "violin", "Orchestra fills the cathedral for a free concert"),
    ("harbour", "ferry", "timetable", "Harbour ferries keep their summer timetable"),
]


def _article(i: int) -> list[str]:
    a, b, c, headline = TOPICS[i % len(TOPICS)]
    return [
        f"{headline} ({i})",
        f"Officials said on day {i} that the {a} {b} plan would move ahead: {headline.lower()}.",
        f"Residents near the {a} asked how the {b} would change their street, and the {c} answered them.",
        f"The work on the {a} starts next month and should end within {i + 2} weeks, the officials said.",
    ]


def _page(i: int) -> str:
    return "\n".join(MENU + _article(i) + FOOTER)


def _corpus(n: int = 60, host: str = "www.example.com") -> list[Document]:
    return [Document(str(i), _page(i), record={"url": f"https://{host}/story/{i}"}) for i in range(n)]


def _site(host: str, pages: list[str]) -> list[Document]:
    """The pages of one site, as a crawler's records (each with its ``url``)."""
    return [Document(str(i), text, record={"url": f"https://{host}/{i}"}) for i, text in enumerate(pages)]


def test_template_lines_go_with_their_count_and_the_articles_stay() -> None:
    docs = _corpus()
    table = Repeats().add_all(docs)
    cleaner = Cleaner(Settings(), table)
    for i, doc in enumerate(docs):
        text = doc.text
        out = cleaner.clean(doc)
        assert out.text == "\n".join(_article(i)), out.text
        notes = {e.note for e in out.edits if e.code == "CE001"}
        assert notes == {"seen on 60 pages of www.example.com"}
        assert apply_edits(text, out.edits) == out.text


def test_another_site_and_a_small_site_keep_their_lines() -> None:
    docs = _corpus(10) + _corpus(2, "other.org")  # the same menu on two pages of another site
    table = Repeats().add_all(docs)
    assert table.pages("www.example.com", "Home") == 10 and table.pages("other.org", "Home") == 2
    other = Cleaner(Settings(select=("CE",)), table).clean(docs[-1])
    assert other.edits == []


def test_copies_of_one_page_count_once() -> None:
    page = _page(1)
    docs = [Document(str(i), page, record={"url": f"https://x.org/{i}"}) for i in range(5)]
    table = Repeats().add_all(docs)
    assert table.sites["x.org"] == 1 and table.pages("x.org", "Home") == 1
    assert Cleaner(Settings(select=("CE",)), table).clean(docs[0]).edits == []


def test_a_pages_own_headline_stays_where_other_pages_list_it() -> None:
    # three pages list "Story 0" as a link; on page 0 it is the page's own headline
    headline = _article(0)[0]
    docs = _corpus(4)
    for d in docs[1:]:
        d.text += "\nMost read\n" + headline
    docs[0].text = docs[0].text.replace(_article(0)[0], headline)
    table = Repeats().add_all(docs)
    assert table.pages("www.example.com", headline) == 4
    cleaner = Cleaner(Settings(select=("CE",)), table)
    assert headline in cleaner.clean(docs[0]).text  # about the page: its words are the page's
    assert headline not in cleaner.clean(docs[1]).text  # a link to another story


def test_repeated_prose_stays() -> None:
    disclaimer = "The views expressed in this article are those of the author and not of the paper."
    docs = _corpus(5)
    for d in docs:
        d.text += "\n" + disclaimer
    table = Repeats().add_all(docs)
    assert disclaimer in Cleaner(Settings(select=("CE",)), table).clean(docs[0]).text


def test_idempotent_and_the_same_for_any_number_of_workers() -> None:
    table = Repeats().add_all(_corpus(12))
    one = [d.text for d in clean_stream(_corpus(12), Settings(), jobs=1, repeats=table)]
    two = [d.text for d in clean_stream(_corpus(12), Settings(), jobs=2, repeats=table, batch_docs=2)]
    assert one == two
    again = Cleaner(Settings(), table)
    assert all(again.clean(Document("x", t, record={"url": "https://www.example.com/x"})).edits == [] for t in one)


def test_site_of_falls_back_to_the_folder() -> None:
    assert site_of(Document("1", "", source="crawl/site-a/1.txt", path="crawl/site-a/1.txt")) == "crawl/site-a"
    assert site_of(Document("1", "", record={"domain": "Example.COM"})) == "example.com"


def test_cleaner_clean_uses_the_corpus_and_explains(tmp_path: Path) -> None:
    src = tmp_path / "crawl.jsonl"
    src.write_text("".join(json.dumps({"id": d.id, "url": d.record["url"], "text": d.text}) + "\n" for d in _corpus(8)))
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["clean", str(src), "-o", str(out), "--explain"])
    assert result.exit_code == 0, result.stderr
    assert "CE001 repeated-line: removed 'Home\\n' (seen on 8 pages of www.example.com)" in result.stdout
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert records[3]["text"] == "\n".join(_article(3))
    # --no-repeats cleans each page alone: the menu stays
    result = runner.invoke(app, ["clean", str(src), "-o", str(out), "--no-repeats"])
    assert result.exit_code == 0
    assert json.loads(out.read_text().splitlines()[0])["text"].startswith("Home\nWorld")


def _different_stories(n: int) -> list[str]:
    # n stories that share no more words than any two news stories do: sentences of random common words
    from random import Random

    from wordfreq import top_n_list

    rng = Random(11)
    vocabulary = [w for w in top_n_list("en", 3000)[300:] if w.isalpha() and len(w) > 3]
    stories = []
    for _ in range(n):
        sentences = [" ".join(rng.sample(vocabulary, 14)).capitalize() + "." for _ in range(6)]
        stories.append("\n".join(sentences))
    return stories


def test_sixty_stories_in_one_template_stay_sixty_clusters(tmp_path: Path) -> None:
    # the template (30 menu and footer lines) outweighs each story: without corpus evidence the
    # pages look like copies of one another
    menu = [f"Section {k} of the Example Gazette" for k in range(15)]
    footer = [f"Gazette service link number {k}" for k in range(15)]
    src = tmp_path / "crawl"
    src.mkdir()
    for i, story in enumerate(_different_stories(60)):
        (src / f"{i:02}.txt").write_text("\n".join([*menu, story, *footer]) + "\n", "utf-8")
    verdicts = tmp_path / "v.jsonl"

    def clusters(*flags: str) -> int:
        result = runner.invoke(app, ["dedup", str(src), "-o", str(verdicts), *flags])
        assert result.exit_code == 0, result.stderr
        return len({json.loads(line)["cluster"] for line in verdicts.read_text().splitlines()})

    assert clusters() == 60
    # the same run with the template left in: the check that this corpus tests what it should
    assert clusters("--ignore", "CE001") < 60


def _crawl(path: Path, docs: list[Document]) -> Path:
    path.write_text("".join(json.dumps({"id": d.id, "url": d.record["url"], "text": d.text}) + "\n" for d in docs))
    return path


def test_a_stored_table_carries_the_evidence_across_runs(tmp_path: Path) -> None:
    docs = _corpus(3)
    store = tmp_path / "repeats.npz"
    first = _crawl(tmp_path / "day1.jsonl", docs[:2])
    second = _crawl(tmp_path / "day2.jsonl", docs[2:])
    out = tmp_path / "out.jsonl"
    # two pages of the site: too few to call its menu furniture; the table is kept
    result = runner.invoke(app, ["clean", str(first), "-o", str(out), "--repeats-store", str(store)])
    assert result.exit_code == 0, result.stderr
    assert json.loads(out.read_text().splitlines()[0])["text"].startswith("Home\nWorld")
    assert store.exists()
    # the next day's single page is judged with the two pages seen before: three pages show the menu
    for _ in range(2):  # a page counted before is not counted again: the same run, the same result
        result = runner.invoke(app, ["clean", str(second), "-o", str(out), "--repeats-store", str(store), "--explain"])
        assert result.exit_code == 0, result.stderr
        assert json.loads(out.read_text())["text"] == "\n".join(_article(2))
        assert "(seen on 3 pages of www.example.com)" in result.stdout
    # the same page alone, without the table: nothing to go on
    result = runner.invoke(app, ["clean", str(second), "-o", str(out)])
    assert json.loads(out.read_text())["text"].startswith("Home\nWorld")


def test_check_leaves_the_store_alone_and_a_broken_store_is_a_clear_error(tmp_path: Path) -> None:
    src = _crawl(tmp_path / "crawl.jsonl", _corpus(3))
    store = tmp_path / "repeats.npz"
    result = runner.invoke(app, ["clean", str(src), "--check", "--repeats-store", str(store)])
    assert result.exit_code == 1  # the menus would go
    assert not store.exists()
    store.write_bytes(b"not a table")
    result = runner.invoke(app, ["clean", str(src), "--repeats-store", str(store)])
    assert result.exit_code == 2
    assert "cannot read the table of repeated lines" in result.stderr
    assert store.read_bytes() == b"not a table"


def test_index_uses_and_keeps_the_stored_table(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    docs = _corpus(3)
    _crawl(corpus / "a.jsonl", docs[:2])
    store = tmp_path / "repeats.npz"
    result = runner.invoke(
        app,
        ["index", str(corpus), "-o", str(tmp_path / "INDEX.json"), "--format", "json", "--repeats-store", str(store)],
    )
    assert result.exit_code == 0, result.stderr
    assert Repeats.load(store).pages("www.example.com", "Home") == 2


def test_cleaning_in_place_twice_with_a_store_counts_each_page_once(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    store = tmp_path / "repeats.npz"
    # a line on two pages of the folder's three: below CE001's three pages
    for i in range(3):
        masthead = "Harbour Times Local Edition\n" if i < 2 else ""
        # and an advertisement that the first run removes: the second run reads other texts
        page = f"{masthead}Story {i} is about the harbour.\nAdvertisement\nIts boats {i} sail at dawn.\n"
        (site / f"p{i}.txt").write_text(page, "utf-8")
    for _ in range(2):  # the second run reads the first run's output: the same pages, not new ones
        result = runner.invoke(app, ["clean", "--in-place", "--repeats-store", str(store), str(site), "--explain"])
        assert result.exit_code == 0, result.stderr
        assert "CE001" not in result.stdout
    assert Repeats.load(store).pages(next(iter(Repeats.load(store).sites)), "Harbour Times Local Edition") == 2


def test_damaged_stores_are_clear_errors(tmp_path: Path) -> None:
    import numpy as np

    src = _crawl(tmp_path / "crawl.jsonl", _corpus(3))
    good = tmp_path / "good.npz"
    assert runner.invoke(app, ["clean", str(src), "--repeats-store", str(good)]).exit_code == 0
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[:300])
    empty = tmp_path / "empty.npz"
    empty.write_bytes(b"")
    array = tmp_path / "array.npz"
    with array.open("wb") as f:
        np.save(f, np.arange(3))
    for store in (truncated, empty, array):
        result = runner.invoke(app, ["clean", str(src), "--repeats-store", str(store)])
        assert result.exit_code == 2, (store.name, result.stderr)
        assert "table of repeated lines" in result.stderr


# run-together pages: the site's blocks glued to each other and to the article, in another
# combination on every page, so that no whole line repeats (CE001 counts the blocks, RP001's cuts)
MOST_READ = [t[3] for t in TOPICS]


def _glued_page(i: int) -> str:
    article = _article(i)
    others = [h for k, h in enumerate(MOST_READ) if k != i % len(TOPICS)]
    widget = "Most read today" + "".join(others[i % 3 :] + others[: i % 3])
    return "\n".join([*article[:-1], article[-1] + widget])


def test_blocks_of_run_together_lines_go_with_their_count() -> None:
    docs = _site("glued.org", [_glued_page(i) for i in range(12)])
    table = Repeats().add_all(docs)
    assert table.pages("glued.org", docs[0].text.split("\n")[-1]) == 1  # no line repeats as a whole
    assert table.block_pages("glued.org", "Most read today") == 12
    cleaner = Cleaner(Settings(select=("CE",)), table)
    for i, doc in enumerate(docs):
        text = doc.text
        out = cleaner.clean(doc)
        assert out.text == "\n".join(_article(i)), out.text
        assert {e.note for e in out.edits} == {"seen on 12 pages of glued.org", "seen on 10 pages of glued.org"}
        assert apply_edits(text, out.edits) == out.text
        assert cleaner.clean(Document("again", out.text, record={"url": "https://glued.org/x"})).edits == []


def test_a_word_cut_out_of_a_name_stays() -> None:
    # RP001 may cut "FiveThirtyEight" (its parts are common words): one word between two cuts is
    # no block, even when every page of the site has it
    docs = _site("p.org", [f"Day {i}: the FiveThirtyEight model moved toward {TOPICS[i % 6][0]}" for i in range(8)])
    table = Repeats().add_all(docs)
    cleaner = Cleaner(Settings(select=("CE",)), table)
    assert all(cleaner.clean(d).edits == [] for d in docs)


def test_a_sentence_glued_to_repeated_links_stays() -> None:
    about = "The Gazette, founded in 1901, is owned by its readers and prints every day. Read our blog: Gazette Voice"
    docs = _site(
        "g.org",
        [f"{_article(i)[1]}\n{about}Follow the Gazette on FacebookLatest: {TOPICS[i % 6][3]} ({i})" for i in range(6)],
    )
    table = Repeats().add_all(docs)
    cleaner = Cleaner(Settings(select=("CE",)), table)
    for doc in docs:
        out = cleaner.clean(doc)
        assert about in out.text and "Follow the Gazette" not in out.text, out.text
        assert cleaner.clean(Document("again", out.text, record={"url": "https://g.org/x"})).edits == []


def test_a_run_together_paragraph_that_the_site_repeats_stays_as_prose() -> None:
    # syndicated copies of one story on a site: a paragraph run together (short sentences, a
    # sentence cut at a camel-cased name) and a link glued to it that differs on every page, so
    # that the line never repeats whole.  As a line the paragraph is prose; cut into blocks, each
    # is too short to be: the blocks that the site repeats, run together, are judged as one line
    paragraph = "The storm hit the coast at dawn.Roads were closed for hours.Schools stayed shut."
    sentence = "Fans of the StockCar series gathered in the old town on Sunday."
    docs = _site(
        "wire.org",
        [
            f"Storm day {i}\n{paragraph}Related: {TOPICS[i][3]}\n{sentence}Latest: {TOPICS[i + 1][3]}"
            # the site's button glued after the paragraph on every page: it goes, the paragraph stays
            f"\nDay {i} in pictures{paragraph}Click To Tweet"
            for i in range(4)
        ],
    )
    table = Repeats().add_all(docs)
    assert table.block_pages("wire.org", "Roads were closed for hours.") == 4
    cleaner = Cleaner(Settings(select=("CE",)), table)
    for doc in docs:
        out = cleaner.clean(doc)
        assert out.text.count(paragraph) == 2 and sentence in out.text, out.text
        assert "Click To Tweet" not in out.text, out.text
