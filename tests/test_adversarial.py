"""Hostile inputs (issue 9): the cleaner stays correct on them.  Their speed is measured by
``bench/adversarial.py``, never asserted here.

Generated lines made of the shapes that used to cost time quadratic in their length (long runs of
one letter, widget words repeated, glued capitals, long URLs, repeated credits) must clean to a
fixed point (cleaning the output again changes nothing and records no edit) with edits that
replay on the original.
"""

from __future__ import annotations

import random
import tomllib

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wordfreq import get_frequency_dict, zipf_frequency

from cleaner.boilerplate.engine import _MAX_RIDERS, _find_removals, apply_boilerplate
from cleaner.document import Document, Edit, LineMap, apply_edits
from cleaner.pipeline import Cleaner
from cleaner.ruleset.model import BlockRule, LineRule, Rule, RunRule, SpanRule, load_rules
from cleaner.ruleset.vocab import default_rules_dir, expand_patterns
from cleaner.steps import flat, glue
from cleaner.steps.glue import LEXICON_LANGUAGES, LONGEST_WORD, _button_cuts, _zipf, glue_points

_CLEANER = Cleaner()

_WIDGET_WORDS = [
    "Read More",
    "Advertisement",
    "Share",
    "Getty",
    "Photo: Getty Images",
    "Top Stories",
    "2H ago",
    # a comment's signature and its button (BP028 and its cuts)
    "Ann Lee — July 10th, 2012, 1:26 am",
    "Reply",
]
_PIECES = st.one_of(
    st.builds(lambda c, n: c * n, st.sampled_from("aZ!.-/ "), st.integers(1, 400)),
    st.builds(
        lambda w, n, sep: sep.join([w] * n),
        st.sampled_from(_WIDGET_WORDS),
        st.integers(1, 60),
        st.sampled_from(["", " ", "\n"]),
    ),
    st.builds(
        lambda words, sep: sep.join(words),
        st.lists(
            st.sampled_from(["Abc", "Def", "Read", "More", "China", "This", "Images", "The"]), min_size=1, max_size=80
        ),
        st.sampled_from(["", ".", " ", "/"]),
    ),
    st.builds(lambda q: "https://example.com/search?q=" + q, st.text("abc=&%0", min_size=1, max_size=300)),
    st.builds(lambda n: "linkedintwitteremail" * n, st.integers(1, 30)),
    st.just("The talks went on for hours on Friday, officials said, and the two sides agreed to meet again."),
)
_DOCS = st.lists(_PIECES, min_size=1, max_size=8).map("\n".join)


def _clean(text: str) -> Document:
    return _CLEANER.clean(Document("t", text))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_DOCS)
def test_hostile_text_cleans_to_a_fixed_point_with_edits_that_replay(text: str) -> None:
    doc = _clean(text)
    assert apply_edits(text, doc.edits) == doc.text
    again = _clean(doc.text)
    assert again.text == doc.text
    assert again.edits == []


def test_a_long_run_of_one_letter_is_left_as_it_is() -> None:
    text = "a" * 200_000
    doc = _clean(text)
    assert doc.text == text
    assert doc.edits == []


def test_a_url_with_a_long_query_is_left_as_it_is() -> None:
    text = "https://example.com/search?q=" + "a" * 100_000
    assert _clean(text).text == text


def test_thousands_of_read_more_lines_all_go() -> None:
    doc = _clean("Read More\n" * 8000)
    assert doc.text == ""
    assert apply_edits(doc.original or "", doc.edits) == ""


def test_buttons_run_together_are_cut_however_many() -> None:
    # the old recursive search ran out of stack past about 300 buttons
    assert _button_cuts("linkedintwitteremail" * 500)[:4] == [8, 15, 20, 28]
    assert glue_points("Retirementfacebook") == [10]


def test_a_lead_longer_than_any_word_is_not_looked_up() -> None:
    word = "x" * 100 + "facebook"
    assert _button_cuts(word) == []
    assert _button_cuts("Retirement" + "facebook" * 50)[0] == 10


def test_no_lexicon_word_is_longer_than_the_bound() -> None:
    longest = max(len(w) for lang in LEXICON_LANGUAGES for w in get_frequency_dict(lang))
    assert longest <= LONGEST_WORD


