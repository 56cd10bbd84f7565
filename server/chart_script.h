/*
 * chart_script.h: what server/chart.c hands to gnuplot for one chart: the
 * data file (every number and label) and the script (fixed text that
 * names only the data file's path).
 */
#ifndef BG_SERVER_CHART_SCRIPT_H
#define BG_SERVER_CHART_SCRIPT_H

#include "core/bg.h"
#include "core/buf.h"
#include "server/chart.h"

/*
 * Appends the chart's data file to data and the gnuplot commands that draw
 * it from path.dat into path.svg to script. Both are functions of the chart
 * and path only, so with path "" they are the chart's cache key.
 */
void chart_job(const struct chart *c, const char *path, struct bg_buf *data,
               struct bg_buf *script);

/* Whether c has any point with a finite p95 to draw. */
bool chart_drawable(const struct chart *c);

#endif /* BG_SERVER_CHART_SCRIPT_H */
