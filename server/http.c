/*
 * http.c: one request from libmicrohttpd to its answer and its log line
 * (see http.h), and the checks every handler makes of its inputs.
 *
 * The access handler runs several times per request: headers first (the
 * request is set up and a too-large Content-Length refused), then each
 * chunk of the body (kept within --max-body and --body-timeout), then once
 * more with nothing, when the request is whole and is answered. Answering
 * on a later call than the first keeps the connection alive (libmicrohttpd
 * closes it when the answer comes with the headers).
 */
#include "core/bg.h"
#include "server/http.h"
#include "core/deadline.h"
#include "core/json.h"
#include "core/num.h"
#include "server/conns.h"
#include "server/html.h"
#include "server/metrics.h"

#include <strings.h>
#include <time.h>

/* ---- answers ---- */

void http_error(struct http_response *rs, int status, const char *code, const char *fmt, ...)
{
    char msg[BG_DIAG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    rs->status = status;
    bg_buf_reset(&rs->body);
    if (rs->html) {
        rs->content_type = "text/html; charset=utf-8";
        html_error_page(&rs->body, status, msg);
        return;
    }
    rs->content_type = "application/json";
    bg_buf_adds(&rs->body, "{\"error\": {\"code\": ");
    bg_json_add_string(&rs->body, code);
    bg_buf_adds(&rs->body, ", \"message\": ");
    bg_json_add_string(&rs->body, msg);
    bg_buf_adds(&rs->body, "}}\n");
}

void http_store_failed(struct http_response *rs)
{
    http_error(rs, 503, "store_error", "the database failed or is busy; try again");
}

int http_fail(struct http_response *rs, const struct bg_diag *d)
{
    switch (d->fault) {
    case BG_FAULT_INPUT:
        http_error(rs, 400, "bad_request", "%s", d->msg);
        break;
    case BG_FAULT_MISSING:
        http_error(rs, 404, "not_found", "%s", d->msg);
        break;
    case BG_FAULT_BROKEN:
        http_store_failed(rs);
        break;
    }
    return -1;
}

/* ---- inputs ---- */

bool http_name_ok(const char *what, const char *s, struct http_response *rs)
{
    const char *why = bg_name_problem(s);

    if (why != NULL)
        http_error(rs, 400, "bad_request", "%s name %s", what, why);
    return why == NULL;
}

bool http_query_name(const struct http_request *rq, const char *key, const char **out,
                     struct http_response *rs)
{
    const char *v = route_query_get(rq->query, key), *why;

    if (v == NULL)
        return true;
    why = bg_name_problem(v);
    if (why != NULL) {
        http_error(rs, 400, "bad_request", "query parameter %s: %s", key, why);
        return false;
    }
    *out = v;
    return true;
}

/* ?env=FINGERPRINT: 16 hex digits, as in a run's environment. */
bool http_query_env(const struct http_request *rq, const char **out, struct http_response *rs)
{
    const char *v = route_query_get(rq->query, "env");

    if (v == NULL || *v == '\0') /* empty, as a form's "any machine" sends it: no filter */
        return true;
    if (strlen(v) != 16 || strspn(v, "0123456789abcdef") != 16) {
        http_error(rs, 400, "bad_request", "query parameter env: expected a machine fingerprint "
                   "(16 lowercase hex digits)");
        return false;
    }
    *out = v;
    return true;
}

bool http_query_int(const struct http_request *rq, const char *key,
                    const struct bg_int_range *range, int64_t *out, struct http_response *rs)
{
    const char *v = route_query_get(rq->query, key);
    struct bg_diag d = { 0 };

    if (v != NULL && bg_range_int(range, v, out, &d) < 0) {
        http_error(rs, 400, "bad_request", "query parameter %s %s", key, d.msg);
        return false;
    }
    return true;
}

bool http_query_real(const struct http_request *rq, const char *key,
                     const struct bg_real_range *range, double *out, struct http_response *rs)
{
    const char *v = route_query_get(rq->query, key);
    struct bg_diag d = { 0 };

    if (v != NULL && bg_range_real(range, v, out, &d) < 0) {
        http_error(rs, 400, "bad_request", "query parameter %s %s", key, d.msg);
        return false;
    }
    return true;
}

bool http_query_bool(const struct http_request *rq, const char *key, bool *out,
                     struct http_response *rs)
{
    const char *v = route_query_get(rq->query, key);

    if (v == NULL)
        return true;
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || *v == '\0')
        *out = true;
    else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
        *out = false;
    else {
        http_error(rs, 400, "bad_request", "query parameter %s '%.64s': expected true or false",
                   key, v);
        return false;
    }
    return true;
}

