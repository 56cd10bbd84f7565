/*
 * pages.h: the dashboards of `benchgate serve`, HTML made on the server and
 * readable without JavaScript, with charts drawn by gnuplot (chart.h).
 *
 *   /                         projects, their newest run and its regressions
 *   /p/{project}              every benchmark: trend, newest p95, change, verdict
 *   /p/{project}/b/{name}     its history chart, change points and runs
 *   /p/{project}/runs/{id}    a run: environment, CI links, its verdict table
 *   .../b/{name}/chart.svg    the history chart alone (to embed elsewhere)
 *   .../b/{name}/spark.svg    the trend line of the project page
 *
 * Filters travel in the query: ?branch=, ?env= (a machine fingerprint),
 * ?metric=, ?sort=, ?x=order|time, ?limit=. Every answer is a function of
 * the stored runs, so api.c caches it until the next upload.
 */
#ifndef BG_SERVER_PAGES_H
#define BG_SERVER_PAGES_H

#include "server/api.h"

api_handler page_index, page_style, page_project, page_benchmark, page_chart, page_sparkline,
    page_run;

#endif /* BG_SERVER_PAGES_H */
