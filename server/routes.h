/*
 * routes.h: the server's routes, as a function from a decoded request to a
 * response: the table of methods and path patterns (routes.c), the answer
 * cache in front of the reads, and 404 and 405 for what matches nothing.
 */
#ifndef BG_SERVER_ROUTES_H
#define BG_SERVER_ROUTES_H

#include "server/http.h"

void routes_handle(const struct http_request *rq, struct http_response *rs);

/* The Content-Type a GET of path answers with when it succeeds, read from
 * the route table without running anything; NULL when no route takes it.
 * benchgate publish names its files by it. */
const char *routes_type(const struct route_path *path);

#endif /* BG_SERVER_ROUTES_H */
