/* gz.c: gzip and bounded gunzip in memory, with zlib. */
#include "core/bg.h"
#include "core/gz.h"

#include <zlib.h>

int bg_gzip(const void *data, size_t len, struct bg_buf *out, struct bg_diag *d)
{
    z_stream z = { 0 };
    unsigned char chunk[65536];
    int zr;

    /* 15 window bits + 16: a gzip header and trailer, as zcat reads */
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return bg_fail_as(d, BG_FAULT_BROKEN, "gzip: cannot start (out of memory)");
    z.next_in = (Bytef *)(uintptr_t)data;
    do {
        /* zlib counts in uInt: feed a large input in pieces */
        if (z.avail_in == 0 && len > 0) {
            size_t take = len > (1u << 30) ? (1u << 30) : len;

            z.avail_in = (uInt)take;
            len -= take;
        }
        z.next_out = chunk;
        z.avail_out = sizeof(chunk);
        zr = deflate(&z, len == 0 ? Z_FINISH : Z_NO_FLUSH);
        if (zr == Z_STREAM_ERROR) {
            deflateEnd(&z);
            return bg_fail_as(d, BG_FAULT_BROKEN, "gzip: failed");
        }
        bg_buf_add(out, chunk, sizeof(chunk) - z.avail_out);
    } while (zr != Z_STREAM_END);
    deflateEnd(&z);
    return 0;
}

int bg_gunzip(const void *data, size_t len, struct bg_limbuf *out, const char *what,
              struct bg_diag *d)
{
    z_stream z = { 0 };
    unsigned char chunk[65536];
    int zr = Z_OK, rc = -1;

    if (len < 18 || ((const unsigned char *)data)[0] != 0x1f ||
        ((const unsigned char *)data)[1] != 0x8b)
        return bg_fail(d, "%s: not gzip data", what);
    if (len > UINT32_MAX)
        return bg_fail(d, "%s: larger than 4 GiB compressed", what);
    if (inflateInit2(&z, 15 + 16) != Z_OK)
        return bg_fail_as(d, BG_FAULT_BROKEN, "gunzip: cannot start (out of memory)");
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)len;
    while (zr != Z_STREAM_END) {
        z.next_out = chunk;
        z.avail_out = sizeof(chunk);
        zr = inflate(&z, Z_NO_FLUSH);
        if (zr != Z_OK && zr != Z_STREAM_END) {
            bg_fail(d, "%s: corrupt or truncated gzip data (%s)", what,
                    zr == Z_BUF_ERROR ? "it ends early" : z.msg != NULL ? z.msg : "bad data");
            goto out;
        }
        if (bg_limbuf_add(out, chunk, sizeof(chunk) - z.avail_out) < 0) {
            bg_fail(d, "%s: inflates past the limit of %zu bytes", what, out->max);
            goto out;
        }
    }
    if (z.avail_in != 0) {
        bg_fail(d, "%s: data after the gzip stream", what);
        goto out;
    }
    if (bg_limbuf_add(out, "", 1) < 0) {
        bg_fail(d, "%s: inflates past the limit of %zu bytes", what, out->max);
        goto out;
    }
    out->buf.len--;
    rc = 0;
out:
    inflateEnd(&z);
    return rc;
}
