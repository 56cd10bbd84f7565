/*
 * cache.c: bounded LRU caches (see cache.h): a hash table of chains for
 * the look-up, a doubly linked list for the order of use.
 */
#include "core/bg.h"
#include "server/cache.h"
#include "core/hash.h"

#include <pthread.h>
#include <sys/random.h>

#define BUCKETS 8192            /* chains; a power of two */
#define ENTRY_MAX (4u << 20)    /* bytes in one entry */

struct entry {
    char *key;
    int64_t version;
    char *body;
    size_t len;
    uint64_t hash;
    struct entry *chain;        /* the next in its bucket */
    struct entry *newer, *older; /* the order of use */
};

struct cache {
    pthread_mutex_t lock;
    size_t max_entries, max_bytes;
    struct entry *buckets[BUCKETS];
    struct entry *newest, *oldest;
    size_t entries, bytes;
    struct cache_stats stats;
};

/*
 * Answers: every page and read of every project at the current generation,
 * older generations aging out. Charts: at 8,192 a 300-benchmark project's
 * sparklines (each branch and machine filter its own) and history charts
 * fit many times over; at about 3 kB a sparkline and 40 kB a history
 * chart, the byte bound is what ends it, not the count.
 */
static struct cache answers = { .lock = PTHREAD_MUTEX_INITIALIZER, .max_entries = 8192,
                                .max_bytes = 64u << 20 };
static struct cache charts = { .lock = PTHREAD_MUTEX_INITIALIZER, .max_entries = 16384,
                               .max_bytes = 64u << 20 };
struct cache *const cache_answers = &answers;
struct cache *const cache_charts = &charts;

/* Keys come from requests: a salt the client cannot know keeps its chosen
 * keys from piling into one chain. */
static uint64_t salt = BG_HASH_INIT;
static pthread_once_t salted = PTHREAD_ONCE_INIT;

static void make_salt(void)
{
    uint64_t r;

    if (getrandom(&r, sizeof(r), GRND_NONBLOCK) == (ssize_t)sizeof(r))
        salt ^= r;
}

static uint64_t hash_of(const char *key)
{
    pthread_once(&salted, make_salt);
    return bg_hash_str(salt, key);
}

/* The entry for key, or NULL; with the lock held. */
static struct entry *find(struct cache *c, const char *key, uint64_t h)
{
    struct entry *e = c->buckets[h & (BUCKETS - 1)];

    while (e != NULL && (e->hash != h || strcmp(e->key, key) != 0))
        e = e->chain;
    return e;
}

static void unlink_use(struct cache *c, struct entry *e)
{
    if (e->newer != NULL)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    if (e->older != NULL)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void link_newest(struct cache *c, struct entry *e)
{
    e->older = c->newest;
    e->newer = NULL;
    if (c->newest != NULL)
        c->newest->newer = e;
    c->newest = e;
    if (c->oldest == NULL)
        c->oldest = e;
}

/* Takes e out of the cache and frees it; with the lock held. */
static void drop(struct cache *c, struct entry *e)
{
    struct entry **p = &c->buckets[e->hash & (BUCKETS - 1)];

    while (*p != e)
        p = &(*p)->chain;
    *p = e->chain;
    unlink_use(c, e);
    c->entries--;
    c->bytes -= e->len;
    free(e->key);
    free(e->body);
    free(e);
}

bool cache_get(struct cache *c, const char *key, int64_t version, struct bg_buf *out)
{
    uint64_t h = hash_of(key);
    struct entry *e;
    bool hit;

    pthread_mutex_lock(&c->lock);
    e = find(c, key, h);
    hit = e != NULL && e->version == version;
    if (hit) {
        bg_buf_add(out, e->body, e->len);
        unlink_use(c, e);
        link_newest(c, e);
        c->stats.hits++;
    } else {
        c->stats.misses++;
    }
    pthread_mutex_unlock(&c->lock);
    return hit;
}

void cache_put(struct cache *c, const char *key, int64_t version, const char *body, size_t len)
{
    uint64_t h = hash_of(key);
    struct entry *e, *old;

    if (len > ENTRY_MAX || len > c->max_bytes)
        return;
    e = bg_xcalloc(1, sizeof(*e));
    e->key = bg_xstrdup(key);
    e->body = bg_xmalloc(len + 1);
    memcpy(e->body, body, len);
    e->body[len] = '\0';
    e->len = len;
    e->version = version;
    e->hash = h;
    pthread_mutex_lock(&c->lock);
    old = find(c, key, h);
    if (old != NULL)
        drop(c, old);
    while (c->oldest != NULL &&
           (c->entries + 1 > c->max_entries || c->bytes + len > c->max_bytes)) {
        drop(c, c->oldest);
        c->stats.evictions++;
    }
    e->chain = c->buckets[h & (BUCKETS - 1)];
    c->buckets[h & (BUCKETS - 1)] = e;
    link_newest(c, e);
    c->entries++;
    c->bytes += len;
    pthread_mutex_unlock(&c->lock);
}

void cache_clear(struct cache *c)
{
    pthread_mutex_lock(&c->lock);
    while (c->oldest != NULL)
        drop(c, c->oldest);
    pthread_mutex_unlock(&c->lock);
}

void cache_stats(struct cache *c, struct cache_stats *out)
{
    pthread_mutex_lock(&c->lock);
    *out = c->stats;
    out->entries = c->entries;
    out->bytes = c->bytes;
    pthread_mutex_unlock(&c->lock);
}
