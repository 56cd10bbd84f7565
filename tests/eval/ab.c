/*
 * ab.c: gate-eval --ab DIR: benchgate ab's evaluation on real suites, from
 * the trials tests/eval/ab-eval.sh ran (DIR/trials.jsonl and each trial's
 * kept rounds).
 *
 * Every trial is judged again from its kept rounds with gate_compare_paired
 * (what `benchgate ab` computed; its exit status is checked against it),
 * and, for the interleaved trials, history `check` is judged on the same
 * rounds: the head's first round as the current run against the ten base
 * rounds of the trial before it (unchanged code, measured minutes earlier),
 * as a stored history would be. A/A trials count false failures; the mixed
 * A/B trials (mix1..mix3: one "loc" benchmark +5%, one +10%, one +20%, the
 * "tail" ones with 15% of samples 60% slower) count detections per change,
 * and false failures of their unchanged benchmarks.
 */
#include "core/bg.h"
#include "collector/collect.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/stats.h"
#include "gate/compare.h"
#include "gate/paired.h"
#include "tests/eval/real.h"

#include <math.h>
#include <unistd.h>

#define MAX_TRIALS 512
#define MAX_ROUNDS 64

struct trial {
    char harness[16], load[8], mode[16], variant[8], dir[512];
    long slot;
    int exit;
    double seconds, load1;
    struct bg_run base[MAX_ROUNDS], head[MAX_ROUNDS];
    size_t rounds;
    bool loaded, bad;
};

/* The "loc" benchmarks in the order the mix variants rotate them, and the "tail" ones. */
static const struct suite_names {
    const char *harness, *loc[3], *tail[3];
} names[] = {
    { "go", { "SortInts", "StringBuild", "MatMul" }, { "SHA256", "ParseKV", "AllocTree" } },
    { "gbench", { "BM_SortInts", "BM_StringBuild", "BM_MatMul" },
      { "BM_Hash", "BM_ParseKV", "BM_AllocTree" } },
    { "pytest", { "::test_sort", "::test_str_build", "::test_matmul" },
      { "::test_sha256", "::test_parse_kv", "::test_objects" } },
    { "hyperfine", { "sort", "strbuild", "matmul" }, { "hash", "parse", "alloc" } },
};

enum change { NONE, PLUS5, PLUS10, PLUS20, TAIL, N_CHANGES };
static const char *const change_names[] = { "none", "+5%", "+10%", "+20%", "tail" };

static bool name_is(const char *harness, const char *name, const char *want)
{
    if (strcmp(harness, "hyperfine") == 0)
        return strcmp(name, want) == 0;
    if (strcmp(harness, "go") == 0) { /* BenchmarkSortInts-2, not BenchmarkSortIntsX */
        const char *at = strstr(name, want);

        return at != NULL && (at[strlen(want)] == '\0' || at[strlen(want)] == '-');
    }
    return strstr(name, want) != NULL && strlen(strstr(name, want)) == strlen(want);
}

/* What the trial's variant did to the benchmark name. */
static enum change change_of(const struct trial *t, const char *name)
{
    if (strncmp(t->variant, "mix", 3) != 0)
        return NONE;
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (strcmp(names[i].harness, t->harness) != 0)
            continue;
        for (size_t j = 0; j < 3; j++) {
            if (name_is(t->harness, name, names[i].loc[j]))
                return (enum change)(PLUS5 + (j + (size_t)(t->variant[3] - '1')) % 3);
            if (name_is(t->harness, name, names[i].tail[j]))
                return TAIL;
        }
    }
    return NONE;
}

