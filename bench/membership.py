#!/usr/bin/env python3
"""Members, contacts and former participants of real lists, with and without
a roster (issue #8).

    python3 bench/membership.py [--as-of 2026-06-30] [LIST ...]

For each corpus list (default: r-announce, twisted-web, r-devel) this ingests
the archive into a fresh database with the release binary, classifies it
without a roster, then builds a roster the way a coordinator would (everyone
active now with a real address, plus the eight people silent longest),
imports it dated one day before T and classifies again. Nothing personal is
written anywhere but a temporary folder. Contacts are the dormant members:
what contacts.csv would hold.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "..", "shared", "corpus")
BIN = os.path.join(ROOT, "target", "release", "listpulse")


def lp(*args, cwd):
    out = subprocess.run([BIN, *args], cwd=cwd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"listpulse {' '.join(args)}: {out.stderr.strip()}")
    return out.stdout


def classify(cwd, as_of, *extra):
    return json.loads(
        lp("classify", "--db", "db.sqlite", "--coalition", "c", "--as-of", as_of,
           "--format", "json", *extra, cwd=cwd))


def counts(table, former):
    c = table["counts"]
    return {
        "members": c["active"] + c["observer"] + c["dormant"],
        "active": c["active"],
        "observer": c["observer"],
        "contacts": c["dormant"],
        "former": len(former["former"]),
    }


def real(row):
    return [a for a in row["addresses"] if " " not in a]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--as-of", default="2026-06-30")
    p.add_argument("lists", nargs="*", default=["r-announce", "twisted-web", "r-devel"])
    a = p.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    print(f"as of {a.as_of}; contacts = dormant members\n")
    print(f"{'list':<12} {'roster':<8} {'members':>8} {'active':>7} {'observer':>9} "
          f"{'contacts':>9} {'former':>7}")
    for name in a.lists:
        with tempfile.TemporaryDirectory() as d:
            lp("ingest", "--db", "db.sqlite", "--coalition", "c", "--quiet",
               os.path.join(CORPUS, name), cwd=d)
            before = classify(d, a.as_of)
            gone = classify(d, a.as_of, "--former")
            row = counts(before, gone)
            print(f"{name:<12} {'none':<8} {row['members']:>8} {row['active']:>7} "
                  f"{row['observer']:>9} {row['contacts']:>9} {row['former']:>7}")
            roster = []
            for m in before["members"]:
                if m["class"] == "active":
                    roster += [(x, m["person"]) for x in real(m)]
            silent = sorted((f for f in gone["former"] if real(f)),
                            key=lambda f: f["last_sign_of_life"] or "")[:8]
            roster += [(real(f)[0], f["person"]) for f in silent]
            with open(os.path.join(d, "roster.csv"), "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["address", "name"])
                w.writerows(roster)
            day_before = subprocess.run(
                ["date", "-d", f"{a.as_of} -1 day", "+%Y-%m-%d"],
                capture_output=True, text=True, check=True).stdout.strip()
            lp("roster", "import", "--db", "db.sqlite", "--coalition", "c", "--date",
               day_before, "-q", "roster.csv", cwd=d)
            after = classify(d, a.as_of)
            gone = classify(d, a.as_of, "--former")
            row = counts(after, gone)
            print(f"{'':<12} {str(len(roster)) + ' rows':<8} {row['members']:>8} "
                  f"{row['active']:>7} {row['observer']:>9} {row['contacts']:>9} "
                  f"{row['former']:>7}")


if __name__ == "__main__":
    main()
