"""Virtual sensors: bumble peripherals that implement the open profile and stream simulated gait.

* :class:`VirtualClock` is the host clock the recorder and the sensors share; ``speed`` > 1 runs
  the whole virtual world faster than real time (tests record 30 s in a few seconds).
* One virtual world: the sensors are powered on when the radio is made (``world0_ns``); from then
  each IMU samples at ``world0 + m period`` (``m`` its sample number since power-on) and the walk
  is on the same axis, so sample ``m`` of every sensor holds the walk at that true time whenever
  the sensor was started or reconnected. Index ``k`` of the data packets counts from the first
  START (``k = m - m0``) as the profile says. :meth:`VirtualRadio.truth` keeps the truth of the
  clocks (for ``NAME.truth.json``).
* :class:`SensorModel` is the firmware without the radio: the simulator's gait
  (:func:`gait.simulate.simulate`) quantised with the profile's scale factors, a crystal with
  ``clock_ppm`` drift and an IMU whose rate is off by ``odr_ppm``, packets encoded by
  :func:`gait.ble.decode.encode_gait_packet`.
* :class:`VirtualSensor` puts a model on a bumble ``Device``: advertising (128-bit service UUID,
  name in the scan response), the GATT service of ``firmware_specs/gait_imu_profile.toml``,
  control point with indications, and a sender that releases each packet at the first
  connection event after its last sample, with injectable :class:`Faults` (packet loss, extra
  latency, forced disconnects).
* :class:`VirtualRadio` is the ``LocalLink`` with a central for the bleak backend of
  :mod:`gait.ble.bumble_backend` (``radio.backends()``).

Size: the virtual world (its clock, radio and sensors: the firmware model, its GATT server and
faults), whose parts are tested together against the real recorder.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gait.ble.decode import encode_gait_packet
from gait.ble.spec import GaitProfile, gait_profile
from gait.recording import G

logging.getLogger("bumble").setLevel(logging.ERROR)

SIDE_CODE = {"left": 1, "right": 2, "midline": 3}


class VirtualClock:
    """Host clock in ns; ``speed`` virtual seconds pass per real second."""

    def __init__(self, speed: float = 1.0) -> None:
        self.speed = float(speed)
        self._m0 = time.monotonic_ns()

    def now_ns(self) -> int:
        return self._m0 + int((time.monotonic_ns() - self._m0) * self.speed)

    def now_s(self) -> float:
        return self.now_ns() / 1e9

    async def sleep(self, virtual_s: float) -> None:
        await asyncio.sleep(max(0.0, virtual_s) / self.speed)


@dataclass
class Faults:
    """What goes wrong on the virtual link."""

    loss: float = 0.0  # probability that a packet is never sent (firmware queue overflow)
    retx: float = 0.1  # probability per connection event that a packet waits one more event
    conn_interval_s: float = 0.015
    disconnect_at_s: Sequence[float] = ()  # sensor time (s after its first START) of drops
    down_s: float = 1.0  # how long the sensor is unreachable after a drop
    garbage: float = 0.0  # probability that a malformed notification is sent instead
    seed: int = 0


@dataclass
class SensorModel:
    """One sensor's firmware state: samples, clock, packetisation."""

    placement: str
    raw: np.ndarray  # n x 6 int16 (ax ay az gx gy gz)
    odr_hz: float
    acc_lsb_per_g: float
    gyro_lsb_per_dps: float
    acc_range_g: int = 16
    gyro_range_dps: int = 2000
    tick_hz: int = 32768
    tick0: int = 0  # device clock at power-on
    m0: int = 0  # IMU sample number (since power-on) of index 0, set at the first START
    clock_ppm: float = 0.0  # device crystal error
    odr_ppm: float = 0.0  # IMU oscillator error
    samples_per_packet: int = 10
    config_id: int = 1
    side: int = 0
    serial: int = 1
    profile: GaitProfile = field(default_factory=gait_profile)
    truth: Any = None  # the simulator's Truth (tests)

    @property
    def period_s(self) -> float:
        """True sample period (host seconds)."""
        return (1.0 + self.odr_ppm * 1e-6) / self.odr_hz

    def ticks(self, t_s: float | np.ndarray) -> np.ndarray:
        """Device clock at true time ``t_s`` after power-on."""
        return np.floor(self.tick0 + np.asarray(t_s) * self.tick_hz * (1 + self.clock_ppm * 1e-6)
                        ).astype(np.int64)

    def samples(self, k0: int, n: int) -> np.ndarray:
        """Samples of index ``k0`` on (IMU samples ``m0 + k0`` on)."""
        return self.raw[np.arange(self.m0 + k0, self.m0 + k0 + n) % len(self.raw)]

    def packet(self, seq: int, k0: int, n: int, overflow: bool = False) -> bytes:
        t = int(self.ticks((self.m0 + k0) * self.period_s))
        return encode_gait_packet(seq, k0, t, self.samples(k0, n), side=self.side,
                                  overflow=overflow, config_id=self.config_id,
                                  profile=self.profile)

    def config_block(self) -> bytes:
        return self.profile.config.pack(
            config_id=self.config_id, odr_hz=self.odr_hz, acc_range_g=self.acc_range_g,
            gyro_range_dps=self.gyro_range_dps, samples_per_packet=self.samples_per_packet,
            acc_lsb_per_g=self.acc_lsb_per_g, gyro_lsb_per_dps=self.gyro_lsb_per_dps)

    def device_info(self) -> bytes:
        p = self.profile
        return p.device_info.pack(profile_version=p.data_version, fw_major=1, fw_minor=0,
                                  imu=255, tick_hz=self.tick_hz, serial=self.serial,
                                  location=p.location_code(self.placement),
                                  max_rate_hz=1666)


