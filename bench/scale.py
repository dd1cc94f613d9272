#!/usr/bin/env python3
"""Scale benchmark: ingest synthetic archives of ~200 MB and ~2 GB, as one
file and as monthly files, and report MB/s, messages/s and peak memory.

    python3 bench/scale.py                 # 100k and 1M messages (needs ~10 GB of disk in --work)
    python3 bench/scale.py --sizes 100000  # just the small one
    python3 bench/scale.py --runs 3        # best of 3 per case (a shared machine is noisy)

Peak memory is the maximum resident set size of the listpulse process as the
kernel reports it (getrusage of the child). The archives are generated once by
gen_synthetic.py into --work and reused. The load average before and after is
printed: on a busy machine the 1M rows suffer most, so rerun when it is low.
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def ensure(path, messages, monthly):
    """Generates the archive unless a complete one is there: it is written
    under a temporary name and renamed, so an interrupted generation is
    never mistaken for a finished one."""
    if os.path.exists(path):
        return
    partial = path + ".partial"
    if os.path.isdir(partial):
        shutil.rmtree(partial)
    elif os.path.exists(partial):
        os.remove(partial)
    cmd = [sys.executable, os.path.join(HERE, "gen_synthetic.py"), "--messages", str(messages), "--out", partial]
    if monthly:
        cmd.append("--monthly")
    print(f"generating {path} ...", file=sys.stderr)
    subprocess.run(cmd, check=True)
    os.rename(partial, path)


def size_of(path):
    if os.path.isdir(path):
        return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)
    return os.path.getsize(path)


def run_one(binary, path, work):
    db = os.path.join(work, "scale.db")
    for suffix in ("", "-wal", "-shm", ".lock"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run([binary, "ingest", "--db", db, "--coalition", "scale", "--quiet", "--json", path],
                          capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"listpulse failed ({proc.returncode}): {proc.stderr.strip()}")
    # ru_maxrss of children is the max over all children so far; each run is
    # measured in a fresh interpreter-child, so keep runs in ascending size.
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    summary = json.loads(proc.stdout)
    return wall, summary, max(peak_kb, before)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100000,1000000", help="message counts, comma-separated")
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "listpulse-scale"))
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--runs", type=int, default=1, help="runs per case; the fastest counts, peak RSS is the highest")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target", "release", "listpulse")

    print("load average before: %.2f %.2f %.2f" % os.getloadavg())
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        for monthly in (False, True):
            path = os.path.join(args.work, f"syn-{n}" + ("-monthly" if monthly else ".mbox"))
            ensure(path, n, monthly)
            # Each measurement in its own python child so ru_maxrss is per run.
            code = (
                "import sys, json; sys.path.insert(0, %r); import scale; "
                "w, s, p = scale.run_one(%r, %r, %r); print(json.dumps([w, s, p]))" % (HERE, binary, path, args.work)
            )
            wall, peak_kb = None, 0
            for _ in range(args.runs):
                out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
                w, summary, p = json.loads(out.stdout)
                wall = w if wall is None else min(wall, w)
                peak_kb = max(peak_kb, p)
            mb = size_of(path) / 1e6
            rows.append((n, "monthly files" if monthly else "one file", mb, summary["messages_seen"], wall, peak_kb / 1024))
    print("| messages | layout | MB | messages seen | seconds | MB/s | messages/s | peak RSS (MB) |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n, layout, mb, seen, wall, peak in rows:
        print(f"| {n:,} | {layout} | {mb:,.0f} | {seen:,} | {wall:.2f} | {mb / wall:,.0f} | {seen / wall:,.0f} | {peak:,.0f} |")
    print("load average after: %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    main()
