#!/usr/bin/env bats
# The dashboards of a real-sized project (300 benchmarks x 200 runs): the project
# page, a warm view that starts no gnuplot, alerts and their feed, charts, the runs
# list. Apart from t3300 so each file stays well inside its time bound.

load helper
load server
load dashboards

# rows: the benchmark names of the project page in $T/body, in order
rows() {
    grep -o '<tr class="r-[a-z]*"><td class="name"><a href="[^"]*">[^<]*' "$T/body" | sed 's/.*">//'
}

@test "the project page: failing first, then the biggest change, 50 a page, filters" {
    big_project 40 300
    serve_start
    page /p/big
    [ "$STATUS" = 200 ]
    # the three regressions of the newest run lead, though they are rows 4, 78 and 151 of it
    rows > "$T/rows"
    [ "$(wc -l < "$T/rows")" -eq 50 ]
    [ "$(head -n 3 "$T/rows" | sort | tr '\n' ' ')" = 'cache/case-077 net/case-003 parser/case-150 ' ]
    [ "$(grep -o '<tr class="r-[a-z]*"' "$T/body" | head -n 4 | sort | uniq -c | tr -s ' ')" = \
      ' 3 <tr class="r-regressed"
 1 <tr class="r-unchanged"' ]
    # then by the size of the change, largest first
    grep -o '<tr class="r-unchanged">.*</tr>' "$T/body" |
        sed -n 's|.*<td class="num[a-z ]*">\([+-][0-9.]*\)%</td>.*|\1|p' | tr -d '+-' > "$T/changes"
    [ "$(wc -l < "$T/changes")" -eq 47 ]
    sort -g -r "$T/changes" | cmp - "$T/changes"
    [[ "$BODY" == *'Benchmarks 1-50 of 300, 50 a page'* ]]
    [ "$(grep -o '<img class="spark"' "$T/body" | wc -l)" -eq 50 ]
    # the index and this page name the same run and count
    page /
    [[ "$BODY" == *'<span class="badge bad">3</span>'* ]]
    page /p/big
    [[ "$BODY" == *'run 40</a> of '* ]] && [[ "$BODY" == *'3 regressed,'* ]]
    # its baseline is the 10 runs before it; the run itself is no "newer run" of main
    [[ "$BODY" == *'runs 39 back to 30'* ]] && [[ "$BODY" != *'newer run'* ]]

    # pages: 6 of them, every row once
    for p in 2 3 4 5 6; do
        page "/p/big?page=$p"
        [ "$STATUS" = 200 ]
        rows >> "$T/rows"
    done
    [ "$(sort "$T/rows" | uniq | wc -l)" -eq 300 ]
    [[ "$BODY" == *'Benchmarks 251-300 of 300'* ]]
    page "/p/big?page=7"
    [ "$STATUS" = 404 ]

    # the name filter (a substring), server-side
    page "/p/big?q=case-07"
    rows > "$T/rows"
    [ "$(wc -l < "$T/rows")" -eq 10 ]
    ! grep -v 'case-07' "$T/rows"
    # failing only
    page "/p/big?failing=1"
    [ "$(rows | wc -l)" -eq 3 ]
    [ "$(grep -c '<tr class="r-regressed">' "$T/body")" -eq 3 ]
    # a prefix: the group's 50, with its one failure first
    [[ "$BODY" == *'<a href="/p/big?failing=1&amp;group=net">net</a>/</a>'* ]] ||
        [[ "$BODY" == *'group=net">net/</a>'* ]]
    page "/p/big?group=net"
    rows > "$T/rows"
    [ "$(wc -l < "$T/rows")" -eq 50 ]
    ! grep -v '^net/' "$T/rows"
    [ "$(head -n 1 "$T/rows")" = net/case-003 ]
    # all of them at once, with the form's empty fields
    page "/p/big?branch=&env=&q=&sort=name&group=net&failing=1"
    [ "$STATUS" = 200 ] && [ "$(rows)" = net/case-003 ]
    for q in "/p/big?page=0" "/p/big?failing=maybe" "/p/big?sort=worst" "/p/big?q=%01"; do
        page "$q"
        [ "$STATUS" = 400 ]
    done
    serve_stop
}

@test "a warm view of a 300-benchmark project starts no gnuplot and evicts no chart" {
    big_project 40 300
    serve_start
    # every page and every sparkline it links: one gnuplot run a page, the images cached
    view_all() {
        for p in 1 2 3 4 5 6; do
            page "/p/big?page=$p"
            [ "$STATUS" = 200 ]
            grep -o 'src="/p/big/b/[^"]*spark.svg[^"]*"' "$T/body" | sed 's/^src="//; s/"$//; s/&amp;/\&/g'
        done > "$T/sparks"
        [ "$(sort -u "$T/sparks" | wc -l)" -eq 300 ]
        while read -r src; do
            curl -sS --max-time 10 -o /dev/null -w '%{http_code}\n' "$URL$src"
        done < "$T/sparks" > "$T/codes"
        [ "$(grep -c '^200$' "$T/codes")" -eq 300 ]
    }
    view_all
    first=$(gnuplot_runs)
    [ "$first" -ge 1 ] && [ "$first" -le 6 ]
    for pass in 1 2 3; do
        # a run of another project: every cached page is stale, no chart is
        "$SYNTH" "$pass" 2 10 0 0.01 > "$T/other.json"
        bg collect -q --db "$DB" --project other --commit "e00000$pass" "$T/other.json"
        view_all
        [ "$(gnuplot_runs)" -eq "$first" ]
    done
    curl -sS --max-time 10 "$URL/metrics" > "$T/metrics"
    grep -qx 'benchgate_chart_cache_evictions_total 0' "$T/metrics"
    grep -qx 'benchgate_chart_cache_entries 300' "$T/metrics"
    serve_stop
}

@test "alerts: regressions and level shifts of the last runs, newest first, and their feed" {
    big_project 40 300
    serve_start
    page /p/big/alerts
    [ "$STATUS" = 200 ]
    grep -o '<li class="alert [a-z-]*"><a href="/p/big/runs/[0-9]*">run [0-9]*' "$T/body" |
        sed 's/.*"alert \([a-z-]*\)".*>run /\1 /' > "$T/alerts"
    # the newest run's three regressions, then the step of render/case-001 at run 25
    [ "$(head -n 3 "$T/alerts" | tr '\n' ' ')" = 'a-regressed 40 a-regressed 40 a-regressed 40 ' ]
    grep -q '^a-change 25$' "$T/alerts"
    grep -q 'href="/p/big/b/render%2Fcase-001?metric=time&amp;branch=main">render/case-001</a> <span class="verdict v-inconclusive">level shift +2[4-6]\.' "$T/body"
    # newest first throughout
    cut -d' ' -f2 "$T/alerts" | sort -n -r -s | cmp - <(cut -d' ' -f2 "$T/alerts")
    # a window that ends before the step has only what is in it
    page "/p/big/alerts?runs=10"
    ! grep -q 'a-change' "$T/body"
    [ "$(grep -c 'class="alert a-regressed"' "$T/body")" -eq 3 ]
    page "/p/big/alerts?runs=101"
    [ "$STATUS" = 400 ]

    # the feed: well-formed Atom with the same entries
    page /p/big/alerts.atom
    [ "$STATUS" = 200 ] && [[ "$TYPE" == application/atom+xml* ]]
    python3 - "$T/body" <<'PY'
import sys, xml.etree.ElementTree as E
A = "{http://www.w3.org/2005/Atom}"
feed = E.parse(sys.argv[1]).getroot()
assert feed.tag == A + "feed", feed.tag
for k in ("id", "title", "updated"):
    assert feed.find(A + k) is not None and feed.find(A + k).text, k
assert feed.find(A + "author/" + A + "name").text == "benchgate"
entries = feed.findall(A + "entry")
assert len(entries) >= 4, len(entries)
ids = [e.find(A + "id").text for e in entries]
assert len(set(ids)) == len(ids) and all(i.startswith("tag:benchgate,") for i in ids)
for e in entries:
    assert e.find(A + "updated").text.endswith("Z")
    assert e.find(A + "link").get("href").startswith("/p/big/b/")
assert "regressed" in entries[0].find(A + "title").text
PY
    serve_stop
}

@test "the feed and the alerts escape hostile names" {
    for i in $(seq 1 12); do
        shift=1.0
        [ "$i" -ge 8 ] && shift=1.5
        python3 - "$shift" > "$T/h.json" <<'PY'
import json, sys
s = float(sys.argv[1])
print(json.dumps({"results": [{"command": n, "times": [0.01 * s * (1 + 0.001 * k) for k in range(10)]}
                              for n in ['<script>x</script>', 'a&b"c\'d', ']]>&#0;']]}))
PY
        bg collect -q --db "$DB" --project 'evil<&>' --branch main --commit "$(printf 'f%06d' "$i")" \
            --timestamp $((1700000000 + 60 * i)) "$T/h.json"
    done
    serve_start
    page "/p/evil%3C%26%3E/alerts"
    [ "$STATUS" = 200 ]
    [[ "$BODY" != *'<script>'* ]] && [[ "$BODY" == *'&lt;script&gt;x&lt;/script&gt;'* ]]
    [ "$(grep -c 'class="alert a-change"' "$T/body")" -eq 3 ]
    page "/p/evil%3C%26%3E/alerts.atom"
    [ "$STATUS" = 200 ]
    python3 - "$T/body" <<'PY'
import sys, xml.etree.ElementTree as E
A = "{http://www.w3.org/2005/Atom}"
feed = E.parse(sys.argv[1]).getroot()
assert feed.find(A + "title").text == "benchgate alerts: evil<&> (main)"
# each name's level shift at run 8, and the regression check found there
titles = sorted(e.find(A + "title").text.split(":")[0] for e in feed.findall(A + "entry"))
assert sorted(set(titles)) == sorted(['<script>x</script>', 'a&b"c\'d', ']]>&#0;']), titles
PY
    serve_stop
}

@test "charts: unit on the y axis, threshold band, values on hover, one-run branch, base overlay" {
    history_db
    "$SYNTH" 99 4 20 0.5 0.01 2 > "$T/pr.json"
    bg collect -q --db "$DB" --project acme --branch feature/x --commit feeeee1 "$T/pr.json"
    serve_start
    page "/p/acme/b/bench-0002/chart.svg?branch=main"
    [ "$STATUS" = 200 ]
    xml_ok
    grep -q '>ms</text>' "$T/body"                      # the y axis's unit
    grep -q 'threshold' "$T/body"                        # the band, in the key
    [ "$(grep -c '<title>run [0-9]* c0000[0-9]*: p95 [0-9.]* ms</title>' "$T/body")" -eq 20 ]
    ! grep -q 'gnuplot_svg\|onmouse' "$T/body"           # no script is needed or named
    # a branch of one run: its baseline line is drawn, with the base branch's runs under it
    page "/p/acme/b/bench-0002/chart.svg?branch=feature%2Fx"
    [ "$STATUS" = 200 ]
    xml_ok
    grep -q 'baseline p95' "$T/body" && grep -q 'base branch p95' "$T/body"
    python3 - "$T/body" <<'PY'
import re, sys
svg = open(sys.argv[1]).read()
# the baseline's dotted line is drawn with a length, not a point
plot = svg.split("baseline p95")[1].split("</g>")[2]
xs = [float(x) for x in re.findall(r"M([0-9.]+),", plot) + re.findall(r"L([0-9.]+),", plot)]
assert xs and max(xs) - min(xs) > 100, xs
PY
    [ "$(grep -c '<title>run [0-9]* c0000[0-9]*:' "$T/body")" -eq 20 ] # the base branch's points
    [ "$(grep -c '<title>run [0-9]* feeeee1:' "$T/body")" -eq 1 ]
    # the page: the chart inline for hover, the narrow one for a phone, both from one run
    before=$(gnuplot_runs)
    page "/p/acme/b/bench-0003"
    [ "$(gnuplot_runs)" -eq $((before + 1)) ]
    src=$(grep -o 'class="chart-narrow"[^>]*src="[^"]*"' "$T/body" | sed 's/.*src="//; s/"$//; s/&amp;/\&/g')
    [[ "$src" == *'size=narrow'* ]]
    page "$src"
    [ "$STATUS" = 200 ] && xml_ok
    grep -q 'width="400" height="320"' "$T/body"
    [ "$(gnuplot_runs)" -eq $((before + 1)) ]
    page "/p/acme/b/bench-0003/chart.svg?size=huge"
    [ "$STATUS" = 400 ]
    # no chart names the server's temporary folder (gnuplot's name for an untitled plot)
    page "/p/acme/b/bench-0003/spark.svg"
    [ "$STATUS" = 200 ] && xml_ok
    ! grep -q 'benchgate-chart\|\.dat' "$T/body"
    page "/p/acme/b/bench-0003/chart.svg"
    ! grep -q 'benchgate-chart\|\.dat' "$T/body"
    serve_stop
}

@test "runs list: a branch's runs newest first, a page at a time; runs link their baseline" {
    big_project 120 4
    serve_start
    page /p/big/runs
    [ "$STATUS" = 200 ]
    [ "$(grep -o '<tr><td><a href="/p/big/runs/[0-9]*">' "$T/body" | wc -l)" -eq 50 ]
    [ "$(grep -o '<tr><td><a href="/p/big/runs/[0-9]*">' "$T/body" | head -n 1)" = '<tr><td><a href="/p/big/runs/120">' ]
    next=$(grep -o '<a rel="next" href="[^"]*"' "$T/body" | sed 's/.*href="//; s/"$//; s/&amp;/\&/g')
    [ "$next" = '/p/big/runs?branch=main&before=71' ]
    page "$next"
    [ "$(grep -o '<tr><td><a href="/p/big/runs/[0-9]*">' "$T/body" | head -n 1)" = '<tr><td><a href="/p/big/runs/70">' ]
    next=$(grep -o '<a rel="next" href="[^"]*"' "$T/body" | sed 's/.*href="//; s/"$//; s/&amp;/\&/g')
    page "$next"
    [ "$(grep -o '<tr><td><a href="/p/big/runs/[0-9]*">' "$T/body" | wc -l)" -eq 20 ]
    ! grep -q 'rel="next"' "$T/body"
    # a run names each run of its baseline, and its branch's list
    page /p/big/runs/120
    [[ "$BODY" == *'Baseline runs: <a href="/p/big/runs/119">119</a>, <a href="/p/big/runs/118">118</a>'* ]]
    [[ "$BODY" == *'<a href="/p/big/runs?branch=main">All runs of branch main</a>'* ]]
    # a benchmark page links back to its project
    page "/p/big/b/parser%2Fcase-000"
    [[ "$BODY" == *'<a href="/p/big">All benchmarks of the project</a>'* ]]
    serve_stop
}
