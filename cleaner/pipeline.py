"""The cleaning pipeline: the steps a document goes through, and a bounded, ordered worker pool.

Steps, in order:

1. the repairs of phase ``before-language`` (encoding, whitespace);
2. language identification (``lang``, ``lang_prob`` in metadata);
3. the repairs of phase ``after-language`` that apply to that language (truncated leads,
   flattened text);
4. the boilerplate rules, run-together text among them (RP001 proposes cuts, the line rules
   judge the pieces); 2 to 4 again until nothing changes (see :meth:`Cleaner.clean`).

Every step records its edits on the document; ``apply_edits(original, doc.edits) == doc.text``.
"""

from __future__ import annotations

import functools
import gc
import itertools
import multiprocessing
import signal
import sys
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from cleaner.boilerplate.engine import apply_boilerplate
from cleaner.boilerplate.thread import remove_threads
from cleaner.corpus import Repeats, remove_repeats, site_of, source_keys
from cleaner.document import Document, Edit, LineMap, as_documents
from cleaner.ruleset.model import BoilerplateRule
from cleaner.ruleset.registry import FLAGS, REPAIRS, RepairContext
from cleaner.settings import Settings
from cleaner.text.language import detect_sample, language_sample
from cleaner.text.style import is_flat

#: Below this probability the language counts as unknown, and rules of every language run.
LANGUAGE_CONFIDENCE = 0.8
#: A bound on the rounds of encoding and whitespace repairs.
_MAX_REPAIR_ROUNDS = 4
#: A bound on the rounds of late repairs, language and boilerplate (two are the rule, three rare).
_MAX_ROUNDS = 6


