"""A journal to the project's recording format (``NAME.gait.json`` + one CSV per sensor).

Used when a recording stops (``gait record``) and after a crash (``gait recover``): the two are
the same code, so a recovered recording equals what a clean stop would have written up to the
last flushed record. Per sensor:

1. decode every packet (:mod:`gait.ble.decode`); malformed ones are counted by reason;
2. unwrap ``first_sample_index`` and ``t_first``, order by index, drop duplicates;
3. fit the sample clock and the device-to-host map (:mod:`gait.ble.timebase`);
4. put every sample at its index on the stream's uniform grid; indices no packet delivered
   stay NaN and are listed as gaps, each with its cause (``disconnect`` when the host was not
   connected then, else ``loss``). Nothing is interpolated, so every delivered sample is in the
   recording unchanged (to the CSV's rounding).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from gait.ble.decode import decode_gait, decode_polar, sample_ranges
from gait.ble.journal import (
    CHAR_BATTERY,
    CHAR_CONTROL,
    CHAR_DATA,
    CHAR_STATUS,
    Journal,
    read_journal,
)
from gait.ble.spec import gait_profile, polar_profile
from gait.ble.timebase import (
    HostMap,
    SampleClock,
    anchor_host_map,
    fit_host_map,
    fit_sample_clock,
    unwrap,
)
from gait.errors import GaitInputError
from gait.io.gaitcsv import RecordingWriter, StreamSpec, manifest_path
from gait.recording import PLACEMENTS

CHUNK = 1 << 17


@dataclass
class SensorResult:
    """One sensor's samples on its grid and the facts about how they got there."""

    sid: int
    placement: str
    k0: int
    acc: np.ndarray  # n x 3 m/s^2, NaN where missing
    gyr: np.ndarray | None
    host_start_s: float  # host time of sample k0 (s from the journal origin)
    rate_hz: float  # on the host clock
    gaps: list[dict[str, Any]]
    stats: dict[str, Any]
    dev_clock: SampleClock | None = None  # device seconds of each index (truth checks)


@dataclass
class Finalised:
    manifest: Path | None
    sensors: list[SensorResult]
    journal: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {"manifest": str(self.manifest) if self.manifest else None,
                "journal": self.journal,
                "sensors": {s.placement: s.stats for s in self.sensors},
                "warnings": self.warnings}


def _disconnected_spans(events: list[dict[str, Any]], sid: int, origin_ns: int
                        ) -> list[tuple[float, float]]:
    """Host-time spans (s) in which ``sid`` was not connected, from the journal's events."""
    spans, down = [], None
    for e in sorted((e for e in events if e.get("sid") == sid), key=lambda e: e.get("host_ns", 0)):
        t = (int(e.get("host_ns", 0)) - origin_ns) / 1e9
        if e.get("event") == "disconnected" and down is None:
            down = t
        elif e.get("event") == "connected" and down is not None:
            spans.append((down, t))
            down = None
    if down is not None:
        spans.append((down, math.inf))
    return spans


def _connection(events: list[dict[str, Any]], sid: int, origin_ns: int, host_s: np.ndarray
                ) -> np.ndarray:
    """Which connection (0, 1, ...) each packet arrived over: a new one after every
    ``disconnected`` event of the journal."""
    t = np.sort([(int(e.get("host_ns", 0)) - origin_ns) / 1e9 for e in events
                 if e.get("sid") == sid and e.get("event") == "disconnected"])
    return np.searchsorted(t, host_s, side="right")


