/* chart.c: gnuplot as a chart renderer (see chart.h). */
#include "core/bg.h"
#include "server/chart.h"
#include "core/spawn.h"
#include "server/cache.h"

#include <ctype.h>
#include <math.h>
#include <nettle/sha2.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Bump when the script text changes, so cached charts are drawn anew. */
#define SCRIPT_VERSION "benchgate-chart-2"
#define SVG_MAX (4u << 20)    /* bytes in one rendered chart */
#define DATA_MAX (16u << 20)  /* bytes in one chart's data file */

static struct chart_config cfg = { "gnuplot", 10000, 2 };
static bool available;
static char tmp_base[256] = "/tmp";

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slot_free = PTHREAD_COND_INITIALIZER;
static struct chart_stats stats;

void chart_init(struct chart *c, enum chart_kind kind, const struct chart_point *pts, size_t n)
{
    memset(c, 0, sizeof(*c));
    c->kind = kind;
    c->pts = pts;
    c->n = n;
    c->baseline = NAN;
    c->svg = (struct bg_buf)BG_BUF_INIT;
}

void chart_release(struct chart *c)
{
    bg_buf_release(&c->svg);
}

bool chart_available(void)
{
    return available;
}

void chart_stats(struct chart_stats *out)
{
    pthread_mutex_lock(&lock);
    *out = stats;
    pthread_mutex_unlock(&lock);
}

static void count(uint64_t *counter, uint64_t n)
{
    pthread_mutex_lock(&lock);
    *counter += n;
    pthread_mutex_unlock(&lock);
}

/* A directory name that is safe inside a single-quoted gnuplot string. */
static bool safe_path(const char *s)
{
    if (*s != '/')
        return false;
    for (; *s != '\0'; s++) {
        if (!isalnum((unsigned char)*s) && strchr("/._-", *s) == NULL)
            return false;
    }
    return true;
}

bool chart_setup(const struct chart_config *config)
{
    const char *tmp = getenv("TMPDIR");
    struct bg_limbuf out = BG_LIMBUF_INIT(4096);
    const char *argv[] = { config->program, "--version", NULL };
    const char *envp[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C", NULL };

    cfg = *config;
    if (tmp != NULL && strlen(tmp) < sizeof(tmp_base) && safe_path(tmp))
        snprintf(tmp_base, sizeof(tmp_base), "%s", tmp);
    available = bg_spawn_capture(argv, envp, &out, 5000) == 0 &&
                strstr(out.buf.data, "gnuplot") != NULL;
    bg_buf_release(&out.buf);
    if (!available)
        bg_warn("'%s --version' did not run: the pages will have no charts (install gnuplot, "
                "e.g. the gnuplot-nox package, or give --gnuplot PATH)", config->program);
    return available;
}

/* ---- data and script: the script is fixed text, everything else is data ---- */

static bool finite_any(const struct chart *c, size_t field)
{
    for (size_t i = 0; i < c->n; i++) {
        const double v[] = { c->pts[i].p95, c->pts[i].median, c->pts[i].lo, c->pts[i].hi };

        if (isfinite(v[field]) && (field < 2 || isfinite(v[field == 2 ? 3 : 2])))
            return true;
    }
    return false;
}

enum { F_P95, F_MEDIAN, F_BAND };

static void add_num(struct bg_buf *b, double v)
{
    if (isfinite(v))
        bg_buf_addf(b, "\t%.17g", v);
    else
        bg_buf_adds(b, "\tNaN");
}

/* A label cut to letters, digits and . : - (never a quote, tab or newline). */
static void add_label(struct bg_buf *b, const char *s)
{
    bg_buf_adds(b, "\t");
    for (size_t i = 0; s[i] != '\0' && i < sizeof(((struct chart_point *)0)->label); i++)
        bg_buf_addf(b, "%c", isalnum((unsigned char)s[i]) || strchr(".:-", s[i]) ? s[i] : '-');
    bg_buf_adds(b, "\n");
}

/* Ends a data block; gnuplot's `index N` counts blocks split by two blank lines. */
static void end_block(struct bg_buf *b, int *blocks)
{
    bg_buf_adds(b, "\n\n");
    (*blocks)++;
}

static void range_y(const struct chart *c, double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t i = 0; i < c->n; i++) {
        const double v[] = { c->pts[i].p95, c->pts[i].median, c->pts[i].lo, c->pts[i].hi,
                             c->baseline };

        for (size_t j = 0; j < ARRAY_SIZE(v); j++) {
            if (isfinite(v[j])) {
                *lo = fmin(*lo, v[j]);
                *hi = fmax(*hi, v[j]);
            }
        }
    }
}

