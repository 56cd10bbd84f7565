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

# look NAME WIDTH PATH [JS...]: PATH loaded at WIDTH css pixels by
# tests/tools/browser.py, a screenshot in $SHOTS/NAME-WIDTH.png, and the
# layout checked: the page does not scroll sideways, nothing in <main> ends
# beyond the window (cut off, or behind a sideways scroll), every image the
# layout shows is loaded. Each JS expression's value is a line of $T/vals.
look() {
    local name=$1 width=$2 path=$3
    shift 3
    local args=() js
    for js in "$LAYOUT" "$@"; do
        args+=(--eval "$js")
    done
    timeout 90 python3 "$BATS_TEST_DIRNAME/../tools/browser.py" "$URL$path" --width "$width" \
        --height 900 --screenshot "$SHOTS/$name-$width.png" "${args[@]}" >"$T/look" ||
        return 1
    python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
for v in r["eval"]:
    print(v if isinstance(v, str) else json.dumps(v))' "$T/look" >"$T/vals"
    echo "$name $width: $(head -n 1 "$T/vals")"
    [ "$(head -n 1 "$T/vals")" = 'over 0 cut 0 broken 0' ]
    [ "$(stat -c %s "$SHOTS/$name-$width.png")" -gt 5000 ]
}

# val N: the value of look's Nth JS expression (1: the first after the layout's)
val() {
    sed -n "$(($1 + 1))p" "$T/vals"
}

# the layout's check: sideways overflow in px, texts cut off, images not loaded
# (a phone's window widens to fit what overflows it: the width is the
# document's client width)
LAYOUT='(() => { const w = document.documentElement.clientWidth;
    const cut = [...document.querySelectorAll("main *")]
        .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > w + 1);
    const broken = [...document.images]
        .filter(i => i.getClientRects().length && !(i.complete && i.naturalWidth > 0));
    return "over " + (document.documentElement.scrollWidth - w) + " cut " + cut.length +
        " broken " + broken.length; })()'

# JS: the benchmark names of a project page's rows, in order, space-separated
ROWS='[...document.querySelectorAll("table.benchmarks tbody td.name")].map(e => e.textContent).join(" ")'
# JS: the verdicts of its rows
VERDICTS='[...document.querySelectorAll("table.benchmarks tbody tr")].map(r => r.className).join(" ")'

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
        grep -q '<table class="benchmarks">' "$T/dom"
        shot "project-$p" "/p/$p"
    done
    serve_stop
}

@test "the new pages at 1280 and 390 px: failing first, filter, pages, alerts, nothing cut off" {
    big_project 40 300
    serve_start
    # the project page opens on the newest run: its three regressions lead
    for w in 1280 390; do
        look project "$w" /p/big "$ROWS" "$VERDICTS" \
            'document.querySelector("nav.pager span").textContent' \
            'document.querySelectorAll("img.spark").length'
        [ "$(val 1 | wc -w)" -eq 50 ]
        [ "$(val 1 | cut -d' ' -f1-3 | tr ' ' '\n' | sort | tr '\n' ' ')" = \
          'cache/case-077 net/case-003 parser/case-150 ' ]
        [ "$(val 2 | cut -d' ' -f1-4)" = 'r-regressed r-regressed r-regressed r-unchanged' ]
        [ "$(val 3)" = 'Benchmarks 1-50 of 300, 50 a page' ]
        [ "$(val 4)" -eq 50 ]
    done
    # on a phone the verdict and the change stay in view; the trend gives way
    look project-verdicts 390 /p/big \
        '[...document.querySelectorAll("table.benchmarks .verdict")].filter(e => e.getClientRects().length && e.getBoundingClientRect().right <= document.documentElement.clientWidth).length' \
        '[...document.querySelectorAll("table.benchmarks td.trend")].filter(e => e.getClientRects().length).length'
    [ "$(val 1)" -eq 50 ] && [ "$(val 2)" -eq 0 ]

    # the name filter and failing only, as the form sends them
    for w in 1280 390; do
        look project-filter "$w" '/p/big?branch=&env=&q=case-07&sort=verdict' "$ROWS" \
            'document.querySelector("input[name=q]").value'
        [ "$(val 1 | wc -w)" -eq 10 ]
        [ "$(val 1 | tr ' ' '\n' | grep -vc 'case-07')" -eq 0 ]
        [ "$(val 1 | cut -d' ' -f1)" = cache/case-077 ]
        [ "$(val 2)" = case-07 ]
        look project-failing "$w" '/p/big?failing=1' "$VERDICTS"
        [ "$(val 1)" = 'r-regressed r-regressed r-regressed' ]
        # page 2: 50 other rows, and the pager says where it is
        look project-page2 "$w" '/p/big?page=2' "$ROWS" \
            'document.querySelector("nav.pager [aria-current=page]").textContent'
        [ "$(val 1 | wc -w)" -eq 50 ]
        [ "$(val 2)" = 2 ]
        [[ " $(val 1) " != *' net/case-003 '* ]]
        look project-group "$w" '/p/big?group=render' "$ROWS"
        [ "$(val 1 | wc -w)" -eq 50 ] && [ "$(val 1 | tr ' ' '\n' | grep -vc '^render/')" -eq 0 ]
    done

    # alerts: newest first, the newest run's three regressions, then the step at run 25
    for w in 1280 390; do
        look alerts "$w" /p/big/alerts \
            '[...document.querySelectorAll("li.alert")].map(e => e.classList[1] + ":" + e.querySelector("a").textContent).join(" ")' \
            'document.querySelector("a[type=\"application/atom+xml\"]").getAttribute("href")'
        [ "$(val 1 | cut -d' ' -f1-3)" = 'a-regressed:run 40 a-regressed:run 40 a-regressed:run 40' ] ||
            [ "$(val 1 | tr ' ' '\n' | head -n 6 | tr '\n' ' ')" = 'a-regressed:run 40 a-regressed:run 40 a-regressed:run 40 ' ]
        [[ "$(val 1)" == *'a-change:run 25'* ]]
        val 1 | grep -o 'run [0-9]*' | sed 's/run //' | sort -n -r -c
        [[ "$(val 2)" == /p/big/alerts.atom* ]]
    done

    # the runs list, a run, a benchmark with its step, and a wrong address, at both widths
    for w in 1280 390; do
        look runs "$w" /p/big/runs \
            '[...document.querySelectorAll("table.runs tbody tr td:first-child")].map(e => e.textContent).slice(0, 3).join(" ")'
        [ "$(val 1)" = '40 39 38' ]
        look run "$w" /p/big/runs/40 'document.querySelectorAll("table tbody tr").length'
        [ "$(val 1)" -ge 300 ]
        look benchmark "$w" '/p/big/b/render%2Fcase-001' \
            'document.querySelector("nav a[href=\"/p/big\"]") !== null' \
            '[...document.querySelectorAll("svg, img")].filter(e => e.getClientRects().length && e.getBoundingClientRect().width > 300).length'
        [ "$(val 1)" = true ]
        [ "$(val 2)" -ge 1 ]
        look not-found "$w" /p/big/nope 'document.querySelector("a[href=\"/\"]") !== null'
        [ "$(val 1)" = true ]
        look index "$w" / 'document.querySelector("a[href=\"/p/big\"]") !== null'
        [ "$(val 1)" = true ]
    done
    serve_stop
}
