"""Loading MATLAB timetables through mat-io (``from matio import load_from_mat``),
which returns them as pandas DataFrames: in-process for a file whose every byte passed a checksum
(:mod:`gait.io.mat_v5`), otherwise in a child process under an address-space limit and a
timeout (a damaged MCOS subsystem made mat-io allocate 12.8 GB or loop for minutes).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import warnings as pywarnings
from typing import TYPE_CHECKING, Any

from gait.errors import GaitInputError
from gait.io.base import Container
from gait.io.mat_v5 import short_error

if TYPE_CHECKING:
    from gait.io.mat_v5 import MatInfo

ISOLATED_TIMEOUT_S = 20.0  # + 2 s per MB: mat-io in a child process (see _load_isolated)



_TZ_RE = re.compile(r"timezone '\[?'?([^'\]\s]+)")


def zone_from_warnings(msgs: list[str]) -> str | None:
    """The time zone mat-io reports dropping (``saved with timezone 'Europe/Athens'``)."""
    for m in msgs:
        hit = _TZ_RE.search(m)
        if hit and "MATLAB datetime" in m:
            return hit.group(1)
    return None


# mat-io in a child process, for files whose bytes no checksum vouches for (uncompressed or
# HDF5 arrays): a damaged subsystem there can make mat-io allocate tens of GB or loop for
# minutes. The child runs under an address-space limit and a timeout and sends back only the
# DataFrames (pickled; the child is our own code) and the type names of anything else.
_CHILD = r"""
import pickle, sys, warnings
try:
    import resource
    lim = int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
except Exception:
    pass
from matio import load_from_mat
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    out = load_from_mat(sys.argv[1], variable_names=sys.argv[3].split(","))
frames = {k: v for k, v in out.items() if type(v).__name__ == "DataFrame"}
others = {k: type(v).__name__ for k, v in out.items() if k not in frames}
sys.stdout.buffer.write(pickle.dumps((frames, others, [str(w.message) for w in caught])))
"""


class Foreign:
    """Stand-in for a variable the child could not send (only its type name matters)."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name


def load_tables(c: Container, data: bytes, info: MatInfo, names: list[str], path: str
                ) -> tuple[dict[str, Any], list[str]]:
    """mat-io on the file (via a temporary copy for zip/folder members); any failure ->
    GaitInputError. Returns (variables, mat-io warning texts)."""
    try:
        with pywarnings.catch_warnings():
            # mat-io sets pandas' future.infer_string option on import (a no-op warning on
            # pandas >= 3, a process-wide string-dtype switch on pandas 2).
            pywarnings.simplefilter("ignore")
            import matio  # noqa: F401
    except ImportError:  # pragma: no cover - a declared dependency
        raise GaitInputError(path, "reading MATLAB files needs the 'mat-io' package",
                             expected="pip install mat-io") from None
    tmp = None
    if c.is_zip or c.is_dir:
        fd, tmp = tempfile.mkstemp(suffix=".mat")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        file_path = tmp
    else:
        file_path = str(c.path)
    try:
        if info.version == 1 and info.all_compressed:
            return _load_here(file_path, names, path)
        return _load_isolated(file_path, len(data), names, path)
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _load_here(file_path: str, names: list[str], path: str
               ) -> tuple[dict[str, Any], list[str]]:
    from matio import load_from_mat

    try:
        with pywarnings.catch_warnings(record=True) as caught:
            pywarnings.simplefilter("always")
            out = load_from_mat(file_path, variable_names=list(names))
        return out, [str(w.message) for w in caught]
    except Exception as exc:  # mat-io raises many types on damaged input
        raise GaitInputError(path, f"cannot decode the MAT-file ({short_error(exc)})",
                             expected="a complete MAT-file as saved by MATLAB Mobile") from None


def _load_isolated(file_path: str, size: int, names: list[str], path: str
                   ) -> tuple[dict[str, Any], list[str]]:
    import pickle
    import subprocess
    import sys

    limit = 3 * 2**30 + 40 * size
    timeout = ISOLATED_TIMEOUT_S + 2.0 * size / 2**20
    expected = "a complete MAT-file as saved by MATLAB Mobile"
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD, file_path, str(limit), ",".join(names)],
            capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise GaitInputError(path, f"mat-io did not finish decoding within {timeout:.0f} s "
                                   "(the file is probably damaged)", expected=expected) from None
    except OSError as exc:
        raise GaitInputError(path, f"cannot start the MAT-file decoder ({exc})",
                             expected=expected) from None
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        why = lines[-1][:160] if lines else f"exit status {proc.returncode}"
        if proc.returncode < 0:
            why = f"the decoder crashed (signal {-proc.returncode})"
        raise GaitInputError(path, f"cannot decode the MAT-file ({why})", expected=expected)
    try:
        frames, others, msgs = pickle.loads(proc.stdout)
    except Exception as exc:
        raise GaitInputError(path, f"cannot decode the MAT-file ({short_error(exc)})",
                             expected=expected) from None
    out: dict[str, Any] = dict(frames)
    out.update({k: Foreign(v) for k, v in others.items()})
    return out, list(msgs)
