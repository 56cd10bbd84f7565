/*
 * handlers.h: every handler that server/routes.c names, one file each per
 * resource family (api_*.c) or page (page_*.c), in the manner of tmux's
 * cmd-*.c. A new endpoint is a function here, its file, and a route.
 */
#ifndef BG_SERVER_HANDLERS_H
#define BG_SERVER_HANDLERS_H

#include "server/http.h"

/* api_health.c: the server's own state */
http_handler api_health, api_metrics;
/* api_projects.c: projects, their benchmarks, a benchmark's history */
http_handler api_projects, api_benchmarks, api_history;
/* api_runs.c: runs listed, one run, an upload */
http_handler api_runs, api_run, api_upload;
/* api_check.c: the gate on the server, and its choice of baseline */
http_handler api_check, api_baseline;

/* page.c: the stylesheet every page links */
http_handler page_style;
/* page_index.c: every project */
http_handler page_index;
/* page_project.c: a project's benchmarks, and their sparklines */
http_handler page_project, page_sparkline;
/* page_benchmark.c: one benchmark's history, and its chart */
http_handler page_benchmark, page_chart;
/* page_run.c: one run and its verdicts; a branch's runs */
http_handler page_run, page_runs;
/* page_alerts.c: a branch's regressions and change points, as a page and a feed */
http_handler page_alerts, page_alerts_atom;

#endif /* BG_SERVER_HANDLERS_H */
