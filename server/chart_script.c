/*
 * chart_script.c: a chart as gnuplot input: the data file, and the script
 * that draws it, which is fixed text (see chart.h for why).
 */
#include "core/bg.h"
#include "server/chart_script.h"

#include <ctype.h>
#include <math.h>

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
