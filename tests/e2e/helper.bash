# helper.bash: shared set-up for the end-to-end tests: each test gets its own
# folder and database; bg runs the binary under test (BENCHGATE).

setup() {
    : "${BENCHGATE:?run through tests/run.sh or set BENCHGATE}"
    FIX=${FIXTURES:-$BATS_TEST_DIRNAME/../fixtures}
    HF=$FIX/hyperfine
    T=$BATS_TEST_TMPDIR
    DB=$T/bench.db
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

# One number from the database, read with the sqlite3 tool.
sql() {
    sqlite3 "$DB" "$1"
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
