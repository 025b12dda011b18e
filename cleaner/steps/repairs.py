"""Text repairs: small pure functions ``text -> (text, edits)``, one per rule file of kind ``repair``.

Larger repairs live in modules of their own (:mod:`cleaner.steps.leads`, :mod:`cleaner.steps.flat`).

Each repair is named by its rule file in ``rules/`` (code, slug, why, examples); each function
registers itself (:func:`cleaner.ruleset.registry.repair`) under the name the rule file's
``function`` gives.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable

import ftfy
import ftfy.badness

from cleaner.document import Edit, EditLog, iter_lines
from cleaner.memo import line_cache
from cleaner.ruleset.registry import Repair, RepairContext, repair

#: ftfy with corpus-safe settings: undo damage (mojibake, HTML entities, control characters,
#: lossy sequences), never change correct text for taste.  Curly quotes, ligatures, full-width
#: characters and the Unicode normal form stay as the author wrote them (datatrove and NeMo Curator
#: made the same choice: such "fixes" change tokens that a model should see).  Line breaks are the
#: whitespace repairs' business.
FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html="auto",
    remove_terminal_escapes=True,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=True,
    remove_control_chars=True,
    normalization=None,
    explain=True,
)

# Signs of damage that ftfy's mojibake detector does not cover: HTML entities, control
# characters (C0, C1, terminal escapes), the replacement character, lone surrogates.
_DAMAGE = re.compile(r"&#?\w+;|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ud800-\udfff]")
# Text that ftfy cannot change: ASCII with no HTML entity and no control character.
_FTFY_NEEDED = re.compile(r"[^\x09\x0a\x0d\x20-\x25\x27-\x7e]")


@repair("fix_encoding")
def fix_encoding(text: str, ctx: RepairContext) -> tuple[str, list[Edit]]:
    """Repair mojibake and encoding damage with ftfy, line by line, recording minimal edits.

    >>> fix_encoding("The Mona Lisa doesnâ€™t have eyebrows.", RepairContext("EN001", "fix-encoding"))[0]
    'The Mona Lisa doesn’t have eyebrows.'
    >>> fix_encoding("AT&amp;T", RepairContext("EN001", "fix-encoding"))[0]
    'AT&T'
    >>> fix_encoding("“Curly” quotes and ﬁ ligatures stay.", RepairContext("EN001", "fix-encoding"))[1]
    []
    """
    if not _FTFY_NEEDED.search(text):
        return text, []
    log = EditLog(text)
    for start, _end, line in iter_lines(text):
        if not line or not _FTFY_NEEDED.search(line):
            continue
        found = _fixed_line(line)
        if found is None:
            continue
        fixed, note = found
        for i1, i2, j1, j2 in _changed_spans(line, fixed):
            log.add(ctx.code, ctx.slug, start + i1, start + i2, fixed[j1:j2], note)
    return log.result(), log.edits


@line_cache()
def _fixed_line(line: str) -> tuple[str, str] | None:
    """What ftfy makes of ``line`` and the steps it names (a note), or None when it leaves it alone.

    Depends on the line alone, and the early repairs ask again every round (a document's second
    round, a site's lines on each of its pages): kept within a budget of characters.
    """
    if not _DAMAGE.search(line) and not ftfy.badness.is_bad(line):
        return None  # no entity, control character or mojibake: ftfy would leave the line alone
    fixed, steps = ftfy.fix_and_explain(line, config=FTFY_CONFIG)
    if fixed == line:
        return None
    return fixed, ", ".join(step[1] for step in steps or [])


#: Above this length a changed stretch is recorded as one edit rather than diffed character by
#: character (difflib is quadratic; one edit over a long stretch is still exact and replayable).
_FINE_DIFF_MAX = 400


def _changed_spans(a: str, b: str) -> list[tuple[int, int, int, int]]:
    """The stretches where ``a`` and ``b`` differ, as ``(a_start, a_end, b_start, b_end)``.

    >>> _changed_spans("doesnâ€™t and itâ€™s", "doesn’t and it’s")
    [(5, 8, 5, 6), (16, 19, 14, 15)]
    """
    p = 0
    limit = min(len(a), len(b))
    while p < limit and a[p] == b[p]:
        p += 1
    s = 0
    while s < limit - p and a[len(a) - 1 - s] == b[len(b) - 1 - s]:
        s += 1
    a_mid, b_mid = a[p : len(a) - s], b[p : len(b) - s]
    if len(a_mid) > _FINE_DIFF_MAX or len(b_mid) > _FINE_DIFF_MAX:
        return [(p, len(a) - s, p, len(b) - s)]
    matcher = difflib.SequenceMatcher(None, a_mid, b_mid, autojunk=False)
    return [(p + i1, p + i2, p + j1, p + j2) for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"]


def _regex_repair(
    pattern: str, replacement: Callable[[re.Match[str]], str], may_match: Callable[[str], bool] | None = None
) -> Repair:
    """A repair that replaces every match of ``pattern`` by ``replacement(match)``.

    ``may_match``: false only for a text where ``pattern`` cannot match, asked first.  Most texts
    need none of these repairs, and substring tests (a carriage return ``in text``) say so several
    times faster than the pattern tried at every position does (``re`` has no such shortcut for a
    character class, a look-ahead or an alternation; tests/test_adversarial.py checks each one
    against its pattern).
    """
    compiled = re.compile(pattern)

    def repair(text: str, ctx: RepairContext) -> tuple[str, list[Edit]]:
        if may_match is not None and not may_match(text):
            return text, []
        log = EditLog(text)
        for m in compiled.finditer(text):
            log.add(ctx.code, ctx.slug, m.start(), m.end(), replacement(m))
        return log.result(), log.edits

    return repair


#: CRLF and lone CR become LF (Windows and old Mac files; scrapers mix them), and so do U+2028
#: LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR, which end lines for str.splitlines and browsers.
normalize_line_endings = repair("normalize_line_endings")(
    _regex_repair(r"\r\n?|[\u2028\u2029]", lambda m: "\n", lambda t: "\r" in t or "\u2028" in t or "\u2029" in t)
)

_INVISIBLE = "\u200b\u2060\ufeff\u00ad"
#: Invisible characters that carry nothing in running text: zero-width space, BOM / zero-width
#: no-break space, word joiner, soft hyphen.  ZWJ and ZWNJ stay: emoji and several scripts need them.
remove_invisible_chars = repair("remove_invisible_chars")(
    _regex_repair(r"[\u200b\u2060\ufeff\u00ad]+", lambda m: "", lambda t: any(c in t for c in _INVISIBLE))
)

_BLANKS = (" ", "\t", "\u00a0", "\u3000")
#: Spaces and tabs at the end of a line (and on lines holding nothing else).
strip_trailing_whitespace = repair("strip_trailing_whitespace")(
    _regex_repair(
        r"[ \t\u00a0\u3000]+(?=\n|\Z)",
        lambda m: "",
        lambda t: t.endswith(_BLANKS) or any(c + "\n" in t for c in _BLANKS),
    )
)

#: Blank lines at the start and end of the text, and runs of two or more blank lines between
#: blocks, become nothing and one blank line.  Lines are never joined.
collapse_blank_lines = repair("collapse_blank_lines")(
    _regex_repair(
        r"\A\n+|\n+\Z|\n{3,}",
        lambda m: "" if m.start() == 0 or m.end() == len(m.string) else "\n\n",
        lambda t: t.startswith("\n") or t.endswith("\n") or "\n\n\n" in t,
    )
)
