# dashboards.bash: what the dashboard test files (t3300, t3310) share: a
# history to draw, and reading pages, SVGs and the gnuplot counter.

# 20 runs of 4 synthetic benchmarks on main; bench-0000 steps up 30% from run 9.
# Commits are c000001..c000020, one hour apart.
history_db() {
    for i in $(seq 1 20); do
        shift=0
        [ "$i" -ge 9 ] && shift=0.3 # a step before the 10 runs a check compares with
        "$SYNTH" "$i" 4 20 "$shift" 0.01 1 > "$T/run.json"
        bg collect -q --db "$DB" --project acme --branch main \
            --commit "$(printf 'c%06d' "$i")" --timestamp $((1700000000 + 3600 * i)) \
            "$T/run.json"
    done
}

# page PATH: GET into BODY/STATUS and the content type into TYPE.
page() {
    TYPE=$(curl -sS --max-time 30 -o "$T/body" -w '%{content_type}' "$URL$1")
    STATUS=$(curl -sS --max-time 30 -o "$T/body" -w '%{http_code}' "$URL$1")
    BODY=$(cat "$T/body")
}

# xml_ok: $T/body is well-formed XML (an SVG document).
xml_ok() {
    python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$T/body"
}

# gnuplot_runs: the server's count of gnuplot processes started.
gnuplot_runs() {
    curl -sS --max-time 10 "$URL/metrics" | sed -n 's/^benchgate_gnuplot_runs_total //p'
}
