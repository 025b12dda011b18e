"""Flattened text (lowercase, no punctuation, one line): link widgets go, datelines start the body.

The key false-positive test flattens the clean articles of ``fixtures/articles`` (which have no
widget at all) and checks that neither repair touches them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cleaner.document import Document, apply_edits
from cleaner.pipeline import Cleaner
from cleaner.ruleset.registry import RepairContext
from cleaner.steps.flat import find_flat_dateline, split_flat_dateline, strip_flat_widgets
from cleaner.text.style import is_flat

from .conftest import seed_text

ARTICLES = sorted((Path(__file__).parent / "fixtures" / "articles").glob("*.txt"))


def flatten(text: str) -> str:
    """Text as flattened corpora ship it: lowercase, punctuation gone, one line."""
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]|_", " ", text.lower())).strip()


def widgets(text: str) -> list[str]:
    return [e.removed for e in strip_flat_widgets(text, RepairContext("RP003", "flat-widget"))[1]]


# --- the seed ---------------------------------------------------------------------------------

SEED = seed_text("000").rstrip("\n")


def test_seed_widget_goes_and_article_stays() -> None:
    out, edits = strip_flat_widgets(SEED, RepairContext("RP003", "flat-widget"))
    assert len(edits) == 1
    removed = edits[0].removed
    assert removed.startswith("top stories trump dismisses hydroxychloroquine criticism")
    assert "ravi zacharias may be the greatest christian expositor of the 21st century" in removed
    assert removed.rstrip().endswith("first state to offer free abortions for all including illegal aliens")
    assert "top stories" not in out
    assert "counterterrorism and cybersecurity a department news release sunday said the sides would share" in out
    assert out.endswith("indictment of five chinese")
    assert apply_edits(SEED, edits) == out


def test_seed_dateline_starts_the_body() -> None:
    out, edits = split_flat_dateline(SEED, RepairContext("RP004", "flat-dateline"))
    assert out.split("\n")[0] == "apitalism struggles during covid 19 pandemic"
    assert out.split("\n")[1].startswith("beijing ap china and the u s are boosting cooperation")
    assert [(e.removed, e.inserted) for e in edits] == [(" ", "\n")]
    assert is_flat(out)


def test_seed_through_the_pipeline() -> None:
    doc = Cleaner().clean(Document("seed", SEED))
    assert "hydroxychloroquine" not in doc.text
    assert "\nbeijing ap china and the u s" in doc.text
    assert doc.text.endswith("indictment of five chinese")
    assert {"RP003", "RP004"} <= {e.code for e in doc.edits}
    assert apply_edits(SEED, doc.edits) == doc.text
    assert Cleaner().clean(Document("again", doc.text)).edits == []


# --- false positives: clean articles, flattened ------------------------------------------------


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.stem)
def test_flattened_clean_article_is_left_alone(path: Path) -> None:
    text = flatten(path.read_text("utf-8"))
    assert strip_flat_widgets(text, RepairContext("RP003", "flat-widget"))[1] == []
    assert split_flat_dateline(text, RepairContext("RP004", "flat-dateline"))[1] == []


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.stem)
def test_structured_clean_article_is_not_flat(path: Path) -> None:
    text = path.read_text("utf-8")
    assert strip_flat_widgets(text, RepairContext("RP003", "flat-widget")) == (text, [])
    assert split_flat_dateline(text, RepairContext("RP004", "flat-dateline")) == (text, [])


BRIDGE = (
    "the city council voted on tuesday to close the old harbor bridge to trucks after engineers found "
    "cracks in two of its steel supports the bridge will stay open to cars and buses while the council "
    "looks for money to repair it engineers said the cracks were found during a routine inspection last "
    "month and that the bridge is safe for light traffic the council expects repairs to cost about 4 million"
)
HEADLINES = "celebrity chef launches vegan diner in brooklyn ten best black friday deals on laptops"


@pytest.mark.parametrize(
    "text",
    [
        # header words in prose: the grammar around them, or the topic of what follows, says so
        BRIDGE.replace("engineers said", "engineers who read more about the cracks said"),
        BRIDGE.replace("the council expects", "the bridge is the most popular route for trucks the council expects"),
        BRIDGE.replace("engineers said", "the cracks are related to the age of the bridge engineers said"),
        BRIDGE.replace("engineers said", "trucks began trending away from the bridge engineers said"),
        BRIDGE.replace("engineers said", "we recommend it to cars and buses engineers said"),
        BRIDGE.replace("engineers said", "top stories about the bridge and its cracks engineers said"),
        BRIDGE.replace("engineers said", "don t miss the bridge repairs the council said engineers said"),
    ],
)
def test_header_words_in_prose_stay(text: str) -> None:
    assert is_flat(text)
    assert widgets(text) == []


# --- widgets of several families --------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    ["top stories", "read more", "related stories", "trending now", "you may also like", "most popular", "see also"],
)
def test_widget_families(header: str) -> None:
    text = BRIDGE.replace(" engineers said", f" {header} {HEADLINES} engineers said")
    out, edits = strip_flat_widgets(text, RepairContext("RP003", "flat-widget"))
    assert out == BRIDGE
    assert apply_edits(text, edits) == out
    assert strip_flat_widgets(out, RepairContext("RP003", "flat-widget"))[1] == []


def test_two_widgets_and_a_cut_first_word() -> None:
    text = "ity " + BRIDGE.replace(" engineers said", f" top stories {HEADLINES} engineers said")
    comet = " read more scientists spot rare comet over iceland"
    text = text.replace(" the council expects", comet + " the council expects")
    out, edits = strip_flat_widgets(text, RepairContext("RP003", "flat-widget"))
    assert out == "ity " + BRIDGE
    assert len(edits) == 2


def test_widget_at_the_end_keeps_the_line_break_out() -> None:
    text = BRIDGE + f" top stories {HEADLINES}"
    out, _ = strip_flat_widgets(text, RepairContext("RP003", "flat-widget"))
    assert out == BRIDGE


def test_not_flat_is_left_alone() -> None:
    text = BRIDGE.replace(" engineers said", f". Top Stories: {HEADLINES}. Engineers said")
    assert not is_flat(text)
    assert widgets(text) == []


# --- datelines ----------------------------------------------------------------------------------

BODY = (
    "scientists on monday unveiled the first global geological map of the moon titan including vast "
    "plains and dunes of frozen organic material and lakes of liquid methane the researchers said"
)


@pytest.mark.parametrize(
    ("dateline", "headline"),
    [
        ("washington reuters", "scientists unveil first map of titan"),
        ("new york reuters", "scientists unveil first map of titan"),
        ("hayward calif ap", "commuter train stabbing leaves one dead"),
        ("sioux falls s d ap", "state campaign draws mockery online"),
        ("hanoi vietnam ap", "defense secretary accuses china of coercion"),
        ("hong kong cnn business", "markets wait on trade talks"),
        ("cnn", "president makes unscheduled trip to hospital"),
    ],
)
def test_dateline_after_a_headline(dateline: str, headline: str) -> None:
    text = f"{headline} {dateline} {BODY}"
    out, edits = split_flat_dateline(text, RepairContext("RP004", "flat-dateline"))
    assert out == f"{headline}\n{dateline} {BODY}"
    assert split_flat_dateline(out, RepairContext("RP004", "flat-dateline"))[1] == []
    assert apply_edits(text, edits) == out


@pytest.mark.parametrize(
    "text",
    [
        f"washington reuters {BODY}",  # the dateline opens the text
        f"ashington reuters {BODY}",  # its first letter cut off: no known place
        f"{BODY} the team told reuters on monday that the map took years",  # mentioned later
        f"the map which the team showed to reuters on monday {BODY}",  # no place before it
        f"the team spoke in london ap style aside about the {BODY}",  # a place inside a sentence
        f"scientists told cnn that {BODY}",
        f"a new york reuters report says {BODY}",
        f"the photo was taken in beijing ap photo by a staff photographer {BODY}",
    ],
)
def test_agency_mentions_are_not_datelines(text: str) -> None:
    assert is_flat(text)
    assert find_flat_dateline(text) == -1
