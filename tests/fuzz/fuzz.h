/*
 * fuzz.h: what the fuzz targets share. Each target defines
 * LLVMFuzzerTestOneInput(); `make fuzz` links it with libFuzzer (clang), and
 * `make test` links it with replay.c, which feeds it the seed corpus and the
 * inputs that once crashed it (tests/fuzz/crashers/), as regression tests.
 */
#ifndef BG_TESTS_FUZZ_H
#define BG_TESTS_FUZZ_H

#include "core/bg.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant of the code under test: a failure is a finding, so abort
 * loudly for libFuzzer (and for the replay, which reports it). */
#define FUZZ_CHECK(cond)                                                                 \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                     \
        }                                                                                \
    } while (0)

#endif /* BG_TESTS_FUZZ_H */
