/* cache.c: a direct-mapped answer cache (see cache.h). */
#include "core/bg.h"
#include "server/cache.h"
#include "server/metrics.h"

#include <pthread.h>

#define SLOTS 512
#define ENTRY_MAX (4u << 20)   /* bytes in one answer */
#define TOTAL_MAX (64u << 20)  /* bytes in all answers */

struct entry {
    char *key;
    int64_t version;
    char *body;
    size_t len;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry slots[SLOTS];
static size_t total;

static struct entry *slot_of(const char *key)
{
    uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */

    for (const char *p = key; *p != '\0'; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3u;
    return &slots[h % SLOTS];
}

bool cache_get(const char *key, int64_t version, struct bg_buf *out)
{
    struct entry *e = slot_of(key);
    bool hit;

    pthread_mutex_lock(&lock);
    hit = e->key != NULL && e->version == version && strcmp(e->key, key) == 0 &&
          bg_buf_add(out, e->body, e->len) == 0;
    pthread_mutex_unlock(&lock);
    metrics_cache(hit);
    return hit;
}

static void drop(struct entry *e)
{
    total -= e->len;
    free(e->key);
    free(e->body);
    memset(e, 0, sizeof(*e));
}

void cache_put(const char *key, int64_t version, const char *body, size_t len)
{
    struct entry *e = slot_of(key);
    char *k, *b;

    if (len > ENTRY_MAX)
        return;
    k = bg_xstrdup(key);
    b = bg_xmalloc(len + 1);
    memcpy(b, body, len);
    b[len] = '\0';
    pthread_mutex_lock(&lock);
    if (e->key != NULL)
        drop(e);
    if (total + len <= TOTAL_MAX) {
        *e = (struct entry){ k, version, b, len };
        total += len;
        k = b = NULL;
    }
    pthread_mutex_unlock(&lock);
    free(k);
    free(b);
}

void cache_clear(void)
{
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < SLOTS; i++) {
        if (slots[i].key != NULL)
            drop(&slots[i]);
    }
    pthread_mutex_unlock(&lock);
}