def test_the_fast_lookup_gives_wordfreqs_zipf_values() -> None:
    rng = random.Random(9)
    words = [w for w in get_frequency_dict("en") if w.isascii() and w.isalpha() and w.islower()]
    sample = rng.sample(words, 2000) + [
        "".join(rng.choice("abcdefgh") for _ in range(rng.randint(1, 8))) for _ in range(500)
    ]
    # words of other alphabets and with accents, as they are and as a glued part might be written
    for lang in ("de", "fr", "ru", "es"):
        others = [w for w in get_frequency_dict(lang) if not w.isascii()]
        sample += rng.sample(others, 400)
    sample += ["Straße", "straße", "Über", "café", "Москва", "naïve", "déjà", "l'été", "3d", "covid-19", "ﬁnd"]
    for w in sample:
        assert _zipf.__wrapped__(w) == max(zipf_frequency(w, lang) for lang in LEXICON_LANGUAGES), w


def test_a_widget_takes_at_most_the_bounded_number_of_kickers() -> None:
    # a header, then more lines in capitals than a widget has: the first _MAX_RIDERS go with it
    kickers = [f"KICKER {i}" for i in range(_MAX_RIDERS + 10)]
    text = "\n".join(["The article starts here, and it says something.", "Top Stories", *kickers, "The end."])
    out, _ = apply_boilerplate(text, load_rules().boilerplate)
    kept = out.split("\n")
    assert "Top Stories" not in kept
    assert kept[1:-1] == kickers[_MAX_RIDERS:]


def test_a_long_line_of_slashes_is_no_credit() -> None:
    # BP003 judges credits of at most 300 characters; this line is left as it is
    text = "The talks went on.\n" + "Sakib Ali/Hindustan Times/" * 20 + "Getty Images\nThey ended."
    assert _clean(text).text == text


def test_identical_lines_judged_once_get_the_verdict_each_would_get_alone() -> None:
    # _find_removals judges each distinct text once (context-free rules, anchors, contextual
    # patterns): every line gets the verdict that judging it alone gives
    rules = load_rules().boilerplate
    plain = [r for r in rules if isinstance(r, LineRule) and not r.contextual]
    blocks = [r for r in rules if isinstance(r, BlockRule)]
    lines = ["Read More", "Advertisement", "The talks went on for hours, officials said.", "Share", "Getty Images"]
    stripped = [lines[i % len(lines)] for i in range(40)] + ["", "Advertisement"]
    removed = _find_removals(stripped, rules)
    for i, s in enumerate(stripped):
        first = next((r for r in plain if s and r.matches(s)), None)
        if first is not None:
            anchored = [r for r in blocks if r.anchors(s)]
            assert removed[i] is first or removed[i] in anchored, (i, s)
    assert removed[41] is removed[1] is next(r for r in plain if r.matches("Advertisement"))


def test_line_map_keeps_every_field_of_an_edit() -> None:
    # LineMap.apply builds the edit with its original line field by field: no field may be lost
    m = LineMap("a\nb\nc\nd")
    m.apply(Edit("X", "x", 1, 0, 2, "a\n", ""))
    edit = Edit("Y", "y", 1, 0, 2, "b\n", "Q", "a note", 0)
    assert m.apply(edit) == edit._replace(line=2)


def _all_patterns(rule: Rule) -> list[str]:
    # the anchors one by one, as the rule file writes them (the rule holds them as one alternation)
    root = default_rules_dir()
    data = expand_patterns(tomllib.loads((root / rule.path).read_text("utf-8")), root, rule.path)
    out = list(data.get("anchor", []))
    if isinstance(rule, LineRule):
        out += list(rule.pattern_texts)
    if isinstance(rule, SpanRule):
        out += [p.pattern for p in rule.patterns]
    if isinstance(rule, LineRule):
        out += [p.pattern for p in rule.not_after]
    if isinstance(rule, RunRule):
        out += [p.pattern for p in rule.run.not_after]
    return out


#: Patterns rewritten in a linear form (issue 9) and the form each replaced.
_REWRITTEN = {
    r""".++(?<![.!?:;,]["'”’)\]]*)""": r"""(?!.*[.!?:;,]["'”’)\]]*$).+""",
    r".*+(?<=:)": r".*:",
    r"\{.*+(?<=\})": r"\{.*\}",
}


