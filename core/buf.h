/*
 * buf.h: growable byte buffers, in two kinds that say what they promise.
 *
 * struct bg_buf grows until memory runs out (and out of memory is fatal,
 * err.h), so its appends cannot fail and return nothing, like git's
 * strbuf_add: the server's answers, pages, JSON and reports are built this
 * way. struct bg_limbuf has a limit, for what arrives from outside a piece
 * at a time (a request body, a server's answer, a child's output): its
 * appends fail past the limit, leave the buffer as it was, and must be
 * checked (warn_unused_result, like curl's dynbuf). A whole file is read
 * into a bg_buf with the limit given to the read.
 *
 * Invariants of both: data is never NULL and always NUL-terminated (it
 * points at a shared static "" until the first growth); len excludes the NUL.
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
};

#define BG_BUF_INIT { bg_buf_empty, 0, 0 }

void bg_buf_add(struct bg_buf *b, const void *p, size_t n);
void bg_buf_adds(struct bg_buf *b, const char *s);
void bg_buf_addf(struct bg_buf *b, const char *fmt, ...) BG_PRINTF(2, 3);
/* Appends s percent-encoded but for RFC 3986's unreserved characters
 * (A-Z a-z 0-9 - . _ ~): one URL path segment or query value, also safe
 * inside an HTML attribute. */
void bg_buf_add_url_part(struct bg_buf *b, const char *s);
/* Appends s as one file or folder name of a published dashboard (benchgate
 * publish): percent-encoded as above, with a leading '.' as %2E too, so no
 * name is ".", "..", hidden, or holds a '/'; past BG_FILE_PART_MAX bytes, a
 * head of it and '~' and the hash of all of it. A link to it encodes it
 * again (its '%' as %25): bg_buf_add_url_part of what this appended. */
#define BG_FILE_PART_MAX 200
void bg_buf_add_file_part(struct bg_buf *b, const char *s);
void bg_buf_reset(struct bg_buf *b); /* len = 0, keeps memory */
char *bg_buf_detach(struct bg_buf *b, size_t *len); /* caller frees; b is empty again */
void bg_buf_release(struct bg_buf *b);

/*
 * Reads a whole file into b, at most max bytes. On failure fills d (may be
 * NULL) with "PATH: why" (missing, unreadable, a directory, or larger than
 * max) and returns -1; b may then hold part of the file.
 */
int bg_buf_read_file(struct bg_buf *b, const char *path, size_t max, struct bg_diag *d) BG_WUR;
/* Reads fd to its end into b, at most max bytes; -1 with errno (EFBIG past max). */
int bg_buf_read_fd(struct bg_buf *b, int fd, size_t max) BG_WUR;

/* A buffer that refuses to grow past max bytes. */
struct bg_limbuf {
    struct bg_buf buf;
    size_t max;
};

#define BG_LIMBUF_INIT(max_) { BG_BUF_INIT, (max_) }

/* Appends, or returns -1 and changes nothing when b would pass its max. */
int bg_limbuf_add(struct bg_limbuf *b, const void *p, size_t n) BG_WUR;
int bg_limbuf_adds(struct bg_limbuf *b, const char *s) BG_WUR;

#endif /* BG_CORE_BUF_H */
