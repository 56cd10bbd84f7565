/* compare.c: matching results across two runs and judging each pair. */
#include "core/bg.h"
#include "gate/compare.h"
#include "gate/config.h"
#include "gate/significance.h"

#include <math.h>

double gate_p95(const struct bg_result *res, double *scratch)
{
    if (res->n_samples == 0)
        return res->sum.p95;
    memcpy(scratch, res->samples, res->n_samples * sizeof(*scratch));
    return stats_quantile(scratch, res->n_samples, 0.95);
}

bool gate_needs_mean(const struct bg_result *res)
{
    return res->n_samples == 0 && isnan(res->sum.p95);
}

/* The value a lone (new or missing) result is shown with. */
static double lone_value(const struct bg_result *res, double *scratch, const char **stat)
{
    *stat = gate_needs_mean(res) ? "mean" : "p95";
    return gate_needs_mean(res) ? res->sum.mean : gate_p95(res, scratch);
}

static size_t max_samples(const struct bg_run *run)
{
    size_t n = 0;

    for (size_t i = 0; run != NULL && i < run->n_results; i++) {
        if (run->results[i].n_samples > n)
            n = run->results[i].n_samples;
    }
    return n;
}

/* The configuration's say on a row: its threshold and direction, or that it
 * is ignored (returns true). */
static bool apply_config(struct gate_row *row, const struct gate_opts *opts,
                         enum bg_direction *dir)
{
    const struct bg_result *res = row->cur != NULL ? row->cur : row->base;
    const struct gate_rule *rule = gate_config_match(opts->config, res->name, res->metric);

    row->threshold = rule != NULL && !isnan(rule->threshold) ? rule->threshold : opts->threshold;
    *dir = rule != NULL && rule->direction >= 0 ? (enum bg_direction)rule->direction
                                                : res->direction;
    return rule != NULL && rule->ignore;
}

/*
 * The change, its bootstrap interval, and (with enough samples on both
 * sides) the rank test's p. The verdict set here is the threshold's alone;
 * settle() revisits tested rows once Holm has adjusted every p.
 */
/* Scratch space for one row: both sides' samples, sorted once and shared by
 * the p95, the rank test and the bootstrap. */
struct row_scratch {
    double *base, *cur;
    struct sig_cache cache;
};

static void judge(struct gate_row *row, const struct gate_opts *opts, enum bg_direction dir,
                  struct row_scratch *s)
{
    const struct bg_result *b = row->base, *c = row->cur;
    bool samples = b->n_samples > 0 && c->n_samples > 0;

    if (samples && strcmp(row->stat, "p95") == 0) {
        memcpy(s->base, b->samples, b->n_samples * sizeof(*s->base));
        memcpy(s->cur, c->samples, c->n_samples * sizeof(*s->cur));
        stats_sort(s->base, b->n_samples);
        stats_sort(s->cur, c->n_samples);
        row->base_p95 = stats_quantile_sorted(s->base, b->n_samples, 0.95);
        row->cur_p95 = stats_quantile_sorted(s->cur, c->n_samples, 0.95);
    } else if (strcmp(row->stat, "p95") == 0) {
        /* a side without samples (pruned by the store): its stored p95 */
        row->base_p95 = gate_p95(b, s->base);
        row->cur_p95 = gate_p95(c, s->cur);
    }
    row->change = bg_change(row->base_p95, row->cur_p95, dir);
    row->low_confidence = !samples || b->n_samples < opts->min_samples ||
                          c->n_samples < opts->min_samples;
    if (samples && strcmp(row->stat, "p95") == 0) {
        if (opts->resamples > 0)
            sig_bootstrap_change(s->base, b->n_samples, s->cur, c->n_samples, dir,
                                 opts->resamples, sig_seed(opts->seed, c->name, c->metric), 0.95,
                                 &row->ci_lo, &row->ci_hi);
        if (!row->low_confidence)
            row->p = sig_mann_whitney(s->base, b->n_samples, s->cur, c->n_samples, &s->cache,
                                      NULL);
    } else if (!row->low_confidence) {
        row->p = sig_mann_whitney(b->samples, b->n_samples, c->samples, c->n_samples,
                                  &s->cache, NULL);
    }
    if (row->change > row->threshold)
        row->verdict = GATE_REGRESSED;
    else if (row->change < -row->threshold)
        row->verdict = GATE_IMPROVED;
    else
        row->verdict = GATE_UNCHANGED;
}

/* Holm across every tested row; a change past the threshold that the
 * corrected test does not back is inconclusive. Returns the family size. */
static size_t settle(struct gate_report *out)
{
    double *p = bg_xmalloc((out->n_rows + 1) * sizeof(*p));
    double *adj = bg_xmalloc((out->n_rows + 1) * sizeof(*adj));
    size_t family;

    for (size_t i = 0; i < out->n_rows; i++)
        p[i] = out->rows[i].p;
    family = sig_holm(p, out->n_rows, adj);
    for (size_t i = 0; i < out->n_rows; i++) {
        struct gate_row *row = &out->rows[i];

        row->p_holm = adj[i];
        if (isnan(row->p) || row->verdict == GATE_UNCHANGED)
            continue;
        if (!(row->p_holm <= out->opts.alpha))
            row->verdict = GATE_INCONCLUSIVE;
    }
    free(adj);
    free(p);
    return family;
}

