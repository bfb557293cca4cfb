"""How to record a walk that ``gait report`` can judge: ``gait guide`` and the README's
"How to record".

The guide is numbered steps (:data:`STEPS`) and the settings of each supported phone app
(:data:`APPS`). Every undetermined verdict names its cause and the step that fixes it
(:func:`ref`, used by :mod:`gait.interpret`). What is known of each app's export is in
``gait/io/`` and the project's notes on phone apps; the settings here are the ones the
importers need: acceleration *with* gravity (the vertical is found from it), a gyroscope
(pelvic drop, the side check, foot contacts) and at least 100 Hz (contact timing, impact).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.table import Table
from rich.text import Text


@dataclass(frozen=True)
class Step:
    n: int
    key: str
    title: str
    lines: tuple[str, ...]


STEPS: tuple[Step, ...] = (
    Step(1, "app", "Set up the app", (
        "Sample rate 100 Hz or more (a 10 ms interval, or the fastest setting).",
        "Acceleration WITH gravity (raw accelerometer, g-force or total acceleration; not "
        "'linear acceleration' alone): gait finds the vertical from gravity.",
        "Gyroscope on: pelvic drop, the side check and foot contacts need it.",
        "Keep the screen on or the app in the foreground, so that no samples are lost.",
        "Your app's settings are in the table below.")),
    Step(2, "placement", "Put the sensor in its place", (
        "Best: a sensor on each foot or shank (their sides are known from where they are "
        "worn): gait report left_foot=L.csv right_foot=R.csv.",
        "One phone: at the lower back, centred on the spine at belt height, in a belt pouch "
        "or a tight waistband, strapped firmly; screen facing out, top edge up. Then say so: "
        "gait report lower_back=FILE --mount lower_back=screen-out,top-up.",
        "A phone in a trouser pocket gives cadence only, never the balance between the legs.")),
    Step(3, "stand", "Stand still for 5 seconds", (
        "Start the recording, then stand upright and still, feet side by side, for 5 s: the "
        "level of the pelvis (pelvic drop) is taken from it.",)),
    Step(4, "side_check", "Tap the left hip three times", (
        "Lower-back sensor only: still standing, tap the outside of your LEFT hip three "
        "times, firmly, with the flat of the hand, about two taps a second; then stand still "
        "for 2 more seconds. This tells gait which side is left (README: side check).",
        "Always the left hip; with a weak left arm, tap it with the right hand across the "
        "body.")),
    Step(5, "walk", "Walk for at least 2 minutes", (
        "Walk at your usual pace on level ground, in a straight line as much as you can "
        "(a corridor, a path, a track; turns are left out): at least 2 minutes, which gives "
        "more than 20 steps per leg even with turns.",
        "Wear your usual shoes and carry nothing on one shoulder or in one hand.",
        "Running works too (gait tells walking from running).")),
    Step(6, "export", "Stop, export and report", (
        "Stand still for a moment, stop the recording and export it as below (zip or CSV).",
        "Copy it to the computer and run: gait report FILE (gait info FILE shows what was "
        "recorded: rate, sensors, duration).")),
)

#: app -> (platforms, settings, export)
APPS: tuple[tuple[str, str, str, str], ...] = (
    ("phyphox", "Android, iOS",
     "a simple experiment (+) with Accelerometer and Gyroscope at 100 Hz or more; or the "
     "'Acceleration (with g)' experiment (no gyroscope: no pelvic drop or side check)",
     "menu > Export data > CSV (comma, decimal point): a zip"),
    ("Sensor Logger", "Android, iOS",
     "Accelerometer, Gravity and Gyroscope on (Android: TotalAcceleration too where offered); "
     "sampling 100 Hz (10 ms)",
     "the recording > Export > zipped CSV"),
    ("Physics Toolbox Sensor Suite", "Android, iOS",
     "Multi Record with g-Force meter and Gyroscope (not Linear Accelerometer alone); the "
     "fastest rate",
     "the saved CSV, shared from the app"),
    ("SensorLog", "iOS", "Accelerometer (raw) and Gyro on, 100 Hz",
     "CSV (one file or a zip), shared from the app"),
    ("AndroSensor", "Android",
     "accelerometer and gyroscope on; recording interval the shortest (10 ms or 'very "
     "fast': its default is far too slow)",
     "the CSV, shared from the app"),
    ("MATLAB Mobile", "Android, iOS",
     "Sensors: Acceleration and Angular Velocity on, sample rate 100 Hz, log to a file",
     "the sensorlog_*.mat from MATLAB Drive"),
)

_BY_KEY = {s.key: s for s in STEPS}


def step(key: str) -> Step:
    """The guide's step of ``key`` (``app``, ``placement``, ``stand``, ``side_check``,
    ``walk``, ``export``)."""
    return _BY_KEY[key]


def ref(key: str) -> str:
    """``gait guide, step 5: Walk for at least 2 minutes``."""
    s = _BY_KEY[key]
    return f"gait guide, step {s.n}: {s.title}"


def render_guide(con: Console) -> None:
    """The guide in the terminal (80 columns)."""
    con.print(Text("How to record a walk for gait report", style="bold"))
    for s in STEPS:
        con.print()
        con.print(Text(f"{s.n}. {s.title}", style="bold cyan"))
        grid = Table.grid(padding=(0, 1, 0, 2))
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1)
        for line in s.lines:
            grid.add_row("-", Text(line))
        con.print(grid)
    con.print()
    con.print(Text("The apps: settings and export", style="bold cyan"))
    for app, platforms, settings, export in APPS:
        con.print(Text.assemble((app, "bold"), f" ({platforms})"))
        grid = Table.grid(padding=(0, 1, 0, 2))
        grid.add_column(no_wrap=True, style="dim")
        grid.add_column(ratio=1)
        grid.add_row("settings", Text(settings))
        grid.add_row("export", Text(export))
        con.print(grid)
    con.print(Text("A BLE sensor: gait scan, then gait record --sensor PLACEMENT=ADDRESS OUT "
                   "(README: gait record).", style="dim"))
