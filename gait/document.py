"""The report document (schema ``gait-report/1``) as typed, frozen dataclasses.

:func:`gait.analysis.single.summarise` builds a :class:`Report`; the writers of :mod:`gait.report`
take it or its plain form (:meth:`Report.to_dict`, the JSON's keys and values, which the
terminal and HTML writers, ``gait history`` and ``gait batch`` read), and
``gait/report/schema/report.schema.json`` describes its JSON exactly (the tests validate every
report they write against it; :func:`gait.report.validation.validate` and
:func:`gait.report.validation.loads` check with it).

Conventions of the plain form: tuples are JSON lists; a field marked :data:`OMIT` is left out
when None (present, it is never null); a field marked :data:`FLAT` is a group of keys written
into its parent object (present when its first key is); the long tables ``steps`` and
``events`` stay columnar :class:`gait.table.Table` objects (a list of row dicts read back from
JSON becomes one). Pure data: no I/O.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

import numpy as np

from gait.parameters import SCHEMA
from gait.table import Table

__all__ = [
    "SCHEMA",
    "Band",
    "Bout",
    "Cause",
    "Finding",
    "Headline",
    "HeadlineCause",
    "HeadlineNumber",
    "Overall",
    "Position",
    "Quality",
    "RecordingInfo",
    "Report",
    "Stat",
    "StepAsymmetry",
    "Stream",
    "Symmetry",
    "Threshold",
    "Verdict",
]

#: field metadata: left out of the plain form when None
OMIT = {"omit": True}
#: field metadata: a group of keys written into the parent object (absent when None)
FLAT = {"flat": True}

Pair = tuple[float | None, float | None]


class _Doc:
    """Plain form (:meth:`to_dict`) and back (:meth:`from_dict`) of a document dataclass."""

    __slots__ = ()
    _hints: ClassVar[dict[type, dict[str, Any]]] = {}

    def to_dict(self) -> dict[str, Any]:
        """The plain form: dicts, lists and scalars (tables stay :class:`Table`)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            v = getattr(self, f.name)
            if v is None and (f.metadata.get("omit") or f.metadata.get("flat")):
                continue
            if f.metadata.get("flat"):
                out.update(v.to_dict())
            else:
                out[f.name] = _plain(v)
        return out

    @classmethod
    def from_dict(cls, d: typing.Mapping[str, Any]) -> Self:
        """The dataclass of a plain form (the analysis's dicts, or JSON read back): values
        converted by the fields' types (numpy scalars to Python ones, lists to tuples, row
        lists to tables), a missing :data:`OMIT` key to None. Checks nothing beyond that: the
        JSON Schema does (:func:`gait.report.validation.validate`)."""
        hints = _Doc._hints.get(cls)
        if hints is None:
            hints = _Doc._hints[cls] = typing.get_type_hints(cls)
        kw: dict[str, Any] = {}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            tp = hints[f.name]
            if f.metadata.get("flat"):
                sub = _optional(tp)
                first = dataclasses.fields(sub)[0].name
                kw[f.name] = sub.from_dict(d) if first in d else None
            elif f.name in d:
                kw[f.name] = _build(tp, d[f.name])
            elif not f.metadata.get("omit"):
                raise KeyError(f.name)
        return cls(**kw)


def _plain(v: Any) -> Any:
    if isinstance(v, _Doc):
        return v.to_dict()
    if isinstance(v, tuple):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    return v


def _optional(tp: Any) -> Any:
    """``X`` of ``X | None``."""
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    return args[0] if args else tp


def _build(tp: Any, x: Any) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        if x is None:
            return None
        return _build(_optional(tp), x)
    if isinstance(tp, type) and issubclass(tp, _Doc):
        return tp.from_dict(x)
    if tp is Table:
        return x if isinstance(x, Table) else rows_table(x)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_build(args[0], v) for v in x)
        return tuple(_build(a, v) for a, v in zip(args, x, strict=True))
    if origin is dict:
        value = typing.get_args(tp)[1]
        return {str(k): _build(value, v) for k, v in x.items()}
    if isinstance(x, np.generic):
        return x.item()
    return x


