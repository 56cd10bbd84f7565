#!/usr/bin/env bats
# Every GitHub recipe in docs/ci, run step by step (tests/tools/run_recipe.py)
# under the variables of the events it meets: a push to main, a pull request,
# a fork's pull request and, for the fork recipe, the workflow_run that posts
# its report. The harnesses are fakes that print this repository's fixtures;
# GitHub's API is the recording stub on loopback; origin is a bare repository.

load helper

DOCS=$BATS_TEST_DIRNAME/../../docs/ci
RUN_RECIPE=$BATS_TEST_DIRNAME/../tools/run_recipe.py
STUB=$BATS_TEST_DIRNAME/../tools/github_stub.py
HEAD_SHA=2222222222222222222222222222222222222222

setup_fakes() {
    mkdir -p "$T/fakebin"
    cat > "$T/fakebin/go" <<EOF2
#!/bin/sh
cat "$FIX/go/basic-text/bench.txt"
EOF2
    cat > "$T/fakebin/cargo" <<EOF2
#!/bin/sh
mkdir -p target && cp -r "$FIX/criterion/first-run/target/criterion" target/
EOF2
    cat > "$T/fakebin/cmake" <<EOF2
#!/bin/sh
mkdir -p build
printf '#!/bin/sh\nfor a; do case \$a in --benchmark_out=*) cp "$FIX/gbench/json-basic/stdout.json" "\${a#*=}";; esac; done\n' > build/bench
chmod +x build/bench
EOF2
    cat > "$T/fakebin/pytest" <<EOF2
#!/bin/sh
for a; do case \$a in --benchmark-json=*) cp "$FIX/pytest/json-basic/out.json" "\${a#*=}";; esac; done
EOF2
    cat > "$T/fakebin/hyperfine" <<EOF2
