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
    struct bg_buf body;
};

#define API_RESPONSE_INIT { 0, "application/json", NULL, BG_BUF_INIT(SIZE_MAX) }

void api_handle(const struct api_request *rq, struct api_response *rs);

/* Fills rs with the error shape; message is printf-style. */
void api_error(struct api_response *rs, int status, const char *code, const char *fmt, ...)
    BG_PRINTF(4, 5);

#endif /* BG_SERVER_API_H */
