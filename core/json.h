/*
 * json.h: thin, strict helpers over cJSON for reading outside documents.
 *
 * Every reader names where it failed: "FILE: results[3].times[7]: expected
 * a number, got string". Lookups are case-sensitive (cJSON_GetObjectItem is
 * not), numbers are read from valuedouble (valueint saturates) and must be
 * finite (cJSON reads 1e999 as infinity).
 */
#ifndef BG_CORE_JSON_H
#define BG_CORE_JSON_H

#include "core/bg.h"
#include "core/buf.h"
#include "core/err.h"

#include <cJSON.h>

/*
 * Parses len bytes (no NUL needed, thread-safe). On a syntax error fills d
 * with "WHAT:LINE:COL: invalid JSON: ..." and returns NULL.
 */
cJSON *bg_json_parse(const char *data, size_t len, const char *what, struct bg_diag *d);

/* "object", "array", "string", "number", "true"/"false", "null" */
const char *bg_json_type(const cJSON *item);

/* The member named key, or NULL (also when obj is not an object). */
const cJSON *bg_json_get(const cJSON *obj, const char *key);

/*
 * Checked reads. `what` is the file, `path` the JSON path of item. Each
 * returns 0 or -1 with d filled; item may be NULL ("missing").
 */
int bg_json_want(const cJSON *item, int type, const char *what, const char *path,
                 struct bg_diag *d);
int bg_json_number(const cJSON *item, double lo, double hi, const char *what, const char *path,
                   double *out, struct bg_diag *d);
int bg_json_string(const cJSON *item, const char *what, const char *path, const char **out,
                   struct bg_diag *d);

/*
 * Writing. benchgate prints its own JSON rather than through cJSON_Print so
 * that numbers round-trip exactly: the shortest of %.15g/%.16g/%.17g that
 * reads back as the same double. NAN and infinities print as null (JSON has
 * no such numbers). Strings are escaped for JSON; UTF-8 passes through.
 */
void bg_json_add_string(struct bg_buf *b, const char *s);
void bg_json_add_number(struct bg_buf *b, double v);

#endif /* BG_CORE_JSON_H */
