# helper.bash: shared set-up for the end-to-end tests: each test gets its own
# folder and store; bg runs the binary under test (BENCHGATE).
#
# The store is a SQLite file in the test's folder, or, when BENCHGATE_TEST_PG
# names a PostgreSQL database (make test-pg sets it to a throwaway cluster), a
# schema of its own in that database: every test that says --db "$DB" runs on
# the engine under test. The helpers below (sql, db_absent, db_reset,
# db_intact, db_dump, samples_hex) read a store the same way on both. A test
# that is about SQLite files themselves names a path instead, and says so.

setup() {
    : "${BENCHGATE:?run through tests/run.sh or set BENCHGATE}"
    FIX=${FIXTURES:-$BATS_TEST_DIRNAME/../fixtures}
    HF=$FIX/hyperfine
    T=$BATS_TEST_TMPDIR
    DB=$(fresh_db bench) || return 1
    # no CI or git context leaks in from the machine running the tests
    unset GITHUB_ACTIONS GITHUB_REPOSITORY GITHUB_SHA GITHUB_REF_NAME GITHUB_HEAD_REF \
          GITHUB_BASE_REF GITHUB_RUN_ID GITHUB_SERVER_URL GITHUB_EVENT_NAME GITLAB_CI \
          CI_PROJECT_PATH CI_COMMIT_SHA CI_COMMIT_REF_NAME BENCHGATE_DB BENCHGATE_RUNNER \
          GITHUB_EVENT_PATH GITHUB_STEP_SUMMARY GITHUB_OUTPUT RUNNER_TEMP RUNNER_ENVIRONMENT \
          CI_PIPELINE_ID CI_PIPELINE_URL CI_PIPELINE_SOURCE CI_MERGE_REQUEST_SOURCE_BRANCH_NAME \
          CI_MERGE_REQUEST_TARGET_BRANCH_NAME CI_RUNNER_TAGS BENCHGATE_SERVER BENCHGATE_TOKEN
    cd "$T" || return 1
}

bg() {
    "$BENCHGATE" "$@"
}

is_pg() {
    [ -n "${BENCHGATE_TEST_PG:-}" ]
}

# fresh_db NAME: the locator of a new, empty store: $T/NAME.db, or a new
# schema of $BENCHGATE_TEST_PG (the URI with options=-csearch_path=SCHEMA,
# so benchgate's tables go there). Schemas are left to the throwaway cluster.
fresh_db() {
    local schema sep
    if ! is_pg; then
        echo "$T/$1.db"
        return
    fi
    schema=t_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')_$1
    psql -X -q -v ON_ERROR_STOP=1 -d "$BENCHGATE_TEST_PG" -c "CREATE SCHEMA $schema" \
        > /dev/null || return 1
    case $BENCHGATE_TEST_PG in *\?*) sep='&' ;; *) sep='?' ;; esac
    echo "$BENCHGATE_TEST_PG${sep}options=-csearch_path%3D$schema"
}

# schema_of LOCATOR: the schema a fresh_db locator names
schema_of() {
    echo "${1##*search_path%3D}"
}

# sql_on LOCATOR QUERY: the query's rows, columns separated by '|', NULL as ""
sql_on() {
    case $1 in
    postgres://* | postgresql://*) psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2" ;;
    *) sqlite3 "$1" "$2" ;;
    esac
}

# One number (or row) from the store under test, read with sqlite3 or psql.
sql() {
    sql_on "$DB" "$1"
}

# run_meta ID KEY: a stored run's metadata value (JSON text in either store)
run_meta() {
    if is_pg; then
        sql "SELECT meta::json->>'$2' FROM runs WHERE id = $1"
    else
        sql "SELECT json_extract(meta, '\$.$2') FROM runs WHERE id = $1"
    fi
}