def test_patterns_rewritten_in_linear_form_match_what_they_replaced() -> None:
    rng = random.Random(9)
    alphabet = "ab:{}.!,;?\"'”’)]\n \r\tADSHARExemail-é_1"
    lines = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10))) for _ in range(20_000)]
    lines += ["x", "{a}", "Intro:", "A LINE IN CAPITALS!\u201d", "{a}}", "Note:\n"]
    words = [
        "Share",
        "ADVERTISING",
        "Advertisement",
        "Read more",
        "Top Stories",
        "Sign up now",
        "Most Read",
        "you may like",
    ]
    lines += [a + w + b for w in words for a in ("", "-- ", "»", "_", "1") for b in ("", " »", ":", "!!", "_")]
    pairs = dict(_REWRITTEN)
    for rule in load_rules().rules:
        for p in _all_patterns(rule):
            if p.startswith("\\W*+"):  # a possessive lead of non-word characters before words
                pairs[p] = "\\W*" + p[4:]
    assert len(pairs) >= 12
    for new, old in pairs.items():
        a, b = regex.compile(new, regex.V0), regex.compile(old, regex.V0)
        for s in lines:
            assert (a.fullmatch(s) is None) == (b.fullmatch(s) is None), (new, s)
    used = {p for rule in load_rules().rules for p in _all_patterns(rule)}
    assert set(_REWRITTEN) <= used


def _glued_word_as_before(left: str, right: str, token: str) -> bool:
    """``glue._is_glued_word`` as it was written before its parts were looked up first (issue 9)."""
    if len(left) < 2 or len(right) < 2 or left.lower() in glue._LEAD_INS:
        return False
    lowered = token.lower()
    for form in (lowered, lowered[:-1] if lowered.endswith("s") else lowered):
        if form in glue.allowed_names() or _zipf(form) >= glue.JOINED_ZIPF:
            return False
    right_zipf = _zipf(right.lower())
    if right_zipf >= glue.STARTER_ZIPF or right.lower() in glue._FURNITURE_WORDS:
        return True
    return _zipf(left.lower()) >= glue.PART_ZIPF and right_zipf >= glue.PART_ZIPF


def test_a_glued_word_is_judged_as_before_cached_or_not() -> None:
    rng = random.Random(9)
    words = ["Read", "More", "China", "The", "This", "Getty", "Images", "Tube", "You", "Pods", "Air", "Mc", "Donald"]
    words += ["Photo", "Advertisement", "Braun", "Snijder", "Xq", "Ab", "Caption", "Julian", "Linked", "In", "Phones"]
    for _ in range(3000):
        left, right = rng.choice(words), rng.choice(words)
        expected = _glued_word_as_before(left, right, left + right)
        assert glue._is_glued_word.__wrapped__(left, right, left + right) == expected, (left, right)
        assert glue._is_glued_word(left, right, left + right) == expected, (left, right)


def test_the_runs_that_may_be_buttons_are_the_long_runs_of_letters() -> None:
    # _WORD_RUN finds only runs of 8 letters or more: the same runs as \p{Lu}?\p{Ll}+ of that length
    rng = random.Random(9)
    every_run = regex.compile(r"\p{Lu}?\p{Ll}+")
    for _ in range(5000):
        s = "".join(rng.choice("abcdeABé É-1 ") for _ in range(rng.randint(0, 30)))
        long_runs = [(m.start(), m.group()) for m in every_run.finditer(s) if len(m.group()) >= 8]
        assert [(m.start(), m.group()) for m in glue._WORD_RUN.finditer(s) if len(m.group()) >= 8] == long_runs, s
        assert all(glue._button_cuts(m.group()) == [] for m in glue._WORD_RUN.finditer(s) if len(m.group()) < 8)


def test_a_flat_widgets_score_never_exceeds_its_ceiling() -> None:
    # find_flat_widgets skips a header whose ceiling cannot reach MIN_SCORE; that is exact only if
    # _best_end's score is never above the ceiling, for any text and any header
    rng = random.Random(9)
    vocabulary = ["top", "stories", "read", "more", "the", "talks", "went", "on", "for", "hours", "mayor"]
    vocabulary += ["bridge", "vegan", "chef", "laptops", "deals", "s", "t", "and", "he", "was", "19", "quokka"]
    for _ in range(200):
        words = [rng.choice(vocabulary) for _ in range(rng.randint(5, 300))]
        doc = flat._Document(words)
        ceilings = doc.ceilings(words)
        for start, first, header in flat._find_headers(words):
            _, score, _, _ = flat._best_end(words, doc, start, first, header.max_words)
            last = min(len(words), first + header.max_words)
            reach = max(ceilings[first + 1 : last + 1], default=0.0) - ceilings[first]
            assert score <= max(reach, 0.0) + 1e-9


