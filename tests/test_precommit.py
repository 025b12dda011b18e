"""The pre-commit hooks, installed with the pre-commit package in a throwaway git repository.

The hooks are those of ``.pre-commit-hooks.yaml``, run as a ``local`` repository with
``language: system`` so that they use the cleaner of this checkout: pre-commit's own install of
a ``language: python`` hook (a new virtualenv, the package and its dependencies fetched again) is
the one thing not exercised here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from cleaner import clean_text
from cleaner.manifest import load_manifest

from .conftest import RAW_SEEDS

ROOT = Path(__file__).resolve().parent.parent
HOOKS: list[dict[str, Any]] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["PRE_COMMIT_HOME"] = str(tmp / "pre-commit-home")
    env.update(
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.org",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.org",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
    )
    return env


def _git(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=300)


def _config(corpus: str) -> dict[str, Any]:
    """A config that runs the published hooks on ``corpus`` (as a user's config would)."""
    hooks = []
    for hook in HOOKS:
        local = {**hook, "language": "system"}
        if hook["id"] == "cleaner-fix":
            local["files"] = f"^{corpus}/"
        if hook["id"] == "cleaner-index":
            local["args"] = [corpus]
        hooks.append(local)
    return {"repos": [{"repo": "local", "hooks": hooks}]}


def test_first_commit_is_refused_with_the_document_cleaned_and_the_index_written(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "seeds").mkdir(parents=True)
    env = _env(tmp_path)
    assert _git(repo, env, "init", "-q").returncode == 0
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(_config("seeds")), "utf-8")
    installed = subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"], cwd=repo, env=env, capture_output=True, text=True
    )
    assert installed.returncode == 0, installed.stderr
    raw_file = RAW_SEEDS[1]
    raw = raw_file.read_text("utf-8")
    staged = repo / "seeds" / raw_file.name
    staged.write_text(raw, "utf-8")
    _git(repo, env, "add", "-A")
    scratch = repo / "seeds" / "scratch.txt"  # not staged: not part of the commit, nor of its index
    scratch.write_text("Advertisement\nA draft nobody has added yet.\n", "utf-8")

    first = _git(repo, env, "commit", "-q", "-m", "add a scraped document")
    assert first.returncode != 0, first.stdout + first.stderr
    assert _git(repo, env, "rev-parse", "--verify", "HEAD").returncode != 0  # nothing was committed
    assert staged.read_text("utf-8") == clean_text(raw) + "\n"
    assert "Read MoreChina shows" not in staged.read_text("utf-8")
    manifest = load_manifest(repo / "INDEX.md")
    assert [e.path for e in manifest.entries] == [f"seeds/{raw_file.name}"]
    assert manifest.entries[0].edits == {}  # it describes the cleaned file

    assert scratch.read_text("utf-8").startswith("Advertisement")  # cleaner-fix saw staged files only
    _git(repo, env, "add", "-u")
    _git(repo, env, "add", "INDEX.md")
    second = _git(repo, env, "commit", "-q", "-m", "add a scraped document")
    assert second.returncode == 0, second.stdout + second.stderr
    committed = _git(repo, env, "show", "--name-only", "--format=", "HEAD").stdout.split()
    assert sorted(committed) == [".pre-commit-config.yaml", "INDEX.md", f"seeds/{raw_file.name}"]


def test_the_projects_own_hooks_are_the_published_ones_on_seeds() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text("utf-8"))
    own = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    for hook in HOOKS:
        mine = own[hook["id"]]
        for key in ("name", "entry", "pass_filenames", "always_run", "require_serial"):
            assert mine.get(key) == hook.get(key), (hook["id"], key)
    assert own["cleaner-index"]["args"] == ["seeds"]
    assert own["cleaner-fix"]["files"].startswith("^seeds/")