# db_absent [LOCATOR]: no store was made (no file; a schema without tables)
db_absent() {
    local db=${1:-$DB}
    case $db in
    postgres://* | postgresql://*)
        [ "$(sql_on "$db" "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")" = 0 ] ;;
    *) [ ! -e "$db" ] ;;
    esac
}

# db_reset: the store under test empty again, as if new
db_reset() {
    if is_pg; then
        sql "DROP SCHEMA $(schema_of "$DB") CASCADE; CREATE SCHEMA $(schema_of "$DB")" > /dev/null
    else
        rm -f "$DB" "$DB-wal" "$DB-shm"
    fi
}

# db_intact: prints "ok" when the store's structures check out: SQLite's
# integrity_check, or PostgreSQL's amcheck over every B-tree index of the
# schema, each against its table (and at least the store's own were checked),
# and every result's run and benchmark there
db_intact() {
    local n
    if is_pg; then
        n=$(sql "SELECT count(*) FROM (SELECT public.bt_index_check(c.oid::regclass, true)
                 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                 JOIN pg_am a ON a.oid = c.relam
                 WHERE a.amname = 'btree' AND c.relnamespace = current_schema()::regnamespace) AS x") &&
            [ "$n" -ge 10 ] &&
            # the references results holds without foreign keys (see the schema)
            [ "$(sql "SELECT count(*) FROM results s
                      WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = s.run_id)
                         OR NOT EXISTS (SELECT 1 FROM benchmarks k WHERE k.id = s.benchmark_id)")" = 0 ] &&
            echo ok
    else
        sql "PRAGMA integrity_check"
    fi
}

# db_dump: everything the store under test holds, as SQL text
db_dump() {
    if is_pg; then
        pg_dump -d "$BENCHGATE_TEST_PG" -n "$(schema_of "$DB")"
    else
        sqlite3 "$DB" .dump
    fi
}

# hex_sql COLUMN [LOCATOR]: SQL for a BLOB/bytea column as upper-case hex
hex_sql() {
    case ${2:-$DB} in
    postgres://* | postgresql://*) echo "upper(encode($1, 'hex'))" ;;
    *) echo "hex($1)" ;;
    esac
}

# samples_hex LOCATOR: each result's samples in hex, one a line, in stored order
samples_hex() {
    sql_on "$1" "SELECT $(hex_sql samples "$1") FROM results ORDER BY id"
}

# Rows in every table: the database's observable state.
rows() {
    sql "SELECT (SELECT count(*) FROM projects) || ' ' || (SELECT count(*) FROM branches)
         || ' ' || (SELECT count(*) FROM environments) || ' ' || (SELECT count(*) FROM runs)
         || ' ' || (SELECT count(*) FROM benchmarks) || ' ' || (SELECT count(*) FROM results)"
}

# hyperfine-shaped JSON: hf_json NAME:S1,S2,... [NAME:...] (times in seconds)
hf_json() {
    printf '{"results": ['
    sep=
    for spec in "$@"; do
        printf '%s{"command": "%s", "times": [%s]}' "$sep" "${spec%%:*}" "${spec#*:}"
        sep=,
    done
    printf ']}\n'
}

# n samples around a value: series BASE N -> "BASE+0.0001*i" for i in 0..N-1
series() {
    awk -v b="$1" -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s%.6f", (i ? "," : ""), b + 0.0001 * i }'
}

# git_checkout [NAME]: a bare repository $T/origin.git with a main branch, and a
# clone of it in $T/NAME (default repo), which becomes the current folder:
# origin for the git history and gh-pages, all in the test's folder
git_checkout() {
    [ -d "$T/origin.git" ] || git init -q --bare "$T/origin.git"
    git clone -q "$T/origin.git" "$T/${1:-repo}" 2> /dev/null
    cd "$T/${1:-repo}" || return 1
    git config user.email t@example.invalid
    git config user.name t
    if [ -z "$(git ls-remote "$T/origin.git" refs/heads/main)" ]; then
        git commit -q --allow-empty -m init
        git push -q origin HEAD:main
    fi
}
