#!/usr/bin/env bats
# The dashboards: every page type over a real server, charts drawn by the real
# gnuplot, hostile names, the chart cache, and gnuplot missing, hanging or busy.

load helper
load server
load dashboards

@test "the four page types answer with their tables and charts" {
    history_db
    serve_start
    page /
    [ "$STATUS" = 200 ] && [[ "$TYPE" == text/html* ]]
    [[ "$BODY" == *'<a href="/p/acme">acme</a>'* ]]
    [[ "$BODY" == *'class="badge'* ]] # the newest run's verdict count
    page /static/style.css
    [ "$STATUS" = 200 ] && [[ "$TYPE" == text/css* ]]

    page /p/acme
    [ "$STATUS" = 200 ]
    for b in bench-0000 bench-0001 bench-0002 bench-0003; do
        [[ "$BODY" == *"href=\"/p/acme/b/$b?metric=time&amp;branch=main\""* ]]
        [[ "$BODY" == *"src=\"/p/acme/b/$b/spark.svg?metric=time&amp;branch=main\""* ]]
    done
    page "/p/acme/b/bench-0001/spark.svg?metric=time&branch=main"
    [ "$STATUS" = 200 ] && [ "$TYPE" = image/svg+xml ]
    xml_ok

    page /p/acme/b/bench-0000
    [ "$STATUS" = 200 ]
    [[ "$BODY" == *'<svg'*'</svg>'* ]]             # the chart, inline
    [[ "$BODY" == *'<h2>Runs</h2>'* ]]
    [ "$(grep -o '<tr' "$T/body" | wc -l)" -eq 21 ] # a header and 20 runs

    id=$(sql "SELECT max(id) FROM runs")
    page "/p/acme/runs/$id"
    [ "$STATUS" = 200 ]
    [[ "$BODY" == *'<h2>Environment</h2>'* ]] && [[ "$BODY" == *'95% CI'* ]]
    [[ "$BODY" == *'<code>c000020</code>'* ]]
    serve_stop
}

