/* buf.c: growable buffers, unbounded and bounded, and whole-file reads. */
#include "core/bg.h"
#include "core/buf.h"
#include "core/hash.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

char bg_buf_empty[1];

/* Room for extra more bytes and the NUL; growth past memory is fatal. */
static void reserve(struct bg_buf *b, size_t extra)
{
    size_t need, ncap;

    if (extra > SIZE_MAX - b->len - 1)
        bg_die("buffer size overflow");
    need = b->len + extra + 1;
    if (need <= b->cap)
        return;
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
}

void bg_buf_add(struct bg_buf *b, const void *p, size_t n)
{
    if (n == 0)
        return;
    reserve(b, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void bg_buf_adds(struct bg_buf *b, const char *s)
{
    bg_buf_add(b, s, strlen(s));
}

void bg_buf_addf(struct bg_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    /* format straight into the spare room; only a too-small buffer formats twice */
    if (b->cap > b->len + 1) {
        va_start(ap, fmt);
        n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        b->data[b->len] = '\0';
    } else {
        va_start(ap, fmt);
        n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
    }
    if (n < 0) /* an encoding error: our formats are plain, so a bug */
        bg_die("cannot format '%s'", fmt);
    reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void bg_buf_add_url_part(struct bg_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";

    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            bg_buf_add(b, p, 1);
        } else {
            char esc[3] = { '%', hex[*p >> 4], hex[*p & 15] };

            bg_buf_add(b, esc, sizeof(esc));
        }
    }
}

void bg_buf_add_file_part(struct bg_buf *b, const char *s)
{
    size_t start = b->len, keep;

    if (s[0] == '.')
        bg_buf_adds(b, "%2E");
    bg_buf_add_url_part(b, s[0] == '.' ? s + 1 : s);
    if (b->len - start <= BG_FILE_PART_MAX)
        return;
    /* too long for a file name (255 bytes): a head, then the whole name's hash */
    keep = 160;
    while (keep > 0 && (b->data[start + keep - 1] == '%' || b->data[start + keep - 2] == '%'))
        keep--;
    b->len = start + keep;
    b->data[b->len] = '\0';
    bg_buf_addf(b, "~%016" PRIx64, bg_hash_str(BG_HASH_INIT, s));
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

int bg_limbuf_add(struct bg_limbuf *b, const void *p, size_t n)
{
    if (n > b->max || b->buf.len > b->max - n)
        return -1;
    bg_buf_add(&b->buf, p, n);
    return 0;
}

int bg_limbuf_adds(struct bg_limbuf *b, const char *s)
{
    return bg_limbuf_add(b, s, strlen(s));
}

int bg_buf_read_fd(struct bg_buf *b, int fd, size_t max)
{
    struct bg_limbuf lb = { *b, max };
    char chunk[65536];
    int rc = 0;

    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));

        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = -1;
            break;
        }
        if (bg_limbuf_add(&lb, chunk, (size_t)n) < 0) {
            errno = EFBIG;
            rc = -1;
            break;
        }
    }
    *b = lb.buf;
    return rc;
}

int bg_buf_read_file(struct bg_buf *b, const char *path, size_t max, struct bg_diag *d)
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
    if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max) {
        bg_fail(d, "%s: file is %jd bytes, more than the limit of %zu", path,
                (intmax_t)st.st_size, max);
        goto out;
    }
    if (bg_buf_read_fd(b, fd, max) < 0) {
        if (errno == EFBIG)
            bg_fail(d, "%s: input is more than the limit of %zu bytes", path, max);
        else
            bg_fail(d, "%s: cannot read: %s", path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    close(fd);
    return rc;
}
