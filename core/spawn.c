/* spawn.c: posix_spawn a child, read its output until a deadline, reap it. */
#define _GNU_SOURCE /* pipe2: both ends close-on-exec from the start */
#include "core/bg.h"
#include "core/spawn.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int bg_spawn_capture(const char *const argv[], const char *const envp[], struct bg_limbuf *out,
                     int timeout_ms)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, dfl;
    int pipefd[2], status, rc = -1;
    bool timed_out = false, too_much = false;
    int64_t deadline = now_ms() + timeout_ms;
    pid_t pid;

    /* Close-on-exec at once: another thread's child must not inherit this
     * pipe's write end, or our read would wait for that child to exit too.
     * The dup2 onto fd 1 below gives our child a copy without the flag. */
    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return -1;
    if (posix_spawn_file_actions_init(&fa) != 0) {
        close(pipefd[0]);
        close(pipefd[1]);
        return -1;
    }
    if (posix_spawnattr_init(&attr) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        close(pipefd[0]);
        close(pipefd[1]);
        return -1;
    }
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclose(&fa, pipefd[1]);
    /* the child starts with no signal blocked and SIGPIPE as it should be, whatever
     * the server did to its own threads */
    sigemptyset(&none);
    sigemptyset(&dfl);
    sigaddset(&dfl, SIGPIPE);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &dfl);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    /* posix_spawn's argv is char *const[] for history; it does not write to it */
    rc = posix_spawnp(&pid, argv[0], &fa, &attr, (char *const *)argv,
                      envp != NULL ? (char *const *)envp : environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(pipefd[1]);
    if (rc != 0) {
        close(pipefd[0]);
        return -1;
    }

    for (;;) {
        struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };
        int64_t left = deadline - now_ms();
        char chunk[4096];
        ssize_t n;

        if (left <= 0) {
            timed_out = true;
            kill(pid, SIGKILL);
            break;
        }
        if (poll(&pfd, 1, (int)left) < 0) {
            if (errno == EINTR)
                continue;
            timed_out = true;
            kill(pid, SIGKILL);
            break;
        }
        if (pfd.revents == 0)
            continue;
        n = read(pipefd[0], chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (out != NULL && bg_limbuf_add(out, chunk, (size_t)n) < 0) {
            too_much = true; /* a bounded reader must not wait for the rest */
            kill(pid, SIGKILL);
            break;
        }
    }
    close(pipefd[0]);
    /* a child may close stdout and linger: the deadline holds until it exits */
    for (;;) {
        pid_t r = waitpid(pid, &status, timed_out || too_much ? 0 : WNOHANG);

        if (r == pid)
            break;
        if (r < 0 && errno != EINTR)
            return -1;
        if (r == 0 && now_ms() >= deadline) {
            timed_out = true;
            kill(pid, SIGKILL);
        } else if (r == 0) {
            struct timespec pause = { 0, 2000000 };

            nanosleep(&pause, NULL);
        }
    }
    if (timed_out || too_much || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}
