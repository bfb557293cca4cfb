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

#: modules of the commands that live with their feature's package (BLE recording, history,
#: batch): imported when one of their commands is asked for, or the list of commands (asyncio,
#: the history's report writers and rich's tables are not loaded by ``gait report``)
OPTIONAL_MODULES = ("gait.ble.commands", "gait.cli.history")


class _Group(click.Group):
    """The ``gait`` group: the optional commands (:data:`OPTIONAL_MODULES`) are registered on
    first need."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            register_optional_commands()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        register_optional_commands()
        return super().list_commands(ctx)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gait")
def cli() -> None:
    """gait: left/right imbalance in walking and running from IMU recordings.

    A measuring tool, not a diagnosis.
    """


_registered: list[str] = []


def register_optional_commands() -> None:
    """Commands that live with their feature's package (BLE recording, history, batch); once."""
    import importlib

    if _registered:
        return
    _registered.append("done")
    for module in OPTIONAL_MODULES:
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name is not None and module.startswith(exc.name):
                continue  # the feature is not built yet
            raise
        for command in mod.COMMANDS:
            cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Entry point: one-line errors, exit status 2 for bad input.

    Raises SystemExit. Without ``argv`` (the process's own command line) the allocator is
    tuned for the analysis (:func:`gait.analysis.workers.tune_allocator`) and a command that
    succeeded also registers :func:`_exit_now`, which ends the ``gait`` program, once it
    exits, without the interpreter's teardown.
    """
    if argv is None:  # the process's own command line: the gait program
        from gait.analysis.workers import tune_allocator

        tune_allocator()
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
    if argv is None:
        import atexit

        atexit.register(_exit_now)  # the last registered: the first to run at exit
    sys.exit(0)


def _exit_now() -> None:
    """At the exit of the ``gait`` program (the ``gait`` script or ``python -m gait`` as the
    process's main module, after a command that succeeded: status 0) end the process at once,
    stdout and stderr flushed, instead of tearing the interpreter down (freeing every module
    and array: ~0.05-0.1 s after an analysis). Does nothing where something else could still
    need the teardown: another main module (gait run from a script), another thread, a child
    process."""
    import threading

    workers = sys.modules.get("gait.analysis.workers")
    if workers is not None:
        workers.finish_shutdowns()  # their exit overlapped the report's writing
    main_mod = sys.modules.get("__main__")
    spec = getattr(main_mod, "__spec__", None)
    program = (spec.name == "gait.__main__" if spec is not None
               else os.path.basename(getattr(main_mod, "__file__", "") or "") in ("gait",
                                                                                  "gait.exe"))
    if not program or threading.active_count() > 1:
        return
    mp = sys.modules.get("multiprocessing")
    if mp is not None and mp.active_children():
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: the usual exit reports it
        return
    os._exit(0)


def _entry() -> None:  # pragma: no cover
    main()


for _module in (analyse, guide, simulate):
    for _command in _module.COMMANDS:
        cli.add_command(_command)

if __name__ == "__main__":  # pragma: no cover
    main()
