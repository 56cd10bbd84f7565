/*
 * http_client.h: talking to a benchgate server (libcurl). Used by
 * `collect --server` to upload and `check --server` to fetch runs and
 * baselines, so that a CI job needs no database of its own.
 *
 * The server comes from --server or $BENCHGATE_SERVER, the token from
 * --token or $BENCHGATE_TOKEN. Only http:// and https:// URLs are taken and
 * redirects are not followed (a token must not travel to another host).
 */
#ifndef BG_CORE_HTTP_CLIENT_H
#define BG_CORE_HTTP_CLIENT_H

#include "core/bg.h"
#include "core/buf.h"

struct bg_server {
    const char *url;   /* "http://host:port", no trailing '/' needed */
    const char *token; /* NULL: none */
};

/* Fills s from the flags given (NULL: not given) and the environment;
 * s->url stays NULL when no server is named. Returns 0, or -1 with d for a
 * URL that is not http(s). */
int bg_server_resolve(struct bg_server *s, const char *url_flag, const char *token_flag,
                      struct bg_diag *d);

/*
 * Sends method (GET, POST or PATCH) to the server at path (already escaped,
 * starting with '/'), with an optional JSON body. On an answer, *status is the HTTP status and
 * resp holds the body. Returns 0 when the server answered (any status), -1
 * with d (BG_FAULT_BROKEN) when it could not be reached or its answer
 * passed resp's limit.
 */
int bg_server_request(const struct bg_server *s, const char *method, const char *path,
                      const char *body, size_t len, long *status, struct bg_limbuf *resp,
                      struct bg_diag *d);

/*
 * The server's error of an answer with a status >= 400 into d ("server
 * URL: 401 unauthorized: the token is not valid"): BG_FAULT_BROKEN for 5xx
 * (the server failed), BG_FAULT_MISSING for 404, else BG_FAULT_INPUT.
 * Returns -1.
 */
int bg_server_failed(const struct bg_server *s, long status, const struct bg_buf *resp,
                     struct bg_diag *d);

#endif /* BG_CORE_HTTP_CLIENT_H */
