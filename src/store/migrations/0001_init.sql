-- 0001: the first schema. Everything later stages read comes from here:
-- coalitions and their lists, the source files already read (so unchanged
-- files are skipped), one row per message key per coalition, the addresses
-- seen, roster snapshots and check-in responses.

CREATE TABLE coalitions (
    id    INTEGER PRIMARY KEY,
    slug  TEXT NOT NULL UNIQUE,
    name  TEXT NOT NULL
);

CREATE TABLE lists (
    id            INTEGER PRIMARY KEY,
    coalition_id  INTEGER NOT NULL REFERENCES coalitions(id),
    name          TEXT NOT NULL,
    UNIQUE (coalition_id, name)
);

-- A file read into a coalition. `size`, `mtime` and `hash` decide whether a
-- later run must read it again; `messages` is what the file held last time.
CREATE TABLE sources (
    id            INTEGER PRIMARY KEY,
    coalition_id  INTEGER NOT NULL REFERENCES coalitions(id),
    path          TEXT NOT NULL,
    size          INTEGER NOT NULL,
    mtime         INTEGER NOT NULL,
    hash          TEXT NOT NULL,
    format        TEXT NOT NULL,
    messages      INTEGER NOT NULL,
    ingested_at   TEXT NOT NULL,
    UNIQUE (coalition_id, path)
);

-- One row per message key per coalition (DESIGN.md, "Message identity").
-- `date` is Unix seconds in UTC, NULL when undated. `set_aside` is NULL for a
-- message that can count as engagement, else the reason it cannot.
-- `says_observer` is 1 when the message's own unquoted text contains the
-- whole word "observer" (for check-in replies; computed once at ingest so
-- classification never needs the archive files).
CREATE TABLE messages (
    id             INTEGER PRIMARY KEY,
    coalition_id   INTEGER NOT NULL REFERENCES coalitions(id),
    list_id        INTEGER NOT NULL REFERENCES lists(id),
    source_id      INTEGER REFERENCES sources(id),
    message_key    TEXT NOT NULL,
    message_id     TEXT,
    date           INTEGER,
    date_source    TEXT NOT NULL,
    from_addr      TEXT,
    from_name      TEXT,
    subject        TEXT,
    in_reply_to    TEXT,
    refs           TEXT,
    list_header    TEXT,
    size           INTEGER NOT NULL,
    byte_offset    INTEGER NOT NULL,
    set_aside      TEXT,
    says_observer  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (coalition_id, message_key)
);
CREATE INDEX messages_coalition_date ON messages (coalition_id, date);
-- Wide enough to cover the per-sender activity aggregate of classification
-- (one pass over the index, no table lookups).
CREATE INDEX messages_coalition_from ON messages (coalition_id, from_addr, date, set_aside);
CREATE INDEX messages_in_reply_to ON messages (in_reply_to);

-- Every address seen as a sender, with the latest display name seen.
CREATE TABLE addresses (
    address  TEXT PRIMARY KEY,
    name     TEXT
);

-- A roster import: who was subscribed on `taken_on`.
CREATE TABLE roster_snapshots (
    id            INTEGER PRIMARY KEY,
    coalition_id  INTEGER NOT NULL REFERENCES coalitions(id),
    taken_on      TEXT NOT NULL,
    source        TEXT NOT NULL,
    format        TEXT NOT NULL,
    imported_at   TEXT NOT NULL
);

CREATE TABLE roster_entries (
    snapshot_id  INTEGER NOT NULL REFERENCES roster_snapshots(id) ON DELETE CASCADE,
    address      TEXT NOT NULL,
    name         TEXT,
    joined       TEXT,
    status       TEXT,
    PRIMARY KEY (snapshot_id, address)
);

-- Check-in responses imported from CSV. Replies found in the archive are not
-- copied here: they are derived from `messages` at classification time.
CREATE TABLE checkins (
    id            INTEGER PRIMARY KEY,
    coalition_id  INTEGER NOT NULL REFERENCES coalitions(id),
    address       TEXT NOT NULL,
    date          TEXT NOT NULL,
    status        TEXT NOT NULL,
    source        TEXT NOT NULL,
    UNIQUE (coalition_id, address, date, status)
);
