"""The machine-readable profiles (``firmware_specs/*.toml``, shipped as ``gait/ble/specs``).

:func:`gait_profile` and :func:`polar_profile` parse them once; layouts become numpy structured
dtypes (vectorised decoding) and ``struct.Struct``s (the recorder's per-packet peek).
"""

from __future__ import annotations

import hashlib
import struct
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

SPEC_FILES = ("gait_imu_profile.toml", "polar_pmd.toml")
_NP = {"u1": "<u1", "u2": "<u2", "u4": "<u4", "u8": "<u8", "i1": "<i1", "i2": "<i2",
       "i4": "<i4", "f4": "<f4"}
_ST = {"u1": "B", "u2": "H", "u4": "I", "u8": "Q", "i1": "b", "i2": "h", "i4": "i", "f4": "f"}


def spec_bytes(name: str) -> bytes:
    """The raw bytes of a shipped spec file."""
    return (resources.files("gait.ble") / "specs" / name).read_bytes()


def spec_sha256(name: str) -> str:
    return hashlib.sha256(spec_bytes(name)).hexdigest()


@dataclass(frozen=True)
class Layout:
    """A fixed binary layout: named fields at offsets."""

    name: str
    size: int
    fields: tuple[tuple[str, str, int], ...]  # (name, type, offset)
    dtype: np.dtype = field(init=False, compare=False)
    struct: struct.Struct = field(init=False, compare=False)

    def __post_init__(self) -> None:
        names = [f[0] for f in self.fields]
        dt = np.dtype({"names": names, "formats": [_NP[f[1]] for f in self.fields],
                       "offsets": [f[2] for f in self.fields], "itemsize": self.size})
        object.__setattr__(self, "dtype", dt)
        # struct with explicit padding, fields in offset order
        fmt, pos = "<", 0
        for _, typ, off in sorted(self.fields, key=lambda f: f[2]):
            if off > pos:
                fmt += f"{off - pos}x"
            fmt += _ST[typ]
            pos = off + struct.calcsize("<" + _ST[typ])
        if self.size > pos:
            fmt += f"{self.size - pos}x"
        object.__setattr__(self, "struct", struct.Struct(fmt))

    @property
    def order(self) -> list[str]:
        return [f[0] for f in sorted(self.fields, key=lambda f: f[2])]

    def pack(self, **values: float) -> bytes:
        """Bytes of one record; missing fields are zero."""
        return self.struct.pack(*[values.get(n, 0) for n in self.order])

    def unpack(self, data: bytes | bytearray | memoryview) -> dict[str, Any]:
        """One record as a dict (raises ``struct.error`` if too short)."""
        vals = self.struct.unpack_from(data, 0)
        return dict(zip(self.order, vals, strict=True))


def _layout(name: str, table: dict[str, Any]) -> Layout:
    return Layout(name, int(table["size"]),
                  tuple((f["name"], f["type"], int(f["offset"])) for f in table["fields"]))


