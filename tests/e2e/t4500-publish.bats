#!/usr/bin/env bats
# benchgate publish: the server's pages as static files with relative links.
# Every link in the output must name a file that exists
# (tests/tools/check_links.py); names that need escaping stay escaped; the
# pages render in chromium from file:// URLs as they do from the server.

load helper

CHECK_LINKS=$BATS_TEST_DIRNAME/../tools/check_links.py

# a project whose name and benchmark names need every kind of escaping
awkward_db() {
    for i in 1 2 3; do
        hf_json "parse <b>&amp;:$(series 0.010 10)" "..x:$(series 0.020 10)" \
            ".hidden:$(series 0.030 10)" "a/b c%20d?x#y:$(series 0.040 10)" \
            "naïve \\\"quoted\\\":$(series 0.050 10)" > "$T/r$i.json"
        bg collect -q --db "$DB" --project 'acme/wid<g>ets' --branch main \
            --commit "$(printf 'c%06d' $i)" --timestamp $((1700000000 + 3600 * i)) "$T/r$i.json"
    done
    bg collect -q --db "$DB" --project plain --branch main "$FIX/go/basic-json/bench.jsonl"
}

@test "publish writes every page, each link resolves to a file, names are escaped" {
    awkward_db
    run bg publish --db "$DB" --out "$T/site"
    [ "$status" -eq 0 ]
    [[ $output == *"published "*" pages and files to $T/site"* ]]
    run python3 "$CHECK_LINKS" "$T/site"
    echo "$output"
    [ "$status" -eq 0 ]
    [ -f "$T/site/index.html" ] && [ -f "$T/site/.nojekyll" ] && [ -f "$T/site/static/style.css" ]
    p="$T/site/p/acme%2Fwid%3Cg%3Eets"
    [ -f "$p/index.html" ]
    # every benchmark has its page at the address reports link to, with a chart
    for b in 'parse%20%3Cb%3E%26amp%3B' '%2E.x' '%2Ehidden' 'a%2Fb%20c%2520d%3Fx%23y' \
             'na%C3%AFve%20%22quoted%22'; do
        [ -f "$p/b/$b/index.html" ] || { ls "$p/b"; false; }
        grep -q '<svg' "$p/b/$b/index.html"
    done
    # a folder per run, and the runs list and alerts pages beside them
    [ "$(ls "$p/runs" | grep -c '^[0-9][0-9]*$')" -eq 3 ]
    [ -f "$p/runs/3/index.html" ] && [ -f "$p/runs/index.html" ] && [ -f "$p/alerts/index.html" ]
    [ -f "$T/site/p/plain/index.html" ]
    # escaped as the server escapes them: no raw markup from a name anywhere
    grep -q 'acme/wid&lt;g&gt;ets' "$T/site/index.html"
    ! grep -rq 'wid<g>ets' "$T/site" --include=*.html
    grep -q 'parse &lt;b&gt;&amp;amp;' "$p/index.html"
    # no absolute link is left to point at a server that is not there
    ! grep -rqE '(href|src)="/' "$T/site" --include=*.html
    # nothing outside the folder: no name is '.', '..' or hidden
    [ -z "$(find "$T/site" -name '.*' ! -name .nojekyll ! -name .benchgate-publish)" ]
}

@test "publish replaces its own earlier output, refuses a folder it did not write, leaves nothing half-made" {
    awkward_db
    bg publish --db "$DB" --out "$T/site"
    touch "$T/site/stale.html"
    run bg publish --db "$DB" --out "$T/site"
    [ "$status" -eq 0 ]
    [ ! -e "$T/site/stale.html" ]
    mkdir "$T/mine" && echo keep > "$T/mine/notes.txt"
    run bg publish --db "$DB" --out "$T/mine"
    [ "$status" -eq 2 ]
    [[ $output == *"did not write"* ]]
    [ "$(ls -A "$T/mine")" = notes.txt ]
    [ -z "$(ls -d "$T"/*.publish-* 2> /dev/null)" ]
    run bg publish --db "$T/none.db" --out "$T/other"
    [ "$status" -ne 0 ]
    [ ! -e "$T/other" ]
    run bg publish --db "$DB"
    [ "$status" -eq 2 ]
}

@test "publish reads a git history, so Pages needs no server and no database" {
    git_checkout
    for i in 1 2; do
        hf_json "parse:$(series 0.010 10)" > "$T/r.json"
        bg collect -q --db git:benchgate-data --project acme --branch main \
            --commit "$(printf 'd%06d' $i)" "$T/r.json"
    done
    run bg publish --db git:benchgate-data --out "$T/site"
    [ "$status" -eq 0 ]
    [ -f "$T/site/p/acme/b/parse/index.html" ]
    [ "$(ls "$T/site/p/acme/runs" | grep -c '^[0-9][0-9]*$')" -eq 2 ]
    python3 "$CHECK_LINKS" "$T/site"
}

@test "the published pages render in chromium from file:// URLs, charts and all" {
    command -v chromium > /dev/null || {
        echo "chromium is not installed: run 'make deps' (Debian package chromium)" >&2
        return 1
    }
    awkward_db
    bg publish --db "$DB" --out "$T/site"
    browse() {
        timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
            --disable-component-update --disable-sync --disable-default-apps --no-first-run \
            --disable-dev-shm-usage --disable-breakpad --no-pings --hide-scrollbars \
            --allow-file-access-from-files --user-data-dir="$T/chromium" "$@" 2>> "$T/chromium.err"
    }
    browse --dump-dom "file://$T/site/index.html" > "$T/dom"
    grep -q 'acme/wid&lt;g&gt;ets' "$T/dom"
    p="file://$T/site/p/acme%252Fwid%253Cg%253Eets"
    browse --dump-dom "$p/index.html" > "$T/dom"
    [ "$(grep -o '<img class="spark"' "$T/dom" | wc -l)" -eq 5 ]
    browse --dump-dom "$p/b/%252Ehidden/index.html" > "$T/dom"
    grep -q 'id="gnuplot_canvas"' "$T/dom"
    grep -q '<h2>Runs</h2>' "$T/dom"
    browse --dump-dom "$p/runs/3/index.html" > "$T/dom"
    grep -q '<h2>Environment</h2>' "$T/dom"
    SHOTS=${BUILD:-$BATS_TEST_DIRNAME/../../build}/test-output/screenshots
    mkdir -p "$SHOTS"
    browse --window-size=1280,1500 --screenshot="$SHOTS/published-benchmark.png" \
        "$p/b/%252Ehidden/index.html" > /dev/null
    [ "$(stat -c %s "$SHOTS/published-benchmark.png")" -gt 10000 ]
}