def quantise(acc: np.ndarray, gyr: np.ndarray | None, acc_lsb_per_g: float,
             gyro_lsb_per_dps: float) -> np.ndarray:
    """m/s^2 and rad/s to the int16 raw values a sensor would send (saturating)."""
    a = np.round(acc / G * acc_lsb_per_g)
    g = (np.zeros_like(a) if gyr is None
         else np.round(np.rad2deg(gyr) * gyro_lsb_per_dps))
    return np.clip(np.column_stack([a, g]), -32768, 32767).astype(np.int16)


def models_from_simulation(placements: Sequence[str] = ("left_foot", "right_foot"), *,
                           duration_s: float = 60.0, rate_hz: float = 200.0,
                           stance_asym_pct: float = 8.0, clock_ppm: Sequence[float] = (),
                           odr_ppm: Sequence[float] = (), samples_per_packet: int = 10,
                           tick_hz: int = 32768, seed: int = 1, **sim_kwargs: Any
                           ) -> list[SensorModel]:
    """Sensor models streaming :func:`gait.simulate.simulate` output (one per placement)."""
    from gait.simulate import simulate

    p = gait_profile()
    lsm = p.raw["scale"]["lsm6ds3"]
    acc_lsb = float(lsm["acc_lsb_per_g"]["16"])
    gyr_lsb = float(lsm["gyro_lsb_per_dps"]["2000"])
    odr = list(odr_ppm) + [0.0] * len(placements)
    # the simulator's first stream is its time reference: give the others the relative error
    drift = {pl: odr[0] - odr[i] for i, pl in enumerate(placements)}
    rec, truth = simulate(duration_s=duration_s, placements=tuple(placements), fs=rate_hz,
                      stance_asym_pct=stance_asym_pct, clock_drift_ppm=drift, seed=seed,
                      **sim_kwargs)
    cl = list(clock_ppm) + [0.0] * len(placements)
    out = []
    for i, s in enumerate(rec.streams):
        side = (1 if s.placement.startswith("left") else 2 if s.placement.startswith("right")
                else 3 if s.placement == "lower_back" else 0)
        out.append(SensorModel(s.placement, quantise(s.acc, s.gyr, acc_lsb, gyr_lsb), rate_hz,
                               acc_lsb, gyr_lsb, tick_hz=tick_hz, tick0=(0xFFFF0000 + 977 * i),
                               clock_ppm=cl[i], odr_ppm=odr[i],
                               samples_per_packet=samples_per_packet, config_id=1 + i,
                               side=side, serial=0x1000 + i, truth=truth))
    return out


@dataclass
class SentLog:
    """Ground truth of what a virtual sensor did (for tests)."""

    sent: list[tuple[int, int]] = field(default_factory=list)  # (first index, n) notified
    dropped: list[tuple[int, int]] = field(default_factory=list)  # injected losses
    skipped: list[tuple[int, int]] = field(default_factory=list)  # while disconnected
    garbage: int = 0
    disconnects: int = 0
    starts: int = 0


