"""Users add their own rules without Python: --rules, sources, `cleaner rules --test`, [tool.cleaner]."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.ruleset.model import load_with_local

runner = CliRunner()
FOOTER = "Subscribe to the Example Gazette for more."
SITE_RULE = f"""code = "LC001"
slug = "gazette-footer"
summary = "Remove the Example Gazette's footer line from its own pages."
why = "The site closes every page with it; on other sites the same words may be an article's."
kind = "line"
languages = ["*"]
sources = ["example.com"]
patterns = ['Subscribe to the Example Gazette for more\\.']
negatives = ["Subscribe to the Example Gazette for more news, the editor wrote on Monday."]

[[examples]]
input = "The council met on Tuesday.\\n{FOOTER}"
output = "The council met on Tuesday."
"""


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def site_rules(tmp_path: Path) -> Path:
    folder = tmp_path / "site-rules"
    folder.mkdir()
    (folder / "LC001-gazette-footer.toml").write_text(SITE_RULE, "utf-8")
    return folder


def _corpus(tmp_path: Path) -> Path:
    src = tmp_path / "crawl.jsonl"
    records = [
        {"id": "a", "url": "https://www.example.com/news/1", "text": f"The council met on Tuesday.\n{FOOTER}"},
        {"id": "b", "url": "https://other.org/story", "text": f"The board met on Monday.\n{FOOTER}"},
    ]
    src.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return src


def test_a_site_rule_removes_its_sites_line_only(site_rules: Path, tmp_path: Path) -> None:
    src, out = _corpus(tmp_path), tmp_path / "out.jsonl"
    code, _, err = run("clean", str(src), "--rules", str(site_rules), "-o", str(out), "--explain")
    assert code == 0, err
    a, b = (json.loads(line) for line in out.read_text("utf-8").splitlines())
    assert a["text"] == "The council met on Tuesday."
    assert [e["code"] for e in a["cleaner"]["edits"]] == ["LC001"]
    assert b["text"] == f"The board met on Monday.\n{FOOTER}"  # another site: the same line stays
    # without the folder, the shipped rules leave the footer on both
    code, _, _ = run("clean", str(src), "-o", str(out))
    assert all(FOOTER in json.loads(line)["text"] for line in out.read_text("utf-8").splitlines())


def test_a_site_rule_matches_file_paths_too(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "LC001-gazette-footer.toml").write_text(SITE_RULE.replace('["example.com"]', '["*/gazette/*"]'), "utf-8")
    for site in ("gazette", "other"):
        (tmp_path / site).mkdir()
        (tmp_path / site / "p.txt").write_text(f"The council met on Tuesday.\n{FOOTER}\n", "utf-8")
    assert (
        run("clean", str(tmp_path / "gazette"), str(tmp_path / "other"), "--rules", str(folder), "--in-place")[0] == 0
    )
    assert (tmp_path / "gazette" / "p.txt").read_text("utf-8") == "The council met on Tuesday.\n"
    assert FOOTER in (tmp_path / "other" / "p.txt").read_text("utf-8")


def test_rules_test_passes_and_fails_as_it_should(site_rules: Path, tmp_path: Path) -> None:
    code, out, _ = run("rules", "--test", str(site_rules))
    assert code == 0 and "ok   LC001 gazette-footer (1 examples, 1 negatives)" in out and "1 passed, 0 failed" in out
    broken = tmp_path / "broken"
    broken.mkdir()
    # the negative is one the pattern removes: the test must fail and say which
    bad = SITE_RULE.replace("for more news, the editor wrote on Monday.", "for more.")
    (broken / "LC001-gazette-footer.toml").write_text(bad, "utf-8")
    code, out, _ = run("rules", "--test", str(broken))
    assert code == 1 and "FAIL LC001" in out and "negative 1: changed" in out and "0 passed, 1 failed" in out
    # an example the rule does not produce
    (broken / "LC001-gazette-footer.toml").write_text(
        SITE_RULE.replace('output = "The council', 'output = "A council'), "utf-8"
    )
    code, out, _ = run("rules", "--test", str(broken))
    assert code == 1 and "example 1: expected" in out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('code = "LC001"', 'code = "BP001"'), "a local rule's code starts with LC"),
        (('slug = "gazette-footer"', 'slug = "advertisement"'), "is also used by"),
    ],
)
def test_a_clash_with_the_shipped_rules_is_an_error(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    text = SITE_RULE.replace(*change)
    code_in_text = "BP001" if "BP001" in text else "LC001"
    (folder / f"{code_in_text}-x.toml").write_text(text, "utf-8")
    code, _, err = run("clean", str(_corpus(tmp_path)), "--rules", str(folder))
    assert code == 2 and message in err and "Traceback" not in err


def test_local_rules_are_listed_and_digested(site_rules: Path) -> None:
    code, out, _ = run("rules", "--rules", str(site_rules))
    assert code == 0 and "LC001  gazette-footer" in out
    assert load_with_local((str(site_rules),)).digest != load_with_local().digest


def test_tool_cleaner_in_pyproject_is_honoured(
    site_rules: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = _corpus(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "mine"\n\n[tool.cleaner]\nselect = ["WS"]\nrules = ["site-rules"]\njobs = 1\n', "utf-8"
    )
    work = tmp_path / "sub"
    work.mkdir()
    monkeypatch.chdir(work)  # the nearest pyproject.toml above the current folder is used
    out = tmp_path / "out.jsonl"
    # select = ["WS"]: the site rule (and every BP rule) is not selected
    assert run("clean", str(src), "-o", str(out))[0] == 0
    assert all(FOOTER in json.loads(line)["text"] for line in out.read_text("utf-8").splitlines())
    # the command line wins: --select LC runs the rule from the folder that [tool.cleaner] names
    assert run("clean", str(src), "-o", str(out), "--select", "LC")[0] == 0
    texts = [json.loads(line)["text"] for line in out.read_text("utf-8").splitlines()]
    assert texts == ["The council met on Tuesday.", f"The board met on Monday.\n{FOOTER}"]
    # the manifest records the settings used, local rule folders included
    code, manifest, _ = run("index", str(src), "-o", "-", "--select", "LC")
    assert code == 0 and "| rule_dirs | ../site-rules |" in manifest and "| select | LC |" in manifest


def test_a_bad_tool_cleaner_table_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.cleaner]\nselekt = ['BP']\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("Hello.\n", "utf-8")
    code, _, err = run("clean", "a.txt")
    assert code == 2 and "unknown [tool.cleaner] keys: selekt" in err
    (tmp_path / "pyproject.toml").write_text("[tool.cleaner]\njobs = 0\n", "utf-8")
    code, _, err = run("clean", "a.txt")
    assert code == 2 and "jobs must be a positive integer" in err


def test_a_local_rule_names_its_folders_own_word_list_and_the_shipped_ones(tmp_path: Path) -> None:
    folder = tmp_path / "site-rules"
    (folder / "vocab").mkdir(parents=True)
    (folder / "vocab" / "gazette-footers.txt").write_text(
        "# the Gazette's footer lines\nSubscribe to the Example Gazette\nFollow the Example Gazette\n", "utf-8"
    )
    rule = SITE_RULE.replace(
        "patterns = ['Subscribe to the Example Gazette for more\\.']",
        "patterns = ['{vocab:gazette-footers} for more\\.', 'Photo: {vocab:photo-agencies}']",
    )
    assert rule != SITE_RULE
    (folder / "LC001-gazette-footer.toml").write_text(rule, "utf-8")
    src, out = _corpus(tmp_path), tmp_path / "out.jsonl"
    code, _, err = run("clean", str(src), "--rules", str(folder), "-o", str(out))
    assert code == 0, err
    a, b = (json.loads(line) for line in out.read_text("utf-8").splitlines())
    assert a["text"] == "The council met on Tuesday." and FOOTER in b["text"]
    assert load_with_local((str(folder),)).get("LC001").matches("Photo: Getty Images")  # a shipped list
    # a local list may not take a shipped list's name
    (folder / "vocab" / "photo-agencies.txt").write_text("Gazette Photo\n", "utf-8")
    code, _, err = run("clean", str(src), "--rules", str(folder), "-o", str(out))
    assert code == 2 and "a shipped list has this name" in err
