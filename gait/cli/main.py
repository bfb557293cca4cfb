"""The command line: a thin click layer over the Python API.

Bad input exits with status 2 and one line ``error: <file>: <where>: <what> (expected ...)``.
Set ``GAIT_DEBUG=1`` to see tracebacks of internal errors.
"""

from __future__ import annotations

import os
import sys

import click

from gait.cli import analyse, guide, simulate
from gait.errors import GaitInputError
from gait.version import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gait")
def cli() -> None:
    """gait: left/right imbalance in walking and running from IMU recordings.

    A measuring tool, not a diagnosis.
    """


def register_optional_commands() -> None:
    """Commands that live with their feature's package (BLE recording, history, batch)."""
    import importlib

    for module in ("gait.ble.commands", "gait.cli.history"):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name is not None and module.startswith(exc.name):
                continue  # the feature is not built yet
            raise
        for command in mod.COMMANDS:
            cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Entry point: one-line errors, exit status 2 for bad input."""
    try:
        cli.main(args=argv, prog_name="gait", standalone_mode=False)
    except GaitInputError as exc:
        click.echo(f"error: {exc.one_line()}", err=True)
        sys.exit(2)
    except click.exceptions.Abort as exc:
        from gait.analysis.workers import Terminated

        term = isinstance(exc.__cause__, Terminated)
        click.echo("terminated" if term else "aborted", err=True)
        sys.exit(143 if term else 130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:
        if os.environ.get("GAIT_DEBUG"):
            raise
        click.echo(f"error: internal error: {type(exc).__name__}: {exc} "
                   "(please report it; GAIT_DEBUG=1 shows details)", err=True)
        sys.exit(1)
    sys.exit(0)


def _entry() -> None:  # pragma: no cover
    main()


for _module in (analyse, guide, simulate):
    for _command in _module.COMMANDS:
        cli.add_command(_command)
register_optional_commands()

if __name__ == "__main__":  # pragma: no cover
    main()
