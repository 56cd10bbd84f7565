/*
 * chart.h: SVG charts drawn by gnuplot, run as a child process.
 *
 * The discipline (STYLE.md, gnuplot section): gnuplot runs through
 * posix_spawnp with a fixed argv, a clean environment and a deadline, never
 * through a shell. The script is made of fixed text only; every number and
 * label goes into a data file that gnuplot reads as data. No benchmark name
 * or unit reaches gnuplot at all: the page says what a chart shows. Labels
 * are short commits or dates, and are cut to a safe alphabet anyway. The
 * terminal is `svg noenhanced`.
 *
 * Rendered SVGs are kept in cache_charts keyed by a hash of the script and
 * data that produce them, so a chart whose data did not change is never
 * drawn twice. The charts one call needs are drawn by one gnuplot process
 * (about 1 ms a chart instead of 15 ms to start gnuplot for each), and at
 * most --chart-procs such processes run at once.
 */
#ifndef BG_SERVER_CHART_H
#define BG_SERVER_CHART_H

#include "core/bg.h"
#include "core/buf.h"
#include "core/opt.h"

enum chart_kind {
    CHART_HISTORY,   /* p95 and median over runs, min-max band, baseline, change points */
    CHART_SPARKLINE, /* the p95 line alone, small */
};

struct chart_point {
    double x;                   /* run order, or unix seconds on a time axis */
    double p95, median, lo, hi; /* NAN where absent */
    char label[16];             /* an x tic label (a short commit), or "" */
    char hover[64];             /* the point's value on hover ("run 12 a1b2c3d: 5.02 ms"),
                                   or ""; cut to a safe alphabet like labels */
};

/* The sizes of a history chart: a desktop's, and a phone's (390 px). */
enum chart_size { CHART_WIDE, CHART_NARROW };

struct chart {
    enum chart_kind kind;
    const struct chart_point *pts;
    size_t n;
    bool time_axis;             /* x is unix seconds, labelled by date */
    enum chart_size size;       /* of a history chart */
    const char *unit;           /* the y axis's unit: labelled only when it is one of
                                   chart_script.c's fixed names (ns, µs, ms, s, ...) */
    double baseline;            /* the reference line, NAN for none */
    double threshold;           /* > 0: a band from the baseline to where the gate fails
                                   (baseline x (1 + threshold), or x (1 - threshold) when
                                   higher_better) */
    bool higher_better;
    const struct chart_point *overlay; /* another series (the base branch's p95), drawn
                                   under the chart's own; x on the same axis */
    size_t n_overlay;
    double y_span;              /* sparklines: the y axis spans at least +-y_span of the
                                   median (a stable scale: noise does not look like
                                   steps); 0 for a scale fit to the points */
    const size_t *marks;        /* indexes into pts of change points */
    size_t n_marks;

    /* out */
    struct bg_buf svg;          /* the SVG document when problem is NULL */
    const char *problem;        /* why there is no chart, for the page */
    bool transient;             /* the problem may pass (gnuplot missing, failing, slow or
                                   busy), unlike "no values": a page showing it is not
                                   kept in the answer cache */
};

/* A chart of kind over pts[0..n); release with chart_release(). */
void chart_init(struct chart *c, enum chart_kind kind, const struct chart_point *pts, size_t n);
void chart_release(struct chart *c);

struct chart_config {
    const char *program;        /* "gnuplot", or a path */
    int timeout_ms;             /* for one gnuplot run, waiting for a slot included */
    unsigned max_procs;         /* gnuplot processes at once */
};

/*
 * Sets up rendering. Returns false, with charts unavailable and a warning
 * printed, when the program cannot be found or run; the pages still work.
 */
bool chart_setup(const struct chart_config *cfg);

/* The options of the commands that draw charts (serve, publish), as data. */
extern const struct bg_int_range chart_timeout_range; /* seconds */
#define CHART_OPT_GNUPLOT(type, field)                                                       \
    { "gnuplot", 0, "PROGRAM", BG_OPT_TEXT, offsetof(type, field),                         \
      .help = "draws the charts (default gnuplot; without it the pages work and say that "   \
              "charts are unavailable)" }
#define CHART_OPT_TIMEOUT(type, field)                                                       \
    { "chart-timeout", 0, "SECONDS", BG_OPT_INT, offsetof(type, field),                    \
      .ints = &chart_timeout_range,                                                          \
      .help = "longest a chart may take, waiting for a gnuplot slot included" }
bool chart_available(void);

/*
 * Fills the svg (or problem) of charts[0..n): from the cache where it can,
 * and the rest in one gnuplot run. Safe to call from several threads.
 */
void chart_render(struct chart *const *charts, size_t n);

/* The SVG without its XML prolog, to put inside an HTML page. */
const char *chart_svg_element(const struct chart *c);

/* Counters for /metrics. */
struct chart_stats {
    uint64_t runs, charts_drawn, cache_hits, failures;
    long running;
};
void chart_stats(struct chart_stats *out);

#endif /* BG_SERVER_CHART_H */
