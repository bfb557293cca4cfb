"""``gait scan``, ``gait record`` and ``gait recover`` (registered by :mod:`gait.cli`)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
from pathlib import Path
from typing import Any

import click

from gait.errors import GaitInputError
from gait.recording import PLACEMENTS

SIM_HELP = "Virtual sensors only: "


def journal_path(out: str | Path) -> Path:
    """``walk`` / ``walk.gait.json`` -> ``walk.gait.journal``."""
    from gait.io.gaitcsv import manifest_path

    m = manifest_path(out)
    return m.with_name(m.name.removesuffix(".json") + ".journal")


def _parse_sensors(values: tuple[str, ...], virtual: bool) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for v in values:
        placement, sep, address = v.partition("=")
        placement = placement.strip()
        if placement not in PLACEMENTS or placement == "unknown":
            raise GaitInputError(None, f"--sensor {v!r}: unknown placement {placement!r}",
                                 expected="PLACEMENT=ADDRESS with PLACEMENT one of "
                                 + ", ".join(p for p in PLACEMENTS if p != "unknown"))
        if not address.strip() and not virtual:
            raise GaitInputError(None, f"--sensor {v!r}: no address",
                                 expected="PLACEMENT=ADDRESS (see gait scan)")
        if any(p == placement for p, _ in out):
            raise GaitInputError(None, f"--sensor: placement {placement!r} given twice",
                                 expected="one sensor per placement")
        out.append((placement, address.strip() if sep else ""))
    if not out:
        if not virtual:
            raise GaitInputError(None, "no sensor given",
                                 expected="--sensor left_foot=ADDRESS --sensor "
                                 "right_foot=ADDRESS, or --sensor lower_back=ADDRESS")
        out = [("left_foot", ""), ("right_foot", "")]
    return out


async def _virtual_radio(placements: list[str], *, speed: float, rate: int, duration_s: float,
                         loss_pct: float, disconnects: tuple[float, ...], drift_ppm: float,
                         stance_asym: float, seed: int) -> Any:
    """A bumble LocalLink with one virtual sensor per placement."""
    try:
        from gait.ble.sim import Faults, VirtualClock, VirtualRadio, models_from_simulation
    except ModuleNotFoundError as exc:
        raise click.ClickException(
            f"--virtual needs the 'bumble' package ({exc.name} is missing): "
            "pip install 'gait[virtual]'") from None
    sim_pl = [p if p in ("lower_back", "left_foot", "right_foot", "left_shank",
                         "right_shank", "left_pocket", "right_pocket", "pocket") else "lower_back"
              for p in placements]
    radio = VirtualRadio(VirtualClock(speed))
    await radio.start()
    ppm = [drift_ppm * (1 if i % 2 == 0 else -1) for i in range(len(placements))]
    models = models_from_simulation(tuple(sim_pl), duration_s=duration_s, rate_hz=rate,
                                    stance_asym_pct=stance_asym, clock_ppm=ppm, seed=seed)
    for i, (m, pl) in enumerate(zip(models, placements, strict=True)):
        m.placement = pl
        await radio.add_sensor(m, Faults(loss=loss_pct / 100.0,
                                         disconnect_at_s=disconnects if i == 0 else (),
                                         seed=seed + i))
    return radio


# ------------------------------------------------------------------------------------ scan


async def _scan(timeout: float, show_all: bool, backend: type | None) -> list[dict[str, Any]]:
    from bleak import BleakScanner

    from gait.ble.spec import gait_profile, polar_profile

    gp, pp = gait_profile(), polar_profile()
    prefixes = tuple(pp.raw["advertising"]["name_prefixes"])
    kw = {} if backend is None else {"backend": backend}
    found = await BleakScanner.discover(timeout=timeout, return_adv=True, **kw)
    rows = []
    for dev, adv in found.values():
        uuids = [u.lower() for u in adv.service_uuids]
        name = adv.local_name or dev.name or ""
        if gp.uuids["service"] in uuids:
            prof = "gait-imu"
        elif pp.uuids["service"] in uuids or name.startswith(prefixes):
            prof = "polar-pmd"
        elif show_all:
            prof = ""
        else:
            continue
        rows.append({"address": dev.address, "name": name, "profile": prof, "rssi": adv.rssi})
    return sorted(rows, key=lambda r: -r["rssi"])


@click.command()
@click.option("--timeout", default=5.0, show_default=True, help="Scan for this many seconds.")
@click.option("--all", "show_all", is_flag=True, help="Also list devices of no supported profile.")
@click.option("--json", "json_out", is_flag=True, help="Print JSON.")
@click.option("--virtual", is_flag=True,
              help="Scan a virtual radio with two simulated sensors (needs bumble).")
def scan(timeout: float, show_all: bool, json_out: bool, virtual: bool) -> None:
    """BLE sensors nearby that speak a supported profile (gait IMU, Polar PMD), with RSSI."""

    async def main() -> list[dict[str, Any]]:
        if not virtual:
            return await _scan(timeout, show_all, None)
        radio = await _virtual_radio(["left_foot", "right_foot"], speed=1.0, rate=200,
                                     duration_s=10.0, loss_pct=0.0, disconnects=(),
                                     drift_ppm=0.0, stance_asym=0.0, seed=0)
        try:
            return await _scan(min(timeout, 1.0), show_all, radio.backends()[0])
        finally:
            await radio.close()

    rows = _run_ble(main(), "gait scan --virtual")
    if json_out:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("no supported sensor found (is it on and not connected elsewhere?)")
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(header_style="bold")
    for c in ("address", "name", "profile", "RSSI"):
        t.add_column(c, justify="right" if c == "RSSI" else "left")
    for r in rows:
        t.add_row(r["address"], r["name"], r["profile"] or "-", f"{r['rssi']} dBm")
    Console().print(t)


class NoBluetooth(click.ClickException):
    """No Bluetooth stack on this machine: exit status 2, like any input the command cannot
    use, with the command that works without hardware."""

    exit_code = 2


def _run_ble(coro: Any, virtual_hint: str = "gait record --virtual") -> Any:
    """Run a coroutine; Bluetooth stack errors become one-line CLI errors (no stack at all:
    :class:`NoBluetooth`, pointing to ``virtual_hint``)."""
    from bleak.exc import BleakError

    try:
        return asyncio.run(coro)
    except BleakError as exc:
        raise click.ClickException(f"Bluetooth: {exc}") from None
    except (FileNotFoundError, ConnectionRefusedError, PermissionError) as exc:
        raise NoBluetooth(
            f"Bluetooth is not available ({exc.strerror or exc}): is BlueZ running? "
            f"({virtual_hint} works without hardware)") from None


# ---------------------------------------------------------------------------------- record


def _status_printer(quiet: bool, balance: Any = None) -> Any:
    """The live display: a line per sensor and, with ``balance`` (a
    :class:`gait.ble.live.LiveBalance`), the running stance balance; each line <= 80 columns."""
    if quiet:
        return None, contextlib.nullcontext()

    def lines(states: list[Any]) -> list[str]:
        if balance is None:
            return [s.line() for s in states]
        balance.poll()
        return [s.line() for s in states] + [balance.line()]

    if sys.stderr.isatty():
        from rich.console import Console
        from rich.live import Live
        from rich.text import Text

        live = Live(Text(""), console=Console(stderr=True), refresh_per_second=4)

        def show(states: list[Any]) -> None:
            live.update(Text("\n".join(lines(states))))

        return show, live
    last = [0.0]

    def plain(states: list[Any]) -> None:
        import time

        now = time.monotonic()
        shown = lines(states)
        if now - last[0] >= 5.0:
            last[0] = now
            for line in shown:
                click.echo(line, err=True)

    return plain, contextlib.nullcontext()


@click.command()
@click.argument("out", metavar="OUT")
@click.option("--sensor", "sensors", multiple=True, metavar="PLACEMENT=ADDRESS",
              help="A sensor and where it is worn (repeat: left_foot=... right_foot=..., "
                   "or one lower_back=...). ADDRESS as gait scan shows it, or the name.")
@click.option("--duration", type=float, help="Stop after this many seconds (default: Ctrl-C).")
@click.option("--rate", default=200, show_default=True, help="Sample rate to request (Hz).")
@click.option("--acc-range", default=16, show_default=True, help="Accelerometer range (g).")
@click.option("--gyro-range", default=2000, show_default=True, help="Gyroscope range (deg/s).")
@click.option("--quiet", is_flag=True, help="No live status line.")
@click.option("--virtual", is_flag=True,
              help="Record from simulated sensors on a virtual radio (bumble) instead of "
                   "Bluetooth hardware.")
@click.option("--sim-speed", default=1.0, show_default=True,
              help=SIM_HELP + "virtual seconds per real second.")
@click.option("--sim-loss", default=0.0, show_default=True,
              help=SIM_HELP + "packets lost (%).")
@click.option("--sim-disconnect", type=float, multiple=True, metavar="T",
              help=SIM_HELP + "the first sensor drops the link T s after it started.")
@click.option("--sim-drift", default=50.0, show_default=True,
              help=SIM_HELP + "crystal error (ppm, + on one sensor, - on the other).")
@click.option("--sim-stance-asym", default=6.0, show_default=True,
              help=SIM_HELP + "stance symmetry index of the simulated walk (%).")
@click.option("--sim-seed", default=1, show_default=True, help=SIM_HELP + "random seed.")
@click.option("--mount", "mounts", multiple=True, metavar="PLACEMENT=SPEC",
              help="How a sensor is worn, written to the recording's manifest and used by "
                   "gait report/events as if given there, e.g. lower_back=lid-out,top-up (the "
                   "open profile's recommended lower-back mount; README, 'Mounting').")
def record(out: str, sensors: tuple[str, ...], duration: float | None, rate: int,
           acc_range: int, gyro_range: int, quiet: bool, virtual: bool, sim_speed: float,
           sim_loss: float, sim_disconnect: tuple[float, ...], sim_drift: float,
           sim_stance_asym: float, sim_seed: int, mounts: tuple[str, ...] = ()) -> None:
    """Record BLE IMU sensors to OUT (the gait recording format).

    Packets go to OUT.gait.journal as they arrive (handed to the OS at once, fsynced every
    0.5 s); on stop or Ctrl-C the journal becomes OUT.gait.json + one CSV per sensor. After a
    crash: gait recover. An existing journal of OUT is refused, unless it holds no data (then
    it is replaced, with a warning).
    """
    from gait.ble.assemble import finalise
    from gait.ble.recorder import Recorder, Target

    targets_in = _parse_sensors(sensors, virtual)
    mount_specs = _parse_record_mounts(mounts, [p for p, _ in targets_in])
    if duration is not None and not duration > 0:
        raise GaitInputError(None, f"--duration {duration}", expected="a positive duration")
    jpath = journal_path(out)
    if jpath.exists():
        if not _empty_journal(jpath):
            raise GaitInputError(jpath, "journal already exists",
                                 expected="a new OUT (or gait recover this journal)")
        click.echo(f"warning: {jpath} holds no samples (a recording stopped before the first "
                   "arrived): replaced", err=True)
        jpath.unlink()

    async def main() -> list[Any]:
        radio = None
        kw: dict[str, Any] = {}
        addresses = [a for _, a in targets_in]
        extra = {"mounts": mount_specs} if mount_specs else {}
        if virtual:
            radio = await _virtual_radio(
                [p for p, _ in targets_in], speed=sim_speed, rate=rate,
                duration_s=(duration + 30.0) if duration else 600.0, loss_pct=sim_loss,
                disconnects=sim_disconnect, drift_ppm=sim_drift, stance_asym=sim_stance_asym,
                seed=sim_seed)
            sc, cl = radio.backends()
            from gait.io.gaitcsv import truth_path

            tpath = truth_path(out)  # the walk's truth; finalise moves it to the recording's axis
            radio.sensors[0].model.truth.write(tpath)
            kw = {"backend_scanner": sc, "backend_client": cl, "clock": radio.clock.now_ns,
                  "meta": {"virtual": True, "sim_speed": sim_speed, **extra,
                           "virtual_truth": {**radio.truth(), "truth": tpath.name}}}
            addresses = [s.address for s in radio.sensors]
        elif extra:
            kw = {"meta": extra}
        targets = [Target(p, a) for (p, _), a in zip(targets_in, addresses, strict=True)]
        rec = Recorder(targets, jpath, rate_hz=rate, acc_range_g=acc_range,
                       gyro_range_dps=gyro_range, **kw)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, rec.stop)
        show, ctx = _status_printer(quiet, balance)
        if not quiet:
            click.echo(f"recording {len(targets)} sensor(s) to {jpath} "
                       f"({'Ctrl-C' if duration is None else f'{duration:g} s'} to stop)",
                       err=True)
        try:
            with ctx:
                return await rec.run(duration, on_status=show)
        finally:
            if radio is not None:
                await radio.close()

    from gait.ble.live import LiveBalance

    balance = None if quiet else LiveBalance(jpath)
    states = _run_ble(main())
    errors = [s for s in states if s.error and not s.packets]
    if not jpath.exists() or all(s.packets == 0 for s in states):
        detail = "; ".join(f"{s.target.placement}: {s.error}" for s in errors) or "no data"
        jpath.unlink(missing_ok=True)  # nothing in it but the attempt
        raise click.ClickException(f"nothing recorded ({detail})")
    if balance is not None:  # the live line on the whole recording
        final = balance.final()
        if final is not None:
            click.echo(final.line() + " (end)", err=True)
    res = finalise(jpath, out)
    _print_summary(res)


def _empty_journal(path: Path) -> bool:
    """A journal with no samples and no damage (the recorder stopped before the first
    arrived); ``False`` for anything else, a file that is no journal included."""
    from gait.ble.journal import read_journal

    try:
        return read_journal(path).empty
    except GaitInputError:
        return False


def _parse_record_mounts(values: tuple[str, ...], placements: list[str]) -> dict[str, str]:
    """``--mount PLACEMENT=SPEC`` of gait record -> {placement: SPEC} (checked like gait
    report's; the placement must be one of the recorded sensors). One-line error, exit 2."""
    from gait.mount import MountError, parse_mount_arg

    out: dict[str, str] = {}
    for v in values:
        try:
            m = parse_mount_arg(v)
        except MountError as exc:
            raise GaitInputError(None, str(exc)) from None
        if m.placement not in placements:
            raise GaitInputError(None, f"--mount {v}: no --sensor {m.placement} is recorded",
                                 expected=f"one of {', '.join(placements)}")
        if m.placement in out:
            raise GaitInputError(None, f"--mount {m.placement} given twice")
        out[m.placement] = m.spec
    return out


def _print_summary(res: Any) -> None:
    click.echo(f"wrote {res.manifest}")
    for s in res.sensors:
        st = s.stats
        bad = sum(st["malformed"].values())
        click.echo(f"  {s.placement}: {st['samples']} samples at {st['rate_host_hz']:.3f} Hz, "
                   f"{st['samples_lost']} lost in {st['gaps']} gap(s) ({st['lost_pct']:.2f} %), "
                   f"{bad} malformed packet(s), clock drift {st['drift_ppm']:+.1f} ppm")
    for w in res.warnings:
        click.echo(f"  note: {w}")


@click.command()
@click.argument("journal", metavar="JOURNAL")
@click.argument("out", required=False, metavar="[OUT]")
def recover(journal: str, out: str | None) -> None:
    """Rebuild a recording from a recorder journal (after a crash or power loss).

    A killed recorder loses only the packets not yet received, a power loss at most the last
    0.5 s. A torn final record, and any damaged record (e.g. a flipped bit), is skipped and
    what it cost is listed; header and sensor records are written twice, so one damaged copy
    loses nothing. OUT defaults to the journal's name. Exit status 0 when a recording was
    written (or the journal is empty: nothing recorded, nothing written), 2 when nothing can
    be recovered.
    """
    from gait.ble.assemble import finalise
    from gait.ble.journal import read_journal

    if not Path(journal).is_file():
        raise GaitInputError(journal, "no such file", expected="a .gait.journal file")
    try:
        res = finalise(journal, out)
    except GaitInputError:
        if not read_journal(journal).empty:
            raise
        click.echo(f"{journal}: empty journal, no samples (the recorder stopped before the "
                   "first arrived): no recording written")
        return
    _print_summary(res)


COMMANDS = [scan, record, recover]