void gate_compare(const struct bg_run *base, const struct bg_run *cur,
                  const struct gate_opts *opts, struct gate_report *out)
{
    size_t nb = base != NULL ? base->n_results : 0, ms;
    const struct bg_result **sorted = bg_xmalloc((nb + 1) * sizeof(*sorted));
    bool *matched = bg_xcalloc(nb + 1, sizeof(*matched));
    struct row_scratch rs = { NULL, NULL, { 0 } };
    double *scratch;

    memset(out, 0, sizeof(*out));
    out->base = base;
    out->cur = cur;
    out->opts = *opts;
    out->rows = bg_xcalloc(cur->n_results + nb + 1, sizeof(*out->rows));
    ms = max_samples(base) > max_samples(cur) ? max_samples(base) : max_samples(cur);
    scratch = bg_xmalloc((ms + 1) * sizeof(*scratch));
    rs.base = bg_xmalloc((ms + 1) * sizeof(*rs.base));
    rs.cur = bg_xmalloc((ms + 1) * sizeof(*rs.cur));

    for (size_t i = 0; i < nb; i++)
        sorted[i] = &base->results[i];
    qsort(sorted, nb, sizeof(*sorted), bg_result_ptr_cmp);

    for (size_t i = 0; i < cur->n_results; i++) {
        const struct bg_result *c = &cur->results[i], *key = c, **hit;
        struct gate_row *row = &out->rows[out->n_rows++];
        enum bg_direction dir;

        hit = nb > 0 ? bsearch(&key, sorted, nb, sizeof(*sorted), bg_result_ptr_cmp) : NULL;
        row->cur = c;
        row->base_p95 = NAN;
        row->change = row->ci_lo = row->ci_hi = row->p = row->p_holm = NAN;
        if (hit != NULL) {
            row->base = *hit;
            matched[*hit - base->results] = true;
        }
        if (apply_config(row, opts, &dir)) {
            row->cur_p95 = lone_value(c, scratch, &row->stat);
            if (hit != NULL)
                row->base_p95 = lone_value(*hit, scratch, &row->stat);
            row->verdict = GATE_IGNORED;
        } else if (hit == NULL) {
            row->cur_p95 = lone_value(c, scratch, &row->stat);
            row->verdict = GATE_NEW;
        } else if (gate_needs_mean(c) || gate_needs_mean(*hit)) {
            row->stat = "mean"; /* like with like: both sides on the mean */
            row->cur_p95 = c->sum.mean;
            row->base_p95 = (*hit)->sum.mean;
            judge(row, opts, dir, &rs);
        } else {
            row->stat = "p95"; /* judge() computes both from the sorted samples */
            judge(row, opts, dir, &rs);
        }
    }
    for (size_t i = 0; i < nb; i++) {
        struct gate_row *row;

        if (matched[i])
            continue;
        enum bg_direction dir;

        row = &out->rows[out->n_rows++];
        row->base = &base->results[i];
        row->base_p95 = lone_value(row->base, scratch, &row->stat);
        row->cur_p95 = NAN;
        row->change = row->ci_lo = row->ci_hi = row->p = row->p_holm = NAN;
        row->verdict = apply_config(row, opts, &dir) ? GATE_IGNORED : GATE_MISSING;
    }
    out->n_tested = settle(out);
    for (size_t i = 0; i < out->n_rows; i++)
        out->count[out->rows[i].verdict]++;
    sig_cache_release(&rs.cache);
    free(rs.base);
    free(rs.cur);
    free(scratch);
    free(matched);
    free(sorted);
}

const char *gate_low_confidence_why(const struct gate_row *row)
{
    const struct bg_result *side[] = { row->base, row->cur };

    if (strcmp(row->stat, "mean") == 0)
        return "summary only, on the mean";
    for (size_t i = 0; i < ARRAY_SIZE(side); i++) {
        if (side[i] != NULL && side[i]->pruned && side[i]->n_samples == 0)
            return "samples pruned, on the stored p95";
    }
    return "few samples";
}

void gate_report_release(struct gate_report *r)
{
    free(r->rows);
    memset(r, 0, sizeof(*r));
}

bool gate_row_fails(const struct gate_report *r, const struct gate_row *row)
{
    switch (row->verdict) {
    case GATE_REGRESSED:
        return true;
    case GATE_INCONCLUSIVE:
        return r->opts.fail_on_inconclusive && row->change > 0; /* only slowdowns */
    case GATE_MISSING:
        return r->opts.fail_on_missing;
    default:
        return false;
    }
}

size_t gate_n_failing(const struct gate_report *r)
{
    size_t n = 0;

    for (size_t i = 0; i < r->n_rows; i++)
        n += gate_row_fails(r, &r->rows[i]);
    return n;
}

bool gate_failed(const struct gate_report *r)
{
    return gate_n_failing(r) > 0;
}

const char *gate_verdict_name(enum gate_verdict v)
{
    switch (v) {
    case GATE_UNCHANGED:
        return "unchanged";
    case GATE_IMPROVED:
        return "improved";
    case GATE_REGRESSED:
        return "regressed";
    case GATE_INCONCLUSIVE:
        return "inconclusive";
    case GATE_NEW:
        return "new";
    case GATE_MISSING:
        return "missing";
    case GATE_IGNORED:
        return "ignored";
    case GATE_N_VERDICTS:
        break;
    }
    return "?";
}
