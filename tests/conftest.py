"""Shared test fixtures: where ../shared/validation is, and a skip when it is not there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("GAIT_SHARED", REPO.parent / "shared")).resolve()
VALIDATION = SHARED / "validation"
PHONE = VALIDATION / "phone_exports"

needs_shared = pytest.mark.skipif(
    not VALIDATION.is_dir(),
    reason=f"../shared/validation not found at {VALIDATION} (only in the project's workspace/CI)",
)


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
