"""The profile specs: shipped copies identical to firmware_specs/, layouts consistent."""

from __future__ import annotations

import tomllib

import pytest

from gait.ble.spec import SPEC_FILES, gait_profile, polar_profile, spec_bytes

from .conftest import REPO


@pytest.mark.parametrize("name", SPEC_FILES)
def test_shipped_spec_is_firmware_spec(name: str) -> None:
    assert spec_bytes(name) == (REPO / "firmware_specs" / name).read_bytes()


def test_gait_profile_layouts() -> None:
    p = gait_profile()
    assert p.header.size == 14 == p.header.struct.size == p.header.dtype.itemsize
    for lay in (p.device_info, p.config, p.status, p.set_config, p.time_ping):
        assert lay.struct.size == lay.size == lay.dtype.itemsize
        assert lay.unpack(lay.pack())  # every field round-trips
    raw = tomllib.loads((REPO / "firmware_specs" / "gait_imu_profile.toml").read_text())
    uuids = raw["uuids"]
    base = uuids["service"][:4], uuids["service"][8:]  # b889xxxx-c813-...: one base
    assert all((uuids[k][:4], uuids[k][8:]) == base
               for k in ("data", "control", "device_info", "status"))
    assert raw["advertising"]["service_uuid"] == uuids["service"]
    # samples per packet from the ATT MTU: (MTU - 3 - 14) // 12
    assert [p.samples_per_packet(m) for m in (23, 65, 185, 247)] == [0, 4, 14, 19]
    assert p.samples_per_packet(p.min_mtu) >= 1
    assert set(p.opcodes) >= {"START", "STOP", "SET_CONFIG", "GET_CONFIG", "TIME_PING"}
    assert p.locations[1] == "left_foot" and p.location_code("lower_back") == 3


def test_config_block_round_trip() -> None:
    p = gait_profile()
    b = p.config.pack(config_id=7, odr_hz=208.0, acc_range_g=16, gyro_range_dps=2000,
                      samples_per_packet=19, acc_lsb_per_g=2049.18, gyro_lsb_per_dps=14.286)
    d = p.config.unpack(b)
    assert d["config_id"] == 7 and d["gyro_range_dps"] == 2000 and d["samples_per_packet"] == 19
    assert d["acc_lsb_per_g"] == pytest.approx(2049.18, rel=1e-6)


def test_polar_profile() -> None:
    pp = polar_profile()
    assert pp.header.size == 10
    assert pp.uuids["service"].startswith("fb005c80")
    assert pp.measurement_types["ACC"] == 2 and pp.measurement_types["GYRO"] == 5
    assert pp.frame("ACC", 1, False)["bytes"] == 2
    assert pp.frame("GYRO", 0, True) is not None
    assert pp.setting_size(pp.setting_code("FACTOR")) == 4


def test_generated_c_header_is_current() -> None:
    from gait.ble.spec import c_header

    assert (REPO / "firmware_specs" / "gait_imu_profile.h").read_text() == c_header()
