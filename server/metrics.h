/*
 * metrics.h: the server's counters, shared by every worker thread (atomic,
 * no lock), and their rendering in the Prometheus text format for
 * GET /metrics.
 */
#ifndef BG_SERVER_METRICS_H
#define BG_SERVER_METRICS_H

#include "core/bg.h"
#include "core/buf.h"

/* A request finished with status after seconds. */
void metrics_request(int status, double seconds);
/* An upload (POST .../runs) was stored, or refused. */
void metrics_upload(bool stored);
/* A read answer was served from the cache, or computed. */
void metrics_cache(bool hit);
/* A connection was closed for sending its request head too slowly (conns.h). */
void metrics_connection_cut(void);
/* Requests being handled now: +1 when one starts, -1 when it ends. */
void metrics_in_flight(int delta);
long metrics_in_flight_now(void);

void metrics_render(struct bg_buf *b);

#endif /* BG_SERVER_METRICS_H */
