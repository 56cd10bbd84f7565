/*
 * fmt_bencher.c: the "bencher" text format: libtest's `cargo bench` output
 * and Criterion's `-- --output-format bencher`.
 *
 *   test <id> ... bench:       13433 ns/iter (+/- 76)
 *
 * One whole number of ns per iteration per benchmark, no samples, so every
 * result is summary-only: the number is kept as the mean (Criterion prints
 * its point estimate there, libtest its median; either is one location
 * figure, compared like with like). The "+/-" spread is not a standard
 * deviation in either tool, so it is not stored as one. libtest separates
 * thousands with commas; those are accepted.
 */
#include "core/bg.h"
#include "collector/formats.h"
#include "core/num.h"

#include <math.h>

#define MAX_LINE 65536

static const char marker[] = " ... bench:";

static bool isdigit_ascii(char c)
{
    return c >= '0' && c <= '9';
}

/* The parts of a bencher line; false when it is not one. */
static bool split(const char *line, size_t n, const char **id, size_t *id_len,
                  const char **num, size_t *num_len)
{
    const char *m, *p, *end = line + n;

    if (n < 5 || strncmp(line, "test ", 5) != 0)
        return false;
    for (m = line + 5; m + sizeof(marker) - 1 <= end; m++) {
        if (memcmp(m, marker, sizeof(marker) - 1) == 0)
            break;
    }
    if (m + sizeof(marker) - 1 > end)
        return false;
    *id = line + 5;
    *id_len = (size_t)(m - *id);
    while (*id_len > 0 && (*id)[*id_len - 1] == ' ')
        (*id_len)--; /* libtest pads names into a column: padding is not identity */
    p = m + sizeof(marker) - 1;
    while (p < end && *p == ' ')
        p++;
    *num = p;
    while (p < end && (isdigit_ascii(*p) || *p == ',' || *p == '.' || *p == '-'))
        p++;
    *num_len = (size_t)(p - *num);
    return *num_len > 0 && (size_t)(end - p) >= 8 && strncmp(p, " ns/iter", 8) == 0;
}

static bool sniff(const struct bg_input *in)
{
    size_t start = 0, limit = in->len < (1u << 20) ? in->len : (1u << 20);

    while (start < limit) {
        const char *nl = memchr(in->data + start, '\n', limit - start);
        size_t end = nl != NULL ? (size_t)(nl - in->data) : limit, id_len, num_len;
        const char *id, *num;

        if (split(in->data + start, end - start, &id, &id_len, &num, &num_len))
            return true;
        start = end + 1;
    }
    return false;
}

static int parse(const struct bg_input *in, struct bg_run *run, struct bg_diag *d)
{
    size_t start = 0, lineno = 0;

    while (start < in->len) {
        const char *nl = memchr(in->data + start, '\n', in->len - start);
        size_t end = nl != NULL ? (size_t)(nl - in->data) : in->len, id_len, num_len, k = 0;
        const char *id, *num, *why;
        char name[BG_NAME_MAX + 1], digits[64];
        struct bg_result *res;
        double v;

        lineno++;
        if (end - start > MAX_LINE)
            return bg_fail(d, "%s:%zu: line longer than %d bytes", in->path, lineno, MAX_LINE);
        if (!split(in->data + start, end - start, &id, &id_len, &num, &num_len)) {
            start = end + 1;
            continue; /* cargo's and Criterion's other lines */
        }
        if (id_len == 0 || id_len > BG_NAME_MAX)
            return bg_fail(d, "%s:%zu: benchmark name is empty or too long", in->path, lineno);
        memcpy(name, id, id_len);
        name[id_len] = '\0';
        why = bg_bench_name_problem(name);
        if (why != NULL)
            return bg_fail(d, "%s:%zu: benchmark name %s", in->path, lineno, why);
        for (size_t i = 0; i < num_len && k + 1 < sizeof(digits); i++) {
            if (num[i] != ',')
                digits[k++] = num[i];
        }
        digits[k] = '\0';
        if (bg_parse_double(digits, 0.0, 1e18, &v, &why) < 0)
            return bg_fail(d, "%s:%zu: '%s' ns/iter: %s", in->path, lineno, digits,
                           strcmp(why, "too small") == 0 ? "negative" : why);
        if (run->n_results >= BG_MAX_RESULTS)
            return bg_fail(d, "%s: more than %d results", in->path, BG_MAX_RESULTS);
        res = bg_run_add_result(run, name, "time", "ns", BG_DIR_LOWER);
        res->summary_only = true;
        res->sum.n = 0; /* the tools do not say how many samples stand behind it */
        res->sum.mean = v;
        res->sum.min = res->sum.max = res->sum.median = res->sum.p95 = res->sum.stddev = NAN;
        start = end + 1;
    }
    if (run->n_results == 0)
        return bg_fail(d, "%s: no 'test ... bench:' lines", in->path);
    return 0;
}

const struct bg_format bg_format_bencher = {
    .name = "bencher",
    .summary = "bencher text: cargo bench (libtest) or Criterion --output-format bencher",
    .sniff = sniff,
    .parse = parse,
};
