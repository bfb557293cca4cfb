"""The one analysis path (gait.analysis.pipeline) and chunked reading (gait.io.chunks): a short
recording is analysed whole, a long one in chunks; the chunked analysis agrees with the whole-file
one, and chunk boundaries neither duplicate nor drop contacts."""

from __future__ import annotations

import itertools
import math
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

import gait
from gait.analysis.pipeline import analyse_chunks, plan
from gait.analysis.single import Analysis, analyse
from gait.cli.demo import simulate_to_file
from gait.errors import GaitInputError
from gait.io.chunks import (
    duration_hint,
    iter_chunks,
    source_paths,
    wants_chunks,
)
from gait.report.validation import validate

CHUNK_S = 180.0
MARGIN_S = 20.0


@pytest.fixture(scope="module")
def walk30(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 30-minute lower-back walk on disk: stance asymmetry, turns and a few standing pauses."""
    d = tmp_path_factory.mktemp("long")
    mpath, _ = simulate_to_file(d / "walk30", duration_s=1800, placements=("lower_back",),
                                stance_asym_pct=5, impact_asym_pct=10, seed=2,
                                turns=[(500, 180), (1100, 90)],
                                pauses=[(400, 10), (700, 10), (1000, 10), (1300, 10)])
    return mpath


@pytest.fixture(scope="module")
def both(walk30: Path) -> tuple[Analysis, Analysis]:
    whole = analyse(gait.load(walk30), n_boot=300)
    long = gait.analyse(walk30, chunk_s=CHUNK_S, margin_s=MARGIN_S, n_boot=300, long_s=600,
                        jobs=1)
    return whole, long


def _ics(a: Analysis) -> np.ndarray:
    ev = a.detection.events
    return np.sort(ev.loc[ev["kind"] == "IC", "t"].to_numpy(float))


def _nearest(t: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Distance of every t to the nearest ref."""
    j = np.clip(np.searchsorted(ref, t), 1, len(ref) - 1)
    return np.minimum(np.abs(ref[j] - t), np.abs(ref[j - 1] - t))


def test_same_steps_and_stance_symmetry(both: tuple[Analysis, Analysis]) -> None:
    whole, long = (a.doc for a in both)
    validate(long)
    assert abs(long["quality"]["n_steps"] - whole["quality"]["n_steps"]) <= 2
    assert abs(long["symmetry"]["stance_s"]["si_pct"]
               - whole["symmetry"]["stance_s"]["si_pct"]) <= 0.2
    assert long["quality"]["n_bouts"] == whole["quality"]["n_bouts"]
    assert long["recording"]["duration_s"] == whole["recording"]["duration_s"]
    assert [s["n_samples"] for s in long["recording"]["streams"]] == \
        [s["n_samples"] for s in whole["recording"]["streams"]]
    assert long["verdict"]["level"] == whole["verdict"]["level"]
    for k, x in whole["trunk"].items():
        assert long["trunk"][k] == pytest.approx(x, rel=0.02), k
    assert len(long["steps"]) == long["quality"]["n_steps"]


def test_chunk_boundaries_neither_duplicate_nor_drop_contacts(
        both: tuple[Analysis, Analysis]) -> None:
    whole, long = (_ics(a) for a in both)
    # one-to-one: every contact of each analysis has a partner in the other
    assert _nearest(whole, long).max() < 0.15
    assert _nearest(long, whole).max() < 0.15
    assert np.diff(long).min() > 0.25  # no contact twice
    # and closely so around every chunk boundary
    for c in np.arange(CHUNK_S, 1800, CHUNK_S):
        near_w = whole[np.abs(whole - c) < 2.5]
        near_l = long[np.abs(long - c) < 2.5]
        assert len(near_w) >= 6 and len(near_l) >= 6, c  # walking there
        assert _nearest(near_w, long).max() < 0.03, c
        assert _nearest(near_l, whole).max() < 0.03, c


def test_chunks_are_on_the_recording_time_axis(walk30: Path) -> None:
    rec = gait.load(walk30)
    ref = rec.streams[0]
    cores = []
    for ch in iter_chunks(walk30, chunk_s=400, margin_s=MARGIN_S):
        s = ch.streams[0]
        i0 = round((s.start_s - ref.start_s) * ref.sample_rate_hz)
        np.testing.assert_array_equal(s.acc, ref.acc[i0:i0 + s.n_samples])
        np.testing.assert_array_equal(s.gyr, ref.gyr[i0:i0 + s.n_samples])
        c0, c1 = ch.meta["chunk"]["core"]
        assert s.start_s <= max(c0, ref.start_s) and s.start_s >= c0 - MARGIN_S - 1e-9
        cores.append((c0, c1))
    assert cores[0][0] == -math.inf and cores[-1][1] == math.inf
    assert all(a[1] == b[0] for a, b in itertools.pairwise(cores))
    assert len(cores) == 5  # 1800 s in 400 s chunks: the last one takes the 200 s rest


def test_generic_csv_in_chunks(walk30: Path, tmp_path: Path) -> None:
    csv = tmp_path / "back.csv"  # a stream file alone is a generic CSV
    shutil.copy(walk30.with_name("walk30.lower_back.csv"), csv)
    assert duration_hint(csv) == pytest.approx(1800, rel=0.02)
    assert wants_chunks(csv, 1000) and not wants_chunks(csv, 3600)
    assert duration_hint(walk30) == pytest.approx(1800)
    assert source_paths(csv) == [str(csv)]
    assert source_paths(walk30) == gait.load(walk30).sources
    ref = gait.load(walk30).streams[0]
    ch = next(iter_chunks(csv, chunk_s=300, placement="lower_back"))
    s = ch.streams[0]
    assert s.placement == "lower_back" and s.sample_rate_hz == ref.sample_rate_hz
    np.testing.assert_allclose(s.acc, ref.acc[:s.n_samples])
    assert ch.source_format == "generic"


def test_other_formats_are_refused(tmp_path: Path) -> None:
    p = tmp_path / "x.txt"
    p.write_text("hello\n1,2\n")
    with pytest.raises(GaitInputError):
        next(iter_chunks(p))
    assert duration_hint(p) is None


def _cut_row(src: Path, dst: Path, line_no: int) -> None:
    lines = src.read_text().splitlines()
    lines[line_no - 1] = ",".join(lines[line_no - 1].split(",")[:3])
    dst.write_text("\n".join(lines) + "\n")


def test_short_row_is_an_error_with_its_line(walk30: Path, tmp_path: Path) -> None:
    """As in the whole-file reader: a row with missing fields names its line."""
    csv = tmp_path / "back.csv"
    _cut_row(walk30.with_name("walk30.lower_back.csv"), csv, 50_001)
    with pytest.raises(GaitInputError, match=r"line 50001: row has 3 fields, the header has"):
        for _ in iter_chunks(csv, chunk_s=300, placement="lower_back"):
            pass


def test_truncated_last_line_reads_as_missing(walk30: Path, tmp_path: Path) -> None:
    """A recording cut off mid-line keeps everything before it."""
    src = walk30.with_name("walk30.lower_back.csv")
    csv = tmp_path / "back.csv"
    n_lines = len(src.read_text().splitlines())
    _cut_row(src, csv, n_lines)
    n = sum(ch.streams[0].n_samples for ch in iter_chunks(csv, chunk_s=600, margin_s=0.0,
                                                          placement="lower_back"))
    assert n >= n_lines - 3


def _doc_json(a: Analysis) -> str:
    from gait.report.jsonout import dumps

    return dumps({**a.doc, "created_utc": "2000-01-01T00:00:00+00:00"})


def test_worker_processes_give_the_serial_result(walk30: Path,
                                                  both: tuple[Analysis, Analysis]) -> None:
    """Chunks measured in 2 worker processes (forked on Linux), read 3 ahead: the same JSON
    document, byte for byte, as measured one after the other in this process."""
    serial = both[1]
    par = gait.analyse(walk30, chunk_s=CHUNK_S, margin_s=MARGIN_S, n_boot=300, long_s=600,
                       jobs=2)
    assert _doc_json(par) == _doc_json(serial)
    assert par.steps.equals(serial.steps)


def test_spawned_workers_give_the_serial_result(walk30: Path) -> None:
    """macOS and Windows spawn their workers (fresh interpreters that import gait again)."""
    from gait.analysis.workers import process_map

    chunks = list(itertools.islice(iter_chunks(walk30, chunk_s=300, margin_s=MARGIN_S), 3))
    serial = analyse_chunks(chunks, n_boot=50)
    with process_map(2, method="spawn") as m:
        par = analyse_chunks(chunks, n_boot=50, mapper=m)
    assert _doc_json(par) == _doc_json(serial)


def _fails(x: int) -> int:
    if x == 3:
        raise GaitInputError("walk.csv", "text 'abc' in a numeric column", where="line 12",
                             expected="a number")
    return x


def test_an_error_in_a_worker_is_raised_by_the_map() -> None:
    from gait.analysis.workers import process_map

    with process_map(2) as m:
        it = iter(m(_fails, range(100)))
        assert [next(it) for _ in range(3)] == [0, 1, 2]
        with pytest.raises(GaitInputError) as exc:
            next(it)
    assert str(exc.value) == ("walk.csv: line 12: text 'abc' in a numeric column "
                              "(expected a number)")
    assert exc.value.where == "line 12" and exc.value.path == "walk.csv"


@pytest.mark.parametrize("jobs", [2, 3])
def test_the_map_shared_with_this_process_keeps_order_and_errors(jobs: int) -> None:
    """in_main: this process computes items beside jobs - 1 workers; the results come in
    order, wherever they were computed, and an error at its item's turn."""
    from gait.analysis.workers import process_map

    with process_map(jobs, in_main=True) as m:
        assert list(m(_square, range(40))) == [x * x for x in range(40)]
        it = iter(m(_fails, range(100)))
        assert [next(it) for _ in range(3)] == [0, 1, 2]
        with pytest.raises(GaitInputError):
            next(it)


def _square(x: int) -> int:
    return x * x


def test_one_job_is_the_built_in_map_and_the_default_is_bounded() -> None:
    from gait.analysis.workers import MAX_JOBS, default_jobs, process_map

    assert 1 <= default_jobs() <= MAX_JOBS
    with process_map(1, preload=("no.such.module",)) as m:  # nothing is started or imported
        assert m is map


def test_the_api_analyses_a_short_recording_whole() -> None:
    """gait.analyse of a path, of PLACEMENT=PATH and of a loaded recording: the document of
    gait.analysis.single.analyse of the loaded recording (one chunk: the whole recording)."""
    path = Path(__file__).parent.parent / "recordings" / "walk_symmetric.gait.json"
    ref = analyse(gait.load(path), n_boot=200)
    assert plan(str(path)).chunked is False
    for src in (str(path), path, f"lower_back={path}", [str(path)], gait.load(path)):
        a = gait.analyse(src, n_boot=200, file=str(path))
        assert _doc_json(a) == _doc_json(ref), src
    assert gait.analyse(path, n_boot=50).sources == ref.sources


def test_the_api_reads_a_long_recording_in_chunks(walk30: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A recording of long_s or more is never loaded whole by gait.analyse: it is streamed
    in chunks and the progress tick counts them."""
    import gait.io.chunks

    def whole(*args: object, **kw: object) -> None:
        raise AssertionError("loaded whole")

    monkeypatch.setattr(gait.io.chunks, "load_path", whole)
    p = plan(walk30, chunk_s=600, long_s=900)
    assert p.chunked and p.n_chunks == 3 and p.sources == source_paths(walk30)
    ticks: list[int] = []

    @contextmanager
    def progress(pl: object) -> Iterator[Callable[[], None]]:
        assert pl == p
        yield lambda: ticks.append(1)

    a = gait.analyse(walk30, n_boot=50, long_s=900, jobs=1, progress=progress)
    assert len(ticks) == 3 and a.doc["quality"]["n_steps"] > 1000
    assert a.sources == source_paths(walk30)
