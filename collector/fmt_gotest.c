/*
 * fmt_gotest.c: `go test -bench` output, plain text and -json (test2json).
 *
 * A result line is "<Name>[-<GOMAXPROCS>] <iterations> <value> <unit>...":
 * each line is one sample of each of its metrics (-count N gives N lines).
 * Units: ns/op -> "time" (ns); MB/s -> "throughput" (B/s); B/op ->
 * "bytes_per_op"; allocs/op -> "allocs_per_op"; any other (b.ReportMetric)
 * -> a metric named after its unit, higher-is-better when it ends in "/s".
 * Names are unique per package only, so the stored name is
 * "<import path>.<printed name>"; the "-2" suffix stays, since GOMAXPROCS
 * is part of what was measured. "--- FAIL"/"--- SKIP" benchmarks are
 * reported as warnings and store nothing.
 *
 * test2json splits result lines across "output" events and misattributes
 * the Test field, so the Output text is joined per Package, in order, and
 * then read exactly as plain text is.
 */
#include "core/bg.h"
#include "collector/formats.h"
#include "core/buf.h"
#include "core/num.h"

#include <ctype.h>

#define MAX_LINE 65536
#define MAX_TOKENS 64

struct go_parse {
    const char *path;
    char *pkg;                 /* the current package (owned), NULL before any */
    bool json;                 /* for messages: output lines of a -json stream */
    size_t line;
    struct bg_run *run;
    struct bg_result_index idx;
    char **failed;             /* qualified names of failed or skipped benchmarks */
    size_t n_failed, cap_failed;
    struct bg_diag *d;
};

/* "PATH:LINE: ..." for text, "PATH: package P, output line N: ..." for -json. */
static int fail_at(struct go_parse *p, const char *fmt, ...) BG_PRINTF(2, 3);

static int fail_at(struct go_parse *p, const char *fmt, ...)
{
    char what[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (p->json)
        return bg_fail(p->d, "%s: package %.200s, output line %zu: %s", p->path,
                       p->pkg != NULL ? p->pkg : "", p->line, what);
    return bg_fail(p->d, "%s:%zu: %s", p->path, p->line, what);
}

static void set_pkg(struct go_parse *p, const char *pkg)
{
    free(p->pkg);
    p->pkg = pkg != NULL && *pkg != '\0' ? bg_xstrdup(pkg) : NULL;
}

/* "<pkg>.<name>" (or the name alone before any pkg: line); caller frees. */
static char *qualify(const struct go_parse *p, const char *name)
{
    struct bg_buf b = BG_BUF_INIT;

    if (p->pkg != NULL)
        bg_buf_addf(&b, "%s.", p->pkg);
    bg_buf_adds(&b, name);
    return bg_buf_detach(&b, NULL);
}

/* Splits line (NUL-terminated, modified) at runs of spaces and tabs. */
static size_t tokenize(char *line, char **tok, size_t max)
{
    size_t n = 0;
    char *s = line;

    while (*s != '\0' && n < max) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '\0')
            break;
        tok[n++] = s;
        while (*s != '\0' && *s != ' ' && *s != '\t')
            s++;
        if (*s != '\0')
            *s++ = '\0';
    }
    return n;
}

static bool all_digits(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s != '\0'; s++) {
        if (!isdigit((unsigned char)*s))
            return false;
    }
    return true;
}

static void mark_failed(struct go_parse *p, const char *name, const char *why)
{
    char *q = qualify(p, name);

    for (size_t i = 0; i < p->n_failed; i++) {
        if (strcmp(p->failed[i], q) == 0) {
            free(q);
            return;
        }
    }
    bg_run_warn(p->run, "%s: benchmark '%s' %s: nothing stored for it", p->path, q, why);
    BG_GROW(p->failed, p->cap_failed, p->n_failed + 1);
    p->failed[p->n_failed++] = q;
}

static bool is_rate(const char *unit)
{
    size_t n = strlen(unit);

    return n >= 2 && strcmp(unit + n - 2, "/s") == 0;
}

/* One "<value> <unit>" pair of a result line into its result. */
static int add_metric(struct go_parse *p, const char *qname, const char *value,
                      const char *unit)
{
    const char *metric = unit, *stored_unit = unit, *why;
    enum bg_direction dir = is_rate(unit) ? BG_DIR_HIGHER : BG_DIR_LOWER;
    double scale = 1.0, v;
    struct bg_result *res;

    if (bg_parse_double(value, 0.0, 1e300, &v, &why) < 0)
        return fail_at(p, "%s value '%.40s' is %s", unit, value,
                       strcmp(why, "too small") == 0 ? "negative" : why);
    if (strlen(unit) > 64 || bg_name_problem(unit) != NULL)
        return fail_at(p, "'%.40s' is not a unit", unit);
    if (strcmp(unit, "ns/op") == 0) {
        metric = "time";
        stored_unit = "ns";
    } else if (strcmp(unit, "MB/s") == 0) {
        metric = "throughput";
        stored_unit = "B/s";
        scale = 1e6;
    } else if (strcmp(unit, "B/op") == 0) {
        metric = "bytes_per_op";
        stored_unit = "B";
    } else if (strcmp(unit, "allocs/op") == 0) {
        metric = "allocs_per_op";
        stored_unit = "allocs";
    }
    res = bg_result_index_get(&p->idx, p->run, qname, metric, stored_unit, dir);
    if (res == NULL)
        return fail_at(p, "more than %d results", BG_MAX_RESULTS);
    if (res->n_samples >= BG_MAX_SAMPLES)
        return fail_at(p, "more than %d samples for one benchmark", BG_MAX_SAMPLES);
    bg_result_add_sample(res, v * scale);
    return 0;
}

