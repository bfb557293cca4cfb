"""Physical properties of the gait simulator and its ground truth (gait.simulate)."""

from __future__ import annotations

import json
import math
from itertools import pairwise

import numpy as np
import pytest
from scipy import signal

from gait.cli.demo import simulate_to_file
from gait.io.base import at_rest_gravity
from gait.io.detect import load_path
from gait.io.gaitcsv import truth_path
from gait.recording import G
from gait.simulate import SIM_PLACEMENTS, simulate

FS = 100.0
QUIET = dict(noise=None, bias=None)


def _spectral_peak(x: np.ndarray, fs: float, lo: float, hi: float) -> float:
    f, p = signal.welch(x - x.mean(), fs=fs, nperseg=min(len(x), 4096))
    band = (f >= lo) & (f <= hi)
    return float(f[band][np.argmax(p[band])])


def _walking(truth, fs: float, n: int) -> np.ndarray:
    t = np.arange(n) / fs
    m = np.zeros(n, dtype=bool)
    for b in truth.walking_bouts:
        m |= (t > b["start"] + 1) & (t < b["end"] - 1)
    return m


@pytest.mark.parametrize(("gait", "cadence"), [("walk", 104.0), ("walk", 118.0), ("run", 170.0)])
def test_cadence_from_vertical_spectrum(gait: str, cadence: float) -> None:
    rec, truth = simulate(60, gait=gait, cadence_spm=cadence, seed=1)
    s = rec.stream("lower_back")
    vert = s.acc[:, 1]  # nominal lower-back mount: gravity on +y
    m = _walking(truth, FS, s.n_samples)
    f = _spectral_peak(vert[m], FS, 0.5, 4.0)
    assert f * 60 == pytest.approx(cadence, abs=60 * FS / 4096 + 1.0)
    assert truth.summary["cadence_spm"] == pytest.approx(cadence, rel=0.02)


def test_gravity_at_rest_in_pauses() -> None:
    rec, truth = simulate(40, placements=("lower_back", "left_foot", "right_pocket"),
                          pauses=[(15, 5)], orientation="random", seed=2)
    assert len(truth.walking_bouts) == 2
    st = truth.standing[1]
    for s in rec.streams:
        t = s.time_s
        quiet = (t > st["start"] + 0.8) & (t < st["end"] - 0.2)
        mag = np.linalg.norm(s.acc[quiet], axis=1)
        assert np.median(mag) == pytest.approx(G, abs=0.15), s.placement
        assert at_rest_gravity(s.acc, s.sample_rate_hz) == pytest.approx(9.81, abs=0.3)
        assert np.abs(s.gyr[quiet]).max() < 0.05


def test_stance_fraction_walk_and_run_flight_phase() -> None:
    _, walk = simulate(60, seed=3)
    frac = walk.summary["stance_fraction"]
    assert 0.57 <= frac["L"] <= 0.64 and 0.57 <= frac["R"] <= 0.64
    _, run = simulate(60, gait="run", seed=3)
    frac = run.summary["stance_fraction"]
    assert frac["L"] <= 0.40 and frac["R"] <= 0.40
    # running: IC, then that foot's FC, then flight; walking: IC, then the other foot's FC
    for truth, flight in ((run, True), (walk, False)):
        ev = sorted([(e["t"], "IC", e["side"]) for e in truth.initial_contacts]
                    + [(e["t"], "FC", e["side"]) for e in truth.final_contacts])
        b = truth.walking_bouts[0]
        ev = [e for e in ev if b["start"] <= e[0] < b["end"] - 1]
        pairs = [(a, c) for a, c in pairwise(ev) if a[1] == "IC"]
        assert len(pairs) > 40 and all(c[1] == "FC" for _, c in pairs)
        assert all((a[2] == c[2]) == flight for a, c in pairs)


