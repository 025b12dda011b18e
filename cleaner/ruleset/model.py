"""The rule registry: every rule file in ``rules/``, validated, and nothing else.

One TOML file per rule (``rules/BP001-read-more-link.toml``), validated against
``rule.schema.json``.  Repairs (``kind = "repair"``) name a function of
:data:`cleaner.ruleset.registry.REPAIRS`; boilerplate rules (``line``, ``span``, ``block``) carry their
patterns and are applied by :mod:`cleaner.boilerplate.engine`.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import regex

from cleaner.boilerplate.thread import ThreadSpec
from cleaner.cache import cache_dir, store
from cleaner.errors import RuleError
from cleaner.ruleset import literals, vocab
from cleaner.ruleset.registry import FLAGS, REPAIRS, SHAPES, SPLITTERS, load_implementations
from cleaner.ruleset.vocab import default_rules_dir as default_rules_dir  # defined there, used here

if TYPE_CHECKING:
    import jsonschema


@dataclass(frozen=True)
class Neighbours:
    """How far a block rule's evidence reaches before or after its anchor line."""

    shapes: tuple[str, ...]
    patterns: tuple[regex.Pattern[str], ...]
    min: int
    max: int
    overflow: str = "cut"
    to_end: bool = False
    confirm: tuple[regex.Pattern[str], ...] = ()
    confirm_by: tuple[str, ...] = ()

    def accepts(self, line: str) -> bool:
        """Whether ``line`` may belong to the block."""
        return self.counts(line) or self.passes(line)

    def counts(self, line: str) -> bool:
        """Whether ``line`` counts towards ``max``: it has one of the shapes and matches no pattern."""
        s = line.strip()
        return not self.passes(s) and any(SHAPES[name](s) for name in self.shapes)

    def passes(self, line: str) -> bool:
        """Whether ``line`` matches one of the patterns: such lines ride along without counting."""
        s = line.strip()
        return any(p.fullmatch(s) for p in self.patterns)


@dataclass(frozen=True)
class Run:
    """A run rule's evidence: consecutive lines of one shape, so many of them."""

    shape: str
    min: int
    max: int
    identical: bool = False
    not_after: tuple[regex.Pattern[str], ...] = ()
    keep_first: bool = False
    period: int = 1
    #: shapes of which each must be found on one line of the run at least
    some: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Rule:
    """What every rule has, whatever its kind (see ``rule.schema.json`` for the fields).

    Each kind is a class of its own with the fields that kind reads (:class:`RepairRule`,
    :class:`SplitRule`, :class:`FlagRule`, :class:`LineRule`, :class:`SpanRule`,
    :class:`BlockRule`, :class:`RunRule`); :func:`parse_rule` builds the one a file's ``kind`` names.
    """

    code: str
    slug: str
    summary: str
    why: str
    kind: str
    languages: tuple[str, ...]
    examples: tuple[tuple[str, str], ...]
    negatives: tuple[str, ...]
    path: str = ""
    #: only documents from these sources (domains or shell patterns, see :func:`source_matches`)
    sources: tuple[str, ...] = ()

    def needs(self) -> tuple[str, ...]:
        """The codes of the rules whose removals this rule's evidence reads (none for most kinds)."""
        return ()

    def applies_to(self, lang: str) -> bool:
        """Whether the rule runs on a document in language ``lang`` (``und``: every rule runs)."""
        return "*" in self.languages or lang in self.languages or lang == "und"

    def applies_to_source(self, keys: tuple[str, ...]) -> bool:
        """Whether the rule runs on a document with these source keys (a rule without ``sources``: always)."""
        return not self.sources or any(source_matches(pattern, key) for pattern in self.sources for key in keys)

    def page(self) -> str:
        """The rule's documentation page, as ``cleaner rules CODE`` prints it."""
        out = [f"{self.code} {self.slug} ({self.kind})", "", self.summary, "", "Why: " + self.why.strip()]
        out.append("Languages: " + ", ".join(self.languages))
        for inp, exp in self.examples:
            out += ["", "Example:", _indent(inp), "becomes:", _indent(exp) if exp else "    (nothing)"]
        for neg in self.negatives:
            out += ["", "Left unchanged:", _indent(neg)]
        return "\n".join(out)


