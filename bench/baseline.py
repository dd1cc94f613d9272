#!/usr/bin/env python3
"""Baseline for bench/ingest.sh: the same extraction with Python's standard library.

usage: baseline.py DB DIR

Reads every file of DIR with `mailbox.mbox` (gzip files through a temporary
decompressed copy), extracts sender address and name, date (UTC), Message-ID,
In-Reply-To, References and subject with the `email` package, and inserts them
into SQLite (one transaction per file, INSERT OR IGNORE on the message key),
the same work listpulse's ingest does.
"""
import email.header
import email.utils
import gzip
import mailbox
import os
import sqlite3
import sys
import tempfile


def decode(value):
    if value is None:
        return None
    try:
        return str(email.header.make_header(email.header.decode_header(str(value))))
    except Exception:
        return str(value)


def main():
    db, folder = sys.argv[1], sys.argv[2]
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE messages (key TEXT PRIMARY KEY, from_addr TEXT, from_name TEXT, date INTEGER,"
        " in_reply_to TEXT, refs TEXT, subject TEXT)"
    )
    seen = 0
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        tmp = None
        if name.endswith(".gz"):
            tmp = tempfile.NamedTemporaryFile(delete=False)
            tmp.write(gzip.open(path).read())
            tmp.close()
            path = tmp.name
        rows = []
        for msg in mailbox.mbox(path, create=False):
            seen += 1
            raw_from = msg.get("From", "")
            fname, faddr = email.utils.parseaddr(str(raw_from))
            if " at " in str(raw_from) and "@" not in faddr:
                faddr = faddr.replace(" at ", "@")
            try:
                dt = email.utils.parsedate_to_datetime(str(msg.get("Date")))
                date = int(dt.timestamp())
            except Exception:
                date = None
            mid = (msg.get("Message-ID") or "").strip().strip("<>") or None
            irt = (msg.get("In-Reply-To") or "").strip().split(">")[0].strip("<> ") or None
            refs = " ".join(r.strip("<>") for r in str(msg.get("References") or "").split())
            rows.append((mid or f"{faddr}|{date}", faddr.lower().strip(), decode(fname), date, irt, refs, decode(msg.get("Subject"))))
        with conn:
            conn.executemany("INSERT OR IGNORE INTO messages VALUES (?,?,?,?,?,?,?)", rows)
        if tmp:
            os.unlink(tmp.name)
    print(f"{seen} messages")


if __name__ == "__main__":
    main()