def test_running_flight_is_free_fall() -> None:
    rec, truth = simulate(20, gait="run", seed=4, **QUIET)
    s = rec.stream("lower_back")
    t = s.time_s
    mag = np.linalg.norm(s.acc, axis=1)
    ics, fcs = truth.ic_times(), truth.fc_times()
    vals = []
    for fc in fcs[(fcs > 5) & (fcs < 15)]:
        nxt = ics[ics > fc][0]
        mid = (t > fc + 0.02) & (t < nxt - 0.02)
        vals.append(mag[mid].max())
        stance = (t > nxt) & (t < nxt + 0.15)
        assert mag[stance].max() > 1.8 * G  # spring-mass stance peak
    assert max(vals) < 1.5  # specific force ~0 in flight


@pytest.mark.parametrize("variability", [0.0, 2.0])
def test_truth_asymmetry_equals_request(variability: float) -> None:
    req = dict(stance_asym_pct=6.0, step_asym_pct=-4.0, impact_asym_pct=15.0,
               pelvic_drop_asym_deg=2.5)
    _, truth = simulate(120, variability_pct=variability, seed=5, **req)
    s = truth.summary
    tol = 1e-3 if variability == 0 else 1.5
    assert s["stance_symmetry_index_pct"] == pytest.approx(6.0, abs=tol)
    assert s["step_symmetry_index_pct"] == pytest.approx(-4.0, abs=tol)
    assert s["impact_symmetry_index_pct"] == pytest.approx(15.0, abs=tol if variability == 0
                                                           else 4.0)
    assert s["pelvic_drop_asym_deg"] == pytest.approx(2.5, abs=tol if variability == 0 else 0.3)
    # the summary is the Robinson SI of the listed per-stride values
    mean = {k: np.mean(truth.stance_times_s[k]) for k in "LR"}
    si = 100 * (mean["L"] - mean["R"]) / (0.5 * (mean["L"] + mean["R"]))
    assert si == pytest.approx(s["stance_symmetry_index_pct"], abs=0.01)
    # an L step ends with an L IC: recompute the steps from the IC list
    ic = truth.initial_contacts
    b = truth.walking_bouts[0]
    inb = [e for e in ic if b["start"] <= e["t"] <= b["end"]]
    steps_l = [e1["t"] - e0["t"] for e0, e1 in pairwise(inb)
               if e1["side"] == "L"]
    assert np.mean(steps_l) == pytest.approx(s["mean_step_s"]["L"], abs=2e-4)


def test_orientation_preserves_norms() -> None:
    placements = ("lower_back", "left_foot", "right_shank", "left_pocket")
    ref, _ = simulate(20, placements=placements, seed=6, **QUIET)
    for orient in ((30.0, -50.0, 120.0), "random"):
        rot, _ = simulate(20, placements=placements, seed=6, orientation=orient, **QUIET)
        for a, b in zip(ref.streams, rot.streams, strict=True):
            np.testing.assert_allclose(np.linalg.norm(a.acc, axis=1),
                                       np.linalg.norm(b.acc, axis=1), atol=1e-9)
            np.testing.assert_allclose(np.linalg.norm(a.gyr, axis=1),
                                       np.linalg.norm(b.gyr, axis=1), atol=1e-9)
            assert not np.allclose(a.acc, b.acc)


def test_clock_drift_shifts_second_sensor() -> None:
    ppm = 1000.0
    kw = dict(duration_s=60, placements=("left_foot", "right_foot"), seed=7)
    drifted, truth = simulate(clock_drift_ppm=ppm, **kw)
    plain, _ = simulate(**kw)
    # the reference stream is untouched
    np.testing.assert_array_equal(drifted.streams[0].acc, plain.streams[0].acc)
    # sample k of the drifted stream was taken at true time k / (fs (1 + d)): exactly the
    # undrifted signal sampled at fs (1 + d)
    fast, _ = simulate(fs=FS * (1 + ppm * 1e-6), **kw)
    n = min(fast.streams[1].n_samples, drifted.streams[1].n_samples)
    np.testing.assert_allclose(drifted.streams[1].acc[:n], fast.streams[1].acc[:n], atol=1e-9)
    # and events appear later by t * ppm: lag of the right-foot gyro vs. the undrifted one
    g_d, g_p = drifted.streams[1].gyr[:, 0], plain.streams[1].gyr[:, 0]

    def lag(t0: float) -> float:
        seg = slice(int(t0 * FS), int((t0 + 6) * FS))
        xc = signal.correlate(g_d[seg], g_p[seg], mode="full")
        k = int(np.argmax(xc))
        y0, y1, y2 = xc[k - 1], xc[k], xc[k + 1]
        return (k - (len(g_p[seg]) - 1) + 0.5 * (y0 - y2) / (y0 - 2 * y1 + y2)) / FS

    early, late = lag(5.0), lag(50.0)
    assert early == pytest.approx(8.0 * ppm * 1e-6, abs=0.004)
    assert late == pytest.approx(53.0 * ppm * 1e-6, abs=0.004)
    assert truth.head["sensors"]["right_foot"]["clock_drift_ppm"] == ppm


