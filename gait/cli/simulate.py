"""``gait simulate``: a simulated recording with exact truth, written as a gait recording.
"""

from __future__ import annotations

import json

import click

from gait.errors import GaitInputError


def _floats(value: str, n_min: int, n_max: int, opt: str) -> tuple[float, ...]:
    try:
        parts = tuple(float(x) for x in value.split(":"))
    except ValueError:
        parts = ()
    if not n_min <= len(parts) <= n_max:
        raise click.BadParameter(f"{value!r} (expected {n_min} to {n_max} numbers joined by ':')",
                                 param_hint=opt)
    return parts


SIM_PLACEMENTS = ("lower_back", "left_foot", "right_foot", "left_shank", "right_shank",
                  "left_pocket", "right_pocket", "pocket")


@click.command()
@click.argument("out", metavar="OUT")
@click.option("--duration", type=click.FloatRange(min=5), default=60.0, show_default=True,
              help="Length in seconds (a 24-hour file is streamed in bounded memory).")
@click.option("--gait", "gait_kind", type=click.Choice(["walk", "run"]), default="walk",
              show_default=True)
@click.option("--placement", "placements", multiple=True, type=click.Choice(SIM_PLACEMENTS),
              help="Sensor placement; repeat for several (default lower_back).")
@click.option("--cadence", type=click.FloatRange(min=20, max=260), help="Steps per minute.")
@click.option("--speed", type=click.FloatRange(min=0.2, max=8), help="Speed in m/s.")
@click.option("--pattern", type=click.Choice(["normal", "hemiparetic", "shuffling"]),
              default="normal", show_default=True,
              help="Gait pattern (walking): hemiparetic (stroke) or shuffling (Parkinsonian).")
@click.option("--affected-side", type=click.Choice(["left", "right"]), default="left",
              show_default=True,
              help="Paretic (hemiparetic) or more affected (shuffling) side.")
@click.option("--severity", default="moderate", show_default=True,
              help="Pattern severity: mild, moderate, severe or a number 0..1.")
@click.option("--hesitations", type=click.FloatRange(min=0, max=20), default=0.0,
              show_default=True, help="Brief stops (hesitations) per minute of walking.")
@click.option("--stance-asym", type=float, default=None,
              help="Stance-time symmetry index in % (positive: left longer) [default: 0, or "
                   "the pattern's].")
@click.option("--step-asym", type=float, default=None,
              help="Step-time symmetry index in % (positive: left longer) [default: 0, or the "
                   "pattern's].")
@click.option("--impact-asym", type=float, default=None,
              help="Heel-strike impact symmetry index in % (positive: left harder) [default: "
                   "0, or the pattern's].")
@click.option("--pelvic-drop-asym", type=float, default=None,
              help="Pelvic drop on the left leg minus on the right leg, degrees [default: 0].")
@click.option("--variability", type=click.FloatRange(min=0, max=20), default=None,
              help="Step-to-step coefficient of variation, % [default: 2, or the pattern's].")
@click.option("--noise", type=click.FloatRange(min=0), default=0.02, show_default=True,
              help="Accelerometer white noise SD, m/s^2 (gyroscope: 0.15 x this, rad/s).")
@click.option("--rate", "fs", type=click.FloatRange(min=20, max=2000), default=100.0,
              show_default=True, help="Sample rate, Hz.")
@click.option("--orientation", default=None,
              help="Sensor mounting: 'random' or Euler angles RX:RY:RZ in degrees.")
@click.option("--turn", "turns", multiple=True, metavar="START:ANGLE[:DUR]",
              help="A turn at START s by ANGLE deg (positive left); repeatable.")
@click.option("--pause", "pauses", multiple=True, metavar="START:DUR",
              help="Stand still from START s for DUR s; repeatable.")
@click.option("--clock-drift", type=float, default=0.0, show_default=True,
              help="Clock drift (ppm) of every sensor after the first.")
@click.option("--no-gyro", is_flag=True, help="Accelerometer only.")
@click.option("--back-pocket", is_flag=True,
              help="The one --placement left_pocket/right_pocket is a back trouser pocket (a "
                   "model: the pelvis's and the thigh's motion blended; not validated).")
