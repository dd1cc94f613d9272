#!/usr/bin/env bash
# The hostile-input attacks of issue #12 at full size, each with its wall
# time and peak resident memory:
#
#   bench/hostile.sh            (TMPDIR=… to put the generated files elsewhere)
#
# 1. a 10 MB .gz holding one 3 GB message (between two small ones);
# 2. about 1 GB of blank lines, gzipped (about 1 MB);
# 3. a 60 MB header block (a From: field of 6 million addresses);
# 4. a symlink to /dev/zero and a FIFO in an archive folder;
# 5. a deep tree of symlink loops (two loops in each of 12 nested folders),
#    read through the folder and through a `**` pattern in `listpulse run`.
#
# Default caps (max_message_size 64 MiB, max_decompressed 8 GiB). The
# small-scale versions of the same attacks, with assertions, are
# tests/integration/hostile.rs. Nothing is written outside a temporary
# directory; the generated files take about 20 MB of disk.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="${LISTPULSE:-$root/target/release/listpulse}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

header() { printf 'From %s Mon Jan  1 10:00:00 2024\nFrom: %s\nMessage-ID: <%s>\nDate: Mon, 1 Jan 2024 10:00:00 +0000\n\n' "$1" "$1" "$2"; }

echo "generating inputs in $tmp ..."
# `yes | head` ends `yes` with SIGPIPE: not a failure here.
set +o pipefail
mkdir big blank headers special loops
{ header a@example.org before@example.org; echo small
  header big@example.org big@example.org
  yes 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' | head -c 3000000000
  header c@example.org after@example.org; echo small
} | gzip -9 > big/big.mbox.gz
head -c 1000000000 /dev/zero | tr '\0' '\n' | gzip -9 > blank/blank.txt.gz
{ printf 'From h@example.org Mon Jan  1 10:00:00 2024\nFrom:'
  yes ' a@b.org,' | head -n 6000000
  printf 'Message-ID: <h@example.org>\n\nbody\n'
} > headers/headers.mbox
header a@example.org good@example.org > special/good.mbox
ln -s /dev/zero special/zero.mbox
mkfifo special/fifo.mbox
d=loops
for i in $(seq 12); do
  header "l$i@example.org" "loop$i@example.org" > "$d/m$i.mbox"
  ln -s . "$d/l1"; ln -s .. "$d/l2"
  mkdir "$d/sub"; d="$d/sub"
done
set -o pipefail
printf 'database = "run.db"\noutput = "out"\nas_of = "2024-06-30"\nstale_after = "1y"\n[[coalition]]\nslug = "loops"\narchives = ["loops/**/*.mbox"]\n' > loops.toml

measure() { # name, command…: prints name, wall seconds, peak RSS MB, exit status, summary
  local name="$1"; shift
  local status=0
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%e %M' -o time.txt "$@" > out.txt 2> err.txt || status=$?
    read -r secs kib < <(tail -n 1 time.txt)
  else
    python3 - "$@" > time.txt <<'PY' || true
import resource, subprocess, sys, time
t = time.time()
with open("out.txt", "w") as o, open("err.txt", "w") as e:
    code = subprocess.call(sys.argv[1:], stdout=o, stderr=e)
print(f"{time.time() - t:.2f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss} {code}")
PY
    read -r secs kib status < time.txt
  fi
  local note
  note="$(grep -E '^(too large|empty):|^listpulse:' err.txt | head -3 | tr '\n' ' ' || true)"
  [ -s err.txt ] || note="(nothing: silent success)"
  [ -n "$note" ] || note="$(head -n 1 err.txt | sed 's/.*; \([0-9]* messages seen\)/\1/')"
  printf '| %s | %s | %s | %s | %s |\n' "$name" "$secs" "$((kib / 1024))" "$status" "$note"
}

ingest=("$bin" ingest --db db.sqlite --coalition c)
fresh() { rm -f db.sqlite*; }

echo
echo "| attack | seconds | peak RSS (MB) | exit | what listpulse said |"
echo "| --- | ---: | ---: | ---: | --- |"
fresh; measure "3 GB message in a $(du -k big/big.mbox.gz | cut -f1) KB .gz" "${ingest[@]}" big
fresh; measure "1 GB of blank lines in a $(du -k blank/blank.txt.gz | cut -f1) KB .gz" "${ingest[@]}" blank
fresh; measure "60 MB header block" "${ingest[@]}" headers
fresh; measure "/dev/zero symlink and a FIFO" "${ingest[@]}" special
fresh; measure "12 nested folders, 2 symlink loops each" "${ingest[@]}" loops
measure "the same through run and loops/**/*.mbox" "$bin" run --config loops.toml
