-- benchgate store, schema version 3: upload tokens for `benchgate serve`.
--
-- A token is "bg_<id>_<secret>". The id is public (token list/revoke name
-- it); only the SHA-256 of the 256-bit random secret is kept, so a copy of
-- the database does not let anyone upload. A token is scoped to one project;
-- revoking keeps the row, so the list shows what was revoked and when.
CREATE TABLE tokens (
    id          TEXT PRIMARY KEY,             -- 16 hex digits
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    hash        BLOB NOT NULL CHECK (length(hash) = 32),
    name        TEXT,                         -- what it is for, e.g. "github actions"
    created_at  INTEGER NOT NULL,             -- unix seconds
    revoked_at  INTEGER                       -- NULL while valid
) STRICT;
CREATE INDEX tokens_by_project ON tokens (project_id, created_at);
