"""``gait guide`` (how to record) and ``gait formats`` (the file formats ``gait`` reads).
"""

from __future__ import annotations

import click

FORMATS = [
    ("phyphox", "Android, iOS", "CSV (comma/semicolon/tab, decimal comma), zip with meta/",
     "Acceleration with g, Linear acceleration, Gyroscope, simple multi-sensor experiments"),
    ("Sensor Logger", "Android, iOS", "zip or folder of CSVs + Metadata.csv (schema v2, v3)",
     "Accelerometer + Gravity (or TotalAcceleration), Gyroscope; iOS signs, standardisation"),
    ("Physics Toolbox Sensor Suite", "Android, iOS", "CSV (all header variants)",
     "g-force, linear acceleration, gyroscope; wall-clock or relative time"),
    ("SensorLog", "iOS, watchOS", "CSV or zip", "accelerometer (G), gyro, motion*"),
    ("MATLAB Mobile", "Android, iOS", ".mat (timetables)", "Acceleration, AngularVelocity"),
    ("AndroSensor", "Android", "CSV (, or ;)", "accelerometer, gravity, linear acc., gyroscope"),
    ("MbientLab MetaBase", "wearable", "CSV per sensor", "accelerometer (g), gyroscope (deg/s)"),
    ("generic CSV", "any", "time_s,ax,ay,az[,gx,gy,gz]",
     "m/s^2, rad/s, s by default; --columns, --acc-unit, --gyr-unit, --time-unit"),
    ("gait recording", "gait", "NAME.gait.json + one CSV per sensor",
     "written by gait simulate and gait record"),
]


@click.command()
def guide() -> None:
    """How to record a walk: app settings, where the sensor goes, the side check, standing
    still, walking two minutes, exporting."""
    from rich.console import Console

    from gait.interpret.guide import render_guide

    render_guide(Console(highlight=False))


@click.command()
def formats() -> None:
    """List the supported input formats."""
    from rich.console import Console
    from rich.table import Table

    con = Console()
    t = Table(header_style="bold")
    for c in ("format", "platforms", "files", "sensors / notes"):
        t.add_column(c)
    for row in FORMATS:
        t.add_row(*row)
    con.print(t)


COMMANDS = [guide, formats]
