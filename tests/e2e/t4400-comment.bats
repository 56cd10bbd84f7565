#!/usr/bin/env bats
# benchgate comment against a stub of GitHub's REST API on 127.0.0.1
# (tests/tools/github_stub.py), which records every request: the first run
# posts the comment, the next updates it in place, a fork's pull request
# posts nothing and fails nothing, the token shows nowhere but its header.

load helper

STUB=$BATS_TEST_DIRNAME/../tools/github_stub.py
TOKEN=ghs_test0123456789SECRETtoken

# stub_start [MODE [N_COMMENTS]]: sets STUB_PID and GITHUB_API_URL
stub_start() {
    python3 "$STUB" "$T/stub.port" "$T/requests.jsonl" "${1:-ok}" "${2:-0}" 2> "$T/stub.err" &
    STUB_PID=$!
    for _ in $(seq 100); do
        [ -s "$T/stub.port" ] && break
        kill -0 "$STUB_PID" 2> /dev/null || { cat "$T/stub.err" >&2; return 1; }
        sleep 0.1
    done
    [ -s "$T/stub.port" ] || { echo "the stub did not start in 10 s" >&2; return 1; }
    export GITHUB_API_URL=http://127.0.0.1:$(cat "$T/stub.port")
    : >> "$T/requests.jsonl"
}

teardown() {
    if [ -n "${STUB_PID:-}" ]; then
        kill "$STUB_PID" 2> /dev/null || true
        wait "$STUB_PID" 2> /dev/null || true
    fi
}

# req N FIELD: a field of the Nth recorded request (1-based)
req() {
    sed -n "${1}p" "$T/requests.jsonl" | python3 -c "import json,sys; v=json.load(sys.stdin)$2; sys.stdout.write(v if isinstance(v, str) else json.dumps(v))"
}

n_requests() {
    wc -l < "$T/requests.jsonl"
}

pr_env() {
    cat > "$T/event.json" <<EOF2
{"number": 7, "pull_request": {"number": 7,
  "head": {"sha": "2222222222222222222222222222222222222222", "repo": {"full_name": "${1:-acme/widgets}", "fork": ${2:-false}}},
  "base": {"sha": "3333333333333333333333333333333333333333", "repo": {"full_name": "acme/widgets"}}}}
EOF2
    export GITHUB_EVENT_NAME=pull_request GITHUB_EVENT_PATH=$T/event.json
    export GITHUB_REPOSITORY=acme/widgets GITHUB_STEP_SUMMARY=$T/summary
    : > "$T/summary"
}

# a baseline of three runs of N benchmarks on main, and report.md for a
# current run whose first SHIFTED benchmarks are 30% slower
report() {
    local n=$1 shifted=$2
    shift 2
    for i in 1 2 3; do
        "$SYNTH" $i "$n" 20 0 0.01 > "$T/b$i.json"
        bg collect --db "$DB" --project acme/widgets --branch main \
            --commit "$(printf '%040x' $i)" --timestamp $((1700000000 + i)) "$T/b$i.json" > /dev/null
    done
    "$SYNTH" 9 "$n" 20 0.3 0.01 "$shifted" > "$T/cur.json"
    run bg check --db "$DB" --project acme/widgets --branch feature --baseline-branch main \
        --report "$T/report.md" "$@" "$T/cur.json"
    [ "$status" -eq 1 ]
}

