-- 0003: a check-in file is the source of truth for its rows (issue #8).
-- Importing a corrected file must replace what the file said before, so rows
-- are kept per source file, with the line each came from (reports name it
-- when an answer matches no member). The old UNIQUE (address, date, status)
-- made one file's row shadow another's; it goes. Rows imported before this
-- migration keep their source and have no line.

CREATE TABLE checkins_by_source (
    id            INTEGER PRIMARY KEY,
    coalition_id  INTEGER NOT NULL REFERENCES coalitions(id),
    source        TEXT NOT NULL,
    line          INTEGER,
    address       TEXT NOT NULL,
    date          TEXT NOT NULL,
    status        TEXT NOT NULL
);
INSERT INTO checkins_by_source (coalition_id, source, line, address, date, status)
    SELECT coalition_id, source, NULL, address, date, status FROM checkins ORDER BY id;
DROP TABLE checkins;
ALTER TABLE checkins_by_source RENAME TO checkins;
CREATE INDEX checkins_coalition_source ON checkins (coalition_id, source);
