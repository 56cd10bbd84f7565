/* chart.c: gnuplot run as a chart renderer, with a deadline and a cache (see chart.h). */
#include "core/bg.h"
#include "server/chart.h"
#include "server/chart_script.h"
#include "core/deadline.h"
#include "core/spawn.h"
#include "server/cache.h"

#include <ctype.h>
#include <math.h>
#include <nettle/sha2.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const struct bg_int_range chart_timeout_range = { 1, 600 };

/* Bump when the script text changes, so cached charts are drawn anew. */
#define SCRIPT_VERSION "benchgate-chart-3"
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

/* The cache key of a chart: a hash of its script and data. False when the
 * data is more than DATA_MAX: such a chart is not drawn. */
static bool chart_key(const struct chart *c, char key[2 * SHA256_DIGEST_SIZE + 1])
{
    struct bg_buf data = BG_BUF_INIT, script = BG_BUF_INIT;
    uint8_t digest[SHA256_DIGEST_SIZE];
    struct sha256_ctx ctx;
    bool fits;

    chart_job(c, "", &data, &script);
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

/*
 * gnuplot's svg terminal shows hypertext with a script of its own that the
 * document does not carry:
 *     <g onmousemove="gnuplot_svg.showHypertext(evt,'TEXT')" onmouseout="..."><title> </title>
 * The same TEXT as the group's <title> is shown on hover by every browser,
 * without JavaScript. TEXT is made of chart_script.c's safe alphabet (no
 * quote, '<' or '&'), so it is copied as it is.
 */
static void svg_titles(struct bg_buf *svg)
{
    static const char open[] = "<g onmousemove=\"gnuplot_svg.showHypertext(evt,'";
    static const char mid[] = "')\" onmouseout=\"gnuplot_svg.hideHypertext()\"><title> </title>";
    struct bg_buf out = BG_BUF_INIT;
    const char *p = svg->data, *a, *b;

    if (strstr(p, open) == NULL)
        return;
    while ((a = strstr(p, open)) != NULL && (b = strstr(a + sizeof(open) - 1, mid)) != NULL) {
        const char *text = a + sizeof(open) - 1;

        bg_buf_add(&out, p, (size_t)(a - p));
        bg_buf_adds(&out, "<g><title>");
        bg_buf_add(&out, text, (size_t)(b - text));
        bg_buf_adds(&out, "</title>");
        p = b + sizeof(mid) - 1;
    }
    bg_buf_adds(&out, p);
    bg_buf_reset(svg);
    bg_buf_add(svg, out.data, out.len);
    bg_buf_release(&out);
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
        chart_job(jobs[i], path, &data, &script);
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
        struct bg_diag d = { 0 };

        snprintf(path, sizeof(path), "%s/c%zu.svg", dir, i);
        bg_buf_reset(&jobs[i]->svg);
        if (bg_buf_read_file(&jobs[i]->svg, path, SVG_MAX, &d) < 0 || !svg_ok(&jobs[i]->svg)) {
            bg_buf_reset(&jobs[i]->svg);
            jobs[i]->problem = "the chart could not be drawn";
            rc = -1;
        } else {
            svg_titles(&jobs[i]->svg);
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

static bool before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Waits for one of the max_procs slots until deadline; false if none came.
 * It waits in slices of 100 ms, so that a stopping server is not kept
 * waiting (core/deadline.h). */
static bool take_slot(const struct timespec *deadline)
{
    bool got;

    pthread_mutex_lock(&lock);
    while (stats.running >= (long)cfg.max_procs && !bg_deadline_over()) {
        struct timespec slice;

        clock_gettime(CLOCK_REALTIME, &slice);
        if (!before(&slice, deadline))
            break;
        slice.tv_nsec += 100 * 1000000;
        if (slice.tv_nsec >= 1000000000) {
            slice.tv_sec++;
            slice.tv_nsec -= 1000000000;
        }
        if (before(deadline, &slice))
            slice = *deadline;
        pthread_cond_timedwait(&slot_free, &lock, &slice);
    }
    got = stats.running < (long)cfg.max_procs && !bg_deadline_over();
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

void chart_render(struct chart *const *charts, size_t n)
{
    struct chart **todo = bg_xcalloc(n > 0 ? n : 1, sizeof(*todo));
    char (*keys)[2 * SHA256_DIGEST_SIZE + 1] = bg_xcalloc(n > 0 ? n : 1, sizeof(*keys));
    size_t n_todo = 0;
    struct timespec deadline;
    int64_t end, timeout_ms; /* --chart-timeout for all of it, waiting for a slot included */

    for (size_t i = 0; i < n; i++) {
        struct chart *c = charts[i];

        bg_buf_reset(&c->svg);
        c->problem = NULL;
        c->transient = false;
        if (!chart_drawable(c)) {
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
    /* the request's own deadline may come first (core/deadline.h) */
    timeout_ms = bg_deadline_left_ms(cfg.timeout_ms);
    end = mono_ms() + timeout_ms;
    clock_gettime(CLOCK_REALTIME, &deadline); /* what pthread_cond_timedwait reads */
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
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
    for (size_t i = 0; i < n; i++)
        charts[i]->transient = charts[i]->problem != NULL && chart_drawable(charts[i]);
    free(todo);
    free(keys);
}

const char *chart_svg_element(const struct chart *c)
{
    const char *svg = c->problem == NULL ? strstr(c->svg.data, "<svg") : NULL;

    return svg != NULL ? svg : "";
}