def rows_table(rows: typing.Sequence[typing.Mapping[str, Any]]) -> Table:
    """A :class:`Table` of row dicts (as JSON gives them back): a column of integers stays
    integers, one of numbers and nulls becomes float64 (null: NaN), any other (strings, nulls)
    codes."""
    keys: dict[str, None] = {}
    for r in rows:
        keys.update(dict.fromkeys(r))
    cols: dict[str, Any] = {}
    for k in keys:
        vals = [r.get(k) for r in rows]
        kinds = {type(v) for v in vals}
        if kinds == {int}:
            cols[k] = np.array(vals, dtype=np.int64)
        elif kinds <= {int, float, type(None)} and kinds & {int, float}:
            cols[k] = np.array([np.nan if v is None else v for v in vals], dtype=np.float64)
        else:
            cols[k] = vals
    return Table(cols)


def _doc(cls: type) -> type:
    return dataclass(frozen=True, slots=True)(cls)


# --- the parts -------------------------------------------------------------------------------

@_doc
class Stream(_Doc):
    """One sensor stream of the recording (``recording.streams[]``)."""

    placement: str  # "left_foot", ..., "hand (inferred)" for an inferred placement
    sample_rate_hz: float
    sensors: tuple[str, ...]  # "accelerometer", "gyroscope"
    acc_kind: str  # "total" (with gravity) or "linear"
    missing_pct: float
    n_samples: int


@_doc
class RecordingInfo(_Doc):
    """What was analysed (``recording``)."""

    file: str
    format: str
    app: str
    platform: str | None
    device: str | None
    start_time_utc: str | None  # ISO 8601
    duration_s: float
    streams: tuple[Stream, ...]
    warnings: tuple[str, ...]


@_doc
class Bout(_Doc):
    """One walking or running bout (s on the recording's axis)."""

    start: float
    end: float
    kind: str  # "walk" or "run"


@_doc
class PlacementGuessDoc(_Doc):
    """Where the sensor probably was, when that is not clear from the signal
    (``quality.placement_guess``; :mod:`gait.events.steps_only`): the best guess, its
    confidence (below the 0.9 a placement is used from), the ``PLACEMENT=`` names to choose
    from, why, and whether the steps-only analysis found the signal to repeat every step or
    every stride (``unit``: "step", "stride" or None when that was not clear: no cadence)."""

    placement: str
    confidence: float
    candidates: tuple[str, ...]
    reason: str
    unit: str | None


@_doc
class Quality(_Doc):
    """How well the recording could be analysed (``quality``)."""

    ok: bool
    n_steps: int
    n_steps_L: int
    n_steps_R: int
    n_irregular_steps: int
    n_bouts: int
    walking_s: float
    problems: tuple[str, ...]
    notes: tuple[str, ...]
    side_confidence: float | None  # mean side confidence of the events; None: sides by placement
    #: where left and right come from: "placement", "mount", "side check", "inferred"
    side_source: str | None = field(default=None, metadata=OMIT)
    #: the placement was not clear: steps and cadence only (:mod:`gait.events.steps_only`)
    placement_guess: PlacementGuessDoc | None = field(default=None, metadata=OMIT)


@_doc
class Stat(_Doc):
    """Mean, SD, CV (%) and count of one parameter's values."""

    mean: float | None
    sd: float | None
    cv: float | None
    n: int


@_doc
class Overall(_Doc):
    """Both legs together (``overall``; :func:`gait.metrics.overall`)."""

    n_steps: int
    cadence_spm: float | None
    step_s: Stat
    stride_s: Stat | None = field(default=None, metadata=OMIT)  # a sensor on one leg only
    one_leg: str | None = field(default=None, metadata=OMIT)  # its side, "L" or "R"


@_doc
class StepAsymmetry(_Doc):
    """Walking asymmetry of the step times (step time's symmetry only;
    :func:`gait.metrics.step_asymmetry`)."""

    asymmetric_steps_pct: float | None
    n_step_pairs: int
    limit_pct: float


@_doc
class Symmetry(_Doc):
    """One parameter's left/right comparison (``symmetry.<parameter>``;
    :func:`gait.metrics.symmetry`): SI with its 95 % CI, the left share with its CI."""

    si_pct: float
    ci95: Pair
    left_share_pct: float | None
    left_share_ci95: Pair
    gait_asymmetry_pct: float | None
    n_strides: int
    walking: StepAsymmetry | None = field(default=None, metadata=FLAT)