@dataclass
class Cleaner:
    """Cleans documents with one rule set; build it once, call :meth:`clean` per document.

    ``repeats``: the corpus's table of repeated lines (:class:`cleaner.corpus.Repeats`), which the
    corpus-evidence rules (CE) need; without one they do nothing.
    """

    settings: Settings = field(default_factory=Settings)
    repeats: Repeats | None = None

    def __post_init__(self) -> None:
        self.rules = self.settings.ruleset()
        repairs = self.rules.repairs
        # the repairs before the language is known: their context is their rule alone
        self._early = [(r, RepairContext(r.code, r.slug)) for r in repairs if r.phase == "before-language"]
        self._late = [r for r in repairs if r.phase == "after-language"]
        self._boilerplate = self.rules.boilerplate
        self._flags = self.rules.flags
        self._repeat_rules = self.rules.repeats if self.repeats is not None else ()
        self._threads = self.rules.threads
        # where a document comes from matters only when a rule is limited to some sources
        self._sourced = any(r.sources for r in self.rules.rules)

    def clean_text(self, text: str) -> str:
        """The cleaned text of one string (for ``pandas.Series.map`` and the like).

        >>> Cleaner().clean_text("Advertisement\\nThe talks went on.")
        'The talks went on.'
        """
        return self.clean(Document("-", text)).text

    def clean(self, doc: Document) -> Document:
        """Clean ``doc`` in place (text, edits, metadata) and return it."""
        if doc.original is None:
            doc.original = doc.text
        text = doc.text
        lines = LineMap(text)
        sources = source_keys(doc) if self._sourced else ()
        site = site_of(doc) if self._repeat_rules else None

        def record(edits: list[Edit]) -> None:
            doc.edits.extend(lines.apply(e) for e in edits)

        text = self._early_repairs(text, record)
        sample = language_sample(text)
        lang, prob = detect_sample(sample)
        flat = is_flat(text)
        # One loop to a fixed point, so that cleaning the output again finds nothing more:
        # - the late repairs look at the document as it now starts (a truncated lead), and
        #   boilerplate gone from its head gives them a new start;
        # - which rules run depends on the language, and the language of a text can change when
        #   its boilerplate goes (a short English text with a Dutch-looking widget);
        # - pieces of run-together text that the boilerplate set on lines of their own are judged
        #   again as lines, and lines that a removal brought together are judged again.
        last_active: tuple[BoilerplateRule, ...] | None = None
        rejudge = False
        # the text and language on which the late repairs last ran and changed nothing: on the same
        # text in the same language they change nothing again (they are functions of the two), so a
        # round that follows a round without edits does not run them twice (flat text, long lines)
        settled: tuple[str, str] | None = None
        for _ in range(_MAX_ROUNDS):
            repaired = False
            if rejudge:
                # the early repairs again on what the rules left: a line set apart or gone can change
                # what they decide (ftfy leaves "&amp;" alone in a line that holds a "<"), and
                # cleaning the output again must find nothing more
                before = text
                text = self._early_repairs(text, record)
                if text != before:
                    repaired = True
                    lang, prob, flat, sample = self._observe(text, sample, lang, prob)
            late_lang = lang if prob >= LANGUAGE_CONFIDENCE else "und"
            if settled != (text, late_lang):
                for rule in self._late:
                    if not rule.applies_to(late_lang) or not rule.applies_to_source(sources):
                        continue
                    # the repair is told the language and the style of the text it receives
                    ctx = RepairContext(rule.code, rule.slug, lang, prob, flat)
                    text, edits = REPAIRS[rule.function](text, ctx)
                    record(edits)
                    if edits:
                        repaired = True
                        lang, prob, flat, sample = self._observe(text, sample, lang, prob)
                if not repaired:
                    settled = (text, late_lang)
            active = self._active(lang, prob, sources)
            if active == last_active and not repaired and not rejudge:
                break  # the same rules on the text they already cleaned: nothing new
            text, edits = apply_boilerplate(text, active)
            record(edits)
            # then the comment threads, found by the rhythm of their signatures among what is left
            for thread in self._threads:
                if thread.applies_to(late_lang) and thread.applies_to_source(sources):
                    text, found = remove_threads(text, thread.spec, thread.code, thread.slug)
                    record(found)
                    edits = edits + found
            # then the lines the page's site repeats, of those the rules left: after the rules, so
            # that a widget's header is there for its block rule to take the widget with it
            for repeat in self._repeat_rules:
                if repeat.applies_to(late_lang) and repeat.applies_to_source(sources):
                    assert self.repeats is not None and site is not None
                    text, repeated = remove_repeats(
                        text, site, self.repeats, repeat.min_pages, repeat.code, repeat.slug
                    )
                    record(repeated)
                    edits = edits + repeated
            if edits:
                lang, prob, flat, sample = self._observe(text, sample, lang, prob)
            last_active = active
            # a removal can make new evidence (a header now followed by a line it takes as a
            # headline, a repeat now next to its twin): the boilerplate runs again on its own
            # output until it removes nothing, so that cleaning the output again finds nothing
            rejudge = bool(edits)
        doc.metadata["lang"], doc.metadata["lang_prob"] = lang, prob
        final_lang = lang if prob >= LANGUAGE_CONFIDENCE else "und"
        for flag in self._flags:
            # a flag outside its languages is unknown (None), not False: it was not looked for
            known = flag.applies_to(final_lang) and flag.applies_to_source(sources)
            doc.metadata[flag.function] = FLAGS[flag.function](text) if known else None
        doc.text = text
        return doc

    def _early_repairs(self, text: str, record: Callable[[list[Edit]], None]) -> str:
        """The repairs before the language, repeated until they change nothing; ``record`` takes their edits.

        One repair can make work for another (removing a zero-width space joins the two halves of
        a mojibake sequence; fixing mojibake can produce a zero-width space).
        """
        for _ in range(_MAX_REPAIR_ROUNDS):
            changed = False
            for rule, ctx in self._early:
                text, edits = REPAIRS[rule.function](text, ctx)
                record(edits)
                changed = changed or bool(edits)
            if not changed:
                break
        return text

    @staticmethod
    def _observe(text: str, sample: str, lang: str, prob: float) -> tuple[str, float, bool, str]:
        """The language (asked again only if its sample changed), the style and the sample of ``text``."""
        now = language_sample(text)
        if now != sample:
            lang, prob = detect_sample(now)
        return lang, prob, is_flat(text), now

    def _active(self, lang: str, prob: float, sources: tuple[str, ...] = ()) -> tuple[BoilerplateRule, ...]:
        """The boilerplate rules for a document in ``lang`` from ``sources``; every language's when it is uncertain."""
        if prob < LANGUAGE_CONFIDENCE:
            lang = "und"
        return tuple(r for r in self._boilerplate if r.applies_to(lang) and r.applies_to_source(sources))


def clean_text(text: str, settings: Settings | None = None) -> str:
    """Clean one text with the default rules.

    >>> clean_text("Read More Will China's slowdown derail reforms?\\nThe talks went on.")
    'The talks went on.'
    """
    if settings is None:
        return _default_cleaner().clean_text(text)
    return Cleaner(settings).clean_text(text)


@functools.cache
def _default_cleaner() -> Cleaner:
    """One cleaner with the default settings, built on first use: a loop over ``clean_text`` loads the rules once."""
    return Cleaner(Settings())


# --- the worker pool ----------------------------------------------------------------------


def settle() -> None:
    """Move every object alive into the garbage collector's permanent generation (``gc.freeze``).

    The rule set, the word lists, and the large tables that load on first use (the lexicons and
    language profiles, which freeze themselves when they load) live as long as the process: a
    full collection would walk their millions of entries (0.1-0.25 s each, and a document of many
    short lines triggers many).  What is frozen is never collected, which for them is what
    happens anyway.
    """
    gc.freeze()


_WORKER: Cleaner | None = None

