/*
 * report_json.c: the gate's verdict as a JSON document
 * (schemas/verdict.schema.json), for scripts and the server's API.
 *
 * Written by hand through core/json.c, so that strings are escaped and
 * numbers round-trip; a change JSON cannot hold (no baseline value, or an
 * infinite one) is null, with change_display saying what it was.
 */
#include "core/bg.h"
#include "gate/report.h"
#include "core/json.h"

#include <math.h>

#define VERDICT_VERSION 1

static void str(struct bg_buf *b, const char *s)
{
    if (s == NULL)
        bg_buf_adds(b, "null");
    else
        bg_json_add_string(b, s);
}

static void run_object(struct bg_buf *b, const struct bg_run *run)
{
    bg_buf_adds(b, "{\"run_id\": ");
    if (run->id != 0)
        bg_buf_addf(b, "%" PRId64, run->id);
    else
        bg_buf_adds(b, "null");
    bg_buf_adds(b, ", \"branch\": ");
    str(b, run->branch);
    bg_buf_adds(b, ", \"commit\": ");
    str(b, run->commit);
    bg_buf_addf(b, ", \"timestamp\": %" PRId64 ", \"fingerprint\": ", run->timestamp);
    str(b, run->env.fingerprint[0] != '\0' ? run->env.fingerprint : NULL);
    bg_buf_adds(b, "}");
}

static void side(struct bg_buf *b, const struct bg_result *res, double value)
{
    if (res == NULL) {
        bg_buf_adds(b, "null");
        return;
    }
    bg_buf_adds(b, "{\"value\": ");
    bg_json_add_number(b, value);
    /* a result the server thinned (its sample budget): every sample's count, and how
     * many of them the tests read */
    if (res->n_samples > 0 && res->sum.n > res->n_samples)
        bg_buf_addf(b, ", \"n\": %zu, \"samples_read\": %zu", res->sum.n, res->n_samples);
    else
        bg_buf_addf(b, ", \"n\": %zu", res->n_samples);
    bg_buf_addf(b, ", \"summary_only\": %s}", res->summary_only ? "true" : "false");
}

static void interval(struct bg_buf *b, double lo, double hi)
{
    if (isnan(lo)) {
        bg_buf_adds(b, "null");
        return;
    }
    bg_buf_adds(b, "[");
    bg_json_add_number(b, lo);
    bg_buf_adds(b, ", ");
    bg_json_add_number(b, hi);
    bg_buf_adds(b, "]");
}

static void low_reasons(struct bg_buf *b, unsigned low)
{
    static const struct {
        unsigned bit;
        const char *name;
    } reasons[] = {
        { GATE_LOW_SAMPLES, "few_samples" },
        { GATE_LOW_SUMMARY, "summaries_only" },
        { GATE_LOW_HISTORY, "short_history" },
        { GATE_LOW_PRUNED, "samples_pruned" },
    };
    size_t k = 0;

    bg_buf_adds(b, "[");
    for (size_t i = 0; i < ARRAY_SIZE(reasons); i++) {
        if (low & reasons[i].bit)
            bg_buf_addf(b, "%s\"%s\"", k++ > 0 ? ", " : "", reasons[i].name);
    }
    bg_buf_adds(b, "]");
}

