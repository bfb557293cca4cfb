"""The contact timeline: per foot a sequence of stances (IC to FC) with their swings and positions,
generated in blocks of steps so that memory does not grow with duration.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from gait.simulate.constants import (
    FLAG_FIRST,
    FLAG_INIT_LEAD,
    FLAG_INIT_TRAIL,
    FLAG_LAST,
    MARGIN_S,
    STEPS_PER_BLOCK,
)
from gait.simulate.forces import stance_impulse

if TYPE_CHECKING:
    from gait.simulate.config import Config
    from gait.simulate.truth import TruthSink




_FIELDS = ("foot", "ic", "fc", "vic", "vfc", "fco", "ico", "sw_prev", "sw_next", "x", "x_next",
           "a1", "imp",
           "drop", "bout", "flag", "aux", "step", "stride")


def _empty() -> dict[str, np.ndarray]:
    return {k: np.empty(0, dtype=np.int64 if k in ("foot", "bout", "flag") else float)
            for k in _FIELDS}


def _cat(parts: Sequence[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {k: np.concatenate([p[k] for p in parts]) for k in _FIELDS}


@dataclass
class _BoutState:
    id: int
    a: float
    b: float
    lead: int
    n: int = 0
    carry_ic: float = 0.0
    carry_fc: tuple[float, float] = (0.0, 0.0)
    first_ic: float = 0.0
    x_off: float = 0.0


class Timeline:
    """Generates the stance phases (contacts) of both feet in order, block by block.

    One contact per stance: ``ic``/``fc`` are the true contact times (NaN where the stance begins
    or ends in standing), ``vic``/``vfc`` the same with virtual fill-ins (periodic continuation).
    Random numbers come from generators keyed on (seed, bout, block), so the timeline is the same
    whatever chunk size the signal synthesis uses.
    """

    def __init__(self, cfg: Config, sink: TruthSink) -> None:
        self.cfg = cfg
        self.sink = sink
        self.buf = _empty()
        self.wi = 0  # next movement window
        self.bout_id = 0
        self.state: _BoutState | None = None
        self.done = False
        self._zcache: dict[tuple[int, int], np.ndarray] = {}
        self.last_x = [0.0, 0.0]  # where each foot stands after the previous bout

    # random numbers per step: rows step, stance, impact, pelvic drop
    def _z(self, bout: int, n0: int, n1: int) -> np.ndarray:
        out = []
        for blk in range(n0 // STEPS_PER_BLOCK, (n1 - 1) // STEPS_PER_BLOCK + 1):
            key = (bout, blk)
            if key not in self._zcache:
                if len(self._zcache) > 4:
                    self._zcache.clear()
                rng = np.random.default_rng([self.cfg.seed, 7, bout, blk])
                self._zcache[key] = np.clip(rng.standard_normal((4, STEPS_PER_BLOCK)), -2.5, 2.5)
            out.append(self._zcache[key])
        z = np.concatenate(out, axis=1)
        off = (n0 // STEPS_PER_BLOCK) * STEPS_PER_BLOCK
        return z[:, n0 - off:n1 - off]

    def _next_bout(self) -> bool:
        cfg = self.cfg
        while self.wi < len(cfg.windows):
            a, b = cfg.windows[self.wi]
            self.wi += 1
            lead = self.bout_id % 2
            first = a + cfg.swing[lead]
            # at least 4 initial contacts
            if first + 3 * cfg.step.max() * 1.1 > b:
                continue
            # the first foot lands half a stride ahead of the front foot
            x_off = max(self.last_x) + 0.5 * cfg.speed * cfg.stride - cfg.speed * (first - a)
            self.state = _BoutState(self.bout_id, a, b, lead, x_off=x_off)
            self.bout_id += 1
            return True
        self.state = None
        return False

    def _block(self) -> dict[str, np.ndarray]:
        cfg, st = self.cfg, self.state
        assert st is not None
        n0 = st.n
        idx = np.arange(n0, n0 + STEPS_PER_BLOCK + 3)
        z = self._z(st.id, n0, n0 + STEPS_PER_BLOCK + 3)
        side = (st.lead + idx) % 2
        d = cfg.step[side] * (1 + cfg.cv * z[0])
        if n0 == 0:
            d[0] = cfg.swing[st.lead]  # from the lead toe-off (at a) to the first IC
            ic = st.a + np.cumsum(d)
            d[0] = np.nan
        else:
            ic = st.carry_ic + np.cumsum(d)
        exists = ic <= st.b
        nb = STEPS_PER_BLOCK
        m = len(idx)
        # stance with neighbour constraints (uses the next two steps)
        d1 = np.append(d[1:], np.nan)
        d2 = np.append(d[2:], [np.nan, np.nan])
        stance = cfg.stance[side] * (1 + cfg.cv * z[1])
        if cfg.gait == "walk":
            lo = d1 + 0.03 * cfg.step.mean()
            hi = d1 + d2 - 0.2 * cfg.stride
        else:
            lo = np.full(m, 0.1 * cfg.stride)
            hi = d1 - 0.03 * cfg.step.mean()
        ok = np.isfinite(lo) & np.isfinite(hi)
        stance[ok] = np.minimum(np.maximum(stance[ok], lo[ok]), hi[ok])
        ex2 = np.append(exists[2:], [False, False])
        has_fc = exists & ex2
        fc = np.where(has_fc, ic + stance, np.nan)
        vfc = np.where(has_fc, fc, ic + cfg.stance[side])
        ic2 = np.append(ic[2:], [np.nan, np.nan])
        fc_ext = np.concatenate([st.carry_fc, fc])[:m]
        if n0 == 0:
            fc_ext[:2] = [st.a, ic[1] - cfg.swing[1 - st.lead]]
        sw_prev = ic - fc_ext
        # the other foot's FC ending this stance's initial double support, and its IC starting
        # the terminal one (the knots of the stance phase, see stance_phase)
        fco = np.concatenate([[st.carry_fc[1]], fc])[:m]
        if n0 == 0:
            fco[0] = ic[1] - cfg.swing[1 - st.lead]
        ico = np.where(np.append(exists[1:], False), np.append(ic[1:], np.nan), np.nan)
        sw_next = np.where(has_fc, ic2 - fc, np.nan)
        stride = np.where(ex2 & exists, ic2 - ic, np.nan)
        share = np.where(np.isfinite(d1 + d2), d1 + d2, cfg.stride)
        toe = cfg.trunk["toe"]
        # the vertical impulse of this stance and of a nominal one of the other foot make the
        # body weight times the two steps
        a1 = share / (stance_impulse(cfg, ic, fco, ico, vfc - toe * (vfc - ic))
                      + cfg.v_nominal[1 - side])
        imp_amp = np.array([cfg.impact["trunk"][0][0], cfg.impact["trunk"][0][1]])
        imp = imp_amp[side] * (1 + cfg.cv_amp * z[2])
        drop = cfg.drop[side] * (1 + cfg.cv_amp * z[3])
        flag = np.zeros(m, dtype=np.int64)
        if n0 == 0:
            flag[0] |= FLAG_FIRST
        last = exists & ~np.append(exists[1:], False)
        flag[last] |= FLAG_LAST
        x = st.x_off + cfg.speed * (ic - st.a)
        x_next = np.where(ex2 & exists, st.x_off + cfg.speed * (ic2 - st.a), np.nan)
        main = slice(0, nb)
        keep = exists[main]
        out = dict(foot=side[main], ic=ic[main], fc=fc[main], vic=ic[main], vfc=vfc[main],
                   fco=fco[main], ico=ico[main],
                   sw_prev=sw_prev[main], sw_next=sw_next[main], x=x[main], x_next=x_next[main],
                   a1=a1[main], imp=imp[main], drop=drop[main],
                   bout=np.full(nb, st.id, dtype=np.int64), flag=flag[main],
                   aux=np.full(nb, np.nan), step=d[main], stride=stride[main])
        out = {k: v[keep] for k, v in out.items()}
        parts = []
        if n0 == 0:
            st.first_ic = float(ic[0])
            s0, s1 = st.lead, 1 - st.lead
            fc_trail = float(ic[1] - cfg.swing[s1])
            init = dict(
                foot=np.array([s0, s1]), ic=np.array([np.nan, np.nan]),
                fc=np.array([st.a, fc_trail]),
                vic=np.array([st.a - cfg.stance[s0], fc_trail - cfg.stance[s1]]),
                vfc=np.array([st.a, fc_trail]), fco=np.array([np.nan, np.nan]),
                ico=np.array([np.nan, np.nan]), sw_prev=np.array([np.nan, np.nan]),
                sw_next=np.array([ic[0] - st.a, ic[1] - fc_trail]),
                x=np.array([self.last_x[s0], self.last_x[s1]]), x_next=np.array([x[0], x[1]]),
                a1=cfg.stride / cfg.v_nominal.sum() * np.ones(2),
                imp=np.array([np.nan, np.nan]), drop=cfg.drop[[s0, s1]],
                bout=np.array([st.id, st.id]), flag=np.array([FLAG_INIT_LEAD, FLAG_INIT_TRAIL]),
                aux=np.array([ic[0], np.nan]), step=np.array([np.nan, np.nan]),
                stride=np.array([np.nan, np.nan]))
            parts.append(init)
        parts.append(out)
        blk = _cat(parts)
        if exists[nb]:
            st.n = n0 + nb
            st.carry_ic = float(ic[nb - 1])
            st.carry_fc = (float(fc[nb - 2]), float(fc[nb - 1]))
        else:
            k_last = int(np.flatnonzero(exists)[-1])
            self.last_x[int(side[k_last])] = float(x[k_last])
            self.last_x[int(side[k_last - 1])] = float(x[k_last - 1])
            self.sink.add_bout(dict(start=st.first_ic, end=float(ic[k_last]),
                                    kind=cfg.gait, n_initial_contacts=n0 + k_last + 1,
                                    move_start=st.a))
            self.state = None
        self.sink.add(blk)
        return blk

    def _generate(self) -> bool:
        if self.state is None and not self._next_bout():
            self.done = True
            return False
        blk = self._block()
        self.buf = _cat([self.buf, blk])
        return True

    def window(self, t0: float, t1: float) -> dict[str, np.ndarray]:
        """Contacts around [t0, t1] (plus three more each side)."""
        while not self.done and (len(self.buf["vic"]) < 3
                                 or np.sum(self.buf["vic"] > t1 + MARGIN_S) < 3):
            self._generate()
        vic = self.buf["vic"]
        i0 = max(int(np.searchsorted(vic, t0 - MARGIN_S - 3.0 * self.cfg.stride)) - 3, 0)
        i1 = min(int(np.searchsorted(vic, t1 + MARGIN_S, side="right")) + 3, len(vic))
        return {k: v[i0:i1] for k, v in self.buf.items()}

    def trim(self, t: float) -> None:
        vic = self.buf["vic"]
        i0 = max(int(np.searchsorted(vic, t - MARGIN_S - 3.0 * self.cfg.stride)) - 4, 0)
        if i0 > 0:
            self.buf = {k: v[i0:] for k, v in self.buf.items()}

    def finish(self) -> None:
        while not self.done:
            self._generate()
