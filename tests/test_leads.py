"""Truncated leads (RP002) and truncated tails: restorations, drops, what is never touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.document import apply_edits
from cleaner.pipeline import clean_text
from cleaner.ruleset.registry import RepairContext
from cleaner.steps.leads import judge, restore_lead, truncated_tail

from .conftest import seed_text

ARTICLES = sorted((Path(__file__).parent / "fixtures" / "articles").glob("*.txt"))

FLAT_TAIL = (
    "the department of homeland security said the sides agreed to streamline the process for "
    "identifying and returning fugitives along with those who have overstayed their visas"
)


def repair(text: str) -> str:
    return restore_lead(text, RepairContext("RP002", "truncated-lead"))[0]


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("olice said on Monday that the suspect fled. He was caught later. Nobody was hurt.", "Police"),
        ("ccording to officials, the talks went on for hours. Nothing changed. They meet again.", "According"),
        ("euters reported the deal on Monday. The shares rose. Analysts agreed.", "Reuters"),
        ("ASHINGTON (Reuters) - The Senate voted on Tuesday. The bill passed.", "WASHINGTON"),
        ("ERLIN -- The German government said on Monday it would act. It did. Nothing changed.", "BERLIN"),
        ("ubai's flagship carrier ordered new jets. The order is large. Boeing welcomed it.", "Dubai's"),
        ("elow, we analyze the results of the survey. They are clear. Nothing changed.", "Below,"),
        ("апитализм переживает трудные времена. Экономисты спорят. Рынки падают.", "Капитализм"),
        ("ith " + FLAT_TAIL, "with"),
        ("apitalism struggles during the pandemic " + FLAT_TAIL, "capitalism"),
    ],
)
def test_restores_a_cut_first_word_in_the_text_s_case(text: str, first: str) -> None:
    assert repair(text).split()[0] == first


def test_drops_an_ambiguous_fragment_and_capitalises_the_new_start() -> None:
    text = "hen the talks ended, the two sides left. They met again on Friday. Nothing changed."
    new, edits = restore_lead(text, RepairContext("RP002", "truncated-lead"))
    assert new == "The talks ended, the two sides left. They met again on Friday. Nothing changed."
    assert [e.note for e in edits] == ["dropped a cut first word"]


def test_drops_in_flattened_text_without_capitalising() -> None:
    assert repair("hen " + FLAT_TAIL) == FLAT_TAIL


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  \n",
        "Hello",
        "hello world",
        "ccording",  # one word: no language to judge it by
        "2019 was a big year for the company. Sales rose. Shares fell.",
        "19th-century houses line the street. They are old. Nobody minds.",
        "(Reuters) — The New York State Attorney General is investigating WeWork, two people said.",
        "“olice said,” the headline read. It was cut. Nobody noticed.",
        "[Updated] the talks went on. They ended. Nothing changed.",
        "iPhone sales rose in the quarter. Apple said so on Monday. Shares fell.",
        "eBay said on Monday that sales rose. The shares rose. Analysts agreed.",
        "de Blasio said on Monday that the city would act. It did. Nothing changed.",
        "NYAG is investigating WeWork, two people said. It is early. Nothing is known.",
        "FBI agents searched the house on Monday. They left. Nothing was found.",
        "NASA has recruited a new class of astronauts. They start in June. Training takes two years.",
        "US President Donald Trump spoke on Monday. He was brief. Reporters left.",
        "x-ray images were taken on Monday. They showed nothing. Doctors agreed.",
        "americans have gone to the polls four times this month " + FLAT_TAIL,
        "his shop has been compensated by an advertiser " + FLAT_TAIL,  # "this"? a word: kept
        "u s officials said " + FLAT_TAIL,  # flattened "U.S.": single letters are kept
        "Our success mindset matters. Here is why. It is simple.",
    ],
)
def test_leaves_an_intact_first_word_alone(text: str) -> None:
    assert restore_lead(text, RepairContext("RP002", "truncated-lead")) == (text, [])


CASES = [
    "olice said on Monday that the suspect fled. He was caught later. Nobody was hurt.",
    "hen the talks ended, the two sides left. They met again on Friday. Nothing changed.",
    "\n\nolice said on Monday that the suspect fled. He was caught later. Nobody was hurt.",
    "  ASHINGTON (Reuters) - The Senate voted on Tuesday. The bill passed.",
    "hen " + FLAT_TAIL,
    "t was late when they left. They met again. Nothing changed.",
]


@pytest.mark.parametrize("text", CASES)
def test_idempotent_deterministic_and_replayable(text: str) -> None:
    new, edits = restore_lead(text, RepairContext("RP002", "truncated-lead"))
    assert edits
    assert apply_edits(text, edits) == new
    assert restore_lead(new, RepairContext("RP002", "truncated-lead")) == (new, [])
    assert restore_lead(text, RepairContext("RP002", "truncated-lead")) == (new, edits)


def test_edit_offsets_skip_leading_blank_lines() -> None:
    text = "\n\nolice said on Monday that the suspect fled. He was caught later. Nobody was hurt."
    new, edits = restore_lead(text, RepairContext("RP002", "truncated-lead"))
    assert new.startswith("\n\nPolice said")
    assert (edits[0].start, edits[0].line, edits[0].inserted) == (2, 3, "P")


def test_a_one_letter_fragment_is_dropped_not_guessed() -> None:
    # "t" is "It" or "At": the word is dropped, the next one starts the sentence
    assert repair("t was late when they left. They met again. Nothing changed.").startswith("Was late")


def test_verdict_explains_the_decision() -> None:
    v = judge("olice said on Monday that the suspect fled. He was caught later. Nobody was hurt.")
    assert (v.action, v.word, v.lang) == ("restore", "police", "en")
    assert v.odds > 1
    assert v.share >= 0.75


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_never_fires_on_clean_articles(path: Path) -> None:
    text = path.read_text("utf-8")
    assert restore_lead(text, RepairContext("RP002", "truncated-lead")) == (text, [])


def test_seeds() -> None:
    assert repair(seed_text("000")).startswith("capitalism struggles during covid 19 pandemic")
    second = seed_text("001")
    assert restore_lead(second, RepairContext("RP002", "truncated-lead")) == (second, [])


def test_pipeline_restores_a_lead_bared_by_boilerplate() -> None:
    # the junk line goes first, then the repair sees the new first word; cleaning again changes nothing
    once = clean_text("Advertisement\nolice said on Monday that the suspect fled. He was caught later.")
    assert once == "Police said on Monday that the suspect fled. He was caught later."
    assert clean_text(once) == once


# --- truncated tails -------------------------------------------------------------------------


def test_seed_tails() -> None:
    assert truncated_tail(seed_text("000"))  # "... indictment of five chinese"
    assert not truncated_tail(seed_text("001"))


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_clean_articles_have_whole_tails(path: Path) -> None:
    assert not truncated_tail(path.read_text("utf-8"))


@pytest.mark.parametrize(
    "text",
    [
        "The talks went on for hours.\nThe two sides agreed to meet again in Geneva next month, but neither",
        "The talks went on for hours. The two sides agreed that the next round would be held in the",
        "Officials met on Monday.\nThey discussed the future of the",
        FLAT_TAIL + " and the",
        FLAT_TAIL + " to the indictment of five chinese",
    ],
)
def test_cut_tails_are_flagged(text: str) -> None:
    assert truncated_tail(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n",
        "Word",
        "the",  # one word: not prose
        "2019",
        "The talks went on for hours, officials said.",
        "“We will meet again,” she said.\n“Soon”",
        "The talks went on for hours (officials said so)",
        "The talks went on for hours, officials said…",
        "The talks went on for hours.\nShare this article",
        "The talks went on for hours.\nMore From Our Partners And Around The Web",
        "The talks went on for hours.\nFor more information, please visit www.example.com",
        "The talks went on for hours.\nTotal: 2,400",
        "The talks went on for hours.\nReporting by Jane Doe; Editing by John Smith",
        FLAT_TAIL,
        FLAT_TAIL + " officials said",
        "in the first place we went to the market and bought apples " * 3,
    ],
)
def test_whole_tails_are_not_flagged(text: str) -> None:
    assert not truncated_tail(text)
