/*
 * chart_script.c: a chart as gnuplot input: the data file, and the script
 * that draws it, which is fixed text (see chart.h for why).
 */
#include "core/bg.h"
#include "server/chart_script.h"

#include <ctype.h>
#include <math.h>

/* Commit labels under a history chart, at most: enough to find a run,
 * few enough to read. */
#define LABELS_WIDE 16
#define LABELS_NARROW 6

/* The y axis's units that may be named in a script, as fixed text. A unit
 * of another name (any harness's custom metric) gets no axis label: the
 * page says it, escaped, beside the chart. */
static const char *const units[] = { "ns", "µs", "ms", "s", "B", "B/s", "bytes", "allocs",
                                     "elements/s", "%" };

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
static void add_label(struct bg_buf *b, const char *s, size_t max)
{
    bg_buf_adds(b, "\t");
    for (size_t i = 0; s[i] != '\0' && i < max; i++)
        bg_buf_addf(b, "%c", isalnum((unsigned char)s[i]) || strchr(".:-", s[i]) ? s[i] : '-');
}

/*
 * A hover text cut to letters, digits, spaces, . : + - % / # ( ) and the
 * micro sign: nothing that a gnuplot string, an SVG attribute or XML text
 * would read as anything but text (chart.c turns it into a <title>).
 */
static void add_hover(struct bg_buf *b, const char *s, size_t max)
{
    bg_buf_adds(b, "\t");
    for (size_t i = 0; s[i] != '\0' && i < max; i++) {
        if ((unsigned char)s[i] == 0xc2 && (unsigned char)s[i + 1] == 0xb5) {
            bg_buf_adds(b, "µ");
            i++;
        } else {
            bg_buf_addf(b, "%c", isalnum((unsigned char)s[i]) || strchr(" .:+-%/#()", s[i])
                                     ? s[i] : '-');
        }
    }
    if (s[0] == '\0')
        bg_buf_adds(b, "-");
}

/* Ends a data block; gnuplot's `index N` counts blocks split by two blank lines. */
static void end_block(struct bg_buf *b, int *blocks)
{
    bg_buf_adds(b, "\n\n");
    (*blocks)++;
}

static const char *unit_label(const char *unit)
{
    for (size_t i = 0; unit != NULL && i < ARRAY_SIZE(units); i++) {
        if (strcmp(unit, units[i]) == 0)
            return units[i];
    }
    return NULL;
}

/* The x range of the reference lines: the chart's, widened when it is one
 * point, so that a branch with one run still shows its baseline. */
