"""The manifest as one HTML page: the charts and tables a user would rather look at than read.

Four charts (edits per rule, languages, document lengths, duplicate cluster sizes), two tables
(the largest clusters with their members, the flagged documents) and the summary totals with the
settings.  plotly draws the charts; it is the ``report`` extra, imported only here and only when a
page is built, so the other commands neither need it nor pay for importing it.  Its JavaScript is
inlined once in the page: the file opens anywhere, offline, and can be mailed or archived whole.

The same manifest gives the same bytes (with the same plotly): every chart's ``div`` has a fixed
id, and nothing on the page depends on the time, the machine or the manifest's file name.
"""

from __future__ import annotations

import html
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cleaner.errors import ExtraError
from cleaner.manifest.model import SUMMARY_KEYS, TOP_CLUSTERS, Entry, Manifest

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

#: Members listed per cluster in the table of the largest clusters; the rest are counted.  Chosen,
#: not measured: enough to see what was copied, and 20 clusters of 10,000 copies stay a short page.
MEMBERS_SHOWN = 20
#: Flagged documents listed; the rest are counted (INDEX.md lists them all).  Chosen, not measured:
#: a page of a few hundred rows still opens at once, and a longer list is read with a tool anyway.
FLAGGED_SHOWN = 500
#: Pixels: a chart's height, and per bar of the horizontal edits chart (one bar a rule).  Chosen by
#: eye on the report of the raw seeds and of bench/index_corpus.py's corpus.
CHART_HEIGHT = 360
BAR_HEIGHT = 26
#: plotly's options for every chart: no link to plotly's site on the toolbar (the page makes no
#: request of its own), and charts that follow the width of the window.
CONFIG = {"displaylogo": False, "responsive": True}

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em; color: #222; }
h1 { margin-bottom: 0.2em; }
section { margin-top: 2em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.side { display: flex; flex-wrap: wrap; gap: 2em; align-items: flex-start; }
.chart { width: 100%; }
.none { color: #666; font-style: italic; }
ul.members { margin: 0; padding-left: 1.2em; }
"""


@dataclass(frozen=True)
class Chart:
    """One chart of the page: its fixed ``div`` id, its heading, and the figure (None: no data)."""

    id: str
    title: str
    figure: Figure | None
    empty: str  # the sentence shown instead when there is nothing to draw


def _plotly() -> Any:
    """plotly's ``graph_objects``, or ``ExtraError`` naming the extra that installs it."""
    try:
        import plotly.graph_objects as go
    except ImportError:
        raise ExtraError("cleaner report needs plotly, which is not installed: pip install 'cleaner[report]'") from None
    return go


def charts(manifest: Manifest) -> list[Chart]:
    """The page's charts, in order; a chart with nothing to draw has no figure."""
    go = _plotly()
    t = manifest.totals()
    layout = {"template": "plotly_white", "height": CHART_HEIGHT, "margin": {"l": 60, "r": 20, "t": 20, "b": 50}}

    rules = t["rules"]
    edits = None
    if rules:
        labels = [f"{code} {r['slug']}".strip() for code, r in rules.items()]
        edits = go.Figure(
            go.Bar(
                x=[r["edits"] for r in rules.values()],
                y=labels,
                customdata=[r["documents"] for r in rules.values()],
                orientation="h",
                hovertemplate="%{y}: %{x} edits in %{customdata} documents<extra></extra>",
            ),
            layout={**layout, "height": max(CHART_HEIGHT // 2, 80 + BAR_HEIGHT * len(rules))},
        )
        edits.update_yaxes(autorange="reversed", automargin=True)  # code order from the top
        edits.update_xaxes(title_text="edits")

    languages = None
    if t["languages"]:
        languages = go.Figure(
            go.Bar(
                x=list(t["languages"]),
                y=list(t["languages"].values()),
                hovertemplate="%{x}: %{y} documents<extra></extra>",
            ),
            layout=layout,
        )
        languages.update_xaxes(type="category", title_text="language")
        languages.update_yaxes(title_text="documents")
        _count_axis(languages, max(t["languages"].values()))

    lengths = None
    if manifest.entries:
        lengths = go.Figure(
            go.Histogram(
                x=[e.words for e in manifest.entries],
                hovertemplate="%{x} words: %{y} documents<extra></extra>",
            ),
            layout={**layout, "bargap": 0.05},
        )
        lengths.update_xaxes(title_text="words (cleaned text)")
        lengths.update_yaxes(title_text="documents")
        _count_axis(lengths, len(manifest.entries))  # no bin holds more

    clusters = None
    sizes = cluster_sizes(manifest.entries)
    if sizes:
        clusters = go.Figure(
            go.Bar(
                x=[str(size) for size in sizes],  # categories: a size of 2.5 documents does not exist
                y=list(sizes.values()),
                hovertemplate="%{y} clusters of %{x} documents<extra></extra>",
            ),
            layout=layout,
        )
        clusters.update_xaxes(type="category", title_text="documents in the cluster (the kept one and its copies)")
        clusters.update_yaxes(title_text="clusters")
        _count_axis(clusters, max(sizes.values()))

    return [
        Chart("chart-edits", "Edits by rule", edits, "No edits: every document is clean."),
        Chart("chart-languages", "Languages", languages, "No documents."),
        Chart("chart-lengths", "Document lengths", lengths, "No documents."),
        Chart("chart-clusters", "Duplicate cluster sizes", clusters, "No copies: every document is its own cluster."),
    ]


def _count_axis(figure: Figure, largest: int) -> None:
    """Whole numbers on a count axis: plotly's own ticks for a few documents are 0.2, 0.4, ..."""
    figure.update_yaxes(rangemode="tozero", dtick=1 if largest <= 10 else None, tickformat=",d")


def cluster_sizes(entries: Iterable[Entry]) -> dict[int, int]:
    """How many clusters of copies have each size (documents, kept one included), smallest first.

    >>> e = [Entry(p, "", "en", 1.0, 1, "", {}, c, None) for p, c in (("a", 1), ("b", 1), ("c", 2), ("d", 3))]
    >>> cluster_sizes(e)
    {2: 1}
    """
    members = Counter(e.cluster for e in entries)
    return dict(sorted(Counter(n for n in members.values() if n > 1).items()))


def _cell(value: object, numeric: bool = False) -> str:
    return f'<td class="n">{value}</td>' if numeric else f"<td>{html.escape(str(value))}</td>"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], table_id: str) -> str:
    """A table of pre-rendered cells (``<td>``), with its header."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "\n".join(f"<tr>{''.join(row)}</tr>" for row in rows)
    return f'<table id="{table_id}">\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>'


def _none(sentence: str) -> str:
    return f'<p class="none">{html.escape(sentence)}</p>'


def _more(shown: int, total: int, what: str) -> str:
    return f"<p>The first {shown} of {total} {what}, in path order; the manifest lists them all.</p>"


def clusters_table(manifest: Manifest) -> str:
    """The largest clusters of copies (as INDEX.md's summary lists them), each with its members."""
    largest = manifest.largest_clusters()
    if not largest:
        return _none("No copies: every document is its own cluster.")
    copies: dict[int, list[Entry]] = defaultdict(list)
    titles = {}
    for e in manifest.entries:
        if e.kept:
            titles[e.cluster] = e.title
        else:
            copies[e.cluster].append(e)
    rows = []
    for cluster, size, kept in largest:
        members = copies[cluster]
        items = "".join(f"<li>{html.escape(e.path)}</li>" for e in members[:MEMBERS_SHOWN])
        if len(members) > MEMBERS_SHOWN:
            items += f"<li>and {len(members) - MEMBERS_SHOWN} more</li>"
        rows.append(
            [
                _cell(cluster, numeric=True),
                _cell(size, numeric=True),
                _cell(kept),
                _cell(titles[cluster]),
                f'<td><ul class="members">{items}</ul></td>',
            ]
        )
    return _table(("cluster", "documents", "kept", "title", "copies"), rows, "largest-clusters")


def flag_names() -> dict[str, str]:
    """``code -> "CODE slug"`` of the shipped flag rules.

    The manifest records a flag by its code, which is permanent; the slug that says what it means
    comes from the rules installed (a code they do not know is shown alone).
    """
    from cleaner.ruleset import load_rules

    return {f.code: f"{f.code} {f.slug}" for f in load_rules().flags}


def flagged_table(manifest: Manifest, names: dict[str, str]) -> str:
    """The documents a flag rule raised on (FL001: the last sentence is cut off), in path order."""
    flagged = [e for e in manifest.entries if e.flags]
    if not flagged:
        return _none("No document is flagged.")
    rows = [
        [
            _cell(e.path),
            _cell(e.title),
            _cell(e.lang),
            _cell(e.words, numeric=True),
            _cell(", ".join(names.get(code, code) for code in e.flags)),
            _cell("kept" if e.kept else f"duplicate of {e.duplicate_of}"),
        ]
        for e in flagged[:FLAGGED_SHOWN]
    ]
    table = _table(("path", "title", "lang", "words", "flags", "status"), rows, "flagged")
    return table + (_more(FLAGGED_SHOWN, len(flagged), "flagged documents") if len(flagged) > FLAGGED_SHOWN else "")


def summary(manifest: Manifest) -> str:
    """The totals of INDEX.md's summary, and the settings that change results, side by side."""
    t = manifest.totals()
    totals = _table(("total", "value"), ([_cell(k), _cell(t[k], numeric=True)] for k in SUMMARY_KEYS), "totals")
    settings = [("cleaner", manifest.version), ("rules", manifest.rules), *manifest.settings.cells()]
    header = _table(("setting", "value"), ([_cell(k), _cell(v)] for k, v in settings), "settings")
    return f'<div class="side">\n{totals}\n{header}\n</div>'


def _chart_html(chart: Chart) -> str:
    if chart.figure is None:
        return _none(chart.empty)
    div: str = chart.figure.to_html(
        full_html=False, include_plotlyjs=False, div_id=chart.id, config=CONFIG, default_width="100%"
    )
    return f'<div class="chart">{div}</div>'


def _section(title: str, body: str) -> str:
    return f"<section>\n<h2>{html.escape(title)}</h2>\n{body}\n</section>"


def render_report(manifest: Manifest) -> str:
    """The whole page: plotly's JavaScript inlined, then the summary, the charts and the tables."""
    drawn = charts(manifest)  # first: without plotly this fails before anything else is done
    from plotly.offline import get_plotlyjs

    t = manifest.totals()
    langs = ", ".join(f"{lang} {n}" for lang, n in t["languages"].items()) or "none"
    lead = (
        f"{t['documents']} documents: {t['kept']} kept, {t['duplicates']} duplicates "
        f"(in {t['duplicate_clusters']} clusters of copies); {t['words']} words; languages: {langs}; "
        f"{t['edits']} edits in {t['changed']} documents; {t['flagged']} flagged."
    )
    sections = [
        _section("Summary", summary(manifest)),
        *(_section(c.title, _chart_html(c)) for c in drawn),
        _section(f"Largest clusters of copies (at most {TOP_CLUSTERS})", clusters_table(manifest)),
        _section("Flagged documents", flagged_table(manifest, flag_names())),
    ]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="generator" content="cleaner report">',
            "<title>Corpus report</title>",
            f"<style>{STYLE}</style>",
            f'<script type="text/javascript">{get_plotlyjs()}</script>',
            "</head>",
            "<body>",
            "<h1>Corpus report</h1>",
            f'<p id="lead">{html.escape(lead)}</p>',
            *sections,
            "</body>",
            "</html>",
            "",
        ]
    )
