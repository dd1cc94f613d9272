#!/usr/bin/env bash
# The DCCG's scale: `listpulse run` over 30 coalitions, about 300,000
# messages, writing every report (each coalition's folder and the comparison).
#
#   bench/many.sh                 (MESSAGES=300000 COALITIONS=30 RUNS=3)
#
# Builds the release binary; generates (once, cached in $WORK, default
# /tmp/listpulse-many) the coalitions with bench/gen_many.py: an mbox, a
# roster and a check-in file each, and a listpulse.toml. Then times
#   1. a first run: a fresh database, so it ingests every archive, imports the
#      rosters and check-ins, evaluates, and writes every report;
#   2. a second run: nothing new to ingest, every report written again
#      (what a weekly cron run costs);
# each RUNS times (best kept), and prints the load average beside them: the
# machine is shared. Target: under 10 s for the first run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
messages="${MESSAGES:-300000}"
coalitions="${COALITIONS:-30}"
runs="${RUNS:-3}"
work="${WORK:-/tmp/listpulse-many}"
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="$root/target/release/listpulse"

data="$work/data-$coalitions-$messages"
if [ ! -f "$data/listpulse.toml" ]; then
  echo "generating $data ..." >&2
  rm -rf "$data.partial"
  python3 "$root/bench/gen_many.py" "$data.partial" --messages "$messages" --coalitions "$coalitions" >&2
  mv "$data.partial" "$data"
fi
config="$data/listpulse.toml"

# Arithmetic through python3 (always present), not bc (often absent).
minus() { python3 -c "print($1 - $2)"; }
less() { python3 -c "import sys; sys.exit(0 if $1 < $2 else 1)"; }

seconds() { # wall-clock seconds of "$@", stderr kept in $work/stderr
  local start end
  start=$(date +%s.%N)
  "$@" 2>"$work/stderr"
  end=$(date +%s.%N)
  minus "$end" "$start"
}

fresh_best="" again_best=""
for _ in $(seq "$runs"); do
  rm -rf "$data/listpulse.db" "$data/listpulse.db-wal" "$data/listpulse.db-shm" "$data/reports"
  t=$(seconds "$bin" run --config "$config")
  if [ -z "$fresh_best" ] || less "$t" "$fresh_best"; then fresh_best=$t; fi
  t=$(seconds "$bin" run --config "$config")
  if [ -z "$again_best" ] || less "$t" "$again_best"; then again_best=$t; fi
done
files=$(find "$data/reports" -type f | wc -l)
printf 'coalitions: %s, messages: %s, report files: %s\n' "$coalitions" "$messages" "$files"
printf 'first run (ingest + every report): %.2f s (best of %s)\n' "$fresh_best" "$runs"
printf 'second run (every report again):   %.2f s (best of %s)\n' "$again_best" "$runs"
printf 'load average: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'warnings of the last run (stale archives, by design):\n'
sed 's/^/  /' "$work/stderr"
