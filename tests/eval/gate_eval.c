/*
 * gate_eval.c: how often the gate fails unchanged code, and how often it
 * catches a real slowdown, on seeded simulations of CI noise (make
 * gate-eval). Each scenario runs the same trials (seeds 1..N) through
 * gate_compare_runs, the function `benchgate check` calls once it has
 * loaded the runs, and prints:
 *   runs failed   share of trials in which the gate failed
 *   false bench   benchmarks regressed that did not change, per benchmark
 *   detected      changed benchmarks judged regressed (or, for a suite-wide
 *                 change, trials with the suite finding regressed)
 *
 * usage: gate-eval [--trials N] [--profile issue|hard|all] [--quick]
 *        gate-eval --real DIR | --ab DIR [--threshold F] (tests/eval/ab.c)
 *        gate-eval --ab-sim [--trials N] [--threshold F] (tests/eval/ab.c)
 */
#include "core/bg.h"
#include "core/num.h"
#include "gate/compare.h"
#include "tests/eval/real.h"
#include "tests/eval/sim.h"

#include <math.h>

static const struct sim_profile profiles[] = {
    /* the model: 5% lognormal within a run, 2% outliers, a machine
     * 4% faster or slower, each benchmark's level moving 3% run to run */
    { "issue", 0.05, 0.05, 0.02, 1.5, 3.0, 0.04, true, 0.03, 0.03, 0.0, 0.0 },
    /* harder: benchmarks that differ (1-10% within, 1-6% run to run),
     * more and bigger outliers, a normal machine factor of sd 6%, and now
     * and then a whole benchmark-run 15% slow */
    { "hard", 0.01, 0.10, 0.03, 1.5, 4.0, 0.06, false, 0.01, 0.06, 0.03, 0.15 },
};

struct scenario {
    struct sim_change change;
    size_t ks[3], ns[3];
    bool summaries;
    const char *target; /* what the issue asks of it, or NULL */
};

static const struct scenario scenarios[] = {
    { { "A/A", 0, 1, 0, 1, 1 }, { 1, 3, 10 }, { 10, 30, 100 }, false, "runs failed <= 5% at k=10" },
    { { "+15% on 3", 3, 1.15, 0, 1, 1 }, { 10, 0, 0 }, { 10, 30, 100 }, false, NULL },
    { { "+25% on 3", 3, 1.25, 0, 1, 1 }, { 1, 3, 10 }, { 10, 30, 100 }, false,
      "detected >= 95% at k=10, n=30" },
    { { "tail 15% x1.6 on 3", 3, 1, 0.15, 1.6, 1 }, { 10, 0, 0 }, { 30, 100, 0 }, false,
      "detected >= 90% at k=10, n=100" },
    { { "suite +12%", 0, 1, 0, 1, 1.12 }, { 10, 3, 0 }, { 30, 0, 0 }, false, NULL },
    { { "suite +5% (machine)", 0, 1, 0, 1, 1.05 }, { 10, 0, 0 }, { 30, 0, 0 }, false, NULL },
    { { "A/A summaries", 0, 1, 0, 1, 1 }, { 10, 0, 0 }, { 30, 0, 0 }, true, NULL },
    { { "+25% summaries", 3, 1.25, 0, 1, 1 }, { 10, 0, 0 }, { 30, 0, 0 }, true, NULL },
};

struct tally {
    size_t trials, runs_failed, false_bench, unshifted, detected, shifted, suite_hits;
};

/* GATE_EVAL_TRACE=SCENARIO: the rows that changed or failed, and the suite findings. */
static void trace(const struct gate_report *r, const struct scenario *sc, size_t k, size_t n,
                  uint64_t seed)
{
    for (size_t i = 0; i < r->n_suites; i++)
        fprintf(stderr, "k=%zu n=%zu seed=%" PRIu64 " suite %s: change %+.1f%% spread %.1f%% "
                "p %.3g p_adj %.3g %s\n", k, n, seed, r->suites[i].metric,
                100 * r->suites[i].change, 100 * r->suites[i].spread, r->suites[i].p,
                r->suites[i].p_adj, gate_verdict_name(r->suites[i].verdict));
    for (size_t i = 0; i < r->n_rows; i++) {
        const struct gate_row *row = &r->rows[i];

        if (i >= sc->change.n_shifted && row->verdict != GATE_REGRESSED &&
            !(getenv("GATE_EVAL_ALL") != NULL && i < 5))
            continue;
        fprintf(stderr, "k=%zu n=%zu seed=%" PRIu64 " %s: change %+.1f%% adj %+.1f%% "
                "loc %+.1f%% p %.3g holm %.3g via %s tail %.1f/%zu noise %.1f%% detectable %.1f%% %s\n", k, n, seed,
                row->cur->name, 100 * row->change, 100 * row->adj_change, 100 * row->location_change, row->p, row->p_holm,
                row->evidence, row->tail_expected, row->tail_observed, 100 * row->noise, 100 * row->detectable,
                gate_verdict_name(row->verdict));
    }
}

static double alpha = -1; /* -1: the gate's default */

