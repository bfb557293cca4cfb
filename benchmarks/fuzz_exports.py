"""Fuzzed phone exports: no traceback, no internal error, no abort, no run over 10 s or 500 MB.

Run: ``python benchmarks/fuzz_exports.py [--n 1000] [--seed 0] [--jobs 2] [--keep DIR]``.
Each case is one export of ``../shared/validation/phone_exports`` (a CSV, a zip, a .mat or an
export folder) with one mutation (truncation, flipped bytes, lines dropped, repeated or swapped,
a bad cell, a broken header, another delimiter or line ending, a time shifted by a pause or an
absurd amount, a member of a zip or folder mutated or removed, ...), written to a temporary
folder and given to ``gait info`` or ``gait report PLACEMENT=PATH`` in a fresh process. Each run
is classified by its exit status and stderr: ``ok`` (0), ``input error`` (2, one line), and the
failures ``traceback``, ``internal error`` (1), ``abort`` (killed by a signal, e.g. 134),
``slow`` (over 10 s of CPU), ``memory`` (over 500 MB peak RSS) and ``other``. Prints the counts, the
maximum time and memory, and each failure's case (``--keep`` keeps the files).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PHONE = Path(os.environ.get("GAIT_SHARED", REPO.parent / "shared")) / "validation" / \
    "phone_exports"
MAX_S = 10.0
MAX_MB = 500.0
PLACEMENTS = ("lower_back", "right_pocket", "left_foot")
BAD_CELLS = [b"", b"NaN", b"1e308", b"-1e308", b"inf", b"abc", b"1,5", b"99999999999999999999999",
             b"0x10", b'"', b"\x00", b"-", b"1e-320", b"  ", b"1.2.3", b"\xff\xfe"]
SHIFTS = [3600.0, 86400.0, 1e9, -1e6, 1e15, 0.5]


# --- mutations of a file's bytes -------------------------------------------------------------

def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _truncate(d: bytes, r: random.Random) -> bytes:
    return d[: r.randrange(len(d) + 1)]


def _flip(d: bytes, r: random.Random) -> bytes:
    b = bytearray(d)
    for _ in range(r.choice([1, 3, 20])):
        if b:
            b[r.randrange(len(b))] = r.randrange(256)
    return bytes(b)


def _drop_lines(d: bytes, r: random.Random) -> bytes:
    ls = _lines(d)
    i = r.randrange(len(ls))
    return b"\n".join(ls[:i] + ls[i + r.choice([1, 1, 5, 500]):])


def _repeat_lines(d: bytes, r: random.Random) -> bytes:
    ls = _lines(d)
    i = r.randrange(len(ls))
    block = ls[i:i + r.choice([1, 10, 100])]
    return b"\n".join(ls[:i] + block * r.choice([2, 10, 200]) + ls[i:])


def _swap_lines(d: bytes, r: random.Random) -> bytes:
    ls = _lines(d)
    i, j = r.randrange(len(ls)), r.randrange(len(ls))
    ls[i], ls[j] = ls[j], ls[i]
    return b"\n".join(ls)


def _split_fields(line: bytes) -> tuple[bytes, list[bytes]]:
    for sep in (b",", b";", b"\t"):
        if sep in line:
            return sep, line.split(sep)
    return b",", [line]


def _bad_cell(d: bytes, r: random.Random) -> bytes:
    ls = _lines(d)
    for _ in range(r.choice([1, 1, 50])):
        i = r.randrange(min(len(ls), 3), len(ls)) if len(ls) > 3 else 0
        sep, f = _split_fields(ls[i])
        f[r.randrange(len(f))] = r.choice(BAD_CELLS)
        ls[i] = sep.join(f)
    return b"\n".join(ls)


def _header(d: bytes, r: random.Random) -> bytes:
    ls = _lines(d)
    i = next((k for k, line in enumerate(ls[:40]) if r.random() < 0.5), 0)
    sep, f = _split_fields(ls[i])
    op = r.choice(["drop", "dup", "rename", "empty"])
    k = r.randrange(len(f))
    if op == "drop":
        del f[k]
    elif op == "dup":
        f.insert(k, f[k])
    elif op == "rename":
        f[k] = r.choice([b"x", b"time", b"seconds_elapsed", b'"Time (s)"', b"ax", b""])
    else:
        f = [b""]
    ls[i] = sep.join(f)
    return b"\n".join(ls)


def _delimiter(d: bytes, r: random.Random) -> bytes:
    return d.replace(b",", r.choice([b";", b"\t", b"|", b" ", b",,"]))


def _line_endings(d: bytes, r: random.Random) -> bytes:
    return d.replace(b"\n", r.choice([b"\r\n", b"\r", b"\n\n", b"\n \n"]))


def _shift_time(d: bytes, r: random.Random) -> bytes:
    """Add an offset (a pause, or an absurd amount) to the first number of a run of lines."""
    ls = _lines(d)
    i = r.randrange(len(ls))
    n = r.choice([1, 10, len(ls)])
    shift = r.choice(SHIFTS)
    for k in range(i, min(i + n, len(ls))):
        sep, f = _split_fields(ls[k])
        for j in range(min(2, len(f))):
            try:
                v = float(f[j].strip(b'" '))
            except ValueError:
                continue
            scale = 1e9 if abs(v) > 1e15 else 1.0  # ns epochs
            f[j] = repr(v + shift * scale).encode()
            break
        ls[k] = sep.join(f)
    return b"\n".join(ls)


def _prefix(d: bytes, r: random.Random) -> bytes:
    return r.choice([b"\xef\xbb\xbf", b"\xff\xfe", b"garbage line\n", b"\n\n\n", b"PK\x03\x04",
                     b"\x00" * 64]) + d


def _empty(d: bytes, r: random.Random) -> bytes:
    return r.choice([b"", b"\n", d[: d.find(b"\n") + 1]])


TEXT: list[Callable[[bytes, random.Random], bytes]] = [
    _truncate, _flip, _drop_lines, _repeat_lines, _swap_lines, _bad_cell, _bad_cell, _header,
    _delimiter, _line_endings, _shift_time, _shift_time, _prefix, _empty]
BINARY: list[Callable[[bytes, random.Random], bytes]] = [_truncate, _flip, _flip, _prefix, _empty]


# --- cases ---------------------------------------------------------------------------------------

@dataclass
class Case:
    index: int
    source: str  # the export, relative to phone_exports
    mutation: str
    path: Path  # what is given to gait
    command: list[str]


def seeds(root: Path = PHONE) -> list[Path]:
    """The exports: each app folder's single files and export folders."""
    out = []
    for app in sorted(p for p in root.iterdir() if p.is_dir()):
        for e in sorted(app.iterdir()):
            files = [f for f in e.iterdir() if f.is_file()] if e.is_dir() else [e]
            single = [f for f in files if f.suffix.lower() in (".zip", ".mat")]
            if e.is_dir() and single:
                out += single
            if e.is_dir() and any(f.suffix.lower() == ".csv" for f in files):
                out.append(e)
    return out


