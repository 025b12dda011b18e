"""Comment threads (BP028, issue 11): found by their signatures, removed in one explained edit, article kept."""

from __future__ import annotations

from pathlib import Path

from cleaner.document import Document, apply_edits
from cleaner.pipeline import Cleaner
from cleaner.settings import Settings

ARTICLE = [
    "By Jane Doe on July 10, 2012 at 9:00 am",
    "The council voted on Tuesday to keep the minimum fare for ride services in the city.",
    "Members said the rule protects drivers, while the companies said it protects incumbents.",
    "The vote was seven to four, and the mayor is expected to sign the bill on Friday.",
]
NAMES = ["Nora Patel", "Owen Brandt", "Ravi", "Jo", "Sam Ortega", "Kit"]


def _comments(footer: bool) -> list[str]:
    lines = []
    for i, name in enumerate(NAMES):
        signature = f"by {name} on July {10 + i}, 2012 at {i + 1}:0{i} pm. Reply #"
        body = [f"Comment number {i} says the council got it {'right' if i % 2 else 'wrong'}.", "Thanks for writing."]
        lines += [*body, signature] if footer else [signature, *body]
    return lines


def _clean(lines: list[str]) -> Document:
    return Cleaner(Settings()).clean(Document("t", "\n".join(lines)))


def test_a_thread_under_the_article_goes_in_one_explained_edit_and_the_byline_stays() -> None:
    doc = _clean([*ARTICLE, "6 Comments", *_comments(footer=False), "Reply"])
    assert doc.text == _clean(ARTICLE).text  # what the other rules make of the article alone
    threads = [e for e in doc.edits if e.code == "BP028"]
    assert len(threads) == 1
    assert "6 signatures" in threads[0].note
    assert "by Nora Patel on July 10, 2012" in threads[0].note
    assert "Jane Doe" not in threads[0].removed  # the byline is of another template
    assert apply_edits(doc.original or "", doc.edits) == doc.text


def test_signatures_after_their_comments_leave_the_first_comment_not_the_article() -> None:
    # nothing tells the first comment's text from the article's last paragraph: it stays
    doc = _clean([*ARTICLE, *_comments(footer=True)])
    assert doc.text.startswith(_clean(ARTICLE).text)
    assert "Comment number 0" in doc.text
    assert "Comment number 1" not in doc.text and "Nora Patel" not in doc.text


def test_cleaning_the_output_again_changes_nothing() -> None:
    for footer in (False, True):
        once = _clean([*ARTICLE, *_comments(footer), "Leave a Reply", "Name (required)"]).text
        assert _clean(once.split("\n")).text == once


def test_two_signatures_are_no_thread() -> None:
    doc = _clean([*ARTICLE, *_comments(footer=False)[:6]])
    assert not [e for e in doc.edits if e.code == "BP028"]
    assert "Comment number 1" in doc.text


def test_other_languages_are_left_alone() -> None:
    # the signature forms are English; a German page with the same rhythm is not judged by them
    article = [
        "Der Stadtrat hat am Dienstag beschlossen, den Mindestpreis für Fahrdienste beizubehalten.",
        "Die Mitglieder sagten, die Regel schütze die Fahrer, während die Firmen widersprachen.",
    ]
    comments = []
    for i, name in enumerate(NAMES):
        comments += [f"von {name} am {10 + i}. Juli 2012 um {i + 1}:0{i} Uhr | Antworten", "Das ist eine gute Sache."]
    lines = article + comments
    doc = _clean(lines)
    assert not [e for e in doc.edits if e.code == "BP028"]


def test_a_header_never_reaches_over_article_text() -> None:
    lines = [*ARTICLE, "Reactions", "The mayor welcomed the ruling.", *_comments(footer=False), "Reply"]
    doc = _clean(lines)
    assert "The mayor welcomed the ruling." in doc.text
    assert "Comment number 1" not in doc.text


def test_times_without_dates_are_no_signatures() -> None:
    # race results, schedules, itineraries: a name, a dash and a time, a few lines apart
    lines = ["Results from Sunday's marathon."]
    for i, name in enumerate(["Eliud Kipchoge", "Amos Kipruto", "Mark Korir", "Tadu Abate"]):
        lines += [f"{i + 1}. {name} — 2:0{i}:09", f"Runner {i + 1} finished strongly in the heat."]
    doc = _clean(lines)
    assert not [e for e in doc.edits if e.code == "BP028"]


def test_the_signature_shortcut_turns_away_no_line_the_patterns_take() -> None:
    # signature_template skips a line without ":" or one of _STAMP_OR_WRITES; the rule's stamp and
    # writes patterns (the only ways in) must take no such line, among every line the tests hold
    from cleaner.boilerplate import thread
    from cleaner.ruleset.model import load_rules

    rules = load_rules()
    spec = rules.get("BP028").spec  # type: ignore[attr-defined]
    texts = [t for r in rules.rules for inp, out in r.examples for t in (inp, out)]
    texts += [n for r in rules.rules for n in r.negatives]
    fixtures = Path(__file__).parent / "fixtures"
    texts += [p.read_text("utf-8", errors="replace") for p in sorted(fixtures.rglob("*")) if p.is_file()]
    texts += ["Jane Roe · 3 hours ago", "Tom Fields said,", "Mary Poe WROTE...", "An Li, a day ago"]
    lines = {line.strip() for text in texts for line in text.splitlines() if line.strip()}
    taken = [line for line in lines if spec.stamp.search(line) or spec.writes.search(line)]
    assert len(taken) > 20  # the check has something to check
    skipped = [
        line for line in taken if ":" not in line and not any(w in line.casefold() for w in thread._STAMP_OR_WRITES)
    ]
    assert skipped == []
