/* route.c: decoding and matching request paths and queries (see route.h). */
#include "core/bg.h"
#include "server/route.h"
#include "core/err.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long route_decode(const char *in, size_t n, bool plus_is_space, char *out, size_t size,
                  const char **why)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        char c = in[i];

        if (c == '%') {
            if (i + 2 >= n || hexval(in[i + 1]) < 0 || hexval(in[i + 2]) < 0) {
                *why = "has a bad percent escape";
                return -1;
            }
            c = (char)(hexval(in[i + 1]) * 16 + hexval(in[i + 2]));
            i += 2;
            if (c == '\0') {
                *why = "contains a NUL byte (%00)";
                return -1;
            }
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        } else if (c == '\0') {
            *why = "contains a NUL byte";
            return -1;
        }
        if (o + 1 >= size) {
            *why = "is too long";
            return -1;
        }
        out[o++] = c;
    }
    if (size == 0) {
        *why = "is too long";
        return -1;
    }
    out[o] = '\0';
    return (long)o;
}

int route_split(const char *path, struct route_path *out, const char **why)
{
    size_t len = strnlen(path, ROUTE_MAX_URL + 1), used = 0;
    const char *p = path;

    out->n = 0;
    if (len > ROUTE_MAX_URL) {
        *why = "is too long";
        return -1;
    }
    if (*p != '/') {
        *why = "does not start with '/'";
        return -1;
    }
    while (*p == '/' && p[1] != '\0') {
        const char *start = ++p;
        size_t n = strcspn(start, "/");
        long got;

        if (out->n == ROUTE_MAX_SEGS) {
            *why = "has too many segments";
            return -1;
        }
        got = route_decode(start, n, false, out->buf + used, sizeof(out->buf) - used, why);
        if (got < 0)
            return -1;
        out->seg[out->n++] = out->buf + used;
        used += (size_t)got + 1;
        p = start + n;
    }
    return 0;
}

int route_query_add(struct route_query *q, const char *key, const char *value, const char **why)
{
    size_t klen = strnlen(key, ROUTE_MAX_URL + 1);
    size_t vlen = value != NULL ? strnlen(value, ROUTE_MAX_URL + 1) : 0;
    char *k, *v;

    if (q->n == ROUTE_MAX_QUERY) {
        *why = "has too many parameters";
        return -1;
    }
    if (klen > ROUTE_MAX_URL || vlen > ROUTE_MAX_URL) {
        *why = "is too long";
        return -1;
    }
    k = bg_xmalloc(klen + 1);
    v = bg_xmalloc(vlen + 1);
    if (route_decode(key, klen, true, k, klen + 1, why) < 0 ||
        route_decode(value != NULL ? value : "", vlen, true, v, vlen + 1, why) < 0) {
        free(k);
        free(v);
        return -1;
    }
    q->kv[q->n].key = k;
    q->kv[q->n].value = v;
    q->n++;
    return 0;
}

const char *route_query_get(const struct route_query *q, const char *key)
{
    for (size_t i = 0; i < q->n; i++) {
        if (strcmp(q->kv[i].key, key) == 0)
            return q->kv[i].value;
    }
    return NULL;
}

void route_query_release(struct route_query *q)
{
    for (size_t i = 0; i < q->n; i++) {
        free(q->kv[i].key);
        free(q->kv[i].value);
    }
    q->n = 0;
}

bool route_match(const char *pattern, const struct route_path *path,
                 const char *params[ROUTE_MAX_SEGS], size_t *n_params)
{
    const char *p = pattern;
    size_t i = 0;

    *n_params = 0;
    while (*p != '\0') {
        size_t n = strcspn(p, "/");

        if (i == path->n)
            return false;
        if (*p == ':')
            params[(*n_params)++] = path->seg[i];
        else if (strlen(path->seg[i]) != n || memcmp(path->seg[i], p, n) != 0)
            return false;
        i++;
        p += n + (p[n] == '/');
    }
    return i == path->n;
}
