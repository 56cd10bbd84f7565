/*
 * conns.h: every open connection, and a watchdog that closes the ones whose
 * request head is late.
 *
 * libmicrohttpd's idle timeout (--timeout) cannot see a client that sends
 * its request head one byte a second: such a connection is never idle, and
 * a few of them hold every connection slot (slowloris). Each connection
 * therefore gets --head-timeout seconds for each request head, counted from
 * when it opened or its previous answer was sent; the body has its own
 * bound (--body-timeout, http.c), the handler its deadline
 * (--request-timeout). A kept-alive connection that asks nothing within
 * --head-timeout is closed too, as an idle one would be.
 *
 * The watchdog shuts the late socket down; libmicrohttpd then sees the
 * connection end and cleans it up as if the client had left. It never
 * touches a socket libmicrohttpd has closed: the close notice, which comes
 * before libmicrohttpd closes the socket, takes the same lock.
 */
#ifndef BG_SERVER_CONNS_H
#define BG_SERVER_CONNS_H

#include "core/bg.h"

#include <microhttpd.h>

/* Starts the watchdog: heads must be whole within head_timeout seconds. */
int conns_start(double head_timeout);
/* Stops it (after libmicrohttpd has stopped). */
void conns_stop(void);

/* libmicrohttpd's connection notice (MHD_OPTION_NOTIFY_CONNECTION). */
void conns_on_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                     enum MHD_ConnectionNotificationCode code);
/* A request's head is whole (its handler's first call), or it is answered. */
void conns_request_started(struct MHD_Connection *conn);
void conns_request_done(struct MHD_Connection *conn);

#endif /* BG_SERVER_CONNS_H */