@dataclass(frozen=True, kw_only=True)
class RepairRule(Rule):
    """``kind = "repair"``: a function of :data:`~cleaner.ruleset.registry.REPAIRS`, run in its phase and order."""

    function: str
    #: ``before-language`` (they make the text the language is detected on) or ``after-language``
    phase: str
    order: int = 0


@dataclass(frozen=True, kw_only=True)
class SplitRule(Rule):
    """``kind = "split"``: a function of :data:`~cleaner.ruleset.registry.SPLITTERS`: where a line may be cut."""

    function: str


@dataclass(frozen=True, kw_only=True)
class FlagRule(Rule):
    """``kind = "flag"``: a function of :data:`~cleaner.ruleset.registry.FLAGS`, recorded in the metadata."""

    function: str


@dataclass(frozen=True, kw_only=True)
class SpanRule(Rule):
    """``kind = "span"``: every match of its patterns inside a line goes."""

    patterns: tuple[regex.Pattern[str], ...]
    #: the patterns as one alternation: one regex call per line, not one per pattern
    matcher: regex.Pattern[str] | None = None


@dataclass(frozen=True, kw_only=True)
class LineRule(Rule):
    """``kind = "line"``: a whole line that matches a pattern, perhaps only in some context."""

    pattern_texts: tuple[str, ...] = ()
    prefilter: regex.Pattern[str] | None = None
    shape: str = ""
    requires: tuple[str, ...] = ()
    requires_min: int = 1
    neighbours: str = ""
    position: str = ""
    between: tuple[str, ...] = ()
    between_weak: tuple[str, ...] = ()
    beside: tuple[str, ...] = ()
    not_after: tuple[regex.Pattern[str], ...] = ()
    followed_by: str = ""

    @property
    def contextual(self) -> bool:
        """Whether the rule looks beyond its line (at its neighbours, its position, other rules)."""
        return bool(
            self.requires
            or self.neighbours
            or self.position
            or self.between
            or self.beside
            or self.not_after
            or self.followed_by
        )

    def needs(self) -> tuple[str, ...]:
        """The rules whose removals this rule reads: ``requires``, ``between``, ``between_weak``, ``beside``."""
        return self.requires + self.between + self.between_weak + self.beside

    @cached_property
    def matcher(self) -> regex.Pattern[str] | None:
        """The patterns as one alternation, compiled when first needed (a rule never asked costs no start-up)."""
        if not self.pattern_texts:
            return None
        return regex.compile("|".join(f"(?:{p})" for p in self.pattern_texts), regex.V0)

    @cached_property
    def tries(self) -> Tries:
        """The patterns as :func:`guarded` tries them (built when first needed, as :attr:`matcher`)."""
        return guarded(self.pattern_texts)

    def matches(self, line: str) -> bool:
        """Whether the stripped ``line`` matches one of the patterns in full (and has the shape)."""
        if self.prefilter is not None and self.prefilter.search(line) is None:
            return False  # it lacks what every line of the rule has: no pattern can match
        if not _tried(self.tries, line):
            return False
        return not self.shape or SHAPES[self.shape](line)


@dataclass(frozen=True, kw_only=True)
class BlockRule(Rule):
    """``kind = "block"``: an anchor line and the neighbouring lines its evidence reaches."""

    anchor_matcher: regex.Pattern[str]
    #: the anchor patterns one by one (:attr:`anchor_matcher` is their alternation)
    anchor_texts: tuple[str, ...] = ()
    prefilter: regex.Pattern[str] | None = None
    after: Neighbours | None = None
    before: Neighbours | None = None

    @cached_property
    def tries(self) -> Tries:
        """The anchor patterns as :func:`guarded` tries them (built when first needed)."""
        return guarded(self.anchor_texts) if self.anchor_texts else (((), self.anchor_matcher),)

    def anchors(self, line: str) -> bool:
        """Whether the stripped ``line`` is an anchor of this block rule."""
        if self.prefilter is not None and self.prefilter.search(line) is None:
            return False  # it lacks what every anchor has
        return _tried(self.tries, line)


@dataclass(frozen=True, kw_only=True)
class RunRule(Rule):
    """``kind = "run"``: a stretch of consecutive lines of one shape."""

    run: Run
    requires: tuple[str, ...] = ()
    requires_min: int = 1

    def needs(self) -> tuple[str, ...]:
        """The rules of which one must have fired in the document for this rule to run."""
        return self.requires


