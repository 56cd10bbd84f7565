/* deadline.c: a thread's deadline and the stop of them all (see deadline.h). */
#include "core/bg.h"
#include "core/deadline.h"

#include <stdatomic.h>
#include <time.h>

static _Thread_local int64_t deadline_ms; /* 0: none */
static atomic_bool stopping;

static int64_t now_ms(void)
{
    struct timespec t;

    /* the coarse clock is a few ticks behind, and read without a system call */
    clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void bg_deadline_start(double seconds)
{
    deadline_ms = now_ms() + (int64_t)(seconds * 1000.0);
}

void bg_deadline_end(void)
{
    deadline_ms = 0;
}

bool bg_deadline_over(void)
{
    if (atomic_load_explicit(&stopping, memory_order_relaxed))
        return true;
    return deadline_ms != 0 && now_ms() >= deadline_ms;
}

int64_t bg_deadline_left_ms(int64_t cap_ms)
{
    int64_t left;

    if (atomic_load_explicit(&stopping, memory_order_relaxed))
        return 0;
    if (deadline_ms == 0)
        return cap_ms;
    left = deadline_ms - now_ms();
    return left <= 0 ? 0 : left < cap_ms ? left : cap_ms;
}

void bg_deadline_stop_all(void)
{
    atomic_store(&stopping, true);
}