@test "the benchmark page names the first run after a level shift" {
    history_db
    serve_start
    page /p/acme/b/bench-0000
    [[ "$BODY" == *'<h2>Change points</h2>'* ]]
    # exactly one shift, at run 9 (commit c000009), about +30%
    [ "$(grep -c '^<li>From <a href="/p/acme/runs/' "$T/body")" -eq 1 ]
    grep -q '<li>From .*commit <code>c000009</code>.*(+[23][0-9]\.[0-9]%)' "$T/body"
    [ "$(grep -c 'class="changepoint"' "$T/body")" -eq 1 ]
    # a flat benchmark has none
    page /p/acme/b/bench-0001
    [[ "$BODY" == *'No change point'* ]]
    # the chart alone, with the marks drawn
    page "/p/acme/b/bench-0000/chart.svg?x=time"
    [ "$STATUS" = 200 ] && [ "$TYPE" = image/svg+xml ]
    xml_ok
    grep -q 'change point' "$T/body"
    serve_stop
}

@test "filters and sorting: branch, machine, biggest change first" {
    history_db
    "$SYNTH" 99 4 20 0.5 0.01 2 > "$T/pr.json"
    bg collect -q --db "$DB" --project acme --branch feature/x --commit feeeee1 \
        --meta cpu_model=OtherCPU --meta cores=64 "$T/pr.json"
    serve_start
    page "/p/acme?branch=feature%2Fx&sort=change"
    [ "$STATUS" = 200 ]
    [[ "$BODY" == *'<option value="feature/x" selected>'* ]]
    [[ "$BODY" == *'OtherCPU, 64 cores'* ]]
    # the two shifted benchmarks lead, each +50% or so, and regressed
    first=$(grep -o 'href="/p/acme/b/bench-000[0-9]' "$T/body" | head -n 2 | sort | tr '\n' ' ')
    [ "$first" = 'href="/p/acme/b/bench-0000 href="/p/acme/b/bench-0001 ' ]
    [ "$(grep -c 'v-regressed' "$T/body")" -eq 2 ]
    env=$(sql "SELECT fingerprint FROM environments WHERE cpu_model = 'OtherCPU'")
    page "/p/acme/b/bench-0002?branch=feature%2Fx&env=$env"
    [ "$STATUS" = 200 ] && [[ "$BODY" == *'1 run,'* ]]
    # a run count of the URL's own stays chosen in the form
    page "/p/acme/b/bench-0001?limit=7"
    [ "$STATUS" = 200 ] && [[ "$BODY" == *'<option selected>7</option>'* ]]
    [ "$(grep -o '<tr' "$T/body" | wc -l)" -eq 8 ] # a header and 7 runs
    # the form's "any machine" is an empty env=
    page "/p/acme?branch=main&env=&sort=name"
    [ "$STATUS" = 200 ] && [[ "$BODY" == *'<option value="">any</option>'* ]]
    page "/p/acme/b/bench-0002?branch=main&env=$env"
    [ "$STATUS" = 404 ] && [[ "$TYPE" == text/html* ]]
    serve_stop
}

@test "bad queries and unknown names are error pages, escaped" {
    history_db
    serve_start
    for q in "/p/acme?sort=%3Cb%3E" "/p/acme?env=xyz" "/p/acme/b/bench-0000?x=%3Cb%3E" \
             "/p/acme/b/bench-0000?limit=0" "/p/acme?branch=%01"; do
        page "$q"
        [ "$STATUS" = 400 ] && [[ "$TYPE" == text/html* ]]
        [[ "$BODY" != *'<b>'* ]]
    done
    page "/p/%3Cscript%3E"
    [ "$STATUS" = 404 ] && [[ "$BODY" == *'&lt;script&gt;'* ]] && [[ "$BODY" != *'<script'* ]]
    page /p/acme/runs/999999
    [ "$STATUS" = 404 ]
    page /p/acme/b/nope
    [ "$STATUS" = 404 ]
    serve_stop
}

@test "hostile benchmark names run nothing and break no page or SVG" {
    names=('a"b'"'"'c' 'x`touch pwned-bq`' 'system("touch pwned-sys")' '<script>alert(1)</script>'
           '$(touch pwned-sh)' '@x; !touch pwned-bang' 'p&q;<b>')
    for i in 1 2 3; do
        specs=()
        for n in "${names[@]}"; do specs+=("$n:$(series 0.0$i 8)"); done
        python3 - "${names[@]}" > "$T/hostile.json" <<'PY'
import json, sys
print(json.dumps({"results": [{"command": n, "times": [0.01 + 0.0001 * k for k in range(8)]}
                              for n in sys.argv[1:]]}))
PY
        bg collect -q --db "$DB" --project evil --commit "d00000$i" --timestamp $((1700000000 + i)) "$T/hostile.json"
    done
    # a newline cannot get in at all
    printf '{"results": [{"command": "a\\nEOD\\n!touch pwned-nl", "times": [1, 2]}]}' > "$T/nl.json"
    run bg collect -q --db "$DB" --project evil "$T/nl.json"
    [ "$status" -eq 2 ] && [[ "$output" == *'control character'* ]]
    serve_start
    page /p/evil
    [ "$STATUS" = 200 ]
    [[ "$BODY" != *'<script'* ]] && [[ "$BODY" != *'p&q;<b>'* ]]
    [[ "$BODY" == *'&lt;script&gt;alert(1)&lt;/script&gt;'* ]]
    [[ "$BODY" == *'p&amp;q;&lt;b&gt;'* ]]
    [[ "$BODY" == *'a&quot;b&#39;c'* ]]
    # every link a page makes leads to a page that draws its chart
    for href in $(grep -o 'href="/p/evil/b/[^"]*"' "$T/body" | sed 's/^href="//; s/"$//; s/&amp;/\&/g'); do
        page "$href"
        [ "$STATUS" = 200 ]
        [[ "$BODY" == *'<svg'* ]] && [[ "$BODY" != *'<script'* ]]
    done
    for src in $(grep -o 'src="/p/evil/b/[^"]*"' "$T/body" | sed 's/^src="//; s/"$//; s/&amp;/\&/g'); do
        page "$src"
        [ "$STATUS" = 200 ]
        xml_ok
    done
    serve_stop
    # nothing ran: not in the test folder, the server's folder or /tmp
    [ -z "$(find "$T" /tmp -maxdepth 2 -name 'pwned*' 2>/dev/null)" ]
}

@test "a page view with no new chart data starts no gnuplot" {
    history_db
    serve_start
    page /p/acme
    page /p/acme/b/bench-0000
    before=$(gnuplot_runs)
    [ "$before" -ge 1 ]
    page /p/acme
    page /p/acme/b/bench-0000
    page "/p/acme/b/bench-0000/spark.svg?metric=time&branch=main"
    [ "$(gnuplot_runs)" -eq "$before" ]
    # another project's upload invalidates the page cache, not acme's charts
    "$SYNTH" 7 2 10 0 0.01 > "$T/other.json"
    bg collect -q --db "$DB" --project other "$T/other.json"
    page /p/acme
    page /p/acme/b/bench-0000
    [ "$(gnuplot_runs)" -eq "$before" ]
    # new data for acme: its page draws the changed sparklines in one gnuplot run
    "$SYNTH" 21 4 20 0.3 0.01 1 > "$T/run.json"
    bg collect -q --db "$DB" --project acme --branch main --commit c000021 "$T/run.json"
    page /p/acme
    [ "$(gnuplot_runs)" -eq $((before + 1)) ]
    serve_stop
}

@test "without gnuplot the pages work and say charts are unavailable" {
    history_db
    serve_start --gnuplot "$T/no-such-gnuplot"
    grep -q 'pages will have no charts' "$T/serve.err"
    page /p/acme/b/bench-0000
    [ "$STATUS" = 200 ] && [[ "$BODY" == *'charts are unavailable'* ]] && [[ "$BODY" == *'<h2>Runs</h2>'* ]]
    page /p/acme
    [ "$STATUS" = 200 ] && [[ "$BODY" == *'charts are unavailable'* ]]
    page "/p/acme/b/bench-0000/spark.svg"
    [ "$STATUS" = 503 ]
    serve_stop
}

@test "a gnuplot that hangs is stopped at --chart-timeout and the page still answers" {
    history_db
    cat > "$T/slow-gnuplot" <<'SH'
#!/bin/sh
[ "$1" = --version ] && exec gnuplot --version
exec sleep 60
SH
    chmod +x "$T/slow-gnuplot"
    serve_start --gnuplot "$T/slow-gnuplot" --chart-timeout 1
    start=$SECONDS
    page /p/acme/b/bench-0000
    [ $((SECONDS - start)) -le 5 ]
    [ "$STATUS" = 200 ] && [[ "$BODY" == *'took too long'* ]]
    grep -q 'took too long and was stopped' "$T/serve.err"
    ! pgrep -f 'sleep 60' -P "$SERVER_PID"
    serve_stop
}

@test "a page drawn while gnuplot failed is not kept: once gnuplot works, the chart is there" {
    history_db
    # a gnuplot that fails while $T/down exists
    cat > "$T/flaky-gnuplot" <<SH
#!/bin/sh
[ "\$1" = --version ] && exec gnuplot --version
[ -e "$T/down" ] && exit 1
exec gnuplot "\$@"
SH
    chmod +x "$T/flaky-gnuplot"
    touch "$T/down"
    serve_start --gnuplot "$T/flaky-gnuplot"
    # (one assertion a line: in an && list only the last one fails a bats test)
    page /p/acme/b/bench-0000
    [ "$STATUS" = 200 ]
    [[ "$BODY" == *'could not be drawn'* ]]
    [[ "$BODY" != *'<svg'* ]]
    page /p/acme
    [ "$STATUS" = 200 ]
    [[ "$BODY" == *'could not be drawn'* ]]
    rm "$T/down"
    # nothing was uploaded since: the same pages, now with their charts
    page /p/acme/b/bench-0000
    [ "$STATUS" = 200 ]
    [[ "$BODY" == *'<svg'* ]]
    [[ "$BODY" != *'could not be drawn'* ]]
    page /p/acme
    [ "$STATUS" = 200 ]
    [[ "$BODY" == *'spark.svg'* ]]
    [[ "$BODY" != *'could not be drawn'* ]]
    serve_stop
}

@test "no more than --chart-procs gnuplot processes run at once" {
    history_db
    cat > "$T/logging-gnuplot" <<SH
#!/bin/sh
[ "\$1" = --version ] && exec gnuplot --version
echo "+1 \$(date +%s.%N)" >> "$T/procs.log"
sleep 0.3
gnuplot "\$@"; rc=\$?
echo "-1 \$(date +%s.%N)" >> "$T/procs.log"
exit \$rc
SH
    chmod +x "$T/logging-gnuplot"
    # five workers: four reads may compute at once, one worker stays free
    serve_start --gnuplot "$T/logging-gnuplot" --chart-procs 1 --threads 5
    pids=()
    for b in 0 1 2 3; do
        curl -sS --max-time 30 -o /dev/null "$URL/p/acme/b/bench-000$b" &
        pids+=($!)
    done
    wait "${pids[@]}" # not a bare wait: that would wait for the server too
    [ "$(grep -c '^+1' "$T/procs.log")" -eq 4 ]
    max=$(sort -k2 -n "$T/procs.log" | awk '{ n += $1; if (n > m) m = n } END { print m }')
    [ "$max" -eq 1 ]
    serve_stop
}

@test "a private server's pages ask the browser for a token" {
    history_db
    tok=$(token acme)
    bg token create --project other --db "$DB" > /dev/null
    serve_start --private
    run curl -sS --max-time 10 -D - -o /dev/null "$URL/p/acme"
    [[ "$output" == *"401"* ]] && [[ "$output" == *'WWW-Authenticate: Basic realm="benchgate"'* ]]
    page /
    [ "$STATUS" = 401 ] && [[ "$TYPE" == text/html* ]]
    [ "$(curl -sS --max-time 30 -u "anyone:$tok" -o "$T/body" -w '%{http_code}' "$URL/p/acme")" = 200 ]
    [ "$(curl -sS --max-time 30 -u "anyone:$tok" -o "$T/body" -w '%{http_code}' "$URL/")" = 200 ]
    grep -q '/p/acme' "$T/body"
    [ "$(curl -sS --max-time 30 -u "anyone:bg_nope" -o /dev/null -w '%{http_code}' "$URL/p/acme")" = 401 ]
    serve_stop
}
