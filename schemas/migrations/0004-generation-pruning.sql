-- benchgate store, schema version 4: the write generation, and pruned samples.
--
-- The generation is a number every change bumps in its own transaction
-- (a run, a pin, a token, pruning), so a cache keyed on it can never serve
-- an answer older than the data: before, the server's cache keyed on the
-- newest run id, and a pin or a token left answers stale until the next
-- upload. One row here: SQLite has one writer at a time anyway.
CREATE TABLE generation (
    slot  INTEGER PRIMARY KEY CHECK (slot = 0),
    n     INTEGER NOT NULL
) STRICT;
INSERT INTO generation (slot, n) VALUES (0, 1);

-- `benchgate prune` drops the raw samples of old runs and keeps their
-- summaries (n, min, mean, median, p95, max, stddev), which histories and
-- charts need. pruned = 1 marks such a result, so that nobody mistakes it
-- for a harness that gave summaries only (summary_only).
ALTER TABLE results ADD COLUMN pruned INTEGER NOT NULL DEFAULT 0 CHECK (pruned IN (0, 1));
