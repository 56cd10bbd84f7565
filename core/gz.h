/*
 * gz.h: gzip in memory, bounded: the git history's run documents are one
 * gzip file each (readable with zcat), and what is read back is outside
 * input, so inflating stops at a limit instead of trusting the header.
 */
#ifndef BG_CORE_GZ_H
#define BG_CORE_GZ_H

#include "core/bg.h"
#include "core/buf.h"
#include "core/err.h"

/* Appends data[0..len) as one gzip member to out. Returns 0, or -1 with d. */
int bg_gzip(const void *data, size_t len, struct bg_buf *out, struct bg_diag *d) BG_WUR;

/*
 * Appends the inflated gzip data[0..len) to out, at most out->max bytes
 * (a larger result is an error, not a cut). Refuses anything after the
 * first member, and a truncated or corrupt stream. NUL-terminates out's
 * data (not counted in its length). Returns 0, or -1 with d ("what: ...").
 */
int bg_gunzip(const void *data, size_t len, struct bg_limbuf *out, const char *what,
              struct bg_diag *d) BG_WUR;

#endif /* BG_CORE_GZ_H */
