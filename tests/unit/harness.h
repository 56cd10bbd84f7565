/*
 * harness.h: what every unit test includes: cmocka (which needs these
 * headers first) and the project header.
 */
#ifndef BG_TESTS_HARNESS_H
#define BG_TESTS_HARNESS_H

#include "core/bg.h"

#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

/* |a - b| <= eps, printing both values when not (cmocka 1.1.5 has no double compare). */
#define assert_near(a, b, eps)                                                              \
    do {                                                                                    \
        double a_ = (a), b_ = (b);                                                          \
        if (!(fabs(a_ - b_) <= (eps)))                                                      \
            fail_msg("%s = %.17g, expected %s = %.17g", #a, a_, #b, b_);                    \
    } while (0)

/* Path of a test fixture: $FIXTURES (set by tests/run.sh) or tests/fixtures. */
static inline const char *fixture(char *buf, size_t size, const char *rel)
{
    const char *dir = getenv("FIXTURES");

    snprintf(buf, size, "%s/%s", dir != NULL ? dir : "tests/fixtures", rel);
    return buf;
}

#endif /* BG_TESTS_HARNESS_H */
