/* metrics.c: request, upload and latency counters (see metrics.h). */
#include "core/bg.h"
#include "server/metrics.h"
#include "server/cache.h"
#include "server/chart.h"

#include <stdatomic.h>

/* Statuses the server sends; anything else is counted as "other". */
static const int codes[] = { 200, 201, 400, 401, 403, 404, 405, 409, 413, 414, 431, 500,
                             501, 503, 505 };
/* Latency histogram bucket bounds, seconds. */
static const double bounds[] = { 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5 };

static atomic_ulong by_code[ARRAY_SIZE(codes) + 1];
static atomic_ulong buckets[ARRAY_SIZE(bounds) + 1]; /* non-cumulative; last is +Inf */
static atomic_ulong latency_us_sum;
static atomic_ulong uploads_stored, uploads_refused;
static atomic_ulong cache_hits, cache_misses;
static atomic_long in_flight;
static atomic_ulong heads_cut;

void metrics_connection_cut(void)
{
    atomic_fetch_add_explicit(&heads_cut, 1, memory_order_relaxed);
}

void metrics_request(int status, double seconds)
{
    size_t c = 0, b = 0;

    while (c < ARRAY_SIZE(codes) && codes[c] != status)
        c++;
    while (b < ARRAY_SIZE(bounds) && seconds > bounds[b])
        b++;
    atomic_fetch_add_explicit(&by_code[c], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&latency_us_sum, (unsigned long)(seconds * 1e6),
                              memory_order_relaxed);
}

void metrics_upload(bool stored)
{
    atomic_fetch_add_explicit(stored ? &uploads_stored : &uploads_refused, 1,
                              memory_order_relaxed);
}

void metrics_cache(bool hit)
{
    atomic_fetch_add_explicit(hit ? &cache_hits : &cache_misses, 1, memory_order_relaxed);
}

void metrics_in_flight(int delta)
{
    atomic_fetch_add(&in_flight, delta);
}

long metrics_in_flight_now(void)
{
    return atomic_load(&in_flight);
}

void metrics_render(struct bg_buf *b)
{
    struct chart_stats charts;
    struct cache_stats cs;
    unsigned long cumulative = 0;

    bg_buf_adds(b, "# HELP benchgate_http_requests_total HTTP requests answered, by status.\n"
                   "# TYPE benchgate_http_requests_total counter\n");
    for (size_t i = 0; i <= ARRAY_SIZE(codes); i++) {
        unsigned long n = atomic_load_explicit(&by_code[i], memory_order_relaxed);

        if (i < ARRAY_SIZE(codes))
            bg_buf_addf(b, "benchgate_http_requests_total{code=\"%d\"} %lu\n", codes[i], n);
        else
            bg_buf_addf(b, "benchgate_http_requests_total{code=\"other\"} %lu\n", n);
    }
    bg_buf_adds(b, "# HELP benchgate_http_errors_total Requests answered with a 4xx or 5xx status.\n"
                   "# TYPE benchgate_http_errors_total counter\n");
    {
        unsigned long errors = 0;

        for (size_t i = 0; i < ARRAY_SIZE(codes); i++) {
            if (codes[i] >= 400)
                errors += atomic_load_explicit(&by_code[i], memory_order_relaxed);
        }
        errors += atomic_load_explicit(&by_code[ARRAY_SIZE(codes)], memory_order_relaxed);
        bg_buf_addf(b, "benchgate_http_errors_total %lu\n", errors);
    }
    bg_buf_addf(b, "# HELP benchgate_uploads_total Runs uploaded, by outcome.\n"
                   "# TYPE benchgate_uploads_total counter\n"
                   "benchgate_uploads_total{outcome=\"stored\"} %lu\n"
                   "benchgate_uploads_total{outcome=\"refused\"} %lu\n",
                atomic_load(&uploads_stored), atomic_load(&uploads_refused));
    bg_buf_addf(b, "# HELP benchgate_cache_lookups_total Cacheable reads, by outcome.\n"
                   "# TYPE benchgate_cache_lookups_total counter\n"
                   "benchgate_cache_lookups_total{outcome=\"hit\"} %lu\n"
                   "benchgate_cache_lookups_total{outcome=\"miss\"} %lu\n",
                atomic_load(&cache_hits), atomic_load(&cache_misses));
    chart_stats(&charts);
    bg_buf_addf(b, "# HELP benchgate_gnuplot_runs_total gnuplot processes started.\n"
                   "# TYPE benchgate_gnuplot_runs_total counter\n"
                   "benchgate_gnuplot_runs_total %" PRIu64 "\n"
                   "# HELP benchgate_charts_total Charts asked for, by outcome.\n"
                   "# TYPE benchgate_charts_total counter\n"
                   "benchgate_charts_total{outcome=\"drawn\"} %" PRIu64 "\n"
                   "benchgate_charts_total{outcome=\"cached\"} %" PRIu64 "\n"
                   "benchgate_charts_total{outcome=\"failed\"} %" PRIu64 "\n"
                   "# HELP benchgate_gnuplot_running gnuplot processes running now.\n"
                   "# TYPE benchgate_gnuplot_running gauge\n"
                   "benchgate_gnuplot_running %ld\n",
                charts.runs, charts.charts_drawn, charts.cache_hits, charts.failures,
                charts.running);
    cache_stats(cache_charts, &cs);
    bg_buf_addf(b, "# HELP benchgate_chart_cache_entries Charts kept in the chart cache.\n"
                   "# TYPE benchgate_chart_cache_entries gauge\n"
                   "benchgate_chart_cache_entries %zu\n"
                   "# HELP benchgate_chart_cache_bytes Bytes of the charts kept.\n"
                   "# TYPE benchgate_chart_cache_bytes gauge\n"
                   "benchgate_chart_cache_bytes %zu\n"
                   "# HELP benchgate_chart_cache_evictions_total Charts pushed out to make room.\n"
                   "# TYPE benchgate_chart_cache_evictions_total counter\n"
                   "benchgate_chart_cache_evictions_total %" PRIu64 "\n",
                cs.entries, cs.bytes, cs.evictions);
    bg_buf_addf(b, "# HELP benchgate_slow_heads_total Connections closed for not sending a "
                   "whole request head within --head-timeout.\n"
                   "# TYPE benchgate_slow_heads_total counter\n"
                   "benchgate_slow_heads_total %lu\n", atomic_load(&heads_cut));
    bg_buf_addf(b, "# HELP benchgate_http_requests_in_flight Requests being handled now.\n"
                   "# TYPE benchgate_http_requests_in_flight gauge\n"
                   "benchgate_http_requests_in_flight %ld\n", atomic_load(&in_flight));
    bg_buf_adds(b, "# HELP benchgate_http_request_duration_seconds Time from the request's "
                   "headers to its answer.\n"
                   "# TYPE benchgate_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i <= ARRAY_SIZE(bounds); i++) {
        cumulative += atomic_load_explicit(&buckets[i], memory_order_relaxed);
        if (i < ARRAY_SIZE(bounds))
            bg_buf_addf(b, "benchgate_http_request_duration_seconds_bucket{le=\"%g\"} %lu\n",
                        bounds[i], cumulative);
        else
            bg_buf_addf(b, "benchgate_http_request_duration_seconds_bucket{le=\"+Inf\"} %lu\n",
                        cumulative);
    }
    bg_buf_addf(b, "benchgate_http_request_duration_seconds_sum %.6f\n"
                   "benchgate_http_request_duration_seconds_count %lu\n",
                (double)atomic_load(&latency_us_sum) / 1e6, cumulative);
}