/*
 * Writes the chart's data file into data and the gnuplot commands that
 * draw it from path into script. Both are functions of the chart only, so
 * together (with path "") they are its cache key.
 */
static void history_job(const struct chart *c, const char *path, struct bg_buf *data,
                        struct bg_buf *script)
{
    int blocks = 0, b_labels = -1, b_marks = -1, b_base = -1;
    double ylo, yhi, x0 = c->pts[0].x, x1 = c->pts[c->n - 1].x;

    for (size_t i = 0; i < c->n; i++) {
        bg_buf_addf(data, "%.17g", c->pts[i].x);
        add_num(data, c->pts[i].p95);
        add_num(data, c->pts[i].median);
        add_num(data, c->pts[i].lo);
        add_num(data, c->pts[i].hi);
        bg_buf_adds(data, "\n");
    }
    end_block(data, &blocks);
    if (!c->time_axis) {
        for (size_t i = 0; i < c->n; i++) {
            if (c->pts[i].label[0] != '\0') {
                bg_buf_addf(data, "%.17g", c->pts[i].x);
                add_label(data, c->pts[i].label);
                b_labels = blocks;
            }
        }
        if (b_labels >= 0)
            end_block(data, &blocks);
    }
    range_y(c, &ylo, &yhi);
    for (size_t i = 0; i < c->n_marks; i++) {
        if (c->marks[i] < c->n && isfinite(ylo)) {
            bg_buf_addf(data, "%.17g\t%.17g\t0\t%.17g\n", c->pts[c->marks[i]].x, ylo, yhi - ylo);
            b_marks = blocks;
        }
    }
    if (b_marks >= 0)
        end_block(data, &blocks);
    if (isfinite(c->baseline)) {
        bg_buf_addf(data, "%.17g\t%.17g\n%.17g\t%.17g\n", x0, c->baseline, x1, c->baseline);
        b_base = blocks;
        end_block(data, &blocks);
    }

    bg_buf_addf(script,
                "reset\n"
                "set terminal svg size 880,340 noenhanced font 'sans,11' background rgb 'white'\n"
                "set output '%s.svg'\n"
                "set datafile separator \"\\t\"\n"
                "set border 3 lc rgb '#999999'\n"
                "set grid ytics lc rgb '#e6e6e6'\n"
                "set key top left horizontal samplen 2 font ',10'\n"
                "set ytics nomirror\n"
                "set lmargin 10\n"
                "set offsets graph 0.01, graph 0.01, graph 0.12, graph 0.05\n",
                path);
    if (c->time_axis)
        bg_buf_adds(script, "set xdata time\nset timefmt '%s'\nset format x '%m-%d'\n"
                    "set xtics nomirror rotate by -40 font ',9'\n");
    else if (b_labels >= 0)
        bg_buf_adds(script, "set xtics nomirror rotate by -40 font ',9'\n");
    else
        bg_buf_adds(script, "unset xtics\n");
    bg_buf_adds(script, "plot ");
    if (finite_any(c, F_BAND))
        bg_buf_addf(script, "'%s.dat' index 0 using 1:4:5 with filledcurves fc rgb '#cfe2f3' "
                    "fs solid 0.7 noborder title 'min-max', ", path);
    if (finite_any(c, F_MEDIAN))
        bg_buf_addf(script, "'%s.dat' index 0 using 1:3 with lines lw 1.2 dt 2 "
                    "lc rgb '#555555' title 'median', ", path);
    if (b_labels >= 0)
        bg_buf_addf(script, "'%s.dat' index %d using 1:(NaN):xticlabels(2) notitle, ", path,
                    b_labels);
    if (b_base >= 0)
        bg_buf_addf(script, "'%s.dat' index %d using 1:2 with lines lw 1.5 dt 3 "
                    "lc rgb '#2ca02c' title 'baseline p95', ", path, b_base);
    if (b_marks >= 0)
        bg_buf_addf(script, "'%s.dat' index %d using 1:2:3:4 with vectors nohead lw 1.5 dt 2 "
                    "lc rgb '#d62728' title 'change point', ", path, b_marks);
    /* last, so the p95 line is drawn on top; finite_any() made sure it has points */
    bg_buf_addf(script, "'%s.dat' index 0 using 1:2 with linespoints lw 2 pt 7 ps 0.5 "
                "lc rgb '#1f77b4' title 'p95'\nunset output\n", path);
}