class VirtualSensor:
    """A bumble peripheral implementing the open profile for one :class:`SensorModel`."""

    def __init__(self, radio: VirtualRadio, model: SensorModel, address: str,
                 faults: Faults | None = None, battery_pct: int = 87) -> None:
        from bumble.controller import Controller
        from bumble.device import Device
        from bumble.gatt import Characteristic, CharacteristicValue, Service
        from bumble.hci import Address
        from bumble.host import Host
        from bumble.transport.common import AsyncPipeSink

        self.radio = radio
        self.model = model
        self.address = address
        self.faults = faults or Faults()
        self.battery_pct = battery_pct
        self.log = SentLog()
        self.rng = np.random.default_rng(self.faults.seed + model.serial)
        p = model.profile
        self.p = p
        u = p.uuids
        ctrl = Controller(address, link=radio.link, public_address=address)
        self.device = Device(name=self.name, address=Address(address),
                             host=Host(ctrl, AsyncPipeSink(ctrl)))
        rd = Characteristic.Properties.READ
        self.c_data = Characteristic(u["data"], Characteristic.Properties.NOTIFY,
                                     Characteristic.READABLE, b"")
        self.c_ctrl = Characteristic(
            u["control"], Characteristic.Properties.WRITE | Characteristic.Properties.INDICATE,
            Characteristic.WRITEABLE, CharacteristicValue(write=self._on_control))
        self.c_info = Characteristic(u["device_info"], rd, Characteristic.READABLE,
                                     model.device_info())
        self.c_status = Characteristic(
            u["status"], rd | Characteristic.Properties.NOTIFY, Characteristic.READABLE,
            CharacteristicValue(read=lambda _c: self._status()))
        self.c_batt = Characteristic(
            u["battery_level"], rd | Characteristic.Properties.NOTIFY, Characteristic.READABLE,
            CharacteristicValue(read=lambda _c: bytes([self.battery_pct])))
        self.device.add_service(Service(u["service"], [self.c_data, self.c_ctrl, self.c_info,
                                                       self.c_status]))
        self.device.add_service(Service(u["battery_service"], [self.c_batt]))
        self.conn: Any = None
        self.streaming = False
        self.t0: float | None = None  # host time of sample 0 (first START)
        self.next_k = 0
        self.seq = 0
        self.tx_dropped = 0
        self._task: asyncio.Task | None = None
        self._bg: set[asyncio.Future] = set()
        self._down_until = -math.inf
        self._drops = sorted(self.faults.disconnect_at_s)
        self._phase = 0.0  # connection events at _phase + j conn_interval_s (host s)

    @property
    def name(self) -> str:
        side = {1: "L", 2: "R", 3: "B"}.get(self.model.side, "X")
        return f"{self.p.raw['advertising']['name_prefix']}{side}-{self.model.serial & 0xFFFF:04X}"

    def _status(self) -> bytes:
        return self.p.status.pack(battery_pct=self.battery_pct, state=int(self.streaming),
                                  fifo_overflows=0, tx_dropped_samples=self.tx_dropped)

    async def start(self) -> None:
        from bumble.core import UUID, AdvertisingData

        await self.device.power_on()
        self.device.on("connection", self._on_connection)
        svc = UUID(self.p.raw["advertising"]["service_uuid"])
        # bumble's LocalLink answers a scan request with the advertising data, not the scan
        # response, so the virtual sensor also puts its name there (a real one must not: 31 B).
        self._adv = bytes(AdvertisingData([
            (AdvertisingData.COMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS, bytes(svc)),
            (AdvertisingData.COMPLETE_LOCAL_NAME, self.name.encode())]))
        self._scan_rsp = bytes(AdvertisingData([
            (AdvertisingData.COMPLETE_LOCAL_NAME, self.name.encode())]))
        await self._advertise()

    async def _advertise(self) -> None:
        with contextlib.suppress(Exception):
            await self.device.start_advertising(advertising_data=self._adv,
                                                scan_response_data=self._scan_rsp,
                                                advertising_interval_min=20.0,
                                                advertising_interval_max=20.0)

    def _on_connection(self, conn: Any) -> None:
        self.conn = conn
        self._phase = float(self.rng.uniform(0, self.faults.conn_interval_s))
        conn.on("disconnection", lambda _r: self._on_disconnection())

    def _on_disconnection(self) -> None:
        self.conn = None
        self.streaming = False
        if self._task is not None:
            self._task.cancel()
            self._task = None
        delay = max(0.0, self._down_until - self.radio.clock.now_s())
        asyncio.get_running_loop().call_later(delay / self.radio.clock.speed,
                                              lambda: asyncio.ensure_future(self._advertise()))

    def _now_k(self) -> int:
        """Index of the next sample the IMU will take."""
        assert self.t0 is not None
        return max(0, math.ceil((self.radio.clock.now_s() - self.t0) / self.model.period_s))

    def _next_event(self, t: float) -> float:
        """Host time of this connection's first connection event at or after ``t``."""
        ci = self.faults.conn_interval_s
        return self._phase + math.ceil((t - self._phase) / ci) * ci

    def _on_control(self, conn: Any, value: bytes) -> None:
        value = bytes(value)
        op = value[0] if value else 0
        ops = self.p.opcodes
        codes = self.p.status_codes
        status, payload, delay = codes["SUCCESS"], b"", -math.inf
        if op == ops["START"]:
            if self.t0 is None:  # index 0 is the IMU's next sample
                w0, per = self.radio.world0_s, self.model.period_s
                self.model.m0 = math.ceil((self.radio.clock.now_s() - w0) / per)
                self.t0 = w0 + self.model.m0 * per
            k = self._now_k()
            if self.log.starts and k > self.next_k:
                self.log.skipped.append((self.next_k, k - self.next_k))
            self.next_k = max(k, self.next_k)
            self.log.starts += 1
            self.streaming = True
            payload = self.model.config_block()
            if self._task is None:
                self._task = asyncio.ensure_future(self._stream(conn))
        elif op == ops["STOP"]:
            self.streaming = False
            if self._task is not None:
                self._task.cancel()
                self._task = None
        elif op == ops["SET_CONFIG"]:
            try:
                req = self.p.set_config.unpack(value[1:])
            except Exception:
                status = codes["INVALID_PARAMETER"]
            else:
                if self.streaming:
                    status = codes["INVALID_STATE"]
                else:
                    spp = int(req["samples_per_packet"]) or 255
                    fit = self.p.samples_per_packet(self.radio.mtu)
                    self.model.samples_per_packet = max(1, min(spp, fit))
                    payload = self.model.config_block()
        elif op == ops["GET_CONFIG"]:
            payload = self.model.config_block()
        elif op in (ops["IDENTIFY"], ops["SET_LOCATION"]):
            pass
        elif op == ops["TIME_PING"] and len(value) >= 9:
            # the write reached the sensor at a connection event, which it timestamps; the
            # indication goes back at the next one
            ev = self._next_event(self.radio.clock.now_s())
            payload = value[1:9] + int(self.model.ticks(ev - self.radio.world0_s)
                                       & 0xFFFFFFFF).to_bytes(4, "little")
            delay = ev + self.faults.conn_interval_s
        else:
            status = codes["UNSUPPORTED_OPCODE"]
        resp = bytes([self.p.response_code, op, status]) + payload
        task = asyncio.ensure_future(self._indicate(conn, resp, delay))
        self._bg.add(task)
        task.add_done_callback(self._bg.discard)

    async def _indicate(self, conn: Any, resp: bytes, at_s: float = -math.inf) -> None:
        """Indicate ``resp`` at host time ``at_s`` (at once if past)."""
        await asyncio.sleep(0)
        if at_s > -math.inf:
            await self.radio.clock.sleep(at_s - self.radio.clock.now_s())
        with contextlib.suppress(Exception):
            await self.device.indicate_subscriber(conn, self.c_ctrl, resp)

    async def _stream(self, conn: Any) -> None:
        """Release packets at connection events after their last sample was taken."""
        clock, f, m = self.radio.clock, self.faults, self.model
        assert self.t0 is not None
        ci = f.conn_interval_s
        next_status = clock.now_s() + float(self.p.raw["connection"]["status_period_s"])
        try:
            while self.streaming and self.conn is conn:
                now = clock.now_s()
                if self._drops and now - self.t0 >= self._drops[0]:
                    self._drops.pop(0)
                    self.log.disconnects += 1
                    self._down_until = now + f.down_s
                    await self._stop_advertising()
                    await conn.disconnect()
                    return
                n = m.samples_per_packet
                while self.t0 + (self.next_k + n - 1) * m.period_s <= now:  # last one taken
                    k0 = self.next_k
                    self.next_k += n
                    if self.rng.random() < f.loss:
                        self.log.dropped.append((k0, n))
                        self.seq += 1
                        continue
                    if self.rng.random() < f.garbage:
                        self.log.garbage += 1
                        junk = self.rng.integers(0, 256, int(self.rng.integers(1, 40)),
                                                 dtype=np.uint8).tobytes()
                        await self._notify(conn, self.c_data, junk)
                    pkt = m.packet(self.seq, k0, n)
                    self.seq += 1
                    if not await self._notify(conn, self.c_data, pkt):
                        return
                    self.log.sent.append((k0, n))
                if now >= next_status:
                    next_status = now + float(self.p.raw["connection"]["status_period_s"])
                    await self._notify(conn, self.c_status, self._status())
                # sleep to the next connection event at or after the next packet's last sample
                due = self.t0 + (self.next_k + n - 1) * m.period_s
                ev = self._next_event(due)
                while self.rng.random() < f.retx:
                    ev += ci
                await clock.sleep(ev - clock.now_s())
        except asyncio.CancelledError:
            pass

    async def _notify(self, conn: Any, char: Any, value: bytes) -> bool:
        try:
            await self.device.notify_subscriber(conn, char, value)
        except Exception:  # the link went down under us
            return False
        return True

    async def _stop_advertising(self) -> None:
        with contextlib.suppress(Exception):
            await self.device.stop_advertising()

    async def stop(self) -> None:
        self.streaming = False
        self._drops = []
        if self._task is not None:
            self._task.cancel()
        await self._stop_advertising()
        if self.conn is not None:
            with contextlib.suppress(Exception):
                await self.conn.disconnect()


