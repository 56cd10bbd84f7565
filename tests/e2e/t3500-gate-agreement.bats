#!/usr/bin/env bats
# t3500-gate-agreement.bats: one rule decides the baseline, and one gate the
# verdicts: check, the server's check endpoint and the run's page agree on
# both for the same stored run.

load helper
load server

synth() {
    "${SYNTH:?run through make test}" "$@"
}

# json FILE EXPR
json() {
    sqlite3 :memory: "SELECT json_extract(readfile('$1'), '$2')"
}

@test "check, the API and the run page agree on the baseline and every verdict" {
    # 12 runs of main, then a branch forked at run 10 with two benchmarks 40% slower
    for i in $(seq 1 12); do
        synth $((i + 40)) 20 30 0 0.05 20 0.03 > h.json
        bg collect --db "$DB" -q --project acme --branch main \
            --commit "$(printf 'aa%04d' "$i")" --timestamp $((1700000000 + 3600 * i)) h.json
    done
    synth 99 20 30 0.4 0.05 2 0.03 > pr.json
    bg collect --db "$DB" -q --project acme --branch feature --commit bb0001 \
        --timestamp 1700100000 --meta base_branch=main --meta fork_point=aa0010 pr.json
    id=$(sql "SELECT max(id) FROM runs")

    run bash -c '"$BENCHGATE" check --db "$1" --project acme --branch feature -o json > cli.json 2>/dev/null' _ "$DB"
    [ "$status" -eq 1 ]
    [ "$(json cli.json '$.baseline.runs')" = "[10,9,8,7,6,5,4,3,2,1]" ]

    tok=$(token acme)
    serve_start
    api POST "/api/v1/projects/acme/check?run=$id" -H "Authorization: Bearer $tok"
    [ "$STATUS" = 200 ]
    cp "$T/body" api.json
    [ "$(json api.json '$.baseline.runs')" = "$(json cli.json '$.baseline.runs')" ]
    [ "$(json api.json '$.baseline.why')" = "$(json cli.json '$.baseline.why')" ]
    for i in $(seq 0 19); do
        [ "$(json api.json "\$.results[$i].verdict")" = "$(json cli.json "\$.results[$i].verdict")" ]
        [ "$(json api.json "\$.results[$i].adjusted_change")" = "$(json cli.json "\$.results[$i].adjusted_change")" ]
    done
    [ "$(json cli.json '$.counts.regressed')" -eq 2 ]

    curl -sS --max-time 20 -o page.html "$URL/p/acme/runs/$id"
    why=$(json cli.json '$.baseline.why' | sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g; s/'"'"'/\&#39;/g')
    grep -qF "$why" page.html
    # the rows' verdicts (a suite-wide finding is a paragraph of its own)
    [ "$(grep -o '<span class="verdict v-regressed">' page.html | wc -l)" -eq 2 ]
    [ "$(grep -o '<span class="verdict v-unchanged">' page.html | wc -l)" -eq "$(json cli.json '$.counts.unchanged')" ]
    [ "$(json api.json '$.suites')" = "$(json cli.json '$.suites')" ]
    [ "$(json api.json '$.verdict')" = "$(json cli.json '$.verdict')" ]
    serve_stop
}
