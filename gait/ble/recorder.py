"""The BLE recorder on bleak: connect, configure, stream into the journal, reconnect.

Rules (see ``shared/notes/ble.md``):

* sensors are found by address with a scan (``BleakScanner.find_device_by_address``) and
  connected **one at a time** (one pending LE Create Connection per controller) through
  ``bleak_retry_connector.establish_connection``, passing the scanned ``BLEDevice``;
* the MTU is acquired (BlueZ reports 23 until asked) and the samples per packet follow from it;
  an MTU below the profile's ``min_mtu`` is refused;
* the notification callback only queues ``(host_ns, sid, char, bytes)``; a writer task appends
  raw records to the :mod:`journal <gait.ble.journal>`, hands each batch to the OS at once and
  fsyncs every 0.5 s (the journal's header is fsynced when it is created, before any data);
* a dropped link is journalled (``disconnected``), the sensor is found and connected again and
  the stream restarted; the sample index shows exactly what was missed;
* while a gait-IMU sensor streams, TIME_PING four times a second (a burst after each
  (re)connection): the response is journalled like every control-point indication; the host
  time it was sent is in its payload, so each ping bounds the sensor's clock from both sides
  (:func:`gait.ble.timebase.anchor_host_map`);
* on stop (duration, ``stop`` event, Ctrl-C) every sensor gets STOP, the journal gets END.

``backend_scanner``/``backend_client`` are passed to bleak as ``backend=`` (the virtual sensors
of :mod:`gait.ble.sim`); ``None`` means the platform's own backend.

Size: one recorder (connect, configure, stream, reconnect, stop) whose steps share their
bookkeeping; split, its sequence would be spread over modules.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gait.ble.journal import (
    CHAR_BATTERY,
    CHAR_CONTROL,
    CHAR_DATA,
    CHAR_STATUS,
    END,
    EVENT,
    FILE_VERSION,
    SENSOR,
    JournalWriter,
    json_record,
)
from gait.ble.spec import SPEC_FILES, gait_profile, polar_profile, spec_sha256, status_name
from gait.version import __version__

FLUSH_S = 0.5  # fsync interval (s): the loss bound on power loss, without latency
PING_S = 0.25  # TIME_PING period while streaming (s of the event loop's clock)
PING_BURST = 8  # pings in quick succession after every (re)connection: the new anchor
GAP_DEVICE_NAME = "00002a00-0000-1000-8000-00805f9b34fb"
_HDR = struct.Struct("<BBHII")  # ver, flags, seq, first_sample_index, t_first (peek)


class SensorSetupError(RuntimeError):
    """A sensor refused the configuration or cannot stream (not retried)."""


@dataclass
class Target:
    """A sensor to record: its placement and address (or name)."""

    placement: str
    address: str
    sid: int = 0


@dataclass
class SensorState:
    """Live facts for the status line."""

    target: Target
    name: str = ""
    profile: str = ""
    connected: bool = False
    mtu: int = 0
    packets: int = 0
    samples: int = 0
    lost: int = 0
    malformed: int = 0
    battery: int | None = None
    reconnects: int = 0
    error: str = ""
    rate_hz: float = 0.0
    _expect: int | None = None
    _win: list[tuple[float, int]] = field(default_factory=list)

    def line(self) -> str:
        """One status line of at most 80 columns (an error message is cut to fit)."""
        batt = f"{self.battery}%" if self.battery is not None else "?"
        tail = (f"{self.rate_hz:3.0f}Hz {self.samples:>8} ok {self.lost:>6} lost "
                f"bat {batt:>4} rc{self.reconnects}"
                + (f" bad{self.malformed}" if self.malformed else ""))
        st = "streaming" if self.connected else ("error: " + self.error if self.error
                                                  else "connecting")
        if self.error and not self.connected:
            tail = ""
        head = f"{self.target.placement:<11.11} {self.name or self.target.address:<14.14} "
        return (head + f"{st:<10} " + tail).rstrip()[:80]


def _now_ns() -> int:
    return time.monotonic_ns()


class Recorder:
    """Record several sensors into one journal (``await recorder.run(duration_s)``)."""

    def __init__(self, targets: list[Target], journal: str | Path, *,
                 backend_scanner: type | None = None, backend_client: type | None = None,
                 clock: Callable[[], int] | None = None, rate_hz: int = 200,
                 acc_range_g: int = 16, gyro_range_dps: int = 2000, mtu: int = 247,
                 scan_timeout_s: float = 10.0, flush_s: float = FLUSH_S,
                 meta: dict[str, Any] | None = None) -> None:
        self.targets = targets
        for i, t in enumerate(targets):
            t.sid = i
        self.path = Path(journal)
        self.scanner = backend_scanner
        self.client_cls = backend_client
        self.clock = clock or _now_ns
        self.rate_hz = rate_hz
        self.acc_range_g = acc_range_g
        self.gyro_range_dps = gyro_range_dps
        self.mtu = mtu
        self.scan_timeout_s = scan_timeout_s
        self.flush_s = flush_s
        self.extra_meta = dict(meta or {})
        self.states = [SensorState(t) for t in targets]
        self.p = gait_profile()
        self.pp = polar_profile()
        self._q: asyncio.Queue[tuple[int, int, int, bytes]] = asyncio.Queue()
        self._stop = asyncio.Event()
        self._connect_lock = asyncio.Lock()
        self.journal: JournalWriter | None = None
        self._syncing: asyncio.Future[None] | None = None  # the writer's fsync in a thread
        self.origin_ns = 0

    # ------------------------------------------------------------------ plumbing

    def _bk(self, client: bool) -> dict[str, Any]:
        b = self.client_cls if client else self.scanner
        return {} if b is None else {"backend": b}

    def _event(self, sid: int, event: str, **detail: Any) -> None:
        doc = {"sid": sid, "host_ns": self.clock(), "event": event, **detail}
        self._q.put_nowait((0, sid, -1, json_record(EVENT, doc)))

    def _record_json(self, rtype: int, doc: dict[str, Any]) -> None:
        self._q.put_nowait((0, -1, -1, json_record(rtype, doc)))

    def _callback(self, sid: int, char: int) -> Callable[[Any, bytearray], None]:
        q, clock = self._q, self.clock

        def cb(_sender: Any, data: bytearray) -> None:
            q.put_nowait((clock(), sid, char, bytes(data)))

        return cb

    def stop(self) -> None:
        """Ask :meth:`run` to finish (safe from a signal handler)."""
        self._stop.set()

    # ------------------------------------------------------------------ writer

    def _account(self, st: SensorState, data: bytes, now_s: float) -> None:
        if st.profile == "polar-pmd":
            st.packets += 1
            return
        if len(data) < self.p.header_size or data[0] != self.p.data_version:
            st.malformed += 1
            return
        _, flags, _, first, _ = _HDR.unpack_from(data, 0)
        n = data[12]
        size = 12 if flags & self.p.flags[1] else 6
        if n == 0 or len(data) != self.p.header_size + n * size:
            st.malformed += 1
            return
        st.packets += 1
        st.samples += n
        if st._expect is not None:
            gap = (first - st._expect) & 0xFFFFFFFF
            if 0 < gap < 1 << 31:
                st.lost += gap
        if st._expect is None or ((first + n - st._expect) & 0xFFFFFFFF) < 1 << 31:
            st._expect = (first + n) & 0xFFFFFFFF
        st._win.append((now_s, n))

    async def _writer(self) -> None:
        """Append queued packets; each batch goes to the OS at once (a killed process loses
        nothing it had received), an fsync every ``flush_s`` makes it durable."""
        assert self.journal is not None
        j = self.journal
        loop = asyncio.get_running_loop()
        next_flush = loop.time() + self.flush_s
        while True:
            try:
                item = await asyncio.wait_for(self._q.get(), max(0.01, next_flush - loop.time()))
            except TimeoutError:
                item = None
            items = [] if item is None else [item]
            while not self._q.empty():
                items.append(self._q.get_nowait())
            now_s = self.clock() / 1e9
            for host_ns, sid, char, data in items:
                if char < 0:
                    j.write(data)
                    continue
                j.data(sid, host_ns, data, char)
                st = self.states[sid]
                if char == CHAR_DATA:
                    self._account(st, data, now_s)
                elif char in (CHAR_BATTERY, CHAR_STATUS) and data:
                    st.battery = data[0]
            if items:
                j.flush(sync=False)
            if loop.time() >= next_flush:
                # fsync in a thread while writing goes on; a slow disk skips a turn
                if self._syncing is None or self._syncing.done():
                    if self._syncing is not None:
                        self._syncing.result()  # re-raise an fsync error
                    self._syncing = asyncio.ensure_future(asyncio.to_thread(os.fsync, j.fileno()))
                next_flush = loop.time() + self.flush_s
                for st in self.states:
                    st._win = [(t, n) for t, n in st._win if t > now_s - 2.0]
                    st.rate_hz = sum(n for _, n in st._win) / 2.0

    # ------------------------------------------------------------------ sensors

    async def _control(self, client: Any, char: str, resp_q: asyncio.Queue[bytes], op: int,
                       payload: bytes = b"", code: int | None = None,
                       timeout: float = 5.0) -> bytes:
        """Write a control-point command and wait for its response indication."""
        while not resp_q.empty():
            resp_q.get_nowait()
        await client.write_gatt_char(char, bytes([op]) + payload, response=True)
        rc = self.p.response_code if code is None else code
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while True:
            r = await asyncio.wait_for(resp_q.get(), max(0.01, end - loop.time()))
            if len(r) >= 3 and r[0] == rc and r[1] == op:
                return r

    def _cp_callback(self, sid: int, resp_q: asyncio.Queue[bytes]
                     ) -> Callable[[Any, bytearray], None]:
        q, clock = self._q, self.clock

        def cb(_sender: Any, data: bytearray) -> None:
            b = bytes(data)
            resp_q.put_nowait(b)
            q.put_nowait((clock(), sid, CHAR_CONTROL, b))

        return cb

    async def _setup_gait(self, client: Any, st: SensorState) -> None:
        p, u, t = self.p, self.p.uuids, st.target
        backend = getattr(client, "_backend", None)
        if hasattr(backend, "_acquire_mtu"):  # BlueZ reports 23 until asked
            with contextlib.suppress(Exception):
                await backend._acquire_mtu()
        mtu = int(client.mtu_size)
        st.mtu = mtu
        if mtu < p.min_mtu:
            raise SensorSetupError(f"ATT MTU {mtu} is too small (the profile needs "
                                   f">= {p.min_mtu})")
        info = p.device_info.unpack(await client.read_gatt_char(u["device_info"]))
        if not st.name:
            with contextlib.suppress(Exception):
                st.name = (await client.read_gatt_char(GAP_DEVICE_NAME)).decode(errors="replace")
        resp_q: asyncio.Queue[bytes] = asyncio.Queue()
        await client.start_notify(u["control"], self._cp_callback(t.sid, resp_q))
        ops, ok = p.opcodes, p.status_codes["SUCCESS"]
        spp = p.samples_per_packet(mtu)
        cfg_req = p.set_config.pack(rate_hz=self.rate_hz, acc_range_g=self.acc_range_g,
                                    gyro_range_dps=self.gyro_range_dps, samples_per_packet=spp)
        r = await self._control(client, u["control"], resp_q, ops["SET_CONFIG"], cfg_req)
        if r[2] == p.status_codes["INVALID_STATE"]:  # still streaming from an earlier session
            await self._control(client, u["control"], resp_q, ops["STOP"])
            r = await self._control(client, u["control"], resp_q, ops["SET_CONFIG"], cfg_req)
        if r[2] != ok:
            raise SensorSetupError(f"SET_CONFIG refused: {status_name(p, r[2])}")
        config = p.config.unpack(r[3:])
        self._record_json(SENSOR, {
            "sid": t.sid, "placement": t.placement, "address": t.address, "name": st.name,
            "profile": "gait-imu", "device_info": info, "config": config, "mtu": mtu,
            "host_ns": self.clock()})
        await client.start_notify(u["data"], self._callback(t.sid, CHAR_DATA))
        with contextlib.suppress(Exception):
            await client.start_notify(u["status"], self._callback(t.sid, CHAR_STATUS))
        with contextlib.suppress(Exception):
            b = await client.read_gatt_char(u["battery_level"])
            self._q.put_nowait((self.clock(), t.sid, CHAR_BATTERY, bytes(b)))
        r = await self._control(client, u["control"], resp_q, ops["START"])
        if r[2] != ok:
            raise SensorSetupError(f"START refused: {status_name(p, r[2])}")
        st._cp = (u["control"], resp_q)  # type: ignore[attr-defined]

    async def _setup_polar(self, client: Any, st: SensorState) -> None:
        pp, u, t = self.pp, self.pp.uuids, st.target
        backend = getattr(client, "_backend", None)
        if hasattr(backend, "_acquire_mtu"):
            with contextlib.suppress(Exception):
                await backend._acquire_mtu()
        st.mtu = int(client.mtu_size)
        resp_q: asyncio.Queue[bytes] = asyncio.Queue()
        await client.start_notify(u["control"], self._cp_callback(t.sid, resp_q))
        await client.start_notify(u["data"], self._callback(t.sid, CHAR_DATA))
        ops, mt, rc = pp.opcodes, pp.measurement_types, pp.response_code
        start, stop = ops["REQUEST_MEASUREMENT_START"], ops["STOP_MEASUREMENT"]
        settings: dict[str, dict[str, float]] = {}
        if (st.name or "").startswith("Polar Sense") and self.rate_hz > 52:
            await self._control(client, u["control"], resp_q, start, bytes([mt["SDK_MODE"]]), rc)
        for meas, rng in (("ACC", self.acc_range_g), ("GYRO", self.gyro_range_dps)):
            r = await self._control(client, u["control"], resp_q,
                                    ops["GET_MEASUREMENT_SETTINGS"], bytes([mt[meas]]), rc)
            if len(r) < 4 or r[3] != 0:
                continue
            avail = _polar_tlv(pp, r[5:])
            rate = min(avail.get("SAMPLE_RATE", [self.rate_hz]),
                       key=lambda x: (x < self.rate_hz, abs(x - self.rate_hz)))
            rngv = min(avail.get("RANGE", [rng]), key=lambda x: abs(x - rng))
            req = {"SAMPLE_RATE": rate, "RESOLUTION": 16, "RANGE": rngv}
            if "CHANNELS" in avail:
                req["CHANNELS"] = 3
            body = bytes([mt[meas]])
            for k, v in req.items():
                size = int(pp.settings[k]["size"])
                body += bytes([pp.setting_code(k), 1]) + int(v).to_bytes(size, "little")
            with contextlib.suppress(Exception):  # already running from an earlier session
                await self._control(client, u["control"], resp_q, stop, bytes([mt[meas]]), rc)
            r = await self._control(client, u["control"], resp_q, start, body, rc)
            if len(r) >= 4 and r[3] == 0:
                got = _polar_tlv(pp, r[5:])
                settings[meas] = {**{k: float(v) for k, v in req.items()},
                                  "FACTOR": float(got.get("FACTOR", [1.0])[0])}
        if "ACC" not in settings:
            raise SensorSetupError("the Polar sensor refused to start the accelerometer")
        self._record_json(SENSOR, {
            "sid": t.sid, "placement": t.placement, "address": t.address, "name": st.name,
            "profile": "polar-pmd", "settings": settings, "mtu": st.mtu,
            "host_ns": self.clock()})
        st._cp = (u["control"], resp_q)  # type: ignore[attr-defined]

    async def _pinger(self, client: Any, st: SensorState, lost: asyncio.Event) -> None:
        """TIME_PING the sensor (its response goes to the journal) until the recording stops or
        the link is lost (checked, not only cancelled: ``wait_for`` can swallow a cancel)."""
        cp = getattr(st, "_cp", None)
        if cp is None or st.profile != "gait-imu":
            return
        op = self.p.opcodes["TIME_PING"]
        n = 0
        while not (self._stop.is_set() or lost.is_set()):
            with contextlib.suppress(Exception):  # a lost ping costs nothing
                await self._control(client, cp[0], cp[1], op,
                                    struct.pack("<Q", self.clock() // 1000), timeout=2.0)
            n += 1
            await asyncio.sleep(0.02 if n < PING_BURST else PING_S)

    async def _stop_sensor(self, client: Any, st: SensorState) -> None:
        cp = getattr(st, "_cp", None)
        if cp is None or not client.is_connected:
            return
        with contextlib.suppress(Exception):
            if st.profile == "polar-pmd":
                mt = self.pp.measurement_types
                for meas in ("ACC", "GYRO"):
                    await asyncio.wait_for(client.write_gatt_char(
                        cp[0], bytes([self.pp.opcodes["STOP_MEASUREMENT"], mt[meas]]),
                        response=True), 2.0)
            else:
                await asyncio.wait_for(self._control(client, cp[0], cp[1],
                                                     self.p.opcodes["STOP"], timeout=2.0), 3.0)

    async def _sensor(self, st: SensorState) -> None:
        from bleak import BleakClient, BleakScanner
        from bleak_retry_connector import establish_connection

        t = st.target
        backoff = 0.5
        first = True
        while not self._stop.is_set():
            client = None
            lost = asyncio.Event()
            try:
                async with self._connect_lock:
                    if self._stop.is_set():
                        return
                    dev = await BleakScanner.find_device_by_filter(
                        lambda d, _a: d.address.upper() == t.address.upper()
                        or (d.name or "") == t.address,
                        timeout=self.scan_timeout_s, **self._bk(False))
                    if dev is None:
                        raise TimeoutError(f"{t.address} not found")
                    st.name = dev.name or ""
                    client = await establish_connection(
                        BleakClient, dev, f"{t.placement} {dev.name or dev.address}",
                        disconnected_callback=lambda _c, ev=lost: ev.set(), max_attempts=3,
                        **self._bk(True))
                    svc = {s.uuid.lower() for s in client.services}
                    if self.p.uuids["service"] in svc:
                        st.profile = "gait-imu"
                        await self._setup_gait(client, st)
                    elif self.pp.uuids["service"] in svc:
                        st.profile = "polar-pmd"
                        await self._setup_polar(client, st)
                    else:
                        raise SensorSetupError("no supported profile (gait IMU or Polar PMD)")
                st.connected, st.error = True, ""
                if not first:
                    st.reconnects += 1
                first = False
                self._event(t.sid, "connected", mtu=st.mtu, name=st.name)
                backoff = 0.5
                stop_w = asyncio.ensure_future(self._stop.wait())
                lost_w = asyncio.ensure_future(lost.wait())
                ping = asyncio.ensure_future(self._pinger(client, st, lost))
                await asyncio.wait({stop_w, lost_w}, return_when=asyncio.FIRST_COMPLETED)
                for w in (stop_w, lost_w, ping):
                    w.cancel()
                await asyncio.wait({ping}, timeout=3.0)  # before STOP uses the control point
                if lost.is_set():
                    st.connected = False
                    self._event(t.sid, "disconnected", reason="link lost")
            except SensorSetupError as exc:
                st.error = str(exc)
                self._event(t.sid, "error", detail=str(exc))
                self._stop.set()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # not found, connection failed, GATT error: retry
                st.error = str(exc) or type(exc).__name__
                if _stack_unavailable(exc):
                    st.error = f"Bluetooth is not available ({st.error})"
                    self._event(t.sid, "error", detail=st.error)
                    self._stop.set()
                    return
                if st.connected:
                    st.connected = False
                    self._event(t.sid, "disconnected", reason=st.error)
                else:
                    self._event(t.sid, "retry", detail=st.error)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                if client is not None and (self._stop.is_set() or not st.connected):
                    if self._stop.is_set():
                        await self._stop_sensor(client, st)
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(client.disconnect(), 3.0)
                    if st.connected:
                        st.connected = False
                        self._event(t.sid, "disconnected", reason="stop")

    # ------------------------------------------------------------------ run

    async def run(self, duration_s: float | None = None,
                  on_status: Callable[[list[SensorState]], None] | None = None,
                  status_every_s: float = 0.5) -> list[SensorState]:
        """Record until ``duration_s`` (host clock) has passed or :meth:`stop` is called."""
        self.origin_ns = self.clock()
        meta = {"format": "gait-ble-journal", "version": FILE_VERSION, "origin_ns": self.origin_ns,
                "origin_utc": datetime.now(UTC).isoformat(), "clock": "monotonic_ns",
                "tool": f"gait {__version__}",
                "specs": {n: spec_sha256(n) for n in SPEC_FILES},
                "sensors": [{"sid": t.sid, "placement": t.placement, "address": t.address}
                            for t in self.targets], **self.extra_meta}
        self.journal = JournalWriter(self.path, meta)
        writer = asyncio.ensure_future(self._writer())
        tasks = [asyncio.ensure_future(self._sensor(st)) for st in self.states]
        try:
            while not self._stop.is_set():
                if duration_s is not None and (self.clock() - self.origin_ns) / 1e9 >= duration_s:
                    break
                if all(t.done() for t in tasks):
                    break
                if on_status is not None:
                    on_status(self.states)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), status_every_s)
        finally:
            self._stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._record_json(END, {"host_ns": self.clock(), "reason": "stop"})
            while not self._q.empty():
                await asyncio.sleep(0.01)
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
            if self._syncing is not None:
                with contextlib.suppress(Exception):
                    await self._syncing
            self.journal.close()
            if on_status is not None:
                on_status(self.states)
        return self.states


def _stack_unavailable(exc: BaseException) -> bool:
    """No Bluetooth stack at all (no D-Bus/BlueZ, no adapter): retrying cannot help."""
    text = str(exc).lower()
    return isinstance(exc, FileNotFoundError | ConnectionRefusedError | PermissionError) or any(
        k in text for k in ("no bluetooth adapters", "serviceunknown", "bluetooth device is "
                            "turned off", "not authorized"))


def _polar_tlv(pp: Any, b: bytes) -> dict[str, list[float]]:
    """Settings TLVs of a PMD response: name -> values."""
    out: dict[str, list[float]] = {}
    names = {int(v["code"]): k for k, v in pp.settings.items()}
    i = 0
    while i + 2 <= len(b):
        code, count = b[i], b[i + 1]
        size = pp.setting_size(code)
        if size is None or i + 2 + size * count > len(b):
            break
        vals = []
        for j in range(count):
            raw = b[i + 2 + j * size:i + 2 + (j + 1) * size]
            vals.append(struct.unpack("<f", raw)[0] if names.get(code) == "FACTOR"
                        else int.from_bytes(raw, "little"))
        out[names.get(code, str(code))] = vals
        i += 2 + size * count
    return out


def journal_summary(states: list[SensorState]) -> str:
    return json.dumps([{"placement": s.target.placement, "packets": s.packets,
                        "samples": s.samples, "lost": s.lost} for s in states])