@click.option("--side-check", type=click.Choice(["left", "right"]), default=None,
              help="Add the side-check gesture (three taps on that hip; the documented one is "
                   "left) in 6 s of standing before the walk (lower-back sensor).")
@click.option("--seed", type=int, default=0, show_default=True)
def simulate(out: str, duration: float, gait_kind: str, placements: tuple[str, ...],
             cadence: float | None, speed: float | None, pattern: str, affected_side: str,
             severity: str, hesitations: float, stance_asym: float | None, step_asym: float | None,
             impact_asym: float | None, pelvic_drop_asym: float | None,
             variability: float | None, noise: float, fs: float, orientation: str | None,
             turns: tuple[str, ...], pauses: tuple[str, ...], clock_drift: float, no_gyro: bool,
             back_pocket: bool, side_check: str | None, seed: int) -> None:
    """Write a synthetic walk or run with its ground truth.

    OUT names the recording: OUT.gait.json (manifest), OUT.<placement>.csv per sensor and
    OUT.truth.json (every initial and final contact per side, asymmetries as asked; with
    --pattern also the pattern, affected side and severity).
    """
    from gait.cli.demo import simulate_back_pocket_to_file, simulate_to_file

    orient: object = None
    if orientation:
        orient = "random" if orientation == "random" else _floats(orientation, 3, 3,
                                                                  "--orientation")
    write, target = simulate_to_file, {"placements": placements or ("lower_back",)}
    if back_pocket:
        if len(placements) != 1 or placements[0] not in ("left_pocket", "right_pocket"):
            raise GaitInputError(None, "--back-pocket needs exactly one --placement, "
                                 "left_pocket or right_pocket", where="--back-pocket")
        if side_check:
            raise GaitInputError(None, "--side-check is for a lower-back sensor, not a back "
                                 "pocket", where="--back-pocket")
        write = simulate_back_pocket_to_file
        target = {"side": "L" if placements[0] == "left_pocket" else "R"}
    try:
        manifest, truth = write(
            out, duration_s=duration, **target, gait=gait_kind,
            cadence_spm=cadence, speed_mps=speed, stance_asym_pct=stance_asym,
            step_asym_pct=step_asym, impact_asym_pct=impact_asym,
            pelvic_drop_asym_deg=pelvic_drop_asym, variability_pct=variability,
            noise=(noise, 0.15 * noise), fs=fs, orientation=orient,
            turns=[_floats(t, 2, 3, "--turn") for t in turns],
            pauses=[_floats(p, 2, 2, "--pause") for p in pauses],
            clock_drift_ppm=clock_drift, with_gyro=not no_gyro, seed=seed, pattern=pattern,
            affected_side=affected_side, severity=severity, hesitations_per_min=hesitations,
            **({"side_check": side_check, "stand_s": 6.0} if side_check else {}))
    except ValueError as exc:
        raise GaitInputError(None, str(exc).splitlines()[0], where="simulate parameters") \
            from None
    doc = json.loads(truth.read_text())
    summ = doc.get("summary", {})
    click.echo(f"wrote {manifest} and {truth}")
    n_ic = summ.get("n_initial_contacts", {})
    if pattern != "normal":
        pat = doc.get("params", {}).get("pattern", {})
        click.echo(f"  {pattern}, affected side {affected_side}, severity "
                   f"{pat.get('severity', float('nan')):g}; cadence "
                   f"{summ.get('cadence_spm') or float('nan'):.1f} steps/min, step SI "
                   f"{summ.get('step_symmetry_index_pct') or float('nan'):.2f} %")
    click.echo(f"  {gait_kind}, {duration:g} s at {fs:g} Hz, sensors: "
               f"{', '.join(placements or ('lower_back',))}; ICs L/R: "
               f"{n_ic.get('L', '?')}/{n_ic.get('R', '?')}; stance SI "
               f"{summ.get('stance_symmetry_index_pct', float('nan')):.2f} %")


COMMANDS = [simulate]
