/*
 * serve.c: `benchgate serve`: libmicrohttpd started, run and stopped.
 *
 * Threads: a fixed pool of --threads workers, each polling its own share of
 * the connections, so a slow client stalls nobody and a slow request
 * stalls only its own worker. Each worker has its own SQLite connection
 * (opened on its first request, closed at shutdown): SQLite connections
 * must not be shared between threads, and WAL lets the readers run while
 * one writer commits.
 *
 * Requests: server/http.c reads each one (its body bounded by --max-body
 * and --body-timeout) and hands it to the routes (server/routes.c).
 *
 * Shutdown: SIGINT or SIGTERM stops accepting, waits for the requests
 * already being handled (uploads included) up to --shutdown-timeout, then
 * closes every connection and database.
 */
#include "core/bg.h"
#include "core/cli.h"
#include "core/num.h"
#include "core/store.h"
#include "server/cache.h"
#include "server/chart.h"
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

static const char usage[] =
    "usage: benchgate serve [options]\n"
    "\n"
    "Serve the JSON API (and take uploads) and the dashboards from one database.\n"
    "Open http://ADDR:PORT/ in a browser for the projects' trends. Stops cleanly on\n"
    "SIGINT or SIGTERM, finishing the requests in flight. Logs a line per request\n"
    "on standard error.\n"
    "\n"
    "  --listen ADDR:PORT      IPv4 address and port (default 127.0.0.1:8080; port 0\n"
    "                          picks a free one, printed on standard output)\n"
    "  --db PATH               database (default $BENCHGATE_DB, else ./benchgate.db;\n"
    "                          created when missing)\n"
    "  --threads N             worker threads, each with its own database\n"
    "                          connection (default 4, at most 64)\n"
    "  --max-body BYTES        largest request body (default 8388608 = 8 MiB)\n"
    "  --timeout SECONDS       close a connection idle this long (default 30)\n"
    "  --body-timeout S        close a connection whose request body has taken this\n"
    "                          long, however it trickles in (default 60)\n"
    "  --max-connections N     concurrent connections (default 512)\n"
    "  --shutdown-timeout S    how long a stop waits for requests in flight\n"
    "                          (default 30)\n"
    "  --private               reading a project's data needs one of its tokens too\n"
    "                          (uploads and checks always do; a browser asks for it\n"
    "                          as the password)\n"
    "  --gnuplot PROGRAM       draws the charts (default gnuplot; without it the\n"
    "                          pages work and say that charts are unavailable)\n"
    "  --chart-procs N         gnuplot processes at once (default 2)\n"
    "  --chart-timeout S       longest a chart may take, waiting included (default 10)\n"
    "  -h, --help              show this help\n"
    "\n"
    "Tokens: benchgate token create --project P --db PATH. See the README for\n"
    "the API.\n"
    "\n"
    "Exit status: 0 stopped by a signal, 2 bad usage, 3 database or socket error.\n";

enum {
    OPT_LISTEN = 256, OPT_DB, OPT_THREADS, OPT_MAX_BODY, OPT_TIMEOUT, OPT_MAX_CONN,
    OPT_SHUTDOWN, OPT_PRIVATE, OPT_GNUPLOT, OPT_CHART_PROCS, OPT_CHART_TIMEOUT, OPT_BODY_TIMEOUT
};