static void sparkline_job(const struct chart *c, const char *path, struct bg_buf *data,
                          struct bg_buf *script)
{
    int blocks = 0;
    size_t last = c->n;

    for (size_t i = 0; i < c->n; i++) {
        bg_buf_addf(data, "%.17g", c->pts[i].x);
        add_num(data, c->pts[i].p95);
        bg_buf_adds(data, "\n");
        if (isfinite(c->pts[i].p95))
            last = i;
    }
    end_block(data, &blocks);
    bg_buf_addf(data, "%.17g", c->pts[last].x);
    add_num(data, c->pts[last].p95);
    bg_buf_adds(data, "\n");
    end_block(data, &blocks);
    bg_buf_addf(script,
                "reset\n"
                "set terminal svg size 120,30 noenhanced background rgb 'white'\n"
                "set output '%s.svg'\n"
                "set datafile separator \"\\t\"\n"
                "unset key\nunset border\nunset tics\nunset grid\n"
                "set margins 0,0,0,0\n"
                "set offsets graph 0.02, graph 0.04, graph 0.15, graph 0.15\n"
                "plot '%s.dat' index 0 using 1:2 with lines lw 1.5 lc rgb '#1f77b4', "
                "'%s.dat' index 1 using 1:2 with points pt 7 ps 0.35 lc rgb '#1f77b4'\n"
                "unset output\n",
                path, path, path);
}

static void make_job(const struct chart *c, const char *path, struct bg_buf *data,
                     struct bg_buf *script)
{
    if (c->kind == CHART_HISTORY)
        history_job(c, path, data, script);
    else
        sparkline_job(c, path, data, script);
}

/* The cache key of a chart: a hash of its script and data. False when the
 * data is more than DATA_MAX: such a chart is not drawn. */
static bool chart_key(const struct chart *c, char key[2 * SHA256_DIGEST_SIZE + 1])
{
    struct bg_buf data = BG_BUF_INIT, script = BG_BUF_INIT;
    uint8_t digest[SHA256_DIGEST_SIZE];
    struct sha256_ctx ctx;
    bool fits;

    make_job(c, "", &data, &script);
    fits = data.len <= DATA_MAX;
    sha256_init(&ctx);
    sha256_update(&ctx, sizeof(SCRIPT_VERSION), (const uint8_t *)SCRIPT_VERSION);
    sha256_update(&ctx, script.len + 1, (const uint8_t *)script.data);
    sha256_update(&ctx, data.len, (const uint8_t *)data.data);
    sha256_digest(&ctx, sizeof(digest), digest);
    for (size_t i = 0; i < sizeof(digest); i++)
        snprintf(key + 2 * i, 3, "%02x", digest[i]);
    bg_buf_release(&data);
    bg_buf_release(&script);
    return fits;
}

/* ---- running gnuplot ---- */

