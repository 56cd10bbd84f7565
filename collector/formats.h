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
#include "core/buf.h"
#include "core/json.h"
#include "core/model.h"

struct bg_input {
    const char *path;   /* for messages */
    const char *data;   /* the bytes, NUL-terminated */
    size_t len;
    const cJSON *json;  /* the parsed document when data is JSON, else NULL */
};

/*
 * A format reads files (sniff + parse) or directories (sniff_dir +
 * parse_dir, e.g. Criterion's target/criterion), or both; unused members
 * are NULL.
 *
 * Metric conventions every parser follows, so runs of different harnesses
 * read alike:
 *   "time"          unit "ns", lower is better (per iteration or per run)
 *   "throughput"    unit "B/s" or "items/s", higher is better
 *   "bytes_per_op"  unit "B", lower;  "allocs_per_op" unit "allocs", lower
 *   anything else   a custom metric named after its unit or counter; lower
 *                   is better unless its unit ends in "/s" (a rate)
 * A harness that gives only summaries sets summary_only and fills what it
 * knows of res->sum (n, mean, stddev, ...), leaving the rest NAN: benchgate
 * never invents samples.
 */
struct bg_format {
    const char *name;
    const char *summary; /* one line for --help */
    bool is_json;        /* parse() gets in->json, never NULL */
    bool names_tool;     /* the input says which tool made it (benchgate's own JSON) */
    bool (*sniff)(const struct bg_input *in);
    /* Appends results to run; on error fills d ("PATH: where: what") and returns -1. */
    int (*parse)(const struct bg_input *in, struct bg_run *run, struct bg_diag *d);
    bool (*sniff_dir)(const char *dir);
    int (*parse_dir)(const char *dir, struct bg_run *run, struct bg_diag *d);
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

/*
 * Reads path (a file, a directory, or "-" for standard input) and appends
 * its results to run, as bg_collect_bytes() does for bytes.
 */
int bg_collect_path(const char *path, const char *format, struct bg_run *run,
                    struct bg_diag *d);

/*
 * Reads a harness's parameters, a JSON object at path `at` of file `what`,
 * into res (absent or null: none). Values must be strings, or with scalars
 * also numbers, booleans and null, kept as their text; keys and values are
 * checked as names. Lists and objects are left out of the identity.
 */
int bg_collect_params(const char *what, const cJSON *params, const char *at, bool scalars,
                      struct bg_result *res, struct bg_diag *d);

/* Format parsers, one file each. */
extern const struct bg_format bg_format_hyperfine;
extern const struct bg_format bg_format_benchgate;
extern const struct bg_format bg_format_go;
extern const struct bg_format bg_format_gbench;
extern const struct bg_format bg_format_pytest;
extern const struct bg_format bg_format_criterion;
extern const struct bg_format bg_format_bencher;
extern const struct bg_format bg_format_catch2;

/* Appends run as a benchgate run document (schemas/run.schema.json) to b:
 * numbers round-trip exactly, so reading it back gives the same run. */
void bg_run_write_json(const struct bg_run *run, struct bg_buf *b);

/* Reads a run document already parsed (a server's answer) into an empty
 * run, finished and fingerprinted, keeping its "id". Returns 0 or -1 with d. */
int bg_run_read_json(const cJSON *doc, const char *what, struct bg_run *run, struct bg_diag *d);

#endif /* BG_COLLECTOR_FORMATS_H */
