"""A sensor's mounting as the user states it: which device axes point up and forward.

A lower-back sensor's body frame is otherwise inferred (:func:`gait.preprocess.to_body`: up from
gravity, forward from the step-periodic horizontal direction and its sign from the phase of
forward versus vertical acceleration, Zijlstra & Hof 2003) and its steps' sides from the
pelvis's rotation pattern (:mod:`gait.events.lower_back`). Both are inference and either can
be wrong for a whole walk. With ``--mount PLACEMENT=SPEC`` the user states the mounting; up
and forward are then geometry (checked against gravity) and left = up x forward.

Device frame
------------
The canonical frame of :mod:`gait.recording` (the Android convention): x to the right of the
screen, y towards the top edge, z out of the screen, right-handed. iOS exports whose
acceleration has the opposite sign (CoreMotion) are converted to this sign by the importers
(:mod:`gait.io.sensor_logger`, :mod:`gait.io.sensorlog`, ...), and the physical axes are the
same on both platforms, so one SPEC holds for any phone. The open BLE sensor's frame is the
one printed on its case (``firmware_specs/gait_imu_profile.toml``, table ``mount``).

SPEC
----
Two comma-separated statements about two different device axes:

* an axis: ``x-up``, ``-y-forward`` ... ``AXIS-DIRECTION`` with AXIS one of ``x y z`` (a leading
  ``-`` for the negative axis) and DIRECTION one of ``up down forward backward left right``
  (the wearer's directions);
* a face or an edge of a phone or of the gait IMU case: ``screen-out`` / ``screen-in`` (the
  screen, +z, faces away from / towards the body; at the lower back "out" is backwards),
  ``top-up`` / ``top-down`` / ``top-left`` / ``top-right`` (the top edge, +y); the gait IMU's
  ``lid`` (+z, the face with the printed axes) and ``top`` edge (+y) likewise.

Examples: a phone in a belt pouch on the lower back, screen outwards, top up:
``lower_back=screen-out,top-up`` (x right, y up, z backwards); the Mobilise-D / APDM frame of the
mobgap and trojaniello2014 lower-back sensors: ``lower_back=x-up,z-forward`` (y right).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from gait.recording import PLACEMENTS, Recording

#: placements whose detector uses a stated mount (feet, shanks and pockets of a known side
#: take their side from the placement)
MOUNT_PLACEMENTS = ("lower_back",)
#: largest angle (deg) between the stated up and the recording's mean acceleration: half-way
#: between two device axes, so a wrong axis (90 deg) or a flipped one (180 deg) is caught and a
#: sensor tilted up to 45 deg on the sacrum (voisard2023: 36 deg) is not
MAX_TILT_DEG = 45.0
DIRECTIONS = {"up": "U", "down": "-U", "forward": "F", "backward": "-F", "left": "L",
              "right": "-L"}
#: faces (normal axis) and their in/out direction at the lower back: "out" = away from the body
FACES = {"screen": "+z", "lid": "+z"}
FACE_SIDES = {"out": "backward", "in": "forward"}
EDGES = {"top": "+y"}
EDGE_DIRS = ("up", "down", "left", "right")
ACCEPTED = ("AXIS-DIR (AXIS x,y,z,-x,-y,-z; DIR up,down,forward,backward,left,right), "
            "screen-out, screen-in, lid-out, lid-in, top-up, top-down, top-left, top-right; "
            "two of them for two different axes, e.g. screen-out,top-up or x-up,z-forward")


class MountError(ValueError):
    """A SPEC that cannot be parsed, or a mount contradicted by gravity (one line)."""


@dataclass(frozen=True)
class Mount:
    """Device-frame unit vectors of the wearer's up and forward for one placement."""

    placement: str
    spec: str
    up: np.ndarray
    forward: np.ndarray
    #: where the mount was stated, for the notes ("" for ``--mount``; e.g. "from the
    #: recording's manifest")
    origin: str = ""
    #: a manifest's mount: the file and field it came from (its errors name them)
    field: str = ""

    @property
    def left(self) -> np.ndarray:
        """Device-frame unit vector of the wearer's left (up x forward)."""
        return np.cross(self.up, self.forward)

    def describe(self) -> str:
        """The stated axes in words, e.g. ``"up = +x, forward = +z, left = -y"``."""
        return f"up = {_axis_name(self.up)}, forward = {_axis_name(self.forward)}, " \
               f"left = {_axis_name(self.left)}"


def _axis_name(v: np.ndarray) -> str:
    k = int(np.argmax(np.abs(v)))
    if abs(abs(v[k]) - 1.0) < 1e-9:
        return f"{'+' if v[k] > 0 else '-'}{'xyz'[k]}"
    return "(" + ", ".join(f"{c:+.2f}" for c in v) + ")"


def _axis_vec(name: str) -> np.ndarray:
    sign = -1.0 if name.startswith("-") else 1.0
    v = np.zeros(3)
    v["xyz".index(name.lstrip("+-"))] = sign
    return v


def _statement(term: str) -> tuple[np.ndarray, str] | None:
    """``term`` -> (device axis vector, body direction word), None if not understood."""
    t = term.strip().lower()
    head, _, tail = t.rpartition("-")
    if head.lstrip("+-") in ("x", "y", "z") and head.count("-") <= 1 and tail in DIRECTIONS:
        return _axis_vec(head), tail
    if head in FACES and tail in FACE_SIDES:
        return _axis_vec(FACES[head]), FACE_SIDES[tail]
    if head in EDGES and tail in EDGE_DIRS:
        return _axis_vec(EDGES[head]), tail
    return None


