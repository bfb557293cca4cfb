"""BLE recording: the open gait IMU profile and Polar PMD, decoding, journal, recorder.

Data flow: ``recorder`` (bleak) -> append-only ``journal`` (raw packets, length + CRC) ->
``assemble`` (``decode`` + ``timebase``) -> the project's recording format
(:mod:`gait.io.gaitcsv`). ``sim`` and ``bumble_backend`` provide virtual sensors on Google's
bumble stack so that the same recorder runs without Bluetooth hardware. The packet layouts live
in ``firmware_specs/*.toml`` (shipped as ``gait/ble/specs``) and drive both sides.
"""
