"""``gait batch``: discovery, one row per recording, errors that do not stop the batch,
resuming after a SIGKILL, the history database, and the same results on Dask."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from gait.batch import COLUMNS, VOLATILE, discover, read_journal, run_batch


def simulate_many(folder: Path, n: int, duration: float = 40.0) -> list[Path]:
    from gait.cli.demo import simulate_to_file

    folder.mkdir(parents=True, exist_ok=True)
    return [simulate_to_file(folder / f"walk{i:02d}", duration_s=duration, seed=i,
                             stance_asym_pct=2.0 * (i % 4))[0] for i in range(n)]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 recordings, a copy of one under another name, a broken CSV, files to ignore."""
    d = tmp_path_factory.mktemp("mixed")
    ms = simulate_many(d / "walks", 3)
    shutil.copy(ms[0], d / "walks" / "same_again.gait.json")
    (d / "broken.csv").write_text("this,is,not\na,recording,at all\n")
    (d / "notes.txt").write_text("not a recording")
    (d / "walks" / ".hidden.csv").write_text("x")
    return d


def test_discover_counts_each_recording_once(mixed: Path) -> None:
    units = discover([mixed])
    names = sorted(u.name for u in units)
    assert names == ["broken.csv", "same_again.gait.json", "walk00.gait.json",
                     "walk01.gait.json", "walk02.gait.json"]
    # a manifest's CSV named explicitly (or by a glob) is its recording, once
    csv = mixed / "walks" / "walk01.lower_back.csv"
    assert discover([csv, str(mixed / "walks" / "walk01.*")]) == [
        mixed / "walks" / "walk01.gait.json"]
    assert discover([mixed / "missing.csv"]) == [mixed / "missing.csv"]


