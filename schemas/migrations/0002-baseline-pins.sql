-- benchgate store, schema version 2: pinned baselines.
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
