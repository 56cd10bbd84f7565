/*
 * deadline.h: how long the work of one request may go on, and the stop that
 * ends every such work at once (a server's shutdown).
 *
 * The deadline belongs to the calling thread: the server starts one when a
 * request is whole and ends it when the answer is made, and the long loops
 * underneath (the gate's rows and resamples, a page's charts and queries,
 * SQLite's statements, a child's output) ask bg_deadline_over() as they go and
 * stop early when it says so. Code that runs with no deadline started (every
 * command but serve) is never stopped: bg_deadline_over() is then false until
 * bg_deadline_stop_all().
 */
#ifndef BG_CORE_DEADLINE_H
#define BG_CORE_DEADLINE_H

#include "core/bg.h"

/* This thread's work must be done within seconds (> 0) from now. */
void bg_deadline_start(double seconds);
/* No deadline for this thread any more. */
void bg_deadline_end(void);
/* Whether this thread's deadline has passed, or a stop was asked. Cheap:
 * a coarse clock read. */
bool bg_deadline_over(void);
/* Milliseconds left before this thread's deadline, at most cap_ms (cap_ms
 * when none; 0 when over). */
int64_t bg_deadline_left_ms(int64_t cap_ms);
/* From now on every thread's deadline has passed (a server stopping). */
void bg_deadline_stop_all(void);

#endif /* BG_CORE_DEADLINE_H */