@test "the first run posts the comment, the next updates that one in place; requests as GitHub wants them" {
    report 5 1
    pr_env
    stub_start ok 150 # other people's comments: the search pages through them
    GITHUB_TOKEN=$TOKEN run bg comment "$T/report.md"
    [ "$status" -eq 0 ]
    [[ $output == *"posted the benchgate comment on pull request #7 of acme/widgets"* ]]
    [ "$(req 1 '["method"]')" = GET ]
    [ "$(req 1 '["path"]')" = "/repos/acme/widgets/issues/7/comments?per_page=100&page=1" ]
    [ "$(req 2 '["path"]')" = "/repos/acme/widgets/issues/7/comments?per_page=100&page=2" ]
    [ "$(req 3 '["method"]')" = POST ]
    [ "$(req 3 '["path"]')" = /repos/acme/widgets/issues/7/comments ]
    [ "$(req 3 '["authorization"]')" = "Bearer $TOKEN" ]
    [[ $(req 3 '["user_agent"]') == benchgate/* ]]
    req 3 '["body"]["body"]' > "$T/posted.md"
    diff "$T/posted.md" "$T/report.md"
    [ "$(n_requests)" -eq 3 ]

    # a second run: found on page 2 by its marker, updated with PATCH, nothing added
    report 5 2
    GITHUB_TOKEN=$TOKEN run bg comment "$T/report.md"
    [ "$status" -eq 0 ]
    [[ $output == *"updated the benchgate comment"* ]]
    [ "$(req 6 '["method"]')" = PATCH ]
    [ "$(req 6 '["path"]')" = /repos/acme/widgets/issues/comments/1151 ]
    [ "$(req 6 '["authorization"]')" = "Bearer $TOKEN" ]
    req 6 '["body"]["body"]' > "$T/posted.md"
    diff "$T/posted.md" "$T/report.md"
    [ "$(n_requests)" -eq 6 ]
}

@test "a 700-benchmark report fits a comment and keeps every regression visible, linked to its page" {
    report 700 40 --dashboard-url https://acme.github.io/widgets/
    full=$(bg check --db "$DB" --project acme/widgets --branch feature --baseline-branch main \
        -o markdown "$T/cur.json" | wc -c) || true
    [ "$full" -gt 65536 ] # the whole report would not fit
    [ "$(wc -c < "$T/report.md")" -le 65536 ]
    for i in $(seq 0 39); do
        name=$(printf 'bench-%04d' $i)
        grep -q "^- ❌ \[\`$name\`\](https://acme.github.io/widgets/p/acme%252Fwidgets/b/$name/index.html) (time) regressed" "$T/report.md"
    done
    grep -q '^<details><summary>All 700 results</summary>' "$T/report.md"
    grep -Eq '^… and [0-9]+ more results, see the job summary or the \[dashboard\]\(https://acme.github.io/widgets/p/acme%252Fwidgets/index.html\)\.$' "$T/report.md"
    # the table's first rows are the failing ones
    sed -n '/^|---/{n;p;q}' "$T/report.md" | grep -q '\*\*+'

    pr_env
    stub_start
    GITHUB_TOKEN=$TOKEN run bg comment "$T/report.md"
    [ "$status" -eq 0 ]
    req 2 '["body"]["body"]' > "$T/posted.md"
    diff "$T/posted.md" "$T/report.md"
}

@test "a report too long for a comment (written by hand) is cut at a line, with a note" {
    { echo '<!-- benchgate-report -->'; for i in $(seq 5000); do echo "line $i of a long report"; done; } > "$T/long.md"
    pr_env
    stub_start
    GITHUB_TOKEN=$TOKEN run bg comment "$T/long.md"
    [ "$status" -eq 0 ]
    req 2 '["body"]["body"]' > "$T/posted.md"
    [ "$(wc -c < "$T/posted.md")" -le 65537 ]
    tail -1 "$T/posted.md" | grep -q 'cut to fit a GitHub comment'
    grep -q '^line 100 of a long report$' "$T/posted.md"
}

@test "fork pull requests: no token, a fork's payload, or a 403 post nothing, say why, exit 0" {
    report 5 1
    pr_env
    stub_start forbidden
    run env -u GITHUB_TOKEN "$BENCHGATE" comment "$T/report.md"
    [ "$status" -eq 0 ]
    [[ $output == *"not posted: no GITHUB_TOKEN"* ]]
    grep -q 'benchgate did not post its pull-request comment: no GITHUB_TOKEN' "$T/summary"
    [ "$(n_requests)" -eq 0 ]

    pr_env someone/widgets true
    GITHUB_TOKEN=$TOKEN run bg comment "$T/report.md"
    [ "$status" -eq 0 ]
    [[ $output == *"a pull request from a fork"* ]]
    [ "$(n_requests)" -eq 0 ]

    # a token GitHub refuses to write with (the fork's read-only one)
    pr_env
    GITHUB_TOKEN=$TOKEN run bg comment --check-run "$T/report.md"
    [ "$status" -eq 0 ]
    [[ $output == *"GitHub answered 403"* ]]
    grep -q 'GitHub answered 403' "$T/summary"
    [ "$(req 2 '["method"]')" = POST ]
    [[ $output != *"$TOKEN"* ]]
    ! grep -q "$TOKEN" "$T/summary"
}

@test "a failing API is an error (exit 3) that names no token; a bad report or repository is exit 2" {
    report 5 1
    pr_env
    stub_start broken
    GITHUB_TOKEN=$TOKEN run bg comment "$T/report.md"
    [ "$status" -eq 3 ]
    [[ $output == *"answered 500"* ]]
    [[ $output != *"$TOKEN"* ]]
    echo '# not a report' > "$T/other.md"
    GITHUB_TOKEN=$TOKEN run bg comment "$T/other.md"
    [ "$status" -eq 2 ]
    [[ $output == *"not a benchgate report"* ]]
    GITHUB_TOKEN=$TOKEN run bg comment --repo '../../etc' "$T/report.md"
    [ "$status" -eq 2 ]
    GITHUB_TOKEN=$TOKEN GITHUB_API_URL=file:///etc/passwd run bg comment "$T/report.md"
    [ "$status" -eq 2 ]
}

@test "--check-run: a completed check named after the project, failing with the gate, on the head commit" {
    report 5 1
    pr_env
    stub_start
    GITHUB_TOKEN=$TOKEN run bg comment --check-run --project acme/widgets "$T/report.md"
    [ "$status" -eq 0 ]
    [ "$(req 3 '["path"]')" = /repos/acme/widgets/check-runs ]
    [ "$(req 3 '["body"]["name"]')" = "benchgate: acme/widgets" ]
    [ "$(req 3 '["body"]["head_sha"]')" = 2222222222222222222222222222222222222222 ]
    [ "$(req 3 '["body"]["conclusion"]')" = failure ]
    [ "$(req 3 '["authorization"]')" = "Bearer $TOKEN" ]
}
