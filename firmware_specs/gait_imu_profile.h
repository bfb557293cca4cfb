/* gait open IMU profile: generated from gait_imu_profile.toml by
 * `python -m gait.ble.spec`; do not edit. All fields little-endian. */
#ifndef GAIT_IMU_PROFILE_H
#define GAIT_IMU_PROFILE_H

#include <stdint.h>

#define GAIT_DATA_VERSION 1
#define GAIT_UUID_SERVICE "b8890001-c813-4b93-bba9-dd68d2918542"
#define GAIT_UUID_DATA "b8890002-c813-4b93-bba9-dd68d2918542"
#define GAIT_UUID_CONTROL "b8890003-c813-4b93-bba9-dd68d2918542"
#define GAIT_UUID_DEVICE_INFO "b8890004-c813-4b93-bba9-dd68d2918542"
#define GAIT_UUID_STATUS "b8890005-c813-4b93-bba9-dd68d2918542"
#define GAIT_FLAG_SIDE_MASK 0x03
#define GAIT_FLAG_GYRO_PRESENT 0x04
#define GAIT_FLAG_FIFO_OVERFLOW 0x08
#define GAIT_MIN_MTU 65
#define GAIT_RESPONSE_CODE 0x80
#define GAIT_OP_START 0x01
#define GAIT_OP_STOP 0x02
#define GAIT_OP_SET_CONFIG 0x03
#define GAIT_OP_GET_CONFIG 0x04
#define GAIT_OP_TIME_PING 0x05
#define GAIT_OP_IDENTIFY 0x06
#define GAIT_OP_SET_LOCATION 0x07
#define GAIT_STATUS_SUCCESS 0
#define GAIT_STATUS_UNSUPPORTED_OPCODE 1
#define GAIT_STATUS_INVALID_PARAMETER 2
#define GAIT_STATUS_INVALID_STATE 3
#define GAIT_STATUS_BUSY 4
#define GAIT_STATUS_FAILED 5
#define GAIT_LOCATION_UNKNOWN 0
#define GAIT_LOCATION_LEFT_FOOT 1
#define GAIT_LOCATION_RIGHT_FOOT 2
#define GAIT_LOCATION_LOWER_BACK 3
#define GAIT_LOCATION_LEFT_SHANK 4
#define GAIT_LOCATION_RIGHT_SHANK 5
#define GAIT_LOCATION_CHEST 6
#define GAIT_LOCATION_LEFT_POCKET 7
#define GAIT_LOCATION_RIGHT_POCKET 8
#define GAIT_LOCATION_HAND 9

typedef struct __attribute__((packed)) {
    uint8_t ver;
    uint8_t flags;
    uint16_t seq;
    uint32_t first_sample_index;
    uint32_t t_first;
    uint8_t n;
    uint8_t config_id;
} gait_header_t;  /* 14 bytes */

typedef struct __attribute__((packed)) {
    uint8_t profile_version;
    uint8_t fw_major;
    uint8_t fw_minor;
    uint8_t imu;
    uint32_t tick_hz;
    uint32_t serial;
    uint8_t location;
    uint16_t max_rate_hz;
    uint8_t reserved;
} gait_device_info_t;  /* 16 bytes */

typedef struct __attribute__((packed)) {
    uint8_t config_id;
    float odr_hz;
    uint8_t acc_range_g;
    uint16_t gyro_range_dps;
    uint8_t samples_per_packet;
    float acc_lsb_per_g;
    float gyro_lsb_per_dps;
} gait_config_t;  /* 17 bytes */

typedef struct __attribute__((packed)) {
    uint8_t battery_pct;
    uint8_t state;
    uint32_t fifo_overflows;
    uint32_t tx_dropped_samples;
} gait_status_t;  /* 10 bytes */

typedef struct __attribute__((packed)) {
    uint16_t rate_hz;
    uint8_t acc_range_g;
    uint16_t gyro_range_dps;
    uint8_t samples_per_packet;
} gait_set_config_t;  /* 6 bytes */

typedef struct __attribute__((packed)) {
    uint64_t host_time_us;
    uint32_t t_dev;
} gait_time_ping_t;  /* 12 bytes */

/* a sample: ax ay az [gx gy gz], int16 each, after the header */
typedef struct __attribute__((packed)) { int16_t a[3]; int16_t g[3]; } gait_sample_t;

#endif