class VirtualRadio:
    """A bumble ``LocalLink`` with a central (used by the bleak backend) and sensors."""

    def __init__(self, clock: VirtualClock | None = None, mtu: int = 247) -> None:
        from bumble.controller import Controller
        from bumble.device import Device
        from bumble.hci import Address
        from bumble.host import Host
        from bumble.link import LocalLink
        from bumble.transport.common import AsyncPipeSink

        self.clock = clock or VirtualClock()
        self.world0_ns = self.clock.now_ns()  # the sensors' power-on, the walk's time 0
        self.mtu = mtu
        self.link = LocalLink()
        addr = "F0:47:41:49:54:00"
        ctrl = Controller("central", link=self.link, public_address=addr)
        self.central = Device(address=Address(addr), host=Host(ctrl, AsyncPipeSink(ctrl)))
        self.sensors: list[VirtualSensor] = []
        self._scanners = 0
        self._connect_lock = asyncio.Lock()

    @property
    def world0_s(self) -> float:
        return self.world0_ns / 1e9

    async def start(self) -> None:
        await self.central.power_on()

    def truth(self) -> dict[str, Any]:
        """The clocks' truth (``meta.virtual_truth`` of the journal; :mod:`gait.ble.truth`):
        power-on time, and per placement the crystal and IMU errors, tick rate and power-on
        tick. ``walk_scale``: host seconds per second of the walk's truth (the simulator's first
        stream is its time reference)."""
        clocks = {s.model.placement: {"tick_hz": s.model.tick_hz, "tick0": s.model.tick0,
                                      "clock_ppm": s.model.clock_ppm,
                                      "odr_ppm": s.model.odr_ppm, "period_s": s.model.period_s}
                  for s in self.sensors}
        ref = self.sensors[0].model.odr_ppm if self.sensors else 0.0
        return {"world0_ns": self.world0_ns, "walk_scale": 1.0 + ref * 1e-6, "clocks": clocks}

    async def add_sensor(self, model: SensorModel, faults: Faults | None = None,
                         battery_pct: int = 87) -> VirtualSensor:
        i = len(self.sensors) + 1
        s = VirtualSensor(self, model, f"C0:47:41:49:54:{i:02X}", faults, battery_pct)
        await s.start()
        self.sensors.append(s)
        return s

    async def scan(self, on: bool) -> None:
        self._scanners += 1 if on else -1
        with contextlib.suppress(Exception):
            if on and self._scanners == 1:
                await self.central.start_scanning(filter_duplicates=False)
            elif not on and self._scanners == 0:
                await self.central.stop_scanning()

    async def connect(self, address: Any, timeout: float) -> Any:
        """One LE connection at a time (as a real controller requires)."""
        async with self._connect_lock:
            if self.central.scanning:
                with contextlib.suppress(Exception):
                    await self.central.stop_scanning()
            try:
                return await asyncio.wait_for(self.central.connect(address), timeout)
            finally:
                if self._scanners > 0:
                    with contextlib.suppress(Exception):
                        await self.central.start_scanning(filter_duplicates=False)

    def backends(self) -> tuple[type, type]:
        """(scanner class, client class) bound to this radio, for bleak's ``backend=``."""
        from gait.ble.bumble_backend import BumbleClient, BumbleScanner

        scanner = type("BumbleScanner", (BumbleScanner,), {"radio": self})
        client = type("BumbleClient", (BumbleClient,), {"radio": self})
        return scanner, client

    async def close(self) -> None:
        for s in self.sensors:
            await s.stop()
        await asyncio.sleep(0.01)


