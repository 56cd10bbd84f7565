#!/usr/bin/env bats
# t0000-cli.bats: help, version, and usage errors (exit status 2).

load helper

@test "benchgate --version prints the version and each store's schema" {
    run bg --version
    [ "$status" -eq 0 ]
    [[ "$output" =~ ^benchgate\ [0-9]+\.[0-9]+\.[0-9]+\ \(store\ schemas:\ sqlite\ [0-9]+,\ postgres\ [0-9]+\)$ ]]
}

@test "benchgate help lists the commands and the exit codes" {
    run bg help
    [ "$status" -eq 0 ]
    [[ "$output" == *"collect"* ]]
    [[ "$output" == *"check"* ]]
    [[ "$output" == *"1  a benchmark regressed"* ]]
    [[ "$output" == *"3  the database"* ]]
}

@test "every command has --help, also reachable as 'benchgate help CMD'" {
    for cmd in collect check baseline history serve token; do
        run bg "$cmd" --help
        [ "$status" -eq 0 ]
        [[ "$output" == "usage: benchgate $cmd"* ]]
        [[ "$output" == *"Exit status:"* ]]
        run bg help "$cmd"
        [ "$status" -eq 0 ]
        [[ "$output" == "usage: benchgate $cmd"* ]]
    done
}

@test "no command: usage on stderr, exit 2" {
    run bg
    [ "$status" -eq 2 ]
    [[ "$output" == *"usage: benchgate <command>"* ]]
}

@test "unknown command and unknown help topic exit 2" {
    run bg frobnicate
    [ "$status" -eq 2 ]
    [[ "$output" == *"unknown command 'frobnicate'"* ]]
    run bg help frobnicate
    [ "$status" -eq 2 ]
}

@test "unknown option exits 2 and points at --help" {
    run bg check --no-such-flag
    [ "$status" -eq 2 ]
    [[ "$output" == *"unknown or incomplete option '--no-such-flag'"* ]]
    [[ "$output" == *"Try 'benchgate check --help'"* ]]
    run bg collect --db
    [ "$status" -eq 2 ]
}

@test "collect without files exits 2" {
    run bg collect --db "$DB"
    [ "$status" -eq 2 ]
    [[ "$output" == *"no input files"* ]]
    db_absent
}

@test "bad flag values exit 2 with the reason" {
    run bg check --db "$DB" --threshold abc
    [ "$status" -eq 2 ]
    [[ "$output" == *"--threshold 'abc': not a number"* ]]
    run bg check --db "$DB" --threshold -0.1
    [ "$status" -eq 2 ]
    run bg check --db "$DB" --threshold nan
    [ "$status" -eq 2 ]
    run bg collect --db "$DB" --commit 'xyz!' "$HF/single/single.json"
    [ "$status" -eq 2 ]
    [[ "$output" == *"--commit 'xyz!': expected 4 to 64 hex digits"* ]]
    run bg collect --db "$DB" --meta novalue "$HF/single/single.json"
    [ "$status" -eq 2 ]
    run bg collect --db "$DB" --meta cores=many "$HF/single/single.json"
    [ "$status" -eq 2 ]
    run bg collect --db "$DB" --format nosuch "$HF/single/single.json"
    [ "$status" -eq 2 ]
    [[ "$output" == *"--format 'nosuch': unknown format"* ]]
    run bg collect --db "$DB" --branch "$(printf 'a\tb')" "$HF/single/single.json"
    [ "$status" -eq 2 ]
    [[ "$output" == *"contains a control character"* ]]
    db_absent
}
