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
