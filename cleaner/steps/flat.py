"""Repairs for flattened text (lowercase, no punctuation, one line: :func:`cleaner.text.style.is_flat`).

Flattened text has lost the line breaks, case and punctuation that the boilerplate rules look
at, so a link widget ("top stories" and three headlines) pushed into the middle of an article
can only be told from the article by its words.  Two kinds of evidence are combined here:

* **a widget header** from a fixed vocabulary of the common families ("top stories", "read
  more", "related stories", "trending now", "you may also like", "don t miss", ...), each with
  a prior that says how rarely the phrase occurs in running prose, and vetoes for the words
  around it that make it prose ("the most popular", "related to", "read more about");
* **how far the words after the header stay off the document's topic**.  A widget's headlines
  come from other articles: a content word of theirs almost never occurs anywhere else in the
  document, while about half of an article's content words do.  Each word after the header
  scores the log-likelihood ratio of that observation, widget against article: the chance that
  a headline word turns up in the document anyway comes from its wordfreq frequency, the
  article's from the document's own share of recurring words; function words score by
  headlinese (headlines drop "the", "was", "but", "he").  The widget ends where the running sum,
  plus part of its fall over the next words and the plausibility of the edge (a headline does
  not end in "the", a sentence may start with it), is highest; it is removed when the header's
  prior plus the sum clears :data:`MIN_SCORE` and the text after it comes back to the topic.

A header phrase is needed: without one, an off-topic stretch of an article (a list of names, a
quotation) scores as high as a widget.  Both repairs do nothing unless
:func:`~cleaner.text.style.is_flat` holds, and cleaning their output again changes nothing.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import cache
from itertools import accumulate, islice

import regex

from cleaner.document import Edit, EditLog
from cleaner.ruleset import vocab
from cleaner.ruleset.registry import RepairContext, repair
from cleaner.text.style import is_flat
from cleaner.text.tokens import TOKEN

# --- the topic score ------------------------------------------------------------------------

#: Words that carry no topic: function words, the pieces that flattening leaves of contractions
#: ("don t", "she s"), and reporting verbs that every article uses.
STOPWORDS = vocab.words("flat-stopwords")

# The weights and cut-offs of the widget score below were chosen by hand on the development set's
# flat task and checked against clean text (bench/eval_flat.py --stress: the flattened clean
# articles and the dev set's 258 gold articles lose nothing); the content rates are measured.
#: A widget is removed when its header's prior plus its best running score reaches this.
MIN_SCORE = 3.5
#: ... and when it has at least this many off-topic content words (a "read more" + one headline).
MIN_OFF_TOPIC = 3
#: How many words after a widget show the article coming back to its topic.
AFTER_WORDS = 15
#: ... and how far the running score must fall over them.
MIN_AFTER = 2.0
#: Words agree on their first this many letters to count as one topic word (measured: 5 to 7 do alike).
STEM_LETTERS = 6
#: What each word after the header costs, a prior on the widget's length.
LENGTH_COST = 0.1
#: The widget ends where its score plus this much of the fall after it is highest: the article
#: resumes on its topic at once, though a headline's last words may touch the topic by chance.
BOUNDARY_WEIGHT = 0.5
#: ... over this many words.
BOUNDARY_WORDS = 8
#: How much a word counts as on-topic when only another word of its stem occurs elsewhere.
RELATED = 0.5


def _key(word: str) -> str:
    """The form under which a word counts as the same topic word: its first letters (a crude stem).

    >>> _key("hibernate") == _key("hibernation"), _key("states") == _key("state"), _key("news")
    (True, True, 'new')
    """
    if len(word) > STEM_LETTERS:
        return word[:STEM_LETTERS]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@cache
def _frequency(word: str) -> float:
    """How often ``word`` occurs in English text (wordfreq; 0 for words it does not know)."""
    from wordfreq import word_frequency  # imported when a flat text needs it (0.25 s)

    return float(word_frequency(word, "en"))


#: Share of a widget's words that are content words, and of an article's (measured on news pages).
WIDGET_CONTENT_RATE, ARTICLE_CONTENT_RATE = 0.71, 0.58
#: A widget's content word recurs in the page by chance only, but never less often than this
#: (a headline about the same story).
WIDGET_MIN_ON_TOPIC = 0.02
_CONTENT_SCORE = math.log(WIDGET_CONTENT_RATE / ARTICLE_CONTENT_RATE)

#: Headlinese: headlines and link texts drop articles, conjunctions, pronouns and the past tense
#: that running prose is made of.  The log-likelihood ratio (widget against article) of each
#: function word, measured on news pages and rounded to four tiers; the others score
#: :data:`_FUNCTION_DEFAULT`.
_FUNCTION_TIERS: dict[float, tuple[str, ...]] = {
    -1.5: vocab.entries("flat-headlinese-prose"),
    -0.8: vocab.entries("flat-headlinese-mixed"),
    0.4: vocab.entries("flat-headlinese-headline"),
}
_FUNCTION_DEFAULT = -0.3
_FUNCTION_SCORES = {w: score for score, tier in _FUNCTION_TIERS.items() for w in tier}


class _Document:
    """The words of one document, and what is needed to score a word of it."""

    def __init__(self, words: list[str]) -> None:
        self.words = Counter(words)
        key_of = {w: _key(w) for w in self.words}  # once per distinct word
        self.keys = [key_of[w] for w in words]
        self.key_counts = Counter(self.keys)
        self.length = len(words)
        content_words = {w for w in self.words if _is_content(w)}
        content = [k for k, w in zip(self.keys, words, strict=True) if w in content_words]
        counts = Counter(content)
        share = sum(1 for k in content if counts[k] > 1) / max(1, len(content))
        #: the share of its content words that recur: how topical its text is
        self.on_topic = min(0.85, max(0.15, share))

    def scores(self, word: str) -> tuple[float, float]:
        """``(off_topic, on_topic)``: the log-likelihood ratio, widget against article, of a content word.

        The probability that a word recurs in the document is, for a widget's headline, the
        chance that the word turns up in that many words of any text; for the article, the
        document's own share of recurring words (or that chance, if higher).
        """
        chance = 1.0 - math.exp(-_frequency(word) * self.length)
        p_widget = min(0.9, max(WIDGET_MIN_ON_TOPIC, chance))
        p_article = min(0.9, max(self.on_topic, chance))
        off = _CONTENT_SCORE + math.log((1.0 - p_widget) / (1.0 - p_article))
        on = _CONTENT_SCORE + math.log(p_widget / p_article)
        return off, on

    def ceilings(self, words: list[str]) -> list[float]:
        """Running sums of the most that each word can add to a widget's score: ``out[j]`` for ``words[:j]``.

        A content word scores at most its off-topic value (``p_widget <= p_article``: off-topic is
        its best case, on-topic its worst), a function word its headlinese score, any word minus
        :data:`LENGTH_COST`.  So the running score of :func:`_best_end` over ``words[a:b]`` is never
        above ``out[b] - out[a]``: a header whose best such sum cannot reach :data:`MIN_SCORE` makes
        no widget, and need not be scored word by word.
        """
        top: dict[str, float] = {}
        out = [0.0]
        total = 0.0
        for w in words:
            ceiling = top.get(w)
            if ceiling is None:
                if w in STOPWORDS:
                    ceiling = _FUNCTION_SCORES.get(w, _FUNCTION_DEFAULT)
                elif _is_content(w):
                    ceiling = self.scores(w)[0]
                else:
                    ceiling = 0.0
                top[w] = ceiling
            total += ceiling - LENGTH_COST
            out.append(total)
        return out

    def score(self, word: str, inside: int, inside_key: int) -> float:
        """The score of a content word of a widget in which it occurs ``inside`` times (its stem ``inside_key``)."""
        off, on = self.scores(word)
        if self.words[word] > inside:
            return on
        if self.key_counts[_key(word)] > inside_key:
            return RELATED * on + (1.0 - RELATED) * off  # only another form of it occurs: weaker evidence
        return off


def _is_content(word: str) -> bool:
    return len(word) > 1 and word not in STOPWORDS and not word.isdigit()


# --- widget headers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    """A family of widget headers: a pattern over flat words, its prior, and how long its items run."""

    pattern: str
    #: log-odds that the phrase starts a widget rather than a sentence, before looking at its items
    prior: float
    #: how many words after the header the widget may take: one headline or a list of them
    max_words: int = 90


# Words that, just before a header phrase, make it part of a sentence ("the most popular",
# "want to read more", "is trending", "what you might like"); a widget follows the end of a
# paragraph, and a paragraph does not end in an article, a preposition, an auxiliary or a
# conjunction.
_PROSE_BEFORE = vocab.words("flat-prose-before")
# Words that, right after any header phrase, make it prose ("top stories of the year", "read
# more than", "related to", "trending upwards", "we recommend it").
_PROSE_AFTER = vocab.words("flat-prose-after")

#: The header priors (chosen, with MIN_SCORE above): a strong header ("top stories") needs less
#: evidence from the words after it than a medium one ("related"), a weak one needs it all.
_STRONG, _MEDIUM, _WEAK = 2.0, 1.0, 0.0
#: A header of one link ("read more", "see also") takes one headline: this many words at most.
_ONE_LINK = 40

#: The header families.  A pattern is matched against whole words of flat text; "s" and "t" are
#: what flattening leaves of "editor's" and "don't".
HEADERS: tuple[Header, ...] = (
    # lists of headlines
    Header(r"(?:more |today s |the day s )?top (?:stories|headlines|news|reads|videos)", _STRONG),
    Header(r"related (?:stories|articles|posts|news|coverage|content|links|reading|topics|videos)", _STRONG),
    Header(r"related", _WEAK),
    Header(
        r"(?:editor s|editors) (?:picks?|choice)|must reads|(?:sponsored|promoted|partner) (?:stories|content)", _STRONG
    ),
    Header(r"(?:from )?around the web|from the web|featured (?:stories|articles|posts|videos)", _STRONG),
    Header(r"don t miss|do not miss|in case you missed it|icymi|you may have missed|you might have missed", _MEDIUM),
    Header(
        r"recommended (?:for you|stories|articles|videos|reading)|we recommend|"
        r"you (?:may|might|will|would) (?:also )?(?:like|enjoy|be interested in)|(?:may|might) also (?:like|enjoy)",
        _MEDIUM,
    ),
    Header(
        r"more (?:stories|news|headlines|articles|videos|coverage|on this(?: story| topic)?|like this|to explore)|"
        r"other (?:stories|news|headlines)|in other news",
        _MEDIUM,
    ),
    Header(r"trending(?: now| today| stories| news| articles| topics| videos)?|what s trending", _MEDIUM),
    Header(
        r"most (?:popular|read|viewed|shared|commented|emailed|watched)(?: stories| articles| news| now)?|"
        r"popular (?:now|stories|articles|posts|news|videos|today)|what s (?:hot|popular)",
        _MEDIUM,
    ),
    Header(
        r"suggested (?:for you|reading|articles|stories|posts|videos)|recent (?:posts|stories|articles|news)|"
        r"popular posts|people also read|readers also (?:read|liked)|what others are reading|stories you may like|"
        r"hot (?:topics|stories)|(?:currently|now) reading|explore more|more to read|we think you ll like",
        _MEDIUM,
    ),
    Header(r"(?:the )?latest (?:news|stories|headlines|articles|videos)|breaking news|top picks|recommended", _WEAK),
    # one link
    Header(r"read (?:more|next|also|this next)|also read", _STRONG, _ONE_LINK),
    Header(r"must read|what to read next|further reading", _MEDIUM, _ONE_LINK),
    Header(r"(?:next|previous) (?:story|article|post)", _MEDIUM, _ONE_LINK),
    Header(r"see also|also see|up next|watch next|next up|keep reading", _WEAK, _ONE_LINK),
)


@cache
def _compiled_headers() -> tuple[tuple[regex.Pattern[str], Header], ...]:
    return tuple((regex.compile(rf"(?<!\S)(?:{h.pattern})(?!\S)"), h) for h in HEADERS)


def _find_headers(tokens: list[str]) -> list[tuple[int, int, Header]]:
    """``(start, end, header)`` for the header phrases among ``tokens``: the longest at each start."""
    joined = " ".join(tokens)
    # where each token starts in `joined` -> its index
    # (one offset more than tokens: the end; strict=False drops it)
    starts = dict(zip(accumulate((len(t) + 1 for t in tokens), initial=0), range(len(tokens)), strict=False))
    found: dict[int, tuple[int, int, Header]] = {}
    for pattern, header in _compiled_headers():
        for m in pattern.finditer(joined):
            at = starts.get(m.start())
            if at is None:
                continue
            n = m.group().count(" ") + 1
            best = found.get(at)
            if best is None or n > best[1] - best[0]:
                found[at] = (at, at + n, header)
    return [found[i] for i in sorted(found)]


#: Words that often open a sentence (the article resuming after a widget) and words that never do.
_OPENERS = vocab.words("flat-openers")
_NOT_OPENERS = vocab.words("flat-not-openers")
#: Words that do not end a headline or a link text.
_NOT_FINAL = vocab.words("flat-not-final")
#: What the words at a widget's end add to the case for ending it there.
EDGE_SCORE = 1.0


def _edge(words: list[str], end: int) -> float:
    """How plausible it is that a widget ends before ``words[end]``: a headline's last word, a sentence's first."""
    score = -EDGE_SCORE if words[end - 1] in _NOT_FINAL else 0.0
    if end == len(words):
        return score + EDGE_SCORE  # the text ends: as clear an end as a sentence starting
    nxt = words[end]
    return score + (EDGE_SCORE if nxt in _OPENERS else -EDGE_SCORE if nxt in _NOT_OPENERS else 0.0)


def _best_end(
    words: list[str], doc: _Document, start: int, first: int, max_words: int
) -> tuple[int, float, int, float]:
    """Where the widget whose header spans ``start..first`` ends: ``(end, score, off_topic_words, fall)``.

    A word is on-topic when it occurs in the document outside the widget, related when only a word
    of its stem does, off-topic otherwise; the running score is the sum of the words' scores.  The
    widget ends where that score plus :data:`BOUNDARY_WEIGHT` times its fall over the next
    :data:`BOUNDARY_WORDS` words is highest (the earliest such end), and ``fall`` is how far the
    score falls over the :data:`AFTER_WORDS` words after it: the article coming back to its topic.
    """
    keys = doc.keys
    inside_words: Counter[str] = Counter(words[start:first])  # the widget so far, header included
    inside_keys: Counter[str] = Counter(keys[start:first])
    items: dict[str, Counter[str]] = {}  # the content words after the header, by key
    contrib: dict[str, float] = {}
    running = 0.0
    sums: list[float] = []
    for j in range(first, min(len(words), first + max_words + AFTER_WORDS)):
        k, w = keys[j], words[j]
        inside_words[w] += 1
        inside_keys[k] += 1
        if w in STOPWORDS:
            running += _FUNCTION_SCORES.get(w, _FUNCTION_DEFAULT)
        elif _is_content(w):
            group = items.setdefault(k, Counter())
            group[w] += 1
            # the words of one stem in the widget score together: their status depends on each other
            running -= contrib.get(k, 0.0)
            contrib[k] = sum(n * doc.score(x, inside_words[x], inside_keys[k]) for x, n in group.items())
            running += contrib[k]
        running -= LENGTH_COST
        sums.append(running)

    def fall(n: int, span: int) -> float:
        """How far the running score falls over the ``span`` words after the first ``n``."""
        tail = sums[n : n + span]
        return sums[n - 1] - min(tail) if tail else 0.0

    best_end, best, objective = first, 0.0, 0.0
    for n in range(1, min(len(sums), max_words) + 1):
        if sums[n - 1] <= 0.0:
            continue
        value = sums[n - 1] + BOUNDARY_WEIGHT * fall(n, BOUNDARY_WORDS) + _edge(words, first + n)
        if value > objective + 1e-9:
            best_end, best, objective = first + n, sums[n - 1], value
    after = fall(best_end - first, AFTER_WORDS) if best_end > first else 0.0
    left = len(words) - best_end
    if left < AFTER_WORDS:  # near the document's end there is less text to fall over, at it none
        after = after * AFTER_WORDS / left if left else math.inf
    widget_words = Counter(words[start:best_end])
    widget_keys = Counter(keys[start:best_end])
    off = sum(
        1
        for x, k in zip(words[first:best_end], keys[first:best_end], strict=True)
        if _is_content(x) and doc.key_counts[k] == widget_keys[k] and doc.words[x] == widget_words[x]
    )
    return best_end, best, off, after


#: Room for the rounding of a running sum of floats, when a score is compared with its ceiling.
_ROUNDING = 1e-6


def find_flat_widgets(text: str) -> list[tuple[int, int, float]]:
    """The widgets of a flat text as ``(start, end, score)`` character offsets (no check of is_flat).

    >>> text = ("the mayor said the new bridge will open in may and the bridge will carry trains "
    ...         "top stories ten best black friday deals on laptops celebrity chef launches vegan diner "
    ...         "the bridge cost the city more than the mayor had said")
    >>> [text[s:e] for s, e, _ in find_flat_widgets(text)]
    ['top stories ten best black friday deals on laptops celebrity chef launches vegan diner']
    """
    words = TOKEN.findall(text)
    spans: list[tuple[int, int]] = []  # the words' offsets, found when a widget is (most texts have none)
    doc = _Document(words)
    out: list[tuple[int, int, float]] = []
    taken = 0
    ceilings: list[float] | None = None
    for start, first, header in _find_headers(words):
        if start < taken:
            continue
        if start > 0 and words[start - 1] in _PROSE_BEFORE:
            continue
        if first < len(words) and words[first] in _PROSE_AFTER:
            continue
        # the most the widget's score can be at any end _best_end may choose (it is 0.0 when no
        # running sum is positive): below MIN_SCORE, this header makes no widget whatever the end.
        # Exact: it skips only headers that would be refused anyway (a margin for rounding).
        if ceilings is None:
            ceilings = doc.ceilings(words)
        last = min(len(words), first + header.max_words)
        reach = max(ceilings[first + 1 : last + 1], default=0.0) - ceilings[first]
        if header.prior + max(reach, 0.0) < MIN_SCORE - _ROUNDING:
            continue
        end, score, off, after = _best_end(words, doc, start, first, header.max_words)
        if header.prior + score >= MIN_SCORE and off >= MIN_OFF_TOPIC and after >= MIN_AFTER:
            if not spans:
                spans = [(m.start(), m.end()) for m in TOKEN.finditer(text)]
            out.append((spans[start][0], spans[end - 1][1], header.prior + score))
            taken = end
    return out


@repair("strip_flat_widgets")
def strip_flat_widgets(text: str, ctx: RepairContext) -> tuple[str, list[Edit]]:
    """Remove link widgets (a header and its off-topic headlines) from flattened text.

    >>> text = ("the mayor said the new bridge will open in may and the bridge will carry trains "
    ...         "top stories ten best black friday deals on laptops celebrity chef launches vegan diner "
    ...         "the bridge cost the city more than the mayor had said")
    >>> out = strip_flat_widgets(text, RepairContext("RP003", "flat-widget"))[0]
    >>> out[55:]
    'bridge will carry trains the bridge cost the city more than the mayor had said'
    >>> strip_flat_widgets("Top Stories. " + text, RepairContext("RP003", "flat-widget"))[1]  # not flat: nothing
    []
    """
    if not (is_flat(text) if ctx.flat is None else ctx.flat):
        return text, []
    edits: list[Edit] = []
    # Removing a widget changes which words are on-topic: repeat until nothing more is found (each
    # round removes words, so this ends), and cleaning the result again finds nothing.
    while widgets := find_flat_widgets(text):
        log = EditLog(text)
        for start, end, score in widgets:
            # take the widget with the spaces after it (or before it, at the end of a line)
            stop = end
            while stop < len(text) and text[stop] in " \t":
                stop += 1
            begin = start
            if stop == end or (stop < len(text) and text[stop] == "\n"):
                stop = end
                while begin > 0 and text[begin - 1] in " \t":
                    begin -= 1
            log.add(ctx.code, ctx.slug, begin, stop, "", f"score {score:.1f}")
        text = log.result()
        edits.extend(log.edits)
    return text, edits


# --- datelines ----------------------------------------------------------------------------------

#: News agencies as a dateline shows them once flattened ("BEIJING (AP) —" is "beijing ap").
AGENCIES = vocab.words("flat-agencies")
#: Agencies that open an article on their own, without a place ("(CNN) —").
BARE_AGENCIES = frozenset({"cnn"})
#: A dateline is looked for among the first this many words (a headline and a subheading fit).
DATELINE_WINDOW = 25
#: A headline before the dateline has at least this many words.
MIN_HEADLINE_WORDS = 3

#: After an agency, these words make it prose ("cnn reported", "reuters calculations", "ap photo").
_AGENCY_PROSE_AFTER = vocab.words("flat-agency-prose-after")
#: Before a bare agency, these words make it prose ("told cnn", "on cnn", "a cnn poll").
_AGENCY_PROSE_BEFORE = _PROSE_BEFORE | vocab.words("flat-agency-prose-before")


def _places(names: frozenset[str]) -> frozenset[tuple[str, ...]]:
    """Place names (``"new york"``) as tuples of flat words."""
    return frozenset(tuple(name.split()) for name in names)


#: US states and Canadian provinces, in full and as AP style abbreviates them ("Calif.", "N.Y.").
US_STATES = _places(vocab.words("flat-us-states"))

COUNTRIES = _places(vocab.words("flat-countries"))

#: Capitals and the cities that datelines name most often.
CITIES = _places(vocab.words("flat-cities"))

#: Words that open or close a two-word town name ("st joseph", "sioux falls", "fort myers").
_TOWN_FIRST = vocab.words("flat-town-first")
_TOWN_LAST = vocab.words("flat-town-last")
_PLACE_WORDS = 4  # the longest place name, in words
#: A place after one of these words is part of a sentence, not a dateline.
_PLACE_PROSE_BEFORE = _PROSE_BEFORE | vocab.words("flat-place-prose-before")


def _ends_with(words: list[str], end: int, names: frozenset[tuple[str, ...]]) -> int:
    """The start of the longest name of ``names`` that ends just before ``end`` (``-1``: none)."""
    for n in range(min(_PLACE_WORDS, end), 0, -1):
        if tuple(words[end - n : end]) in names:
            return end - n
    return -1


def _place_start(words: list[str], end: int) -> int:
    """Where a place name that ends just before ``end`` starts (``-1``: there is none).

    A known city or country ("beijing", "hong kong"), a city or town before a state or country
    ("dekalb ill", "sioux falls s d", "hanoi vietnam"), or a known city alone.

    >>> words = "virus spreads in town sioux falls s d ap".split()
    >>> words[_place_start(words, 8) : 8]
    ['sioux', 'falls', 's', 'd']
    >>> _place_start("he told the ap".split(), 3)
    -1
    """
    region = _ends_with(words, end, US_STATES | COUNTRIES)
    if region > 0 and tuple(words[region:end]) not in CITIES:  # "washington" and "hong kong" stand alone
        city = _ends_with(words, region, CITIES)
        if city >= 0:
            return city
        town = words[region - 1]
        if town not in _PROSE_BEFORE and town not in STOPWORDS and not town.isdigit() and len(town) > 1:
            two = region >= 2 and (words[region - 2] in _TOWN_FIRST or town in _TOWN_LAST)
            return region - 2 if two and words[region - 2] not in STOPWORDS else region - 1
    city = _ends_with(words, end, CITIES)
    return city if city >= 0 else region


def find_flat_dateline(text: str) -> int:
    """The character offset where a dateline after a headline starts in flat text (``-1``: none).

    >>> text = "capitalism struggles during covid 19 pandemic beijing ap china and the u s are boosting"
    >>> text[find_flat_dateline(text):]
    'beijing ap china and the u s are boosting'
    >>> find_flat_dateline("beijing ap china and the u s are boosting cooperation")  # it opens the text
    -1
    >>> find_flat_dateline("the study which was shared with the ap by researchers found that")
    -1
    """
    spans = [(m.start(), m.end()) for m in islice(TOKEN.finditer(text), DATELINE_WINDOW + 1)]
    words = [text[s:e] for s, e in spans]
    for a in range(1, min(len(words), DATELINE_WINDOW)):
        if words[a] not in AGENCIES:
            continue
        if a + 1 < len(words) and words[a + 1] in _AGENCY_PROSE_AFTER:
            continue
        start = _place_start(words, a)
        if start > 0 and words[start - 1] in _PLACE_PROSE_BEFORE:
            start = -1  # a place in a sentence ("in beijing ap"), not a dateline
        if start < 0 and words[a] in BARE_AGENCIES and words[a - 1] not in _AGENCY_PROSE_BEFORE:
            start = a
        if start < MIN_HEADLINE_WORDS:
            continue  # no place, or nothing before it to split off
        if "\n" in text[spans[start - 1][1] : spans[start][0]]:
            return -1  # the dateline already opens a line
        return spans[start][0]
    return -1


@repair("split_flat_dateline")
def split_flat_dateline(text: str, ctx: RepairContext) -> tuple[str, list[Edit]]:
    """Start a new line at the dateline that follows a flattened headline ("... pandemic beijing ap ...").

    >>> split_flat_dateline("apitalism struggles during covid 19 pandemic beijing ap china and the u s are "
    ...                     "boosting cooperation in sending home crime suspects amid a chinese drive to ferret "
    ...                     "out corrupt officials and fugitives who have fled abroad the department said",
    ...                     RepairContext("RP004", "flat-dateline"))[0][:86]
    'apitalism struggles during covid 19 pandemic\\nbeijing ap china and the u s are boosting'
    """
    if not (is_flat(text) if ctx.flat is None else ctx.flat):
        return text, []
    at = find_flat_dateline(text)
    if at < 0:
        return text, []
    begin = at
    while begin > 0 and text[begin - 1] in " \t":
        begin -= 1
    log = EditLog(text)
    log.add(ctx.code, ctx.slug, begin, at, "\n")
    return log.result(), log.edits
