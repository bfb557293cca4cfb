"""Shared test fixtures: where ../shared/validation is, and a skip when it is not there."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("GAIT_SHARED", REPO.parent / "shared")).resolve()
VALIDATION = SHARED / "validation"
PHONE = VALIDATION / "phone_exports"

needs_shared = pytest.mark.skipif(
    not VALIDATION.is_dir(),
    reason=f"../shared/validation not found at {VALIDATION} (only in the project's workspace/CI)",
)


def benchmark_module(name: str) -> ModuleType:
    """A script of ``benchmarks/`` imported as a module (they are not a package)."""
    spec = importlib.util.spec_from_file_location(f"_gait_bench_{name}",
                                                  REPO / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def phone_exports() -> Path:
    if not PHONE.is_dir():
        pytest.skip(f"phone exports not found at {PHONE} (only in the project's workspace/CI)")
    return PHONE


@pytest.fixture(autouse=True)
def _private_history(tmp_path_factory: pytest.TempPathFactory,
                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Walks stored by 'gait report' in tests go to a temporary database, never the user's."""
    monkeypatch.setenv("GAIT_HISTORY_DB",
                       str(tmp_path_factory.mktemp("history") / "history.sqlite"))


@pytest.fixture(autouse=True)
def _written_reports_validate(monkeypatch: pytest.MonkeyPatch,
                              request: pytest.FixtureRequest) -> None:
    """Every report document a test writes in this process (``jsonout.dumps`` / ``dump``, which
    ``gait report --json`` and the writers use) is checked against the JSON Schema first
    (gait/report/schema/report.schema.json); tests of the CLI validate what its process
    writes. Tests of the JSON writer on hostile content outside the schema are marked
    ``any_document``."""
    if request.node.get_closest_marker("any_document"):
        return
    from gait.parameters import SCHEMA
    from gait.report import jsonout, validation

    pieces = jsonout._pieces

    def checked(doc: Any, indent: int) -> Any:
        if isinstance(doc, jsonout.Report) or (
                isinstance(doc, dict) and doc.get("schema") == SCHEMA):
            validation.validate(doc)
        return pieces(doc, indent)

    monkeypatch.setattr(jsonout, "_pieces", checked)
