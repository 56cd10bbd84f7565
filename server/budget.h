/*
 * budget.h: what one request may spend, in one place. A public server must
 * not be stoppable by one anonymous client, nor made slow by what a token
 * holder stored: every read a request makes of stored runs and every chart
 * it draws is bounded here, whatever the store holds, and the whole request
 * by --request-timeout (core/deadline.h). SECURITY.md lists each bound and
 * why; a page that stops at one says so.
 */
#ifndef BG_SERVER_BUDGET_H
#define BG_SERVER_BUDGET_H

/* Samples of one result that any judgement (a page, the check API) reads:
 * past it every k-th sample, k = ceil(n / this); the stored summary (median,
 * p95, mean, sd) is still that of every sample. 2^16: a verdict's tests and
 * bands are as good as with all of them, and the sort of the robust bands
 * stays near 5 ms. */
#define BUDGET_SAMPLES 65536

/* The check API's bootstrap interval: resamples x the samples of every row
 * it would resample, at most (about 0.3 s of one core); past it 400. */
#define BUDGET_BOOTSTRAP_DRAWS UINT64_C(50000000)

/* A run in the body of POST .../baseline without a token (on a public server
 * anyone may ask which baseline a run would get): its parse costs about 50
 * times its size in memory, so an anonymous one is kept small. */
#define BUDGET_ANON_BODY (1 << 20)

/* Sparklines drawn on one page: the project page shows 50 rows a page, each
 * with its sparkline, under this bound (a static assertion there). One
 * gnuplot run draws them all (about 1 ms each). */
#define BUDGET_SPARKLINES 100

/* Rows of a verdict table on one page (project or run page); the rest are
 * counted in a note (the JSON API has every row). */
#define BUDGET_PAGE_ROWS 1000

/* Benchmarks listed under "Not in the newest run" on a project page; each
 * costs one or two one-point history reads (the branch its link names). */
#define BUDGET_OTHER_BENCHMARKS 100

/* Metadata entries shown on a run page. */
#define BUDGET_META_SHOWN 200

#endif /* BG_SERVER_BUDGET_H */