@dataclass(frozen=True)
class GaitProfile:
    """The open gait IMU profile (see ``firmware_specs/README.md``)."""

    raw: dict[str, Any]
    header: Layout
    device_info: Layout
    config: Layout
    status: Layout
    set_config: Layout
    time_ping: Layout
    opcodes: dict[str, int]
    status_codes: dict[str, int]
    locations: dict[int, str]
    sides: dict[int, str]

    @property
    def uuids(self) -> dict[str, str]:
        return self.raw["uuids"]

    @property
    def data_version(self) -> int:
        return int(self.raw["profile"]["data_version"])

    @property
    def header_size(self) -> int:
        return self.header.size

    @property
    def flags(self) -> tuple[int, int, int]:
        """(side mask, gyro-present bit, FIFO-overflow bit)."""
        d = self.raw["data"]
        return (int(d["flags_side_mask"]), int(d["flags_gyro_present"]),
                int(d["flags_fifo_overflow"]))

    @property
    def sample_fields(self) -> list[str]:
        return list(self.raw["data"]["sample"]["fields"])

    @property
    def response_code(self) -> int:
        return int(self.raw["control"]["response_code"])

    @property
    def min_mtu(self) -> int:
        return int(self.raw["connection"]["min_mtu"])

    @property
    def g(self) -> float:
        return float(self.raw["scale"]["g"])

    def samples_per_packet(self, mtu: int, gyro: bool = True) -> int:
        """How many samples fit one notification at this ATT MTU (3 bytes of ATT header)."""
        size = 2 * (6 if gyro else 3)
        return max(0, min(255, (mtu - 3 - self.header_size) // size))

    def location_code(self, placement: str) -> int:
        for code, name in self.locations.items():
            if name == placement:
                return code
        return 0


@dataclass(frozen=True)
class PolarProfile:
    """Polar PMD (see ``firmware_specs/polar_pmd.toml``)."""

    raw: dict[str, Any]
    header: Layout
    measurement_types: dict[str, int]
    opcodes: dict[str, int]
    status_codes: dict[str, int]
    settings: dict[str, dict[str, Any]]
    frames: tuple[dict[str, Any], ...]

    @property
    def uuids(self) -> dict[str, str]:
        return self.raw["uuids"]

    @property
    def header_size(self) -> int:
        return self.header.size

    @property
    def compressed_bit(self) -> int:
        return int(self.raw["frame"]["compressed_bit"])

    @property
    def response_code(self) -> int:
        return int(self.raw["control"]["response_code"])

    @property
    def epoch_utc(self) -> str:
        return str(self.raw["time"]["epoch"])

    def frame(self, measurement: str, frame_type: int, compressed: bool) -> dict[str, Any] | None:
        for f in self.frames:
            if (f["measurement"] == measurement and int(f["frame_type"]) == frame_type
                    and bool(f["compressed"]) == compressed):
                return f
        return None

    def measurement_name(self, code: int) -> str | None:
        for k, v in self.measurement_types.items():
            if v == code:
                return k
        return None

    def setting_code(self, name: str) -> int:
        return int(self.settings[name]["code"])

    def setting_size(self, code: int) -> int | None:
        for s in self.settings.values():
            if int(s["code"]) == code:
                return int(s["size"])
        return None


def _load(name: str) -> dict[str, Any]:
    return tomllib.loads(spec_bytes(name).decode("utf-8"))


@cache
def gait_profile() -> GaitProfile:
    raw = _load("gait_imu_profile.toml")
    d = raw["data"]
    header = Layout("header", int(d["header_size"]),
                    tuple((f["name"], f["type"], int(f["offset"])) for f in d["header"]))
    c = raw["control"]
    return GaitProfile(
        raw=raw, header=header,
        device_info=_layout("device_info", raw["device_info"]),
        config=_layout("config", raw["config"]),
        status=_layout("status", raw["status"]),
        set_config=_layout("set_config", c["set_config"]),
        time_ping=_layout("time_ping", c["time_ping"]),
        opcodes={k: int(v) for k, v in c["opcodes"].items()},
        status_codes={k: int(v) for k, v in c["status_codes"].items()},
        locations={int(k): v for k, v in raw["locations"].items()},
        sides={int(k): v for k, v in raw["sides"].items()},
    )


@cache
def polar_profile() -> PolarProfile:
    raw = _load("polar_pmd.toml")
    f = raw["frame"]
    header = Layout("frame_header", int(f["header_size"]),
                    tuple((h["name"], h["type"], int(h["offset"])) for h in f["header"]))
    c = raw["control"]
    return PolarProfile(
        raw=raw, header=header,
        measurement_types={k: int(v) for k, v in raw["measurement_types"].items()},
        opcodes={k: int(v) for k, v in c["opcodes"].items()},
        status_codes={k: int(v) for k, v in c["status_codes"].items()},
        settings=dict(raw["settings"]),
        frames=tuple(raw["frames"]),
    )


def status_name(profile: GaitProfile | PolarProfile, code: int) -> str:
    for k, v in profile.status_codes.items():
        if v == code:
            return k
    return f"status {code}"


_C = {"u1": "uint8_t", "u2": "uint16_t", "u4": "uint32_t", "u8": "uint64_t", "i1": "int8_t",
      "i2": "int16_t", "i4": "int32_t", "f4": "float"}


def c_header() -> str:
    """``firmware_specs/gait_imu_profile.h``: the profile's constants and packed structs for C.

    Regenerate with ``python -m gait.ble.spec > firmware_specs/gait_imu_profile.h``.
    """
    p = gait_profile()
    u = p.uuids
    lines = ["/* gait open IMU profile: generated from gait_imu_profile.toml by",
             " * `python -m gait.ble.spec`; do not edit. All fields little-endian. */",
             "#ifndef GAIT_IMU_PROFILE_H", "#define GAIT_IMU_PROFILE_H", "", "#include <stdint.h>",
             "", f"#define GAIT_DATA_VERSION {p.data_version}"]
    for k in ("service", "data", "control", "device_info", "status"):
        lines.append(f'#define GAIT_UUID_{k.upper()} "{u[k]}"')
    side_mask, gyro, ovf = p.flags
    lines += [f"#define GAIT_FLAG_SIDE_MASK 0x{side_mask:02X}",
              f"#define GAIT_FLAG_GYRO_PRESENT 0x{gyro:02X}",
              f"#define GAIT_FLAG_FIFO_OVERFLOW 0x{ovf:02X}",
              f"#define GAIT_MIN_MTU {p.min_mtu}",
              f"#define GAIT_RESPONSE_CODE 0x{p.response_code:02X}"]
    lines += [f"#define GAIT_OP_{k} 0x{v:02X}" for k, v in p.opcodes.items()]
    lines += [f"#define GAIT_STATUS_{k} {v}" for k, v in p.status_codes.items()]
    lines += [f"#define GAIT_LOCATION_{v.upper()} {k}" for k, v in p.locations.items()]
    for lay in (p.header, p.device_info, p.config, p.status, p.set_config, p.time_ping):
        lines += ["", "typedef struct __attribute__((packed)) {"]
        pos = 0
        for name, typ, off in sorted(lay.fields, key=lambda f: f[2]):
            if off > pos:
                lines.append(f"    uint8_t _pad{pos}[{off - pos}];")
            lines.append(f"    {_C[typ]} {name};")
            pos = off + int(np.dtype(_NP[typ]).itemsize)
        if lay.size > pos:
            lines.append(f"    uint8_t _pad{pos}[{lay.size - pos}];")
        lines += [f"}} gait_{lay.name}_t;  /* {lay.size} bytes */"]
    lines += ["", "/* a sample: ax ay az [gx gy gz], int16 each, after the header */",
              "typedef struct __attribute__((packed)) { int16_t a[3]; int16_t g[3]; } "
              "gait_sample_t;", "", "#endif", ""]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(c_header(), end="")