def _mutate_text_or_binary(data: bytes, name: str, r: random.Random) -> tuple[bytes, str]:
    ops = BINARY if name.lower().endswith(".mat") else TEXT
    op = r.choice(ops)
    return op(data, r), op.__name__.lstrip("_")


def make_case(i: int, src: Path, work: Path, r: random.Random, root: Path = PHONE) -> Case:
    """Case ``i``: ``src`` copied into ``work`` with one mutation."""
    dest = work / f"case{i:04d}"
    dest.mkdir(parents=True)
    if src.is_dir():
        out = dest / src.name
        shutil.copytree(src, out)
        for f in out.rglob("*"):
            f.chmod(0o644 if f.is_file() else 0o755)
        members = sorted(f for f in out.rglob("*") if f.is_file())
        m = r.choice(members)
        if r.random() < 0.1:
            m.unlink()
            what = f"{m.relative_to(out)} removed"
        else:
            data, op = _mutate_text_or_binary(m.read_bytes(), m.name, r)
            m.write_bytes(data)
            what = f"{m.relative_to(out)}: {op}"
        # a single CSV of the folder or the folder itself
        target = out if r.random() < 0.7 else r.choice(
            [f for f in out.rglob("*.csv")] or [out])
    elif src.suffix.lower() == ".zip" and r.random() < 0.6:
        target = dest / src.name
        with zipfile.ZipFile(src) as zin:
            infos = [z for z in zin.infolist() if not z.is_dir()]
            victim = r.choice(infos)
            what = f"{victim.filename} removed from the zip"
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
                for z in infos:
                    data = zin.read(z)
                    if z.filename == victim.filename:
                        if r.random() < 0.1:
                            continue
                        data, op = _mutate_text_or_binary(data, z.filename, r)
                        what = f"{victim.filename} in the zip: {op}"
                    zout.writestr(z.filename, data)
        target.write_bytes(buf.getvalue())
    else:
        target = dest / src.name
        data, op = _mutate_text_or_binary(src.read_bytes(), src.name, r)
        target.write_bytes(data)
        what = op
    if r.random() < 0.4:
        cmd = ["info", str(target)]
    else:
        cmd = ["report", f"{r.choice(PLACEMENTS)}={target}", "--no-history", "--json", "-"]
    return Case(i, str(src.relative_to(root)), what, target, cmd)