static const struct option options[] = {
    { "listen", required_argument, NULL, OPT_LISTEN },
    { "db", required_argument, NULL, OPT_DB },
    { "threads", required_argument, NULL, OPT_THREADS },
    { "max-body", required_argument, NULL, OPT_MAX_BODY },
    { "timeout", required_argument, NULL, OPT_TIMEOUT },
    { "body-timeout", required_argument, NULL, OPT_BODY_TIMEOUT },
    { "max-connections", required_argument, NULL, OPT_MAX_CONN },
    { "shutdown-timeout", required_argument, NULL, OPT_SHUTDOWN },
    { "private", no_argument, NULL, OPT_PRIVATE },
    { "gnuplot", required_argument, NULL, OPT_GNUPLOT },
    { "chart-procs", required_argument, NULL, OPT_CHART_PROCS },
    { "chart-timeout", required_argument, NULL, OPT_CHART_TIMEOUT },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

struct serve_opts {
    const char *db;
    struct sockaddr_in addr;
    int64_t threads, timeout, body_timeout, max_conn, shutdown, chart_procs, chart_timeout;
    struct http_config http;
    const char *gnuplot;
};

/* ---- per-worker database connections ---- */

#define MAX_THREADS 64

static const char *db_path;
static pthread_mutex_t stores_lock = PTHREAD_MUTEX_INITIALIZER;
static struct store *stores[MAX_THREADS + 1];
static size_t n_stores;
static _Thread_local struct store *worker_store;

/* This worker's connection, opened on first use; NULL when it cannot open. */
static struct store *my_store(void)
{
    struct store *st;

    if (worker_store != NULL)
        return worker_store;
    if (store_open(db_path, false, &st) < 0)
        return NULL;
    pthread_mutex_lock(&stores_lock);
    if (n_stores == ARRAY_SIZE(stores)) { /* cannot happen: one per worker */
        pthread_mutex_unlock(&stores_lock);
        store_close(st);
        return NULL;
    }
    stores[n_stores++] = st;
    pthread_mutex_unlock(&stores_lock);
    worker_store = st;
    return st;
}

static void close_stores(void)
{
    for (size_t i = 0; i < n_stores; i++)
        store_close(stores[i]);
    n_stores = 0;
}

/* ---- the command ---- */

static int parse_listen(const char *arg, struct sockaddr_in *addr)
{
    const char *colon = strrchr(arg, ':'), *why;
    char host[64];
    int64_t port;

    if (colon == NULL || (size_t)(colon - arg) >= sizeof(host))
        return bg_usage_error("serve", "--listen '%.80s': expected IPv4-ADDRESS:PORT", arg);
    memcpy(host, arg, (size_t)(colon - arg));
    host[colon - arg] = '\0';
    memset(addr, 0, sizeof(*addr));
    addr->sin_family = AF_INET;
    if (inet_pton(AF_INET, host, &addr->sin_addr) != 1)
        return bg_usage_error("serve", "--listen '%.80s': '%s' is not an IPv4 address", arg,
                              host);
    if (bg_parse_int64(colon + 1, 0, 65535, &port, &why) < 0)
        return bg_usage_error("serve", "--listen '%.80s': port %s (0 to 65535)", arg, why);
    addr->sin_port = htons((uint16_t)port);
    return 0;
}

static int parse_args(int argc, char **argv, struct serve_opts *o)
{
    const char *why;
    int64_t v;
    int c;

    bg_getopt_reset();
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case OPT_LISTEN:
            if (parse_listen(optarg, &o->addr) != 0)
                return BG_EXIT_USAGE;
            break;
        case OPT_DB:
            o->db = optarg;
            break;
        case OPT_THREADS:
        case OPT_TIMEOUT:
        case OPT_BODY_TIMEOUT:
        case OPT_MAX_CONN:
        case OPT_CHART_PROCS:
        case OPT_CHART_TIMEOUT:
        case OPT_SHUTDOWN: {
            int64_t hi = c == OPT_THREADS ? MAX_THREADS : c == OPT_MAX_CONN ? 100000
                         : c == OPT_CHART_PROCS ? 64 : c == OPT_CHART_TIMEOUT ? 600 : 86400;
            int64_t *slot = c == OPT_THREADS ? &o->threads
                            : c == OPT_TIMEOUT ? &o->timeout
                            : c == OPT_BODY_TIMEOUT ? &o->body_timeout
                            : c == OPT_MAX_CONN ? &o->max_conn
                            : c == OPT_CHART_PROCS ? &o->chart_procs
                            : c == OPT_CHART_TIMEOUT ? &o->chart_timeout
                                                : &o->shutdown;

            if (bg_parse_int64(optarg, c == OPT_SHUTDOWN ? 0 : 1, hi, slot, &why) < 0)
                return bg_usage_error("serve", "%s '%s': %s (at most %" PRId64 ")",
                                      argv[optind - 1], optarg, why, hi);
            break;
        }
        case OPT_MAX_BODY:
            if (bg_parse_int64(optarg, 1, BG_MAX_INPUT, &v, &why) < 0)
                return bg_usage_error("serve", "--max-body '%s': %s (1 to %u)", optarg, why,
                                      BG_MAX_INPUT);
            o->http.max_body = (size_t)v;
            break;
        case OPT_PRIVATE:
            o->http.private_reads = true;
            break;
        case OPT_GNUPLOT:
            if (optarg[0] == '\0')
                return bg_usage_error("serve", "--gnuplot: expected a program");
            o->gnuplot = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return -1;
        default:
            return bg_usage_error("serve", "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return bg_usage_error("serve", "unexpected argument '%s'", argv[optind]);
    return 0;
}

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
        bg_warn("stopping with %ld requests unfinished after %" PRId64 " s",
                metrics_in_flight_now(), timeout);
}

int cmd_serve(int argc, char **argv)
{
    struct serve_opts o = {
        .db = bg_default_db(), .threads = 4, .timeout = 30, .body_timeout = 60, .max_conn = 512,
        .shutdown = 30,
        .chart_procs = 2, .chart_timeout = 10, .http = { 8u << 20, false }, .gnuplot = "gnuplot",
    };
    static struct http_server srv; /* the daemon's closure, read by every worker */
    const union MHD_DaemonInfo *info;
    struct MHD_Daemon *d;
    struct store *st;
    sigset_t stop;
    char host[INET_ADDRSTRLEN];
    int rc, sig;

    parse_listen("127.0.0.1:8080", &o.addr);
    rc = parse_args(argc, argv, &o);
    if (rc != 0)
        return bg_finish_output(rc < 0 ? BG_EXIT_PASS : rc);
    /* create and migrate the database once, before any worker opens it */
    if (store_open(o.db, true, &st) < 0 || store_close(st) < 0)
        return BG_EXIT_STORE;
    db_path = o.db;
    srv = (struct http_server){ o.http, (double)o.body_timeout, routes_handle, my_store };
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

    d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ITC |
                             MHD_USE_ERROR_LOG,
                         0, NULL, NULL, http_on_request, &srv,
                         MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&o.addr,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)o.timeout,
                         MHD_OPTION_CONNECTION_LIMIT, (unsigned)o.max_conn,
                         MHD_OPTION_NOTIFY_COMPLETED, http_on_completed, NULL,
                         MHD_OPTION_UNESCAPE_CALLBACK, http_keep_escapes, NULL,
                         /* last: one thread is no pool at all (libmicrohttpd warns about a
                          * pool of 1), so then the list ends here */
                         o.threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END,
                         (unsigned)o.threads, MHD_OPTION_END);
    if (d == NULL) {
        inet_ntop(AF_INET, &o.addr.sin_addr, host, sizeof(host));
        bg_error("cannot listen on %s:%u: %s", host, ntohs(o.addr.sin_port),
                 errno != 0 ? strerror(errno) : "libmicrohttpd failed to start");
        return BG_EXIT_STORE;
    }
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    inet_ntop(AF_INET, &o.addr.sin_addr, host, sizeof(host));
    printf("benchgate %s: listening on http://%s:%u (database '%s', %" PRId64 " threads)\n",
           BG_VERSION, host, info != NULL ? info->port : ntohs(o.addr.sin_port), o.db,
           o.threads);
    fflush(stdout);

    sig = wait_for_stop(&stop);
    fprintf(stderr, "benchgate: %s: finishing requests in flight, then stopping\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    drain(d, o.shutdown);
    MHD_stop_daemon(d);
    close_stores();
    cache_clear(cache_answers);
    cache_clear(cache_charts);
    printf("benchgate: stopped\n");
    return bg_finish_output(BG_EXIT_PASS);
}