static int parse_result(struct go_parse *p, char **tok, size_t n)
{
    const char *why;
    char *qname;
    int64_t iters;
    bool has_time = false;
    int rc = 0;

    if (n % 2 != 0)
        return fail_at(p, "'%.80s': a value without its unit", tok[0]);
    if (bg_parse_int64(tok[1], 1, INT64_C(1000000000000000), &iters, &why) < 0)
        return fail_at(p, "'%.80s': iteration count %s", tok[0], why);
    why = bg_bench_name_problem(tok[0]);
    if (why != NULL)
        return fail_at(p, "benchmark name %s", why);
    for (size_t i = 2; i < n; i += 2)
        has_time |= strcmp(tok[i + 1], "ns/op") == 0;
    if (!has_time)
        return fail_at(p, "'%.80s': no ns/op in the result", tok[0]);
    qname = qualify(p, tok[0]);
    if (bg_bench_name_problem(qname) != NULL)
        rc = fail_at(p, "'%.80s': qualified name too long", tok[0]);
    for (size_t i = 2; rc == 0 && i < n; i += 2)
        rc = add_metric(p, qname, tok[i], tok[i + 1]);
    free(qname);
    return rc;
}

/* One line of go test output (line is modified). */
static int parse_line(struct go_parse *p, char *line)
{
    char *tok[MAX_TOKENS];
    size_t n;

    if (strncmp(line, "pkg: ", 5) == 0) {
        const char *why = bg_name_problem(line + 5);

        if (why != NULL)
            return fail_at(p, "package name %s", why);
        set_pkg(p, line + 5);
        return 0;
    }
    if (strncmp(line, "--- FAIL: ", 10) == 0 || strncmp(line, "--- SKIP: ", 10) == 0) {
        n = tokenize(line + 10, tok, 2);
        if (n >= 1 && strncmp(tok[0], "Benchmark", 9) == 0)
            mark_failed(p, tok[0], line[4] == 'F' ? "failed" : "was skipped");
        return 0;
    }
    if (strncmp(line, "Benchmark", 9) != 0)
        return 0; /* headers, PASS/ok/FAIL trailers, b.Log output, -v name lines */
    n = tokenize(line, tok, MAX_TOKENS);
    if (n >= MAX_TOKENS)
        return fail_at(p, "'%.80s': more than %d fields", tok[0], MAX_TOKENS - 1);
    if (n >= 3 && strcmp(tok[1], "---") == 0 && strcmp(tok[2], "FAIL:") == 0) {
        mark_failed(p, tok[0], "failed"); /* "<Name>-2 --- FAIL: <Name>-2": never got numbers */
        return 0;
    }
    if (n < 2 || !all_digits(tok[1]))
        return 0; /* a -v name-only line */
    return parse_result(p, tok, n);
}

/* Feeds text through parse_line, one line at a time, via a bounded copy. */
static int parse_text(struct go_parse *p, const char *text, size_t len)
{
    char *line = bg_xmalloc(MAX_LINE + 1);
    size_t start = 0;
    int rc = 0;

    p->line = 0;
    while (rc == 0 && start < len) {
        const char *nl = memchr(text + start, '\n', len - start);
        size_t end = nl != NULL ? (size_t)(nl - text) : len, n = end - start;

        p->line++;
        if (n > MAX_LINE) {
            rc = fail_at(p, "line longer than %d bytes", MAX_LINE);
            break;
        }
        if (n > 0 && text[end - 1] == '\r')
            n--;
        if (memchr(text + start, '\0', n) != NULL) {
            rc = fail_at(p, "a NUL byte in the text");
            break;
        }
        memcpy(line, text + start, n);
        line[n] = '\0';
        rc = parse_line(p, line);
        start = end + 1;
    }
    free(line);
    return rc;
}

static bool result_line(const char *s, size_t n)
{
    char line[512], *tok[4];
    size_t k;

    if (n < 10 || strncmp(s, "Benchmark", 9) != 0)
        return false;
    if (n >= sizeof(line))
        n = sizeof(line) - 1;
    memcpy(line, s, n);
    line[n] = '\0';
    k = tokenize(line, tok, 4);
    return k >= 4 && all_digits(tok[1]) && tok[2][0] != '\0' && isdigit((unsigned char)tok[2][0]);
}