def offline_journal(path: str, models: Sequence[SensorModel], duration_s: float, *,
                    loss: float = 0.0, conn_interval_s: float = 0.015, extra_latency_s: float = 0.0,
                    garbage: float = 0.0, seed: int = 0, addresses: Sequence[str] = ()
                    ) -> dict[str, SentLog]:
    """A journal as the recorder would write it, without a radio (tests, benchmarks).

    Every packet arrives at the first connection event after its last sample plus an
    exponential ``extra_latency_s``; ``loss`` drops packets, ``garbage`` adds malformed ones.
    Returns each placement's :class:`SentLog`.
    """
    from datetime import UTC, datetime

    from gait.ble.journal import CHAR_DATA, END, EVENT, SENSOR, JournalWriter, json_record
    from gait.ble.spec import SPEC_FILES, spec_sha256

    rng = np.random.default_rng(seed)
    origin_ns = 1_000_000_000_000
    meta = {"format": "gait-ble-journal", "version": 1, "origin_ns": origin_ns,
            "origin_utc": datetime(2025, 1, 1, tzinfo=UTC).isoformat(), "clock": "synthetic",
            "specs": {n: spec_sha256(n) for n in SPEC_FILES}}
    w = JournalWriter(path, meta)
    logs: dict[str, SentLog] = {}
    recs: list[tuple[int, bytes]] = []
    for sid, m in enumerate(models):
        log = SentLog()
        logs[m.placement] = log
        addr = addresses[sid] if sid < len(addresses) else f"C0:47:41:49:54:{sid + 1:02X}"
        p = m.profile
        w.write(json_record(SENSOR, {
            "sid": sid, "placement": m.placement, "address": addr, "name": f"sensor{sid}",
            "profile": "gait-imu", "device_info": p.device_info.unpack(m.device_info()),
            "config": p.config.unpack(m.config_block()), "mtu": 247, "host_ns": origin_ns}))
        w.write(json_record(EVENT, {"sid": sid, "host_ns": origin_ns, "event": "connected"}))
        n = m.samples_per_packet
        n_pk = int(duration_s / m.period_s) // n
        k0 = np.arange(n_pk) * n
        t_ready = (k0 + n) * m.period_s + 0.001
        phase = rng.uniform(0, conn_interval_s)
        t_send = phase + np.ceil((t_ready - phase) / conn_interval_s) * conn_interval_s
        if extra_latency_s:
            t_send = t_send + rng.exponential(extra_latency_s, n_pk)
        t_send = np.maximum.accumulate(t_send)  # BLE keeps the order
        drop = rng.random(n_pk) < loss
        junk = rng.random(n_pk) < garbage
        for i in range(n_pk):
            if drop[i]:
                log.dropped.append((int(k0[i]), n))
                continue
            hn = origin_ns + int(t_send[i] * 1e9)
            if junk[i]:
                log.garbage += 1
                b = rng.integers(0, 256, int(rng.integers(1, 60)), dtype=np.uint8).tobytes()
                recs.append((hn, bytes([sid]) + b))
            recs.append((hn, bytes([sid]) + m.packet(i, int(k0[i]), n)))
            log.sent.append((int(k0[i]), n))
    recs.sort(key=lambda r: r[0])
    for hn, b in recs:
        w.data(b[0], hn, b[1:], CHAR_DATA)
    w.write(json_record(END, {"host_ns": recs[-1][0] if recs else origin_ns, "reason": "stop"}))
    w.close()
    return logs
