"""Report writers for an analysis document (schema "gait-report/1", see ``jsonout`` and
``validation``).

``render_text`` / ``render_text_str``: the 80-column terminal report (rich);
``render_html``: one self-contained HTML page with inline SVG plots;
``dumps`` / ``validate`` / ``loads`` / ``schema``: strict JSON, the check against the JSON
Schema ``schema/report.schema.json`` (shipped in this package), reading a report back.

The writers are imported on first use (``gait.report.jsonout`` alone does not load rich).
Plots are drawn by :mod:`gait.report.svg` (plain SVG strings, no plotting library).
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {"SCHEMA": "validation", "dumps": "jsonout", "validate": "validation",
          "loads": "validation", "schema": "validation",
          "render_html": "html", "render_text": "text", "render_text_str": "text"}

__all__ = ["SCHEMA", "dumps", "loads", "render_html", "render_text", "render_text_str", "schema",
           "validate"]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"gait.report.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'gait.report' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
