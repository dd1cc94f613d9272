#!/usr/bin/env python3
"""Deterministic synthetic mailing-list archive for scale benchmarks.

Writes N messages (default 1,000,000, about 2 GB) of made-up people on
made-up domains, either as one mbox file or as pipermail-style monthly files.
Nothing here comes from a real archive. The same seed gives the same bytes.

The messages carry what real archives carry and what the parser must get
right at scale: display names (some RFC 2047 encoded), pipermail
`user at host (Name)` senders, several Date styles, threads through
In-Reply-To and References, quoted text, mboxrd `>From ` lines and
unescaped `From ` body lines that are not envelopes.

    python3 bench/gen_synthetic.py --messages 1000000 --out /tmp/big.mbox
    python3 bench/gen_synthetic.py --messages 1000000 --monthly --out /tmp/big-months/
    python3 bench/gen_synthetic.py --messages 200000 --out /tmp/m.mbox --roster /tmp/roster.csv
"""

import argparse
import os
import random

FIRST = ["Ana", "Bo", "Chidi", "Dana", "Eero", "Femi", "Gita", "Hana", "Ivo", "Jun", "Kofi", "Lena",
         "Mateo", "Nia", "Omar", "Pia", "Quinn", "Rosa", "Sami", "Tove", "Uma", "Vik", "Wen", "Xia",
         "Yara", "Zeno", "Jörg", "Zoë", "Łukasz", "Søren"]
LAST = ["Abara", "Berg", "Costa", "Dubois", "Eze", "Fujita", "Garcia", "Haddad", "Ivanova", "Jensen",
        "Kim", "Lopez", "Mensah", "Novak", "Okafor", "Petrov", "Quispe", "Rossi", "Singh", "Tanaka"]
DOMAINS = ["example.org", "example.net", "example.com", "mail.example.edu", "lists.example.int"]
WORDS = ("policy access internet governance forum coalition meeting draft comments review "
         "agenda proposal members session report community network rights data open standard "
         "privacy security infrastructure capacity youth gender accessibility multistakeholder "
         "call notes next steps thanks everyone please find attached summary").split()
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
LONG_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"]


def b_encode(name):
    import base64
    return "=?UTF-8?B?" + base64.b64encode(name.encode()).decode() + "?="


def write_roster(path, senders, seed):
    """Every sender on the roster, some with a join date, some declared
    observers. A generator of its own, so the archive's bytes do not depend
    on whether a roster is asked for."""
    rng = random.Random(seed + 1)
    with open(path, "w", encoding="utf-8") as f:
        f.write("address,name,joined,status\n")
        for name, addr in senders:
            joined = ""
            if rng.random() < 0.6:
                joined = f"{rng.randint(2000, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            status = "observer" if rng.random() < 0.1 else ("full" if rng.random() < 0.5 else "")
            f.write(f"{addr},{name},{joined},{status}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--senders", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--monthly", action="store_true", help="write pipermail-style YYYY-Month.txt files into --out")
    ap.add_argument("--out", required=True)
    ap.add_argument("--roster", help="also write a roster CSV (address,name,joined,status) of every sender")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    senders = []
    for i in range(args.senders):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        addr = f"{first.lower().encode('ascii', 'ignore').decode() or 'x'}.{last.lower()}{i}@{rng.choice(DOMAINS)}"
        senders.append((f"{first} {last}", addr))
    if args.roster:
        write_roster(args.roster, senders, args.seed)
    # Zipf-like activity: a few people write most messages.
    weights = [1.0 / (i + 1) ** 0.9 for i in range(args.senders)]
    cum = []
    total = 0.0
    for w in weights:
        total += w
        cum.append(total)

    import bisect

    def pick_sender():
        return senders[bisect.bisect_left(cum, rng.random() * total)]

    start = 946684800  # 2000-01-01
    span = 26 * 365 * 86400
    step = span / args.messages
    recent = []
    out = None
    current_month = None
    if args.monthly:
        os.makedirs(args.out, exist_ok=True)
    else:
        out = open(args.out, "wb")

    for n in range(args.messages):
        t = int(start + n * step + rng.random() * step)
        # time.gmtime is slow-ish but exact; fine for a generator.
        import time
        g = time.gmtime(t)
        if args.monthly and (g.tm_year, g.tm_mon) != current_month:
            if out:
                out.close()
            current_month = (g.tm_year, g.tm_mon)
            out = open(os.path.join(args.out, f"{g.tm_year}-{LONG_MONTHS[g.tm_mon - 1]}.txt"), "wb")
        name, addr = pick_sender()
        style = rng.random()
        if args.monthly or style < 0.12:
            local, host = addr.split("@")
            from_hdr = f"{local} at {host} ({name})"
            env_sender = f"{local} at {host}"
        elif style < 0.2:
            from_hdr = addr
            env_sender = addr
        elif any(ord(c) > 127 for c in name):
            from_hdr = f"{b_encode(name)} <{addr}>"
            env_sender = addr
        else:
            from_hdr = f'"{name}" <{addr}>'
            env_sender = addr
        asctime = f"{DAYS[g.tm_wday]} {MONTHS[g.tm_mon - 1]} {g.tm_mday:2d} {g.tm_hour:02d}:{g.tm_min:02d}:{g.tm_sec:02d} {g.tm_year}"
        ds = rng.random()
        if ds < 0.7:
            date_hdr = f"{DAYS[g.tm_wday]}, {g.tm_mday:02d} {MONTHS[g.tm_mon - 1]} {g.tm_year} {g.tm_hour:02d}:{g.tm_min:02d}:{g.tm_sec:02d} +0000"
        elif ds < 0.85:
            date_hdr = f"{g.tm_mday} {MONTHS[g.tm_mon - 1]} {g.tm_year} {g.tm_hour:02d}:{g.tm_min:02d}:{g.tm_sec:02d} GMT"
        else:
            date_hdr = asctime
        msgid = f"{n}.{rng.getrandbits(40):x}@synthetic.example"
        headers = [f"From {env_sender}  {asctime}", f"From: {from_hdr}", f"Date: {date_hdr}"]
        topic = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 8)))
        if recent and rng.random() < 0.65:
            parent_id, parent_subject, parent_refs = rng.choice(recent)
            refs = (parent_refs + [parent_id])[-12:]
            headers.append(f"Subject: Re: {parent_subject}")
            headers.append(f"In-Reply-To: <{parent_id}>")
            headers.append("References: " + "\n\t".join(f"<{r}>" for r in refs))
            subject = parent_subject
        else:
            refs = []
            subject = topic
            headers.append(f"Subject: {topic}")
        headers.append(f"Message-ID: <{msgid}>")
        recent.append((msgid, subject, refs))
        if len(recent) > 200:
            recent.pop(0)
        lines = []
        for _ in range(rng.randint(8, 30)):
            lines.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))))
        r = rng.random()
        if r < 0.05:
            lines.insert(rng.randrange(len(lines)), "From the minutes of the last call, " + rng.choice(WORDS))
        elif r < 0.15:
            lines.insert(rng.randrange(len(lines)), ">From the archive: " + rng.choice(WORDS))
        if refs:
            lines.append("")
            lines.append(f"On {date_hdr}, someone wrote:")
            for _ in range(rng.randint(3, 12)):
                lines.append("> " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12))))
        msg = "\n".join(headers) + "\n\n" + "\n".join(lines) + "\n\n"
        out.write(msg.encode("utf-8"))
    if out:
        out.close()


if __name__ == "__main__":
    main()
