/*
 * spawn.h: run a program without a shell, with a deadline.
 *
 * posix_spawnp with a fixed argv: no string is ever interpreted by a shell,
 * and spawning stays cheap even from a large server process (fork+exec of a
 * 1 GiB parent managed ~30 spawns/s here, DESIGN.md).
 */
#ifndef BG_CORE_SPAWN_H
#define BG_CORE_SPAWN_H

#include "core/bg.h"
#include "core/buf.h"

/*
 * Runs argv[0] (looked up in PATH) with argv and the environment envp (NULL:
 * this process's), stdin from /dev/null, stdout into out (NULL: read and
 * dropped), stderr to /dev/null. Kills it after timeout_ms, or as soon as
 * it writes more than out->max bytes. Returns the exit status (0-255), or
 * -1 when it could not start, was killed, timed out, or said too much.
 */
int bg_spawn_capture(const char *const argv[], const char *const envp[], struct bg_limbuf *out,
                     int timeout_ms) BG_WUR;

#endif /* BG_CORE_SPAWN_H */