def parse_spec(placement: str, spec: str) -> Mount:
    """Build the :class:`Mount` of ``placement`` from a SPEC (module docstring).

    Raises
    ------
    MountError
        Unknown words, not two statements, or statements about parallel axes or directions.
    """
    if placement not in MOUNT_PLACEMENTS:
        raise MountError(f"--mount {placement}={spec}: a mount is used for "
                         f"{', '.join(MOUNT_PLACEMENTS)} only (a foot, shank or pocket sensor "
                         "takes its side from its placement)")
    terms = [p for p in spec.split(",") if p.strip()]
    parsed = [_statement(p) for p in terms]
    if len(terms) != 2 or any(p is None for p in parsed):
        bad = [t for t, p in zip(terms, parsed, strict=True) if p is None]
        what = f"unknown value {bad[0]!r}" if bad else f"{len(terms)} statement(s), not two"
        raise MountError(f"--mount {placement}={spec}: {what} (accepted: {ACCEPTED})")
    body = {"U": np.array([0.0, 0.0, 1.0]), "F": np.array([1.0, 0.0, 0.0]),
            "L": np.array([0.0, 1.0, 0.0])}  # the body frame: x forward, y left, z up
    dev, bod = [], []
    for vec, word in parsed:  # type: ignore[misc]
        code = DIRECTIONS[word]
        dev.append(vec)
        bod.append(-body[code[-1]] if code.startswith("-") else body[code[-1]])
    if abs(float(dev[0] @ dev[1])) > 1e-9 or abs(float(bod[0] @ bod[1])) > 1e-9:
        raise MountError(f"--mount {placement}={spec}: the two statements must be about two "
                         f"different axes and two perpendicular directions (accepted: {ACCEPTED})")
    # the rotation R (device -> body) with R dev_i = bod_i, completed by the cross products
    d3 = np.column_stack([dev[0], dev[1], np.cross(dev[0], dev[1])])
    b3 = np.column_stack([bod[0], bod[1], np.cross(bod[0], bod[1])])
    r = b3 @ d3.T
    return Mount(placement, spec, up=r.T @ body["U"], forward=r.T @ body["F"])


def parse_mount_arg(arg: str) -> Mount:
    """``PLACEMENT=SPEC`` (the CLI's ``--mount`` value) -> :class:`Mount`."""
    placement, sep, spec = arg.partition("=")
    placement = placement.strip()
    if not sep or placement not in PLACEMENTS:
        raise MountError(f"--mount {arg}: expected PLACEMENT=SPEC with PLACEMENT "
                         f"{'/'.join(MOUNT_PLACEMENTS)}, e.g. lower_back=screen-out,top-up")
    return parse_spec(placement, spec)


def gravity_angle_deg(acc: np.ndarray, up: np.ndarray) -> tuple[float, np.ndarray]:
    """Angle (deg) between ``up`` and the mean acceleration (N x 3, NaN ignored; the
    accelerometer reads +1 g along up at rest and on average while walking), and that mean
    direction (unit vector)."""
    g = np.nanmean(acc, axis=0)
    n = float(np.linalg.norm(g))
    if not np.isfinite(n) or n == 0:
        return float("nan"), np.full(3, np.nan)
    g = g / n
    return float(np.degrees(np.arccos(np.clip(g @ up, -1.0, 1.0)))), g


def check_gravity(mount: Mount, acc: np.ndarray, source: str = "") -> float:
    """The angle between the stated up and gravity; :class:`MountError` beyond
    :data:`MAX_TILT_DEG` (one line: the file and placement, what was stated, what gravity
    says)."""
    ang, g = gravity_angle_deg(acc, mount.up)
    if np.isfinite(ang) and ang > MAX_TILT_DEG:
        k = int(np.argmax(np.abs(g)))
        near = f"{'+' if g[k] > 0 else '-'}{'xyz'[k]}"
        where = f"{mount.field or source}: " if (mount.field or source) else ""
        raise MountError(
            f"{where}{mount.placement}: {'mount' if mount.field else '--mount'} {mount.spec} "
            f"says up is "
            f"{_axis_name(mount.up)}, but gravity points along "
            f"({', '.join(f'{c:+.2f}' for c in g)}), nearest {near}: {ang:.0f} deg from the "
            f"stated up (at most {MAX_TILT_DEG:g} accepted); check the mounting")
    return ang


def apply_mounts(rec: Recording, mounts: list[Mount], source: str = "") -> list[str]:
    """Attach every mount to its stream of ``rec`` (a :class:`gait.recording.Recording`),
    checked against gravity; :class:`MountError` when the placement is not in the recording
    or gravity contradicts the mount. A stream that already has a mount from its recording's
    manifest (``Mount.field``; :mod:`gait.io.gaitcsv`) keeps it, checked against gravity here
    (the error names the manifest and field), unless ``mounts`` states one for its placement:
    the command line overrides the manifest. Returns a note for each override."""
    notes: list[str] = []
    by = {s.placement: s for s in rec.streams}
    seen: set[str] = set()
    for m in mounts:
        if m.placement in seen:
            raise MountError(f"--mount {m.placement} given twice")
        seen.add(m.placement)
        s = by.get(m.placement)
        if s is None:
            raise MountError(f"--mount {m.placement}={m.spec}: the recording has no "
                             f"{m.placement} stream (it has {', '.join(by) or 'none'})")
        check_gravity(m, s.acc, source or s.info.get("source", "") or s.name)
        old = s.mount
        if old is not None and old.field and old.spec != m.spec:
            note = (f"{m.placement}: --mount {m.spec} overrides the recording's mount "
                    f"{old.spec} ({old.field})")
            notes.append(note)
            m = replace(m, origin=f"given on the command line, overriding the recording's "
                                  f"{old.spec}")
        s.mount = m
    for s in rec.streams:
        if s.placement not in seen and s.mount is not None and s.mount.field:
            check_gravity(s.mount, s.acc)
    return notes
