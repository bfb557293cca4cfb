"""The body model: the pelvis's specific force and rotation from both feet's forces, each
segment's (foot, shank, thigh) angles from the keyframe tables, and the sensor signals at each
placement.

Size: one model. The pelvis, the leg chain (thigh, shank about the knee, foot about the ankle)
and the sensors mounted on it share their angles, lever arms and timeline, and each placement's
signal is read off the same chain; split by segment, the parts would reach into each other's
intermediate arrays.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from gait.recording import G
from gait.simulate.constants import (
    FLAG_INIT_LEAD,
    FLAG_LAST,
    FOOT_PITCH,
    FOOT_POS,
    KNEE_ANKLE,
    R_POCKET,
    R_SHANK,
    SHANK,
    SWING_HANDBACK,
    THIGH,
    THIGH_LENGTH,
    THIGH_WALK,
    V_NOM,
)
from gait.simulate.forces import (
    cosine_interp,
    cubic_no_reversal,
    hermite_c2_interp,
    hermite_interp,
    monotone_knots,
    no_reversal,
    smoothstep,
    stance_forces,
    stance_phase,
    transient_shape,
)
from gait.simulate.side_check import taps_signal

if TYPE_CHECKING:
    from gait.simulate.config import Config





class Body:
    """Everything that depends on the contact window and a time array."""

    def __init__(self, cfg: Config, w: dict[str, np.ndarray], t: np.ndarray,
                 fs: float | None = None) -> None:
        self.cfg, self.w, self.t = cfg, w, t
        self.fs = cfg.fs if fs is None else fs  # the sensor's true rate (its clock may drift)
        self._cache: dict[str, Any] = {}

    def foot_contacts(self, s: int) -> dict[str, np.ndarray]:
        key = f"contacts{s}"
        if key not in self._cache:
            sel = self.w["foot"] == s
            self._cache[key] = {k: v[sel] for k, v in self.w.items()}
        return self._cache[key]

    # ramp between standing (0) and gait (1), and its derivative
    def ramp(self) -> tuple[np.ndarray, np.ndarray]:
        if "ramp" in self._cache:
            return self._cache["ramp"]
        cfg, w, t = self.cfg, self.w, self.t
        up = np.flatnonzero(w["flag"] & FLAG_INIT_LEAD)
        dn = np.flatnonzero(w["flag"] & FLAG_LAST)
        edges = [(w["fc"][i], 1, w["aux"][i]) for i in up]
        half = 0.5 * cfg.step.mean()
        edges += [(w["ic"][i] - half, 0, w["ic"][i] + 0.5 * cfg.stance.mean()) for i in dn]
        if not edges:
            val = np.full(t.shape, 1.0 if len(w["vic"]) else 0.0)
            res = (val, np.zeros_like(t))
        else:
            edges.sort()
            e0 = np.array([e[0] for e in edges])
            kind = np.array([e[1] for e in edges])
            e1 = np.array([e[2] for e in edges])
            j = np.searchsorted(e0, t, side="right") - 1
            jj = np.clip(j, 0, len(e0) - 1)
            s = (t - e0[jj]) / (e1[jj] - e0[jj])
            sm, dsm = smoothstep(s)
            inside = (s > 0) & (s < 1)
            dsm = dsm * inside / (e1[jj] - e0[jj])
            val = np.where(kind[jj] == 1, sm, 1 - sm)
            der = np.where(kind[jj] == 1, dsm, -dsm)
            before = j < 0  # before the first edge: the opposite of that edge
            val = np.where(before, 1.0 - kind[0], val)
            der = np.where(before, 0.0, der)
            res = (val, der)
        self._cache["ramp"] = res
        return res

    def heading_rate(self) -> np.ndarray:
        if "yaw" in self._cache:
            return self._cache["yaw"]
        tr, t = self.cfg.turns, self.t
        r = np.zeros_like(t)
        if len(tr):
            j = np.clip(np.searchsorted(tr[:, 0], t, side="right") - 1, 0, len(tr) - 1)
            s = (t - tr[j, 0]) / tr[j, 1]
            _, ds = smoothstep(s)
            r = np.where((s > 0) & (s < 1), tr[j, 2] * ds / tr[j, 1], 0.0)
        self._cache["yaw"] = r
        return r

    def _impact(self, seg: str, s: int) -> np.ndarray:
        """Heel-strike transient of foot ``s`` as felt at segment ``seg`` (m/s^2, upwards),
        as the sensor samples it: through its anti-aliasing filter (:func:`transient_shape`)."""
        amps, f, tau, delay = self.cfg.impact[seg]
        c = self.foot_contacts(s)
        real = np.isfinite(c["ic"])
        ic = c["ic"][real] + delay
        scale = c["imp"][real] / self.cfg.impact["trunk"][0][s]  # per-step variation
        t = self.t
        out = np.zeros_like(t)
        if len(ic) == 0:
            return out
        t0, dx, shape = transient_shape(f, tau, self.fs)
        lead = -t0  # the filtered transient starts this long before its onset
        j = np.searchsorted(ic, t + lead, side="right") - 1
        for back in range(3):  # a transient (< 0.3 s) overlaps at most the next two onsets
            k = j - back
            kk = np.clip(k, 0, len(ic) - 1)
            u = (t - ic[kk] - t0) / dx
            out += np.where(k >= 0, scale[kk] * np.interp(u, np.arange(len(shape)), shape,
                                                          left=0.0, right=0.0), 0.0)
        return amps[s] * out

    def trunk_force(self) -> np.ndarray:
        """Specific force at the centre of mass in the heading frame (X fwd, Y left, Z up)."""
        if "force" in self._cache:
            return self._cache["force"]
        cfg, t = self.cfg, self.t
        tr = cfg.trunk
        fv = np.zeros_like(t)
        fap = np.zeros_like(t)
        fml = np.zeros_like(t)
        for s in (0, 1):
            c = self.foot_contacts(s)
            if len(c["vic"]) == 0:
                continue
            j = np.searchsorted(c["vic"], t, side="right") - 1
            jj = np.clip(j, 0, len(c["vic"]) - 1)
            dur = c["vfc"][jj] - c["vic"][jj]
            tau = (t - c["vic"][jj]) / dur
            act = (j >= 0) & (tau >= 0) & (tau < 1)
            vic, vfc = c["vic"][jj], c["vfc"][jj]
            u = stance_phase(t, vic, c["fco"][jj], c["ico"][jj], vfc - tr["toe"] * (vfc - vic),
                              cfg.knots)
            act &= u < 1.0
            u = np.where(act, np.clip(u, 0.0, 1.0), 0.0)
            sv, sap, sml = stance_forces(u, cfg.q, tr["k"], tr["ap"], tr["p"])
            fv += act * c["a1"][jj] * sv
            fap += act * (tr["b"] * cfg.legs["ap"][s]) * sap
            fml -= act * (1.0 if s == 0 else -1.0) * (tr["c"] * cfg.legs["ml"][s]) * sml
        w, _ = self.ramp()
        f = np.empty((len(t), 3))
        f[:, 0] = w * G * fap
        f[:, 1] = w * (G * fml + cfg.speed * self.heading_rate())
        f[:, 2] = G + w * (G * fv - G)
        for s in (0, 1):
            imp = self._impact("trunk", s)
            f[:, 2] += imp
            f[:, 0] -= 0.3 * imp
        self._cache["force"] = f
        return f

    def pelvis(self) -> tuple[np.ndarray, np.ndarray]:
        """Pelvis angles (roll, pitch, yaw; rad) and body-frame angular velocity (rad/s)."""
        if "pelvis" in self._cache:
            return self._cache["pelvis"]
        cfg, w, t = self.cfg, self.w, self.t
        tr = cfg.trunk
        sgn = np.where(w["foot"] == 0, 1.0, -1.0)
        # obliquity: the contralateral hemipelvis drops during the loading response (peak
        # ~14-16 % of the stride after IC, Perry & Burnfield 2010) and rises back towards level
        # by the next IC: the roll rate is a sharp peak after each IC, as in the lower-back
        # recordings, and the obliquity at an IC is still the previous stance's
        val = sgn * np.radians(w["drop"])
        prev = tr["roll_hold"] * np.concatenate([-val[:1], val[:-1]])
        tk = np.column_stack([w["vic"], w["vic"] + tr["roll_load"] * cfg.stride]).ravel()
        tk, pk = monotone_knots(tk, np.column_stack([prev, val]).ravel())
        roll, droll, _ = cosine_interp(tk, pk, t)
        tk, pk = monotone_knots(w["vic"] + 0.18 * cfg.stride,
                           -sgn * math.radians(tr["rot"]) * np.ones(len(sgn)))
        yaw, dyaw, _ = cosine_interp(tk, pk, t)
        half = 0.5 * cfg.step[w["foot"]]
        tt = np.column_stack([w["vic"], w["vic"] + half]).ravel()
        amp = math.radians(tr["tilt"])
        pp = np.tile([-amp, amp], len(w["vic"]))
        tk, pk = monotone_knots(tt, pp)
        tilt, dtilt, _ = cosine_interp(tk, pk, t)
        r, dr = self.ramp()
        lean0, lean1 = math.radians(tr["lean_stand"]), math.radians(tr["lean"])
        phi, dphi = r * roll, dr * roll + r * droll
        th = lean0 + r * (lean1 - lean0 + tilt)
        dth = dr * (lean1 - lean0 + tilt) + r * dtilt
        psi, dpsi = r * yaw, dr * yaw + r * dyaw + self.heading_rate()
        ang = np.column_stack([phi, th, psi])
        cphi, sphi, cth, sth = np.cos(phi), np.sin(phi), np.cos(th), np.sin(th)
        om = np.column_stack([dphi - dpsi * sth, dth * cphi + dpsi * cth * sphi,
                              -dth * sphi + dpsi * cth * cphi])
        self._cache["pelvis"] = (ang, om)
        return ang, om

    def foot(self, s: int) -> dict[str, np.ndarray]:
        """Foot pitch (toes up +) and translation of foot ``s`` with derivatives."""
        key = f"foot{s}"
        if key in self._cache:
            return self._cache[key]
        cfg, t = self.cfg, self.t
        c = self.foot_contacts(s)
        stance = c["vfc"] - c["vic"]
        sw_prev = np.where(np.isfinite(c["sw_prev"]), c["sw_prev"], cfg.swing[s])
        sw_next = np.where(np.isfinite(c["sw_next"]), c["sw_next"], cfg.swing[s])
        has_ic, has_fc = np.isfinite(c["ic"]), np.isfinite(c["fc"])
        beta, dbeta, _ = self._keyframes(FOOT_PITCH[cfg.gait], c, stance, sw_prev, sw_next,
                                         has_ic, has_fc, s, cfg.legs["foot"][s], monotone=True)
        fp = FOOT_POS[cfg.gait]
        x0 = c["x"]
        xfc = x0 + fp["dx_fc"]
        xn = np.where(np.isfinite(c["x_next"]), c["x_next"], x0 + cfg.speed * cfg.stride)
        xic_next = xn + fp["x_ic"]
        vms = fp["vms"] * (xic_next - xfc) / sw_next
        sp = cfg.speed / V_NOM[cfg.gait]
        rows = [  # time, mask, x, z, vx, vz
            (c["vic"], has_ic, x0 + fp["x_ic"], fp["z_ic"], fp["vx_ic"] * sp, fp["vz_ic"]),
            (c["vic"] + fp["flat"] * stance, has_ic, x0, 0.0, 0.0, 0.0),
            (c["vfc"] + fp["ho"] * stance, has_fc, x0, 0.0, 0.0, 0.0),
            (c["vfc"], has_fc, xfc, fp["z_fc"], fp["vx_fc"] * sp, fp["vz_fc"]),
            (c["vfc"] + 0.5 * sw_next, has_fc, 0.5 * (xfc + xic_next),
             fp["z_ms"] * cfg.legs["clear"][s], vms, 0.0),
        ]
        k = len(x0)
        tk = np.column_stack([r[0] for r in rows]).ravel()
        mk = np.column_stack([r[1] for r in rows]).ravel()
        xs = np.column_stack([np.broadcast_to(r[2], k) for r in rows]).ravel()
        zs = np.column_stack([np.broadcast_to(r[3], k) for r in rows]).ravel()
        vxs = np.column_stack([np.broadcast_to(r[4], k) for r in rows]).ravel()
        vzs = np.column_stack([np.broadcast_to(r[5], k) for r in rows]).ravel()
        # which knot each is: IC, foot flat, heel off, FC, mid swing (0..4)
        kind = np.tile(np.arange(len(rows)), k)
        tk, xs, zs, vxs, vzs, kind = monotone_knots(tk[mk], xs[mk], zs[mk], vxs[mk], vzs[mk],
                                                    kind[mk])
        _, _, ax = hermite_interp(tk, xs, vxs, t)
        _, _, az = hermite_interp(tk, zs, vzs, t)
        if KNEE_ANKLE[cfg.gait] is not None:
            ax, az = self._swing_about_knee(s, tk, kind, ax, az)
        res = dict(beta=beta, dbeta=dbeta, ax=ax, az=az)
        res.update(self._circumduction(s, c, has_fc, sw_next))
        self._cache[key] = res
        return res

    def _swing_about_knee(self, s: int, tk: np.ndarray, kind: np.ndarray, ax: np.ndarray,
                          az: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The ankle's acceleration in a running swing: the end of the leg hanging from the
        hip, pelvis, thigh (:meth:`thigh`) and shank (:meth:`shank`) as a chain.

        ``a_ankle = a_hip + Lt (g'' cos g - g'^2 sin g, g'' sin g + g'^2 cos g) + Ls (a'' cos a -
        a'^2 sin a, a'' sin a + a'^2 cos a)`` with ``g`` the thigh and ``a`` the shank angle,
        ``Lt``, ``Ls`` :data:`~gait.simulate.constants.THIGH_LENGTH` and
        :data:`~gait.simulate.constants.KNEE_ANKLE`, the hip moving with the pelvis
        (:meth:`trunk_force`): the swing leg of a run as a double pendulum from the hip
        (Novacheck 1998, "The biomechanics of running", Gait Posture 7:77-95). A running shank
        swings at up to 7.6-9.7 rad/s (the marker-based runs of fukuchi2017 in
        shared/validation), so the centripetal ``Ls a'^2`` alone reaches ~25-40 m/s^2 towards
        the knee. Keyframing the ankle itself (as in walking) left that out: the simulated running
        foot accelerated less than the shank (0.5-20 Hz ``|acc|`` 95th percentile 34 against
        39 m/s^2 at 3 m/s; fukuchi2017 foot 45-63, shank 26-36) and the shank sensor, turned
        about an ankle that moved smoothly, felt its centripetal acceleration down the shank in
        mid swing (-17 to -30 m/s^2 along it; fukuchi2017 +2 to +9). With the chain: foot 44,
        shank 30 m/s^2, +11 to +24 along the shank (its keyframed swing comes ~8 % of the
        stride earlier than fukuchi2017's), and the placement features without a gyroscope
        (:mod:`gait.events.placement`) of the simulated running foot and shank fall among the
        real ones (3 Hz tilt 50 and 47 deg, real 54-64 and 43-52; before 70 and 93).

        The chain takes over from the keyframed push-off path between FC and mid swing and
        hands back to the keyframed landing over the last
        :data:`~gait.simulate.constants.SWING_HANDBACK` of the time from mid swing to IC
        (smoothstep weights on the accelerations; positions are not reconciled, nothing
        integrates them): the FC- and IC-locked signals the event detectors and the impact
        measure were checked on stay as they were (a hard switch moved the running-foot FC
        8-10 ms and the report's impact SI error at 100 Hz from 1.0 to 2.2 points).

        Parameters
        ----------
        s : int
            0 left, 1 right.
        tk, kind : numpy.ndarray
            The ankle's keyframe times and which row of :meth:`foot` each is (3 FC, 4 mid
            swing, 0 IC).
        ax, az : numpy.ndarray
            The ankle's acceleration from its keyframes (kept outside swing).

        Returns
        -------
        tuple of numpy.ndarray
            Forward and vertical acceleration of the ankle (m/s^2).
        """
        if len(tk) < 2:
            return ax, az
        lt, ls = THIGH_LENGTH[self.cfg.gait], KNEE_ANKLE[self.cfg.gait]
        hip = self.trunk_force()
        g, dg, ddg = self.thigh(s)
        a, da, dda = self.shank(s)
        cg, sg, ca, sa = np.cos(g), np.sin(g), np.cos(a), np.sin(a)
        cx = hip[:, 0] + lt * (ddg * cg - dg * dg * sg) + ls * (dda * ca - da * da * sa)
        cz = hip[:, 2] - G + lt * (ddg * sg + dg * dg * cg) + ls * (dda * sa + da * da * ca)
        i = np.clip(np.searchsorted(tk, self.t, side="right") - 1, 0, len(tk) - 2)
        inside = (self.t >= tk[0]) & (self.t <= tk[-1])
        # FC -> mid swing: handed over smoothly from the push-off path to the chain
        w, _ = smoothstep((self.t - tk[i]) / (tk[i + 1] - tk[i]))
        w = np.where((kind[i] == 3) & (kind[i + 1] == 4) & inside, w, 0.0)
        u = (self.t - tk[i]) / (tk[i + 1] - tk[i])
        back, _ = smoothstep((1.0 - u) / SWING_HANDBACK)
        w = np.where((kind[i] == 4) & (kind[i + 1] == 0) & inside, back, w)
        return ax + w * (cx - ax), az + w * (cz - az)

    def _circumduction(self, s: int, c: dict[str, np.ndarray], has_fc: np.ndarray,
                       sw_next: np.ndarray) -> dict[str, np.ndarray]:
        """Frontal-plane swing of leg ``s`` (circumduction): a roll of foot and shank about the
        walking direction (rad, positive = the leg's lower end outwards: about +X for the left
        leg, -X for the right) and the foot's lateral excursion (m, outwards = +Y left), both a
        half-cosine bump from FC to the next IC, with their derivatives. Empty for normal gait.

        Parameters
        ----------
        s : int
            0 left, 1 right.
        c : dict of numpy.ndarray
            The contacts of that foot (:meth:`foot_contacts`).
        has_fc : numpy.ndarray
            Which contacts end in an FC (a swing follows).
        sw_next : numpy.ndarray
            Duration of the swing after each contact (s).

        Returns
        -------
        dict of numpy.ndarray
            ``roll``, ``droll``, ``ddroll`` (rad, rad/s, rad/s^2, signed about +X) and ``ay``
            (lateral acceleration of the foot, m/s^2, +Y); ``{}`` without circumduction.
        """
        amp_deg, amp_m = self.cfg.legs["circ_deg"][s], self.cfg.legs["circ_m"][s]
        if amp_deg == 0.0 and amp_m == 0.0:
            return {}
        out = 1.0 if s == 0 else -1.0
        t0 = c["vfc"][has_fc]
        sw = sw_next[has_fc]
        tk = np.column_stack([t0, t0 + 0.5 * sw, t0 + sw]).ravel()
        unit = np.tile([0.0, 1.0, 0.0], len(t0))
        tk, unit = monotone_knots(tk, unit)
        g, dg, ddg = cosine_interp(tk, unit, self.t)  # 0 in stance and standing
        roll = out * math.radians(amp_deg)
        return dict(roll=roll * g, droll=roll * dg, ddroll=roll * ddg, ay=out * amp_m * ddg)

    def _keyframes(self, table: tuple, c: dict[str, np.ndarray], stance: np.ndarray,
                   sw_prev: np.ndarray, sw_next: np.ndarray, has_ic: np.ndarray,
                   has_fc: np.ndarray, s: int, gain: np.ndarray | None = None,
                   monotone: bool = False, t: np.ndarray | None = None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Quintic-Hermite angle of a segment through the rows of ``table`` anchored on each
        contact; ``gain`` scales each row's angle and rate (a pattern's weaker push-off,
        flat-foot landing, smaller swing; ones = the table as it is); ``monotone`` limits the
        rates so that the angle never turns back between two keyframes
        (:func:`no_reversal`); ``t``: the times to evaluate at (the samples' by default)."""
        cfg = self.cfg
        if gain is None:
            gain = np.ones(len(table))
        nom = {"stance": cfg.stance[s], "sw_prev": cfg.swing[s], "sw_next": cfg.swing[s]}
        durs = {"stance": stance, "sw_prev": sw_prev, "sw_next": sw_next}
        tcols, pcols, vcols, mcols = [], [], [], []
        masks = {"ic": has_ic, "fc": has_fc, "ic_only": has_ic & ~has_fc,
                 "fc_only": has_fc & ~has_ic}
        for (anchor, dname, frac, val, rate), g in zip(table, gain.tolist(), strict=True):
            base = c["vic"] if anchor.startswith("ic") else c["vfc"]
            dur = durs[dname]
            tcols.append(base + frac * dur)
            pcols.append(np.full(len(base), math.radians(val) * g))
            vcols.append(math.radians(rate) * g * nom[dname] / dur)
            mcols.append(masks[anchor])
        tk = np.column_stack(tcols).ravel()
        mk = np.column_stack(mcols).ravel()
        pk = np.column_stack(pcols).ravel()
        vk = np.column_stack(vcols).ravel()
        tk, pk, vk = monotone_knots(tk[mk], pk[mk], vk[mk])
        if monotone:
            vk = no_reversal(tk, pk, vk)
        return hermite_interp(tk, pk, vk, self.t if t is None else t)

    def shank(self, s: int, t: np.ndarray | None = None
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Shank angle (rad, + = swung forward) of leg ``s`` with its rates, at the samples or at
        the times ``t``."""
        cfg = self.cfg
        c = self.foot_contacts(s)
        stance = c["vfc"] - c["vic"]
        sw_prev = np.where(np.isfinite(c["sw_prev"]), c["sw_prev"], cfg.swing[s])
        sw_next = np.where(np.isfinite(c["sw_next"]), c["sw_next"], cfg.swing[s])
        return self._keyframes(SHANK[cfg.gait], c, stance, sw_prev, sw_next,
                               np.isfinite(c["ic"]), np.isfinite(c["fc"]), s,
                               # (the patterns' gains are walking's; a run has none)
                               cfg.legs["shank"][s] if cfg.gait == "walk" else None,
                               monotone=True, t=t)

    def thigh(self, s: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Thigh angle (rad, + = knee forward) of leg ``s`` with its rates: walking a C2 quintic
        Hermite through :data:`~gait.simulate.constants.THIGH_WALK`, running a cosine between
        the two extremes of :data:`~gait.simulate.constants.THIGH`; faded in and out with
        :meth:`ramp`."""
        cfg = self.cfg
        c = self.foot_contacts(s)
        if cfg.gait == "walk":
            gain = cfg.legs["thigh"][s]
            tk = np.column_stack([(c["vic"] if a == "ic" else c["vfc"]) + f * cfg.stride
                                  for a, f, _, _ in THIGH_WALK]).ravel()
            pk = np.tile(np.radians([v for _, _, v, _ in THIGH_WALK]) * gain, len(c["vic"]))
            vk = np.tile(np.radians([r for _, _, _, r in THIGH_WALK]) * gain / cfg.stride,
                         len(c["vic"]))
            tk, pk, vk = monotone_knots(tk, pk, vk)
            g, dg, ddg = hermite_c2_interp(tk, pk, cubic_no_reversal(tk, pk, vk), self.t)
            r, dr = self.ramp()
            return r * g, dr * g + r * dg, r * ddg + 2 * dr * dg
        (a0, f0, v0), (a1, f1, v1) = THIGH[cfg.gait]
        t0 = (c["vic"] if a0 == "ic" else c["vfc"]) + f0 * cfg.stride
        t1 = (c["vic"] if a1 == "ic" else c["vfc"]) + f1 * cfg.stride
        tk = np.column_stack([t0, t1]).ravel()
        pk = np.tile(np.radians([v0, v1]) * cfg.legs["thigh"][s], len(t0))
        tk, pk = monotone_knots(tk, pk)
        g, dg, ddg = cosine_interp(tk, pk, self.t)
        r, dr = self.ramp()
        # second derivative of the ramp is neglected (the ramp lasts about one step)
        return r * g, dr * g + r * dg, r * ddg + 2 * dr * dg


def _sagittal(f: np.ndarray, ang: np.ndarray, rate: np.ndarray, yaw: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """Heading-frame specific force -> segment rotated by ``ang`` about the right axis."""
    c, s = np.cos(ang), np.sin(ang)
    fb = np.column_stack([f[:, 0] * c + f[:, 2] * s, f[:, 1], -f[:, 0] * s + f[:, 2] * c])
    wb = np.column_stack([yaw * s, -rate, yaw * c])
    return fb, wb


def _roll(fb: np.ndarray, wb: np.ndarray, seg: dict[str, np.ndarray]
          ) -> tuple[np.ndarray, np.ndarray]:
    """Add a segment's roll (circumduction, :meth:`Body._circumduction`) about its own
    forward axis X after its sagittal rotation: ``v -> Rx(roll).T v``, plus the roll rate on X.

    Parameters
    ----------
    fb, wb : numpy.ndarray
        (n, 3) specific force and angular velocity in the sagittally rotated segment frame.
    seg : dict of numpy.ndarray
        The foot's dict; without ``roll`` the inputs are returned unchanged.

    Returns
    -------
    tuple of numpy.ndarray
        Specific force and angular velocity in the rolled segment frame.
    """
    if "roll" not in seg:
        return fb, wb
    c, s = np.cos(seg["roll"]), np.sin(seg["roll"])
    f = np.column_stack([fb[:, 0], c * fb[:, 1] + s * fb[:, 2], -s * fb[:, 1] + c * fb[:, 2]])
    w = np.column_stack([wb[:, 0] + seg["droll"], c * wb[:, 1] + s * wb[:, 2],
                         -s * wb[:, 1] + c * wb[:, 2]])
    return f, w


def _mount_leg(v: np.ndarray) -> np.ndarray:
    """Segment frame (X fwd, Y left, Z up) -> device (x right, y up, z backwards)."""
    return np.column_stack([-v[:, 1], v[:, 2], -v[:, 0]])


def _mount_foot(v: np.ndarray) -> np.ndarray:
    """Foot frame -> device (x right, y forward, z up)."""
    return np.column_stack([-v[:, 1], v[:, 0], v[:, 2]])


def _pocket_lever(g: np.ndarray, dg: np.ndarray, ddg: np.ndarray, ahead: float
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Forward and upward acceleration (heading frame; m/s^2) of a point of the thigh relative to
    the hip: :data:`~gait.simulate.constants.R_POCKET` down the thigh's axis and
    ``ahead`` in front of it, the thigh at angle ``g`` (rad, + = knee forward) with rates
    ``dg``, ``ddg``.

    The rigid-body terms ``alpha x r + omega x (omega x r)`` of a planar segment (the thigh
    turns about its lateral axis only): with ``r = R (sin g, 0, -cos g) + d (cos g, 0, sin g)``
    (``R`` down the axis, ``d`` ahead), ``r'' = R (g'' cos g - g'^2 sin g, 0, g'' sin g + g'^2
    cos g) + d (-g'' sin g - g'^2 cos g, 0, g'' cos g - g'^2 sin g)``: the tangential term
    ``g'' d`` along the thigh and the centripetal ``g'^2 d`` backwards towards its axis add to
    the on-axis sensor's. A front pocket lies :data:`~gait.simulate.constants.POCKET_AHEAD` in
    front of the femur (fukuchi2017's virtual phones: 5.7 cm; see that constant); its lateral
    offset lies on the rotation axis and adds nothing.
    """
    cg, sg = np.cos(g), np.sin(g)
    down_x, down_z = ddg * cg - dg * dg * sg, ddg * sg + dg * dg * cg  # r'' of a unit r down
    ax, az = R_POCKET * down_x, R_POCKET * down_z
    if ahead:  # r'' of a unit r ahead: (-down_z, down_x)
        ax, az = ax - ahead * down_z, az + ahead * down_x
    return ax, az


def sensor_signals(body: Body, placement: str) -> tuple[np.ndarray, np.ndarray]:
    """Noise-free specific force and angular velocity in the nominal device frame."""
    yaw = body.heading_rate()
    side = 0 if placement.startswith("left") else 1
    if placement == "lower_back":
        f = body.trunk_force()
        (phi, th, psi), om = body.pelvis()[0].T, body.pelvis()[1]
        if body.cfg.side_check is not None:
            tf, tw = taps_signal(body.cfg, body.t, 1.0 - body.ramp()[0])
            f, om = f + tf, om + tw
        # f_body = Rx(-phi) Ry(-th) Rz(-psi) f
        c, s = np.cos(psi), np.sin(psi)
        x, y, z = f[:, 0] * c + f[:, 1] * s, -f[:, 0] * s + f[:, 1] * c, f[:, 2]
        c, s = np.cos(th), np.sin(th)
        x, z = x * c - z * s, x * s + z * c
        c, s = np.cos(phi), np.sin(phi)
        y, z = y * c + z * s, -y * s + z * c
        return _mount_leg(np.column_stack([x, y, z])), _mount_leg(om)
    if placement.endswith("foot"):
        ft = body.foot(side)
        f = np.column_stack([ft["ax"], ft.get("ay", np.zeros_like(ft["ax"])), ft["az"] + G])
        imp = body._impact("foot", side)
        f[:, 2] += imp
        f[:, 0] -= 0.5 * imp
        fb, wb = _roll(*_sagittal(f, ft["beta"], ft["dbeta"], yaw), ft)
        return _mount_foot(fb), _mount_foot(wb)
    if placement.endswith("shank"):
        ft = body.foot(side)
        a, da, dda = body.shank(side)
        ca, sa = np.cos(a), np.sin(a)
        lat = np.zeros_like(a)
        if "roll" in ft:  # the sensor sits R_SHANK above the ankle: lateral -R sin(roll)
            r, dr, ddr = ft["roll"], ft["droll"], ft["ddroll"]
            lat = ft["ay"] - R_SHANK * (ddr * np.cos(r) - dr * dr * np.sin(r))
        f = np.column_stack([ft["ax"] - R_SHANK * (dda * ca - da * da * sa), lat,
                             ft["az"] + G - R_SHANK * (dda * sa + da * da * ca)])
        imp = body._impact("shank", side)
        f[:, 2] += imp
        f[:, 0] -= 0.3 * imp
        fb, wb = _roll(*_sagittal(f, a, da, yaw), ft)
        return _mount_leg(fb), _mount_leg(wb)
    # pocket: a phone on the thigh, a rigid body turning about the hip, the hip moving with
    # the trunk (:func:`_pocket_lever`)
    g, dg, ddg = body.thigh(side)
    ax, az = _pocket_lever(g, dg, ddg, body.cfg.pocket_ahead)
    f = body.trunk_force().copy()
    f[:, 0] += ax
    f[:, 2] += az
    f[:, 2] += body._impact("thigh", side) - body._impact("trunk", side)
    fb, wb = _sagittal(f, g, dg, yaw)
    return _mount_leg(fb), _mount_leg(wb)
