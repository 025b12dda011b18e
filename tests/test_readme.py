"""The README's promises: its first commands, and the output it shows, are what the tool does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text("utf-8")
BLOCKS = re.findall(r"```[a-z]*\n(.*?)```", README, flags=re.S)
runner = CliRunner()


def block_after(heading: str) -> str:
    """The first code block after ``heading``."""
    rest = README.split(heading, 1)[1]
    return re.findall(r"```[a-z]*\n(.*?)```", rest, flags=re.S)[0]


def test_the_first_commands_install_run_the_main_job_and_the_ci_tests() -> None:
    first, second = BLOCKS[0].strip().splitlines()
    assert first.split("#")[0].split() == ["pip", "install", "-e", ".", "&&", "cleaner", "index", "seeds"]
    test_command = second.split("&&")[1].split("#")[0].strip()
    assert test_command == "python -m pytest"
    assert test_command in (ROOT / ".ci" / "run").read_text("utf-8")


def test_the_explain_example_is_what_explain_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, ["clean", "tests/fixtures/raw", "--explain"])
    assert result.exit_code == 0
    shown = block_after("### What `--explain` prints")
    printed = [line for line in result.stdout.splitlines() if ": " in line and line.startswith("tests/")]
    assert shown.splitlines() == printed


def test_the_index_excerpt_is_in_index_md() -> None:
    index = (ROOT / "INDEX.md").read_text("utf-8").splitlines()
    rest = README.split("This repository's own [INDEX.md](INDEX.md) begins:", 1)[1]
    head, table = re.findall(r"```[a-z]*\n(.*?)```", rest, flags=re.S)[:2]
    assert head.splitlines() == index[: len(head.splitlines())]
    assert all(line in index for line in table.splitlines())


def test_the_python_api_examples_run_as_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every block of the README's "Python API" section, run in order as one doctest session."""
    import doctest
    import logging

    pytest.importorskip("pandas")
    pytest.importorskip("datasets")
    pytest.importorskip("datatrove")
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    logging.disable(logging.WARNING)  # datatrove's executor logs to stderr; the examples show results
    section = README.split("## Python API", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```pycon\n(.*?)```", section, flags=re.S)
    assert len(blocks) >= 6
    test = doctest.DocTestParser().get_doctest("\n".join(blocks), {}, "README Python API", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    try:
        runner.run(test, out=print)
    finally:
        logging.disable(logging.NOTSET)
    assert runner.failures == 0 and runner.tries == len(test.examples) > 20
