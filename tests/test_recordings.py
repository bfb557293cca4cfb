"""The bundled demo recordings: they load, carry their truth, and are exactly what
``recordings/make.sh`` (the ``gait simulate`` CLI) produces."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

import gait

from .conftest import REPO
from .test_cli import run

RECORDINGS = REPO / "recordings"
MANIFESTS = sorted(RECORDINGS.glob("*.gait.json"))


def _commands() -> dict[str, list[str]]:
    """NAME -> gait simulate arguments, parsed from make.sh."""
    text = (RECORDINGS / "make.sh").read_text().replace("\\\n", " ")
    out = {}
    for line in text.splitlines():
        if line.strip().startswith("gait simulate"):
            args = shlex.split(line)[2:]
            out[args[0]] = args
    return out


def test_five_bundled_recordings() -> None:
    names = {m.name.removesuffix(".gait.json") for m in MANIFESTS}
    assert names == set(_commands())
    assert len(names) == 5


@pytest.mark.parametrize("manifest", MANIFESTS, ids=[m.name for m in MANIFESTS])
def test_bundled_recording_loads_with_truth(manifest: Path) -> None:
    rec = gait.load(manifest)
    truth = json.loads(manifest.with_name(manifest.name.replace(".gait.json", ".truth.json"))
                       .read_text())
    assert rec.source_format == "gait-simulate"
    assert set(truth["sensors"]) == set(rec.placements)
    assert len(truth["initial_contacts"]) > 40
    for s in rec.streams:
        assert s.sample_rate_hz == 100.0 and s.n_samples == 6000


@pytest.mark.parametrize("name", sorted(_commands()))
def test_bundled_recording_is_reproducible(tmp_path: Path, name: str) -> None:
    args = _commands()[name]
    r = run("simulate", str(tmp_path / name), *args[1:])
    assert r.returncode == 0, r.stderr
    for f in RECORDINGS.glob(f"{name}.*"):
        assert (tmp_path / f.name).read_bytes() == f.read_bytes(), f.name


def test_simulate_cli_rejects_bad_parameters(tmp_path: Path) -> None:
    r = run("simulate", str(tmp_path / "x"), "--stance-asym", "80")
    assert r.returncode == 2
    assert r.stderr.startswith("error: ") and len(r.stderr.strip().splitlines()) == 1
    r = run("simulate", str(tmp_path / "x"), "--turn", "abc")
    assert r.returncode == 2 and "--turn" in r.stderr
