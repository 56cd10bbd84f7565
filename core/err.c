/* err.c: diagnostics, messages to the user, and allocation that exits instead of failing. */
#include "core/bg.h"
#include "core/err.h"

static int vfail(struct bg_diag *d, enum bg_fault fault, const char *fmt, va_list ap)
    BG_PRINTF(3, 0);

static int vfail(struct bg_diag *d, enum bg_fault fault, const char *fmt, va_list ap)
{
    if (d != NULL) {
        vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
        d->fault = fault;
    }
    return -1;
}

int bg_fail(struct bg_diag *d, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfail(d, BG_FAULT_INPUT, fmt, ap);
    va_end(ap);
    return -1;
}

int bg_fail_as(struct bg_diag *d, enum bg_fault fault, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfail(d, fault, fmt, ap);
    va_end(ap);
    return -1;
}

void bg_printable(char *out, size_t size, const char *s)
{
    size_t i = 0;

    for (; s[i] != '\0' && i + 1 < size; i++)
        out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    out[i] = '\0';
}

static void vreport(const char *kind, const char *fmt, va_list ap) BG_PRINTF(2, 0);

static void vreport(const char *kind, const char *fmt, va_list ap)
{
    char line[BG_DIAG_MAX * 2], shown[BG_DIAG_MAX * 2];

    /* bounded, and printable: a name or path from outside cannot move the
     * terminal's cursor or forge a line of the server's log */
    vsnprintf(line, sizeof(line), fmt, ap);
    bg_printable(shown, sizeof(shown), line);
    /* one write per message, so concurrent server threads do not interleave */
    fprintf(stderr, "benchgate: %s: %s\n", kind, shown);
}

int bg_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport("error", fmt, ap);
    va_end(ap);
    return -1;
}

void bg_warn(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport("warning", fmt, ap);
    va_end(ap);
}

void bg_die(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport("fatal", fmt, ap);
    va_end(ap);
    exit(BG_EXIT_STORE);
}

void *bg_xmalloc(size_t n)
{
    void *p = malloc(n != 0 ? n : 1);

    if (p == NULL)
        bg_die("out of memory allocating %zu bytes", n);
    return p;
}

void *bg_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count != 0 ? count : 1, size != 0 ? size : 1);

    if (p == NULL)
        bg_die("out of memory allocating %zu x %zu bytes", count, size);
    return p;
}

void *bg_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n != 0 ? n : 1);

    if (q == NULL)
        bg_die("out of memory allocating %zu bytes", n);
    return q;
}

char *bg_xstrdup(const char *s)
{
    return bg_xstrndup(s, strlen(s));
}

char *bg_xstrndup(const char *s, size_t n)
{
    char *p = bg_xmalloc(n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void bg_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    size_t ncap;

    if (need <= *cap)
        return;
    ncap = *cap < 8 ? 8 : *cap;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            bg_die("array size overflow");
        ncap *= 2;
    }
    if (ncap > SIZE_MAX / elem)
        bg_die("array size overflow");
    *p = bg_xrealloc(*p, ncap * elem);
    *cap = ncap;
}