@dataclass(frozen=True, kw_only=True)
class RepeatRule(Rule):
    """``kind = "repeat"``: a line that the page's site repeats on ``min_pages`` pages (corpus evidence)."""

    min_pages: int = 3


@dataclass(frozen=True, kw_only=True)
class ThreadRule(Rule):
    """``kind = "thread"``: a comment thread, found by its signatures (:mod:`cleaner.boilerplate.thread`)."""

    spec: ThreadSpec


#: Patterns to try in full, each after the guards that every line it matches passes.
Tries = tuple[tuple[tuple[literals.Guard, ...], regex.Pattern[str]], ...]


def guarded(patterns: tuple[str, ...]) -> Tries:
    """``patterns`` as ``(guards, pattern)`` pairs: a line matches one of them in full exactly when,
    for one pair, every guard finds something in it and the pattern matches it in full.

    A pattern with guards (:func:`cleaner.ruleset.literals.guards`: words that every line it
    matches holds) is tried alone, after them; the patterns without any are tried together, as
    one alternation (one call).  Which pattern matches is never asked, only whether one does.
    """
    found = [(literals.guards(p), p) for p in patterns]
    plain = [p for gs, p in found if not gs]
    out: list[tuple[tuple[literals.Guard, ...], regex.Pattern[str]]] = []
    if plain:
        out.append(((), regex.compile("|".join(f"(?:{p})" for p in plain), regex.V0)))
    out += [(gs, regex.compile(p, regex.V0)) for gs, p in found if gs]
    return tuple(out)


def _tried(tries: Tries, line: str) -> bool:
    """Whether one pattern of ``tries`` (:func:`guarded`) matches ``line`` in full."""
    low: str | None = ""  # lowercased when a guard first asks
    for guards, pattern in tries:
        if guards:
            if low == "":
                low = literals.folded(line)
            if not literals.passes(guards, low):
                continue
        if pattern.fullmatch(line) is not None:
            return True
    return False


#: A rule that the boilerplate engine applies.
BoilerplateRule = SplitRule | LineRule | SpanRule | BlockRule | RunRule


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.split("\n"))


@dataclass(frozen=True)
class RuleSet:
    """The loaded rules, in code order, with a digest that names this exact rule set."""

    rules: tuple[Rule, ...]
    digest: str = field(default="")

    def get(self, code: str) -> Rule:
        """The rule with this code or slug; ``KeyError`` if there is none."""
        for r in self.rules:
            if code in (r.code, r.slug):
                return r
        raise KeyError(code)

    @property
    def repairs(self) -> tuple[RepairRule, ...]:
        """The repairs, in the order they run."""
        return tuple(sorted((r for r in self.rules if isinstance(r, RepairRule)), key=lambda r: (r.order, r.code)))

    @property
    def flags(self) -> tuple[FlagRule, ...]:
        """The flags, in code order: what the cleaned text shows, recorded, never changed."""
        return tuple(r for r in self.rules if isinstance(r, FlagRule))

    @property
    def repeats(self) -> tuple[RepeatRule, ...]:
        """The corpus-evidence rules, in code order (they need a table of the corpus's lines)."""
        return tuple(r for r in self.rules if isinstance(r, RepeatRule))

    @property
    def threads(self) -> tuple[ThreadRule, ...]:
        """The comment-thread rules, in code order."""
        return tuple(r for r in self.rules if isinstance(r, ThreadRule))

    @property
    def boilerplate(self) -> tuple[BoilerplateRule, ...]:
        """The boilerplate rules, in code order."""
        return tuple(r for r in self.rules if isinstance(r, BoilerplateRule))

    def select(self, select: list[str] | None = None, ignore: list[str] | None = None) -> RuleSet:
        """The rules whose code starts with one of ``select`` and with none of ``ignore``.

        Codes are matched by prefix, as in ruff: ``BP`` selects every boilerplate rule.
        Slugs are accepted as well.  An unknown code is an error (a typo must not pass silently).
        """
        for c in (select or []) + (ignore or []):
            if not any(r.code.startswith(c) or r.slug == c for r in self.rules):
                raise RuleError(f"no rule matches {c!r} (see `cleaner rules`)")

        def hit(r: Rule, codes: list[str]) -> bool:
            return any(r.code.startswith(c) or r.slug == c for c in codes)

        kept = tuple(r for r in self.rules if (not select or hit(r, select)) and not hit(r, ignore or []))
        return RuleSet(kept, _digest_of(self.digest, [r.code for r in kept]))


