#!/usr/bin/env bash
# Ingest benchmark: listpulse vs. Python's standard mailbox+email+sqlite3.
#
#   bench/ingest.sh [ARCHIVE_DIR]        (default: ../shared/corpus/r-devel)
#
# Builds the release binary, ingests ARCHIVE_DIR into a fresh temporary
# database 3 times (best run counts), runs bench/baseline.py the same way, and
# prints MB/s, messages/s and the speed ratio. Warm page cache; nothing is
# written outside a temporary directory.
set -euo pipefail
# Arithmetic goes through python3 (always present here), not bc (often absent).
calc() { python3 -c "print($1)"; }
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-$root/../shared/corpus/r-devel}"
runs="${RUNS:-3}"
[ -d "$dir" ] || { echo "bench: $dir not found" >&2; exit 2; }
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="$root/target/release/listpulse"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
bytes=$(cat "$dir"/* 2>/dev/null | wc -c)  # on disk; .gz folders report compressed size here
cat "$dir"/* > /dev/null                    # warm the page cache

best=""
for i in $(seq "$runs"); do
  rm -f "$tmp"/lp.db*
  start=$(date +%s.%N)
  "$bin" ingest --db "$tmp/lp.db" --coalition bench --quiet --json "$dir" > "$tmp/lp.json" || true
  end=$(date +%s.%N)
  t=$(calc "$end - $start")
  echo "listpulse run $i: ${t}s"
  if [ -z "$best" ] || [ "$(calc "int($t < $best)")" = 1 ]; then best=$t; fi
done
msgs=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["messages_seen"])' "$tmp/lp.json")
read_bytes=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bytes"])' "$tmp/lp.json")

pbest=""
for i in $(seq "$runs"); do
  rm -f "$tmp"/py.db*
  start=$(date +%s.%N)
  python3 "$root/bench/baseline.py" "$tmp/py.db" "$dir" > "$tmp/py.out"
  end=$(date +%s.%N)
  t=$(calc "$end - $start")
  echo "python run $i: ${t}s ($(cat "$tmp/py.out"))"
  if [ -z "$pbest" ] || [ "$(calc "int($t < $pbest)")" = 1 ]; then pbest=$t; fi
done

printf 'archive: %s (%s bytes on disk, %s bytes read, %s messages)\n' "$dir" "$bytes" "$read_bytes" "$msgs"
printf 'listpulse best: %.3f s  %.0f MB/s  %.0f messages/s\n' "$best" "$(calc "$read_bytes / 1000000 / $best")" "$(calc "$msgs / $best")"
printf 'python    best: %.3f s  %.0f MB/s  %.0f messages/s\n' "$pbest" "$(calc "$read_bytes / 1000000 / $pbest")" "$(calc "$msgs / $pbest")"
printf 'ratio: listpulse is %.1fx faster\n' "$(calc "$pbest / $best")"
