#!/usr/bin/env bats
# The dashboards in a real browser: Debian's chromium, headless, loads every
# page type from a server whose database was collected from the corpus, and
# the DOM it built must hold the charts and tables. Screenshots are saved in
# $BUILD/test-output/screenshots for people to look at.

load helper
load server

# chromium, offline but for the loopback server: no sync, updates or pings.
browser() {
    command -v chromium >/dev/null || {
        echo "chromium is not installed: run 'make deps' (Debian package chromium)" >&2
        return 1
    }
    timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --disable-default-apps --no-first-run \
        --disable-dev-shm-usage --disable-breakpad --no-pings --hide-scrollbars \
        --user-data-dir="$T/chromium" "$@" 2>>"$T/chromium.err"
}

# dom PATH: the DOM chromium built for the page, in $T/dom.
dom() {
    browser --dump-dom "$URL$1" >"$T/dom"
}

# shot NAME PATH: a 1280-wide screenshot of the page.
shot() {
    browser --window-size=1280,1500 --screenshot="$SHOTS/$1.png" "$URL$2" >/dev/null
    [ "$(stat -c %s "$SHOTS/$1.png")" -gt 10000 ]
}

setup_file() {
    export SHOTS=${BUILD:-$BATS_TEST_DIRNAME/../../build}/test-output/screenshots
    mkdir -p "$SHOTS"
}

# The corpus: 12 hyperfine runs of three commands, the second slower from run 8,
# plus Go, Google Benchmark and pytest-benchmark runs in other projects.
corpus_db() {
    local f=$FIX/hyperfine/multi-commands/results.json
    for i in $(seq 1 12); do
        python3 - "$f" "$i" > "$T/hf.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
i = int(sys.argv[2])
for k, r in enumerate(doc["results"]):
    scale = 1.25 if (k == 1 and i >= 8) else 1.0
    r["times"] = [t * scale * (1 + 0.002 * ((i * 7 + j) % 5)) for j, t in enumerate(r["times"])]
print(json.dumps(doc))
PY
        bg collect -q --db "$DB" --project web/site --branch main \
            --commit "$(printf 'a%06d' "$i")" --timestamp $((1700000000 + 3600 * i)) "$T/hf.json"
    done
    bg collect -q --db "$DB" --project go-svc --branch main --commit b000001 \
        "$FIX/go/basic-json/bench.jsonl"
    bg collect -q --db "$DB" --project go-svc --branch main --commit b000002 \
        "$FIX/go/basic-text/bench.txt"
    bg collect -q --db "$DB" --project cpp-lib --branch main \
        "$FIX/gbench/json-repetitions/stdout.json"
    bg collect -q --db "$DB" --project py-lib --branch main "$FIX/pytest/json-basic/out.json"
}

@test "chromium renders every page type with its charts and tables" {
    corpus_db
    serve_start
    dom /
    grep -q '<a href="/p/web%2Fsite">web/site</a>' "$T/dom"
    grep -q '<a href="/p/go-svc">go-svc</a>' "$T/dom"
    shot index /

    dom /p/web%2Fsite
    [ "$(grep -o '<img class="spark"' "$T/dom" | wc -l)" -eq 3 ]
    grep -q 'v-regressed\|v-unchanged' "$T/dom"
    shot project /p/web%2Fsite
    # the command that slowed down from run 8
    bench=$(grep -o 'href="/p/web%2Fsite/b/sleep%200\.04[^"?]*' "$T/dom" | head -n 1 | sed 's/^href="//')
    [ "$bench" = /p/web%2Fsite/b/sleep%200.04 ]
    spark=$(grep -o 'src="/p/web%2Fsite/b/[^"]*spark.svg[^"]*"' "$T/dom" | head -n 1 |
            sed 's/^src="//; s/"$//; s/&amp;/\&/g')
    dom "$spark"
    grep -q '<svg' "$T/dom" && grep -q 'gnuplot_plot_1' "$T/dom"

    dom "$bench"
    grep -q '<svg' "$T/dom"
    grep -q 'id="gnuplot_canvas"' "$T/dom"
    grep -q '<h2>Change points</h2>' "$T/dom"
    grep -q '<h2>Runs</h2>' "$T/dom"
    shot benchmark "$bench"

    id=$(sql "SELECT max(r.id) FROM runs r JOIN projects p ON p.id = r.project_id WHERE p.name = 'web/site'")
    dom "/p/web%2Fsite/runs/$id"
    grep -q '<h2>Environment</h2>' "$T/dom"
    grep -q '95% CI' "$T/dom"
    shot run "/p/web%2Fsite/runs/$id"

    for p in go-svc cpp-lib py-lib; do
        dom "/p/$p"
        grep -q '<table>' "$T/dom"
        shot "project-$p" "/p/$p"
    done
    serve_stop
}
