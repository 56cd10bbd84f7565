/*
 * history.h: a benchmark's stored results over time, as the JSON document
 * that `benchgate history --output json` prints and the server's
 * .../history endpoint answers (schemas/api/history.schema.json).
 */
#ifndef BG_GATE_HISTORY_H
#define BG_GATE_HISTORY_H

#include "core/bg.h"
#include "core/buf.h"
#include "core/opt.h"
#include "core/store.h"

/* How many runs a history may show: the command, the API and the pages. */
#define HISTORY_MAX 10000
#define HISTORY_DEFAULT 100 /* the API's and the pages' default; the command's is 50 */
extern const struct bg_int_range history_limit;

void history_write_json(struct bg_buf *b, const char *project, const char *name,
                        const char *metric, const struct store_point *pts, size_t n);

#endif /* BG_GATE_HISTORY_H */