#: A short page that takes every path that loads something on first use (the rules' patterns,
#: langdetect's profiles, the lexicon tables): cleaned once in the parent before the workers fork.
_WARM_UP = (
    "Read MoreThe talks went on for hours on Friday and again on Saturday, officials said.\n"
    "Advertisement\n"
    "apitalism struggles to explain why the markets fell again this week, analysts said on Monday."
)


def _start_method() -> str | None:
    """``fork`` on Linux (workers share the parent's loaded rules and tables); elsewhere the
    platform's default (macOS spawns: fork is unsafe there), and each worker loads its own."""
    return "fork" if sys.platform.startswith("linux") else None


def _init_worker(settings: Settings, repeats: Repeats | None = None) -> None:
    global _WORKER
    # the parent handles Ctrl-C and SIGTERM (and then stops the workers); a worker that met them
    # itself would print a traceback of its own
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if _WORKER is None:  # not forked from a parent that made one (spawn, forkserver)
        _WORKER = Cleaner(settings, repeats)
    settle()


def _clean_batch(batch: list[Document]) -> list[Document]:
    assert _WORKER is not None, "worker not initialised"
    return [_WORKER.clean(d) for d in batch]


def _batches(docs: Iterable[Document], max_docs: int, max_chars: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    size = 0
    for d in docs:
        batch.append(d)
        size += len(d.text)
        if len(batch) >= max_docs or size >= max_chars:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: cancel what waits, end the workers, reap them (no orphan stays alive)."""
    # ProcessPoolExecutor has no public way to end busy workers before Python 3.14's
    # terminate_workers(); _processes is the mapping that method uses
    processes = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        if p.is_alive():
            p.terminate()
    for p in processes:
        p.join()
    # with its workers gone the pool's manager thread ends; joining it now keeps it from waking
    # at interpreter exit on a pipe already closed (a traceback after a clean SIGTERM)
    pool.shutdown(wait=True)


def clean_stream(
    docs: Iterable[Document | str | Mapping[str, Any]],
    settings: Settings | None = None,
    jobs: int = 1,
    batch_docs: int = 64,
    batch_chars: int = 1 << 20,
    repeats: Repeats | None = None,
    text_key: str = "text",
    id_key: str = "id",
) -> Generator[Document, None, None]:
    """Clean a stream of documents, strings or records and yield cleaned documents in input order.

    Strings and records (mappings with a string ``text_key``) become documents as
    :func:`cleaner.document.as_documents` says (a string's id is its position, a record's its
    ``id_key`` field); each document comes out with the cleaned ``text``, its ``edits`` and its
    ``metadata`` (``lang``, ``lang_prob``, ``truncated_tail``).  ``repeats``: the corpus's table of
    repeated lines (:class:`cleaner.corpus.Repeats`), which the corpus-evidence rule CE001 needs.

    With ``jobs > 1`` batches go to a process pool; at most ``2 * jobs`` batches are in flight,
    so memory stays bounded however large the corpus, and results come back in input order,
    so the output is the same bytes for any ``jobs``.  If the consumer stops early (an error,
    Ctrl-C, SIGTERM, or ``close()``), the workers are ended at once.
    """
    settings = settings or Settings()
    docs = as_documents(docs, text_key, id_key)
    if jobs <= 1:
        cleaner = Cleaner(settings, repeats)
        settle()
        for d in docs:  # one at a time: a document comes out before the next is read
            yield cleaner.clean(d)
        return
    batches = _batches(docs, batch_docs, batch_chars)
    first = next(batches, None)
    second = next(batches, None)
    if second is None:
        # a corpus of one batch, which a pool would only slow down: cleaned here
        cleaner = Cleaner(settings, repeats)
        settle()
        for d in first or ():
            yield cleaner.clean(d)
        return
    global _WORKER
    method = _start_method()
    pool: ProcessPoolExecutor | None = None
    try:
        if method == "fork":
            # load everything once, here: the forked workers share it (copy on write, and frozen
            # out of the collector's way so that it stays shared) and start at once
            _WORKER = Cleaner(settings, repeats)
            _WORKER.clean(Document("warm-up", _WARM_UP))
            settle()
        else:
            settings.ruleset()  # fail here, in the parent, on a bad rule set or code
        context = multiprocessing.get_context(method)
        # a forked worker has the parent's cleaner, repeats table included: nothing to send it
        initargs = (settings, None if method == "fork" else repeats)
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker, initargs=initargs)
        pending: deque[Future[list[Document]]] = deque()
        assert first is not None  # there is a second batch
        for batch in itertools.chain((first, second), batches):
            pending.append(pool.submit(_clean_batch, batch))
            if len(pending) >= 2 * jobs:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    except BaseException:
        if pool is not None:
            _stop(pool)
        raise
    finally:
        _WORKER = None
    pool.shutdown(wait=True)
