/*
 * spawn.h: run programs without a shell, with a deadline and bounded output.
 *
 * posix_spawnp with a fixed argv: no string is ever interpreted by a shell,
 * and spawning stays cheap even from a large server process (fork+exec of a
 * 1 GiB parent managed ~30 spawns/s here, DESIGN.md). Each child leads a
 * process group of its own, and what ends it (a deadline, too much output,
 * the caller's stop flag) kills the whole group, so a harness's own
 * children (go test's test binary, hyperfine's commands) go with it.
 */
#ifndef BG_CORE_SPAWN_H
#define BG_CORE_SPAWN_H

#include "core/bg.h"
#include "core/buf.h"

#include <signal.h>
#include <sys/types.h>

/*
 * Runs argv[0] (looked up in PATH) with argv and the environment envp (NULL:
 * this process's), stdin from /dev/null, stdout into out (NULL: read and
 * dropped), stderr dropped. Kills it after timeout_ms, when the calling
 * thread's deadline has passed (core/deadline.h), or as soon as
 * it writes more than out->max bytes. Returns the exit status (0-255), or
 * -1 when it could not start, was killed, timed out, or said too much.
 */
int bg_spawn_capture(const char *const argv[], const char *const envp[], struct bg_limbuf *out,
                     int timeout_ms) BG_WUR;

/* How a job ended. */
enum bg_job_end {
    BG_JOB_EXITED,      /* status is its exit status */
    BG_JOB_SIGNALED,    /* status is the signal that ended it */
    BG_JOB_TIMEOUT,     /* killed at its deadline */
    BG_JOB_TOO_MUCH,    /* killed: more standard output than allowed */
    BG_JOB_NOT_STARTED, /* status is the errno of posix_spawn (ENOENT: no such program) */
    BG_JOB_STOPPED,     /* killed: the caller's stop flag was set */
    BG_JOB_WRITE_FAILED /* killed: its output could not be written (status: errno) */
};

/* The last bytes of a job's standard error, for messages. */
#define BG_JOB_TAIL 512

/* One child: what to run and where its output goes (in), how it ended (out). */
struct bg_job {
    const char *const *argv;   /* argv[0] is looked up in PATH */
    const char *const *envp;   /* NULL: this process's environment */
    const char *cwd;           /* NULL: this process's */
    const char *stdin_path;    /* its stdin is this file; NULL: /dev/null */
    int cpu;                   /* >= 0: run it on that CPU alone (and its children) */
    int out_fd;                /* its stdout is copied to this file; -1: to out_buf */
    struct bg_limbuf *out_buf; /* when out_fd is -1: its stdout (NULL: dropped) */
    uint64_t max_out;          /* with out_fd: more bytes than this kill it */
    int err_fd;                /* its stderr is copied here up to max_err bytes, the rest
                                  dropped (not an error); -1: only the tail is kept */
    uint64_t max_err;
    int timeout_ms;
    /* filled in */
    enum bg_job_end end;
    int status;
    double seconds;            /* from start to exit */
    char err_tail[BG_JOB_TAIL + 1]; /* the end of its stderr, NUL-terminated */
    /* private to spawn.c */
    pid_t pid;
    int fd_out, fd_err;
    uint64_t n_out, n_err;
    int64_t started, deadline, grace;
    size_t tail_len;
    bool reaped, killed;
};

/*
 * Runs jobs[0..n) at once (the order they are started in) and returns when
 * every one has ended and been reaped. stop (may be NULL) is read between
 * reads; once set, every job still running is killed (BG_JOB_STOPPED).
 * A child that exits but leaves a process of its group holding its output
 * open has that group killed a second later. Returns the number of jobs that
 * did not exit with status 0.
 */
size_t bg_jobs_run(struct bg_job *jobs, size_t n, const volatile sig_atomic_t *stop);

/* Initialises a job with no cwd, no CPU, output dropped and the given deadline. */
void bg_job_init(struct bg_job *job, const char *const *argv, int timeout_ms);

/*
 * bg_spawn_capture with stdin read from stdin_path (NULL: /dev/null) and
 * the last BG_JOB_TAIL bytes of stderr appended to err (NULL: dropped): one
 * job of bg_jobs_run. What git's plumbing needs (core/store_git.c).
 */
int bg_spawn_io(const char *const argv[], const char *const envp[], const char *stdin_path,
                struct bg_limbuf *out, struct bg_limbuf *err, int timeout_ms) BG_WUR;

/* The CPUs this process may run on, at most max of them, in order; returns the count. */
size_t bg_cpus_allowed(int *cpus, size_t max);

#endif /* BG_CORE_SPAWN_H */