static void reference_x(const struct chart *c, double *x0, double *x1)
{
    double pad = c->time_axis ? 3600 : 0.5;

    *x0 = c->pts[0].x;
    *x1 = c->pts[c->n - 1].x;
    for (size_t i = 0; i < c->n_overlay; i++) {
        *x0 = fmin(*x0, c->overlay[i].x);
        *x1 = fmax(*x1, c->overlay[i].x);
    }
    if (*x1 - *x0 < pad) {
        *x0 -= pad;
        *x1 += pad;
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
    int blocks = 0, b_labels = -1, b_marks = -1, b_base = -1, b_band = -1, b_over = -1;
    bool narrow = c->size == CHART_NARROW;
    size_t n_labels = 0, every = c->n / (narrow ? LABELS_NARROW : LABELS_WIDE) + 1;
    double ylo = INFINITY, yhi = -INFINITY, x0, x1;
    const char *ylabel = unit_label(c->unit);

    for (size_t i = 0; i < c->n; i++) {
        const double v[] = { c->pts[i].p95, c->pts[i].median, c->pts[i].lo, c->pts[i].hi };

        bg_buf_addf(data, "%.17g", c->pts[i].x);
        for (size_t k = 0; k < ARRAY_SIZE(v); k++) {
            add_num(data, v[k]);
            if (isfinite(v[k])) {
                ylo = fmin(ylo, v[k]);
                yhi = fmax(yhi, v[k]);
            }
        }
        add_hover(data, c->pts[i].hover, sizeof(c->pts[i].hover));
        bg_buf_adds(data, "\n");
    }
    end_block(data, &blocks);
    if (!c->time_axis) {
        /* the newest run is always labelled, and every every-th before it */
        for (size_t i = 0; i < c->n; i++) {
            if (c->pts[i].label[0] != '\0' && (c->n - 1 - i) % every == 0) {
                bg_buf_addf(data, "%.17g", c->pts[i].x);
                add_label(data, c->pts[i].label, sizeof(c->pts[i].label));
                bg_buf_adds(data, "\n");
                n_labels++;
            }
        }
        if (n_labels > 0) {
            b_labels = blocks;
            end_block(data, &blocks);
        }
    }
    reference_x(c, &x0, &x1);
    if (isfinite(c->baseline)) {
        ylo = fmin(ylo, c->baseline);
        yhi = fmax(yhi, c->baseline);
    }
    for (size_t i = 0; i < c->n_overlay; i++) {
        if (isfinite(c->overlay[i].p95)) {
            bg_buf_addf(data, "%.17g", c->overlay[i].x);
            add_num(data, c->overlay[i].p95);
            add_hover(data, c->overlay[i].hover, sizeof(c->overlay[i].hover));
            bg_buf_adds(data, "\n");
            b_over = blocks;
        }
    }
    if (b_over >= 0)
        end_block(data, &blocks);
    if (isfinite(c->baseline) && c->threshold > 0) {
        double edge = c->baseline * (c->higher_better ? 1 - c->threshold : 1 + c->threshold);

        bg_buf_addf(data, "%.17g\t%.17g\t%.17g\n%.17g\t%.17g\t%.17g\n", x0, c->baseline, edge,
                    x1, c->baseline, edge);
        b_band = blocks;
        end_block(data, &blocks);
    }
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
                "set encoding utf8\n"
                "set terminal svg size %s noenhanced font 'sans,%d' background rgb 'white'\n"
                "set output '%s.svg'\n"
                "set datafile separator \"\\t\"\n"
                "set border 3 lc rgb '#777777'\n"
                "set grid ytics lc rgb '#e3e3e3'\n"
                "set key %s horizontal samplen 2 font ',%d' textcolor rgb '#222222'\n"
                "set ytics nomirror textcolor rgb '#222222'\n"
                "set format y '%%g'\n"
                "set lmargin %d\nset rmargin %d\n"
                "set offsets graph 0.01, graph 0.01, graph 0.12, graph 0.05\n",
                narrow ? "400,320" : "880,360", narrow ? 11 : 12, path,
                narrow ? "outside bottom center maxcols 2" : "top left", narrow ? 10 : 11,
                narrow ? 8 : 10, narrow ? 3 : 5);
    if (ylabel != NULL)
        bg_buf_addf(script, "set ylabel '%s' textcolor rgb '#222222'\n", ylabel);
    if (c->time_axis)
        bg_buf_adds(script, "set xdata time\nset timefmt '%s'\nset format x '%m-%d'\n"
                    "set xtics nomirror rotate by -40 textcolor rgb '#222222'\n");
    else if (b_labels >= 0)
        bg_buf_adds(script, "set xtics nomirror rotate by -40 textcolor rgb '#222222'\n");
    else
        bg_buf_adds(script, "unset xtics\n");
    bg_buf_adds(script, "plot ");
    if (b_band >= 0)
        bg_buf_addf(script, "'%s.dat' index %d using 1:2:3 with filledcurves fc rgb '#f9d9d6' "
                    "fs solid 0.6 noborder title 'threshold', ", path, b_band);
    if (finite_any(c, F_BAND))
        bg_buf_addf(script, "'%s.dat' index 0 using 1:4:5 with filledcurves fc rgb '#cfe2f3' "
                    "fs solid 0.7 noborder title 'min-max', ", path);
    if (b_over >= 0)
        bg_buf_addf(script, "'%s.dat' index %d using 1:2 with linespoints lw 1.5 pt 6 ps 0.4 "
                    "lc rgb '#8c8c8c' title 'base branch p95', "
                    "'%s.dat' index %d using 1:2:3 with labels hypertext point pt 6 ps 0.4 "
                    "lc rgb '#8c8c8c' notitle, ", path, b_over, path, b_over);
    if (finite_any(c, F_MEDIAN))
        bg_buf_addf(script, "'%s.dat' index 0 using 1:3 with lines lw 1.2 dt 2 "
                    "lc rgb '#555555' title 'median', ", path);
    if (b_labels >= 0)
        bg_buf_addf(script, "'%s.dat' index %d using 1:(NaN):xticlabels(2) notitle, ", path,
                    b_labels);
    if (b_base >= 0)
        bg_buf_addf(script, "'%s.dat' index %d using 1:2 with lines lw 2 dt 3 "
                    "lc rgb '#2ca02c' title 'baseline p95', ", path, b_base);
    if (b_marks >= 0)
        bg_buf_addf(script, "'%s.dat' index %d using 1:2:3:4 with vectors nohead lw 1.5 dt 2 "
                    "lc rgb '#d62728' title 'change point', ", path, b_marks);
    /* last, so the p95 line is drawn on top; finite_any() made sure it has points. Its
     * points carry their values as hypertext, which chart.c makes <title>s */
    bg_buf_addf(script, "'%s.dat' index 0 using 1:2 with lines lw 2 lc rgb '#1f77b4' "
                "title 'p95', '%s.dat' index 0 using 1:2:6 with labels hypertext point pt 7 "
                "ps 0.5 lc rgb '#1f77b4' notitle\nunset output\n", path, path);
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* The y range of a sparkline: its points, spanning at least +-y_span of
 * their median, with a little room above and below. */
static void spark_range(const struct chart *c, double *lo, double *hi)
{
    double *v = bg_xcalloc(c->n, sizeof(*v)), med;
    size_t k = 0;

    for (size_t i = 0; i < c->n; i++) {
        if (isfinite(c->pts[i].p95))
            v[k++] = c->pts[i].p95;
    }
    qsort(v, k, sizeof(*v), by_double);
    med = k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2; /* k >= 1: chart_drawable */
    *lo = fmin(v[0], med * (1 - c->y_span));
    *hi = fmax(v[k - 1], med * (1 + c->y_span));
    if (*hi - *lo <= fabs(med) * 1e-9) { /* one value, no span: any visible range */
        *lo = med - fabs(med) * 0.05 - 1e-9;
        *hi = med + fabs(med) * 0.05 + 1e-9;
    }
    *lo -= (*hi - *lo) * 0.12;
    *hi += (*hi - *lo) * 0.12;
    free(v);
}

static void sparkline_job(const struct chart *c, const char *path, struct bg_buf *data,
                          struct bg_buf *script)
{
    int blocks = 0;
    size_t last = c->n;
    double lo, hi;

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
    spark_range(c, &lo, &hi);
    bg_buf_addf(data, "0\t%.17g\n0\t%.17g\n", lo, hi);
    end_block(data, &blocks);
    /* the range comes from the data file (block 2), read by stats: no number in the script.
     * Titled plots: gnuplot names an untitled one by its data file's path, and that path
     * (the server's temporary folder) would be each plot's <title> */
    bg_buf_addf(script,
                "reset\n"
                "set terminal svg size 120,30 noenhanced background rgb 'white'\n"
                "set output '%s.svg'\n"
                "set datafile separator \"\\t\"\n"
                "unset key\nunset border\nunset tics\nunset grid\n"
                "set margins 0,0,0,0\n"
                "stats '%s.dat' index 2 using 2 nooutput\n"
                "set yrange [STATS_min:STATS_max]\n"
                "set offsets graph 0.02, graph 0.04, 0, 0\n"
                "plot '%s.dat' index 0 using 1:2 with lines lw 1.5 lc rgb '#1f77b4' title 'p95', "
                "'%s.dat' index 1 using 1:2 with points pt 7 ps 0.35 lc rgb '#1f77b4' "
                "title 'newest'\n"
                "unset output\n",
                path, path, path, path);
}

void chart_job(const struct chart *c, const char *path, struct bg_buf *data,
               struct bg_buf *script)
{
    if (c->kind == CHART_HISTORY)
        history_job(c, path, data, script);
    else
        sparkline_job(c, path, data, script);
}

bool chart_drawable(const struct chart *c)
{
    return c->n > 0 && finite_any(c, F_P95);
}
