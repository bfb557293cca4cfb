"""The walk history: storage (upsert, dates, migrations, concurrent writers), the trend test,
and ``gait history`` (terminal, JSON, HTML)."""

from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import os
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from gait.errors import GaitInputError
from gait.history import (
    SCHEMA_VERSION,
    connect,
    content_hash,
    forget,
    get_walk,
    history_doc,
    parse_when,
    resolve_db,
    source_files,
    store,
    trend,
    walks,
)

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from gait.cli import main

    with pytest.raises(SystemExit) as ex:
        main(args)
    out = capsys.readouterr()
    return int(ex.value.code or 0), out.out, out.err


@pytest.fixture(scope="module")
def recovering(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[dict, list[Path]]]:
    """Three simulated two-feet walks with a shrinking stance asymmetry (12, 6, 0 %)."""
    from gait.analysis.single import analyse
    from gait.api import load
    from gait.cli.demo import simulate_to_file

    base = tmp_path_factory.mktemp("walks")
    out = []
    for i, asym in enumerate((12.0, 6.0, 0.0)):
        m, _ = simulate_to_file(base / f"week{3 * i}", duration_s=45, stance_asym_pct=asym,
                                placements=("left_foot", "right_foot"), seed=10 + i)
        rec = load(m)
        out.append((analyse(rec, seed=0, n_boot=500, file=str(m)).doc,
                    source_files(rec.sources)))
    return out


def fake_doc(si: float = 5.0, start: str | None = None) -> dict[str, Any]:
    """A minimal gait-report/1 document (what store() reads)."""
    return {"schema": "gait-report/1", "generated_by": "gait test",
            "recording": {"file": "x.csv", "start_time_utc": start, "duration_s": 60.0,
                          "streams": [{"placement": "lower_back"}]},
            "sources": ["lower_back"], "gait_kind": "walk",
            "quality": {"ok": True, "n_steps": 100, "problems": []},
            "per_side": {"L": {"stance_s": {"mean": 0.65, "sd": 0.02, "cv": 3.0, "n": 50}},
                         "R": {"stance_s": {"mean": 0.62, "sd": 0.02, "cv": 3.0, "n": 50}}},
            "symmetry": {"stance_s": {"si_pct": si, "ci95": [si - 2, si + 2],
                                      "left_share_pct": 50 + si / 4,
                                      "left_share_ci95": [49.0, 52.0],
                                      "gait_asymmetry_pct": abs(si), "n_strides": 50}},
            "verdict": {"level": "mild", "towards": "L", "summary": "test"}}


