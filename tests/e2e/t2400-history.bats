#!/usr/bin/env bats
# t2400-history.bats: a benchmark's p95 over time.

load helper

@test "history lists runs oldest first with p95, n and commit; --branch and --limit filter" {
    for i in 1 2 3; do
        hf_json "a:$(series 0.0$i 10)" > r$i.json
        bg collect --db "$DB" -q --branch main --commit "aaaa000$i" --timestamp $((1700000000 + i)) r$i.json
    done
    bg collect --db "$DB" -q --branch f --timestamp 1700000100 r1.json
    run bg history --db "$DB" a
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == "history of 'a' (metric time) in project 'default': 4 runs, oldest first" ]]
    [[ "${lines[2]}" == *"aaaa0001"*"10"*"10.86 ms"*"main" ]]
    [[ "${lines[5]}" == *" - "*"f" ]]
    run bg history --db "$DB" --branch main --limit 2 a
    [ "${#lines[@]}" -eq 4 ]
    [[ "${lines[2]}" == *"aaaa0002"* ]]
    run bg history --db "$DB" --output json --branch main a
    [ "$status" -eq 0 ]
    echo "$output" > h.json
    [ "$(sqlite3 :memory: "SELECT json_array_length(readfile('h.json'), '\$.points')")" -eq 3 ]
    [ "$(sqlite3 :memory: "SELECT json_extract(readfile('h.json'), '\$.points[2].commit')")" = "aaaa0003" ]
    [ "$(sqlite3 :memory: "SELECT json_extract(readfile('h.json'), '\$.points[0].n')")" -eq 10 ]
}

@test "history of an unknown benchmark exits 2; bad usage exits 2; no database exits 3" {
    hf_json "a:0.1" > r.json
    bg collect --db "$DB" -q r.json
    run bg history --db "$DB" nosuch
    [ "$status" -eq 2 ]
    [[ "$output" == *"no results for benchmark 'nosuch' (metric time) in project 'default'"* ]]
    run bg history --db "$DB"
    [ "$status" -eq 2 ]
    run bg history --db "$DB" --limit 0 a
    [ "$status" -eq 2 ]
    run bg history --db "$T/none.db" a
    [ "$status" -eq 3 ]
}
