/*
 * http.h: one HTTP request's life: read from libmicrohttpd, decoded,
 * handed to a handler, answered, logged.
 *
 * Handlers see a decoded request (struct http_request) and fill a response
 * (struct http_response); they never touch a socket. The helpers here are
 * what every handler checks its inputs with: one error shape, names, and
 * query parameters with ranges. Every error is
 *     {"error": {"code": "...", "message": "..."}}
 * with a stable code (bad_request 400, unauthorized 401, forbidden 403,
 * not_found 404, method_not_allowed 405, conflict 409, payload_too_large
 * 413, store_error 503), or an error page when the request is for a page.
 *
 * A request's limits live here too: its body is bounded by max_body and
 * must arrive within body_timeout; more budgets belong in struct
 * http_request, set up in http.c where the request starts.
 */
#ifndef BG_SERVER_HTTP_H
#define BG_SERVER_HTTP_H

#include "core/bg.h"
#include "core/buf.h"
#include "core/opt.h"
#include "core/store.h"
#include "server/route.h"

#include <microhttpd.h>

/* Read-only settings every worker shares. */
struct http_config {
    size_t max_body;     /* bytes in a request body */
    bool private_reads;  /* reading a project needs one of its tokens too */
    long read_slots;     /* reads computing at once (routes.c); one worker stays free */
};

struct http_request {
    const char *method;
    const struct route_path *path;
    const struct route_query *query;
    const char *authorization; /* the header, or NULL */
    const char *body;          /* NUL-terminated */
    size_t body_len;
    struct store *st;          /* this worker's connection */
    const struct http_config *cfg;
    const char *accept;        /* the Accept header, or NULL */
};

struct http_response {
    int status;
    const char *content_type;
    const char *allow; /* for 405: the methods the path takes */
    bool html;         /* a page: errors are pages, and 401 asks for Basic auth */
    bool transient;    /* a part of it failed for a reason that may pass (a chart):
                          answered, but not kept in the answer cache */
    struct bg_buf body;
};

#define HTTP_RESPONSE_INIT { 0, "application/json", NULL, false, false, BG_BUF_INIT }

/* A route's handler; params are the path's placeholders, the project first. */
typedef void http_handler(const struct http_request *rq, const char *const *params,
                          struct http_response *rs);

/* Fills rs with the error shape (an error page for pages); message is printf-style. */
void http_error(struct http_response *rs, int status, const char *code, const char *fmt, ...)
    BG_PRINTF(4, 5);
/* 503 store_error: the database failed or is busy. */
void http_store_failed(struct http_response *rs);
/* The server's one answer to a library's diagnostic: 400 bad_request, 404
 * not_found or 503 store_error by its fault, with its message; returns -1. */
int http_fail(struct http_response *rs, const struct bg_diag *d);

/*
 * Input checks. Each returns true when the request may go on, and otherwise
 * has made the error answer (400) in rs.
 */
/* s names a project or benchmark (what) */
bool http_name_ok(const char *what, const char *s, struct http_response *rs);
/* ?key=NAME into *out, untouched when absent */
bool http_query_name(const struct http_request *rq, const char *key, const char **out,
                     struct http_response *rs);
/* ?env=FINGERPRINT into *out, untouched when absent or empty (a form's "any") */
bool http_query_env(const struct http_request *rq, const char **out, struct http_response *rs);
/* ?key=N within range into *out, untouched when absent: the ranges are the
 * command line's (core/opt.h), so both take the same values */
bool http_query_int(const struct http_request *rq, const char *key,
                    const struct bg_int_range *range, int64_t *out, struct http_response *rs);
bool http_query_real(const struct http_request *rq, const char *key,
                     const struct bg_real_range *range, double *out, struct http_response *rs);
/* ?key=true|false|1|0 (or empty: true) into *out, untouched when absent */
bool http_query_bool(const struct http_request *rq, const char *key, bool *out,
                     struct http_response *rs);

/* ---- the libmicrohttpd side ---- */

/* What the server gives every request: settings, the route table's entry
 * point, and the calling worker's database connection. */
struct http_server {
    struct http_config cfg;
    double body_timeout; /* seconds a request body may take to arrive */
    double request_timeout; /* seconds a handler may work (core/deadline.h); past it 503 */
    void (*handle)(const struct http_request *rq, struct http_response *rs);
    struct store *(*store)(void); /* NULL when it cannot be opened */
};

/*
 * libmicrohttpd's callbacks, with a struct http_server as their closure:
 * the access handler, the completion notice (which logs the request's one
 * line: printable and bounded whatever the client sent) and the unescaper
 * (which leaves the URL undecoded for route.c).
 */
enum MHD_Result http_on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                const char *method, const char *version,
                                const char *upload_data, size_t *upload_data_size,
                                void **con_cls);
void http_on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                       enum MHD_RequestTerminationCode toe);
size_t http_keep_escapes(void *cls, struct MHD_Connection *conn, char *s);
/* libmicrohttpd's messages (MHD_OPTION_EXTERNAL_LOGGER): logged printable and
 * bounded; a request it answered itself is logged and counted as one. */
void http_on_mhd_log(void *cls, const char *fmt, va_list ap) BG_PRINTF(2, 0);

#endif /* BG_SERVER_HTTP_H */
