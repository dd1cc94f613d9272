-- 0002: remember how many messages of each source file could not be read.
-- `sources.messages` counted only the readable ones, so a file's row could
-- not tell a coordinator (or a test) whether everything in it was accounted
-- for: messages + malformed = every message the splitter found in the file.
-- Files ingested before this migration keep 0, which is what they reported.

ALTER TABLE sources ADD COLUMN malformed INTEGER NOT NULL DEFAULT 0;
