"""A sample of benchmarks/fuzz_exports.py: mutated phone exports end in a report or a one-line
error, never a traceback, an internal error, an abort, 10 s of CPU or 500 MB."""

from __future__ import annotations

from pathlib import Path

from .conftest import benchmark_module


def test_fuzzed_exports_sample(phone_exports: Path, tmp_path: Path) -> None:
    fz = benchmark_module("fuzz_exports")
    res = fz.fuzz(16, seed=20, jobs=2, work=tmp_path, root=phone_exports, progress=False)
    assert len(res) == 16
    kinds = {o.kind for o in res}
    assert kinds <= {"ok", "input error"}, [
        (o.kind, o.case.source, o.case.mutation, o.detail) for o in res
        if o.kind not in ("ok", "input error")]
    assert max(o.mb for o in res) > 50  # the memory of the child process was measured
