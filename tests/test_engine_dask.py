"""``--engine dask`` on a LocalCluster of 2 worker processes: the same bytes as ``--engine local``.

The corpus: 20 JSONL shards from three sites (each with its own repeated footer, so corpus
evidence removes lines) with near-duplicates planted across shards (:mod:`tests.shards`).  Every
output of the dask engine is compared byte for byte with the local engine's on the same inputs;
a worker killed mid-run gives the same result, or (no retries allowed) a clear error and no output.
"""

from __future__ import annotations

import io
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.commands.clean import CleanOptions, WriteMode, run_clean
from cleaner.commands.dedup import DedupOptions, run_dedup
from cleaner.commands.index import IndexOptions, ManifestFormat, run_index
from cleaner.engines import EngineError
from tests.conftest import RAW_SEEDS
from tests.shards import make_shards

distributed = pytest.importorskip("distributed")

runner = CliRunner()


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A LocalCluster of 2 worker processes, one thread each; its scheduler's address."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as local:
        yield local.scheduler_address


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20 shards with near-duplicates planted across them."""
    root = tmp_path_factory.mktemp("engine") / "corpus"
    make_shards(root, shards=20, per_shard=6)
    return root


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (hidden ones too: a staging folder left behind would show), by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def clean(paths: list[str], output: Path | None, **engine: str) -> tuple[int, str]:
    err = io.StringIO()
    mode = WriteMode.OUTPUT if output is not None else WriteMode.CHECK
    code = run_clean(
        CleanOptions(paths, mode, str(output) if output else None, jobs=2, **engine),  # type: ignore[arg-type]
        out=io.StringIO(),
        err=err,
    )
    return code, err.getvalue()


def test_clean_on_cluster_is_local_bytes(corpus: Path, cluster: str, tmp_path: Path) -> None:
    code_l, err_l = clean([str(corpus)], tmp_path / "local")
    code_d, err_d = clean([str(corpus)], tmp_path / "dask", engine="dask", scheduler=cluster)
    assert code_l == code_d == 0
    local, dask = tree(tmp_path / "local"), tree(tmp_path / "dask")
    assert len(local) == 20
    assert dask == local
    # the corpus evidence was counted across shards and used: each site's footer went
    assert "CE001 repeated-line" in err_l
    summary = [line for line in err_d.splitlines() if "CE001" in line]
    assert summary == [line for line in err_l.splitlines() if "CE001" in line]
    footer = b"Home | World | Business | Sport"
    assert b"".join(dask.values()).count(footer) < b"".join(tree(corpus).values()).count(footer) / 2


def test_clean_check_on_cluster(corpus: Path, cluster: str) -> None:
    assert clean([str(corpus)], None, engine="dask", scheduler=cluster)[0] == 1  # would change
    assert clean([str(corpus)], None)[0] == 1


def test_text_files_grouped_into_units(raw_seeds: Path, cluster: str, tmp_path: Path) -> None:
    """Text files go to tasks in runs; the outputs and the manifest are the local ones."""
    for k in range(3):  # more files: copies of the seeds, one cut short
        text = RAW_SEEDS[k % len(RAW_SEEDS)].read_text("utf-8")
        (raw_seeds / "more" / f"copy-{k}.txt").parent.mkdir(exist_ok=True)
        (raw_seeds / "more" / f"copy-{k}.txt").write_text(text[: len(text) * (k + 2) // 5], "utf-8")
    assert clean([str(raw_seeds)], tmp_path / "l")[0] == 0
    assert clean([str(raw_seeds)], tmp_path / "d", engine="dask", scheduler=cluster)[0] == 0
    assert tree(tmp_path / "d") == tree(tmp_path / "l")
    manifests = {}
    for engine in ("local", "dask"):
        target = tmp_path / f"INDEX-{engine}.md"
        options = IndexOptions([str(raw_seeds)], output=str(target), engine=engine, scheduler=cluster)
        assert run_index(options, err=io.StringIO()) == 0
        manifests[engine] = target.read_bytes()
    assert manifests["dask"] == manifests["local"]
    assert b"duplicate of" in manifests["local"]


def dedup(corpus: Path | str, output: str, **engine: str) -> str:
    err = io.StringIO()
    assert run_dedup(DedupOptions([str(corpus)], output=output, jobs=2, **engine), err=err) == 0  # type: ignore[arg-type]
    return err.getvalue()


def test_dedup_on_cluster_is_local_bytes(corpus: Path, cluster: str, tmp_path: Path) -> None:
    err_l = dedup(corpus, str(tmp_path / "local.jsonl"))
    err_d = dedup(corpus, str(tmp_path / "dask.jsonl"), engine="dask", scheduler=cluster)
    local = (tmp_path / "local.jsonl").read_bytes()
    assert (tmp_path / "dask.jsonl").read_bytes() == local
    assert err_d.split(" in ")[0] == err_l.split(" in ")[0]  # the same counts
    verdicts = [orjson.loads(line) for line in local.splitlines()]
    assert len(verdicts) == 120
    # planted copies were found across shards (the kept document in another shard)
    across = [v for v in verdicts if not v["keep"] and v["cluster"].split("-")[0] != v["id"].split("-")[0]]
    assert len(across) >= 10
    # one verdict shard per input shard, which together are the same file
    dedup(corpus, str(tmp_path / "parts") + "/", engine="dask", scheduler=cluster)
    parts = sorted((tmp_path / "parts").iterdir())
    assert [p.name for p in parts] == [f"part-{u:05d}.jsonl" for u in range(20)]
    assert b"".join(p.read_bytes() for p in parts) == local
    # compressed, and with the other keep policy
    dedup(corpus, str(tmp_path / "d.jsonl.gz"), engine="dask", scheduler=cluster)
    dedup(corpus, str(tmp_path / "l.jsonl.gz"))
    assert (tmp_path / "d.jsonl.gz").read_bytes() == (tmp_path / "l.jsonl.gz").read_bytes()


@pytest.mark.parametrize("fmt", [ManifestFormat.MD, ManifestFormat.JSON])
def test_index_on_cluster_is_local_bytes(corpus: Path, cluster: str, tmp_path: Path, fmt: ManifestFormat) -> None:
    out = {}
    for engine in ("local", "dask"):
        target = tmp_path / f"{engine}.{fmt.value}"
        options = IndexOptions([str(corpus)], output=str(target), fmt=fmt, jobs=2, engine=engine, scheduler=cluster)
        assert run_index(options, err=io.StringIO()) == 0
        out[engine] = target.read_bytes()
    assert out["dask"] == out["local"]
    assert b"duplicate of" in out["local"] or b'"duplicate_of": "' in out["local"]


def test_keep_first_on_cluster(corpus: Path, cluster: str, tmp_path: Path) -> None:
    from cleaner.settings import Settings

    outputs = []
    for engine in ("local", "dask"):
        target = tmp_path / f"{engine}.jsonl"
        options = DedupOptions(
            [str(corpus)], output=str(target), settings=Settings(keep="first"), engine=engine, scheduler=cluster
        )
        assert run_dedup(options, err=io.StringIO()) == 0
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]


def test_duplicate_ids_are_an_error_on_cluster(tmp_path: Path, cluster: str) -> None:
    make_shards(tmp_path / "c", shards=3, per_shard=2)
    (tmp_path / "c" / "again.jsonl").write_bytes((tmp_path / "c" / "shard-001.jsonl").read_bytes())
    with pytest.raises(Exception, match="ids must be unique"):
        dedup(tmp_path / "c", str(tmp_path / "v.jsonl"), engine="dask", scheduler=cluster)
    assert not (tmp_path / "v.jsonl").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".cleaner-stage")] == []


def test_store_on_cluster_is_the_local_store(corpus: Path, cluster: str, tmp_path: Path) -> None:
    """Two runs against a store folder: the verdicts and the parts of the local engine, and those of one run."""
    from cleaner.settings import Settings

    pq = pytest.importorskip("pyarrow.parquet")
    shards = sorted(str(p) for p in corpus.glob("*.jsonl"))
    first, second = shards[:10], shards[10:]
    whole = tmp_path / "whole.jsonl"
    options = DedupOptions(shards, output=str(whole), settings=Settings(ignore=("CE001",)))  # no evidence with a store
    assert run_dedup(options, err=io.StringIO()) == 0
    parts: dict[str, list[object]] = {}
    for engine in ("local", "dask"):
        store = tmp_path / f"store-{engine}"
        for k, paths in enumerate((first, second)):
            out = tmp_path / f"{engine}-{k}.jsonl"
            opts = DedupOptions(paths, output=str(out), store=str(store), engine=engine, scheduler=cluster)
            assert run_dedup(opts, err=io.StringIO()) == 0
            if k == 0:
                part0 = (store / "part-00000.parquet").read_bytes()
        assert (tmp_path / f"{engine}-1.jsonl").read_bytes() == whole.read_bytes()  # as one run over both
        assert (store / "part-00000.parquet").read_bytes() == part0  # appended, never rewritten
        assert sorted(p.name for p in store.iterdir()) == ["part-00000.parquet", "part-00001.parquet", "store.json"]
        parts[engine] = [pq.read_table(store / f"part-0000{k}.parquet").to_pylist() for k in (0, 1)]
    assert parts["dask"] == parts["local"]
    assert (tmp_path / "dask-0.jsonl").read_bytes() == (tmp_path / "local-0.jsonl").read_bytes()
    # the same shards again: every document is known (same id, same text) and skipped, as locally
    again = DedupOptions(second, output=str(tmp_path / "again.jsonl"), store=str(tmp_path / "store-dask"))
    err = io.StringIO()
    assert run_dedup(replace(again, engine="dask", scheduler=cluster), err=err) == 0
    assert (
        "(120 from the store, 0 new)" in err.getvalue()
        and "skipped 60 documents already in the store" in err.getvalue()
    )
    assert (tmp_path / "again.jsonl").read_bytes() == whole.read_bytes()
    assert len(list((tmp_path / "store-dask").iterdir())) == 3  # nothing new: no part
    # an id of the store with another text is refused, and the store stays as it was
    record = orjson.loads(Path(first[0]).read_bytes().splitlines()[0])
    changed = tmp_path / "changed.jsonl"
    changed.write_bytes(orjson.dumps({**record, "text": "Another story altogether."}) + b"\n")
    before = tree(tmp_path / "store-dask")
    result = runner.invoke(
        app,
        ["dedup", str(changed), "--store", str(tmp_path / "store-dask"), "--engine", "dask", "--scheduler", cluster],
    )
    assert result.exit_code == 2 and f"id {record['id']!r} is in the store" in result.output
    assert tree(tmp_path / "store-dask") == before


@pytest.mark.parametrize("scheme", ["file://", "simplecache::file://"])
def test_url_inputs_on_cluster_are_local_bytes(tmp_path: Path, cluster: str, scheme: str) -> None:
    """Shards named by URL: ``file://`` is a local path; ``simplecache::file://`` goes to the workers as an fsspec
    file system (as ``s3://`` would), each worker opening the shards through it."""
    pytest.importorskip("fsspec")
    make_shards(tmp_path / "c", shards=4, per_shard=4)
    url = f"{scheme}{tmp_path / 'c'}"
    got: dict[str, list[object]] = {}
    for engine in ("local", "dask"):
        out = tmp_path / engine
        assert clean([url], out / "clean", engine=engine, scheduler=cluster)[0] == 0
        dedup_err = dedup(url, str(out / "dups.jsonl"), engine=engine, scheduler=cluster)
        manifest = IndexOptions([url], output=str(out / "index.json"), fmt=ManifestFormat.JSON, engine=engine)
        assert run_index(replace(manifest, scheduler=cluster), err=io.StringIO()) == 0
        got[engine] = [tree(out / "clean"), (out / "dups.jsonl").read_bytes(), (out / "index.json").read_bytes()]
        assert "16 documents" in dedup_err
    assert got["dask"] == got["local"]
    assert len(got["local"][0]) == 4  # type: ignore[arg-type]
    # a document's path: relative for file:// (a local path), the URL through fsspec
    shown = "../c/shard-000.jsonl:1" if scheme == "file://" else f"{url}/shard-000.jsonl:1"
    assert f'"path": "{shown}"'.encode() in got["local"][2]  # type: ignore[operator]


def test_memory_url_on_cluster_is_one_line_error(cluster: str) -> None:
    """fsspec's memory:// lives in the client's process: refused before any work, not a missing file on a worker."""
    fsspec = pytest.importorskip("fsspec")
    fsspec.filesystem("memory").pipe("/engine-test/a.jsonl", b'{"id": "a", "text": "One story."}\n')
    result = runner.invoke(app, ["dedup", "memory://engine-test", "--engine", "dask", "--scheduler", cluster])
    assert result.exit_code == 2
    assert result.output.strip().startswith(
        "error: memory://engine-test/a.jsonl: a memory:// file lives in this process"
    )
    assert result.output.count("\n") == 1


def test_refused_combinations_say_why(corpus: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["dedup", str(corpus), "--engine", "dask", "--store", str(tmp_path / "s.npz")])
    assert result.exit_code == 2 and "keeps its store as a folder of Parquet parts" in result.output
    args = ["dedup", str(corpus), "--engine", "dask", "--store", str(tmp_path / "s"), "-o", str(tmp_path / "s" / "v/")]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "-o and --store name the same place" in result.output
    result = runner.invoke(app, ["clean", str(corpus), "--engine", "dask", "-o", str(tmp_path / "x.jsonl")])
    assert result.exit_code == 2 and "-o takes a folder" in result.output
    result = runner.invoke(app, ["clean", str(corpus), "--engine", "spark"])
    assert result.exit_code == 2 and "unknown engine 'spark'" in result.output


def test_missing_extra_is_one_line(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(__import__("sys").modules, "distributed", None)  # import distributed fails
    result = runner.invoke(app, ["clean", str(corpus), "--engine", "dask", "--scheduler", "local:1"])
    assert result.exit_code == 2
    assert result.output.strip() == 'error: the dask engine needs the dask extra: pip install "cleaner[dask]"'


def test_engine_from_pyproject(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.cleaner]\nengine = "dask"\nscheduler = "local:x"\n')
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["clean", str(corpus)])
    assert result.exit_code == 2 and "local: takes a number of workers" in result.output  # the table was read
    result = runner.invoke(app, ["clean", str(corpus), "--engine", "local", "--check"])
    assert result.exit_code == 1  # the command line wins


# --- a worker killed mid-run -------------------------------------------------------------------


def kill_a_busy_worker(address: str, done: threading.Event) -> list[int]:
    """Once a task runs on a worker, kill that worker's process (SIGKILL); the pids killed."""
    with distributed.Client(address, set_as_default=False) as client:
        pids = client.run(os.getpid)
        while not done.is_set():
            busy = [w for w, tasks in client.processing().items() if tasks and w in pids]
            if busy:
                os.kill(pids[busy[0]], signal.SIGKILL)
                return [pids[busy[0]]]
            time.sleep(0.02)
    return []


def run_with_kill(address: str, job: Callable[[], object]) -> tuple[object, list[int]]:
    done = threading.Event()
    killed: list[int] = []
    killer = threading.Thread(target=lambda: killed.extend(kill_a_busy_worker(address, done)))
    killer.start()
    try:
        result: object = job()
    except BaseException as exc:
        result = exc
    finally:
        done.set()
        killer.join()
    return result, killed


def test_worker_killed_mid_run_gives_the_same_result(corpus: Path, tmp_path: Path) -> None:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as local:
        result, killed = run_with_kill(
            local.scheduler_address,
            lambda: dedup(corpus, str(tmp_path / "dask.jsonl"), engine="dask", scheduler=local.scheduler_address),
        )
        assert killed, "no worker was killed: the run ended before a task started"
        assert isinstance(result, str), result
        result, killed = run_with_kill(
            local.scheduler_address,
            lambda: clean([str(corpus)], tmp_path / "dask", engine="dask", scheduler=local.scheduler_address),
        )
        assert killed and result == (0, result[1])  # type: ignore[index]
    dedup(corpus, str(tmp_path / "local.jsonl"))
    assert (tmp_path / "dask.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    clean([str(corpus)], tmp_path / "local")
    assert tree(tmp_path / "dask") == tree(tmp_path / "local")


def test_worker_killed_without_retries_is_a_clear_error(corpus: Path, tmp_path: Path) -> None:
    import dask

    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as local,
    ):
        out = tmp_path / "out"
        result, killed = run_with_kill(
            local.scheduler_address, lambda: clean([str(corpus)], out, engine="dask", scheduler=local.scheduler_address)
        )
    assert killed
    assert isinstance(result, EngineError), result
    assert "a worker died" in str(result) and "nothing was written" in str(result)
    assert not out.exists()  # no partial output, no staging folder left behind
