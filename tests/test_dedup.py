"""``cleaner dedup``: signatures, verified clusters, keep policy, index, the command, the dev set."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.commands.dedup import DedupOptions, run_dedup
from cleaner.dedup import (
    Deduplicator,
    Params,
    Signer,
    containment,
    estimate_jaccard,
    normalise,
    shingle_hashes,
    token_bytes,
)
from cleaner.errors import OutputError
from cleaner.settings import Settings
from tests.conftest import FIXTURES, SHARED

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
ARTICLES = sorted((FIXTURES / "articles").glob("*.txt"))
runner = CliRunner()
# the shared evaluation data next to the repository (CLEANER_SHARED overrides, e.g. from a git worktree)
SHARED_DIR = Path(os.environ.get("CLEANER_SHARED", str(SHARED)))


def flatten(text: str) -> str:
    """A flattened copy: lowercase, punctuation stripped, one line."""
    return " ".join(re.sub(r"[^\w\s]", "", text.lower()).split())


def read_out(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def write_jsonl(path: Path, records: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return path


def clusters(records: list[dict[str, object]]) -> dict[str, object]:
    return {str(r["id"]): r["cluster"] for r in records}


# --- signatures -----------------------------------------------------------------------------


def test_signature_is_bit_for_bit_what_datasketch_computes() -> None:
    hashes = shingle_hashes(ARTICLES[0].read_text("utf-8"))
    params = Params()
    ours = Signer(params).sign_hashes(hashes)
    theirs = MinHash(num_perm=params.num_perm, seed=params.seed, scheme=params.scheme, hashfunc=lambda x: x)
    theirs.update_batch([int(h) for h in hashes])
    assert np.array_equal(ours, theirs.hashvalues)
    lean = Signer(params).lean(ours)
    assert lean.jaccard(theirs) == 1.0


def test_normalised_forms_agree() -> None:
    assert normalise("The U.S. and China — talks.") == normalise("the u s and china talks")
    assert normalise("ＡＢＣ  déjà\nvu") == "abc déjà vu"


def test_estimates_track_exact_jaccard() -> None:
    words = ARTICLES[1].read_text("utf-8").split()
    a, b = " ".join(words), " ".join(words[: int(len(words) * 0.7)])
    signer = Signer(Params())
    (sa, na), (sb, nb) = signer.sign(a), signer.sign(b)
    exact = len(set(shingle_hashes(b))) / len(set(shingle_hashes(a)))
    jac = estimate_jaccard(sa, sb)
    assert abs(jac - exact) < 0.15
    assert containment(jac, min(na, nb), max(na, nb)) > 0.85


def test_a_copy_cut_to_70_percent_is_found_by_containment() -> None:
    text = ARTICLES[2].read_text("utf-8")
    dedup = Deduplicator(threshold=0.95, containment_threshold=0.7)
    dedup.add_text("full", text)
    dedup.add_text("cut", text[: int(len(text) * 0.7)])
    dedup.add_text("other", ARTICLES[3].read_text("utf-8"))
    got = dedup.assign()
    assert [dedup.ids[a.kept] for a in got] == ["full", "full", "other"]
    assert got[1].containment > 0.85


def test_keep_policy_and_tie_breaks() -> None:
    text = ARTICLES[4].read_text("utf-8")
    dedup = Deduplicator()
    dedup.add_text("a", text[: len(text) - 200])
    dedup.add_text("b", text)
    dedup.add_text("c", text)
    assert [dedup.ids[a.kept] for a in dedup.assign("longest")] == ["b", "b", "b"]  # b and c tie: b is first
    assert [dedup.ids[a.kept] for a in dedup.assign("first")] == ["a", "a", "a"]


# --- the command ----------------------------------------------------------------------------


def test_seeds_stay_apart_and_a_flattened_copy_joins_its_seed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for f in SEEDS:
        (corpus / f.name).write_bytes(f.read_bytes())
    seed001 = next(f for f in SEEDS if f.name.startswith("001"))
    (corpus / "zz_flat_001.txt").write_text(flatten(seed001.read_text("utf-8")), "utf-8")
    out = tmp_path / "out.jsonl"
    assert run_dedup(DedupOptions(paths=[str(corpus)], output=str(out))) == 0
    got = clusters(read_out(out))
    s000, s001 = (next(k for k in got if f"/{p}" in k or k.startswith(p)) for p in ("000", "001"))
    flat = next(k for k in got if "zz_flat" in k)
    assert got[s000] != got[s001]
    assert got[flat] == got[s001]


def _templated(tmp_path: Path) -> Path:
    """Sixty different articles in one template: the same menu above and footer below."""
    texts = [f.read_text("utf-8") for f in ARTICLES]
    by_length = sorted(range(len(texts)), key=lambda i: -len(texts[i].split()))
    bodies: list[str] = []
    # the longest give two articles each (their halves share nothing), as many as make sixty
    assert len(texts) <= 60
    split = set(by_length[: 60 - len(texts)])
    for i, t in enumerate(texts):
        if i in split:
            paras = [p for p in t.split("\n") if p.strip()]
            half = len(paras) // 2
            bodies += ["\n".join(paras[:half]), "\n".join(paras[half:])]
        else:
            bodies.append(t)
    assert len(bodies) == 60
    menu = "Home\nNews\nWorld\nPolitics\nBusiness\nTechnology\nScience\nHealth\nSports\nOpinion\nSubscribe\n\n"
    footer = (
        "\n\nAbout us\nContact us\nTerms of use\nPrivacy policy\nCookie settings\nAdvertise with us\n"
        "Follow us on Facebook, Twitter and Instagram\nCopyright 2024 The Daily Example. All rights reserved.\n"
    )
    corpus = tmp_path / "templated"
    corpus.mkdir()
    for n, body in enumerate(bodies):
        (corpus / f"{n:02d}.txt").write_text(menu + body + footer, "utf-8")
    return corpus


def test_sixty_articles_in_one_template_stay_sixty_clusters(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    assert run_dedup(DedupOptions(paths=[str(_templated(tmp_path))], output=str(out))) == 0
    got = read_out(out)
    assert len(got) == 60
    assert len({r["cluster"] for r in got}) == 60


def _dupes_corpus(tmp_path: Path) -> tuple[Path, Path]:
    """Two JSONL files: articles, then copies of some of them (cut, flattened, re-wrapped) and new ones."""
    texts = [f.read_text("utf-8") for f in ARTICLES]
    old = [{"id": f"a{i}", "text": t} for i, t in enumerate(texts[:20])]
    new = [{"id": f"cut{i}", "text": texts[i][: int(len(texts[i]) * 0.7)]} for i in range(0, 20, 3)]
    new += [{"id": f"flat{i}", "text": flatten(texts[i])} for i in range(1, 20, 4)]
    new += [{"id": f"long{i}", "text": texts[i] + "\n" + texts[i].split("\n")[0]} for i in range(2, 20, 5)]
    new += [{"id": f"b{i}", "text": t} for i, t in enumerate(texts[20:30])]
    return write_jsonl(tmp_path / "old.jsonl", old), write_jsonl(tmp_path / "new.jsonl", new)


def test_same_output_for_any_jobs(tmp_path: Path) -> None:
    old, new = _dupes_corpus(tmp_path)
    outs = []
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}.jsonl"
        assert run_dedup(DedupOptions(paths=[str(old), str(new)], output=str(out), jobs=jobs)) == 0
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    got = clusters(read_out(tmp_path / "out1.jsonl"))
    assert got["cut0"] == got["a0"] and got["flat1"] == got["a1"] and got["a2"] == got["long2"] == "long2"
    assert len(set(got.values())) == 30


def test_incremental_run_gives_the_clusters_of_one_run(tmp_path: Path) -> None:
    old, new = _dupes_corpus(tmp_path)
    whole = tmp_path / "whole.jsonl"
    # a run with a store counts no corpus evidence (the store keeps no table of lines yet): it
    # gives the clusters of one run without it
    no_repeats = Settings(ignore=("CE001",))
    assert run_dedup(DedupOptions(paths=[str(old), str(new)], output=str(whole), settings=no_repeats)) == 0
    index = tmp_path / "sigs.npz"
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    assert run_dedup(DedupOptions(paths=[str(old)], output=str(first), store=str(index))) == 0
    assert index.exists()
    assert run_dedup(DedupOptions(paths=[str(new)], output=str(second), store=str(index))) == 0
    assert second.read_bytes() == whole.read_bytes()  # the index's documents and the new ones, as one run
    assert len(read_out(first)) == 20


def test_index_with_other_parameters_is_refused(tmp_path: Path) -> None:
    old, new = _dupes_corpus(tmp_path)
    index = tmp_path / "sigs.npz"
    assert run_dedup(DedupOptions(paths=[str(old)], store=str(index))) == 0
    before = index.read_bytes()
    result = runner.invoke(app, ["dedup", str(new), "--index", str(index), "--num-perm", "64"])
    assert result.exit_code == 2
    assert "other parameters" in result.output and "num_perm" in result.output
    assert index.read_bytes() == before


# --- the store as a folder of Parquet parts ----------------------------------------------------


def test_store_folder_is_appended_and_gives_one_run(tmp_path: Path) -> None:
    old, new = _dupes_corpus(tmp_path)
    whole = tmp_path / "whole.jsonl"
    no_repeats = Settings(ignore=("CE001",))  # a run with a store counts no corpus evidence (see above)
    assert run_dedup(DedupOptions(paths=[str(old), str(new)], output=str(whole), settings=no_repeats)) == 0
    store = tmp_path / "store"
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    assert run_dedup(DedupOptions(paths=[str(old)], output=str(first), store=str(store))) == 0
    assert sorted(p.name for p in store.iterdir()) == ["part-00000.parquet", "store.json"]
    part0 = (store / "part-00000.parquet").read_bytes()
    assert run_dedup(DedupOptions(paths=[str(new)], output=str(second), store=str(store))) == 0
    assert second.read_bytes() == whole.read_bytes()  # the stored documents and the new ones, as one run
    assert sorted(p.name for p in store.iterdir()) == ["part-00000.parquet", "part-00001.parquet", "store.json"]
    assert (store / "part-00000.parquet").read_bytes() == part0  # appended: the first part never rewritten
    pq = pytest.importorskip("pyarrow.parquet")
    added = pq.read_table(store / "part-00001.parquet")
    assert added.column("id").to_pylist() == [r["id"] for r in read_out(second)[20:]]
    assert added.column("sig").type.list_size == 128
    assert added.column("source").to_pylist()[0] == f"{new}:1"


def test_store_folder_skips_what_it_holds_and_refuses_another_text(tmp_path: Path) -> None:
    old, _new = _dupes_corpus(tmp_path)
    store = tmp_path / "store"
    assert run_dedup(DedupOptions(paths=[str(old)], store=str(store))) == 0
    again = runner.invoke(app, ["dedup", str(old), "--store", str(store)])
    assert again.exit_code == 0 and "skipped 20 documents already in the store" in again.output
    assert sorted(p.name for p in store.iterdir()) == ["part-00000.parquet", "store.json"]  # nothing new to add
    changed = write_jsonl(tmp_path / "changed.jsonl", [{"id": "a3", "text": "Another story altogether, told anew."}])
    result = runner.invoke(app, ["dedup", str(changed), "--store", str(store)])
    assert result.exit_code == 2
    assert "id 'a3' is in the store" in result.output and "for another text" in result.output


def test_store_folder_with_other_parameters_is_refused(tmp_path: Path) -> None:
    old, new = _dupes_corpus(tmp_path)
    store = tmp_path / "store"
    assert run_dedup(DedupOptions(paths=[str(old)], store=str(store))) == 0
    before = {p.name: p.read_bytes() for p in store.iterdir()}
    result = runner.invoke(app, ["dedup", str(new), "--store", str(store), "--num-perm", "64", "-o", "-"])
    assert result.exit_code == 2
    assert (
        result.output.count("\n") == 1
        and "other parameters" in result.output
        and "num_perm 128 (asked 64)" in result.output
    )
    assert {p.name: p.read_bytes() for p in store.iterdir()} == before
    # another threshold is not refused: the bands are taken from the stored signatures again
    assert runner.invoke(app, ["dedup", str(new), "--store", str(store), "--threshold", "0.7"]).exit_code == 0
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    result = runner.invoke(app, ["dedup", str(new), "--store", str(tmp_path / "other")])
    assert result.exit_code == 2 and "not a signature store" in result.output


def test_store_folder_run_that_fails_while_writing_leaves_it_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = _dupes_corpus(tmp_path)
    store = tmp_path / "store"
    assert run_dedup(DedupOptions(paths=[str(old)], store=str(store))) == 0
    before = {p.name: p.read_bytes() for p in store.iterdir()}
    from cleaner.dedup import store_folder

    def broken(*args: object) -> object:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_folder, "to_arrow", broken)
    with pytest.raises(OutputError, match="No space left"):
        run_dedup(DedupOptions(paths=[str(new)], store=str(store)))
    assert {p.name: p.read_bytes() for p in store.iterdir()} == before  # no part, no temporary file
    # a first run killed while writing its part leaves a hidden temporary file: the folder is still a new store
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / ".part-killed.tmp").write_bytes(b"PAR1 half")
    monkeypatch.undo()
    assert run_dedup(DedupOptions(paths=[str(old)], store=str(fresh))) == 0
    assert sorted(p.name for p in fresh.iterdir()) == [".part-killed.tmp", "part-00000.parquet", "store.json"]


def test_cli_writes_verdicts_and_kept_documents(tmp_path: Path) -> None:
    old, new = _dupes_corpus(tmp_path)
    out, kept = tmp_path / "out.jsonl", tmp_path / "kept.jsonl"
    result = runner.invoke(
        app, ["dedup", str(old), str(new), "-o", str(out), "--write-kept", str(kept), "--keep", "first"]
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"46 documents, 30 clusters, 16 duplicates in", result.output)
    verdicts = read_out(out)
    assert set(verdicts[0]) == {"id", "cluster", "keep", "similarity", "containment"}
    kept_records = read_out(kept)
    assert [r["id"] for r in kept_records] == [r["id"] for r in verdicts if r["keep"]]
    assert all(r["cluster"] == r["id"] for r in verdicts if r["keep"])
    dup = next(r for r in verdicts if r["id"] == "cut0")
    assert dup["cluster"] == "a0" and not dup["keep"]
    assert isinstance(dup["containment"], float) and dup["containment"] > 0.8
    bad = runner.invoke(app, ["dedup", str(old), "--keep", "shortest"])
    assert bad.exit_code == 2


# --- the development set --------------------------------------------------------------------


@pytest.mark.skipif(not (SHARED_DIR / "eval" / "dev" / "dups.jsonl").exists(), reason="no /work/shared dev set")
def test_dev_set_pair_f1_and_ari(tmp_path: Path) -> None:
    task = SHARED_DIR / "eval" / "dev" / "dups.jsonl"
    out = tmp_path / "out.jsonl"
    assert run_dedup(DedupOptions(paths=[str(task)], output=str(out), jobs=2)) == 0
    scored = subprocess.run(
        [sys.executable, str(SHARED_DIR / "eval" / "score.py"), str(task), str(out), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    scores = json.loads(scored.stdout)
    assert scores["f1"] >= 0.98
    assert scores["ari"] >= 0.98


@given(st.text(max_size=200))
@settings(max_examples=300, deadline=None)
def test_fast_tokens_are_what_the_regular_expression_finds(text: str) -> None:
    expected = [w.encode("utf-8") for w in re.findall(r"\w+", unicodedata.normalize("NFKC", text).lower())]
    assert token_bytes(text) == expected


def test_empty_documents_are_duplicates_of_nothing() -> None:
    dedup = Deduplicator()
    for name in ("e1", "e2"):
        dedup.add_text(name, "")
    dedup.add_text("t", ARTICLES[0].read_text("utf-8"))
    assert [dedup.ids[a.kept] for a in dedup.assign()] == ["e1", "e2", "t"]
