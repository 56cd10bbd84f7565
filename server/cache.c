/* cache.c: direct-mapped caches (see cache.h). */
#include "core/bg.h"
#include "server/cache.h"
#include "core/hash.h"

#include <pthread.h>

#define SLOTS 512
#define ENTRY_MAX (4u << 20)   /* bytes in one entry */
#define TOTAL_MAX (64u << 20)  /* bytes in all entries of one cache */

struct entry {
    char *key;
    int64_t version;
    char *body;
    size_t len;
};

struct cache {
    pthread_mutex_t lock;
    struct entry slots[SLOTS];
    size_t total;
};

static struct cache answers = { .lock = PTHREAD_MUTEX_INITIALIZER };
static struct cache charts = { .lock = PTHREAD_MUTEX_INITIALIZER };
struct cache *const cache_answers = &answers;
struct cache *const cache_charts = &charts;

static struct entry *slot_of(struct cache *c, const char *key)
{
    return &c->slots[bg_hash_str(BG_HASH_INIT, key) % SLOTS];
}

bool cache_get(struct cache *c, const char *key, int64_t version, struct bg_buf *out)
{
    struct entry *e = slot_of(c, key);
    bool hit;

    pthread_mutex_lock(&c->lock);
    hit = e->key != NULL && e->version == version && strcmp(e->key, key) == 0;
    if (hit)
        bg_buf_add(out, e->body, e->len);
    pthread_mutex_unlock(&c->lock);
    return hit;
}

static void drop(struct cache *c, struct entry *e)
{
    c->total -= e->len;
    free(e->key);
    free(e->body);
    memset(e, 0, sizeof(*e));
}

void cache_put(struct cache *c, const char *key, int64_t version, const char *body, size_t len)
{
    struct entry *e = slot_of(c, key);
    char *k, *b;

    if (len > ENTRY_MAX)
        return;
    k = bg_xstrdup(key);
    b = bg_xmalloc(len + 1);
    memcpy(b, body, len);
    b[len] = '\0';
    pthread_mutex_lock(&c->lock);
    if (e->key != NULL)
        drop(c, e);
    if (c->total + len <= TOTAL_MAX) {
        *e = (struct entry){ k, version, b, len };
        c->total += len;
        k = b = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    free(k);
    free(b);
}

void cache_clear(struct cache *c)
{
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < SLOTS; i++) {
        if (c->slots[i].key != NULL)
            drop(c, &c->slots[i]);
    }
    pthread_mutex_unlock(&c->lock);
}
