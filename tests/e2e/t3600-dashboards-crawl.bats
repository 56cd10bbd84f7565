#!/usr/bin/env bats
# Everything links: a crawl of every link (anchors, images, stylesheet, feed)
# of the dashboards of a demo-sized project and of a 300-benchmark x 200-run
# one finds no 404 and no other error; a browser's wrong address is a page.

load helper
load server

CRAWL=$BATS_TEST_DIRNAME/../tools/crawl.py

# crawled KIND: how many answers of that content type the crawl counted
crawled() {
    sed -n "s|.*200 $1 \([0-9]*\).*|\1|p" <<<"$output"
}

@test "a crawl of every link of the demo project finds no 404" {
    demo_db
    serve_start
    run python3 "$CRAWL" "$URL" /
    echo "$output"
    [ "$status" -eq 0 ]
    # every page type was reached: index, project, benchmarks, runs, alerts, the feed
    [ "$(crawled text/html)" -ge 30 ]
    [ "$(crawled image/svg+xml)" -ge 9 ]
    [ "$(crawled application/atom+xml)" -eq 1 ]
    [ "$(crawled text/css)" -eq 1 ]
    serve_stop
}

@test "a crawl of every link of a 300 x 200 project finds no 404" {
    big_project 200 300
    serve_start
    run python3 "$CRAWL" "$URL" / --seconds $((${TEST_TIMEOUT:-300} * 2 / 3))
    echo "$output"
    [ "$status" -eq 0 ]
    # 300 benchmark pages, 200 run pages, 6 project pages, 4 runs pages, alerts...
    [ "$(crawled text/html)" -ge 510 ]
    # 300 sparklines, and the wide and narrow chart of each benchmark
    [ "$(crawled image/svg+xml)" -ge 900 ]
    serve_stop
}

@test "a browser's unknown address is an HTML page; the API's stays JSON" {
    demo_db
    serve_start
    code=$(curl -sS --max-time 10 -H 'Accept: text/html,*/*' -o "$T/body" -w '%{http_code} %{content_type}' "$URL/p/demo/nope")
    [ "$code" = '404 text/html; charset=utf-8' ]
    grep -q '<a href="/">All projects</a>' "$T/body"
    code=$(curl -sS --max-time 10 -H 'Accept: text/html' -o "$T/body" -w '%{http_code} %{content_type}' "$URL/api/v1/nope")
    [ "$code" = '404 application/json' ]
    code=$(curl -sS --max-time 10 -o "$T/body" -w '%{http_code} %{content_type}' "$URL/nope")
    [ "$code" = '404 application/json' ]
    serve_stop
}