static void row_object(struct bg_buf *b, const struct gate_report *r, const struct gate_row *row)
{
    const struct bg_result *res = row->cur != NULL ? row->cur : row->base;
    char change[32];

    report_format_change(change, sizeof(change), row->change);
    bg_buf_adds(b, "    {\"name\": ");
    str(b, res->name);
    bg_buf_adds(b, ", \"metric\": ");
    str(b, res->metric);
    bg_buf_adds(b, ", \"unit\": ");
    str(b, res->unit);
    bg_buf_addf(b, ", \"direction\": \"%s\", \"statistic\": \"%s\",\n     \"baseline\": ",
                res->direction == BG_DIR_HIGHER ? "higher" : "lower", row->stat);
    side(b, row->base, row->base_p95);
    bg_buf_adds(b, ", \"current\": ");
    side(b, row->cur, row->cur_p95);
    bg_buf_adds(b, ",\n     \"change\": ");
    bg_json_add_number(b, row->change);
    bg_buf_adds(b, ", \"change_display\": ");
    str(b, change);
    bg_buf_adds(b, ", \"ci95\": ");
    interval(b, row->ci_lo, row->ci_hi);
    bg_buf_adds(b, ", \"p\": ");
    bg_json_add_number(b, row->p);
    bg_buf_adds(b, ", \"p_holm\": ");
    bg_json_add_number(b, row->p_holm);
    bg_buf_adds(b, ", \"threshold\": ");
    bg_json_add_number(b, row->threshold);
    bg_buf_addf(b, ",\n     \"verdict\": \"%s\", \"low_confidence\": %s, \"fails_gate\": %s",
                gate_verdict_name(row->verdict), row->low_confidence ? "true" : "false",
                gate_row_fails(r, row) ? "true" : "false");
    bg_buf_adds(b, ",\n     \"adjusted_change\": ");
    bg_json_add_number(b, row->adj_change);
    bg_buf_adds(b, ", \"location_change\": ");
    bg_json_add_number(b, row->location_change);
    bg_buf_adds(b, ", \"evidence\": ");
    str(b, row->evidence);
    bg_buf_adds(b, ", \"noise\": ");
    bg_json_add_number(b, row->noise);
    bg_buf_adds(b, ", \"detectable\": ");
    bg_json_add_number(b, row->detectable);
    bg_buf_addf(b, ", \"ungateable\": %s, \"advice\": ", row->ungateable ? "true" : "false");
    str(b, row->advice);
    bg_buf_addf(b, ",\n     \"baseline_runs\": %u, \"current_runs\": %u, \"tail\": ", row->k,
                row->m);
    if (isnan(row->tail_level)) {
        bg_buf_adds(b, "null");
    } else {
        bg_buf_adds(b, "{\"level\": ");
        bg_json_add_number(b, row->tail_level);
        bg_buf_adds(b, ", \"expected\": ");
        bg_json_add_number(b, row->tail_expected);
        bg_buf_addf(b, ", \"observed\": %zu}", row->tail_observed);
    }
    bg_buf_adds(b, ", \"ci95_bootstrap\": ");
    interval(b, row->boot_lo, row->boot_hi);
    bg_buf_adds(b, ", \"low_confidence_reasons\": ");
    low_reasons(b, row->low);
    bg_buf_adds(b, "}");
}

/* The run-wide factors, then the opening of "results". */
static void suites(struct bg_buf *out, const struct gate_report *r)
{
    struct bg_buf text = BG_BUF_INIT;

    bg_buf_adds(out, "  \"suites\": [");
    for (size_t i = 0; i < r->n_suites; i++) {
        const struct gate_suite *s = &r->suites[i];

        bg_buf_reset(&text);
        report_suite(&text, r, s);
        bg_buf_adds(out, i > 0 ? ",\n    {\"metric\": " : "\n    {\"metric\": ");
        str(out, s->metric);
        bg_buf_addf(out, ", \"direction\": \"%s\", \"benchmarks\": %zu, \"change\": ",
                    s->direction == BG_DIR_HIGHER ? "higher" : "lower", s->n_rows);
        bg_json_add_number(out, s->change);
        bg_buf_adds(out, ", \"spread\": ");
        bg_json_add_number(out, s->spread);
        bg_buf_addf(out, ", \"spread_measured\": %s, \"p\": ", s->measured ? "true" : "false");
        bg_json_add_number(out, s->p_adj);
        bg_buf_addf(out, ", \"verdict\": \"%s\", \"fails_gate\": %s, \"summary\": ",
                    gate_verdict_name(s->verdict), gate_suite_fails(r, s) ? "true" : "false");
        str(out, text.data);
        bg_buf_adds(out, "}");
    }
    bg_buf_adds(out, r->n_suites > 0 ? "\n  ],\n  \"results\": [\n" : "],\n  \"results\": [\n");
    bg_buf_release(&text);
}

