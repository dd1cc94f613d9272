-- 0004: the per-sender index also covers the display name (issue #8).
-- Persons are named by the display name they use most, which the member
-- table counts per (address, name); without the name in the index every
-- message row was looked up in the table: 0.3 s of a 1 s classification at
-- 200,000 messages. Same key order, so the activity aggregate still reads
-- only the index.

DROP INDEX messages_coalition_from;
CREATE INDEX messages_coalition_from ON messages (coalition_id, from_addr, date, set_aside, from_name);