/* ---- one request on the wire ---- */

/* What the server keeps about a request between libmicrohttpd's calls. */
struct request {
    struct timespec start;
    char method[8];
    char path[128];           /* for the log line, cut and made printable */
    struct bg_limbuf body;    /* bounded by --max-body */
    bool too_large, too_slow, answered;
    int status;
    size_t bytes_out;
};

static double seconds_since(const struct timespec *t)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static enum MHD_Result send_response(struct MHD_Connection *conn, struct request *rq,
                                     struct http_response *rs)
{
    struct MHD_Response *r;
    enum MHD_Result ret;
    size_t len;
    char *data = bg_buf_detach(&rs->body, &len);

    r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (r == NULL) {
        free(data);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, rs->content_type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (rs->allow != NULL)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, rs->allow);
    if (rs->status == 503)
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    /* a browser asks for a page's token itself: any user name, the token as password */
    if (rs->status == 401)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                rs->html ? "Basic realm=\"benchgate\", charset=\"UTF-8\""
                                         : "Bearer");
    ret = MHD_queue_response(conn, (unsigned)rs->status, r);
    MHD_destroy_response(r);
    rq->status = rs->status;
    rq->bytes_out = len;
    rq->answered = true;
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, struct request *rq, int status,
                                  const char *code, const char *msg)
{
    struct http_response rs = HTTP_RESPONSE_INIT;

    http_error(&rs, status, code, "%s", msg);
    return send_response(conn, rq, &rs);
}

struct query_walk {
    struct route_query *q;
    const char *why;
};

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    struct query_walk *w = cls;

    (void)kind;
    return route_query_add(w->q, key, value, &w->why) < 0 ? MHD_NO : MHD_YES;
}

/* The request is whole: decode it, run the route, answer. */
static enum MHD_Result dispatch(struct MHD_Connection *conn, const char *url, struct request *rq,
                                const struct http_server *srv)
{
    struct route_path path;
    struct route_query query = { .n = 0 };
    struct query_walk walk = { &query, NULL };
    struct http_response rs = HTTP_RESPONSE_INIT;
    struct http_request req;
    const char *why;
    char msg[128];
    enum MHD_Result ret;

    if (rq->too_large) {
        snprintf(msg, sizeof(msg), "the request body is larger than the limit of %zu bytes",
                 srv->cfg.max_body);
        return send_error(conn, rq, 413, "payload_too_large", msg);
    }
    if (route_split(url, &path, &why) < 0) {
        snprintf(msg, sizeof(msg), "the path %s", why);
        return send_error(conn, rq, 400, "bad_request", msg);
    }
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, add_arg, &walk);
    if (walk.why != NULL) {
        route_query_release(&query);
        snprintf(msg, sizeof(msg), "the query string %s", walk.why);
        return send_error(conn, rq, 400, "bad_request", msg);
    }
    req = (struct http_request){
        .method = rq->method,
        .path = &path,
        .query = &query,
        .authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_AUTHORIZATION),
        .accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT),
        .body = rq->body.buf.data,
        .body_len = rq->body.buf.len,
        .st = srv->store(),
        .cfg = &srv->cfg,
    };
    if (req.st == NULL) {
        http_error(&rs, 503, "store_error", "the database cannot be reached; try again");
    } else {
        bg_deadline_start(srv->request_timeout);
        srv->handle(&req, &rs);
        /* the store's errors are values: the client has its 503, the log the reason */
        if (store_errmsg(req.st)[0] != '\0') {
            if (rs.status >= 500)
                bg_warn("%s %s: %s", rq->method, rq->path, store_errmsg(req.st));
            /* a lost or refused connection is worth saying so, without its details */
            if (rs.status == 503 && store_unavailable(req.st))
                http_error(&rs, 503, "store_error", "the database cannot be reached just now (a "
                           "connection lost or refused, or busy); try again");
            store_clear_error(req.st);
        }
        /* whatever it made past its deadline may be cut short: not an answer */
        if (bg_deadline_over())
            http_error(&rs, 503, "over_deadline", "the request took longer than the server "
                       "allows (--request-timeout), or the server is stopping; try again");
        bg_deadline_end();
    }
    route_query_release(&query);
    ret = send_response(conn, rq, &rs);
    bg_buf_release(&rs.body);
    return ret;
}