void report_json_buf(struct bg_buf *out, const struct gate_report *r)
{
    bg_buf_addf(out, "{\n  \"benchgate_verdict\": %d,\n  \"verdict\": \"%s\",\n  \"project\": ",
                VERDICT_VERSION, gate_failed(r) ? "fail" : "pass");
    str(out, r->cur->project);
    bg_buf_adds(out, ",\n  \"current\": ");
    run_object(out, r->cur);
    bg_buf_adds(out, ",\n  \"baseline\": ");
    if (r->base == NULL) {
        bg_buf_adds(out, "null");
    } else {
        run_object(out, r->base);
        out->len--; /* reopen the object to add why and warning */
        bg_buf_adds(out, ", \"why\": ");
        str(out, r->baseline_why);
        bg_buf_adds(out, ", \"warning\": ");
        str(out, r->baseline_warning != NULL && r->baseline_warning[0] != '\0'
                    ? r->baseline_warning : NULL);
        bg_buf_adds(out, ", \"runs\": [");
        for (size_t i = 0; i < r->n_base; i++)
            bg_buf_addf(out, "%s%" PRId64, i > 0 ? ", " : "", r->base_runs[i]->id);
        bg_buf_adds(out, "]}");
    }
    if (r->ab != NULL) {
        const struct gate_ab *ab = r->ab;

        bg_buf_addf(out, ",\n  \"ab\": {\"mode\": \"%s\", \"order\": \"%s\", \"seed\": %" PRIu64
                    ", \"rounds\": %zu, \"cpus\": ", ab->mode, ab->order, ab->seed, ab->rounds);
        str(out, ab->cpus);
        bg_buf_adds(out, ", \"kept\": ");
        str(out, ab->keep);
        bg_buf_adds(out, ", \"seconds\": ");
        bg_json_add_number(out, ab->seconds);
        bg_buf_adds(out, "}");
    }
    bg_buf_adds(out, ",\n  \"no_baseline\": ");
    if (r->base == NULL) {
        struct bg_buf nb = BG_BUF_INIT;

        report_no_baseline(&nb, r);
        str(out, nb.data);
        bg_buf_release(&nb);
    } else {
        bg_buf_adds(out, "null");
    }
    bg_buf_adds(out, ",\n  \"options\": {\"threshold\": ");
    bg_json_add_number(out, r->opts.threshold);
    bg_buf_adds(out, ", \"alpha\": ");
    bg_json_add_number(out, r->opts.alpha);
    bg_buf_adds(out, ", \"prior_spread\": ");
    bg_json_add_number(out, r->opts.prior_spread);
    bg_buf_addf(out, ", \"min_samples\": %zu, \"resamples\": %u, \"seed\": %" PRIu64
                ", \"fail_on_inconclusive\": %s, \"fail_on_missing\": %s},\n",
                r->opts.min_samples, r->opts.resamples, r->opts.seed,
                r->opts.fail_on_inconclusive ? "true" : "false",
                r->opts.fail_on_missing ? "true" : "false");
    bg_buf_addf(out, "  \"counts\": {\"regressed\": %zu, \"improved\": %zu, \"unchanged\": %zu, "
                "\"inconclusive\": %zu, \"new\": %zu, \"missing\": %zu, \"ignored\": %zu, "
                "\"failing\": %zu, \"tested\": %zu},\n",
                r->count[GATE_REGRESSED], r->count[GATE_IMPROVED], r->count[GATE_UNCHANGED],
                r->count[GATE_INCONCLUSIVE], r->count[GATE_NEW], r->count[GATE_MISSING],
                r->count[GATE_IGNORED], gate_n_failing(r), r->n_tested);
    suites(out, r);
    for (size_t i = 0; i < r->n_rows; i++) {
        row_object(out, r, &r->rows[i]);
        bg_buf_adds(out, i + 1 < r->n_rows ? ",\n" : "\n");
    }
    bg_buf_adds(out, "  ]\n}\n");
}

void report_json(FILE *out, const struct gate_report *r)
{
    struct bg_buf b = BG_BUF_INIT;

    report_json_buf(&b, r);
    fwrite(b.data, 1, b.len, out);
    bg_buf_release(&b);
}
