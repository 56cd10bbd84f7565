/*
 * serve.c: `benchgate serve`: libmicrohttpd started, run and stopped.
 *
 * Threads: a fixed pool of --threads workers, each polling its own share of
 * the connections, so a slow client stalls nobody and a slow request
 * stalls only its own worker. Each worker has its own store connection
 * (opened on its first request, closed at shutdown): neither a SQLite nor
 * a PostgreSQL connection may be shared between threads; with SQLite, WAL
 * lets the readers run while one writer commits. Nothing that matters
 * lives in the process: the caches key on the store's write generation, so
 * several servers on one PostgreSQL database are interchangeable.
 *
 * Requests: server/http.c reads each one (its body bounded by --max-body
 * and --body-timeout) and hands it to the routes (server/routes.c).
 *
 * Budgets: each request head must be whole within --head-timeout
 * (server/conns.c), its body within --body-timeout, its handler's work
 * within --request-timeout (core/deadline.h); what a handler reads of
 * stored runs is bounded by server/budget.h.
 *
 * Shutdown: SIGINT or SIGTERM stops accepting, waits for the requests
 * already being handled (uploads included) up to --shutdown-timeout, then
 * stops the work of those still running (they answer 503) and closes every
 * connection and database.
 */
#include "core/bg.h"
#include "core/cli.h"
#include "core/deadline.h"
#include "core/num.h"
#include "core/store.h"
#include "server/budget.h"
#include "server/cache.h"
#include "server/chart.h"
#include "server/conns.h"
#include "server/http.h"
#include "server/metrics.h"
#include "server/routes.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 64

struct serve_opts {
    const char *db;
    struct sockaddr_in addr;
    int64_t threads, timeout, head_timeout, body_timeout, request_timeout, max_conn, shutdown,
        chart_procs, chart_timeout;
    struct http_config http;
    const char *gnuplot;
};

/* IPv4-ADDRESS:PORT into addr. */
static int parse_listen(const char *arg, struct sockaddr_in *addr, struct bg_diag *d)
{
    static const struct bg_int_range ports = { 0, 65535 };
    const char *colon = strrchr(arg, ':');
    struct bg_diag why = { 0 };
    char host[64];
    int64_t port;

    if (colon == NULL || (size_t)(colon - arg) >= sizeof(host))
        return bg_fail(d, "'%.80s': expected IPv4-ADDRESS:PORT", arg);
    memcpy(host, arg, (size_t)(colon - arg));
    host[colon - arg] = '\0';
    memset(addr, 0, sizeof(*addr));
    addr->sin_family = AF_INET;
    if (inet_pton(AF_INET, host, &addr->sin_addr) != 1)
        return bg_fail(d, "'%.80s': '%s' is not an IPv4 address", arg, host);
    if (bg_range_int(&ports, colon + 1, &port, &why) < 0)
        return bg_fail(d, "'%.80s': port %s", arg, why.msg);
    addr->sin_port = htons((uint16_t)port);
    return 0;
}

static int opt_listen(void *opts, const char *value, struct bg_diag *d)
{
    return parse_listen(value, &((struct serve_opts *)opts)->addr, d);
}

static const struct bg_int_range threads = { 1, MAX_THREADS }, seconds = { 1, 86400 },
                                 seconds_or_none = { 0, 86400 }, connections = { 1, 100000 },
                                 procs = { 1, 64 },
                                 body_bytes = { 1, BG_MAX_INPUT };

#define OPT(field) offsetof(struct serve_opts, field)

