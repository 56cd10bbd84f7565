/*
 * route.h: a request's path and query string, decoded and bounded, and the
 * match of a path against the server's route patterns. Pure functions over
 * strings, so the rules for hostile URLs are unit-tested without a socket.
 *
 * The path is split at '/' first and each segment percent-decoded after,
 * so a project "org/repo" or a benchmark "parse/small" travels as one
 * segment written "org%2Frepo". A decoded NUL, a bad escape, a segment that
 * is not a valid name, or a path or query past the limits is refused.
 */
#ifndef BG_SERVER_ROUTE_H
#define BG_SERVER_ROUTE_H

#include "core/bg.h"

#define ROUTE_MAX_URL 4096   /* bytes in the path, and in the query string */
#define ROUTE_MAX_SEGS 8
#define ROUTE_MAX_QUERY 32   /* query parameters */

struct route_path {
    char *seg[ROUTE_MAX_SEGS]; /* decoded, pointing into buf */
    size_t n;
    char buf[ROUTE_MAX_URL + ROUTE_MAX_SEGS];
};

/*
 * Percent-decodes in[0..n) into out (size bytes, NUL-terminated), with '+'
 * as a space when plus_is_space (query strings). Returns the length, or -1
 * with *why set for a bad escape, a %00, or an output that does not fit.
 */
long route_decode(const char *in, size_t n, bool plus_is_space, char *out, size_t size,
                  const char **why);

/* Splits an absolute path into decoded segments; a trailing '/' is ignored.
 * Returns 0, or -1 with *why set. */
int route_split(const char *path, struct route_path *out, const char **why);

struct route_query {
    struct { char *key, *value; } kv[ROUTE_MAX_QUERY];
    size_t n;
};

/* Adds one raw key=value pair, decoding both; -1 with *why when refused. */
int route_query_add(struct route_query *q, const char *key, const char *value, const char **why);
/* The first value of key, or NULL. */
const char *route_query_get(const struct route_query *q, const char *key);
void route_query_release(struct route_query *q);

/*
 * Whether path matches pattern, a '/'-separated list of literal segments
 * and ":name" placeholders (e.g. "api/v1/projects/:p/runs"). On a match the
 * placeholders' values are stored in params, in order.
 */
bool route_match(const char *pattern, const struct route_path *path,
                 const char *params[ROUTE_MAX_SEGS], size_t *n_params);

#endif /* BG_SERVER_ROUTE_H */
