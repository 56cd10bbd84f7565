/* test_paired.c: benchgate ab's paired statistics, on cases with known answers
 * and on seeded simulations of rounds that share a machine. */
#include "tests/unit/harness.h"
#include "core/stats.h"
#include "gate/compare.h"
#include "gate/dist.h"
#include "gate/paired.h"

#define ROUNDS_MAX 32

static uint64_t rng;

static double gauss(void)
{
    double u = ((double)(stats_splitmix64(&rng) >> 11) + 0.5) / 9007199254740992.0;
    double v = ((double)(stats_splitmix64(&rng) >> 11) + 0.5) / 9007199254740992.0;

    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

static double uniform(void)
{
    return ((double)(stats_splitmix64(&rng) >> 11) + 0.5) / 9007199254740992.0;
}

struct rounds {
    struct bg_run base[ROUNDS_MAX], head[ROUNDS_MAX];
    const struct bg_run *b[ROUNDS_MAX], *h[ROUNDS_MAX];
    size_t n;
};

static void rounds_init(struct rounds *r, size_t n)
{
    r->n = n;
    for (size_t i = 0; i < n; i++) {
        bg_run_init(&r->base[i]);
        bg_run_init(&r->head[i]);
        r->b[i] = &r->base[i];
        r->h[i] = &r->head[i];
    }
}

static void rounds_finish(struct rounds *r)
{
    struct bg_diag d = { 0 };

    for (size_t i = 0; i < r->n; i++) {
        assert_int_equal(bg_run_finish(&r->base[i], "base", &d), 0);
        assert_int_equal(bg_run_finish(&r->head[i], "head", &d), 0);
    }
}

static void rounds_release(struct rounds *r)
{
    for (size_t i = 0; i < r->n; i++) {
        bg_run_release(&r->base[i]);
        bg_run_release(&r->head[i]);
    }
}

static const struct gate_row *row_named(const struct gate_report *r, const char *name,
                                        const char *metric)
{
    for (size_t i = 0; i < r->n_rows; i++) {
        const struct bg_result *res = r->rows[i].cur != NULL ? r->rows[i].cur : r->rows[i].base;

        if (strcmp(res->name, name) == 0 && strcmp(res->metric, metric) == 0)
            return &r->rows[i];
    }
    fail_msg("no row '%s'", name);
    return NULL;
}

/* n samples all equal to v: its median and p95 are v exactly. */
static void flat(struct bg_run *run, const char *name, const char *metric, enum bg_direction dir,
                 double v, size_t n)
{
    struct bg_result *res = bg_run_add_result(run, name, metric, "ns", dir);

    for (size_t i = 0; i < n; i++)
        bg_result_add_sample(res, v);
}

/* One benchmark whose per-round log ratios are known: the paired t by hand. */
static void test_known_answer(void **state)
{
    static const double d[5] = { 0.08, 0.12, 0.10, 0.09, 0.11 };
    struct gate_opts o = GATE_OPTS_DEFAULT;
    struct rounds r;
    struct gate_report rep;
    const struct gate_row *row;
    double sd = sqrt(0.001 / 4.0), se = sd / sqrt(5.0), t = 0.10 / se;
    double tq = dist_t_quantile(0.975, 4.0);

    (void)state;
    o.threshold = 0.05;
    rounds_init(&r, 5);
    for (size_t i = 0; i < 5; i++) {
        flat(&r.base[i], "parse", "time", BG_DIR_LOWER, 1000.0 * (1.0 + 0.3 * (double)i), 10);
        flat(&r.head[i], "parse", "time", BG_DIR_LOWER,
             1000.0 * (1.0 + 0.3 * (double)i) * exp(d[i]), 10);
    }
    rounds_finish(&r);
    gate_compare_paired(r.b, r.h, 5, &o, &rep);
    row = row_named(&rep, "parse", "time");
    /* one benchmark: no round factor, no moderation; the rounds' own levels
     * (30% apart) cancel in the pairing */
    assert_int_equal(rep.n_suites, 0);
    assert_near(row->adj_change, exp(0.10) - 1.0, 1e-9);
    assert_near(row->change, exp(0.10) - 1.0, 1e-9);
    assert_near(row->ci_lo, exp(0.10 - tq * se) - 1.0, 1e-9);
    assert_near(row->ci_hi, exp(0.10 + tq * se) - 1.0, 1e-9);
    assert_near(row->noise, sd, 1e-12);
    /* both tests see the same d; the p95 one has 2/3 of alpha, and wins */
    assert_near(row->p, dist_t_sf(t, 4.0) / (2.0 / 3.0), 1e-12);
    assert_near(row->p_holm, row->p, 1e-15);
    assert_string_equal(row->evidence, "p95");
    assert_int_equal(row->k, 5);
    assert_int_equal(row->verdict, GATE_REGRESSED);
    assert_false(row->low_confidence);
    /* the detectable shift: t at alpha over 1 test, location's third, times se */
    assert_near(row->detectable, exp(-dist_t_quantile(0.01 / 3.0, 4.0) * se) - 1.0, 1e-9);
    gate_report_release(&rep);

    /* the same change with a 15% threshold is inside it */
    o.threshold = 0.15;
    gate_compare_paired(r.b, r.h, 5, &o, &rep);
    assert_int_equal(row_named(&rep, "parse", "time")->verdict, GATE_UNCHANGED);
    gate_report_release(&rep);
    rounds_release(&r);
}

/* Directions, new and missing, and a suite that moved together. */
static void test_rules(void **state)
{
    struct gate_opts o = GATE_OPTS_DEFAULT;
    struct rounds r;
    struct gate_report rep;
    char name[32];

    (void)state;
    rng = 7;
    rounds_init(&r, 6);
    for (size_t i = 0; i < 6; i++) {
        double machine = exp(0.2 * gauss()); /* shared by both sides of the round */

        for (int b = 0; b < 10; b++) {
            snprintf(name, sizeof(name), "b%d", b);
            flat(&r.base[i], name, "time", BG_DIR_LOWER, 1e6 * machine * exp(0.01 * gauss()), 5);
            /* every benchmark 20% slower: the machine factor takes it */
            flat(&r.head[i], name, "time", BG_DIR_LOWER,
                 1.2e6 * machine * exp(0.01 * gauss()), 5);
        }
        flat(&r.base[i], "rate", "throughput", BG_DIR_HIGHER, 500.0 * exp(0.01 * gauss()), 5);
        flat(&r.head[i], "rate", "throughput", BG_DIR_HIGHER, 400.0 * exp(0.01 * gauss()), 5);
        flat(&r.base[i], "gone", "time", BG_DIR_LOWER, 10.0, 5);
        flat(&r.head[i], "fresh", "time", BG_DIR_LOWER, 10.0, 5);
    }
    rounds_finish(&r);
    gate_compare_paired(r.b, r.h, 6, &o, &rep);
    assert_int_equal(rep.n_suites, 1); /* 'time': 11 benchmarks; throughput has 1 */
    assert_string_equal(rep.suites[0].metric, "time");
    assert_near(rep.suites[0].change, 0.2, 0.02);
    assert_int_equal(rep.suites[0].verdict, GATE_REGRESSED);
    assert_int_equal(row_named(&rep, "b3", "time")->verdict, GATE_UNCHANGED);
    assert_near(row_named(&rep, "b3", "time")->change, 0.2, 0.03); /* raw, factor in */
    /* less throughput is worse: a positive change, regressed */
    assert_near(row_named(&rep, "rate", "throughput")->adj_change, 0.2, 0.02);
    assert_int_equal(row_named(&rep, "rate", "throughput")->verdict, GATE_REGRESSED);
    assert_int_equal(row_named(&rep, "gone", "time")->verdict, GATE_MISSING);
    assert_int_equal(row_named(&rep, "fresh", "time")->verdict, GATE_NEW);
    assert_true(gate_failed(&rep));
    gate_report_release(&rep);
    rounds_release(&r);
}

/* Fewer than 3 rounds measure no spread: low confidence, and the stated prior. */
static void test_two_rounds(void **state)
{
    struct gate_opts o = GATE_OPTS_DEFAULT;
    struct rounds r;
    struct gate_report rep;
    const struct gate_row *row;

    (void)state;
    rounds_init(&r, 2);
    for (size_t i = 0; i < 2; i++) {
        flat(&r.base[i], "x", "time", BG_DIR_LOWER, 100.0, 10);
        flat(&r.head[i], "x", "time", BG_DIR_LOWER, 101.0, 10);
    }
    rounds_finish(&r);
    gate_compare_paired(r.b, r.h, 2, &o, &rep);
    row = row_named(&rep, "x", "time");
    assert_true(row->low & GATE_LOW_HISTORY);
    assert_int_equal(row->verdict, GATE_UNCHANGED);
    /* the interval is the prior's: twice prior_spread^2 over 2 rounds, normal */
    assert_near(row->ci_hi, exp(log(1.01) + 1.959963984540054 * 0.05) - 1.0, 1e-6);
    gate_report_release(&rep);
    rounds_release(&r);
}

/*
 * A seeded model of rounds on a shared machine: each round has a machine
 * factor (sd msd) that both its sides share, each side of a round a hiccup
 * of its own common to its benchmarks (sd 3%), each benchmark-side-round its
 * own movement (sd 2%), and samples 4% apart within a run. shift[b] scales
 * head's benchmark b; tail[b] makes that share of head's samples 1.6x.
 */
struct model {
    size_t bench, rounds, samples;
    double msd;
    double shift[16], tail[16];
};

static void simulate(const struct model *m, struct rounds *r)
{
    char name[32];

    rounds_init(r, m->rounds);
    for (size_t i = 0; i < m->rounds; i++) {
        double machine = exp(m->msd * gauss());

        for (int side = 0; side < 2; side++) {
            struct bg_run *run = side == 0 ? &r->base[i] : &r->head[i];
            double hiccup = exp(0.03 * gauss());

            for (size_t b = 0; b < m->bench; b++) {
                struct bg_result *res;
                double level = 1e6 * (double)(1 + b % 5) * machine * hiccup * exp(0.02 * gauss());

                snprintf(name, sizeof(name), "bench-%02zu", b);
                res = bg_run_add_result(run, name, "time", "ns", BG_DIR_LOWER);
                if (side == 1)
                    level *= 1.0 + m->shift[b];
                for (size_t k = 0; k < m->samples; k++) {
                    double v = level * exp(0.04 * gauss());

                    if (side == 1 && uniform() < m->tail[b])
                        v *= 1.6;
                    bg_result_add_sample(res, v);
                }
            }
        }
    }
    rounds_finish(r);
}

/* Trials of the model: how many failed, and how often each benchmark regressed. */
static size_t trials(const struct model *m, size_t n, uint64_t seed, const struct gate_opts *o,
                     size_t regressed[16], bool paired)
{
    size_t failed = 0;

    memset(regressed, 0, 16 * sizeof(size_t));
    for (size_t t = 0; t < n; t++) {
        struct rounds r;
        struct gate_report rep;

        rng = seed + t * 7919;
        simulate(m, &r);
        if (paired)
            gate_compare_paired(r.b, r.h, r.n, o, &rep);
        else /* history check: the head's first round against the base's rounds */
            gate_compare_runs(r.b, r.n, r.h, 1, o, &rep);
        failed += gate_failed(&rep);
        for (size_t b = 0; b < m->bench; b++)
            regressed[b] += rep.rows[b].verdict == GATE_REGRESSED;
        gate_report_release(&rep);
        rounds_release(&r);
    }
    return failed;
}

static void test_simulated_aa(void **state)
{
    struct model m = { 12, 10, 20, 0.25, { 0 }, { 0 } };
    struct gate_opts o = GATE_OPTS_DEFAULT;
    size_t reg[16];

    (void)state;
    o.threshold = 0.05;
    /* 100 unchanged trials: alpha 0.01 allows about one; the machine moves
     * 25% round to round, which pairing cancels */
    assert_true(trials(&m, 100, 1, &o, reg, true) <= 2);
    /* three rounds, the least allowed: still calibrated */
    m.rounds = 3;
    assert_true(trials(&m, 100, 1, &o, reg, true) <= 2);
}

static void test_simulated_shifts(void **state)
{
    struct model m = { 12, 10, 20, 0.25, { 0.10, 0.10, 0.20, 0.03 }, { 0, 0, 0, 0, 0.15, 0.15 } };
    struct gate_opts o = GATE_OPTS_DEFAULT;
    size_t reg[16], reg_check[16], n = 60;

    (void)state;
    o.threshold = 0.05;
    trials(&m, n, 100, &o, reg, true);
    /* +10% and +20% (twice and four times the threshold) are found nearly
     * always; +3% is inside the threshold and never regresses */
    assert_true(reg[0] >= n * 95 / 100 && reg[1] >= n * 95 / 100);
    assert_int_equal(reg[2], n);
    assert_int_equal(reg[3], 0);
    /* 15% of samples 60% slower: the median stays, the p95 test sees it */
    assert_true(reg[4] >= n * 9 / 10 && reg[5] >= n * 9 / 10);
    for (size_t b = 6; b < m.bench; b++)
        assert_true(reg[b] <= 1);
    trials(&m, n, 100, &o, reg_check, false);
    /* the same rounds judged as history check (the head's first round against
     * the base's ten, machine factor removed): +10% is found in about a third
     * of the trials (36 of 120 here), against all of them paired */
    assert_true(reg_check[0] + reg_check[1] < (reg[0] + reg[1]) / 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answer),
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_two_rounds),
        cmocka_unit_test(test_simulated_aa),
        cmocka_unit_test(test_simulated_shifts),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
