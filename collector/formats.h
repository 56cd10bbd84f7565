/*
 * formats.h: the table of harness formats benchgate can read.
 *
 * Each format is a pure function from one input (bytes, already-parsed
 * JSON) to results appended to a run, plus a sniff() that recognises the
 * format from content alone, never from the file name.
 */
#ifndef BG_COLLECTOR_FORMATS_H
#define BG_COLLECTOR_FORMATS_H

#include "core/bg.h"
#include "core/json.h"
#include "core/model.h"

struct bg_input {
    const char *path;   /* for messages */
    const char *data;   /* the bytes, NUL-terminated */
    size_t len;
    const cJSON *json;  /* the parsed document when data is JSON, else NULL */
};

struct bg_format {
    const char *name;
    const char *summary; /* one line for --help */
    bool is_json;        /* parse() gets in->json, never NULL */
    bool (*sniff)(const struct bg_input *in);
    /* Appends results to run; on error fills d ("PATH: where: what") and returns -1. */
    int (*parse)(const struct bg_input *in, struct bg_run *run, struct bg_diag *d);
};

extern const struct bg_format *const bg_formats[];
extern const size_t bg_n_formats;

/* The format named name, or NULL. */
const struct bg_format *bg_format_find(const char *name);

/*
 * Parses data read from path with the format forced by name (NULL: detect
 * it from the content) and appends its results to run. Records the format
 * in run->tool. Returns 0, or -1 with d filled.
 */
int bg_collect_bytes(const char *path, const char *data, size_t len, const char *format,
                     struct bg_run *run, struct bg_diag *d);

/* Format parsers, one file each. */
extern const struct bg_format bg_format_hyperfine;

#endif /* BG_COLLECTOR_FORMATS_H */
