"""``cleaner report``: the page of a manifest (charts, tables, totals), its bytes, its errors, and a real browser."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.manifest import Manifest, load_manifest
from cleaner.manifest.report import charts

from .conftest import FIXTURES, RAW_SEEDS

runner = CliRunner()
CHART_IDS = ["chart-edits", "chart-languages", "chart-lengths", "chart-clusters"]
CUT = "Officials met on Monday. The two sides agreed that the talks would resume in the coming\n"
#: A file name a page must show as text: were it markup, the table would lose it.
ODD_NAME = "talks <cut> & co.txt"
CHROMIUM = Path("/usr/bin/chromium")
#: What this machine's chromium needs to run headless as root, offline.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The raw seeds (seed 000 ends mid-sentence), four articles (one German, one French), a
    document cut off, and planted copies: article 04 twice, article 02 once."""
    folder = tmp_path_factory.mktemp("report") / "corpus"
    folder.mkdir()
    for f in RAW_SEEDS:
        shutil.copy(f, folder / f.name)
    articles = FIXTURES / "articles"
    for name in ("02_business_publisher_earnings", "04_sports_tennis_doubles", "24_german_broadcaster"):
        shutil.copy(articles / f"{name}.txt", folder / f"{name}.txt")
    shutil.copy(articles / "25_french_pensions.txt", folder / "25_french_pensions.txt")
    tennis = (articles / "04_sports_tennis_doubles.txt").read_text("utf-8")
    (folder / "tennis-rescrape.txt").write_text("Advertisement\n" + tennis + "\nShare this article\n", "utf-8")
    (folder / "tennis-again.txt").write_text(tennis + "\nRead More The other result of the day\n", "utf-8")
    earnings = (articles / "02_business_publisher_earnings.txt").read_text("utf-8")
    (folder / "earnings-copy.txt").write_text("Advertisement\n" + earnings, "utf-8")
    (folder / ODD_NAME).write_text(CUT, "utf-8")
    return folder


@pytest.fixture(scope="module")
def manifest_json(corpus: Path) -> Path:
    target = corpus.parent / "INDEX.json"
    code, _, err = run("index", str(corpus), "-o", str(target), "--format", "json", "-j", "1")
    assert code == 0, err
    return target


@pytest.fixture(scope="module")
def report(manifest_json: Path) -> Path:
    target = manifest_json.parent / "report.html"
    code, _, err = run("report", str(manifest_json), "-o", str(target))
    assert code == 0, err
    return target