def test_the_unknown_word_shortcut_finds_the_cut_points_every_look_up_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    # glue_points skips a capital whose right part no lexicon knows (nor the furniture list):
    # the same points as asking _is_glued_word at every capital, for known, unknown and furniture parts
    rng = random.Random(9)
    parts = ["Read", "More", "China", "The", "This", "Getty", "Images", "Photo", "Advertisement", "Braun"]
    parts += ["Caption", "Xq", "In", "Credit", "Snijder", "Tube", "You", "Über", "Straße"]
    lines = []
    for _ in range(400):
        words = [
            rng.choice(parts)
            if rng.random() < 0.6
            else "".join(rng.choice("abcdefghij") for _ in range(rng.randint(1, 6))).capitalize()
            for _ in range(rng.randint(1, 12))
        ]
        lines.append("".join(words) + rng.choice(["", " and more text", ". The end"]))
    fast = [glue_points(line) for line in lines]
    assert sum(map(len, fast)) > 100
    glue._is_glued_word.cache_clear()
    glue._glue_points.cache_clear()  # type: ignore[attr-defined]
    monkeypatch.setattr(glue, "_known", lambda word: True)
    assert [glue_points(line) for line in lines] == fast
    assert glue._zipf.__wrapped__("zzqxj") == glue._UNKNOWN_ZIPF  # the eight look-ups, for a word none knows


def test_the_plain_glue_trigger_never_hides_a_join_and_the_first_look_ahead_changes_no_point() -> None:
    # glue_points tries _PLAIN_GLUE only on lines where _PLAIN_TRIGGER finds something: on every
    # fixture line and on random strings of the characters the joins are made of, no join is missed
    from pathlib import Path

    fixtures = Path(__file__).parent / "fixtures"
    lines = [
        line
        for p in sorted(fixtures.rglob("*"))
        if p.is_file()
        for line in p.read_text("utf-8", errors="replace").splitlines()
    ]
    rng = random.Random(11)
    alphabet = "aZé É1٣ .!?…:'’”\"“()[]+-/©hps_x\t"
    lines += ["".join(rng.choice(alphabet) for _ in range(rng.randint(2, 30))) for _ in range(20000)]
    lines += ["at 10:00:002019-11-19", "https://x.com", "the //path", "(AP)“Quote", "Images+More", "a…The"]
    found = sentences = 0
    joins_alone = regex.compile(glue._PLAIN_JOINS)  # the joins without the look-ahead tried first
    for line in lines:
        joins = [m.start() for m in glue._PLAIN_GLUE.finditer(line)]
        assert joins == [m.start() for m in joins_alone.finditer(line)], line
        found += bool(joins)
        assert not joins or glue._PLAIN_TRIGGER.search(line), line
        # glue_points looks for sentences glued together only where the trigger finds something too
        glued = glue._SENTENCE_GLUE.search(line) is not None
        sentences += glued
        assert not glued or glue._PLAIN_TRIGGER.search(line), line
    assert found > 300  # the strings hold joins of many kinds
    assert sentences > 20  # and sentences glued together


@pytest.mark.parametrize(
    ("name", "pattern"),
    [
        ("normalize_line_endings", r"\r\n?|[\u2028\u2029]"),
        ("remove_invisible_chars", r"[\u200b\u2060\ufeff\u00ad]+"),
        ("strip_trailing_whitespace", r"[ \t\u00a0\u3000]+(?=\n|\Z)"),
        ("collapse_blank_lines", r"\A\n+|\n+\Z|\n{3,}"),
    ],
)
def test_the_regex_repairs_substring_guards_never_hide_a_match(name: str, pattern: str) -> None:
    # a regex repair skips a text where its substring test says the pattern cannot match (past the
    # test, the pattern runs as before): on random strings of the characters the patterns are made
    # of, the repair edits every text where the pattern matches
    import re

    from cleaner.ruleset.registry import RepairContext
    from cleaner.steps import repairs

    compiled = re.compile(pattern)
    repair = getattr(repairs, name)
    rng = random.Random(13)
    alphabet = "ab \t\n\r\u2028\u2029\u200b\u2060\ufeff\u00ad\u00a0\u3000."
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(20000)]
    ctx = RepairContext("X", "x")
    matched = 0
    for text in texts:
        found = compiled.search(text) is not None
        matched += found
        assert bool(repair(text, ctx)[1]) == found, repr(text)
    assert matched > 1000