/* What the request head says about its body's length. */
struct framing {
    unsigned lengths;     /* Content-Length headers */
    bool lengths_differ;  /* ... with different values */
    const char *length;   /* the first one */
    unsigned encodings;   /* Transfer-Encoding headers */
    bool chunked_only;    /* ... all of them exactly "chunked" */
};

static enum MHD_Result add_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    struct framing *f = cls;

    (void)kind;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
        if (f->lengths++ == 0)
            f->length = value;
        else if (strcmp(f->length, value) != 0)
            f->lengths_differ = true;
    } else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        f->chunked_only = (f->encodings++ == 0 || f->chunked_only) &&
                          strcasecmp(value, "chunked") == 0;
    }
    return MHD_YES;
}

/*
 * RFC 9112, 6.1 and 6.3: a request with both Transfer-Encoding and
 * Content-Length, with Content-Lengths that differ, or with a transfer
 * coding other than chunked is refused and its connection closed: a proxy
 * in front that reads the other length would see another request in the
 * body (request smuggling). NULL when the framing is sound, else why not.
 */
static const char *framing_problem(struct MHD_Connection *conn)
{
    struct framing f = { 0, false, NULL, 0, false };

    MHD_get_connection_values(conn, MHD_HEADER_KIND, add_framing, &f);
    if (f.encodings > 0 && f.lengths > 0)
        return "the request has both Transfer-Encoding and Content-Length";
    if (f.lengths_differ)
        return "the request has Content-Length headers that differ";
    if (f.encodings > 1 || (f.encodings == 1 && !f.chunked_only))
        return "the request's Transfer-Encoding is not 'chunked' alone";
    return NULL;
}

/* libmicrohttpd's first call for a request: set it up, refuse what is too big. */
static enum MHD_Result start_request(struct MHD_Connection *conn, const char *url,
                                     const char *method, const struct http_server *srv,
                                     void **con_cls)
{
    struct request *rq = bg_xcalloc(1, sizeof(*rq));
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
    int64_t length;
    const char *why;

    clock_gettime(CLOCK_MONOTONIC, &rq->start);
    bg_printable(rq->method, sizeof(rq->method), method);
    bg_printable(rq->path, sizeof(rq->path), url);
    rq->body = (struct bg_limbuf)BG_LIMBUF_INIT(srv->cfg.max_body);
    *con_cls = rq;
    metrics_in_flight(+1);
    conns_request_started(conn);
    why = framing_problem(conn);
    if (why != NULL) /* answered now, the body unread: the connection is closed after */
        return send_error(conn, rq, 400, "bad_request", why);
    if (cl != NULL && bg_parse_int64(cl, 0, INT64_MAX, &length, &why) == 0 &&
        (uint64_t)length > srv->cfg.max_body) {
        char msg[128];

        /* answered now, the body unread: libmicrohttpd then closes the connection */
        snprintf(msg, sizeof(msg), "the request body (%" PRId64 " bytes) is larger than the "
                 "limit of %zu bytes", length, srv->cfg.max_body);
        return send_error(conn, rq, 413, "payload_too_large", msg);
    }
    return MHD_YES;
}

