/*
 * buf.h: a growable byte buffer with a hard size limit.
 *
 * Invariants: data is never NULL and always NUL-terminated (it points at a
 * shared static "" until the first growth); len excludes the NUL; an append
 * that would pass max fails with -1 and leaves the buffer unchanged, so
 * every reader of outside input is bounded by construction.
 */
#ifndef BG_CORE_BUF_H
#define BG_CORE_BUF_H

#include "core/bg.h"
#include "core/err.h"

extern char bg_buf_empty[];

struct bg_buf {
    char *data;
    size_t len;
    size_t cap; /* 0 while data is bg_buf_empty */
    size_t max; /* appends past max bytes fail */
};

#define BG_BUF_INIT(max_) { bg_buf_empty, 0, 0, (max_) }

int bg_buf_add(struct bg_buf *b, const void *p, size_t n);
int bg_buf_adds(struct bg_buf *b, const char *s);
int bg_buf_addf(struct bg_buf *b, const char *fmt, ...) BG_PRINTF(2, 3);
void bg_buf_reset(struct bg_buf *b); /* len = 0, keeps memory */
char *bg_buf_detach(struct bg_buf *b, size_t *len); /* caller frees; b is empty again */
void bg_buf_release(struct bg_buf *b);

/*
 * Reads a whole file into b. On failure fills d with "PATH: why" (missing,
 * unreadable, a directory, or larger than b->max) and returns -1.
 */
int bg_buf_read_file(struct bg_buf *b, const char *path, struct bg_diag *d);
/* Reads fd to its end into b; -1 with errno (EFBIG past b->max). */
int bg_buf_read_fd(struct bg_buf *b, int fd);

#endif /* BG_CORE_BUF_H */
