#!/usr/bin/env bash
# The long kill run: the fault tests of tests/integration/faults.rs with 20
# kill moments each instead of the suite's 4.
#
#   bench/kill-long.sh            (KILL_POINTS=N to choose another count)
#
# Each test first measures an uninterrupted reference run, then SIGKILLs
# runs at moments spread evenly over that duration (2.5 %, 7.5 %, …, 97.5 %
# with 20), checks that the database holds whole files only (the reference's
# messages of every file it records, nothing else) and that the reports are
# each a whole old or new version, then reruns to the reference's result.
# The moments follow the measured duration, so the kills land mid-run on
# any machine. About 2 minutes here (2 cores); `cargo test` runs the same
# tests with 4 moments.
set -euo pipefail
cd "$(dirname "$0")/.."
export KILL_POINTS="${KILL_POINTS:-20}"
echo "kill points per test: $KILL_POINTS"
exec cargo test --locked --test integration faults:: -- --nocapture --test-threads=1