@dataclass
class Outcome:
    case: Case
    kind: str
    seconds: float
    cpu: float
    mb: float
    detail: str


def run_case(case: Case, env: dict[str, str], timeout: float = 60.0) -> Outcome:
    """Run one case in a fresh process: its outcome, wall and CPU time and peak memory (the
    process's own rusage). Slow means over 10 s of CPU (wall time depends on the machine's
    load; both are printed)."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "gait", *case.command], env=env,
                                stdout=subprocess.DEVNULL, stderr=err)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - t0 > timeout:
                proc.kill()
                _, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        took = time.perf_counter() - t0
        proc.returncode = rc = os.waitstatus_to_exitcode(status)
        cpu, mb = usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024
        err.seek(0)
        text = err.read().decode("utf-8", errors="replace")
    last = text.strip().splitlines()[-1] if text.strip() else ""
    if "Traceback" in text:
        kind = "traceback"
    elif rc < 0 or rc == 134:
        kind = "abort"
    elif rc == 1 and "internal error" in text:
        kind = "internal error"
    elif cpu > MAX_S or took > timeout:
        kind = "slow"
    elif mb > MAX_MB:
        kind = "memory"
    elif rc == 0:
        kind = "ok"
    elif rc == 2 and text.count("\n") == 1 and text.startswith("error: "):
        kind = "input error"
    else:
        kind = "other"
    return Outcome(case, kind, took, cpu, mb, f"exit {rc}: {last[:300]}")


FAILURES = ("traceback", "internal error", "abort", "slow", "memory", "other")


def fuzz(n: int, seed: int, jobs: int, work: Path, root: Path = PHONE,
         progress: bool = True) -> list[Outcome]:
    """``n`` cases from the exports under ``root``, run ``jobs`` at a time."""
    r = random.Random(seed)
    sources = seeds(root)
    cases = [make_case(i, r.choice(sources), work, r, root) for i in range(n)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("GAIT_DEBUG", None)
    out: list[Outcome] = []
    with ThreadPoolExecutor(jobs) as ex:
        for o in ex.map(lambda c: run_case(c, env), cases):
            out.append(o)
            if progress and len(out) % 50 == 0:
                print(f"  {len(out)} / {n}", file=sys.stderr, flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="cases (default 1000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2, help="cases run at once (default 2)")
    ap.add_argument("--keep", type=Path, default=None, help="write the cases here and keep them")
    args = ap.parse_args(argv)
    if not PHONE.is_dir():
        print(f"phone exports not found at {PHONE}")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        t0 = time.perf_counter()
        res = fuzz(args.n, args.seed, args.jobs, work)
        wall = time.perf_counter() - t0
        counts = Counter(o.kind for o in res)
        print(f"{len(res)} fuzzed exports from {len(seeds())} originals (seed {args.seed}) in "
              f"{wall:.0f} s, {args.jobs} at a time; load average {os.getloadavg()[0]:.1f}")
        print("outcomes: " + ", ".join(f"{k} {v}" for k, v in counts.most_common()))
        slowest = max(res, key=lambda o: o.cpu)
        biggest = max(res, key=lambda o: o.mb)
        print(f"max CPU time {slowest.cpu:.2f} s (case {slowest.case.index}, "
              f"{slowest.case.source}: {slowest.case.mutation}); max wall time "
              f"{max(o.seconds for o in res):.2f} s; max memory {biggest.mb:.0f} MB "
              f"(case {biggest.case.index}, {biggest.case.source}: {biggest.case.mutation})")
        bad = [o for o in res if o.kind in FAILURES]
        for o in bad:
            print(f"{o.kind}: case {o.case.index} {o.case.source} ({o.case.mutation}); gait "
                  f"{' '.join(o.case.command[:1])}: {o.seconds:.1f} s ({o.cpu:.1f} s CPU), "
                  f"{o.mb:.0f} MB, "
                  f"{o.detail}")
        print(f"failures: {len(bad)}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
