#!/usr/bin/env bats
# The GitHub Action, run as a workflow runs it: the GITHUB_* variables of a push
# to main and of a pull request (with its event payload), the step's output and
# summary files, and tools/action.sh, the very script action.yml runs.

load helper
load server

ACTION_YML=$BATS_TEST_DIRNAME/../../action.yml
ACTION_SH=$BATS_TEST_DIRNAME/../../tools/action.sh

MERGE_SHA=1111111111111111111111111111111111111111 # what GITHUB_SHA is on a pull request
HEAD_SHA=2222222222222222222222222222222222222222  # the pull request's own head commit
MAIN_SHA=3333333333333333333333333333333333333333

# action [INPUT=VALUE...]: one step of the action, in a fresh step environment
# on top of the job's (set by push_event or pr_event), run with `run`.
action() {
    : > "$T/output" && : > "$T/summary"
    run env BENCHGATE_BIN="$BENCHGATE" GITHUB_OUTPUT="$T/output" \
        GITHUB_STEP_SUMMARY="$T/summary" RUNNER_TEMP="$T/runner-temp" "$@" \
        bash "$ACTION_SH"
}

job_env() {
    export GITHUB_ACTIONS=true GITHUB_REPOSITORY=acme/widgets GITHUB_RUN_ID=4242
    export GITHUB_SERVER_URL=https://github.com GITHUB_ACTION_PATH=$BATS_TEST_DIRNAME/../..
    mkdir -p "$T/runner-temp"
}

push_event() {
    job_env
    export GITHUB_EVENT_NAME=push GITHUB_REF_NAME=main GITHUB_SHA=$MAIN_SHA
    unset GITHUB_HEAD_REF GITHUB_BASE_REF GITHUB_EVENT_PATH
}

pr_event() {
    job_env
    cat > "$T/event.json" <<EOF
{"action": "synchronize", "number": 7,
 "pull_request": {"number": 7, "head": {"ref": "feature/x", "sha": "$HEAD_SHA"},
                  "base": {"ref": "main", "sha": "$MAIN_SHA"}}}
EOF
    export GITHUB_EVENT_NAME=pull_request GITHUB_REF_NAME=7/merge GITHUB_SHA=$MERGE_SHA
    export GITHUB_HEAD_REF=feature/x GITHUB_BASE_REF=main GITHUB_EVENT_PATH=$T/event.json
}

# main.json: the baseline; slow.json: parse 30% slower; same.json: no change
results() {
    hf_json "parse:$(series 0.010 20)" "render:$(series 0.020 20)" > "$T/main.json"
    hf_json "parse:$(series 0.013 20)" "render:$(series 0.020 20)" > "$T/slow.json"
    hf_json "parse:$(series 0.010 20)" "render:$(series 0.0201 20)" > "$T/same.json"
}

@test "every action.yml input reaches tools/action.sh, and the outputs come from it" {
    inputs=$(sed -n '/^inputs:/,/^outputs:/p' "$ACTION_YML" | sed -n 's/^  \([a-z-]*\):$/\1/p')
    [ "$(echo "$inputs" | wc -l)" -eq 22 ]
    for i in $inputs; do
        var=INPUT_$(echo "$i" | tr 'a-z-' 'A-Z_')
        grep -q "^        $var: \${{ inputs\.$i }}$" "$ACTION_YML"
        grep -q "\${$var" "$ACTION_SH"
    done
    for o in verdict regressions report; do
        grep -q "value: \${{ steps\.run\.outputs\.$o }}" "$ACTION_YML"
    done
    grep -q 'run: bash "$GITHUB_ACTION_PATH/tools/action.sh"' "$ACTION_YML"
}

