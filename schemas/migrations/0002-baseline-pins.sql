-- benchgate store, schema version 2: pinned baselines, and results by run.
--
-- `benchgate baseline set` pins one run as the baseline that check uses for
-- a project's baseline branch, instead of that branch's newest run. One pin
-- per (project, branch); deleting the run removes its pin.
CREATE TABLE baseline_pins (
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    branch      TEXT NOT NULL,                -- the baseline branch it stands for
    run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    pinned_at   INTEGER NOT NULL,             -- unix seconds
    PRIMARY KEY (project_id, branch)
) STRICT;

-- A run's results in the order they were stored: an index on run_id alone
-- keeps its entries in (run_id, rowid) order, so reading a run back needs no
-- sort (the UNIQUE (run_id, benchmark_id) index orders by benchmark instead).
CREATE INDEX results_by_run ON results (run_id);
