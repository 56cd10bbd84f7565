-- benchgate store, schema version 1.
--
-- Applied by core/store_sqlite.c inside one transaction, which then sets
-- PRAGMA user_version = 1. Never edit a released migration: add the next
-- numbered file instead. Tables are STRICT so that a string can never land
-- silently in a numeric column.

CREATE TABLE projects (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL              -- unix seconds
) STRICT;

CREATE TABLE branches (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    UNIQUE (project_id, name)
) STRICT;

-- One row per distinct machine; the fingerprint hashes the fields that
-- decide whether two runs are comparable (CPU model, cores, memory in GiB,
-- OS, kernel, arch, runner labels). The compiler is kept, but a compiler
-- change is a real change to detect, not a different machine.
CREATE TABLE environments (
    id            INTEGER PRIMARY KEY,
    fingerprint   TEXT NOT NULL,
    os            TEXT,
    kernel        TEXT,
    arch          TEXT,
    cpu_model     TEXT,
    cores         INTEGER NOT NULL,
    memory_bytes  INTEGER NOT NULL,
    compiler      TEXT,
    runner        TEXT,
    UNIQUE (fingerprint, compiler)
) STRICT;

CREATE TABLE runs (
    id              INTEGER PRIMARY KEY,
    project_id      INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    branch_id       INTEGER NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
    environment_id  INTEGER NOT NULL REFERENCES environments(id),
    commit_sha      TEXT,
    created_at      INTEGER NOT NULL,         -- unix seconds
    tool            TEXT NOT NULL,            -- format(s) parsed, e.g. "hyperfine"
    ci_provider     TEXT,
    ci_repository   TEXT,
    ci_run_id       TEXT,
    ci_run_url      TEXT,
    ci_event        TEXT,
    meta            TEXT NOT NULL DEFAULT '{}' -- JSON object of --meta key=value
) STRICT;
CREATE INDEX runs_by_branch ON runs (branch_id, created_at, id);
CREATE INDEX runs_by_commit ON runs (project_id, commit_sha);

-- A benchmark's identity within a project is (name, metric).
CREATE TABLE benchmarks (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    metric      TEXT NOT NULL,
    unit        TEXT NOT NULL,
    direction   INTEGER NOT NULL CHECK (direction IN (0, 1)),  -- 0 lower is better
    UNIQUE (project_id, name, metric)
) STRICT;

-- One row per (run, benchmark): the summary, and the raw samples as one BLOB
-- of little-endian IEEE-754 doubles. A row per sample would cost an index
-- entry and ~2,000 instructions per sample to read back; a BLOB is one
-- memcpy, so 10^6 samples write at ~5-7 M/s and read in well under a
-- millisecond per thousand results (measured, DESIGN.md). Nothing queries
-- individual samples in SQL: quantiles are computed in C.
CREATE TABLE results (
    id            INTEGER PRIMARY KEY,
    run_id        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    benchmark_id  INTEGER NOT NULL REFERENCES benchmarks(id) ON DELETE CASCADE,
    n             INTEGER NOT NULL,
    min           REAL,
    mean          REAL,
    median        REAL,
    p95           REAL,
    max           REAL,
    stddev        REAL,
    summary_only  INTEGER NOT NULL DEFAULT 0 CHECK (summary_only IN (0, 1)),
    params        TEXT,                       -- JSON object of harness parameters, or NULL
    samples       BLOB,                       -- NULL when summary_only
    UNIQUE (run_id, benchmark_id)
) STRICT;
CREATE INDEX results_by_benchmark ON results (benchmark_id, run_id);