@_doc
class Position(_Doc):
    """Where a walk sits among healthy walkers (``verdict.findings[].healthy``): its left
    share and their central 90 %, or (pelvic drop) its difference in degrees and their 90th
    percentile."""

    left_share_pct: float | None = field(default=None, metadata=OMIT)
    healthy_left_share_90: Pair | None = field(default=None, metadata=OMIT)
    diff_deg: float | None = field(default=None, metadata=OMIT)
    healthy_diff_p90_deg: float | None = field(default=None, metadata=OMIT)


@_doc
class Finding(_Doc):
    """One judged parameter (``verdict.findings[]``)."""

    parameter: str
    label: str
    si_pct: float
    ci95: Pair
    level: str  # "balanced", "mild", "marked", "uncertain"
    towards: str | None  # "L", "R"
    counts: bool  # counts towards the weight-shift verdict
    text: str
    healthy: Position | None = field(default=None, metadata=OMIT)


@_doc
class Band(_Doc):
    """The healthy walkers behind a threshold (``verdict.thresholds[].healthy``;
    :class:`gait.parameters.Band`)."""

    n_walks: int
    n_subjects: int
    datasets: str
    sd_pct: float
    left_share_90: Pair


@_doc
class Threshold(_Doc):
    """One parameter's thresholds for the sensors used (``verdict.thresholds[]``)."""

    parameter: str
    label: str
    mild_pct: float
    marked_pct: float
    source: str
    sensors: str  # "feet" or "lower_back"
    counts: bool
    healthy: Band | None = field(default=None, metadata=OMIT)


@_doc
class Cause(_Doc):
    """Why a verdict is undetermined, and the step of ``gait guide`` that fixes it."""

    cause: str
    text: str
    guide_step: int
    guide: str


@_doc
class Verdict(_Doc):
    """The weight-shift verdict (``verdict``; :func:`gait.interpret.verdict`)."""

    level: str  # "balanced", "mild", "marked", "undetermined"
    towards: str | None
    summary: str
    findings: tuple[Finding, ...]
    explanation: tuple[str, ...]
    advice: tuple[str, ...]
    thresholds: tuple[Threshold, ...]
    causes: tuple[Cause, ...] | None = field(default=None, metadata=OMIT)  # undetermined


@_doc
class HeadlineNumber(_Doc):
    """The headline's number: stance balance and SI with its CI, the healthy band."""

    parameter: str
    left_pct: float
    right_pct: float
    si_pct: float
    ci95: Pair
    healthy_left_share_90: Pair | None = field(default=None, metadata=OMIT)


@_doc
class HeadlineCause(_Doc):
    """An undetermined headline's first cause and its step of ``gait guide``."""

    cause: str | None
    guide_step: int | None


@_doc
class Headline(_Doc):
    """The answer in one line (``headline``; :func:`gait.interpret.headline`)."""

    level: str
    towards: str | None
    title: str
    text: str
    lines: tuple[str, ...]
    number: HeadlineNumber | None = field(default=None, metadata=FLAT)
    undetermined: HeadlineCause | None = field(default=None, metadata=FLAT)


@_doc
class Report(_Doc):
    """The whole document. ``per_side``: ``{"L"|"R": {parameter: Stat}}``; ``symmetry``:
    ``{parameter: Symmetry}`` (parameters of :data:`gait.parameters.NAMES`); ``trunk``: the
    trunk measures (``gait.report.jsonout.TRUNK``), null when not measurable; ``steps`` and
    ``events``: the per-step and per-event rows."""

    schema: str
    generated_by: str
    created_utc: str
    headline: Headline
    disclaimer: str
    recording: RecordingInfo
    sources: tuple[str, ...]
    gait_kind: str  # "walk", "run", "mixed"
    bouts: tuple[Bout, ...]
    quality: Quality
    overall: Overall
    per_side: dict[str, dict[str, Stat]]
    symmetry: dict[str, Symmetry]
    trunk: dict[str, float | None]
    verdict: Verdict
    steps: Table
    events: Table
