/* spawn.c: posix_spawn children, copy their output until a deadline, reap them. */
#define _GNU_SOURCE /* pipe2, sched_setaffinity, posix_spawn_file_actions_addchdir_np */
#include "core/bg.h"
#include "core/spawn.h"
#include "core/deadline.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* After its child exits, a job's pipes may stay open this long (a straggler of its group). */
#define GRACE_MS 1000

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void bg_job_init(struct bg_job *job, const char *const *argv, int timeout_ms)
{
    memset(job, 0, sizeof(*job));
    job->argv = argv;
    job->cpu = -1;
    job->out_fd = job->err_fd = -1;
    job->fd_out = job->fd_err = -1;
    job->timeout_ms = timeout_ms;
}

size_t bg_cpus_allowed(int *cpus, size_t max)
{
    cpu_set_t set;
    size_t n = 0;

    if (sched_getaffinity(0, sizeof(set), &set) < 0)
        return 0;
    for (int c = 0; c < CPU_SETSIZE && n < max; c++) {
        if (CPU_ISSET(c, &set))
            cpus[n++] = c;
    }
    return n;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Starts one job; on failure it ends as BG_JOB_NOT_STARTED (and is reaped). */
static void start(struct bg_job *job)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, dfl;
    cpu_set_t old, one;
    int out[2], err[2], rc;
    bool pinned = false;

    job->fd_out = job->fd_err = -1;
    job->reaped = true;
    job->end = BG_JOB_NOT_STARTED;
    job->status = EAGAIN;
    /* Close-on-exec at once: another thread's child must not inherit these
     * pipes' write ends, or our reads would wait for that child to exit too.
     * The dup2s onto fds 1 and 2 give our child copies without the flag. */
    if (pipe2(out, O_CLOEXEC) < 0) {
        job->status = errno;
        return;
    }
    if (pipe2(err, O_CLOEXEC) < 0) {
        job->status = errno;
        close(out[0]);
        close(out[1]);
        return;
    }
    if (posix_spawn_file_actions_init(&fa) != 0 || posix_spawnattr_init(&attr) != 0)
        abort(); /* glibc's inits only fail for want of memory */
    posix_spawn_file_actions_addopen(&fa, 0, job->stdin_path != NULL ? job->stdin_path
                                                                     : "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    posix_spawn_file_actions_addclose(&fa, out[1]);
    posix_spawn_file_actions_addclose(&fa, err[1]);
    if (job->cwd != NULL)
        posix_spawn_file_actions_addchdir_np(&fa, job->cwd);
    /* the child starts with no signal blocked and SIGPIPE as it should be, whatever
     * the server did to its own threads, and leads a process group of its own */
    sigemptyset(&none);
    sigemptyset(&dfl);
    sigaddset(&dfl, SIGPIPE);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &dfl);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                        POSIX_SPAWN_SETPGROUP);
    /* a child inherits its parent thread's CPU mask: set ours for the spawn, then back */
    if (job->cpu >= 0 && job->cpu < CPU_SETSIZE &&
        sched_getaffinity(0, sizeof(old), &old) == 0) {
        CPU_ZERO(&one);
        CPU_SET(job->cpu, &one);
        pinned = sched_setaffinity(0, sizeof(one), &one) == 0;
    }
    job->seconds = now_s();
    /* posix_spawn's argv is char *const[] for history; it does not write to it */
    rc = posix_spawnp(&job->pid, job->argv[0], &fa, &attr, (char *const *)job->argv,
                      job->envp != NULL ? (char *const *)job->envp : environ);
    if (pinned)
        sched_setaffinity(0, sizeof(old), &old);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(out[1]);
    close(err[1]);
    if (rc != 0) {
        close(out[0]);
        close(err[0]);
        job->status = rc;
        job->seconds = 0.0;
        return;
    }
    job->fd_out = out[0];
    job->fd_err = err[0];
    job->reaped = false;
    job->end = BG_JOB_EXITED;
    job->status = 0;
    job->started = now_ms();
    job->deadline = job->started + job->timeout_ms;
    job->grace = INT64_MAX;
}

/*
 * Ends a job as failed for why. A job that already exited fails all the same:
 * output it printed past max_out, or that could not be written, is read after
 * it exited more often than not, and it must not pass with its output cut.
 */
static void kill_job(struct bg_job *job, enum bg_job_end why, int status)
{
    if (job->killed)
        return;
    if (!job->reaped) {
        kill(-job->pid, SIGKILL); /* its group: the harness's own children too */
        kill(job->pid, SIGKILL);
    }
    job->killed = true;
    job->end = why;
    job->status = status;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void keep_tail(struct bg_job *job, const char *p, size_t n)
{
    if (n >= BG_JOB_TAIL) {
        memcpy(job->err_tail, p + n - BG_JOB_TAIL, BG_JOB_TAIL);
        job->tail_len = BG_JOB_TAIL;
    } else {
        size_t keep = job->tail_len + n > BG_JOB_TAIL ? BG_JOB_TAIL - n : job->tail_len;

        memmove(job->err_tail, job->err_tail + job->tail_len - keep, keep);
        memcpy(job->err_tail + keep, p, n);
        job->tail_len = keep + n;
    }
    job->err_tail[job->tail_len] = '\0';
}

/* Reads what is there from one of a job's pipes. */
static void drain(struct bg_job *job, int *fd, bool is_out)
{
    char chunk[16384];
    ssize_t n = read(*fd, chunk, sizeof(chunk));

    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        close_fd(fd);
        return;
    }
    if (!is_out) {
        keep_tail(job, chunk, (size_t)n);
        if (job->err_fd >= 0 && job->n_err < job->max_err) {
            size_t take = (size_t)n;

            if (take > job->max_err - job->n_err)
                take = (size_t)(job->max_err - job->n_err);
            if (write_all(job->err_fd, chunk, take) == 0)
                job->n_err += take;
            else
                job->n_err = job->max_err; /* a log we cannot write is not the job's fault */
        }
        return;
    }
    if (job->killed)
        return;
    if (job->out_fd >= 0) {
        if (job->n_out + (uint64_t)n > job->max_out) {
            kill_job(job, BG_JOB_TOO_MUCH, 0);
            close_fd(fd); /* a bounded reader must not wait for the rest */
        } else if (write_all(job->out_fd, chunk, (size_t)n) < 0) {
            kill_job(job, BG_JOB_WRITE_FAILED, errno);
            close_fd(fd);
        } else {
            job->n_out += (uint64_t)n;
        }
    } else if (job->out_buf != NULL && bg_limbuf_add(job->out_buf, chunk, (size_t)n) < 0) {
        kill_job(job, BG_JOB_TOO_MUCH, 0);
        close_fd(fd);
    }
}