def test_foot_gyro_mid_swing_peak_per_stride() -> None:
    rec, truth = simulate(60, placements=("left_foot", "right_foot"), seed=8)
    for side, place in (("L", "left_foot"), ("R", "right_foot")):
        g = rec.stream(place).gyr[:, 0]  # nominal mount: x = right, toes-up positive
        t = rec.stream(place).time_s
        ic, fc = truth.ic_times(side), truth.fc_times(side)
        n_swings = 0
        for f in fc:
            nxt = ic[ic > f]
            if not len(nxt) or nxt[0] - f > 1.0:
                continue
            n_swings += 1
            sw = (t >= f) & (t <= nxt[0])
            k = np.argmax(g[sw])
            assert g[sw][k] > 4.0  # rad/s, typical 300-400 deg/s
            frac = (t[sw][k] - f) / (nxt[0] - f)
            assert 0.3 < frac < 0.7
            # negative peaks around IC (foot lowering) and before FC (push-off)
            assert g[(t > nxt[0]) & (t < nxt[0] + 0.1)].min() < -2.0
            assert g[(t > f - 0.1) & (t < f + 0.05)].min() < -3.0
        assert n_swings >= 45
        # and the foot is still in mid stance (zero-velocity phases)
        mid = np.zeros_like(t, dtype=bool)
        for i, f in zip(ic, ic + 0.35, strict=True):
            mid |= (t > i + 0.2) & (t < f)
        assert np.abs(g[mid]).max() < 0.1


def test_lower_back_yaw_rate_sign_at_ic() -> None:
    """The trunk yaw rate carries the side (the sign McCamley et al. 2012 rely on)."""
    rec, truth = simulate(60, seed=9)
    s = rec.stream("lower_back")
    b, a = signal.butter(2, 2.0 / (FS / 2))
    yaw = signal.filtfilt(b, a, s.gyr[:, 1])  # y = up
    k_l = np.round(truth.ic_times("L") * FS).astype(int)
    k_r = np.round(truth.ic_times("R") * FS).astype(int)
    assert np.mean(yaw[k_l] < 0) > 0.9
    assert np.mean(yaw[k_r] > 0) > 0.9


def test_pelvic_drop_asymmetry_shows_in_ml_gravity() -> None:
    kw = dict(duration_s=60, seed=10, variability_pct=0.0, **QUIET)
    sym, truth = simulate(**kw)
    asym, _ = simulate(pelvic_drop_asym_deg=4.0, **kw)
    stride = truth.params["nominal"]["stride_s"]
    base = truth.params["nominal"]["pelvic_drop_deg"]["L"]
    k = np.round((truth.ic_times("L")[2:-2] + 0.16 * stride) * FS).astype(int)
    diff = np.mean(asym.streams[0].acc[k, 0] - sym.streams[0].acc[k, 0])
    # x = right; 2 deg more drop of the right hemipelvis tilts gravity towards -x
    expected = -G * (math.sin(math.radians(base + 2.0)) - math.sin(math.radians(base)))
    assert diff == pytest.approx(expected, rel=0.1)