class _Tables(HTMLParser):
    """The text of every cell of every table with an id (a list's items one per line), and the
    ids of the chart divs."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.divs: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "div" and "plotly-graph-div" in (a.get("class") or ""):
            self.divs.append(a["id"] or "")
        elif tag == "table":
            self._table = a.get("id") or ""
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag == "td":
            self._cell = []
        elif tag == "li" and self._cell:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def parsed(page: str) -> _Tables:
    p = _Tables()
    p.feed(page)
    return p


def by_name(manifest: Manifest) -> dict[str, str]:
    return {e.path: e.path.rsplit("/", 1)[-1] for e in manifest.entries}


# --- the page --------------------------------------------------------------------------------


def test_one_chart_per_figure_drawing_the_manifest(report: Path, manifest_json: Path) -> None:
    page = parsed(report.read_text("utf-8"))
    assert page.divs == CHART_IDS
    manifest = load_manifest(manifest_json)
    figures = {c.id: c.figure for c in charts(manifest)}
    clusters = figures["chart-clusters"].data[0]
    # planted: article 04 with two copies (3 documents), article 02 with one (2)
    assert (list(clusters.x), list(clusters.y)) == (["2", "3"], [1, 1])
    languages = figures["chart-languages"].data[0]
    assert dict(zip(languages.x, languages.y, strict=True)) == {"en": 8, "de": 1, "fr": 1}
    assert sorted(figures["chart-lengths"].data[0].x) == sorted(e.words for e in manifest.entries)
    edits = figures["chart-edits"].data[0]
    # the planted junk was removed and counted: BP004 (Advertisement) in two copies, BP001 once
    counted = dict(zip((label.split()[0] for label in edits.y), edits.x, strict=True))
    assert counted["BP004"] == 2 and counted["BP001"] >= 1
    assert counted == {code: r["edits"] for code, r in manifest.totals()["rules"].items()}


def test_the_tables_list_the_largest_clusters_and_the_flagged_documents(report: Path) -> None:
    tables = parsed(report.read_text("utf-8")).tables
    rows = [r for r in tables["largest-clusters"] if r]
    names = [(r[1], r[2].rsplit("/", 1)[-1], sorted(m.rsplit("/", 1)[-1] for m in r[4].split("\n") if m)) for r in rows]
    kept = "04_sports_tennis_doubles.txt"
    # the largest first; each row names the kept document and lists its copies
    assert names[0][0] == "3" and {names[0][1], *names[0][2]} == {kept, "tennis-again.txt", "tennis-rescrape.txt"}
    assert names[1][0] == "2"
    assert {names[1][1], *names[1][2]} == {"02_business_publisher_earnings.txt", "earnings-copy.txt"}
    assert len(rows) == 2
    flagged = {r[0].rsplit("/", 1)[-1]: r[4] for r in tables["flagged"] if r}
    assert flagged == {"000_d87d1fe5066b3ba7.txt": "FL001 truncated-tail", ODD_NAME: "FL001 truncated-tail"}
    totals = {r[0]: r[1] for r in tables["totals"] if r}
    assert (totals["documents"], totals["duplicates"], totals["flagged"]) == ("10", "3", "2")


def test_text_from_the_corpus_is_shown_as_text(report: Path) -> None:
    page = report.read_text("utf-8")
    assert "talks &lt;cut&gt; &amp; co.txt" in page and "<cut>" not in page


def test_nothing_is_fetched_from_the_network(report: Path) -> None:
    page = report.read_text("utf-8")
    tags = re.findall(r"<(?:script|link|img|iframe|object|embed)\b[^>]*>", page, flags=re.I)
    assert tags and all(not re.search(r"\b(?:src|href)\s*=", t, flags=re.I) for t in tags), tags
    # the markup outside the scripts (plotly.js holds addresses as strings, used only by charts
    # that fetch maps, which the page has none of: the browser test sees no request)
    markup = re.sub(r"<script\b[^>]*>.*?</script>", "", page, flags=re.S | re.I)
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", markup, flags=re.I)
    assert "Plotly.newPlot" in page and len(markup) < len(page) // 10  # drawn by the inlined script


def test_a_clean_corpus_has_sentences_where_there_is_nothing_to_draw() -> None:
    page_text = run("report", str(Path(__file__).resolve().parent.parent / "INDEX.md"), "-o", "-")
    code, page, _ = page_text
    assert code == 0
    p = parsed(page)
    assert p.divs == ["chart-languages", "chart-lengths"]
    assert "No edits: every document is clean." in page and "No copies: every document is its own cluster." in page
    assert "largest-clusters" not in p.tables and [r[0] for r in p.tables["flagged"] if r] == [
        "seeds/000_d87d1fe5066b3ba7.txt"
    ]


def test_same_bytes_every_run_and_from_either_form(report: Path, manifest_json: Path, corpus: Path) -> None:
    code, page, _ = run("report", str(manifest_json), "-o", "-")
    assert code == 0
    assert page.encode("utf-8") == report.read_bytes()
    markdown = manifest_json.parent / "INDEX.md"
    assert run("index", str(corpus), "-o", str(markdown), "-j", "1")[0] == 0
    again = manifest_json.parent / "again.html"
    assert run("report", str(markdown), "-o", str(again))[0] == 0
    assert again.read_bytes() == report.read_bytes()


# --- errors ----------------------------------------------------------------------------------


def test_bad_input_is_a_one_line_error_and_writes_nothing(manifest_json: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    out.write_text("the report of yesterday", "utf-8")
    data = json.loads(manifest_json.read_text("utf-8"))
    data["documents"].pop()  # cut short: the totals disagree
    cut = tmp_path / "cut.json"
    cut.write_text(json.dumps(data), "utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text(manifest_json.read_text("utf-8")[:500], "utf-8")
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n", "utf-8")
    cases = {
        str(tmp_path / "missing.json"): "cannot read",
        str(tmp_path): "cannot read",
        str(broken): "not valid JSON",
        str(notes): "not a cleaner manifest",
        str(cut): "disagrees",
    }
    for source, message in cases.items():
        code, _, err = run("report", source, "-o", str(out))
        assert code == 2 and message in err and len(err.strip().splitlines()) == 1, (source, err)
    assert out.read_text("utf-8") == "the report of yesterday"
    assert [f.name for f in tmp_path.iterdir() if f.name.startswith(".")] == []  # no temporary file left


def test_the_manifest_is_never_overwritten(manifest_json: Path) -> None:
    before = manifest_json.read_bytes()
    code, _, err = run("report", str(manifest_json), "-o", str(manifest_json))
    assert code == 2 and "would overwrite the input" in err
    assert manifest_json.read_bytes() == before


def test_without_plotly_a_one_line_error_names_the_extra(
    manifest_json: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "plotly", None)  # import plotly... raises ImportError
    monkeypatch.setitem(sys.modules, "plotly.graph_objects", None)
    out = tmp_path / "report.html"
    code, _, err = run("report", str(manifest_json), "-o", str(out))
    assert code == 2 and "pip install 'cleaner[report]'" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_the_command_needs_an_output(manifest_json: Path) -> None:
    code, _, err = run("report", str(manifest_json))
    assert code == 2 and "-o" in err


# --- a real browser --------------------------------------------------------------------------


def _browser_or_skip() -> None:
    """Skip when there is no browser here; fail instead when CI says there must be one."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"no {CHROMIUM}")
    try:
        import playwright.sync_api  # noqa: F401  (only whether it is there)
    except ImportError:
        missing.append("no playwright")
    if missing:
        why = "; ".join(missing)
        if os.environ.get("CLEANER_REQUIRE_BROWSER") == "1":
            pytest.fail(f"CLEANER_REQUIRE_BROWSER=1 but {why}")
        pytest.skip(why)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_page_draws_every_chart_in_a_browser(report: Path, manifest_json: Path, tmp_path: Path) -> None:
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    t = load_manifest(manifest_json).totals()
    problems: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(report.as_uri(), timeout=60_000)
            page.wait_for_function(
                f"document.querySelectorAll('.plotly-graph-div svg.main-svg').length >= {len(CHART_IDS)}",
                timeout=60_000,
            )
            drawn = page.evaluate(
                """() => [...document.querySelectorAll('.plotly-graph-div')].map(d => {
                    const box = d.querySelector('svg.main-svg').getBoundingClientRect();
                    return [d.id, box.width, box.height, d.querySelectorAll('.trace.bars .point').length];
                })"""
            )
            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert problems == []
    assert requests == [report.as_uri()]  # the page itself, nothing else
    assert [d[0] for d in drawn] == CHART_IDS
    assert all(width > 300 and height > 150 for _, width, height, _ in drawn), drawn
    bars = {d[0]: d[3] for d in drawn}
    assert bars["chart-edits"] == len(t["rules"])
    assert bars["chart-languages"] == len(t["languages"])
    assert bars["chart-clusters"] == 2  # clusters of 2 and of 3 documents
    assert bars["chart-lengths"] >= 2  # the histogram's bins
    data = shot.read_bytes()
    width, height = _png_size(data)
    assert width == 1200 and height > 900 * 2  # the whole page: four charts and the tables
    assert len(data) > 50_000