def _digest_of(base: str, codes: list[str]) -> str:
    return hashlib.sha256((base + ":" + ",".join(codes)).encode()).hexdigest()[:16]


@cache
def _schema_text() -> str:
    return resources.files("cleaner.ruleset").joinpath("rule.schema.json").read_text("utf-8")


@cache
def _validator() -> jsonschema.protocols.Validator:
    import jsonschema  # imported when a rule file must be checked: 0.2 s of every start-up otherwise

    schema = json.loads(_schema_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


#: The cache file of the rule files already checked against the schema (one digest per line).
_CHECKED_FILE = "rules-checked-v1.txt"


@cache
def _checked(folder: Path) -> set[str]:
    """The digests of rule data (with the schema) that passed the schema on this machine before."""
    try:
        return set((folder / _CHECKED_FILE).read_text("utf-8").split())
    except (OSError, UnicodeDecodeError):
        return set()


def _tagged(value: object) -> object:
    """A TOML value that JSON cannot hold (a date, a time), written with its type: no string looks like it."""
    return {f"${type(value).__name__}": str(value)}


def _unchecked(data: dict[str, Any]) -> str | None:
    """The digest of a rule file's data if it has not passed the checks on this machine, else None.

    A rule file that passed once (the same data, the same schema, the same jsonschema and
    cleaner: one digest) is not checked again: the shipped rules pass on every start, and
    jsonschema with its validator costs 0.3 s of it.
    """
    from cleaner import __version__

    key = hashlib.sha256(
        "\0".join(
            (_schema_text(), _jsonschema_version(), __version__, json.dumps(data, sort_keys=True, default=_tagged))
        ).encode()
    ).hexdigest()
    return None if key in _checked(cache_dir()) else key


def _remember(key: str) -> None:
    """Add a digest of rule data that passed every check to the cache file (written atomically)."""
    folder = cache_dir()
    checked = _checked(folder)
    checked.add(key)
    # without a cache to write, the file is checked again next time
    store(folder / _CHECKED_FILE, lambda f: f.write("".join(f"{k}\n" for k in sorted(checked)).encode()))


def _schema_error(data: dict[str, Any], where: str) -> str | None:
    """What is wrong with a rule file's data by the schema, or None."""
    import jsonschema

    error = jsonschema.exceptions.best_match(_validator().iter_errors(data))
    if error is None:
        return None
    path = "/".join(str(p) for p in error.absolute_path) or "(top)"
    return f"{where}: {path}: {error.message}"


@cache
def _jsonschema_version() -> str:
    from importlib.metadata import version

    return version("jsonschema")


def _compile(pattern: str, where: str) -> regex.Pattern[str]:
    try:
        return regex.compile(pattern, regex.V0)
    except regex.error as exc:
        raise RuleError(f"{where}: bad pattern {pattern!r}: {exc}") from exc


def _alternation(patterns: list[str], where: str) -> regex.Pattern[str] | None:
    if not patterns:
        return None
    try:
        return regex.compile("|".join(f"(?:{p})" for p in patterns), regex.V0)
    except regex.error:
        for p in patterns:  # name the pattern that is wrong
            _compile(p, where)
        raise RuleError(f"{where}: the patterns do not join into one: {' | '.join(patterns)!r}") from None


def _neighbours(data: dict[str, Any] | None, where: str) -> Neighbours | None:
    if data is None:
        return None
    for name in data["shapes"]:
        if name not in SHAPES:
            raise RuleError(f"{where}: unknown shape {name!r} (known: {', '.join(sorted(SHAPES))})")
    return Neighbours(
        tuple(data["shapes"]),
        tuple(_compile(p, where) for p in data.get("patterns", [])),
        data.get("min", 0),
        data["max"],
        data.get("overflow", "cut"),
        data.get("to_end", False),
        tuple(_compile(p, where) for p in data.get("confirm", [])),
        tuple(data.get("confirm_by", [])),
    )


def _run(data: dict[str, Any] | None, where: str) -> Run | None:
    if data is None:
        return None
    some = data.get("some", ())
    some = (some,) if isinstance(some, str) else tuple(some)
    for name in (data["shape"], *some):
        if name not in SHAPES:
            raise RuleError(f"{where}: unknown shape {name!r} (known: {', '.join(sorted(SHAPES))})")
    return Run(
        data["shape"],
        data["min"],
        data["max"],
        data.get("identical", False),
        tuple(_compile(p, where) for p in data.get("not_after", [])),
        data.get("keep_first", False),
        data.get("period", 1),
        some,
    )


def source_matches(pattern: str, key: str) -> bool:
    """Whether a document source ``key`` (a URL, a domain, a path) is one that ``pattern`` names.

    A bare domain names its host and every subdomain, in a URL or alone; anything else is a shell
    pattern over the whole key.  Case does not count.

    >>> source_matches("example.com", "https://www.example.com/news/1"), source_matches("example.com", "notexample.com")
    (True, False)
    >>> source_matches("corpus/site-a/*", "corpus/site-a/page.txt"), source_matches("*/news/*", "https://x.org/sport/2")
    (True, False)
    """
    pattern, key = pattern.lower(), key.lower()
    if DOMAIN.fullmatch(pattern):
        host = urlsplit(key).hostname if "://" in key else key
        return host is not None and (host == pattern or host.endswith("." + pattern))
    return fnmatch.fnmatchcase(key, pattern)


#: A bare domain name (``example.com``): no wildcard, no slash.
DOMAIN = regex.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+")


def parse_rule(
    data: dict[str, Any], where: str, rules_dir: Path | None = None, lists: vocab.Vocab | None = None
) -> Rule:
    """Validate one rule file's data and build the :class:`Rule`; ``RuleError`` says what is wrong.

    A ``{vocab:NAME}`` in a pattern is the list ``rules_dir/vocab/NAME.txt`` (default: the shipped
    rules'), or list ``NAME`` of ``lists`` when given (a local folder's and the shipped ones).
    """
    load_implementations()  # the tables below are filled by the modules that hold the functions
    key = _unchecked(data)
    if key is not None:
        problem = _schema_error(data, where)
        if problem is not None:
            raise RuleError(problem)
    data = vocab.expand_patterns(data, rules_dir or default_rules_dir(), where, lists)
    rule = _build_rule(data, where)
    if key is not None:
        # the rules match with alternations, which one broken pattern may not break: every
        # pattern of the file alone, then a line rule's alternation (compiled when first needed)
        for pattern in vocab.patterns_of(data):
            _compile(pattern, where)
        if isinstance(rule, LineRule):
            try:
                _ = rule.matcher
            except regex.error as exc:
                raise RuleError(f"{where}: the patterns do not join into one: {exc}") from None
        _remember(key)
    return rule


def _build_rule(data: dict[str, Any], where: str) -> Rule:
    """The :class:`Rule` of a rule file's checked data, its lists written out."""
    if data["kind"] == "repair" and data["function"] not in REPAIRS:
        raise RuleError(f"{where}: unknown repair function {data['function']!r}")
    if data["kind"] == "split" and data["function"] not in SPLITTERS:
        raise RuleError(f"{where}: unknown split function {data['function']!r}")
    if data["kind"] == "flag" and data["function"] not in FLAGS:
        raise RuleError(f"{where}: unknown flag function {data['function']!r}")
    for key in ("shape", "neighbours", "followed_by"):
        if data.get(key) and data[key] not in SHAPES:
            raise RuleError(f"{where}: unknown shape {data[key]!r}")
    common: dict[str, Any] = {
        "code": data["code"],
        "slug": data["slug"],
        "summary": data["summary"],
        "why": data["why"],
        "kind": data["kind"],
        "languages": tuple(data["languages"]),
        "examples": tuple((e["input"], e["output"]) for e in data["examples"]),
        "negatives": tuple(data["negatives"]),
        "path": where,
        "sources": tuple(data.get("sources", [])),
    }
    kind = data["kind"]
    stray = sorted(set(data) - _COMMON_FIELDS - _KIND_FIELDS[kind])
    if stray:
        raise RuleError(f"{where}: a {kind} rule has no field {', '.join(stray)}")
    if kind == "repair":
        return RepairRule(**common, function=data["function"], phase=data.get("phase", ""), order=data.get("order", 0))
    if kind == "split":
        return SplitRule(**common, function=data["function"])
    if kind == "flag":
        return FlagRule(**common, function=data["function"])
    if kind == "repeat":
        return RepeatRule(**common, min_pages=data.get("min_pages", 3))
    if kind == "thread":
        return ThreadRule(**common, spec=_thread_spec(data, where))
    if kind == "span":
        return SpanRule(
            **common,
            patterns=tuple(_compile(p, where) for p in data["patterns"]),
            matcher=_alternation(data["patterns"], where),
        )
    if kind == "block":
        anchor = _alternation(data["anchor"], where)
        assert anchor is not None  # the schema asks a block rule for anchors
        return BlockRule(
            **common,
            anchor_matcher=anchor,
            anchor_texts=tuple(data["anchor"]),
            prefilter=_compile(data["prefilter"], where) if "prefilter" in data else None,
            after=_neighbours(data.get("after"), where),
            before=_neighbours(data.get("before"), where),
        )
    if kind == "run":
        run = _run(data["run"], where)
        assert run is not None
        return RunRule(
            **common, run=run, requires=tuple(data.get("requires", [])), requires_min=data.get("requires_min", 1)
        )
    return LineRule(
        **common,
        pattern_texts=tuple(data["patterns"]),
        prefilter=_compile(data["prefilter"], where) if "prefilter" in data else None,
        shape=data.get("shape", ""),
        requires=tuple(data.get("requires", [])),
        requires_min=data.get("requires_min", 1),
        neighbours=data.get("neighbours", ""),
        position=data.get("position", ""),
        between=tuple(data.get("between", [])),
        between_weak=tuple(data.get("between_weak", [])),
        beside=tuple(data.get("beside", [])),
        not_after=tuple(_compile(p, where) for p in data.get("not_after", [])),
        followed_by=data.get("followed_by", ""),
    )


def _thread_spec(data: dict[str, Any], where: str) -> ThreadSpec:
    def one(key: str) -> regex.Pattern[str]:
        pattern = _alternation(data[key], where)
        assert pattern is not None  # the schema asks a thread rule for every list
        return pattern

    return ThreadSpec(
        stamp=one("stamp"),
        dated=one("dated"),
        signed=one("signed"),
        writes=one("writes"),
        actions=one("actions"),
        header=one("header"),
        not_signature=one("not_signature"),
        cuts=tuple(_compile(p, where) for p in data["cuts"]),
        joints=tuple(_compile(p, where) for p in data.get("joints", [])),
        months=one("months"),
        min_signatures=data["min_signatures"],
        max_gap=data["max_gap"],
        max_median_gap=data["max_median_gap"],
        max_words=data["max_words"],
        max_name_words=data["max_name_words"],
    )


#: The fields every rule file may have, and those of each kind (a field of another kind is an
#: error; the schema says which of them a kind cannot do without).
_COMMON_FIELDS = frozenset({"code", "slug", "summary", "why", "kind", "languages", "examples", "negatives", "sources"})
_KIND_FIELDS = {
    "repair": frozenset({"function", "phase", "order"}),
    "split": frozenset({"function"}),
    "flag": frozenset({"function"}),
    "repeat": frozenset({"min_pages"}),
    "thread": frozenset(
        {"stamp", "dated", "signed", "writes", "actions", "header", "not_signature", "cuts", "joints", "months"}
        | {"min_signatures", "max_gap", "max_median_gap", "max_words", "max_name_words"}
    ),
    "span": frozenset({"patterns"}),
    "block": frozenset({"anchor", "after", "before", "prefilter"}),
    "run": frozenset({"run", "requires", "requires_min"}),
    "line": frozenset(
        {"patterns", "shape", "requires", "requires_min", "neighbours", "position", "between", "between_weak"}
        | {"beside", "not_after", "followed_by", "prefilter"}
    ),
}


@cache
def load_rules(directory: str | None = None) -> RuleSet:
    """Load and validate every ``*.toml`` rule file of ``directory`` (default: the shipped rules).

    Codes and slugs must be unique, and a file's name must start with its code.
    """
    root = Path(directory) if directory else default_rules_dir()
    if not root.is_dir():
        raise RuleError(f"no rule files in {root}")
    files = sorted(q for q in root.iterdir() if q.suffix in (".toml", ".txt"))
    if not any(f.suffix == ".toml" for f in files):
        raise RuleError(f"no rule files in {root}")
    rules: list[Rule] = []
    # the digest names the rules and the data files beside them (a word list of vocab/ changes
    # results as much as a pattern does)
    digest = hashlib.sha256()
    digest.update(vocab.load_vocab(str(root)).fingerprint)
    for f in files:
        raw = f.read_bytes()
        digest.update(f.name.encode() + b"\0" + raw + b"\0")
        if f.suffix != ".toml":
            continue
        rules.append(_read_rule(raw, f.name, f.name, root))
    return _rule_set(rules, digest.hexdigest()[:16])


def _read_rule(
    raw: bytes, where: str, name: str, rules_dir: Path | None = None, lists: vocab.Vocab | None = None
) -> Rule:
    """One rule file's bytes as a :class:`Rule`; its file ``name`` must start with its code."""
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RuleError(f"{where}: not valid TOML: {exc}") from None
    rule = parse_rule(data, where, rules_dir, lists)
    if not name.startswith(rule.code + "-"):
        raise RuleError(f"{where}: file name must start with its code {rule.code}-")
    return rule


def _rule_set(rules: list[Rule], digest: str) -> RuleSet:
    """The rules in code order, once each checked: codes and slugs unique, every rule a rule names known."""
    seen: dict[str, Rule] = {}
    for r in rules:
        for key in (r.code, r.slug):
            if key in seen:
                raise RuleError(f"{r.path}: code or slug {key!r} is also used by {seen[key].path}")
            seen[key] = r
    for r in rules:
        for req in r.needs():
            if req not in seen:
                raise RuleError(f"{r.path}: requires unknown rule {req}")
    return RuleSet(tuple(sorted(rules, key=lambda r: r.code)), digest)


#: The code prefix reserved for local rules: the shipped rules never use it, so a local rule can
#: never take a shipped rule's code, now or in a later version.
LOCAL_PREFIX = "LC"


def load_with_local(folders: tuple[str, ...] = ()) -> RuleSet:
    """The shipped rules and the rules of ``folders`` (``--rules DIR``, ``[tool.cleaner] rules``).

    A local rule's code starts with :data:`LOCAL_PREFIX`; a code or slug used twice (in two
    folders, or a slug of a shipped rule) is an error, as is a local rule that requires an
    unknown one.  The digest covers the shipped set and every local file.  Loaded once per state
    of the folders' files (a rule being written and tested again is read again).
    """
    state = tuple(
        (str(f), f.stat().st_mtime_ns, f.stat().st_size)
        for folder in folders
        if Path(folder).is_dir()
        for f in sorted(Path(folder).glob("*.toml")) + sorted(Path(folder).glob(f"{vocab.VOCAB_FOLDER}/*.txt"))
    )
    return _load_with_local(folders, state)


@cache
def _load_with_local(folders: tuple[str, ...], state: tuple[tuple[str, int, int], ...]) -> RuleSet:
    shipped = load_rules()
    if not folders:
        return shipped
    rules = list(shipped.rules)
    digest = hashlib.sha256(shipped.digest.encode())
    for folder in folders:
        root = Path(folder)
        files = sorted(root.glob("*.toml")) if root.is_dir() else []
        if not files:
            raise RuleError(f"{folder}: no rule files (*.toml) in this folder")
        # the folder's rules name its own lists (vocab/NAME.txt beside them) and the shipped ones
        lists = vocab.with_local(root)
        digest.update(lists.fingerprint)
        for f in files:
            raw = f.read_bytes()
            digest.update(f.name.encode() + b"\0" + raw + b"\0")
            rule = _read_rule(raw, str(f), f.name, lists=lists)
            if not rule.code.startswith(LOCAL_PREFIX):
                raise RuleError(
                    f"{f}: a local rule's code starts with {LOCAL_PREFIX} ({LOCAL_PREFIX}001, ...); "
                    f"{rule.code} is a shipped rule's kind of code"
                )
            rules.append(rule)
    return _rule_set(rules, digest.hexdigest()[:16])