def _locked(x: np.ndarray, t: np.ndarray, a: float, b: float) -> np.ndarray:
    """Mean of x over [t + a, t + b) for every event time t, averaged over the events."""
    k = np.round(t * FS).astype(int)
    return np.mean([x[i + round(a * FS):i + round(b * FS)] for i in k], axis=0)


def test_lower_back_pattern_of_real_recordings() -> None:
    """The trunk signature of a left IC as in the IC-locked averages of the voisard2023 and
    mobgap lower-back walks (nominal mount: x right, y up, z backwards)."""
    rec, truth = simulate(60, seed=19, cadence_spm=110, **QUIET)
    s = rec.stream("lower_back")
    ic = truth.ic_times("L")
    ic = ic[(ic > 5) & (ic < 50)]
    up, fwd, left = s.acc[:, 1] - G, -s.acc[:, 2], -s.acc[:, 0]
    # vertical: heel-strike impact peak 30-50 ms after IC, about -1.5 to -2 m/s^2 in mid single
    # support
    v = _locked(up, ic, -0.05, 0.45)
    assert 0.03 <= (np.argmax(v[:15]) - 5) / FS <= 0.05
    assert -2.5 < v[5 + 30] < -1.0
    # AP: forward peak at IC (+-20 ms), net braking peak 80-150 ms after it
    a = _locked(fwd, ic, -0.1, 0.3)
    assert abs((np.argmax(a[:15]) - 10) / FS) <= 0.02
    assert 0.08 <= (np.argmin(a) - 10) / FS <= 0.15
    # ML: the trunk accelerates to the right (away from the new stance foot's side) during the
    # left single support; the pelvis rolls left side up right after the left IC (contralateral
    # drop in the loading response)
    assert np.mean(_locked(left, ic, 0.1, 0.35)) < -0.3
    assert np.mean(_locked(-s.gyr[:, 2], ic, 0.0, 0.15)) > 0.3
    # and the mirror image at a right IC
    icr = truth.ic_times("R")
    icr = icr[(icr > 5) & (icr < 50)]
    assert np.mean(_locked(left, icr, 0.1, 0.35)) > 0.3
    assert np.mean(_locked(-s.gyr[:, 2], icr, 0.0, 0.15)) < -0.3


def test_asymmetric_stance_shares_the_load() -> None:
    """A longer double support on one side stretches the load transfer: the trunk's vertical
    acceleration still averages 1 g and the double-support peaks stay alike on both sides."""
    kw = dict(duration_s=60, seed=20, variability_pct=0.0, **QUIET)
    means = []
    for asym in (0.0, 10.0):
        rec, truth = simulate(stance_asym_pct=asym, **kw)
        s = rec.stream("lower_back")
        b = truth.walking_bouts[0]
        m = (s.time_s > b["start"] + 2) & (s.time_s < b["end"] - 2)
        means.append(np.mean(s.acc[m, 1]))  # nominal mount: y = up
    assert means[1] == pytest.approx(means[0], rel=0.002)
    assert means[0] == pytest.approx(G, rel=0.03)  # + impacts, lean
    peaks = [np.max(_locked(s.acc[:, 1], truth.ic_times(sd)[3:-3], 0.0, 0.2))
             for sd in ("L", "R")]
    assert peaks[0] == pytest.approx(peaks[1], rel=0.25)


def test_turn_integrates_to_its_angle() -> None:
    rec, truth = simulate(30, seed=11, turns=[(10.0, 180.0, 2.0), (20.0, -90.0)], **QUIET)
    s = rec.stream("lower_back")
    t = s.time_s
    for tr in truth.turns:
        m = (t >= tr["start"] - 0.6) & (t <= tr["end"] + 0.6)
        ang = math.degrees(np.sum(s.gyr[m, 1]) / FS)  # periodic trunk yaw mostly cancels
        assert ang == pytest.approx(tr["angle_deg"], abs=12.0)


