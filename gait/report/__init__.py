"""Report writers for an analysis document (schema "gait-report/1", see ``jsonout``).

``render_text`` / ``render_text_str``: the 80-column terminal report (rich);
``render_html``: one self-contained HTML page with inline SVG plots;
``dumps`` / ``validate``: strict JSON and the schema check.
"""

from gait.report.html import render_html
from gait.report.jsonout import SCHEMA, dumps, validate
from gait.report.text import render_text, render_text_str

__all__ = ["SCHEMA", "dumps", "render_html", "render_text", "render_text_str", "validate"]