static const struct bg_opt options[] = {
    { "listen", 0, "ADDR:PORT", BG_OPT_CALL, .call = opt_listen,
      .help = "IPv4 address and port (default 127.0.0.1:8080; port 0 picks a free one, printed "
              "on standard output)" },
    BG_OPT_DB(struct serve_opts, db),
    { "threads", 0, "N", BG_OPT_INT, OPT(threads), .ints = &threads,
      .help = "worker threads, each with its own database connection" },
    { "max-body", 0, "BYTES", BG_OPT_SIZE, OPT(http.max_body), .ints = &body_bytes,
      .help = "largest request body; a larger Content-Length is refused before the body is "
              "read" },
    { "timeout", 0, "SECONDS", BG_OPT_INT, OPT(timeout), .ints = &seconds,
      .help = "close a connection idle this long" },
    { "head-timeout", 0, "SECONDS", BG_OPT_INT, OPT(head_timeout), .ints = &seconds,
      .help = "close a connection that has not sent a whole request head this long after it "
              "opened or was last answered, however it trickles in" },
    { "body-timeout", 0, "SECONDS", BG_OPT_INT, OPT(body_timeout), .ints = &seconds,
      .help = "close a connection whose request body has taken this long, however it "
              "trickles in" },
    { "request-timeout", 0, "SECONDS", BG_OPT_INT, OPT(request_timeout), .ints = &seconds,
      .help = "answer 503 to a request whose work takes longer, and stop that work" },
    { "max-connections", 0, "N", BG_OPT_INT, OPT(max_conn), .ints = &connections,
      .help = "concurrent connections" },
    { "shutdown-timeout", 0, "SECONDS", BG_OPT_INT, OPT(shutdown), .ints = &seconds_or_none,
      .help = "how long a stop waits for requests in flight; then their work is stopped and "
              "they are answered 503" },
    { "private", 0, NULL, BG_OPT_FLAG, OPT(http.private_reads),
      .help = "reading a project's data needs one of its tokens too (uploads and checks always "
              "do; a browser asks for it as the password)" },
    CHART_OPT_GNUPLOT(struct serve_opts, gnuplot),
    { "chart-procs", 0, "N", BG_OPT_INT, OPT(chart_procs), .ints = &procs,
      .help = "gnuplot processes at once" },
    CHART_OPT_TIMEOUT(struct serve_opts, chart_timeout),
};

static const struct bg_command command = {
    "serve", "[options]",
    "Serve the JSON API (and take uploads) and the dashboards from one database,\n"
    "created when missing. Open http://ADDR:PORT/ in a browser for the projects'\n"
    "trends. Stops cleanly on SIGINT or SIGTERM, finishing the requests in flight.\n"
    "Logs a line per request on standard error.",
    options, ARRAY_SIZE(options),
    "Tokens: benchgate token create --project P --db PATH. See the README for\n"
    "the API.\n"
    "\n"
    "Exit status: 0 stopped by a signal, 2 bad usage, 3 database or socket error.\n",
};

/* ---- per-worker database connections ---- */

static const char *db_path;
static pthread_mutex_t stores_lock = PTHREAD_MUTEX_INITIALIZER;
static struct store *stores[MAX_THREADS + 1];
static size_t n_stores;
static _Thread_local struct store *worker_store;

/* This worker's connection, opened on first use; NULL (the reason logged)
 * when it cannot open. A PostgreSQL store reconnects by itself after a
 * dropped connection, so a worker keeps its store for good. */
static struct store *my_store(void)
{
    struct bg_diag d = { 0 };
    struct store *st;

    if (worker_store != NULL)
        return worker_store;
    if (store_open(db_path, false, &st, &d) < 0) {
        bg_warn("%s", d.msg);
        return NULL;
    }
    /* no stored run makes a judgement read more than this (server/budget.h) */
    store_set_sample_cap(st, BUDGET_SAMPLES);
    pthread_mutex_lock(&stores_lock);
    if (n_stores == ARRAY_SIZE(stores)) { /* cannot happen: one per worker */
        pthread_mutex_unlock(&stores_lock);
        store_close(st, &d);
        return NULL;
    }
    stores[n_stores++] = st;
    pthread_mutex_unlock(&stores_lock);
    worker_store = st;
    return st;
}

static void close_stores(void)
{
    struct bg_diag d = { 0 };

    for (size_t i = 0; i < n_stores; i++) {
        if (store_close(stores[i], &d) < 0)
            bg_warn("%s", d.msg);
    }
    n_stores = 0;
}

/* ---- the command ---- */

/* Waits for SIGINT or SIGTERM (blocked in every thread, so only this one sees them). */
static int wait_for_stop(const sigset_t *stop)
{
    int sig = 0;

    while (sigwait(stop, &sig) != 0)
        ;
    return sig;
}

/* Stops accepting, then waits up to timeout seconds for the requests in flight. */
static void drain(struct MHD_Daemon *d, int64_t timeout)
{
    struct timespec nap = { 0, 20 * 1000 * 1000 };
    MHD_socket fd = MHD_quiesce_daemon(d);

    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    for (int64_t naps = timeout * 50; metrics_in_flight_now() > 0 && naps > 0; naps--)
        nanosleep(&nap, NULL);
    if (metrics_in_flight_now() > 0)
        bg_warn("stopping with %ld requests unfinished after %" PRId64 " s: their work is "
                "stopped", metrics_in_flight_now(), timeout);
    /* what is still computing stops at its next look at the deadline and answers 503,
     * so that MHD_stop_daemon, which waits for every worker, returns soon */
    bg_deadline_stop_all();
}

