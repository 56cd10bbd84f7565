/* buf.c: bounded growable buffers and whole-file reads. */
#include "core/bg.h"
#include "core/buf.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

char bg_buf_empty[1];

static int reserve(struct bg_buf *b, size_t extra)
{
    size_t need, ncap;

    if (extra > b->max || b->len > b->max - extra)
        return -1;
    need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    ncap = b->cap < 64 ? 64 : b->cap;
    while (ncap < need)
        ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
    if (b->cap == 0) {
        b->data = bg_xmalloc(ncap);
        b->data[0] = '\0';
    } else {
        b->data = bg_xrealloc(b->data, ncap);
    }
    b->cap = ncap;
    return 0;
}

int bg_buf_add(struct bg_buf *b, const void *p, size_t n)
{
    if (n == 0)
        return 0;
    if (reserve(b, n) < 0)
        return -1;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int bg_buf_adds(struct bg_buf *b, const char *s)
{
    return bg_buf_add(b, s, strlen(s));
}

int bg_buf_addf(struct bg_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    /* format straight into the spare room; only a too-small buffer formats twice */
    if (b->cap > b->len + 1) {
        va_start(ap, fmt);
        n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->data[b->len] = '\0';
            return -1;
        }
        if ((size_t)n < b->cap - b->len) {
            if ((size_t)n > b->max - b->len) {
                b->data[b->len] = '\0'; /* past the limit: as if never added */
                return -1;
            }
            b->len += (size_t)n;
            return 0;
        }
        b->data[b->len] = '\0';
    } else {
        va_start(ap, fmt);
        n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n < 0)
            return -1;
    }
    if (reserve(b, (size_t)n) < 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void bg_buf_reset(struct bg_buf *b)
{
    b->len = 0;
    if (b->cap != 0) /* never write to the shared empty buffer */
        b->data[0] = '\0';
}

char *bg_buf_detach(struct bg_buf *b, size_t *len)
{
    char *p = b->cap != 0 ? b->data : bg_xstrdup("");

    if (len != NULL)
        *len = b->len;
    b->data = bg_buf_empty;
    b->len = 0;
    b->cap = 0;
    return p;
}

void bg_buf_release(struct bg_buf *b)
{
    if (b->cap != 0)
        free(b->data);
    b->data = bg_buf_empty;
    b->len = 0;
    b->cap = 0;
}

int bg_buf_read_fd(struct bg_buf *b, int fd)
{
    char chunk[65536];

    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));

        if (n == 0)
            return 0;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (bg_buf_add(b, chunk, (size_t)n) < 0) {
            errno = EFBIG;
            return -1;
        }
    }
}

int bg_buf_read_file(struct bg_buf *b, const char *path, struct bg_diag *d)
{
    struct stat st;
    int fd, rc = -1;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return bg_fail(d, "%s: cannot open: %s", path, strerror(errno));
    if (fstat(fd, &st) < 0) {
        bg_fail(d, "%s: cannot stat: %s", path, strerror(errno));
        goto out;
    }
    if (S_ISDIR(st.st_mode)) {
        bg_fail(d, "%s: is a directory", path);
        goto out;
    }
    if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > b->max) {
        bg_fail(d, "%s: file is %jd bytes, more than the limit of %zu", path,
                (intmax_t)st.st_size, b->max);
        goto out;
    }
    if (bg_buf_read_fd(b, fd) < 0) {
        if (errno == EFBIG)
            bg_fail(d, "%s: input is more than the limit of %zu bytes", path, b->max);
        else
            bg_fail(d, "%s: cannot read: %s", path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    close(fd);
    return rc;
}
