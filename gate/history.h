/*
 * history.h: a benchmark's stored results over time, as the JSON document
 * that `benchgate history --output json` prints and the server's
 * .../history endpoint answers (schemas/api/history.schema.json).
 */
#ifndef BG_GATE_HISTORY_H
#define BG_GATE_HISTORY_H

#include "core/bg.h"
#include "core/buf.h"
#include "core/store.h"

void history_write_json(struct bg_buf *b, const char *project, const char *name,
                        const char *metric, const struct store_point *pts, size_t n);

#endif /* BG_GATE_HISTORY_H */