int cmd_serve(int argc, char **argv)
{
    struct serve_opts o = {
        .db = bg_default_db(), .threads = 4, .timeout = 30, .head_timeout = 10,
        .body_timeout = 60, .request_timeout = 10, .max_conn = 512,
        .shutdown = 30,
        .chart_procs = 2, .chart_timeout = 10, .http = { 8u << 20, false, 1 }, .gnuplot = "gnuplot",
    };
    static struct http_server srv; /* the daemon's closure, read by every worker */
    const union MHD_DaemonInfo *info;
    struct MHD_Daemon *d;
    struct store *st;
    sigset_t stop;
    char host[INET_ADDRSTRLEN], db_name[1024], **args;
    enum bg_parse p;
    int n_args, sig;

    parse_listen("127.0.0.1:8080", &o.addr, NULL);
    p = bg_cmd_parse(&command, argc, argv, &o, &args, &n_args);
    if (p != BG_PARSE_OK)
        return bg_parse_exit(p);
    if (n_args > 0)
        return bg_usage_error("serve", "unexpected argument '%s'", args[0]);
    /* create and migrate the database once, before any worker opens it */
    if (bg_store_open(o.db, true, &st) != 0 || bg_store_close(st, 0) != 0)
        return BG_EXIT_STORE;
    store_locator_display(o.db, db_name, sizeof(db_name));
    db_path = o.db;
    srv = (struct http_server){ o.http, (double)o.body_timeout, (double)o.request_timeout,
                                routes_handle, my_store };
    chart_setup(&(struct chart_config){ o.gnuplot, (int)o.chart_timeout * 1000,
                                        (unsigned)o.chart_procs });

    /* a shell starts background jobs with SIGINT ignored, and an ignored signal is
     * dropped rather than left pending for sigwait: take both back first */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL); /* the workers inherit the mask */
    signal(SIGPIPE, SIG_IGN);

    /* one worker stays free for what needs no computing (server/routes.c) */
    srv.cfg.read_slots = o.threads > 1 ? (long)o.threads - 1 : 1;
    if (conns_start((double)o.head_timeout) < 0) {
        bg_error("cannot start the connection watchdog: %s", strerror(errno));
        return BG_EXIT_STORE;
    }
    d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ITC |
                             MHD_USE_ERROR_LOG,
                         0, NULL, NULL, http_on_request, &srv,
                         /* first, so that even start-up messages go through it */
                         MHD_OPTION_EXTERNAL_LOGGER, http_on_mhd_log, NULL,
                         MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&o.addr,
                         MHD_OPTION_NOTIFY_CONNECTION, conns_on_notify, NULL,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)o.timeout,
                         MHD_OPTION_CONNECTION_LIMIT, (unsigned)o.max_conn,
                         MHD_OPTION_NOTIFY_COMPLETED, http_on_completed, NULL,
                         MHD_OPTION_UNESCAPE_CALLBACK, http_keep_escapes, NULL,
                         /* last: one thread is no pool at all (libmicrohttpd warns about a
                          * pool of 1), so then the list ends here */
                         o.threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END,
                         (unsigned)o.threads, MHD_OPTION_END);
    if (d == NULL) {
        conns_stop();
        inet_ntop(AF_INET, &o.addr.sin_addr, host, sizeof(host));
        bg_error("cannot listen on %s:%u: %s", host, ntohs(o.addr.sin_port),
                 errno != 0 ? strerror(errno) : "libmicrohttpd failed to start");
        return BG_EXIT_STORE;
    }
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    inet_ntop(AF_INET, &o.addr.sin_addr, host, sizeof(host));
    printf("benchgate %s: listening on http://%s:%u (database '%s', %" PRId64 " threads)\n",
           BG_VERSION, host, info != NULL ? info->port : ntohs(o.addr.sin_port), db_name,
           o.threads);
    fflush(stdout);

    sig = wait_for_stop(&stop);
    fprintf(stderr, "benchgate: %s: finishing requests in flight, then stopping\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    drain(d, o.shutdown);
    MHD_stop_daemon(d);
    conns_stop();
    close_stores();
    cache_clear(cache_answers);
    cache_clear(cache_charts);
    printf("benchgate: stopped\n");
    return bg_finish_output(BG_EXIT_PASS);
}
