"""The command line (click): one module per group of commands.

* :mod:`~gait.cli.main`: the ``gait`` group and its entry point (one-line errors, exit 2);
* :mod:`~gait.cli.analyse`: ``gait info``, ``gait events``, ``gait report``;
* :mod:`~gait.cli.history`: ``gait history``, ``gait batch``;
* :mod:`~gait.cli.simulate`: ``gait simulate``; :mod:`~gait.cli.guide`: ``gait guide``,
  ``gait formats``; :mod:`~gait.cli.demo`: the bundled recording of the README's demo;
* :mod:`~gait.cli.options`: what the commands share. ``gait record`` and the other BLE
  commands live with their feature, in :mod:`gait.ble.commands`.
"""

from gait.cli.main import cli, main

__all__ = ["cli", "main"]