@test "a push to main collects; a pull request that slows a benchmark fails with outputs, summary, annotations and report" {
    results
    push_event
    action INPUT_COMMAND=collect INPUT_FILES="$T/main.json"
    [ "$status" -eq 0 ]
    [ -s .benchgate/benchgate.db ] # the default database, to be cached between runs
    DB=.benchgate/benchgate.db

    pr_event
    action INPUT_COMMAND=collect INPUT_FILES="$T/slow.json"
    [ "$status" -eq 0 ]
    # the pull request's head commit, not the merge commit GitHub made
    [ "$(sql "SELECT commit_sha FROM runs r JOIN branches b ON b.id = r.branch_id WHERE b.name = 'feature/x'")" = "$HEAD_SHA" ]
    [ "$(sql "SELECT ci_run_url FROM runs ORDER BY id DESC LIMIT 1")" = https://github.com/acme/widgets/actions/runs/4242 ]

    action INPUT_COMMAND=check INPUT_THRESHOLD=0.10
    [ "$status" -eq 1 ]
    [[ "$output" == *"::error title=benchgate regression parse::parse (time): p95 "* ]]
    [[ "$output" == *"::notice title=benchgate::FAIL"* ]]
    grep -qx 'verdict=fail' "$T/output"
    grep -qx 'regressions=1' "$T/output"
    grep -qx "report=$T/runner-temp/benchgate-report.md" "$T/output"
    # the report: a marker line first, for finding the comment to update
    [ "$(head -n 1 "$T/runner-temp/benchgate-report.md")" = '<!-- benchgate-report -->' ]
    grep -q '| parse | time |' "$T/runner-temp/benchgate-report.md"
    grep -q "commit ${HEAD_SHA:0:12}" "$T/runner-temp/benchgate-report.md"
    cmp "$T/runner-temp/benchgate-report.md" "$T/summary"
}

@test "a pull request without a regression passes; fail-on makes an inconclusive slowdown fail" {
    results
    push_event
    action INPUT_COMMAND=collect INPUT_FILES="$T/main.json"
    pr_event
    action INPUT_COMMAND=check INPUT_FILES="$T/same.json" # judged, not stored
    [ "$status" -eq 0 ]
    grep -qx 'verdict=pass' "$T/output" && grep -qx 'regressions=0' "$T/output"
    [ "$(sqlite3 .benchgate/benchgate.db 'SELECT count(*) FROM runs')" -eq 1 ]

    # the two slowest samples doubled: p95 +69%, yet the samples as a whole are
    # alike (p near 1), so 'inconclusive', a warning unless fail-on says otherwise
    hf_json "parse:$(series 0.010 18),0.02,0.02" "render:$(series 0.020 20)" > "$T/noisy.json"
    action INPUT_COMMAND=check INPUT_FILES="$T/noisy.json"
    [ "$status" -eq 0 ] && grep -qx 'verdict=pass' "$T/output"
    [[ "$output" == *"::warning title=benchgate inconclusive parse::parse (time): p95 "* ]]
    action INPUT_COMMAND=check INPUT_FILES="$T/noisy.json" INPUT_FAIL_ON="regression, inconclusive"
    [ "$status" -eq 1 ] && grep -qx 'verdict=fail' "$T/output"
}

@test "the baseline-branch input and the server inputs are used" {
    results
    push_event
    export GITHUB_REF_NAME=release
    action INPUT_COMMAND=collect INPUT_FILES="$T/main.json"
    pr_event
    # the base branch 'main' has no runs: nothing to compare with, a 'new' verdict
    action INPUT_COMMAND=check INPUT_FILES="$T/slow.json"
    [ "$status" -eq 0 ] && [[ "$output" == *"PASS: 0 failing, 0 regressed"*"2 new"* ]]
    action INPUT_COMMAND=check INPUT_FILES="$T/slow.json" INPUT_BASELINE_BRANCH=release
    [ "$status" -eq 1 ]

    # against a server: uploads with the token, checks there; nothing on the runner
    DB=$T/server.db
    tok=$(bg token create --project acme/widgets --db "$DB" | tail -n 1)
    serve_start
    push_event
    action INPUT_COMMAND=collect INPUT_FILES="$T/main.json" INPUT_SERVER="$URL" INPUT_TOKEN="$tok"
    [ "$status" -eq 0 ]
    pr_event
    action INPUT_COMMAND=collect INPUT_FILES="$T/slow.json" INPUT_SERVER="$URL" INPUT_TOKEN="$tok"
    [ "$status" -eq 0 ]
    action INPUT_COMMAND=check INPUT_SERVER="$URL" INPUT_TOKEN="$tok"
    [ "$status" -eq 1 ] && grep -qx 'verdict=fail' "$T/output"
    [ "$(sql 'SELECT count(*) FROM runs')" -eq 2 ]
    action INPUT_COMMAND=collect INPUT_FILES="$T/main.json" INPUT_SERVER="$URL" INPUT_TOKEN=bg_nope
    [ "$status" -eq 2 ] && [[ "$output" == *"401 unauthorized: the token is not valid"* ]]
    serve_stop
}

@test "bad inputs are refused with a message naming the input" {
    results
    push_event
    action INPUT_COMMAND=collect
    [ "$status" -eq 2 ] && [[ "$output" == *"the 'files' input is empty"* ]]
    action INPUT_COMMAND=bench
    [ "$status" -eq 2 ] && [[ "$output" == *"command: 'bench' is not collect, check, auto, comment or ab"* ]]
    action INPUT_COMMAND=check INPUT_FILES="$T/main.json" INPUT_FAIL_ON=slow
    [ "$status" -eq 2 ] && [[ "$output" == *"fail-on: 'slow'"* ]]
    action INPUT_COMMAND=collect INPUT_FILES="$T/no-such-*.json"
    [ "$status" -eq 2 ] && [[ "$output" == *"no-such-"* ]]
    action INPUT_COMMAND=check INPUT_THRESHOLD=lots
    [ "$status" -eq 2 ] && [[ "$output" == *"--threshold"* ]]
    [ ! -e "$T/runner-temp/benchgate-report.md" ] || [ ! -s "$T/runner-temp/benchgate-report.md" ]
}

@test "a malformed or lying event payload is ignored with a warning" {
    results
    pr_event
    echo '{"pull_request": {"head": {"sha": "$(touch pwned)"}}}' > "$T/event.json"
    action INPUT_COMMAND=collect INPUT_FILES="$T/main.json"
    [ "$status" -eq 0 ]
    [[ "$output" == *"pull_request.head.sha is not a commit SHA"* ]]
    DB=.benchgate/benchgate.db
    [ "$(sql 'SELECT commit_sha FROM runs')" = "$MERGE_SHA" ]
    echo '{"pull_request": ' > "$T/event.json"
    action INPUT_COMMAND=collect INPUT_FILES="$T/main.json"
    [ "$status" -eq 0 ] && [[ "$output" == *"ignoring GITHUB_EVENT_PATH"*"invalid JSON"* ]]
    [ ! -e pwned ]
}


@test "history: git keeps the runs in a branch; a pull request is judged from it and comments" {
    results
    git_checkout
    push_event
    action INPUT_COMMAND=collect INPUT_FILES="$T/main.json" INPUT_HISTORY=git
    [ "$status" -eq 0 ]
    [ "$(git --git-dir="$T/origin.git" ls-tree -r --name-only benchgate-data | wc -l)" -eq 1 ]
    [ ! -e .benchgate ] # no database on the runner

    pr_event
    python3 "$BATS_TEST_DIRNAME/../tools/github_stub.py" "$T/stub.port" "$T/requests.jsonl" &
    STUB_PID=$!
    for _ in $(seq 100); do [ -s "$T/stub.port" ] && break; sleep 0.1; done
    action INPUT_COMMAND=check INPUT_FILES="$T/slow.json" INPUT_HISTORY=git INPUT_COMMENT=true \
        INPUT_GITHUB_TOKEN=ghs_secret GITHUB_API_URL="http://127.0.0.1:$(cat "$T/stub.port")"
    kill "$STUB_PID"; wait "$STUB_PID" || true
    [ "$status" -eq 1 ] # the gate's verdict, not the comment's
    [[ $output == *"posted the benchgate comment on pull request #7 of acme/widgets"* ]]
    grep -q '"method": "POST", "path": "/repos/acme/widgets/issues/7/comments", "authorization": "Bearer ghs_secret"' "$T/requests.jsonl"
    # the token went by environment: not in the output, not in the summary
    [[ $output != *ghs_secret* ]] && ! grep -q ghs_secret "$T/summary"
}

@test "a fork's pull request with comment: true is judged, posts nothing, and its verdict stands" {
    results
    push_event
    action INPUT_COMMAND=collect INPUT_FILES="$T/main.json"
    pr_event
    action INPUT_COMMAND=check INPUT_FILES="$T/slow.json" INPUT_COMMENT=true INPUT_GITHUB_TOKEN=
    [ "$status" -eq 1 ]
    [[ $output == *"not posted: no GITHUB_TOKEN"* ]]
    grep -q 'did not post its pull-request comment' "$T/summary"
    action INPUT_COMMAND=check INPUT_FILES="$T/same.json" INPUT_COMMENT=true INPUT_GITHUB_TOKEN=
    [ "$status" -eq 0 ]
}

@test "a cache miss says so plainly; fail-on: no-baseline fails on it" {
    results
    pr_event
    action INPUT_COMMAND=check INPUT_FILES="$T/slow.json"
    [ "$status" -eq 0 ]
    [[ $output == *"::warning title=benchgate::no benchmark history: the database '.benchgate/benchgate.db' is not on the runner"*"evicted"* ]]
    [[ $output != *"cannot open database"* ]]
    grep -q 'no history' "$T/summary" && grep -qx 'verdict=pass' "$T/output"
    action INPUT_COMMAND=check INPUT_FILES="$T/slow.json" INPUT_FAIL_ON=no-baseline
    [ "$status" -eq 2 ]
    # with a database but no run of the base branch: check's own --require-baseline
    push_event
    export GITHUB_REF_NAME=release
    action INPUT_COMMAND=collect INPUT_FILES="$T/main.json"
    pr_event
    action INPUT_COMMAND=check INPUT_FILES="$T/slow.json" INPUT_FAIL_ON="regression no-baseline"
    [ "$status" -eq 2 ] && [[ $output == *"no baseline"* ]]
}

@test "publish writes the dashboards to a folder, or pushes them to gh-pages" {
    results
    git_checkout
    push_event
    action INPUT_COMMAND=collect INPUT_FILES="$T/main.json" INPUT_PUBLISH="$T/site"
    [ "$status" -eq 0 ]
    [ -f "$T/site/p/acme%2Fwidgets/b/parse/index.html" ]
    action INPUT_COMMAND=collect INPUT_FILES="$T/main.json" INPUT_HISTORY=git INPUT_PUBLISH=gh-pages
    [ "$status" -eq 0 ]
    [[ $output == *"dashboards pushed to gh-pages"* ]]
    git --git-dir="$T/origin.git" ls-tree -r --name-only gh-pages | grep -qx 'p/acme%2Fwidgets/b/parse/index.html'
    git --git-dir="$T/origin.git" ls-tree -r --name-only gh-pages | grep -qx '.nojekyll'
    git diff --cached --quiet # the index of the checkout is untouched
    [ "$(git status --porcelain)" = "?? .benchgate/" ]
    action INPUT_COMMAND=collect INPUT_FILES="$T/main.json" INPUT_HISTORY=svn
    [ "$status" -eq 2 ] && [[ $output == *"history: 'svn'"* ]]
}
