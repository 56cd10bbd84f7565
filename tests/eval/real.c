/*
 * real.c: the gate on real harness output (gate-eval --real DIR): the data
 * set of tests/fixtures/real, rounds of four real suites run again and
 * again on one shared machine, some with known changes.
 *
 * Each judged round is compared, as CI would, with the ten unchanged ("aa")
 * rounds of its harness that ran just before it (rounds.jsonl gives the
 * order), or the nearest ones when fewer ran before. A/A: every aa round
 * with ten others as history. A/B: every round of a changed variant, whose
 * changed benchmarks are listed per harness below.
 */
#include "core/bg.h"
#include "tests/eval/real.h"
#include "collector/collect.h"
#include "core/buf.h"
#include "core/json.h"
#include "gate/compare.h"

#include <math.h>

#define MAX_ROUNDS 512
#define HISTORY 10

struct round {
    char harness[16], variant[16], file[256];
    long slot;
    struct bg_run run;
    bool loaded;
};

/* The benchmarks each variant changes (a name containing one of these). */
static const struct changed {
    const char *harness, *variant, *names[3];
} changed[] = {
    { "go", "loc", { "SortInts", "StringBuild", "MatMul" } },
    { "go", "tail", { "SHA256", "ParseKV", "AllocTree" } },
    { "gbench", "loc", { "BM_SortInts", "BM_StringBuild", "BM_MatMul" } },
    { "gbench", "tail", { "BM_Hash", "BM_ParseKV", "BM_AllocTree" } },
    { "pytest", "loc", { "::test_sort", "::test_str_build", "::test_matmul" } },
    { "pytest", "tail", { "::test_sha256", "::test_parse_kv", "::test_objects" } },
    { "hyperfine", "loc", { "sort", "strbuild", "matmul" } },
    { "hyperfine", "tail", { "hash", "parse", "alloc" } },
};

static bool is_changed(const char *harness, const char *variant, const char *name)
{
    const char *kind = strcmp(variant, "tail") == 0 ? "tail" : "loc";

    if (strcmp(variant, "aa") == 0)
        return false;
    for (size_t i = 0; i < ARRAY_SIZE(changed); i++) {
        if (strcmp(changed[i].harness, harness) != 0 || strcmp(changed[i].variant, kind) != 0)
            continue;
        for (size_t j = 0; j < 3; j++) {
            /* hyperfine names are whole; others end with or contain the name */
            if (strcmp(harness, "hyperfine") == 0 ? strcmp(name, changed[i].names[j]) == 0
                                                  : strstr(name, changed[i].names[j]) != NULL)
                return true;
        }
    }
    return false;
}