def test_three_walks_weeks_apart_show_an_improving_trend(
        recovering: list[tuple[dict, list[Path]]], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "h.sqlite"
    ids = [store(doc, srcs, db, when=T0 + timedelta(weeks=3 * i))
           for i, (doc, srcs) in enumerate(recovering)]
    assert ids == [1, 2, 3]
    # the same file analysed again is the same entry
    assert store(recovering[0][0], recovering[0][1], db) == 1
    code, out, _ = run_cli(["history", "--db", str(db), "--json"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"] == "gait-history/1" and doc["n_walks"] == 3
    assert [w["walk_utc"][:10] for w in doc["walks"]] == ["2025-03-03", "2025-03-24",
                                                          "2025-04-14"]
    assert doc["walks"][0]["walk_time_source"] == "given"  # a given date survives re-analysis
    st = doc["parameters"]["stance_s"]
    si = [p["si_pct"] for p in st["points"]]
    assert si[0] > si[1] > si[2] and si[1] > 0
    tr = st["trend"]
    assert tr["status"] == "improving", tr
    assert tr["initial_side"] == "L" and tr["slope_ci95"][1] < 0
    assert tr["fitted_first_pct"] > tr["fitted_last_pct"]
    # --parameter restricts the document
    code, out, _ = run_cli(["history", "--db", str(db), "--json", "--parameter", "step_s"],
                           capsys)
    assert list(json.loads(out)["parameters"]) == ["step_s"]


def test_terminal_and_html(recovering: list[tuple[dict, list[Path]]], tmp_path: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "h.sqlite"
    for i, (doc, srcs) in enumerate(recovering):
        doc = {**doc, "recording": {**doc["recording"],  # a phone export's long name
                                    "file": f"walk_{i}_sensor_logger_2025-03-1{i}_18-02-11.zip"}}
        store(doc, srcs, db, when=T0 + timedelta(days=10 * i))
    html = tmp_path / "h.html"
    code, out, _ = run_cli(["history", "--db", str(db), "--html", str(html)], capsys)
    assert code == 0
    assert "3 walk(s)" in out and "improving" in out and "Stance time" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    for i in range(3):  # whole dates at 80 columns, never "20…"
        assert (T0 + timedelta(days=10 * i)).date().isoformat() in out
    page = html.read_text()
    assert page.count("<svg") >= 2 and "Content-Security-Policy" in page
    assert "<script" not in page and 'href="http' not in page and "src=" not in page
    assert "DerSimonian" in page and "improving" in page


def test_empty_history_creates_nothing(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "none" / "h.sqlite"
    code, out, _ = run_cli(["history", "--db", str(db)], capsys)
    assert code == 0 and "Nothing stored yet" in out
    code, out, _ = run_cli(["history", "--db", str(db), "--json"], capsys)
    assert json.loads(out)["n_walks"] == 0 and not db.exists()


def test_upsert_on_content_not_name(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    a = tmp_path / "a.csv"
    a.write_text("time_s,ax,ay,az\n0,0,9.81,0\n")
    b = tmp_path / "copy_of_a.csv"
    shutil.copy(a, b)
    c = tmp_path / "c.csv"
    c.write_text("time_s,ax,ay,az\n0,0,9.80,0\n")
    assert store(fake_doc(4.0), [a], db, when=T0) == 1
    assert store(fake_doc(3.0), [b], db) == 1  # same bytes: same walk, updated
    assert store(fake_doc(2.0), [c], db) == 2
    ws = walks(db)
    assert len(ws) == 2
    w = ws[0] if ws[0]["id"] == 1 else ws[1]
    assert w["n_analyses"] == 2 and w["symmetry"]["stance_s"]["si_pct"] == 3.0
    assert w["walk_utc"].startswith("2025-03-03") and w["walk_time_source"] == "given"
    assert get_walk(content_hash([c]), db)["id"] == 2
    assert forget(2, db) and not forget(2, db)
    con = connect(db)
    assert con.execute("SELECT count(*) FROM symmetry").fetchone()[0] == 1  # cascaded
    con.close()


def test_walk_time_sources(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    f1, f2 = tmp_path / "1.csv", tmp_path / "2.csv"
    f1.write_text("1")
    f2.write_text("2")
    os.utime(f2, (1_700_000_000, 1_700_000_000))
    store(fake_doc(start="2024-05-01T07:30:00+00:00"), [f1], db)
    store(fake_doc(), [f2], db)
    got = {Path(w["sources"][0]).name: (w["walk_utc"], w["walk_time_source"]) for w in walks(db)}
    assert got["1.csv"] == ("2024-05-01T07:30:00+00:00", "recording")
    assert got["2.csv"] == ("2023-11-14T22:13:20+00:00", "file_mtime")
    assert parse_when("2025-01-02T03:04:05+02:00") == datetime(2025, 1, 2, 1, 4, 5, tzinfo=UTC)
    with pytest.raises(GaitInputError, match="ISO 8601"):
        parse_when("last tuesday")


def test_content_hash(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_bytes(b"abc" * 1000)
    b.write_bytes(b"xyz")
    assert content_hash([a]) == hashlib.sha256(b"abc" * 1000).hexdigest()  # = sha256sum
    assert content_hash([a, b]) == content_hash([b, a])
    d = tmp_path / "export"
    d.mkdir()
    shutil.copy(a, d / "a")
    shutil.copy(b, d / "b")
    assert content_hash([d]) == content_hash([a, b])
    assert source_files([f"{a}!member.csv", str(a), str(b)]) == [a, b]
    with pytest.raises(GaitInputError):
        content_hash([])


def test_schema_migrations_and_bad_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    db = tmp_path / "h.sqlite"
    con = connect(db)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()
    newer = tmp_path / "newer.sqlite"
    raw = sqlite3.connect(newer)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(GaitInputError, match="newer"):
        connect(newer)
    other = tmp_path / "other.sqlite"
    raw = sqlite3.connect(other)
    raw.execute("CREATE TABLE t (x)")
    raw.close()
    with pytest.raises(GaitInputError, match="not a gait history"):
        connect(other)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(GaitInputError):
        store(fake_doc(), [junk], junk)
    monkeypatch.setenv("GAIT_HISTORY_DB", str(tmp_path / "env.sqlite"))
    assert resolve_db(None) == tmp_path / "env.sqlite"
    assert resolve_db(tmp_path / "x.sqlite") == tmp_path / "x.sqlite"
    monkeypatch.delenv("GAIT_HISTORY_DB")
    assert resolve_db(None).name == "history.sqlite"


@pytest.mark.parametrize(("user_version", "needle"), [
    (0, "not a gait history"),  # another application's database
    (1, "not a gait history"),  # ... that uses user_version itself
    (SCHEMA_VERSION + 1, "newer than this gait's"),  # a newer gait's, in rollback mode
])
def test_foreign_or_newer_db_is_refused_unmodified(tmp_path: Path, user_version: int,
                                                   needle: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 20 item 7: checked read-only; the file keeps its bytes and its journal mode."""
    other = tmp_path / "other.sqlite"
    raw = sqlite3.connect(other)
    raw.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    raw.execute("INSERT INTO notes (text) VALUES ('keep me')")
    raw.execute(f"PRAGMA user_version = {user_version}")
    raw.commit()
    raw.close()
    before = other.read_bytes()
    for args in (["history", "--db", str(other)], ["history", "--json", "--db", str(other)]):
        code, _out, err = run_cli(args, capsys)
        assert code == 2, err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and str(other) in lines[0] and needle in lines[0], err
    assert other.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.sqlite"]  # no -wal / -shm
    raw = sqlite3.connect(other)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    raw.close()


def test_empty_file_becomes_a_history(tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite"
    db.touch()
    con = connect(db)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    con.close()


def _writer(db: str, k: int, n: int, barrier: Any, folder: str) -> None:
    barrier.wait()
    shared = Path(folder) / "shared.csv"
    for i in range(n):
        f = Path(folder) / f"w{k}_{i}.csv"
        f.write_text(f"{k},{i}")
        store(fake_doc(float(i)), [f], Path(db), when=T0 + timedelta(hours=i))
        store(fake_doc(1.0), [shared], Path(db))


def test_concurrent_writers(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"  # not created yet: the processes race to create and migrate it
    (tmp_path / "shared.csv").write_text("same walk for everyone")
    ctx = mp.get_context("spawn")
    n_proc, n_each = 4, 12
    barrier = ctx.Barrier(n_proc)
    procs = [ctx.Process(target=_writer, args=(str(db), k, n_each, barrier, str(tmp_path)))
             for k in range(n_proc)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0] * n_proc
    ws = walks(db)
    assert len(ws) == n_proc * n_each + 1
    shared = [w for w in ws if w["sources"][0].endswith("shared.csv")]
    assert len(shared) == 1 and shared[0]["n_analyses"] == n_proc * n_each
    con = connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()


def test_trend_statuses() -> None:
    se = [1.0] * 5
    weeks = [0, 7, 14, 21, 28]
    assert trend([0, 7], [10, 5], [1, 1])["status"] == "too_few_walks"
    assert trend([0, 0, 0], [10, 5, 1], [1, 1, 1])["status"] == "too_few_walks"
    # walks seconds apart: no slope per week (it would be thousands of points)
    same_day = trend([0, 1e-4, 2e-4], [10, 5, 1], [1, 1, 1])
    assert same_day["status"] == "too_few_walks" and same_day["slope_pct_per_week"] is None
    assert "different days" in same_day["note"]
    imp = trend(weeks, [10, 8, 6, 4, 2], se)
    assert imp["status"] == "improving" and imp["initial_side"] == "L"
    assert imp["slope_pct_per_week"] == pytest.approx(-2.0)
    assert imp["tau2"] == 0.0 and imp["p_value"] < 1e-6
    # right-side asymmetry growing: worsening (signed towards the initial side)
    wor = trend(weeks, [-3, -5, -7, -9, -11], se)
    assert wor["status"] == "worsening" and wor["initial_side"] == "R"
    assert wor["slope_pct_per_week"] == pytest.approx(2.0)
    # noisy and flat: the data cannot tell
    flat = trend(weeks, [5, 9, 4, 8, 5], se)
    assert flat["status"] == "no_clear_change" and flat["tau2"] > 0
    assert flat["slope_ci95"][0] < 0 < flat["slope_ci95"][1]
    # wide CIs: three walks that fall only a little cannot show a trend
    assert trend([0, 21, 42], [8, 6, 4], [6, 6, 6])["status"] == "no_clear_change"
    # over-corrected: now more asymmetric on the other side
    rev = trend(weeks, [6, 0, -6, -12, -18], se)
    assert rev["status"] == "reversed" and "right" in rev["note"]


def test_history_doc_skips_walks_without_ci(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    for i in range(3):
        f = tmp_path / f"{i}.csv"
        f.write_text(str(i))
        doc = fake_doc(6.0 - 3 * i)
        if i == 1:
            doc["symmetry"]["stance_s"]["ci95"] = [None, None]
        store(doc, [f], db, when=T0 + timedelta(weeks=i))
    d = history_doc(db)
    assert len(d["parameters"]["stance_s"]["points"]) == 3
    assert d["parameters"]["stance_s"]["trend"]["n_walks"] == 2
    assert d["parameters"]["stance_s"]["trend"]["status"] == "too_few_walks"
    json.dumps(d, allow_nan=False)


def test_report_stores_the_walk(recovering: list[tuple[dict, list[Path]]], tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    """``gait report FILE`` stores its walk (once) unless --no-history; --date sets its date."""
    from gait.cli.analyse import report

    if "db" not in {p.name for p in report.params}:
        pytest.skip("gait report does not store walks yet (cli.py wiring of issue 7)")
    db = tmp_path / "h.sqlite"
    manifest = str(recovering[0][1][0])
    base = ["report", manifest, "--db", str(db)]
    code, out, err = run_cli([*base, "--date", "2025-01-02"], capsys)
    assert code == 0, err
    assert "Stored in the history as walk 1" in out
    assert run_cli([*base, "-q"], capsys)[0] == 0
    assert run_cli([*base, "--no-history", "-q"], capsys)[0] == 0
    ws = walks(db)
    assert len(ws) == 1 and ws[0]["n_analyses"] == 2
    assert 90 < ws[0]["cadence_spm"] < 130 and 0.45 < ws[0]["step_s"] < 0.65
    code, out, _ = run_cli(["history", "--db", str(db), "--json"], capsys)
    assert code == 0 and json.loads(out)["walks"][0]["cadence_spm"] == ws[0]["cadence_spm"]
    assert ws[0]["walk_utc"].startswith("2025-01-0") and ws[0]["walk_time_source"] == "given"
    code, _, err = run_cli([*base, "--date", "soon"], capsys)
    assert code == 2 and "--date" in err and err.count("\n") == 1


def test_a_version_1_history_is_migrated_and_keeps_its_walks(tmp_path: Path) -> None:
    from gait.history import MIGRATIONS

    db = tmp_path / "v1.sqlite"
    raw = sqlite3.connect(db)  # a history written by gait before cadence was stored
    for stmt in MIGRATIONS[0]:
        raw.execute(stmt)
    raw.execute("PRAGMA user_version = 1")
    raw.execute(
        "INSERT INTO walks (content_hash, walk_utc, walk_time_source, analysed_utc, "
        "first_analysed_utc, file, sources, placements, used_placements, problems, per_side, "
        "report_schema) VALUES ('h1', '2025-03-03T09:00:00+00:00', 'given', "
        "'2025-03-03T10:00:00+00:00', '2025-03-03T10:00:00+00:00', 'old.csv', '[]', '[]', "
        "'[]', '[]', '{}', 'gait-report/1')")
    raw.commit()
    raw.close()
    f = tmp_path / "new.csv"
    f.write_text("new walk")
    doc = {**fake_doc(), "overall": {"n_steps": 100, "cadence_spm": 112.4,
                                     "step_s": {"mean": 0.534, "sd": 0.01, "cv": 2.0, "n": 99}}}
    store(doc, [f], db, when=T0 + timedelta(days=7))
    con = connect(db)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    con.close()
    old, new = walks(db)
    assert old["file"] == "old.csv" and old["cadence_spm"] is None and old["step_s"] is None
    assert new["cadence_spm"] == pytest.approx(112.4) and new["step_s"] == pytest.approx(0.534)
    from gait.report.history import render_history_html

    page = render_history_html(history_doc(db))
    assert "<td class=n>112</td>" in page and "<td class=n>–</td>" in page
