/*
 * fmt_catch2.c: Catch2 v2's XML reporter (-r xml).
 *
 * <TestCase name><BenchmarkResults name samples ...><mean value/>
 * <standardDeviation value/>: all ns, %g-formatted, and no raw samples, so
 * every result is summary-only (mean, standard deviation, n = samples) and
 * compared on the mean. The name is "<test case>/<benchmark>". Catch2's
 * JUnit reporter drops benchmark data; such a file is recognised and
 * refused with that reason rather than "not recognised".
 */
#include "core/bg.h"
#include "collector/formats.h"
#include "collector/xml.h"
#include "core/buf.h"
#include "core/num.h"

#include <math.h>

static bool sniff(const struct bg_input *in)
{
    char root[32];

    return xml_root_name(in->data, in->len, root, sizeof(root)) &&
           (strcmp(root, "Catch") == 0 || strcmp(root, "testsuites") == 0 ||
            strcmp(root, "testsuite") == 0);
}

/* A numeric attribute: finite, >= 0, at most hi. */
static int attr_number(const struct bg_input *in, const struct xml_token *t, const char *name,
                       double hi, double *out, struct bg_diag *d)
{
    const char *v = xml_attr(t, name), *why;

    if (v == NULL)
        return bg_fail(d, "%s:%zu: <%s> has no %s", in->path, t->line, t->name, name);
    if (bg_parse_double(v, 0.0, hi, out, &why) < 0)
        return bg_fail(d, "%s:%zu: <%s %s=\"%.40s\">: %s", in->path, t->line, t->name, name, v,
                       strcmp(why, "too small") == 0 ? "negative" : why);
    return 0;
}

struct pending {
    bool open;
    char *name;
    double mean, stddev, samples;
    size_t line;
};

static int finish(const struct bg_input *in, struct pending *p, struct bg_run *run,
                  struct bg_diag *d)
{
    struct bg_result *res;

    if (isnan(p->mean))
        return bg_fail(d, "%s:%zu: benchmark '%s' has no <mean>", in->path, p->line, p->name);
    if (run->n_results >= BG_MAX_RESULTS)
        return bg_fail(d, "%s: more than %d results", in->path, BG_MAX_RESULTS);
    res = bg_run_add_result(run, p->name, "time", "ns", BG_DIR_LOWER);
    res->summary_only = true;
    res->sum.n = (size_t)p->samples;
    res->sum.mean = p->mean;
    res->sum.stddev = p->stddev;
    res->sum.min = res->sum.max = res->sum.median = res->sum.p95 = NAN;
    return 0;
}

static int parse(const struct bg_input *in, struct bg_run *run, struct bg_diag *d)
{
    struct xml_reader r;
    struct xml_token t;
    struct pending p = { false, NULL, NAN, NAN, 0, 0 };
    char *test_case = NULL;
    int rc = -1;

    xml_init(&r, in->path, in->data, in->len);
    for (;;) {
        if (xml_next(&r, &t, d) < 0)
            goto out;
        if (t.type == XML_EOF)
            break;
        if (t.type == XML_START && r.depth == 1 && strcmp(t.name, "Catch") != 0) {
            if (strcmp(t.name, "testsuites") == 0 || strcmp(t.name, "testsuite") == 0)
                bg_fail(d, "%s: Catch2 JUnit output carries no benchmark data; run the "
                        "benchmarks with -r xml", in->path);
            else
                bg_fail(d, "%s:%zu: <%s> is not a Catch2 report", in->path, t.line, t.name);
            xml_token_release(&t);
            goto out;
        }
        if (t.type == XML_START && strcmp(t.name, "TestCase") == 0) {
            free(test_case);
            test_case = xml_attr(&t, "name") != NULL ? bg_xstrdup(xml_attr(&t, "name")) : NULL;
        } else if (t.type == XML_START && strcmp(t.name, "BenchmarkResults") == 0) {
            const char *name = xml_attr(&t, "name"), *why;
            struct bg_buf full = BG_BUF_INIT;

            if (name == NULL) {
                bg_fail(d, "%s:%zu: <BenchmarkResults> has no name", in->path, t.line);
                xml_token_release(&t);
                goto out;
            }
            bg_buf_addf(&full, "%s%s%s", test_case != NULL ? test_case : "",
                        test_case != NULL ? "/" : "", name);
            free(p.name);
            p = (struct pending){ true, bg_buf_detach(&full, NULL), NAN, NAN, 0, t.line };
            why = bg_bench_name_problem(p.name);
            if (why != NULL) {
                bg_fail(d, "%s:%zu: benchmark name %s", in->path, t.line, why);
                xml_token_release(&t);
                goto out;
            }
            if (attr_number(in, &t, "samples", 1e12, &p.samples, d) < 0) {
                xml_token_release(&t);
                goto out;
            }
        } else if (t.type == XML_START && p.open &&
                   (strcmp(t.name, "mean") == 0 || strcmp(t.name, "standardDeviation") == 0)) {
            if (attr_number(in, &t, "value", 1e18, t.name[0] == 'm' ? &p.mean : &p.stddev, d) < 0) {
                xml_token_release(&t);
                goto out;
            }
        } else if (t.type == XML_END && strcmp(t.name, "BenchmarkResults") == 0) {
            p.open = false;
            if (finish(in, &p, run, d) < 0) {
                xml_token_release(&t);
                goto out;
            }
        }
        xml_token_release(&t);
    }
    if (run->n_results == 0) {
        bg_fail(d, "%s: no benchmark results (no <BenchmarkResults> in the report)", in->path);
        goto out;
    }
    rc = 0;
out:
    free(p.name);
    free(test_case);
    xml_release(&r);
    return rc;
}

const struct bg_format bg_format_catch2 = {
    .name = "catch2",
    .summary = "Catch2 XML reporter (-r xml); summaries only",
    .sniff = sniff,
    .parse = parse,
};
