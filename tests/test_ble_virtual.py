"""End to end without hardware: the real recorder on bleak, over bumble, against virtual sensors."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("bumble", reason="virtual sensors need bumble (pip install 'gait[virtual]')")

from gait.ble.assemble import finalise
from gait.ble.journal import read_journal
from gait.ble.recorder import Recorder, Target
from gait.ble.sim import Faults, VirtualClock, VirtualRadio, models_from_simulation
from gait.cli import main

SPEED = 10.0  # virtual seconds per real second


def _idx(pairs: list[tuple[int, int]]) -> np.ndarray:
    if not pairs:
        return np.zeros(0, np.int64)
    return np.concatenate([np.arange(k, k + n) for k, n in pairs])


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """2 sensors x 200 Hz x 30 s, 5 % packet loss, one forced disconnect, +-50 ppm crystals."""
    tmp = tmp_path_factory.mktemp("virtual")
    journal = tmp / "walk.gait.journal"
    models = models_from_simulation(("left_foot", "right_foot"), duration_s=45.0, rate_hz=200,
                                    stance_asym_pct=8.0, clock_ppm=(50.0, -50.0),
                                    odr_ppm=(150.0, -80.0), seed=11)

    async def run() -> tuple[list, list]:
        radio = VirtualRadio(VirtualClock(SPEED))
        await radio.start()
        sensors = [await radio.add_sensor(m, Faults(loss=0.05, seed=i,
                                                    disconnect_at_s=(12.0,) if i == 0 else ()))
                   for i, m in enumerate(models)]
        sc, cl = radio.backends()
        rec = Recorder([Target(m.placement, s.address) for m, s in zip(models, sensors,
                                                                        strict=True)],
                       journal, backend_scanner=sc, backend_client=cl,
                       clock=radio.clock.now_ns)
        states = await rec.run(30.0)
        await radio.close()
        return sensors, states

    sensors, states = asyncio.run(run())
    res = finalise(journal, tmp / "walk")
    return {"tmp": tmp, "journal": journal, "models": models, "sensors": sensors,
            "states": states, "res": res}


def test_every_delivered_sample_recorded_every_lost_one_in_a_gap(recorded: dict) -> None:
    res, j = recorded["res"], read_journal(recorded["journal"])
    assert j.end is not None and j.torn_tail_bytes == 0
    for m, vs, st in zip(recorded["models"], recorded["sensors"], recorded["states"],
                         strict=True):
        s = next(x for x in res.sensors if x.placement == m.placement)
        stats = s.stats
        # what reached the host: the journal's packets of this sensor
        sid = next(d["sid"] for d in j.sensors if d["placement"] == m.placement)
        starts, _, _ = j.packets(sid)
        got = np.concatenate([np.arange(int.from_bytes(j.buf[a + 4:a + 8], "little"),
                                        int.from_bytes(j.buf[a + 4:a + 8], "little")
                                        + j.buf[a + 12])
                              for a in starts.tolist()])
        rows = got - s.k0
        raw = m.samples(0, int(got.max()) + 1)
        np.testing.assert_allclose(s.acc[rows], raw[got, :3] / m.acc_lsb_per_g * 9.80665,
                                   rtol=1e-6)
        np.testing.assert_allclose(s.gyr[rows],
                                   np.deg2rad(raw[got, 3:] / m.gyro_lsb_per_dps), rtol=1e-6)
        missing = np.flatnonzero(np.isnan(s.acc[:, 0]))
        assert len(missing) == stats["samples_lost"] == sum(g["n_samples"] for g in s.gaps)
        assert len(got) + len(missing) == len(s.acc) == stats["samples"] + stats["samples_lost"]
        # the sensor's own log: injected losses and disconnect skips are NaN
        lost = np.concatenate([_idx(vs.log.dropped), _idx(vs.log.skipped)])
        lost = lost[(lost >= s.k0) & (lost < s.k0 + len(s.acc))]
        assert np.isnan(s.acc[lost - s.k0, 0]).all()
        sent = _idx(vs.log.sent)
        assert len(np.setdiff1d(sent, got)) <= 4 * m.samples_per_packet  # in flight at a drop
        assert stats["malformed"] == {}
        assert 3.0 < stats["lost_pct"] < (20.0 if vs.log.disconnects else 9.0)
        # the live status line counted the same losses (up to the final packets)
        assert abs(st.lost - stats["samples_lost"]) <= 2 * m.samples_per_packet
    left = next(x for x in res.sensors if x.placement == "left_foot")
    assert recorded["sensors"][0].log.disconnects == 1
    assert left.stats["gaps_disconnect"] == 1
    assert recorded["states"][0].reconnects == 1
    assert any(g["cause"] == "disconnect" and g["n_samples"] > 150 for g in left.gaps)


def test_report_finds_the_simulated_asymmetry(recorded: dict,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["report", str(recorded["res"].manifest), "--json", "-"])
    assert e.value.code == 0
    doc = json.loads(capsys.readouterr().out)
    si = doc["symmetry"]["stance_s"]["si_pct"]
    truth = _recorded_stance_si(recorded)
    assert abs(si - truth) < 1.5, (si, truth)
    assert abs(si - 8.0) < 2.0


def _recorded_stance_si(recorded: dict) -> float:
    """Stance SI of the simulated stances that the recording holds whole (the recorder starts
    late and loses a reconnect's worth of steps; which ones depends on the host's timing)."""
    truth = recorded["models"][0].truth
    means = {}
    for side, placement in (("L", "left_foot"), ("R", "right_foot")):
        s = next(x for x in recorded["res"].sensors if x.placement == placement)
        m0 = next(m.m0 for m in recorded["models"] if m.placement == placement)
        ok = np.isfinite(s.acc).all(axis=1)
        rate = recorded["models"][0].odr_hz  # the simulation's sample rate
        ics = truth.ic_times(side)
        fcs = truth.fc_times(side)
        stances = []
        for ic in ics:
            later = fcs[fcs > ic]
            if not len(later):
                continue
            a, b = round(ic * rate) - m0 - s.k0, round(later[0] * rate) - m0 - s.k0
            if 0 <= a < b < len(ok) and ok[a:b + 1].all():
                stances.append(later[0] - ic)
        means[side] = float(np.mean(stances))
    return 200 * (means["L"] - means["R"]) / (means["L"] + means["R"])


def test_recover_cli_on_a_torn_copy(recorded: dict, capsys: pytest.CaptureFixture[str]) -> None:
    tmp = recorded["tmp"]
    torn = tmp / "torn.gait.journal"
    data = recorded["journal"].read_bytes()
    torn.write_bytes(data[: int(len(data) * 0.6)] + b"\xa5\x5a\x40\x00junk")
    with pytest.raises(SystemExit) as e:
        main(["recover", str(torn)])
    assert e.value.code == 0
    out = capsys.readouterr().out
    # the cut record is "torn"; where the cut record plus the junk fill exactly the length
    # its header declares (13 of 3000 cut positions around 60 %), it is a whole record with a
    # bad CRC: "damaged". Either way the final record is dropped and said so
    assert ("torn final record dropped" in out or "damaged final record dropped" in out), out
    assert "did not stop cleanly" in out
    assert (tmp / "torn.gait.json").is_file()


def test_cli_record_virtual_and_scan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["scan", "--virtual", "--json"])
    assert e.value.code == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["profile"] for r in rows] == ["gait-imu", "gait-imu"]
    assert {r["name"][:10] for r in rows} == {"GaitIMU-L-", "GaitIMU-R-"}
    out = tmp_path / "walk"
    with pytest.raises(SystemExit) as e:
        main(["record", "--virtual", "--sensor", "lower_back", "--duration", "6",
              "--sim-speed", "10", "--sim-loss", "3", "--quiet", str(out)])
    assert e.value.code == 0
    cap = capsys.readouterr()
    assert cap.err == ""  # --quiet: nothing live
    text = cap.out
    assert "lower_back:" in text and (tmp_path / "walk.gait.json").is_file()
    assert (tmp_path / "walk.gait.journal").is_file()
    doc = json.loads((tmp_path / "walk.gait.json").read_text())
    assert doc["streams"][0]["placement"] == "lower_back"
    assert doc["meta"]["ble"]["journal"]["virtual"] is True
    # the same OUT again: refused, one line, exit 2
    with pytest.raises(SystemExit) as e:
        main(["record", "--virtual", "--duration", "1", str(out)])
    assert e.value.code == 2
    assert "journal already exists" in capsys.readouterr().err


def test_cli_bad_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for args, msg in ((["record", "--sensor", "left_foot", str(tmp_path / "a")], "no address"),
                      (["record", str(tmp_path / "b")], "no sensor given"),
                      (["record", "--sensor", "elbow=AA", str(tmp_path / "c")],
                       "unknown placement"),
                      (["recover", str(tmp_path / "none.gait.journal")], "no such file")):
        with pytest.raises(SystemExit) as e:
            main(args)
        assert e.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and msg in err and err.count("\n") == 1
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_record_mount_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """gait record --mount writes the mount into the manifest (and keeps it in the journal,
    for gait recover); gait report uses it as if given with --mount and says so; a
    command-line --mount overrides it with a note; a bad --mount at record time exits 2."""
    out = tmp_path / "belt"
    with pytest.raises(SystemExit) as e:
        main(["record", "--virtual", "--sensor", "lower_back", "--duration", "30",
              "--sim-speed", "10", "--quiet", "--mount", "lower_back=lid-out,top-up", str(out)])
    assert e.value.code == 0, capsys.readouterr().err
    manifest = tmp_path / "belt.gait.json"
    doc = json.loads(manifest.read_text())
    assert doc["streams"][0]["mount"] == "lid-out,top-up"
    capsys.readouterr()
    with pytest.raises(SystemExit) as e:
        main(["report", str(manifest), "--no-history", "-q", "--json", "-"])
    assert e.value.code == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["quality"]["side_source"] == "mount" and rep["quality"]["side_confidence"] > 0.9
    assert any("lower_back=lid-out,top-up, from the recording's manifest" in n
               for n in rep["quality"]["notes"])
    with pytest.raises(SystemExit) as e:
        main(["report", str(manifest), "--no-history", "-q", "--json", "-",
              "--mount", "lower_back=x-right,y-up"])
    cap = capsys.readouterr()
    assert e.value.code == 0
    assert "--mount x-right,y-up overrides the recording's mount lid-out,top-up" in cap.err
    rep = json.loads(cap.out)
    assert any("given on the command line, overriding the recording's lid-out,top-up" in n
               for n in rep["quality"]["notes"])
    for bad, msg in (("lower_back=lid-sideways,top-up", "accepted"),
                     ("left_foot=lid-out,top-up", "lower_back only")):
        with pytest.raises(SystemExit) as e:
            main(["record", "--virtual", "--sensor", "lower_back", "--duration", "1",
                  "--mount", bad, str(tmp_path / "x")])
        err = capsys.readouterr().err
        assert e.value.code == 2 and err.count("\n") == 1 and msg in err
    assert not (tmp_path / "x.gait.journal").exists()


def test_no_bluetooth_stack_is_exit_2_pointing_to_the_virtual_radio() -> None:
    """Without BlueZ (the D-Bus socket missing) `gait scan` exits 2 with one line that names
    `gait scan --virtual`; `gait record` names `gait record --virtual`."""
    from gait.ble.commands import NoBluetooth, _run_ble

    async def no_stack() -> None:
        raise FileNotFoundError(2, "No such file or directory")

    with pytest.raises(NoBluetooth) as exc:
        _run_ble(no_stack(), "gait scan --virtual")
    assert exc.value.exit_code == 2
    msg = exc.value.format_message()
    assert "\n" not in msg and "gait scan --virtual" in msg
    with pytest.raises(NoBluetooth) as exc:
        _run_ble(no_stack())
    assert "gait record --virtual" in exc.value.format_message()
