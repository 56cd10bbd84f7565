/*
 * auth.h: whether a request may read or write a project, by its token.
 *
 * Writes (uploads, server-side checks) always need one of the project's
 * tokens; reads need one only on a --private server. A token comes as
 * "Authorization: Bearer TOKEN", or from a browser as HTTP Basic with the
 * token as the password (server/token.h).
 */
#ifndef BG_SERVER_AUTH_H
#define BG_SERVER_AUTH_H

#include "core/bg.h"
#include "server/http.h"

/* Whether the request may read (or, with write, write) project; false when
 * the answer (401, 403 or 503) is already made in rs. */
bool auth_project(const struct http_request *rq, const char *project, bool write,
                  struct http_response *rs);

/* On a private server, the one project the request's token may read, into
 * owner ("" on a public server: all). False (401 or 503 made) without a
 * valid token. */
bool auth_reader_scope(const struct http_request *rq, char owner[BG_NAME_MAX + 1],
                       struct http_response *rs);

#endif /* BG_SERVER_AUTH_H */
