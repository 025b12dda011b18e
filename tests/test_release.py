"""Releases: the version, its CHANGELOG section and its git tag agree, so pre-commit users can pin it.

``pre-commit autoupdate`` moves a config's ``rev`` to the newest tag of the hook repository: the
last test runs it against this repository.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from .test_precommit import _env, _git

ROOT = Path(__file__).resolve().parent.parent
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
CHANGELOG = (ROOT / "CHANGELOG.md").read_text("utf-8")
RELEASES = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", CHANGELOG, flags=re.M)


def tags() -> list[str]:
    """The release tags of this checkout (none in a tagless or shallow clone: those tests skip)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    found = subprocess.run(["git", "tag", "--list", "v*"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    if not found:
        pytest.skip("a clone without tags")
    return found


def test_the_changelog_has_a_section_per_release_newest_first_and_the_version_is_the_newest() -> None:
    assert CHANGELOG.index("## [Unreleased]") < CHANGELOG.index(f"## [{VERSION}]")
    assert RELEASES and RELEASES[0][0] == VERSION
    versions = [tuple(map(int, v.split("."))) for v, _date in RELEASES]
    assert versions == sorted(versions, reverse=True) and len(set(versions)) == len(versions)


def test_every_release_is_tagged_on_this_history() -> None:
    found = tags()
    for version, _date in RELEASES:
        assert f"v{version}" in found, f"CHANGELOG's release {version} has no tag v{version}"
        ancestor = subprocess.run(["git", "merge-base", "--is-ancestor", f"v{version}", "HEAD"], cwd=ROOT)
        assert ancestor.returncode == 0, f"v{version} is not on the history of HEAD"
    # the tagged commit says the version it is tagged with
    tagged = subprocess.run(
        ["git", "show", f"v{VERSION}:pyproject.toml"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert tomllib.loads(tagged)["project"]["version"] == VERSION


def test_pre_commit_autoupdate_moves_a_pinned_config_to_the_newest_release(tmp_path: Path) -> None:
    tags()
    env = _env(tmp_path)
    repo = tmp_path / "user"
    repo.mkdir()
    assert _git(repo, env, "init", "-q").returncode == 0
    config = {"repos": [{"repo": str(ROOT), "rev": "v0.0.0", "hooks": [{"id": "cleaner-fix"}]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), "utf-8")
    done = subprocess.run(["pre-commit", "autoupdate"], cwd=repo, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    updated = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text("utf-8"))
    newest = subprocess.run(
        ["git", "describe", "--tags", "--abbrev=0", "--match", "v*", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    assert updated["repos"][0]["rev"] == newest == f"v{VERSION}"