static int load_trials(const char *dir, struct trial *trials, size_t *n)
{
    struct bg_buf b = BG_BUF_INIT, path = BG_BUF_INIT;
    struct bg_diag d = { 0 };
    char *line, *save = NULL;

    bg_buf_addf(&path, "%s/trials.jsonl", dir);
    if (bg_buf_read_file(&b, path.data, BG_MAX_INPUT, &d) < 0) {
        fprintf(stderr, "gate-eval: %s\n", d.msg);
        bg_buf_release(&path);
        return -1;
    }
    *n = 0;
    for (line = strtok_r(b.data, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        cJSON *doc = bg_json_parse(line, strlen(line), "trials.jsonl", &d);
        const cJSON *h = bg_json_get(doc, "harness"), *l = bg_json_get(doc, "load");
        const cJSON *m = bg_json_get(doc, "mode"), *v = bg_json_get(doc, "variant");
        const cJSON *f = bg_json_get(doc, "dir"), *s = bg_json_get(doc, "slot");
        const cJSON *e = bg_json_get(doc, "exit"), *sec = bg_json_get(doc, "seconds");
        const cJSON *la = bg_json_get(doc, "loadavg_start");

        if (doc != NULL && cJSON_IsString(h) && cJSON_IsString(l) && cJSON_IsString(m) &&
            cJSON_IsString(v) && cJSON_IsString(f) && cJSON_IsNumber(s) && cJSON_IsNumber(e) &&
            cJSON_IsNumber(sec) && *n < MAX_TRIALS) {
            struct trial *t = &trials[(*n)++];

            memset(t, 0, sizeof(*t));
            snprintf(t->harness, sizeof(t->harness), "%s", h->valuestring);
            snprintf(t->load, sizeof(t->load), "%s", l->valuestring);
            snprintf(t->mode, sizeof(t->mode), "%s", m->valuestring);
            snprintf(t->variant, sizeof(t->variant), "%s", v->valuestring);
            snprintf(t->dir, sizeof(t->dir), "%s/%s", dir, f->valuestring);
            t->slot = (long)s->valuedouble;
            t->exit = (int)e->valuedouble;
            t->seconds = sec->valuedouble;
            t->load1 = cJSON_IsArray(la) && cJSON_IsNumber(cJSON_GetArrayItem(la, 0))
                           ? cJSON_GetArrayItem(la, 0)->valuedouble : NAN;
        }
        cJSON_Delete(doc);
    }
    bg_buf_release(&b);
    bg_buf_release(&path);
    return 0;
}

static bool load_trial(struct trial *t)
{
    if (t->loaded || t->bad)
        return t->loaded;
    for (size_t i = 0; i < MAX_ROUNDS; i++) {
        struct bg_buf p = BG_BUF_INIT;
        char *paths[1];
        bool ok = true;

        for (int s = 0; s < 2 && ok; s++) {
            struct bg_run *run = s == 0 ? &t->base[i] : &t->head[i];

            bg_buf_reset(&p);
            bg_buf_addf(&p, "%s/round-%03zu-%s.json", t->dir, i + 1, s == 0 ? "base" : "head");
            paths[0] = p.data;
            bg_run_init(run);
            if (access(p.data, R_OK) != 0 || collect_paths(paths, 1, "benchgate", false, run) != 0) {
                bg_run_release(run);
                if (s == 1)
                    bg_run_release(&t->base[i]);
                ok = false;
            }
        }
        bg_buf_release(&p);
        if (!ok)
            break;
        t->rounds = i + 1;
    }
    t->loaded = t->rounds >= 3;
    t->bad = !t->loaded;
    return t->loaded;
}

static void unload(struct trial *t)
{
    for (size_t i = 0; i < t->rounds; i++) {
        bg_run_release(&t->base[i]);
        bg_run_release(&t->head[i]);
    }
    t->rounds = 0;
    t->loaded = false;
}

struct tally {
    size_t aa, aa_failed, ab, ab_false, detected[N_CHANGES], changed[N_CHANGES], mismatch;
    double seconds[MAX_TRIALS], load_lo, load_hi;
    size_t n_seconds;
};

static void count(const struct trial *t, const struct gate_report *r, struct tally *ty)
{
    bool is_aa = strcmp(t->variant, "aa") == 0, false_fail = false;

    for (size_t j = 0; j < r->n_rows; j++) {
        const struct gate_row *row = &r->rows[j];
        const struct bg_result *res = row->cur != NULL ? row->cur : row->base;
        enum change c = change_of(t, res->name);

        if (c != NONE && strcmp(res->metric, "time") == 0) {
            ty->changed[c]++;
            ty->detected[c] += row->verdict == GATE_REGRESSED;
        } else if (c == NONE) {
            false_fail |= gate_row_fails(r, row);
        }
    }
    for (size_t i = 0; i < r->n_suites; i++)
        false_fail |= !is_aa && gate_suite_fails(r, &r->suites[i]);
    if (is_aa) {
        ty->aa++;
        ty->aa_failed += gate_failed(r);
    } else {
        ty->ab++;
        ty->ab_false += false_fail;
    }
    if (!isnan(t->load1)) {
        ty->load_lo = fmin(ty->load_lo, t->load1);
        ty->load_hi = fmax(ty->load_hi, t->load1);
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static void print_row(const char *harness, const char *load, const char *mode, struct tally *ty)
{
    char cells[N_CHANGES][32], wall[32];

    for (int c = PLUS5; c < N_CHANGES; c++)
        snprintf(cells[c], sizeof(cells[c]), "%zu/%zu", ty->detected[c], ty->changed[c]);
    if (ty->n_seconds > 0) {
        qsort(ty->seconds, ty->n_seconds, sizeof(double), cmp_double);
        snprintf(wall, sizeof(wall), "%.0f s", ty->seconds[ty->n_seconds / 2]);
    } else {
        snprintf(wall, sizeof(wall), "-");
    }
    printf("| %s | %s | %s | %zu/%zu | %zu/%zu | %s | %s | %s | %s | %s | %.1f..%.1f |\n", harness,
           load, mode, ty->aa_failed, ty->aa, ty->ab_false, ty->ab, cells[PLUS5], cells[PLUS10],
           cells[PLUS20], cells[TAIL], wall, ty->load_lo, ty->load_hi);
}

/* The rounds a trial is judged on again (its first k), for the table by rounds. */
static const size_t sweep_rounds[] = { 3, 5, 10 };

static void print_sweep(struct tally sweep[2][2][ARRAY_SIZE(sweep_rounds)])
{
    static const char *const loads[] = { "none", "hog" }, *const modes[] = { "interleaved", "duet" };

    printf("\nby rounds (every harness together; a trial judged again on its first k rounds)\n\n"
           "| mode | load | rounds | A/A runs failed | +5%% | +10%% | +20%% | tail |\n"
           "|---|---|---|---|---|---|---|---|\n");
    for (size_t m = 0; m < 2; m++)
        for (size_t l = 0; l < 2; l++)
            for (size_t k = 0; k < ARRAY_SIZE(sweep_rounds); k++) {
                const struct tally *ty = &sweep[m][l][k];

                if (ty->aa + ty->ab == 0)
                    continue;
                printf("| %s | %s | %zu | %zu/%zu | %zu/%zu | %zu/%zu | %zu/%zu | %zu/%zu |\n",
                       modes[m], loads[l], sweep_rounds[k], ty->aa_failed, ty->aa,
                       ty->detected[PLUS5], ty->changed[PLUS5], ty->detected[PLUS10],
                       ty->changed[PLUS10], ty->detected[PLUS20], ty->changed[PLUS20],
                       ty->detected[TAIL], ty->changed[TAIL]);
            }
}

int ab_eval(const char *dir, double alpha, double threshold, bool trace)
{
    static struct tally sweep[2][2][ARRAY_SIZE(sweep_rounds)];
    static struct trial trials[MAX_TRIALS];
    static const char *const harnesses[] = { "go", "gbench", "pytest", "hyperfine" };
    static const char *const loads[] = { "none", "hog" };
    static const char *const modes[] = { "check", "interleaved", "duet" };
    struct gate_opts opts = GATE_OPTS_DEFAULT;
    size_t n, mismatches = 0;

    if (load_trials(dir, trials, &n) < 0)
        return 2;
    opts.alpha = alpha;
    opts.threshold = threshold;
    printf("\nbenchgate ab on real suites (%s): threshold %.0f%%, alpha %g; A/A: both sides "
           "unchanged; A/B: mix1..3, one benchmark +5%%, one +10%%, one +20%%, three with a "
           "tail (15%% of samples 60%% slower); check: the head's first round against the 10 "
           "base rounds of the trial before (a stored history)\n\n", dir, threshold * 100, alpha);
    printf("| harness | load | mode | A/A runs failed | A/B runs failed by an unchanged "
           "benchmark | +5%% | +10%% | +20%% | tail | wall per trial | load avg (1 min) |\n"
           "|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (size_t hi = 0; hi < ARRAY_SIZE(harnesses); hi++) {
        for (size_t li = 0; li < ARRAY_SIZE(loads); li++) {
            for (size_t mi = 0; mi < ARRAY_SIZE(modes); mi++) {
                bool check = mi == 0;
                const char *mode = check ? "interleaved" : modes[mi];
                struct trial *prev = NULL;
                static struct tally ty;

                memset(&ty, 0, sizeof(ty));
                ty.load_lo = INFINITY;
                ty.load_hi = -INFINITY;
                for (size_t i = 0; i < n; i++) {
                    struct trial *t = &trials[i];
                    struct gate_report r;

                    if (strcmp(t->harness, harnesses[hi]) != 0 ||
                        strcmp(t->load, loads[li]) != 0 || strcmp(t->mode, mode) != 0)
                        continue;
                    if (t->exit >= 2 || !load_trial(t)) {
                        fprintf(stderr, "gate-eval: %s: exit %d, not judged\n", t->dir, t->exit);
                        continue;
                    }
                    if (check) {
                        const struct bg_run *hist[MAX_ROUNDS], *cur = &t->head[0];

                        if (prev != NULL) {
                            for (size_t k = 0; k < prev->rounds; k++)
                                hist[k] = &prev->base[prev->rounds - 1 - k];
                            gate_compare_runs(hist, prev->rounds, &cur, 1, &opts, &r);
                            count(t, &r, &ty);
                            gate_report_release(&r);
                            /* one run of the suite: what check costs on top of the history */
                            ty.seconds[ty.n_seconds++] = t->seconds / (2.0 * (double)t->rounds);
                            unload(prev);
                        }
                        prev = t;
                        continue;
                    }
                    {
                        const struct bg_run *b[MAX_ROUNDS], *h[MAX_ROUNDS];

                        for (size_t k = 0; k < t->rounds; k++) {
                            b[k] = &t->base[k];
                            h[k] = &t->head[k];
                        }
                        for (size_t k = 0; k < ARRAY_SIZE(sweep_rounds); k++) {
                            struct gate_report rk;

                            if (sweep_rounds[k] > t->rounds)
                                continue;
                            gate_compare_paired(b, h, sweep_rounds[k], &opts, &rk);
                            count(t, &rk, &sweep[mi - 1][li][k]);
                            gate_report_release(&rk);
                        }
                        gate_compare_paired(b, h, t->rounds, &opts, &r);
                    }
                    count(t, &r, &ty);
                    if ((t->exit == 1) != gate_failed(&r)) {
                        fprintf(stderr, "gate-eval: %s: benchgate ab exited %d, the replay says "
                                "%s\n", t->dir, t->exit, gate_failed(&r) ? "fail" : "pass");
                        mismatches++;
                    }
                    if (trace) {
                        for (size_t j = 0; j < r.n_rows; j++) {
                            const struct gate_row *row = &r.rows[j];
                            enum change c = change_of(t, row->cur != NULL ? row->cur->name : "");

                            if (row->verdict == GATE_REGRESSED || c != NONE)
                                fprintf(stderr, "%s %s %s [%s]: adj %+.1f%% loc %+.1f%% p %.3g "
                                        "holm %.3g via %s noise %.1f%% detect %.1f%% %s\n",
                                        t->dir, row->cur != NULL ? row->cur->name : "?",
                                        row->cur != NULL ? row->cur->metric : "?",
                                        change_names[c], 100 * row->adj_change,
                                        100 * row->location_change, row->p, row->p_holm,
                                        row->evidence, 100 * row->noise, 100 * row->detectable,
                                        gate_verdict_name(row->verdict));
                        }
                    }
                    ty.seconds[ty.n_seconds++] = t->seconds;
                    gate_report_release(&r);
                    unload(t);
                }
                if (prev != NULL)
                    unload(prev);
                if (ty.aa + ty.ab == 0)
                    continue;
                print_row(harnesses[hi], loads[li], check ? "history check" : modes[mi], &ty);
                fflush(stdout);
            }
        }
    }
    print_sweep(sweep);
    if (mismatches > 0)
        printf("\n%zu trials whose exit status differs from their replay\n", mismatches);
    return mismatches > 0 ? 1 : 0;
}

/* ---- seeded simulation: paired rounds against a stored history ------------ */

/*
 * One trial of rounds on a CI runner whose speed moves run to run (a
 * round's machine factor, lognormal sd machine_sd: the 13-22% the issue
 * measured in p95s is about sd 0.08-0.10 in log). Base and head of round i
 * share the round's factor; for history check nothing is shared, every run
 * has its own. Every benchmark's level also moves on its own, 3% or 6% per
 * run (drift, never shared), samples spread 5% within a run,
 * 2% of them outliers 1.5-3x. Twelve benchmarks: +5%, +10%, +20%, two with
 * 15% of samples 60% slower, seven unchanged (all unchanged in A/A).
 */
#define SIM_BENCH 12
#define SIM_SAMPLES 20

static const double sim_shift[SIM_BENCH] = { 0.05, 0.10, 0.20 };
static const double sim_tail[SIM_BENCH] = { 0, 0, 0, 0.15, 0.15 };
static const enum change sim_change[SIM_BENCH] = { PLUS5, PLUS10, PLUS20, TAIL, TAIL };

static double sim_uniform(uint64_t *s)
{
    return ((double)(stats_splitmix64(s) >> 11) + 0.5) / 9007199254740992.0;
}

static double sim_gauss(uint64_t *s)
{
    double u = sim_uniform(s), v = sim_uniform(s);

    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

static void sim_run(struct bg_run *run, double factor, double drift, bool head, bool changed,
                    uint64_t *s)
{
    struct bg_diag d = { 0 };

    bg_run_init(run);
    for (size_t b = 0; b < SIM_BENCH; b++) {
        char name[16];
        double level = 1e6 * (double)(1 + b % 5) * factor * exp(drift * sim_gauss(s));
        struct bg_result *res;

        snprintf(name, sizeof(name), "bench-%02zu", b);
        res = bg_run_add_result(run, name, "time", "ns", BG_DIR_LOWER);
        if (head && changed)
            level *= 1.0 + sim_shift[b];
        for (size_t k = 0; k < SIM_SAMPLES; k++) {
            double v = level * exp(0.05 * sim_gauss(s));

            if (sim_uniform(s) < 0.02)
                v *= 1.5 + 1.5 * sim_uniform(s);
            if (head && changed && sim_uniform(s) < sim_tail[b])
                v *= 1.6;
            bg_result_add_sample(res, v);
        }
    }
    if (bg_run_finish(run, "sim", &d) < 0)
        abort();
}

struct sim_tally {
    size_t aa, aa_failed, ab, ab_false, detected[N_CHANGES], changed[N_CHANGES];
};

static void sim_count(const struct gate_report *r, bool changed, struct sim_tally *ty)
{
    bool false_fail = false;

    for (size_t j = 0; j < r->n_rows; j++) {
        const struct gate_row *row = &r->rows[j];
        const struct bg_result *res = row->cur != NULL ? row->cur : row->base;
        size_t b = (size_t)strtoul(res->name + 6, NULL, 10); /* bench-NN */
        enum change c = changed && b < SIM_BENCH ? sim_change[b] : NONE;

        if (c != NONE) {
            ty->changed[c]++;
            ty->detected[c] += row->verdict == GATE_REGRESSED;
        } else {
            false_fail |= gate_row_fails(r, row);
        }
    }
    if (!changed) {
        ty->aa++;
        ty->aa_failed += gate_failed(r);
    } else {
        ty->ab++;
        ty->ab_false += false_fail;
    }
}

/* trials A/A and as many A/B trials of rounds, paired or as history check. */
static void sim_rows(size_t rounds, double machine_sd, double drift, bool paired, size_t trials,
                     const struct gate_opts *o, struct sim_tally *ty)
{
    static struct bg_run base[MAX_ROUNDS], head[MAX_ROUNDS];
    const struct bg_run *b[MAX_ROUNDS], *h[MAX_ROUNDS];

    memset(ty, 0, sizeof(*ty));
    for (size_t t = 0; t < 2 * trials; t++) {
        uint64_t s = 0x5eed0000u + t * 7919u + rounds * 104729u;
        bool changed = t % 2 == 1;
        struct gate_report r;

        for (size_t i = 0; i < rounds; i++) {
            /* a round's two sides share the machine's state; history runs do not */
            double m = machine_sd * sim_gauss(&s);
            double mh = paired ? m : machine_sd * sim_gauss(&s);

            sim_run(&base[i], exp(m), drift, false, changed, &s);
            sim_run(&head[i], exp(mh), drift, true, changed, &s);
            b[i] = &base[i];
            h[i] = &head[i];
        }
        if (paired)
            gate_compare_paired(b, h, rounds, o, &r);
        else /* check: the head's one run against the base's rounds as its history */
            gate_compare_runs(b, rounds, h, 1, o, &r);
        sim_count(&r, changed, ty);
        gate_report_release(&r);
        for (size_t i = 0; i < rounds; i++) {
            bg_run_release(&base[i]);
            bg_run_release(&head[i]);
        }
    }
}

int ab_sim(size_t trials, double alpha, double threshold)
{
    static const size_t rounds[] = { 3, 5, 10, 20 };
    static const double drifts[] = { 0.03, 0.06 };
    struct gate_opts o = GATE_OPTS_DEFAULT;

    o.alpha = alpha;
    o.threshold = threshold;
    printf("\nbenchgate ab, simulated: threshold %.0f%%, alpha %g, %zu A/A and %zu A/B trials a "
           "row; the machine's speed moves 10%% (sd) run to run; A/B: one benchmark +5%%, one "
           "+10%%, one +20%%, two with 15%% of samples 60%% slower, seven unchanged\n\n",
           threshold * 100, alpha, trials, trials);
    printf("| judged by | rounds (history runs) | benchmark drift run to run | A/A runs failed | A/B runs "
           "failed by an unchanged benchmark | +5%% | +10%% | +20%% | tail |\n"
           "|---|---|---|---|---|---|---|---|---|\n");
    for (size_t k = 0; k < ARRAY_SIZE(rounds); k++) {
        for (size_t di = 0; di < 2 * ARRAY_SIZE(drifts); di++) {
            bool paired = di % 2 == 0;
            double drift = drifts[di / 2];
            struct sim_tally ty;

            sim_rows(rounds[k], 0.10, drift, paired, trials, &o, &ty);
            printf("| %s | %zu | %.0f%% |", paired ? "ab (paired)" : "history check", rounds[k],
                   drift * 100);
            printf(" %zu/%zu | %zu/%zu | %zu/%zu | %zu/%zu | %zu/%zu | %zu/%zu |\n", ty.aa_failed,
                   ty.aa, ty.ab_false, ty.ab, ty.detected[PLUS5], ty.changed[PLUS5],
                   ty.detected[PLUS10], ty.changed[PLUS10], ty.detected[PLUS20],
                   ty.changed[PLUS20], ty.detected[TAIL], ty.changed[TAIL]);
            fflush(stdout);
        }
    }
    return 0;
}
