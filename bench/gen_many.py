#!/usr/bin/env python3
"""Generate 30 coalitions (about 300,000 messages) for bench/many.sh and the
comparison screenshots: one mbox, a roster and a check-in file each, and a
listpulse.toml that runs them all.

The coalitions differ the way real ones do: sizes from a few dozen to several
hundred members, a shared pool of people on several lists, some lists active
all year, some busy only around the annual meeting, some quiet, and a few
whose archive stops years before the as-of date (stale). Deterministic: the
same seed writes the same bytes.

    python3 bench/gen_many.py OUT_DIR [--messages 300000] [--coalitions 30]
"""

import argparse
import os
import random
from datetime import datetime, timedelta, timezone

TOPICS = [
    "Internet Rights and Principles", "Accessibility and Disability",
    "Child Online Safety", "Gender and Internet Governance",
    "Blockchain Technologies", "Community Connectivity", "Net Neutrality",
    "Platform Responsibility", "Public Access in Libraries",
    "Small Island Developing States", "Innovative Approaches to Connecting the Unconnected",
    "Internet Standards, Security and Safety", "Data and Trust", "Schools of Internet Governance",
    "Environment", "Digital Health", "Open Education", "Core Internet Values",
    "Youth Coalition on Internet Governance", "Data-Driven Health Technologies",
    "Freedom of Expression and Freedom of the Media", "Digital Economic Empowerment",
    "Network Neutrality in Practice", "Trade", "Artificial Intelligence and Data Governance",
    "DNS Issues", "Internet of Things", "Sustainable Journalism", "Digital Inclusion",
    "Interplanetary Internet",
]
FIRST = ["Amani", "Bodil", "Chen", "Dagny", "Emeka", "Farah", "Goran", "Hana", "Ivo",
         "Jun", "Kemal", "Lila", "Mateo", "Nia", "Oskar", "Priya", "Quentin", "Rosa",
         "Sven", "Tariq", "Ulla", "Vera", "Wen", "Ximena", "Yusuf", "Zelie"]
LAST = ["Pellegrino", "Sorensen", "Valdivia", "Okafor", "Haddad", "Brakstad", "Ferreira",
        "Kahn", "Nakamura", "Mensah", "Lindqvist", "Rahman", "Costa", "Novak", "Ibrahim"]
DOMAINS = ["example.org", "mail.example.net", "uni.example.edu", "ngo.example.org"]

AS_OF = datetime(2025, 6, 30, tzinfo=timezone.utc)