def test_all_placements_and_optional_gyro() -> None:
    rec, truth = simulate(20, placements=SIM_PLACEMENTS, seed=12,
                          with_gyro={"left_pocket": False, "pocket": False})
    assert rec.placements == list(SIM_PLACEMENTS)
    for s in rec.streams:
        assert s.acc.shape == (2000, 3)
        assert np.all(np.isfinite(s.acc))
        assert (s.gyr is None) == (s.placement in ("left_pocket", "pocket"))
        axis = 2 if s.placement.endswith("foot") else 1
        assert np.median(s.acc[:100, axis]) == pytest.approx(G, abs=0.2)  # documented mount
    # shank gyroscope: mid-swing peaks (Salarian 2004) of the usual size
    g = rec.stream("left_shank").gyr[:, 0]
    assert 4.0 < g.max() < 10.0
    assert truth.head["sensors"]["left_foot"]["gravity_axis_at_rest_nominal"] == "+z"


def test_file_roundtrip_through_load_path(tmp_path) -> None:
    kw = dict(duration_s=30, placements=("lower_back", "left_foot", "right_foot"), seed=13,
              clock_drift_ppm=200.0, turns=[(12, 90)], stance_asym_pct=5.0)
    rec, truth = simulate(**kw)
    manifest, tpath = simulate_to_file(tmp_path / "walk", **kw)
    assert manifest.name == "walk.gait.json" and tpath == truth_path(manifest)
    assert tpath.name == "walk.truth.json"
    back = load_path(manifest)
    assert back.placements == rec.placements
    for a, b in zip(rec.streams, back.streams, strict=True):
        assert b.sample_rate_hz == pytest.approx(FS)
        assert b.n_samples == a.n_samples and not b.gaps
        np.testing.assert_allclose(b.acc, a.acc, atol=1e-5)
        np.testing.assert_allclose(b.gyr, a.gyr, atol=1e-6)
    assert back.meta["simulation"]["stance_asym_pct"] == 5.0
    assert json.loads(tpath.read_text()) == json.loads(json.dumps(truth.to_json()))
    # also readable from one of its CSVs
    assert load_path(tmp_path / "walk.left_foot.csv").placements == rec.placements


def test_streamed_equals_in_memory(tmp_path) -> None:
    kw = dict(duration_s=80, placements=("lower_back", "right_foot"), seed=14,
              pauses=[(30, 4)], turns=[(50, 180)])
    rec, truth = simulate(**kw)
    manifest, tpath = simulate_to_file(tmp_path / "s", chunk_s=3.7, **kw)
    back = load_path(manifest)
    for a, b in zip(rec.streams, back.streams, strict=True):
        np.testing.assert_allclose(b.acc, a.acc, atol=1e-5)
        np.testing.assert_allclose(b.gyr, a.gyr, atol=1e-6)
    assert json.loads(tpath.read_text()) == json.loads(json.dumps(truth.to_json()))
    # causal: a short in-memory walk is the start of a long streamed one
    short, short_truth = simulate(**{**kw, "duration_s": 40, "turns": []})
    long_, long_truth = simulate(**{**kw, "duration_s": 80, "turns": []})
    n = int(36 * FS)
    for a, b in zip(short.streams, long_.streams, strict=True):
        np.testing.assert_array_equal(a.acc[:n], b.acc[:n])
    ics_s = short_truth.ic_times()
    assert np.array_equal(ics_s[ics_s < 36], long_truth.ic_times()[: np.sum(ics_s < 36)])


def test_seed_reproducible() -> None:
    a, ta = simulate(15, placements=("lower_back", "left_shank"), seed=15, orientation="random")
    b, tb = simulate(15, placements=("lower_back", "left_shank"), seed=15, orientation="random")
    c, _ = simulate(15, placements=("lower_back", "left_shank"), seed=16, orientation="random")
    for x, y, z in zip(a.streams, b.streams, c.streams, strict=True):
        np.testing.assert_array_equal(x.acc, y.acc)
        np.testing.assert_array_equal(x.gyr, y.gyr)
        assert not np.allclose(x.acc, z.acc)
    assert ta.to_json() == tb.to_json()


