/*
 * api.h: the server's routes, as a function from a decoded request to a
 * response. No sockets here: server/serve.c reads requests off the wire
 * and writes responses back.
 *
 * Every response is JSON (the metrics are Prometheus text); every error is
 * {"error": {"code": "...", "message": "..."}} with a stable code:
 * bad_request 400, unauthorized 401, forbidden 403, not_found 404,
 * method_not_allowed 405, conflict 409, payload_too_large 413,
 * store_error 500/503.
 */
#ifndef BG_SERVER_API_H
#define BG_SERVER_API_H

#include "core/bg.h"
#include "core/buf.h"
#include "core/model.h"
#include "core/store.h"
#include "server/route.h"

/* Read-only settings every worker shares. */
struct api_config {
    size_t max_body;    /* bytes in a request body */
    bool private_reads; /* reading a project needs one of its tokens too */
};

struct api_request {
    const char *method;
    const struct route_path *path;
    const struct route_query *query;
    const char *authorization; /* the header, or NULL */
    const char *body;          /* NUL-terminated */
    size_t body_len;
    struct store *st;          /* this worker's connection */
    const struct api_config *cfg;
};

struct api_response {
    int status;
    const char *content_type;
    const char *allow; /* for 405: the methods the path takes */
    bool html;         /* a page: errors are pages, and 401 asks for Basic auth */
    struct bg_buf body;
};

#define API_RESPONSE_INIT { 0, "application/json", NULL, false, BG_BUF_INIT }

void api_handle(const struct api_request *rq, struct api_response *rs);

/* A route's handler; params are the path's placeholders, the project first. */
typedef void api_handler(const struct api_request *rq, const char *const *params,
                         struct api_response *rs);

/* Fills rs with the error shape (an error page for pages); message is printf-style. */
void api_error(struct api_response *rs, int status, const char *code, const char *fmt, ...)
    BG_PRINTF(4, 5);

/*
 * Checks shared by the API and the pages. Each returns true (or 0) when the
 * request may go on, and otherwise has made the error answer in rs.
 */
void api_store_failed(struct api_response *rs);
/* s names a project or benchmark (what) */
bool api_name_ok(const char *what, const char *s, struct api_response *rs);
/* ?key=NAME into *out, untouched when absent */
int api_query_name(const struct api_request *rq, const char *key, const char **out,
                   struct api_response *rs);
/* ?env=FINGERPRINT into *out, untouched when absent or empty (a form's "any") */
int api_query_env(const struct api_request *rq, const char **out, struct api_response *rs);
/* ?key=N in lo..hi into *out, untouched when absent */
int api_query_int(const struct api_request *rq, const char *key, int64_t lo, int64_t hi,
                  int64_t *out, struct api_response *rs);
/* reading (or, with write, writing) project is allowed with the request's token */
bool api_authorized(const struct api_request *rq, const char *project, bool write,
                    struct api_response *rs);
/* on a private server, the one project the request's token may read into
 * owner ("" on a public server: all); 401 without a valid token */
bool api_reader_scope(const struct api_request *rq, char owner[BG_NAME_MAX + 1],
                      struct api_response *rs);
/* project has been stored; 404 otherwise */
bool api_project_known(const struct api_request *rq, const char *project,
                       struct api_response *rs);
/* loads run id_text of project into run; 400 or 404 otherwise */
bool api_stored_run(const struct api_request *rq, const char *project, const char *id_text,
                    struct bg_run *run, struct api_response *rs);

#endif /* BG_SERVER_API_H */
