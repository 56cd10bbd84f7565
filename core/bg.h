/*
 * bg.h: the first include of every benchgate source file.
 *
 * It pulls in the C library headers every module uses, so that banned.h,
 * included last, can turn unsafe calls into compile errors without breaking
 * a later system header that declares them.
 */
#ifndef BG_CORE_BG_H
#define BG_CORE_BG_H

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BG_VERSION "0.1.0"

#define BG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define BG_NORETURN __attribute__((noreturn))
/* A result the caller must look at: a bounded append, a read that can fail. */
#define BG_WUR __attribute__((warn_unused_result))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#include "core/banned.h"

#endif /* BG_CORE_BG_H */