def test_batch_rows_errors_history_and_resume(mixed: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    from gait.cli import main
    from gait.history import walks

    out = tmp_path / "table.parquet"
    db = tmp_path / "h.sqlite"
    args = ["batch", str(mixed), str(mixed / "nothing_here_*.csv"), "--workers", "2",
            "--out", str(out), "--db", str(db), "-q"]
    with pytest.raises(SystemExit) as ex:
        main(args)
    assert ex.value.code == 0, capsys.readouterr().err
    err = capsys.readouterr().err
    assert "6 recording(s)" in err and "analysed 6, skipped 0" in err
    df = pd.read_parquet(out)
    assert list(df.columns) == list(COLUMNS) and len(df) == 6
    by = {Path(f).name: r for f, r in zip(df["file"], df.to_dict("records"), strict=True)}
    assert by["broken.csv"]["status"] == "error" and "broken.csv" in by["broken.csv"]["error"]
    assert by["nothing_here_*.csv"]["status"] == "error"
    # the copy comes first in discovery order: the original is the duplicate
    assert by["walk00.gait.json"]["status"] == "duplicate"
    assert by["walk00.gait.json"]["error"].endswith("same_again.gait.json")
    for name in ("same_again.gait.json", "walk01.gait.json", "walk02.gait.json"):
        r = by[name]
        assert r["status"] == "ok" and r["n_steps"] > 50 and r["verdict_level"]
        assert 80 < r["cadence_spm"] < 140  # simulated walks (~110 steps/min)
        assert r["stance_s_ci_lo"] <= r["stance_s_si_pct"] <= r["stance_s_ci_hi"]
        assert r["history_id"] >= 1 and len(r["content_hash"]) == 64
    assert len(walks(db)) == 3  # the duplicate is the same walk
    # a second run does nothing new and writes the same table
    with pytest.raises(SystemExit) as ex:
        main(args)
    assert "analysed 0, skipped 6" in capsys.readouterr().err
    again = pd.read_parquet(out)
    pd.testing.assert_frame_equal(again.drop(columns=list(VOLATILE)),
                                  df.drop(columns=list(VOLATILE)))
    # bad output format: one line, exit 2
    with pytest.raises(SystemExit) as ex:
        main(["batch", str(mixed), "--out", str(tmp_path / "t.xlsx")])
    assert ex.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_killed_batch_resumes_without_redoing(tmp_path: Path) -> None:
    n = 16
    simulate_many(tmp_path / "rec", n)
    out = tmp_path / "t.csv"
    journal = tmp_path / ".t.csv.gait-batch.jsonl"
    cmd = [sys.executable, "-m", "gait", "batch", str(tmp_path / "rec"), "--workers", "1",
           "--out", str(out), "-q"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    done = 0
    while time.monotonic() < deadline and proc.poll() is None:
        done = len(journal.read_text().splitlines()) if journal.exists() else 0
        if done >= 3:
            os.killpg(proc.pid, signal.SIGKILL)  # the batch and its worker processes
            break
        time.sleep(0.005)
    proc.wait(30)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    finished = read_journal(journal)
    assert 3 <= len(finished) < n and not out.exists()
    res = run_batch([tmp_path / "rec"], workers=1, out=out)
    assert res.n_skipped == len(finished) and res.n_analysed == n - len(finished)
    keys = [json.loads(line)["key"] for line in journal.read_text().splitlines()]
    assert len(keys) == len(set(keys)) == n  # nothing analysed twice
    df = pd.read_csv(out)
    assert len(df) == n and (df["status"] == "ok").all()


def test_dask_gives_the_same_rows_as_local_processes(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    from distributed import LocalCluster

    simulate_many(tmp_path / "rec", 4)
    local = run_batch([tmp_path / "rec"], workers=2, journal=tmp_path / "local.jsonl")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        remote = run_batch([tmp_path / "rec"], dask=cluster.scheduler_address,
                           journal=tmp_path / "dask.jsonl")
    a = local.table().drop(columns=list(VOLATILE))
    b = remote.table().drop(columns=list(VOLATILE))
    assert (a["status"] == "ok").all() and len(a) == 4
    pd.testing.assert_frame_equal(a, b)


def test_batch_mount_for_every_file_in_the_table(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """--mount is applied to every recording and recorded in the mount column; a file whose
    gravity contradicts it is an error row (the batch goes on); a bad SPEC exits 2 first."""
    from gait.cli import main
    from gait.cli.demo import simulate_to_file

    d = tmp_path / "walks"
    simulate_many(d, 2, duration=30.0)
    simulate_to_file(d / "upside_down", duration_s=30, orientation=[0, 0, 180], seed=5)
    out = tmp_path / "t.csv"
    with pytest.raises(SystemExit) as ex:
        main(["batch", str(d), "--workers", "2", "--out", str(out), "-q",
              "--mount", "lower_back=screen-out,top-up"])
    assert ex.value.code == 0, capsys.readouterr().err
    df = pd.read_csv(out)
    assert list(df.columns) == list(COLUMNS)
    by = {Path(f).name: r for f, r in zip(df["file"], df.to_dict("records"), strict=True)}
    for name in ("walk00.gait.json", "walk01.gait.json"):
        assert by[name]["status"] == "ok" and by[name]["mount"] == "lower_back=screen-out,top-up"
    bad = by["upside_down.gait.json"]
    assert bad["status"] == "error" and "gravity points along" in bad["error"]
    assert "upside_down" in bad["error"]
    # without --mount the column is empty, and the journal key differs (everything redone)
    out2 = tmp_path / "t2.csv"
    with pytest.raises(SystemExit) as ex:
        main(["batch", str(d), "--workers", "1", "--out", str(out2), "-q"])
    assert ex.value.code == 0
    assert pd.read_csv(out2)["mount"].isna().all()
    capsys.readouterr()
    with pytest.raises(SystemExit) as ex:
        main(["batch", str(d), "--out", str(out2), "--mount", "lower_back=screen-sideways"])
    err = capsys.readouterr().err
    assert ex.value.code == 2 and err.count("\n") == 1 and "accepted" in err


def test_a_long_recording_goes_through_the_chunked_path(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A recording of LONG_S or more is analysed in chunks by gait.analysis.pipeline.analyse, as
    'gait report' does (bounded memory; 24 h: benchmarks/bench_batch.py --day), never loaded
    whole; its row is the chunked analysis's document."""
    import gait.analysis.pipeline
    import gait.io.chunks
    from gait.analysis.pipeline import analyse_chunks
    from gait.batch import analyse_one
    from gait.cli.demo import simulate_to_file
    from gait.io.chunks import iter_chunks

    simulate_to_file(tmp_path / "w", duration_s=150, seed=3, placements=("lower_back",))
    path = str(tmp_path / "w.gait.json")
    short = analyse_one(path)["row"]
    monkeypatch.setattr(gait.analysis.pipeline, "LONG_S", 120.0)

    def whole(*args: object, **kw: object) -> None:
        raise AssertionError("loaded whole")

    monkeypatch.setattr(gait.io.chunks, "load_path", whole)
    row = analyse_one(path)["row"]
    assert row["status"] == "ok", row["error"]
    doc = analyse_chunks(iter_chunks(path), file=path).doc
    assert row["n_steps"] == doc["quality"]["n_steps"] > 100
    assert row["stance_s_si_pct"] == doc["symmetry"]["stance_s"]["si_pct"]
    assert row["content_hash"] == short["content_hash"]
    assert abs(row["n_steps"] - short["n_steps"]) <= 2
