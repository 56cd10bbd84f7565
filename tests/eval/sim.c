/* sim.c: seeded runs under CI noise (see sim.h). */
#include "core/bg.h"
#include "tests/eval/sim.h"
#include "core/stats.h"

#include <math.h>

static double uniform(uint64_t *s) /* in (0, 1) */
{
    return ((double)(stats_splitmix64(s) >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(uint64_t *s)
{
    return sqrt(-2.0 * log(uniform(s))) * cos(6.283185307179586 * uniform(s));
}

static double between(uint64_t *s, double lo, double hi)
{
    return lo + (hi - lo) * uniform(s);
}

struct bench {
    double level, within, drift;
};

static void make_run(const struct sim_profile *p, const struct sim_change *c,
                     const struct sim_setup *s, const struct bench *b, uint64_t *rng,
                     bool current, int64_t id, struct bg_run *run)
{
    double machine = p->machine_two_point ? (uniform(rng) < 0.5 ? -1.0 : 1.0) * p->machine_sd
                                          : p->machine_sd * normal(rng);
    struct bg_diag d = { 0 };
    char name[32];

    bg_run_init(run);
    run->id = id;
    run->timestamp = 1700000000 + id * 3600;
    bg_set_str(&run->project, "sim");
    bg_set_str(&run->branch, current ? "pr" : "main");
    for (size_t i = 0; i < s->n_bench; i++) {
        bool shifted = current && i < c->n_shifted;
        double level = b[i].level * exp(machine + b[i].drift * normal(rng));
        struct bg_result *res;

        if (uniform(rng) < p->hiccup_rate)
            level *= 1.0 + p->hiccup_size;
        if (current)
            level *= c->suite;
        if (shifted)
            level *= c->location;
        snprintf(name, sizeof(name), "bench-%04zu", i);
        res = bg_run_add_result(run, name, "time", "ns", BG_DIR_LOWER);
        for (size_t j = 0; j < s->n_samples; j++) {
            double v = level * exp(b[i].within * normal(rng));

            if (uniform(rng) < p->outlier_rate)
                v *= between(rng, p->outlier_lo, p->outlier_hi);
            if (shifted && uniform(rng) < c->tail_share)
                v *= c->tail_mult;
            bg_result_add_sample(res, v);
        }
    }
    if (bg_run_finish(run, "sim", &d) < 0) {
        fprintf(stderr, "sim: %s\n", d.msg);
        exit(2);
    }
    if (s->summaries) {
        for (size_t i = 0; i < run->n_results; i++) {
            struct bg_result *res = &run->results[i];

            res->summary_only = true;
            res->sum.median = res->sum.p95 = NAN; /* Catch2-like: mean and stddev only */
            free(res->samples);
            res->samples = NULL;
            res->n_samples = res->cap_samples = 0;
        }
    }
}

void sim_trial(const struct sim_profile *p, const struct sim_change *c,
               const struct sim_setup *s, uint64_t seed, struct bg_run *history,
               struct bg_run *current)
{
    uint64_t mix = seed, rng = stats_splitmix64(&mix); /* seeds 1, 2, ... start far apart */
    struct bench *b = bg_xmalloc((s->n_bench + 1) * sizeof(*b));

    for (size_t i = 0; i < s->n_bench; i++) {
        b[i].level = 1e5 * (double)(1 + i % 7);
        b[i].within = between(&rng, p->within_lo, p->within_hi);
        b[i].drift = between(&rng, p->drift_lo, p->drift_hi);
    }
    for (size_t r = 0; r < s->k; r++) /* newest first, as the gate takes them */
        make_run(p, c, s, b, &rng, false, (int64_t)(s->k - r), &history[r]);
    make_run(p, c, s, b, &rng, true, (int64_t)s->k + 1, current);
    free(b);
}