static bool is_test2json(const struct bg_input *in)
{
    const char *nl;
    cJSON *first;
    bool yes;
    size_t n;

    if (in->len == 0 || in->data[0] != '{')
        return false;
    nl = memchr(in->data, '\n', in->len);
    n = nl != NULL ? (size_t)(nl - in->data) : in->len;
    first = cJSON_ParseWithLength(in->data, n);
    yes = cJSON_IsString(bg_json_get(first, "Action"));
    cJSON_Delete(first);
    return yes;
}

static bool sniff(const struct bg_input *in)
{
    size_t start = 0, limit = in->len < (1u << 20) ? in->len : (1u << 20);

    if (is_test2json(in))
        return true;
    while (start < limit) {
        const char *nl = memchr(in->data + start, '\n', limit - start);
        size_t end = nl != NULL ? (size_t)(nl - in->data) : limit;

        if (result_line(in->data + start, end - start))
            return true;
        start = end + 1;
    }
    return false;
}

/* Output text of one package in a -json stream, joined in order. */
struct pkg_out {
    char *name;
    struct bg_limbuf text;
};

static int parse_json_stream(struct go_parse *p, const struct bg_input *in)
{
    struct pkg_out *pkgs = NULL;
    size_t n_pkgs = 0, cap_pkgs = 0, start = 0, lineno = 0;
    int rc = -1;

    while (start < in->len) {
        const char *nl = memchr(in->data + start, '\n', in->len - start);
        size_t end = nl != NULL ? (size_t)(nl - in->data) : in->len;
        const cJSON *action, *pkg, *output;
        const char *end_ptr = NULL;
        cJSON *ev;
        size_t k;

        lineno++;
        if (end == start) {
            start = end + 1;
            continue;
        }
        ev = cJSON_ParseWithLengthOpts(in->data + start, end - start, &end_ptr, 0);
        if (ev == NULL || !cJSON_IsObject(ev)) {
            cJSON_Delete(ev);
            bg_fail(p->d, "%s:%zu: not a test2json event (invalid JSON)", p->path, lineno);
            goto out;
        }
        action = bg_json_get(ev, "Action");
        pkg = bg_json_get(ev, "Package");
        output = bg_json_get(ev, "Output");
        if (!cJSON_IsString(action)) {
            cJSON_Delete(ev);
            bg_fail(p->d, "%s:%zu: Action: missing, expected a string", p->path, lineno);
            goto out;
        }
        if (strcmp(action->valuestring, "output") == 0 && cJSON_IsString(output)) {
            const char *name = cJSON_IsString(pkg) ? pkg->valuestring : "";

            for (k = 0; k < n_pkgs && strcmp(pkgs[k].name, name) != 0; k++)
                ;
            if (k == n_pkgs) {
                BG_GROW(pkgs, cap_pkgs, n_pkgs + 1);
                pkgs[n_pkgs].name = bg_xstrdup(name);
                pkgs[n_pkgs].text = (struct bg_limbuf)BG_LIMBUF_INIT(BG_MAX_INPUT);
                n_pkgs++;
            }
            if (bg_limbuf_adds(&pkgs[k].text, output->valuestring) < 0) {
                cJSON_Delete(ev);
                bg_fail(p->d, "%s:%zu: package output too large", p->path, lineno);
                goto out;
            }
        }
        cJSON_Delete(ev);
        start = end + 1;
    }
    for (size_t k = 0; k < n_pkgs; k++) {
        set_pkg(p, pkgs[k].name);
        if (parse_text(p, pkgs[k].text.buf.data, pkgs[k].text.buf.len) < 0)
            goto out;
    }
    rc = 0;
out:
    for (size_t k = 0; k < n_pkgs; k++) {
        free(pkgs[k].name);
        bg_buf_release(&pkgs[k].text.buf);
    }
    free(pkgs);
    return rc;
}

/* Drops every result of a benchmark that failed or was skipped. */
static void drop_failed(struct go_parse *p)
{
    for (size_t f = 0; f < p->n_failed; f++) {
        for (size_t i = p->run->n_results; i-- > 0;) {
            if (strcmp(p->run->results[i].name, p->failed[f]) == 0)
                bg_run_drop_result(p->run, i);
        }
    }
}

static int parse(const struct bg_input *in, struct bg_run *run, struct bg_diag *d)
{
    struct go_parse p = { .path = in->path, .run = run, .d = d };
    int rc;

    p.json = is_test2json(in);
    rc = p.json ? parse_json_stream(&p, in) : parse_text(&p, in->data, in->len);
    if (rc == 0) {
        drop_failed(&p);
        if (run->n_results == 0)
            rc = bg_fail(d, "%s: no benchmark results (go test -bench printed none)", in->path);
    }
    for (size_t i = 0; i < p.n_failed; i++)
        free(p.failed[i]);
    free(p.failed);
    bg_result_index_release(&p.idx);
    free(p.pkg);
    return rc;
}

const struct bg_format bg_format_go = {
    .name = "go",
    .summary = "go test -bench output, plain text or -json (test2json)",
    .sniff = sniff,
    .parse = parse,
};