static int write_file(const char *path, const struct bg_buf *b)
{
    FILE *f = fopen(path, "wx");
    bool ok;

    if (f == NULL)
        return -1;
    ok = fwrite(b->data, 1, b->len, f) == b->len;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static bool svg_ok(const struct bg_buf *b)
{
    return b->len > 0 && strstr(b->data, "<svg") != NULL && strstr(b->data, "</svg>") != NULL;
}

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Draws jobs[0..n) in one gnuplot run in a fresh private directory, which
 * is removed afterwards; gnuplot is stopped after timeout_ms. Returns -1
 * when gnuplot failed or timed out (each chart's problem is set), else 0.
 */
static int draw(struct chart *const *jobs, size_t n, int timeout_ms, bool *timed_out)
{
    char dir[300], path[400], home[320];
    struct bg_buf script = BG_BUF_INIT;
    const char *envp[] = { "PATH=/usr/local/bin:/usr/bin:/bin", home, "LC_ALL=C", NULL };
    int rc = -1, status;
    int64_t t0;

    *timed_out = false;
    snprintf(dir, sizeof(dir), "%s/benchgate-chart.XXXXXX", tmp_base);
    if (mkdtemp(dir) == NULL) {
        bg_warn("cannot make a directory for charts in %s: %s", tmp_base, strerror(errno));
        goto out;
    }
    /* no ~/.gnuplot of the server's user is read */
    snprintf(home, sizeof(home), "HOME=%s", dir);
    for (size_t i = 0; i < n; i++) {
        struct bg_buf data = BG_BUF_INIT; /* within DATA_MAX: chart_render checked */
        int w;

        snprintf(path, sizeof(path), "%s/c%zu", dir, i);
        make_job(jobs[i], path, &data, &script);
        snprintf(path, sizeof(path), "%s/c%zu.dat", dir, i);
        w = write_file(path, &data);
        bg_buf_release(&data);
        if (w < 0) {
            bg_warn("cannot write chart data to %s: %s", path, strerror(errno));
            goto clean;
        }
    }
    snprintf(path, sizeof(path), "%s/charts.gp", dir);
    if (write_file(path, &script) < 0) {
        bg_warn("cannot write %s: %s", path, strerror(errno));
        goto clean;
    }
    {
        const char *argv[] = { cfg.program, path, NULL };

        t0 = mono_ms();
        status = bg_spawn_capture(argv, envp, NULL, timeout_ms); /* its output is files */
        *timed_out = status < 0 && mono_ms() - t0 >= timeout_ms;
    }
    count(&stats.runs, 1);
    if (status != 0) {
        bg_warn("%s %s for %zu chart%s", cfg.program,
                *timed_out ? "took too long and was stopped" : "failed", n, n == 1 ? "" : "s");
        goto clean;
    }
    rc = 0;
    for (size_t i = 0; i < n; i++) {
        struct bg_diag d = { "" };

        snprintf(path, sizeof(path), "%s/c%zu.svg", dir, i);
        bg_buf_reset(&jobs[i]->svg);
        if (bg_buf_read_file(&jobs[i]->svg, path, SVG_MAX, &d) < 0 || !svg_ok(&jobs[i]->svg)) {
            bg_buf_reset(&jobs[i]->svg);
            jobs[i]->problem = "the chart could not be drawn";
            rc = -1;
        }
    }
    count(&stats.charts_drawn, n);
clean:
    for (size_t i = 0; i < n; i++) {
        static const char *const ext[] = { "dat", "svg" };

        for (size_t e = 0; e < ARRAY_SIZE(ext); e++) {
            snprintf(path, sizeof(path), "%s/c%zu.%s", dir, i, ext[e]);
            unlink(path);
        }
    }
    snprintf(path, sizeof(path), "%s/charts.gp", dir);
    unlink(path);
    if (rmdir(dir) < 0)
        bg_warn("cannot remove %s: %s", dir, strerror(errno));
out:
    if (rc < 0) {
        for (size_t i = 0; i < n; i++) {
            if (jobs[i]->problem == NULL) {
                bg_buf_reset(&jobs[i]->svg);
                jobs[i]->problem = *timed_out ? "drawing the chart took too long"
                                              : "the chart could not be drawn";
            }
        }
    }
    bg_buf_release(&script);
    return rc;
}

/* Waits for one of the max_procs slots until deadline; false if none came. */
static bool take_slot(const struct timespec *deadline)
{
    bool got;

    pthread_mutex_lock(&lock);
    while (stats.running >= (long)cfg.max_procs) {
        if (pthread_cond_timedwait(&slot_free, &lock, deadline) == ETIMEDOUT)
            break;
    }
    got = stats.running < (long)cfg.max_procs;
    if (got)
        stats.running++;
    pthread_mutex_unlock(&lock);
    return got;
}

static void give_slot(void)
{
    pthread_mutex_lock(&lock);
    stats.running--;
    pthread_cond_signal(&slot_free);
    pthread_mutex_unlock(&lock);
}

static bool drawable(const struct chart *c)
{
    return c->n > 0 && finite_any(c, F_P95);
}

void chart_render(struct chart *const *charts, size_t n)
{
    struct chart **todo = bg_xcalloc(n > 0 ? n : 1, sizeof(*todo));
    char (*keys)[2 * SHA256_DIGEST_SIZE + 1] = bg_xcalloc(n > 0 ? n : 1, sizeof(*keys));
    size_t n_todo = 0;
    struct timespec deadline;
    int64_t end; /* --chart-timeout for all of it, waiting for a slot included */

    for (size_t i = 0; i < n; i++) {
        struct chart *c = charts[i];

        bg_buf_reset(&c->svg);
        c->problem = NULL;
        if (!drawable(c)) {
            c->problem = "no values to draw";
            continue;
        }
        if (!chart_key(c, keys[n_todo])) {
            c->problem = "too many points to draw";
            continue;
        }
        if (cache_get(cache_charts, keys[n_todo], 0, &c->svg)) {
            count(&stats.cache_hits, 1);
            continue;
        }
        if (!available) {
            c->problem = "charts are unavailable: gnuplot is not installed on the server";
            continue;
        }
        todo[n_todo++] = c;
    }
    if (n_todo == 0)
        goto out;
    end = mono_ms() + cfg.timeout_ms;
    clock_gettime(CLOCK_REALTIME, &deadline); /* what pthread_cond_timedwait reads */
    deadline.tv_sec += cfg.timeout_ms / 1000;
    deadline.tv_nsec += (long)(cfg.timeout_ms % 1000) * 1000000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    if (!take_slot(&deadline)) {
        for (size_t i = 0; i < n_todo; i++)
            todo[i]->problem = "the server is busy drawing other charts; reload later";
        count(&stats.failures, n_todo);
        goto out;
    }
    {
        bool timed_out = false;
        int64_t left = end - mono_ms();

        /* one bad chart must not cost the others theirs: draw them one by one
         * then, in what is left of the time */
        if (left <= 0 || (draw(todo, n_todo, (int)left, &timed_out) < 0 && n_todo > 1)) {
            for (size_t i = 0; i < n_todo; i++) {
                left = end - mono_ms();
                if (timed_out || left <= 0) {
                    bg_buf_reset(&todo[i]->svg);
                    todo[i]->problem = "drawing the chart took too long";
                    continue;
                }
                todo[i]->problem = NULL;
                draw(&todo[i], 1, (int)left, &timed_out);
            }
        }
    }
    give_slot();
    for (size_t i = 0; i < n_todo; i++) {
        if (todo[i]->problem == NULL)
            cache_put(cache_charts, keys[i], 0, todo[i]->svg.data, todo[i]->svg.len);
        else
            count(&stats.failures, 1);
    }
out:
    free(todo);
    free(keys);
}

const char *chart_svg_element(const struct chart *c)
{
    const char *svg = c->problem == NULL ? strstr(c->svg.data, "<svg") : NULL;

    return svg != NULL ? svg : "";
}