static void run_trial(const struct sim_profile *p, const struct scenario *sc, size_t k,
                      size_t n, uint64_t seed, struct tally *t)
{
    struct sim_setup setup = { 60, n, k, sc->summaries };
    struct bg_run *hist = bg_xcalloc(k + 1, sizeof(*hist)), cur;
    const struct bg_run **list = bg_xmalloc((k + 1) * sizeof(*list));
    const struct bg_run *curp = &cur;
    struct gate_opts opts = GATE_OPTS_DEFAULT;
    struct gate_report r;

    if (alpha > 0)
        opts.alpha = alpha;
    sim_trial(p, &sc->change, &setup, seed, hist, &cur);
    for (size_t i = 0; i < k; i++)
        list[i] = &hist[i];
    gate_compare_runs(list, k, &curp, 1, &opts, &r);
    if (getenv("GATE_EVAL_TRACE") != NULL && strstr(sc->change.name, getenv("GATE_EVAL_TRACE")))
        trace(&r, sc, k, n, seed);
    t->trials++;
    t->runs_failed += gate_failed(&r);
    for (size_t i = 0; i < r.n_rows; i++) {
        bool shifted = i < sc->change.n_shifted, reg = r.rows[i].verdict == GATE_REGRESSED;

        if (shifted) {
            t->shifted++;
            t->detected += reg;
        } else {
            t->unshifted++;
            t->false_bench += reg;
        }
    }
    for (size_t i = 0; i < r.n_suites; i++)
        t->suite_hits += r.suites[i].verdict == GATE_REGRESSED;
    gate_report_release(&r);
    for (size_t i = 0; i < k; i++)
        bg_run_release(&hist[i]);
    bg_run_release(&cur);
    free(list);
    free(hist);
}

static void pct(char *buf, size_t size, size_t a, size_t b)
{
    if (b == 0)
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.1f%% (%zu/%zu)", 100.0 * (double)a / (double)b, a, b);
}

int main(int argc, char **argv)
{
    int64_t trials = 200;
    const char *only = "all", *why, *real = NULL, *ab = NULL;
    bool ab_simulated = false;
    double threshold = 0.05;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--trials") == 0 && i + 1 < argc) {
            if (bg_parse_int64(argv[++i], 1, 100000, &trials, &why) < 0) {
                fprintf(stderr, "gate-eval: --trials '%s': %s\n", argv[i], why);
                return 2;
            }
        } else if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc) {
            only = argv[++i];
        } else if (strcmp(argv[i], "--alpha") == 0 && i + 1 < argc) {
            if (bg_parse_double(argv[++i], 1e-9, 1.0, &alpha, &why) < 0) {
                fprintf(stderr, "gate-eval: --alpha '%s': %s\n", argv[i], why);
                return 2;
            }
        } else if (strcmp(argv[i], "--real") == 0 && i + 1 < argc) {
            real = argv[++i];
        } else if (strcmp(argv[i], "--ab") == 0 && i + 1 < argc) {
            ab = argv[++i];
        } else if (strcmp(argv[i], "--ab-sim") == 0) {
            ab_simulated = true;
        } else if (strcmp(argv[i], "--threshold") == 0 && i + 1 < argc) {
            if (bg_parse_double(argv[++i], 0.0, 100.0, &threshold, &why) < 0) {
                fprintf(stderr, "gate-eval: --threshold '%s': %s\n", argv[i], why);
                return 2;
            }
        } else if (strcmp(argv[i], "--quick") == 0) {
            trials = 40;
        } else {
            fputs("usage: gate-eval [--trials N] [--alpha A] [--profile issue|hard|all] [--quick] "
                  "[--real DIR] [--ab DIR [--threshold F]] [--ab-sim [--threshold F]]\n", stderr);
            return 2;
        }
    }
    if (alpha < 0) {
        struct gate_opts d = GATE_OPTS_DEFAULT;

        alpha = d.alpha;
    }
    if (ab_simulated)
        return ab_sim((size_t)trials, alpha, threshold);
    if (ab != NULL)
        return ab_eval(ab, alpha, threshold, getenv("GATE_EVAL_TRACE") != NULL);
    if (real != NULL)
        return real_eval(real, alpha, getenv("GATE_EVAL_TRACE") != NULL);
    printf("gate evaluation: 60 benchmarks, threshold 10%%, alpha %g, seeds 1..%" PRId64
           "\n\n", alpha, trials);
    printf("| profile | scenario | k | n | runs failed | false bench | detected | suite regressed |\n");
    printf("|---|---|---|---|---|---|---|---|\n");
    for (size_t pi = 0; pi < ARRAY_SIZE(profiles); pi++) {
        const struct sim_profile *p = &profiles[pi];

        if (strcmp(only, "all") != 0 && strcmp(only, p->name) != 0)
            continue;
        for (size_t si = 0; si < ARRAY_SIZE(scenarios); si++) {
            const struct scenario *sc = &scenarios[si];

            for (size_t ki = 0; ki < 3 && sc->ks[ki] > 0; ki++) {
                for (size_t ni = 0; ni < 3 && sc->ns[ni] > 0; ni++) {
                    struct tally t = { 0 };
                    char a[48], b[48], c[48], d[48];

                    for (int64_t seed = 1; seed <= trials; seed++)
                        run_trial(p, sc, sc->ks[ki], sc->ns[ni], (uint64_t)seed, &t);
                    pct(a, sizeof(a), t.runs_failed, t.trials);
                    pct(b, sizeof(b), t.false_bench, t.unshifted);
                    pct(c, sizeof(c), t.detected, t.shifted);
                    pct(d, sizeof(d), t.suite_hits, t.trials);
                    printf("| %s | %s | %zu | %zu | %s | %s | %s | %s |\n", p->name,
                           sc->change.name, sc->ks[ki], sc->ns[ni], a, b, c, d);
                    fflush(stdout);
                }
            }
        }
    }
    return 0;
}
