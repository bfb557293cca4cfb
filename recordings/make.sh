#!/usr/bin/env bash
# Regenerates the bundled demo recordings with the simulator (deterministic: fixed seeds).
# Each NAME has NAME.gait.json (manifest), NAME.<placement>.csv and NAME.truth.json.
set -euo pipefail
cd "$(dirname "$0")"
gait simulate walk_symmetric --duration 60 --seed 1 --turn 30:180:2
gait simulate walk_weight_shift_left --duration 60 --seed 2 --stance-asym 12 --step-asym -3 \
    --impact-asym 20 --pelvic-drop-asym 3
gait simulate run --duration 60 --gait run --speed 3.2 --seed 3
gait simulate walk_two_feet --duration 60 --placement left_foot --placement right_foot \
    --seed 4 --pause 28:4 --clock-drift 40
gait simulate walk_pocket_right --duration 60 --placement right_pocket --seed 5 \
    --orientation 15:-10:170 --noise 0.04
