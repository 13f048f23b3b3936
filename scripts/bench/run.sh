#!/usr/bin/env bash
# The head-to-head benchmark, as recorded in the README:
#   scripts/bench/run.sh [WORK_DIR]
# Needs Python 3 with the packages of scripts/bench/requirements.txt, about
# 7 GB of disk in WORK_DIR for the 10^9-row streaming set, and root for the
# cold-cache timings (drop_caches). Takes about 10 minutes (fairlearn on
# 10^7 rows alone takes over 3).
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=${1:-target/bench}
cargo build --release
python3 scripts/bench/bench.py --biasbench target/release/biasbench --work "$WORK" \
  --stream-rows 1e9 --cold