def person(i):
    first = FIRST[i % len(FIRST)]
    last = LAST[(i // len(FIRST)) % len(LAST)]
    n = i // (len(FIRST) * len(LAST))
    local = f"{first}.{last}{n if n else ''}".lower()
    return f"{first} {last}", f"{local}@{DOMAINS[i % len(DOMAINS)]}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--messages", type=int, default=300_000)
    ap.add_argument("--coalitions", type=int, default=30)
    args = ap.parse_args()
    rng = random.Random(10)
    os.makedirs(os.path.join(args.out, "archives"), exist_ok=True)
    os.makedirs(os.path.join(args.out, "rosters"), exist_ok=True)
    os.makedirs(os.path.join(args.out, "checkins"), exist_ok=True)

    n = args.coalitions
    # Message share per coalition: a long tail (Zipf-like).
    weights = [1.0 / (k + 1) ** 0.8 for k in range(n)]
    total_w = sum(weights)
    pool = 6000  # people across all coalitions: some on several lists
    config = [
        "# 30 generated coalitions for bench/many.sh (python3 bench/gen_many.py).",
        'database = "listpulse.db"',
        'output = "reports"',
        'as_of = "2025-06-30"',
        "",
    ]
    total = 0
    for c in range(n):
        slug = f"dc-{c + 1:02d}"
        name = f"Dynamic Coalition on {TOPICS[c % len(TOPICS)]}"
        messages = int(args.messages * weights[c] / total_w)
        members = max(25, min(900, messages // 25))
        # Members: a window of the shared pool, so neighbours overlap.
        start = (c * 197) % pool
        people = [(start + k * 3) % pool for k in range(members)]
        kind = ["engaged", "engaged", "meeting", "quiet", "engaged", "stale"][c % 6]
        first_year = 2010 + c % 8
        last_day = AS_OF if kind != "stale" else datetime(2021, 3, 14, tzinfo=timezone.utc)
        first_day = datetime(first_year, 1, 1, tzinfo=timezone.utc)
        span = (last_day - first_day).total_seconds()
        # Posting activity: a few people write most of the messages.
        active = people[: max(3, members // 4)]
        act_w = [1.0 / (k + 1) for k in range(len(active))]
        times = []
        for _ in range(messages):
            if kind == "meeting" and rng.random() < 0.8:
                year = rng.randint(first_year, last_day.year - 1)
                t = datetime(year, 11, 1, tzinfo=timezone.utc) + timedelta(days=rng.uniform(0, 45))
            elif kind == "quiet" and rng.random() < 0.7:
                year = rng.randint(first_year, last_day.year)
                t = datetime(year, 3, 1, tzinfo=timezone.utc) + timedelta(days=rng.uniform(0, 60))
            else:
                t = first_day + timedelta(seconds=rng.uniform(0, span))
            if t > last_day:
                t = last_day - timedelta(hours=rng.uniform(1, 500))
            times.append(t)
        times.sort()
        path = os.path.join(args.out, "archives", f"{slug}.mbox")
        recent = []  # ids of recent thread starters, for replies
        with open(path, "w", encoding="utf-8") as f:
            for k, t in enumerate(times):
                who = rng.choices(active, weights=act_w)[0]
                pname, addr = person(who)
                mid = f"{slug}.{k}@bench.example"
                reply = recent and rng.random() < 0.6
                parent = rng.choice(recent) if reply else None
                if not reply:
                    recent.append(mid)
                    recent = recent[-8:]
                f.write(f"From {addr} {t.strftime('%a %b %d %H:%M:%S %Y')}\n")
                f.write(f"From: {pname} <{addr}>\n")
                f.write(f"Date: {t.strftime('%a, %d %b %Y %H:%M:%S +0000')}\n")
                f.write(f"Message-ID: <{mid}>\n")
                if parent:
                    f.write(f"In-Reply-To: <{parent}>\nSubject: Re: topic\n")
                else:
                    f.write(f"Subject: topic {k}\n")
                f.write("\nA message of the benchmark, with a line of text or two.\n\n")
        total += messages
        with open(os.path.join(args.out, "rosters", f"{slug}.csv"), "w") as f:
            f.write("address,name,joined,status\n")
            for k, p in enumerate(people):
                pname, addr = person(p)
                status = "observer" if k % 9 == 4 else ""
                f.write(f"{addr},{pname},{first_year}-02-01,{status}\n")
        with open(os.path.join(args.out, "checkins", f"{slug}.csv"), "w") as f:
            f.write("address,date,status\n")
            for k, p in enumerate(people):
                if k % 5 == 0:
                    _, addr = person(p)
                    status = ["full", "observer", "full", "leave"][k // 5 % 4]
                    f.write(f"{addr},2025-0{1 + k % 5}-1{k % 9},{status}\n")
        config += [
            "[[coalition]]",
            f'slug = "{slug}"',
            f'name = "{name}"',
            f'archives = ["archives/{slug}.mbox"]',
            f'roster = "rosters/{slug}.csv"',
            'roster_date = "2025-06-01"',
            f'checkins = "checkins/{slug}.csv"',
            f'coordinators = ["{person(people[0])[1]}"]',
        ]
        if c % 3 != 1:
            config.append(
                "annual_meeting = ["
                + ", ".join(f'["{y}-11-10", "{y}-11-14"]' for y in range(first_year, 2025))
                + "]"
            )
        config.append("")
    with open(os.path.join(args.out, "listpulse.toml"), "w") as f:
        f.write("\n".join(config))
    print(f"{n} coalitions, {total} messages in {args.out}")


if __name__ == "__main__":
    main()
