#!/usr/bin/env bats
# t3200-serve-client.bats: collect --server and check --server, the CI path
# with no database on the runner, against a live server on 127.0.0.1.

load helper
load server

MAIN=$BATS_TEST_DIRNAME/../../samples/hyperfine-main.json
FEATURE=$BATS_TEST_DIRNAME/../../samples/hyperfine-feature.json

@test "collect --server uploads; check --server fails on the regression, exit 1" {
    export BENCHGATE_TOKEN=$(token demo)
    serve_start
    run bg collect --server "$URL" --project demo --branch main --commit aaaa1111 "$MAIN"
    [ "$status" -eq 0 ]
    [[ "$output" == "uploaded run 1 of project 'demo' on branch 'main' at aaaa1111 to $URL: 3 benchmarks"* ]]
    run bg collect --server "$URL" --project demo --branch feature "$FEATURE"
    [ "$status" -eq 0 ]
    # the runner's machine travels with the run
    [ "$(sql "SELECT count(*) FROM environments WHERE cores > 0 AND os IS NOT NULL")" -ge 1 ]
    run bg check --server "$URL" --project demo --branch feature --resamples 100
    [ "$status" -eq 1 ]
    [[ "$output" == *"against 'main' (run 1"* ]]
    [[ "$output" == *"parse-config"*REGRESSED* ]]
    [[ "$output" == *"(server $URL)"* ]]
    # no local database was made
    [ ! -e benchgate.db ]
    serve_stop
}

@test "check --server with FILEs judges them against the server without storing them" {
    export BENCHGATE_TOKEN=$(token demo)
    serve_start
    bg collect --server "$URL" --project demo --branch main -q "$MAIN"
    export BENCHGATE_SERVER=$URL
    run bg check --project demo --branch main --resamples 100 -o json "$MAIN"
    [ "$status" -eq 0 ]
    [[ "$output" == *'"verdict": "pass"'* ]]
    [ "$(sql 'SELECT count(*) FROM runs')" = 1 ]
    run bg check --project demo --branch feature --resamples 100 "$FEATURE"
    [ "$status" -eq 1 ]
    serve_stop
}

@test "on the baseline branch, the server's baseline is the run before the current one" {
    export BENCHGATE_TOKEN=$(token demo)
    serve_start
    bg collect --server "$URL" --project demo --branch main --timestamp 100 -q "$MAIN"
    bg collect --server "$URL" --project demo --branch main --timestamp 200 -q "$FEATURE"
    run bg check --server "$URL" --project demo --branch main --resamples 0
    [ "$status" -eq 1 ]
    [[ "$output" == *"'main' (run 2"*"against 'main' (run 1"* ]]
    serve_stop
}

@test "a refused token is exit 2, an unreachable server exit 3, nothing stored" {
    serve_start
    good=$(token demo)
    run bg collect --server "$URL" --token "bg_0000000000000000_$(printf '%064d' 0)" --project demo "$MAIN"
    [ "$status" -eq 2 ]
    [[ "$output" == *"401 unauthorized: the token is not valid"* ]]
    run bg collect --server "$URL" --project demo "$MAIN"
    [ "$status" -eq 2 ]
    [[ "$output" == *"no token given"* ]]
    run bg check --server "$URL" --project demo --branch nope
    [ "$status" -eq 2 ]
    [[ "$output" == *"no runs of project 'demo' on branch 'nope'"* ]]
    [ "$(sql 'SELECT count(*) FROM runs')" = 0 ]
    serve_stop
    run bg collect --server "$URL" --token "$good" --project demo "$MAIN"
    [ "$status" -eq 3 ]
    run bg check --server "$URL" --project demo --branch main
    [ "$status" -eq 3 ]
    run bg collect --server ftp://127.0.0.1/ --project demo "$MAIN"
    [ "$status" -eq 2 ]
}