def test_truth_schema() -> None:
    _, truth = simulate(45, seed=17, pauses=[(20, 4)])
    doc = json.loads(json.dumps(truth.to_json()))
    for key in ("schema_version", "params", "walking_bouts", "initial_contacts",
                "final_contacts", "stance_times_s", "step_times_s", "swing_times_s",
                "stride_times_s", "summary", "standing", "turns", "sensors"):
        assert key in doc
    assert doc["schema_version"] == 1
    ic = [e["t"] for e in doc["initial_contacts"]]
    assert ic == sorted(ic)
    assert {e["side"] for e in doc["initial_contacts"]} == {"L", "R"}
    for b in doc["walking_bouts"]:
        sides = [e["side"] for e in doc["initial_contacts"] if b["start"] <= e["t"] <= b["end"]]
        assert len(sides) == b["n_initial_contacts"]
        assert all(x != y for x, y in pairwise(sides))  # alternate
        assert b["kind"] == "walk"
    for k in ("stance_symmetry_index_pct", "step_symmetry_index_pct", "mean_stance_s"):
        assert k in doc["summary"]
    assert doc["step_count"] == len(ic)


def test_only_standing_and_bad_parameters() -> None:
    rec, truth = simulate(3, seed=18)
    assert truth.initial_contacts == [] and truth.walking_bouts == []
    assert truth.summary["stance_symmetry_index_pct"] is None
    assert np.median(np.linalg.norm(rec.streams[0].acc, axis=1)) == pytest.approx(G, abs=0.1)
    bad = [dict(gait="hop"), dict(placements=("nose",)), dict(fs=0), dict(duration_s=-1),
           dict(stance_asym_pct=60), dict(cadence_spm=400), dict(orientation="sideways"),
           dict(pauses=[(10, 2), (11, 2)]), dict(gait="run", stance_asym_pct=95),
           dict(clock_drift_ppm={"lower_back": 5.0})]
    for kw in bad:
        with pytest.raises(ValueError):
            simulate(**{"duration_s": 20, **kw})


def test_impact_transient_goes_through_the_sensors_anti_aliasing_filter() -> None:
    from gait.simulate.forces import transient_shape as _transient_shape

    # far above the transient's frequency the filter leaves its unit peak and its timing alone
    t0, dx, y = _transient_shape(30.0, 0.012, 2000.0)
    assert abs(y.max() - 1.0) < 0.01 and abs(t0 + dx * np.argmax(y) - 0.0061) < 0.0005
    # a 30 Hz ring sampled at 50 Hz is mostly filtered away, as by a real sensor
    assert _transient_shape(30.0, 0.012, 50.0)[2].max() < 0.5
    # the recorded transient is band-limited, so its peak between the samples no longer
    # depends on where they fall: shift the walk by fractions of a sample and the foot's
    # interpolated peak upward acceleration at the ICs stays put (unfiltered: +-7 %)
    from gait.metrics.impact import _true_peak

    peaks = []
    for shift in (0.0, 0.25, 0.5, 0.75):
        rec, truth = simulate(12, placements=("left_foot",), fs=100.0, seed=2, noise=(0.0, 0.0),
                              bias=(0.0, 0.0), stand_s=2.0 + shift / 100.0)
        az = rec.streams[0].acc[:, 2]
        idx = np.round((truth.ic_times("L") + 0.006) * 100).astype(int)[1:-1]
        idx += np.array([np.argmax(az[i - 1:i + 2]) for i in idx]) - 1
        peaks.append(_true_peak(az, idx).mean())
    assert np.ptp(peaks) < 0.03 * peaks[0]


def test_truth_has_each_steps_impact_amplitude() -> None:
    _, truth = simulate(40, seed=4, impact_asym_pct=12.0)
    amp = {s: np.mean([e["impact_ms2"] for e in truth.initial_contacts if e["side"] == s])
           for s in "LR"}
    si = 200 * (amp["L"] - amp["R"]) / (amp["L"] + amp["R"])
    assert abs(si - truth.summary["impact_symmetry_index_pct"]) < 0.01
    assert 5 < si < 20