enum MHD_Result http_on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                const char *method, const char *version,
                                const char *upload_data, size_t *upload_data_size,
                                void **con_cls)
{
    const struct http_server *srv = cls;
    struct request *rq = *con_cls;

    (void)version;
    if (rq == NULL)
        return start_request(conn, url, method, srv, con_cls);
    if (rq->answered) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        /* the idle timeout cannot see a body sent a byte at a time: this can */
        if (seconds_since(&rq->start) > srv->body_timeout) {
            rq->too_slow = true;
            return MHD_NO; /* closes the connection */
        }
        if (!rq->too_large && bg_limbuf_add(&rq->body, upload_data, *upload_data_size) < 0) {
            rq->too_large = true; /* read and drop the rest; answer 413 at the end */
            bg_buf_release(&rq->body.buf);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    return dispatch(conn, url, rq, srv);
}

void http_on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                       enum MHD_RequestTerminationCode toe)
{
    struct request *rq = *con_cls;
    char when[32];
    struct tm tm;
    time_t now;
    double secs;

    (void)cls;
    conns_request_done(conn);
    if (rq == NULL)
        return;
    secs = seconds_since(&rq->start);
    metrics_request(rq->answered ? rq->status : 0, secs);
    metrics_in_flight(-1);
    now = time(NULL);
    if (gmtime_r(&now, &tm) == NULL || strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(when, sizeof(when), "-");
    /* one fprintf per line: stdio locks the stream, so lines never interleave */
    if (rq->answered)
        fprintf(stderr, "%s %s %s %d %zu %.1fms\n", when, rq->method, rq->path, rq->status,
                rq->bytes_out, secs * 1e3);
    else
        fprintf(stderr, "%s %s %s - 0 %.1fms (connection %s)\n", when, rq->method, rq->path,
                secs * 1e3,
                toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? "timed out"
                : rq->too_slow ? "closed: its body took longer than --body-timeout" : "closed");
    bg_buf_release(&rq->body.buf);
    free(rq);
    *con_cls = NULL;
}

/* The path and query reach the handler undecoded: route.c splits the path
 * first and decodes each segment, so "%2F" stays inside its segment. */
size_t http_keep_escapes(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    return strlen(s);
}

/*
 * libmicrohttpd's own messages, made printable and bounded like every other
 * line of the log. A request it refuses itself (a malformed Content-Length,
 * a head too large) never reaches the handler: its message is the only
 * trace, so it is logged in the request line's place and counted.
 */
static int atoi_status(const char *s)
{
    int v = 0;

    for (int i = 0; i < 3 && s[i] >= '0' && s[i] <= '9'; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

void http_on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    static const char marker[] = "HTTP response code is ";
    char msg[256], shown[256], when[32];
    const char *code;
    struct tm tm;
    time_t now = time(NULL);

    (void)cls;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    msg[strcspn(msg, "\n")] = '\0';
    bg_printable(shown, sizeof(shown), msg);
    code = strstr(msg, marker);
    if (code == NULL) {
        bg_warn("libmicrohttpd: %s", shown);
        return;
    }
    if (gmtime_r(&now, &tm) == NULL || strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(when, sizeof(when), "-");
    /* its reason was the message before this one */
    metrics_request(atoi_status(code + strlen(marker)), 0.0);
    fprintf(stderr, "%s - - %d 0 0.0ms (a malformed request, answered by libmicrohttpd)\n",
            when, atoi_status(code + strlen(marker)));
}