static int load_rounds(const char *dir, struct round *rounds, size_t *n)
{
    struct bg_buf b = BG_BUF_INIT, path = BG_BUF_INIT;
    struct bg_diag d = { 0 };
    char *line, *save = NULL;

    bg_buf_addf(&path, "%s/rounds.jsonl", dir);
    if (bg_buf_read_file(&b, path.data, BG_MAX_INPUT, &d) < 0) {
        fprintf(stderr, "gate-eval: %s\n", d.msg);
        bg_buf_release(&path);
        return -1;
    }
    *n = 0;
    for (line = strtok_r(b.data, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        cJSON *doc = bg_json_parse(line, strlen(line), "rounds.jsonl", &d);
        const cJSON *h = bg_json_get(doc, "harness"), *v = bg_json_get(doc, "variant");
        const cJSON *f = bg_json_get(doc, "file"), *s = bg_json_get(doc, "slot");
        const cJSON *rc = bg_json_get(doc, "exit_code");

        if (doc != NULL && cJSON_IsString(h) && cJSON_IsString(v) && cJSON_IsString(f) &&
            cJSON_IsNumber(s) && (!cJSON_IsNumber(rc) || rc->valuedouble == 0) &&
            *n < MAX_ROUNDS) {
            struct round *r = &rounds[(*n)++];

            memset(r, 0, sizeof(*r));
            snprintf(r->harness, sizeof(r->harness), "%s", h->valuestring);
            snprintf(r->variant, sizeof(r->variant), "%s", v->valuestring);
            snprintf(r->file, sizeof(r->file), "%s/%s", dir, f->valuestring);
            r->slot = (long)*n; /* the log is in the order the rounds ran */
        }
        cJSON_Delete(doc);
    }
    bg_buf_release(&b);
    bg_buf_release(&path);
    return 0;
}

static bool load(struct round *r)
{
    char *paths[1] = { r->file };

    if (r->loaded)
        return true;
    bg_run_init(&r->run);
    if (collect_paths(paths, 1, NULL, false, &r->run) != 0)
        return false;
    r->loaded = true;
    return true;
}

/* The HISTORY aa rounds of r's harness nearest before it (then after), newest first. */
static size_t history_of(struct round *rounds, size_t n, size_t cur, const struct bg_run **out)
{
    size_t k = 0;

    for (size_t i = cur; i-- > 0 && k < HISTORY;) {
        if (strcmp(rounds[i].harness, rounds[cur].harness) == 0 &&
            strcmp(rounds[i].variant, "aa") == 0 && load(&rounds[i]))
            out[k++] = &rounds[i].run;
    }
    for (size_t i = cur + 1; i < n && k < HISTORY; i++) {
        if (strcmp(rounds[i].harness, rounds[cur].harness) == 0 &&
            strcmp(rounds[i].variant, "aa") == 0 && load(&rounds[i]))
            out[k++] = &rounds[i].run;
    }
    return k;
}

struct tally {
    size_t trials, failed, false_bench, unchanged, detected, shifted, inconclusive;
};

static void pct(char *buf, size_t size, size_t a, size_t b)
{
    if (b == 0)
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.1f%% (%zu/%zu)", 100.0 * (double)a / (double)b, a, b);
}

int real_eval(const char *dir, double alpha, bool trace)
{
    static struct round rounds[MAX_ROUNDS];
    static const char *const harnesses[] = { "go", "gbench", "pytest", "hyperfine" };
    static const char *const variants[] = { "aa", "loc25", "loc15", "tail" };
    size_t n;

    if (load_rounds(dir, rounds, &n) < 0)
        return 2;
    printf("\nreal harness output (%s): each round against the %d aa rounds before it, "
           "threshold 10%%, alpha %g\n\n", dir, HISTORY, alpha);
    printf("| harness | variant | rounds | runs failed | false bench | changed benchmarks "
           "regressed | inconclusive |\n|---|---|---|---|---|---|---|\n");
    for (size_t hi = 0; hi < ARRAY_SIZE(harnesses); hi++) {
        for (size_t vi = 0; vi < ARRAY_SIZE(variants); vi++) {
            struct tally t = { 0 };
            char a[48], b[48], c[48], e[48];

            for (size_t i = 0; i < n; i++) {
                const struct bg_run *hist[HISTORY], *cur;
                struct gate_opts opts = GATE_OPTS_DEFAULT;
                struct gate_report r;
                size_t k;

                if (strcmp(rounds[i].harness, harnesses[hi]) != 0 ||
                    strcmp(rounds[i].variant, variants[vi]) != 0 || !load(&rounds[i]))
                    continue;
                k = history_of(rounds, n, i, hist);
                if (k == 0)
                    continue;
                cur = &rounds[i].run;
                opts.alpha = alpha;
                gate_compare_runs(hist, k, &cur, 1, &opts, &r);
                t.trials++;
                t.failed += gate_failed(&r);
                for (size_t j = 0; j < r.n_rows; j++) {
                    const struct gate_row *row = &r.rows[j];
                    const char *name = row->cur != NULL ? row->cur->name : row->base->name;
                    /* a changed benchmark's other metrics (B/op) may change too: they
                     * count neither way; detection is counted on its time */
                    bool ch = is_changed(harnesses[hi], variants[vi], name);
                    bool timed = strcmp(row->cur != NULL ? row->cur->metric : "", "time") == 0;
                    bool reg = row->verdict == GATE_REGRESSED;

                    if (ch && timed) {
                        t.shifted++;
                        t.detected += reg;
                        t.inconclusive += row->verdict == GATE_INCONCLUSIVE;
                    } else if (!ch) {
                        t.unchanged++;
                        t.false_bench += reg;
                    }
                    if (trace && (reg || (ch && timed)))
                        fprintf(stderr, "%s %s: %s %s: change %+.1f%% adj %+.1f%% p %.3g holm "
                                "%.3g via %s tail %.1f/%zu noise %.1f%% %s\n", rounds[i].file,
                                name, row->cur != NULL ? row->cur->metric : "?", ch ? "*" : "",
                                100 * row->change, 100 * row->adj_change, row->p, row->p_holm,
                                row->evidence != NULL ? row->evidence : "-", row->tail_expected,
                                row->tail_observed, 100 * row->noise,
                                gate_verdict_name(row->verdict));
                }
                for (size_t j = 0; trace && j < r.n_suites; j++)
                    fprintf(stderr, "%s suite %s: %+.1f%% spread %.1f%% p %.3g %s\n",
                            rounds[i].file, r.suites[j].metric, 100 * r.suites[j].change,
                            100 * r.suites[j].spread, r.suites[j].p,
                            gate_verdict_name(r.suites[j].verdict));
                gate_report_release(&r);
            }
            if (t.trials == 0)
                continue;
            pct(a, sizeof(a), t.failed, t.trials);
            pct(b, sizeof(b), t.false_bench, t.unchanged);
            pct(c, sizeof(c), t.detected, t.shifted);
            pct(e, sizeof(e), t.inconclusive, t.shifted);
            printf("| %s | %s | %zu | %s | %s | %s | %s |\n", harnesses[hi], variants[vi],
                   t.trials, a, b, c, e);
            fflush(stdout);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (rounds[i].loaded)
            bg_run_release(&rounds[i].run);
    }
    return 0;
}
