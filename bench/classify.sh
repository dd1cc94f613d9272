#!/usr/bin/env bash
# Classification at scale: the member table of 100,000 members.
#
#   bench/classify.sh                      (MESSAGES=200000 SENDERS=100000 RUNS=3)
#
# Builds the release binary; generates (once, cached in $WORK, default
# /tmp/listpulse-classify) a synthetic archive of MESSAGES messages from
# SENDERS made-up people with bench/gen_synthetic.py, and a roster of all
# SENDERS; ingests both into a fresh database; then times
# `listpulse classify --format csv` and `--history` RUNS times each and
# prints the best. Target: under a second for 100,000 members.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
messages="${MESSAGES:-200000}"
senders="${SENDERS:-100000}"
runs="${RUNS:-3}"
work="${WORK:-/tmp/listpulse-classify}"
as_of="2026-01-01"
mkdir -p "$work"
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="$root/target/release/listpulse"

archive="$work/syn-$messages-$senders.mbox"
roster="$work/roster-$senders.csv"
if [ ! -f "$archive" ] || [ ! -f "$roster" ]; then
  echo "generating $archive and $roster ..." >&2
  python3 "$root/bench/gen_synthetic.py" --messages "$messages" --senders "$senders" \
    --out "$archive.partial" --roster "$roster.partial"
  mv "$archive.partial" "$archive"
  mv "$roster.partial" "$roster"
fi

db="$work/classify.db"
rm -f "$db" "$db-wal" "$db-shm" "$db.lock"
"$bin" ingest --db "$db" --coalition scale --quiet "$archive"
"$bin" roster import --db "$db" --coalition scale --date 2025-01-01 --quiet "$roster"

# Arithmetic through python3 (always present), not bc (often absent).
minus() { python3 -c "print($1 - $2)"; }
less() { python3 -c "import sys; sys.exit(0 if $1 < $2 else 1)"; }

# Best of $runs wall-clock seconds of "$@", output to $work/out.
best() {
  local best="" t start end
  for _ in $(seq "$runs"); do
    start=$(date +%s.%N)
    "$@" > "$work/out"
    end=$(date +%s.%N)
    t=$(minus "$end" "$start")
    if [ -z "$best" ] || less "$t" "$best"; then best=$t; fi
  done
  echo "$best"
}

table=$(best "$bin" classify --db "$db" --coalition scale --format csv --as-of "$as_of")
members=$(($(wc -l < "$work/out") - 1))
classes=$(cut -d, -f4 "$work/out" | tail -n +2 | sort | uniq -c | awk '{printf "%s %s, ", $1, $2}')
history=$(best "$bin" classify --db "$db" --coalition scale --format csv --as-of "$as_of" --history)
points=$(($(wc -l < "$work/out") - 1))

printf 'database: %s messages ingested, %s roster rows, %s members (%s)\n' \
  "$messages" "$senders" "$members" "${classes%, }"
printf 'classify --format csv:           %.3f s (best of %s)\n' "$table" "$runs"
printf 'classify --format csv --history: %.3f s (best of %s, %s evaluation days)\n' "$history" "$runs" "$points"
