/*
 * cache.h: two bounded caches shared by the workers, under a lock held only
 * to copy.
 *
 * cache_answers keeps the answers of the read endpoints and pages while the
 * data they came from is unchanged, so a dashboard polling a 1,000-point
 * history costs a copy instead of a query and 6,000 formatted numbers.
 * Every change to the store (a run, a pin, a token, pruning) bumps its
 * write generation (store_generation), so every cached answer is a
 * function of its request and the generation; an entry is found only under
 * the generation it was made at, and any change makes every older entry
 * unreachable, whichever server made it. An answer with a part that failed
 * for a passing reason (a chart while gnuplot was down) is not kept.
 *
 * cache_charts keeps rendered SVGs keyed by a hash of what produced them
 * (version 0), so a chart whose data did not change is never drawn twice,
 * whatever else was uploaded.
 *
 * Each is a hash table bounded in entries and bytes that evicts the least
 * recently used entry first, so the charts of one project's page never
 * push each other out (a direct-mapped table did: 300 sparklines in 512
 * slots evicted each other on every view).
 */
#ifndef BG_SERVER_CACHE_H
#define BG_SERVER_CACHE_H

#include "core/bg.h"
#include "core/buf.h"

struct cache;
extern struct cache *const cache_answers;
extern struct cache *const cache_charts;

/* Appends the cached entry for (key, version) to out; false on a miss. */
bool cache_get(struct cache *c, const char *key, int64_t version, struct bg_buf *out);
/* Keeps an entry; one too large for the cache's budget is not kept. */
void cache_put(struct cache *c, const char *key, int64_t version, const char *body, size_t len);
/* Frees every entry (at shutdown). */
void cache_clear(struct cache *c);

/* What a cache holds and has done, for /metrics. */
struct cache_stats {
    uint64_t hits, misses, evictions;
    size_t entries, bytes;
};
void cache_stats(struct cache *c, struct cache_stats *out);

#endif /* BG_SERVER_CACHE_H */
