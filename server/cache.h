/*
 * cache.h: answers of the read endpoints, kept while the data they came
 * from is unchanged, so a dashboard polling a 1,000-point history costs a
 * copy instead of a query and 6,000 formatted numbers.
 *
 * Runs are only ever added, never changed, so every cached answer is a
 * function of its request and the newest run id (store_version); the key
 * includes both, and an upload makes every older entry unreachable. One
 * cache per process, shared by the workers under a lock held only to copy.
 */
#ifndef BG_SERVER_CACHE_H
#define BG_SERVER_CACHE_H

#include "core/bg.h"
#include "core/buf.h"

/* Appends the cached answer for (key, version) to out; false on a miss. */
bool cache_get(const char *key, int64_t version, struct bg_buf *out);
/* Keeps an answer; one too large for the cache's budget is not kept. */
void cache_put(const char *key, int64_t version, const char *body, size_t len);
/* Frees every entry (at shutdown). */
void cache_clear(void);

#endif /* BG_SERVER_CACHE_H */