def _gaps(missing: np.ndarray, host_t: np.ndarray, spans: list[tuple[float, float]],
          start_s: float, rate: float) -> list[dict[str, Any]]:
    """Runs of missing samples with their cause; ``host_t`` is each grid point's host time."""
    if not missing.any():
        return []
    m = np.concatenate([[False], missing, [False]]).astype(np.int8)
    d = np.diff(m)
    s, e = np.flatnonzero(d == 1), np.flatnonzero(d == -1)
    out = []
    for a, b in zip(s, e, strict=True):
        t0, t1 = float(host_t[a]), float(host_t[b - 1])
        cause = "disconnect" if any(lo <= t1 and t0 <= hi for lo, hi in spans) else "loss"
        out.append({"start_s": round(start_s + a / rate, 6),
                    "end_s": round(start_s + (b - 1) / rate, 6),
                    "n_samples": int(b - a), "first_index": int(a), "cause": cause})
    return out


def _sensor_docs(j: Journal, sid: int) -> list[dict[str, Any]]:
    return [s for s in j.sensors if s.get("sid") == sid]


def _last_status(j: Journal, sid: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    p = gait_profile()
    for char in (CHAR_STATUS, CHAR_BATTERY):
        st, ln, _ = j.packets(sid, char)
        if len(st) == 0:
            continue
        b = j.buf[int(st[-1]):int(st[-1] + ln[-1])]
        if char == CHAR_BATTERY and len(b) >= 1:
            out["battery_pct"] = b[0]
        elif char == CHAR_STATUS and len(b) >= p.status.size:
            out.update(p.status.unpack(b))
    return out


def _place(k_first: np.ndarray, n: np.ndarray, rows_src: np.ndarray, values: list[np.ndarray],
           kmin: int, n_grid: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Scatter per-sample values to grid rows; returns the grids and the 'have' mask."""
    rows = sample_ranges(k_first - kmin, n)
    have = np.zeros(n_grid, dtype=bool)
    have[rows] = True
    grids = []
    for v in values:
        g = np.full((n_grid, v.shape[1]), np.nan)
        g[rows] = v[rows_src]
        grids.append(g)
    return grids, have


def _assemble_gait(j: Journal, sid: int, doc: dict[str, Any], origin_ns: int) -> SensorResult:
    p = gait_profile()
    starts, lengths, host = j.packets(sid)
    pk = decode_gait(j.buf, starts, lengths, host, p)
    bad = Counter(pk.malformed)
    # scale tables by config id (latest SENSOR record of each id wins)
    acc_lsb = np.full(256, np.nan)
    gyr_lsb = np.full(256, np.nan)
    odr = {}
    tick_hz = float(doc.get("device_info", {}).get("tick_hz") or 32768)
    for d in _sensor_docs(j, sid):
        c = d.get("config") or {}
        if "config_id" in c:
            cid = int(c["config_id"]) & 0xFF
            acc_lsb[cid] = float(c.get("acc_lsb_per_g") or np.nan)
            gyr_lsb[cid] = float(c.get("gyro_lsb_per_dps") or np.nan)
            odr[cid] = float(c.get("odr_hz") or 0) or None
        tick_hz = float(d.get("device_info", {}).get("tick_hz") or tick_hz)
    known = np.isfinite(acc_lsb[pk.config_id])
    if (~known).any():
        bad["config"] += int((~known).sum())
        pk = pk.take(known)
    # unwrap counters in arrival order, then order by sample index
    k = unwrap(pk.first_index, int(p.raw["data"]["index_bits"]))
    tt = unwrap(pk.t_first, int(p.raw["data"]["tick_bits"])).astype(np.float64) / tick_hz
    order = np.lexsort((pk.host_ns, k))
    k, tt = k[order], tt[order]
    dup = np.concatenate([[False], k[1:] == k[:-1]]) if len(k) else np.zeros(0, bool)
    n_dup = int(dup.sum())
    sel = order[~dup]
    k, tt = k[~dup], tt[~dup]
    pk = pk.take(sel)
    nominal = next(iter(v for v in odr.values() if v), None)
    clock, inl = fit_sample_clock(k, tt, nominal)
    n_inc = int((~inl).sum())
    if n_inc:
        bad["inconsistent"] += n_inc
        pk, k, tt = pk.take(inl), k[inl], tt[inl]
    if pk.n_packets == 0:
        raise GaitInputError(j.path, f"sensor {doc.get('placement')}: no valid data packets",
                             expected="at least one packet")
    n = pk.n.astype(np.int64)
    t_last = clock(k + n - 1)
    host_s = (pk.host_ns - origin_ns) / 1e9
    hmap = fit_host_map(t_last, host_s, segment=_connection(j.events, sid, origin_ns, host_s))
    ping_dev, ping_send, ping_recv = _pings(j, sid, origin_ns, tick_hz,
                                            int(p.raw["data"]["tick_bits"]), hmap)
    hmap, anchor = anchor_host_map(hmap, t_last, host_s, ping_dev, ping_send, ping_recv)
    kmin, kmax = int(k.min()), int((k + n - 1).max())
    n_grid = kmax - kmin + 1
    beta = hmap.b * clock.d  # host seconds per sample
    h0 = float(hmap(clock(kmin)))
    cid = np.repeat(pk.config_id, n)
    g = p.g
    acc_v = pk.raw[:, :3].astype(np.float64) / acc_lsb[cid][:, None] * g
    has_gyr = bool(pk.has_gyr.any())
    vals = [acc_v]
    if has_gyr:
        gmask = np.repeat(pk.has_gyr, n)
        gy = pk.raw[:, 3:].astype(np.float64) / gyr_lsb[cid][:, None] * (np.pi / 180.0)
        gy[~gmask] = np.nan
        vals.append(gy)
    grids, have = _place(k, n, np.arange(pk.n_samples), vals, kmin, n_grid)
    missing = ~have
    host_t = h0 + beta * np.arange(n_grid)
    spans = _disconnected_spans(j.events, sid, origin_ns)
    rate = 1.0 / beta
    gaps = _gaps(missing, host_t, spans, 0.0, rate)
    ovf_bit = p.flags[2]
    stats = {
        "address": doc.get("address"), "name": doc.get("name"), "profile": "gait-imu",
        "packets": pk.n_packets, "samples": int(have.sum()), "samples_lost": int(missing.sum()),
        "lost_pct": round(100.0 * float(missing.mean()), 3) if n_grid else 0.0,
        "gaps": len(gaps),
        "gaps_disconnect": sum(1 for x in gaps if x["cause"] == "disconnect"),
        "first_sample_index": kmin, "last_sample_index": kmax,
        "malformed": dict(bad), "duplicates": n_dup,
        "fifo_overflow_packets": int(((pk.flags & ovf_bit) != 0).sum()),
        "rate_device_hz": round(clock.rate_hz, 6), "rate_host_hz": round(rate, 6),
        "nominal_rate_hz": nominal, "drift_ppm": round(hmap.drift_ppm, 3),
        "clock_residual_ms": round(clock.residual_ms, 4),
        "latency_median_ms": round(hmap.latency_median_ms, 3),
        "latency_p99_ms": round(hmap.latency_p99_ms, 3),
        "time_pings": anchor.n_pings if anchor else 0,
        "offset_uncertainty_ms": round(anchor.uncertainty_ms, 3) if anchor else None,
        "ping_shift_ms": round(anchor.shift_ms, 3) if anchor else None,
        **_last_status(j, sid),
    }
    return SensorResult(sid, doc["placement"], kmin, grids[0], grids[1] if has_gyr else None,
                        h0, rate, gaps, stats, clock)


def _pings(j: Journal, sid: int, origin_ns: int, tick_hz: float, tick_bits: int,
           hmap: HostMap) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The sensor's TIME_PING responses: device time of its tick (s, unwrapped next to the
    host map's prediction), host send and receive times (s from the journal origin)."""
    p = gait_profile()
    st, ln, host = j.packets(sid, CHAR_CONTROL)
    size = 3 + p.time_ping.size
    if len(st) == 0:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    ok = ln >= size
    st, host = st[ok], host[ok]
    rows = np.frombuffer(j.buf, np.uint8)[st[:, None] + np.arange(size)] if len(st) else (
        np.zeros((0, size), np.uint8))
    ok = ((rows[:, 0] == p.response_code) & (rows[:, 1] == p.opcodes["TIME_PING"])
          & (rows[:, 2] == p.status_codes["SUCCESS"]))
    rows, host = rows[ok], host[ok]
    send_us = rows[:, 3:11].copy().view("<u8").ravel().astype(np.int64)
    raw = rows[:, 11:15].copy().view("<u4").ravel().astype(np.float64)
    recv = (host - origin_ns) / 1e9
    send = (send_us * 1000 - origin_ns) / 1e9
    wrap = float(1 << tick_bits)
    pred = (hmap.t_ref + (recv - hmap.a) / hmap.b) * tick_hz
    dev = (raw + wrap * np.round((pred - raw) / wrap)) / tick_hz
    return dev, send, recv


def _assemble_polar(j: Journal, sid: int, doc: dict[str, Any], origin_ns: int) -> SensorResult:
    """Polar PMD frames (no sample index): loss from the frame timestamps."""
    pp = polar_profile()
    starts, lengths, host = j.packets(sid)
    pkts = [j.buf[int(s):int(s + n)] for s, n in zip(starts, lengths, strict=True)]
    settings = doc.get("settings") or {}
    factors = {m: float(v.get("FACTOR", 1.0)) for m, v in settings.items()}
    fr = decode_polar(pkts, host, factors, int(settings.get("ACC", {}).get("RESOLUTION", 16)), pp)
    bad = Counter(fr.malformed)
    per: dict[str, dict[str, Any]] = {}
    for meas in ("ACC", "GYRO"):
        fs_nom = float(settings.get(meas, {}).get("SAMPLE_RATE", 52))
        frames = sorted((f for f in fr.frames if f.measurement == meas),
                        key=lambda f: f.timestamp_ns)
        if not frames:
            continue
        ts = np.array([f.timestamp_ns for f in frames], dtype=np.int64)
        keep = np.concatenate([[True], np.diff(ts) > 0])
        bad["duplicate"] += int((~keep).sum())
        frames = [f for f, kp in zip(frames, keep, strict=True) if kp]
        ts = ts[keep]
        n = np.array([len(f.samples) for f in frames], dtype=np.int64)
        expected = np.round(np.diff(ts) / 1e9 * fs_nom).astype(np.int64)
        missing = np.concatenate([[0], np.clip(expected - n[1:], 0, None)])
        k_first = np.cumsum(np.concatenate([[0], n[:-1]])) + np.cumsum(missing)
        t_first = ts / 1e9 - (n - 1) / fs_nom
        clock, _ = fit_sample_clock(k_first, t_first, fs_nom)
        per[meas] = dict(frames=frames, n=n, k=k_first, clock=clock,
                         host=np.array([f.host_ns for f in frames], np.int64),
                         vals=np.concatenate([f.samples for f in frames]))
    if "ACC" not in per:
        raise GaitInputError(j.path, f"sensor {doc.get('placement')}: no accelerometer frames",
                             expected="Polar PMD ACC frames")
    a = per["ACC"]
    n, k, clock = a["n"], a["k"], a["clock"]
    t_last = clock(k + n - 1)
    hmap = fit_host_map(t_last, (a["host"] - origin_ns) / 1e9)
    kmin, kmax = int(k.min()), int((k + n - 1).max())
    n_grid = kmax - kmin + 1
    beta = hmap.b * clock.d
    h0 = float(hmap(clock(kmin)))
    acc_v = a["vals"] * (9.80665 / 1000.0)
    grids, have = _place(k, n, np.arange(len(acc_v)), [acc_v], kmin, n_grid)
    gyr = None
    if "GYRO" in per:
        gg = per["GYRO"]
        gt = gg["clock"](sample_ranges(gg["k"], gg["n"]))  # device time of each gyro sample
        at = clock(kmin + np.arange(n_grid))
        gv = np.deg2rad(gg["vals"])
        gyr = np.column_stack([np.interp(at, gt, gv[:, c]) for c in range(3)])
        half = 0.5 * gg["clock"].d
        gyr[~have | (at < gt[0] - half) | (at > gt[-1] + half)] = np.nan
        # no gyro across its own gaps: nearest gyro sample further than one period
        j_ = np.clip(np.searchsorted(gt, at), 1, len(gt) - 1)
        near = np.minimum(np.abs(at - gt[j_ - 1]), np.abs(gt[j_] - at))
        gyr[near > 2 * half] = np.nan
    missing = ~have
    rate = 1.0 / beta
    host_t = h0 + beta * np.arange(n_grid)
    gaps = _gaps(missing, host_t, _disconnected_spans(j.events, sid, origin_ns), 0.0, rate)
    stats = {
        "address": doc.get("address"), "name": doc.get("name"), "profile": "polar-pmd",
        "packets": len(a["frames"]), "samples": int(have.sum()),
        "samples_lost": int(missing.sum()),
        "lost_pct": round(100.0 * float(missing.mean()), 3), "gaps": len(gaps),
        "malformed": dict(bad), "rate_device_hz": round(clock.rate_hz, 6),
        "rate_host_hz": round(rate, 6), "drift_ppm": round(hmap.drift_ppm, 3),
        "latency_median_ms": round(hmap.latency_median_ms, 3),
        **_last_status(j, sid),
    }
    return SensorResult(sid, doc["placement"], kmin, grids[0], gyr, h0, rate, gaps, stats)


def assemble(j: Journal) -> list[SensorResult]:
    """Every sensor of a parsed journal on its grid."""
    origin_ns = int(j.meta.get("origin_ns", 0))
    first: dict[int, dict[str, Any]] = {}
    for d in j.sensors:
        if isinstance(d.get("sid"), int) and d.get("placement") in PLACEMENTS:
            first.setdefault(d["sid"], d)
    out = []
    for sid, doc in sorted(first.items()):
        if not ((j.sid == sid) & (j.char == CHAR_DATA)).any():  # no samples (noted)
            continue
        fn = _assemble_polar if doc.get("profile") == "polar-pmd" else _assemble_gait
        out.append(fn(j, sid, doc, origin_ns))
    return out


#: between-sensor alignment uncertainty (ms, 95 %) above which the report leaves out the
#: parameters that compare the two sensors' clocks (step time, double support, walking
#: asymmetry): an offset d between the feet moves the step SI by 200 d / step time, 3.6 points at
#: 10 ms and 110 steps/min (a third of the 11.8 % mild threshold), double support's by ~20
ALIGNMENT_LIMIT_MS = 10.0


def alignment_summary(sensors: list[SensorResult]) -> dict[str, Any]:
    """``meta.ble.alignment``: the uncertainty of the time between the sensors (95 %, ms).

    Each sensor's offset lies in its TIME_PING enclosure (half-width ``offset_uncertainty_ms``);
    taken as uniform there and independent between sensors, the difference of two has the
    95 % half-width ``1.96 sqrt((h1^2 + h2^2) / 3)`` (the worst case would be ``h1 + h2``).
    None when a sensor had no pings (old journals, Polar PMD): only the packets' envelope, whose
    bias per sensor is unknown.
    """
    h = {s.placement: s.stats.get("offset_uncertainty_ms") for s in sensors}
    known = [v for v in h.values() if v is not None]
    unc = (round(1.96 * float(np.sqrt(np.sum(np.square(known)) / 3.0)), 3)
           if len(known) == len(h) else None)
    return {"uncertainty_ms": unc, "limit_ms": ALIGNMENT_LIMIT_MS,
            "sensor_offset_ms": h,
            "method": "per sensor: sample clock from its ticks, device-to-host map from the "
                      "packets' lower envelope, offset between the TIME_PING bounds"}


def default_output(journal: str | Path) -> Path:
    """``walk.gait.journal`` -> ``walk.gait.json``."""
    p = Path(journal)
    name = p.name.removesuffix(".journal").removesuffix(".gait")
    return manifest_path(p.with_name(name))


def finalise(journal: str | Path, out: str | Path | None = None) -> Finalised:
    """Rebuild the recording from a journal (clean stop or crash); returns what was written."""
    j = read_journal(journal)  # (no header record: noted, the UTC start is unknown)
    sensors = assemble(j)
    if not sensors:
        raise GaitInputError(j.path, "no sensor data in the journal",
                             expected="data packets of at least one sensor")
    origin = min(s.host_start_s for s in sensors)
    origin_utc = j.meta.get("origin_utc")
    start_utc = None
    if origin_utc:
        start_utc = datetime.fromisoformat(origin_utc) + timedelta(seconds=origin)
        if start_utc.tzinfo is None:
            start_utc = start_utc.replace(tzinfo=UTC)
    warnings = list(j.notes)
    if j.end is None:
        warnings.append("the recorder did not stop cleanly: recovered from the journal")
    for s in sensors:
        st = s.stats
        if st["samples_lost"]:
            warnings.append(f"{s.placement}: {st['samples_lost']} samples lost in {st['gaps']} "
                            f"gap(s) ({st['lost_pct']:.2f} %), kept as NaN")
        nbad = sum(st["malformed"].values())
        if nbad:
            kinds = ", ".join(f"{k} {v}" for k, v in sorted(st["malformed"].items()))
            warnings.append(f"{s.placement}: {nbad} malformed packet(s) ignored ({kinds})")
    journal_info = {"path": str(j.path), "records": j.n_records,
                    "torn_tail_bytes": j.torn_tail_bytes, "corrupt_bytes": j.corrupt_bytes,
                    "clean_end": j.end is not None, "virtual": bool(j.meta.get("virtual"))}
    out_path = manifest_path(out) if out is not None else default_output(journal)
    mounts = j.meta.get("mounts") or {}  # gait record --mount: {placement: SPEC}
    specs = [StreamSpec(s.placement, s.rate_hz, s.gyr is not None, "total",
                        str(s.stats.get("name") or s.stats.get("address") or ""),
                        round(s.host_start_s - origin, 9), mounts.get(s.placement))
             for s in sensors]
    devices = ", ".join(str(s.stats.get("name") or s.stats.get("address")) for s in sensors)
    for s in sensors:
        for gp in s.gaps:
            gp["start_s"] = round(gp["start_s"] + s.host_start_s - origin, 6)
            gp["end_s"] = round(gp["end_s"] + s.host_start_s - origin, 6)
    meta = {"ble": {"journal": journal_info,
                    "sensors": {s.placement: {**s.stats, "gap_list": s.gaps} for s in sensors}}}
    if len(sensors) >= 2:
        meta["ble"]["alignment"] = alignment_summary(sensors)
    with RecordingWriter(out_path, specs, source_format="gait-ble", app="gait record",
                         platform=j.meta.get("platform"), device=devices,
                         start_time_utc=start_utc, meta=meta, warnings=warnings) as w:
        for s in sensors:
            for i in range(0, len(s.acc), CHUNK):
                w.write(s.placement, s.acc[i:i + CHUNK],
                        None if s.gyr is None else s.gyr[i:i + CHUNK])
    vt = j.meta.get("virtual_truth")
    if isinstance(vt, dict) and vt.get("truth"):  # a virtual recording: its truth file
        from gait.ble import truth

        truth.apply(out_path.with_name(str(vt["truth"])), sensors, vt,
                    int(j.meta.get("origin_ns", 0)), origin)
    return Finalised(out_path, sensors, journal_info, warnings)