/* Reaps a job without waiting, or waiting when it was killed. */
static void reap(struct bg_job *job)
{
    int status;
    pid_t r;

    if (job->reaped)
        return;
    do
        r = waitpid(job->pid, &status, job->killed ? 0 : WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == 0)
        return;
    job->reaped = true;
    job->seconds = now_s() - job->seconds;
    if (r < 0) {
        if (!job->killed) {
            job->end = BG_JOB_SIGNALED;
            job->status = 0;
        }
        return;
    }
    /* whatever of its group is left (a daemon holding our pipes) goes too,
     * unless it leaves its pipes closed within the grace period */
    job->grace = now_ms() + GRACE_MS;
    if (job->killed)
        return;
    if (WIFEXITED(status)) {
        job->end = BG_JOB_EXITED;
        job->status = WEXITSTATUS(status);
    } else {
        job->end = BG_JOB_SIGNALED;
        job->status = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    }
}

static bool active(const struct bg_job *job)
{
    return !job->reaped || job->fd_out >= 0 || job->fd_err >= 0;
}

size_t bg_jobs_run(struct bg_job *jobs, size_t n, const volatile sig_atomic_t *stop)
{
    struct pollfd *pfd = bg_xmalloc((2 * n + 1) * sizeof(*pfd));
    size_t failed = 0;

    for (size_t i = 0; i < n; i++) {
        jobs[i].err_tail[0] = '\0';
        jobs[i].tail_len = 0;
        jobs[i].n_out = jobs[i].n_err = 0;
        jobs[i].killed = false;
        start(&jobs[i]);
    }
    for (;;) {
        int64_t now = now_ms(), wait = 50;
        size_t np = 0;
        bool any = false;

        for (size_t i = 0; i < n; i++) {
            struct bg_job *job = &jobs[i];

            if (stop != NULL && *stop && !job->reaped)
                kill_job(job, BG_JOB_STOPPED, 0);
            /* the calling thread's deadline too: a server's request, or its stop */
            if (!job->reaped && (now >= job->deadline || bg_deadline_over()))
                kill_job(job, BG_JOB_TIMEOUT, 0);
            reap(job);
            if (job->reaped && now >= job->grace && (job->fd_out >= 0 || job->fd_err >= 0)) {
                kill(-job->pid, SIGKILL);
                close_fd(&job->fd_out);
                close_fd(&job->fd_err);
            }
            if (!active(job))
                continue;
            any = true;
            if (job->fd_out >= 0)
                pfd[np++] = (struct pollfd){ .fd = job->fd_out, .events = POLLIN };
            if (job->fd_err >= 0)
                pfd[np++] = (struct pollfd){ .fd = job->fd_err, .events = POLLIN };
            if (!job->reaped && job->deadline - now < wait)
                wait = job->deadline - now;
        }
        if (!any)
            break;
        if (wait < 0)
            wait = 0;
        if (np == 0) {
            struct timespec pause = { 0, 2000000 };

            nanosleep(&pause, NULL);
            continue;
        }
        if (poll(pfd, np, (int)wait) <= 0)
            continue; /* a timeout, or EINTR: the loop's checks come first */
        for (size_t i = 0; i < n; i++) {
            struct bg_job *job = &jobs[i];

            for (size_t k = 0; k < np; k++) {
                if (pfd[k].revents == 0)
                    continue;
                if (pfd[k].fd == job->fd_out && job->fd_out >= 0)
                    drain(job, &job->fd_out, true);
                else if (pfd[k].fd == job->fd_err && job->fd_err >= 0)
                    drain(job, &job->fd_err, false);
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        failed += !(jobs[i].end == BG_JOB_EXITED && jobs[i].status == 0);
    free(pfd);
    return failed;
}

int bg_spawn_capture(const char *const argv[], const char *const envp[], struct bg_limbuf *out,
                     int timeout_ms)
{
    struct bg_job job;

    bg_job_init(&job, argv, timeout_ms);
    job.envp = envp;
    job.out_buf = out;
    bg_jobs_run(&job, 1, NULL);
    return job.end == BG_JOB_EXITED ? job.status : -1;
}

int bg_spawn_io(const char *const argv[], const char *const envp[], const char *stdin_path,
                struct bg_limbuf *out, struct bg_limbuf *err, int timeout_ms)
{
    struct bg_job job;

    bg_job_init(&job, argv, timeout_ms);
    job.envp = envp;
    job.out_buf = out;
    job.stdin_path = stdin_path;
    bg_jobs_run(&job, 1, NULL);
    if (err != NULL && bg_limbuf_adds(err, job.err_tail) < 0)
        bg_buf_reset(&err->buf); /* a tail longer than err's room: say nothing rather than half */
    return job.end == BG_JOB_EXITED ? job.status : -1;
}