#!/bin/sh
while [ \$# -gt 0 ]; do [ "\$1" = --export-json ] && cp "$FIX/hyperfine/multi-commands/results.json" "\$2"; shift; done
EOF2
    for t in pip sudo make apt-get; do
        printf '#!/bin/sh\n[ "$(basename "$0")" = sudo ] && exec "$@"\nexit 0\n' > "$T/fakebin/$t"
    done
    chmod +x "$T/fakebin"/*
    export FAKEBIN=$T/fakebin
}


stub_start() {
    python3 "$STUB" "$T/stub.port" "$T/requests.jsonl" ok 2> "$T/stub.err" &
    STUB_PID=$!
    for _ in $(seq 100); do [ -s "$T/stub.port" ] && break; sleep 0.1; done
    [ -s "$T/stub.port" ]
    : >> "$T/requests.jsonl"
    export GITHUB_API_URL=http://127.0.0.1:$(cat "$T/stub.port")
}

teardown() {
    [ -z "${STUB_PID:-}" ] || { kill "$STUB_PID" 2> /dev/null; wait "$STUB_PID" 2> /dev/null; } || true
}

job_env() {
    export BENCHGATE_BIN=$BENCHGATE ACTION_SH=$BATS_TEST_DIRNAME/../../tools/action.sh
    export GITHUB_ACTIONS=true GITHUB_REPOSITORY=acme/widgets GITHUB_RUN_ID=4242
    export GITHUB_SERVER_URL=https://github.com GITHUB_ACTION_PATH=$BATS_TEST_DIRNAME/../..
    export RUNNER_TEMP=$T/runner-temp ARTIFACTS=$T/artifacts GITHUB_STEP_SUMMARY=$T/summary
    mkdir -p "$RUNNER_TEMP" "$ARTIFACTS"
    : > "$T/summary"
}

push_event() {
    job_env
    export GITHUB_EVENT_NAME=push GITHUB_REF_NAME=main GITHUB_SHA=3333333333333333333333333333333333333333
    export GITHUB_TOKEN_VALUE=ghs_push
    echo '{}' > "$T/event.json"
    export GITHUB_EVENT_PATH=$T/event.json
    unset GITHUB_HEAD_REF GITHUB_BASE_REF
}

# pr_event [HEAD_REPO FORK TOKEN]
pr_event() {
    job_env
    cat > "$T/event.json" <<EOF2
{"number": 7, "pull_request": {"number": 7,
  "head": {"ref": "feature/x", "sha": "$HEAD_SHA", "repo": {"full_name": "${1:-acme/widgets}", "fork": ${2:-false}}},
  "base": {"ref": "main", "sha": "3333333333333333333333333333333333333333", "repo": {"full_name": "acme/widgets"}}}}
EOF2
    export GITHUB_EVENT_NAME=pull_request GITHUB_REF_NAME=7/merge
    export GITHUB_SHA=1111111111111111111111111111111111111111
    export GITHUB_HEAD_REF=feature/x GITHUB_BASE_REF=main GITHUB_EVENT_PATH=$T/event.json
    export GITHUB_TOKEN_VALUE=${3-ghs_pr}
}

posts() {
    grep -c '"method": "\(POST\|PATCH\)", "path": "/repos/acme/widgets/issues/' "$T/requests.jsonl" || true
}

# one recipe through the three events a single workflow meets
exercise() {
    setup_fakes
    git_checkout
    stub_start
    push_event
    run python3 "$RUN_RECIPE" "$DOCS/$1"
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$(git --git-dir="$T/origin.git" ls-tree -r --name-only benchgate-data | wc -l)" -eq 1 ]
    [ "$(posts)" -eq 0 ]

    pr_event
    run python3 "$RUN_RECIPE" "$DOCS/$1"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ $output == *"posted the benchgate comment on pull request #7"* ]]
    [ "$(posts)" -eq 1 ]
    grep -q '"authorization": "Bearer ghs_pr"' "$T/requests.jsonl"
    # pull requests are judged, not stored
    [ "$(git --git-dir="$T/origin.git" ls-tree -r --name-only benchgate-data | wc -l)" -eq 1 ]

    # a fork: a read-only token GitHub would refuse; judged all the same, nothing posted
    pr_event someone/widgets true ghs_readonly
    run python3 "$RUN_RECIPE" "$DOCS/$1"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ $output == *"not posted: a pull request from a fork"* ]]
    [[ $output == *"::notice title=benchgate::PASS"* ]] # judged
    [ "$(posts)" -eq 1 ]
}

@test "docs/ci/github-go.yml: collects on main, publishes gh-pages, comments on pull requests, judges forks" {
    exercise github-go.yml
    git --git-dir="$T/origin.git" ls-tree -r --name-only gh-pages | grep -q '^p/acme%2Fwidgets/index.html$'
    # at most about ten lines for a newcomer (comments and blank lines aside)
    [ "$(grep -cvE '^\s*(#|$)' "$DOCS/github-go.yml")" -le 11 ]
}

@test "docs/ci/github-criterion.yml" {
    exercise github-criterion.yml
}

@test "docs/ci/github-google-benchmark.yml" {
    exercise github-google-benchmark.yml
}

@test "docs/ci/github-pytest-benchmark.yml" {
    exercise github-pytest-benchmark.yml
}

@test "docs/ci/github-hyperfine.yml" {
    exercise github-hyperfine.yml
}

@test "the fork recipe: the pull_request job judges without secrets, the workflow_run job posts" {
    setup_fakes
    git_checkout
    stub_start
    push_event
    python3 "$RUN_RECIPE" "$DOCS/github-go.yml"
    pr_event someone/widgets true ""
    run python3 "$RUN_RECIPE" "$DOCS/github-fork-judge.yml"
    echo "$output"
    [ "$status" -eq 0 ]
    [ -s "$T/artifacts/benchgate-report/benchgate-report.md" ]
    [ "$(cat "$T/artifacts/benchgate-report/pr")" = 7 ]
    [ "$(posts)" -eq 0 ]

    # the second workflow, in the base repository, with a token that may write
    job_env
    rm -f "$T/repo/report" -r
    mkdir "$T/wr" && cd "$T/wr"
    echo "{\"workflow_run\": {\"id\": 99, \"event\": \"pull_request\", \"head_sha\": \"$HEAD_SHA\"}}" > "$T/event.json"
    export GITHUB_EVENT_NAME=workflow_run GITHUB_EVENT_PATH=$T/event.json GITHUB_TOKEN_VALUE=ghs_write
    run python3 "$RUN_RECIPE" "$DOCS/github-fork-comment.yml"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ $output == *"posted the benchgate comment on pull request #7"* ]]
    grep -q '"method": "GET", "path": "/repos/acme/widgets/pulls/7"' "$T/requests.jsonl"
    grep -q '"authorization": "Bearer ghs_write"' "$T/requests.jsonl"
    [ "$(posts)" -eq 1 ]

    # an artifact naming another pull request (whose head is not the judged commit) is refused
    echo 8 > "$T/artifacts/benchgate-report/pr"
    rm -rf report
    echo "{\"workflow_run\": {\"id\": 99, \"event\": \"pull_request\", \"head_sha\": \"5555555555555555555555555555555555555555\"}}" > "$T/event.json"
    run python3 "$RUN_RECIPE" "$DOCS/github-fork-comment.yml"
    [ "$status" -ne 0 ]
    [[ $output == *"not the one the judging run judged"* ]]
    [ "$(posts)" -eq 1 ]
}
