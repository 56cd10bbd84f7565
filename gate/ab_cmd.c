/*
 * ab_cmd.c: `benchgate ab --base CMD --head CMD`: base and head measured in
 * one job, round after round, and judged round by round (gate/paired.h).
 *
 * A round runs each side's command once: one after the other in a seeded
 * random (or alternating) order, or both at once with --duet, each pinned
 * to a CPU of its own. Commands run without a shell unless --shell says
 * otherwise; each has a deadline and bounded output. Every round's output
 * is kept in a folder (its raw output, its standard error, and the run it
 * parsed to), with ab.json saying how the rounds ran, so --replay DIR
 * judges a kept folder again without running anything. --store collects
 * the head side's rounds as one run, after everything else succeeded.
 */
#define _GNU_SOURCE /* mkdtemp, getloadavg */
#include "core/bg.h"
#include "core/cli.h"
#include "core/json.h"
#include "core/num.h"
#include "core/spawn.h"
#include "core/store.h"
#include "collector/collect.h"
#include "collector/formats.h"
#include "gate/compare.h"
#include "gate/config.h"
#include "gate/noise.h"
#include "gate/paired.h"
#include "gate/params.h"
#include "gate/report.h"

#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define AB_ROUNDS_DEFAULT 10
#define AB_MAX_ARGS 256       /* words in one command */
#define AB_MAX_COMMAND 16384  /* bytes in one command */
#define AB_MAX_ERR (1u << 20) /* bytes of a side's stderr kept per round */
#define AB_MANIFEST "ab.json"
#define AB_VERSION 1

enum side { BASE, HEAD };
static const char *const side_names[] = { "base", "head" };
static const char *const orders[] = { "random", "alternate", NULL };

/* three rounds at least: the paired spread is measured, never assumed */
static const struct bg_int_range ab_rounds_range = { NOISE_MEASURED_MIN, 1000 };
static const struct bg_int_range ab_timeout_range = { 1, 7 * 24 * 3600 };
static const struct bg_int_range ab_max_output_range = { 1024, BG_MAX_INPUT };
/* seeds fit a JSON number exactly (ab.json, the verdict document): below 2^53 */
static const struct bg_int_range ab_seed_range = { 0, (INT64_C(1) << 53) - 1 };

struct ab_opts {
    const char *cmd[2], *dir[2], *result, *keep, *replay, *format, *config, *report;
    const char *db, *project, *branch, *commit;
    int64_t rounds, timeout, max_output, seed;
    int order, output;
    bool duet, shell, store, quiet, seed_given;
    struct gate_opts gate;
};

static int opt_seed(void *opts, const char *value, struct bg_diag *d)
{
    struct ab_opts *o = opts;

    if (bg_range_int(&ab_seed_range, value, &o->seed, d) < 0)
        return -1;
    o->seed_given = true;
    return 0;
}

#define OPT(field) offsetof(struct ab_opts, field)

static const struct bg_opt options[] = {
    { "base", 0, "CMD", BG_OPT_TEXT, OPT(cmd[BASE]),
      .help = "the command that benchmarks the base (split into words as a shell would, "
              "quotes and backslashes understood, but run without one; {out} is replaced "
              "by the path of a file it may write its output to instead of printing it)" },
    { "head", 0, "CMD", BG_OPT_TEXT, OPT(cmd[HEAD]),
      .help = "the command that benchmarks the head, the same way" },
    { "base-dir", 0, "DIR", BG_OPT_TEXT, OPT(dir[BASE]),
      .help = "run the base command there (a git worktree of the base commit, say)" },
    { "head-dir", 0, "DIR", BG_OPT_TEXT, OPT(dir[HEAD]), .help = "run the head command there" },
    { "rounds", 'n', "N", BG_OPT_INT, OPT(rounds), .ints = &ab_rounds_range,
      .help = "rounds: each runs both commands once" },
    { "order", 0, "ORDER", BG_OPT_CHOICE, OPT(order), .choices = orders,
      .help = "which side goes first in a round: random (seeded, printed) or alternate" },
    { "seed", 0, "S", BG_OPT_CALL, 0, .call = opt_seed,
      .help = "the order's seed, to run the rounds in a run's order again (default: new "
              "each run, printed)" },
    { "duet", 0, NULL, BG_OPT_FLAG, OPT(duet),
      .help = "run both sides of a round at once, each pinned to a CPU of its own (which "
              "side gets which is drawn each round); with one CPU they share it" },
    { "shell", 0, NULL, BG_OPT_FLAG, OPT(shell),
      .help = "run each command with /bin/sh -c (pipes, &&, variables; {out} becomes "
              "\"$BENCHGATE_OUT\")" },
    { "result", 0, "PATH", BG_OPT_TEXT, OPT(result),
      .help = "read each side's output from PATH (a file or folder, relative to its "
              "directory: target/criterion, say) instead of its standard output" },
    { "format", 0, "NAME", BG_OPT_TEXT, OPT(format),
      .help = "read every output as NAME instead of detecting it (see collect --help)" },
    { "timeout", 0, "SECONDS", BG_OPT_INT, OPT(timeout), .ints = &ab_timeout_range,
      .help = "a side's command still running after this long fails the run" },
    { "max-output", 0, "BYTES", BG_OPT_INT, OPT(max_output), .ints = &ab_max_output_range,
      .help = "a side that prints more than this in one round fails the run" },
    { "keep", 0, "DIR", BG_OPT_TEXT, OPT(keep),
      .help = "keep every round's output in DIR, which must be new or empty (default: a "
              "new ./benchgate-ab.XXXXXX)" },
    { "replay", 0, "DIR", BG_OPT_TEXT, OPT(replay),
      .help = "judge the rounds kept in DIR again, running nothing" },
    GATE_OPTS_JUDGE(struct ab_opts),
    { "store", 0, NULL, BG_OPT_FLAG, OPT(store),
      .help = "also store the head side's rounds as one run (every sample of every round), "
              "so that history and the dashboards keep it" },
    BG_OPT_DB(struct ab_opts, db),
    BG_OPT_PROJECT(struct ab_opts, project),
    BG_OPT_BRANCH(struct ab_opts, branch,
                  "the head's branch, for --store (default the CI branch, else git's)"),
    { "commit", 0, "SHA", BG_OPT_TEXT, OPT(commit),
      .help = "the head's commit, for --store (default the CI's, else git's HEAD)" },
    { "quiet", 'q', NULL, BG_OPT_FLAG, OPT(quiet), .help = "no progress on standard error" },
};

static const struct bg_command command = {
    "ab", "[options] --base CMD --head CMD\n[options] --replay DIR",
    "Benchmark the base and the head in one job, N rounds each, and judge the head\n"
    "round by round: round i of base and round i of head shared the machine's\n"
    "state, so whatever slowed the machine slowed both, and the paired per-round\n"
    "ratios of their p95s (and medians) see changes that a stored history's\n"
    "noise hides. Each command prints (or writes to {out}) the output of any\n"
    "harness collect reads. Exit 1 when a benchmark of the head regressed past\n"
    "the threshold, beyond the rounds' own spread.\n"
    "\n"
    "By default a round runs the two commands one after the other, the order\n"
    "drawn at random from a seed that the report prints (--seed replays it).\n"
    "With --duet both run at once, each pinned to its own CPU, so interference\n"
    "hits both alike; on a machine with one CPU they share it (the kernel\n"
    "time-slices them), which still pairs them but slows both.",
    options, ARRAY_SIZE(options),
    "Each side's command gets BENCHGATE_AB_SIDE (base or head), BENCHGATE_AB_ROUND\n"
    "and BENCHGATE_OUT (the {out} path) in its environment. A command that fails,\n"
    "times out, prints too much or prints nothing a harness format reads stops the\n"
    "run with an error naming the round and the side (exit 2), the rounds so far\n"
    "kept, nothing stored.\n"
    "\n"
    "Exit status: 0 no regression, 1 regression, 2 bad usage, a failed command or\n"
    "unreadable output, 3 database error (--store).\n",
};

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

/* ---- commands as words ---------------------------------------------------- */

/* One command's words, parsed once: no shell, only quoting. */
struct words {
    char *text;                 /* the words, NUL-separated */
    const char *argv[AB_MAX_ARGS + 1];
    size_t n;
    bool has_out;               /* a word contains {out} */
};

/*
 * Splits cmd as a shell splits words: blanks separate, '...' is literal,
 * "..." keeps blanks and takes \" \\ \$ \` escapes, \ outside quotes
 * escapes the next character. Nothing else is special: no variables, globs,
 * pipes or redirections (--shell is for those).
 */
static int split_words(const char *cmd, struct words *w, struct bg_diag *d)
{
    size_t len = strlen(cmd), o = 0;
    char *out;
    bool in_word = false;

    if (len > AB_MAX_COMMAND)
        return bg_fail(d, "a command longer than %d bytes", AB_MAX_COMMAND);
    out = w->text = bg_xmalloc(len + 1);
    w->n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = cmd[i];

        if (c == ' ' || c == '\t' || c == '\n') {
            if (in_word) {
                out[o++] = '\0';
                in_word = false;
            }
            continue;
        }
        if (!in_word) {
            if (w->n >= AB_MAX_ARGS)
                return bg_fail(d, "a command of more than %d words", AB_MAX_ARGS);
            w->argv[w->n++] = out + o;
            in_word = true;
        }
        if (c == '\'') {
            const char *end = strchr(cmd + i + 1, '\'');

            if (end == NULL)
                return bg_fail(d, "an unclosed ' in the command '%.200s'", cmd);
            memcpy(out + o, cmd + i + 1, (size_t)(end - cmd - i - 1));
            o += (size_t)(end - cmd - i - 1);
            i = (size_t)(end - cmd);
        } else if (c == '"') {
            for (i++; i < len && cmd[i] != '"'; i++) {
                if (cmd[i] == '\\' && i + 1 < len && strchr("\"\\$`", cmd[i + 1]) != NULL)
                    i++;
                out[o++] = cmd[i];
            }
            if (i >= len)
                return bg_fail(d, "an unclosed \" in the command '%.200s'", cmd);
        } else if (c == '\\') {
            if (i + 1 >= len)
                return bg_fail(d, "a \\ at the end of the command '%.200s'", cmd);
            out[o++] = cmd[++i];
        } else {
            out[o++] = c;
        }
    }
    out[o] = '\0';
    w->argv[w->n] = NULL;
    if (w->n == 0)
        return bg_fail(d, "an empty command");
    for (size_t i = 0; i < w->n; i++)
        w->has_out |= strstr(w->argv[i], "{out}") != NULL;
    return 0;
}

/* A word with every {out} replaced by path. */
static char *with_out(const char *word, const char *path)
{
    struct bg_buf b = BG_BUF_INIT;
    const char *at;

    while ((at = strstr(word, "{out}")) != NULL) {
        bg_buf_add(&b, word, (size_t)(at - word));
        bg_buf_adds(&b, path);
        word = at + 5;
    }
    bg_buf_adds(&b, word);
    return bg_buf_detach(&b, NULL);
}

/* ---- one side of one round ------------------------------------------------ */

struct round_side {
    struct bg_job job;
    char *argv_owned[AB_MAX_ARGS + 4];
    const char *argv[AB_MAX_ARGS + 4];
    char **envp;
    char *out_path, *stdout_path, *err_path, *json_path, *result_path;
    int out_fd, err_fd;
};

struct ab {
    struct ab_opts *o;
    struct words words[2];
    char *keep;
    int cpus[2];
    size_t n_cpus;
    uint64_t rng;
    double started;
    size_t rounds;              /* parsed so far */
    struct bg_run *runs[2];     /* runs[side][round] */
    enum side *first;           /* which side went first, per round */
    int *cpu_of_base;           /* duet: base's CPU per round (-1: unpinned) */
    double *seconds[2];
    double load[3];
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* DIR/round-NNN-SIDE.EXT: one file of one side of one round in the kept folder. */
static char *path_in(const char *dir, size_t round, const char *side, const char *ext)
{
    struct bg_buf b = BG_BUF_INIT;

    bg_buf_addf(&b, "%s/round-%03zu-%s.%s", dir, round + 1, side, ext);
    return bg_buf_detach(&b, NULL);
}

static char *absolute(const char *path)
{
    char *r = realpath(path, NULL);

    return r != NULL ? r : bg_xstrdup(path);
}

extern char **environ;

/* This process's environment plus the side's three variables. */
static char **side_env(enum side s, size_t round, const char *out_path)
{
    size_t n = 0, k = 0;
    char **env;
    struct bg_buf b = BG_BUF_INIT;

    while (environ[n] != NULL)
        n++;
    env = bg_xcalloc(n + 4, sizeof(*env));
    for (size_t i = 0; i < n; i++) {
        if (strncmp(environ[i], "BENCHGATE_AB_SIDE=", 18) != 0 &&
            strncmp(environ[i], "BENCHGATE_AB_ROUND=", 19) != 0 &&
            strncmp(environ[i], "BENCHGATE_OUT=", 14) != 0)
            env[k++] = bg_xstrdup(environ[i]);
    }
    bg_buf_addf(&b, "BENCHGATE_AB_SIDE=%s", side_names[s]);
    env[k++] = bg_buf_detach(&b, NULL);
    bg_buf_addf(&b, "BENCHGATE_AB_ROUND=%zu", round + 1);
    env[k++] = bg_buf_detach(&b, NULL);
    bg_buf_addf(&b, "BENCHGATE_OUT=%s", out_path);
    env[k++] = bg_buf_detach(&b, NULL);
    env[k] = NULL;
    return env;
}

static void side_release(struct round_side *rs)
{
    for (size_t i = 0; rs->argv_owned[i] != NULL; i++)
        free(rs->argv_owned[i]);
    for (size_t i = 0; rs->envp != NULL && rs->envp[i] != NULL; i++)
        free(rs->envp[i]);
    free(rs->envp);
    if (rs->out_fd >= 0)
        close(rs->out_fd);
    if (rs->err_fd >= 0)
        close(rs->err_fd);
    free(rs->out_path);
    free(rs->stdout_path);
    free(rs->err_path);
    free(rs->json_path);
    free(rs->result_path);
    memset(rs, 0, sizeof(*rs));
    rs->out_fd = rs->err_fd = -1;
}

static int open_new(const char *path, struct bg_diag *d)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

    if (fd < 0)
        bg_fail(d, "cannot write '%.200s': %s", path, strerror(errno));
    return fd;
}

/* Prepares side s of round i: its words, files, environment and job. */
static int side_prepare(struct ab *ab, enum side s, size_t i, struct round_side *rs,
                        struct bg_diag *d)
{
    const struct words *w = &ab->words[s];
    size_t a = 0;

    memset(rs, 0, sizeof(*rs));
    rs->out_fd = rs->err_fd = -1;
    rs->out_path = path_in(ab->keep, i, side_names[s], "out");
    rs->err_path = path_in(ab->keep, i, side_names[s], "stderr");
    rs->json_path = path_in(ab->keep, i, side_names[s], "json");
    /* stdout is the harness output unless the command writes it to {out} or --result */
    rs->stdout_path = w->has_out || ab->o->result != NULL
                          ? path_in(ab->keep, i, side_names[s], "stdout")
                          : bg_xstrdup(rs->out_path);
    if (ab->o->result != NULL) {
        struct bg_buf b = BG_BUF_INIT;

        if (ab->o->result[0] == '/' || ab->o->dir[s] == NULL)
            bg_buf_adds(&b, ab->o->result);
        else
            bg_buf_addf(&b, "%s/%s", ab->o->dir[s], ab->o->result);
        rs->result_path = bg_buf_detach(&b, NULL);
    }
    if (ab->o->shell) {
        struct bg_buf b = BG_BUF_INIT;
        const char *cmd = ab->o->cmd[s], *at;

        while ((at = strstr(cmd, "{out}")) != NULL) {
            bg_buf_add(&b, cmd, (size_t)(at - cmd));
            bg_buf_adds(&b, "\"$BENCHGATE_OUT\"");
            cmd = at + 5;
        }
        bg_buf_adds(&b, cmd);
        rs->argv[a++] = "/bin/sh";
        rs->argv[a++] = "-c";
        rs->argv_owned[0] = bg_buf_detach(&b, NULL);
        rs->argv[a++] = rs->argv_owned[0];
    } else {
        for (size_t k = 0; k < w->n; k++) {
            rs->argv_owned[k] = with_out(w->argv[k], rs->out_path);
            rs->argv[a++] = rs->argv_owned[k];
        }
    }
    rs->argv[a] = NULL;
    rs->envp = side_env(s, i, rs->out_path);
    if ((rs->out_fd = open_new(rs->stdout_path, d)) < 0 ||
        (rs->err_fd = open_new(rs->err_path, d)) < 0)
        return -1;
    bg_job_init(&rs->job, rs->argv, (int)fmin(ab->o->timeout * 1000.0, (double)INT32_MAX));
    rs->job.envp = (const char *const *)rs->envp;
    rs->job.cwd = ab->o->dir[s];
    rs->job.out_fd = rs->out_fd;
    rs->job.max_out = (uint64_t)ab->o->max_output;
    rs->job.err_fd = rs->err_fd;
    rs->job.max_err = AB_MAX_ERR;
    return 0;
}

/* Why a side's job failed, as a sentence; 0 when it did not. */
static int side_failed(const struct ab *ab, enum side s, size_t i, const struct round_side *rs,
                       struct bg_diag *d)
{
    const struct bg_job *j = &rs->job;
    char what[160];

    switch (j->end) {
    case BG_JOB_EXITED:
        if (j->status == 0)
            return 0;
        snprintf(what, sizeof(what), "exited with status %d", j->status);
        break;
    case BG_JOB_SIGNALED:
        snprintf(what, sizeof(what), "was killed by signal %d", j->status);
        break;
    case BG_JOB_TIMEOUT:
        snprintf(what, sizeof(what), "was still running after %" PRId64 " s (--timeout)",
                 ab->o->timeout);
        break;
    case BG_JOB_TOO_MUCH:
        snprintf(what, sizeof(what), "printed more than %" PRId64 " bytes (--max-output)",
                 ab->o->max_output);
        break;
    case BG_JOB_NOT_STARTED:
        snprintf(what, sizeof(what), "could not start: %s", strerror(j->status));
        break;
    case BG_JOB_STOPPED:
        snprintf(what, sizeof(what), "was stopped: benchgate ab was interrupted");
        break;
    case BG_JOB_WRITE_FAILED:
        snprintf(what, sizeof(what), "could not have its output written: %s",
                 strerror(j->status));
        break;
    }
    bg_fail(d, "round %zu, %s: '%.200s' %s%s%.300s", i + 1, side_names[s], ab->o->cmd[s], what,
            j->err_tail[0] != '\0' ? "; the end of its standard error: " : "",
            j->err_tail[0] != '\0' ? j->err_tail + (j->tail_len > 300 ? j->tail_len - 300 : 0)
                                   : "");
    return -1;
}

/* Parses side s of round i into ab->runs[s][i] and keeps it as a run document. */
static int side_collect(struct ab *ab, enum side s, size_t i, const struct round_side *rs,
                        struct bg_diag *d)
{
    struct bg_run *run = &ab->runs[s][i];
    char *paths[1] = { rs->result_path != NULL ? rs->result_path : rs->out_path };
    struct bg_buf doc = BG_BUF_INIT;
    FILE *f;

    bg_run_init(run);
    if (collect_paths(paths, 1, ab->o->format, false, run) != 0)
        return bg_fail(d, "round %zu, %s: '%.200s' is not output benchgate can read (see "
                       "above; its standard error is in %.200s)", i + 1, side_names[s],
                       paths[0], rs->err_path);
    bg_run_write_json(run, &doc);
    f = fopen(rs->json_path, "w");
    if (f == NULL || fwrite(doc.data, 1, doc.len, f) != doc.len || fclose(f) != 0) {
        bg_buf_release(&doc);
        return bg_fail(d, "cannot write '%.200s': %s", rs->json_path, strerror(errno));
    }
    bg_buf_release(&doc);
    return 0;
}

static void elapsed(char *buf, size_t size, double s)
{
    long t = (long)s;

    if (t >= 3600)
        snprintf(buf, size, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, size, "%ld:%02ld", t / 60, t % 60);
}

static void progress(const struct ab *ab, size_t i, const char *fmt, ...) BG_PRINTF(3, 4);

static void progress(const struct ab *ab, size_t i, const char *fmt, ...)
{
    char e[32];
    va_list ap;

    if (ab->o->quiet)
        return;
    elapsed(e, sizeof(e), now_s() - ab->started);
    fprintf(stderr, "benchgate ab: [%s] round %zu/%" PRId64 ": ", e, i + 1, ab->o->rounds);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Runs round i: both sides, in the round's order or at once. */
static int run_round(struct ab *ab, size_t i, struct bg_diag *d)
{
    struct round_side rs[2];
    enum side first = ab->o->order == 1 ? (enum side)(i % 2)
                                        : (enum side)(splitmix64(&ab->rng) >> 63);
    int rc = 0;

    ab->first[i] = first;
    ab->cpu_of_base[i] = -1;
    for (int s = 0; s < 2; s++) {
        if (side_prepare(ab, (enum side)s, i, &rs[s], d) < 0) {
            side_release(&rs[0]);
            side_release(&rs[1]);
            return -1;
        }
    }
    if (ab->o->duet) {
        struct bg_job jobs[2];

        if (ab->n_cpus >= 2) {
            /* the side drawn first gets the first CPU: which CPU a side has is random too */
            rs[first].job.cpu = ab->cpus[0];
            rs[!first].job.cpu = ab->cpus[1];
            ab->cpu_of_base[i] = rs[BASE].job.cpu;
            progress(ab, i, "base on CPU %d and head on CPU %d, at once", rs[BASE].job.cpu,
                     rs[HEAD].job.cpu);
        } else {
            progress(ab, i, "base and head at once, sharing one CPU");
        }
        jobs[0] = rs[first].job;
        jobs[1] = rs[!first].job;
        bg_jobs_run(jobs, 2, &stop_flag);
        rs[first].job = jobs[0];
        rs[!first].job = jobs[1];
        progress(ab, i, "base %.1f s, head %.1f s", rs[BASE].job.seconds, rs[HEAD].job.seconds);
    } else {
        for (int k = 0; k < 2; k++) {
            enum side s = k == 0 ? first : (enum side)!first;

            progress(ab, i, "%s", side_names[s]);
            bg_jobs_run(&rs[s].job, 1, &stop_flag);
            progress(ab, i, "%s %.1f s", side_names[s], rs[s].job.seconds);
            if (rs[s].job.end != BG_JOB_EXITED || rs[s].job.status != 0)
                break;
        }
    }
    for (int k = 0; k < 2 && rc == 0; k++) {
        enum side s = k == 0 ? first : (enum side)!first;

        ab->seconds[s][i] = rs[s].job.seconds;
        if (side_failed(ab, s, i, &rs[s], d) < 0)
            rc = -1;
    }
    for (int s = 0; s < 2 && rc == 0; s++) {
        close(rs[s].out_fd);
        rs[s].out_fd = -1;
        if (side_collect(ab, (enum side)s, i, &rs[s], d) < 0)
            rc = -1;
    }
    if (rc == 0) {
        ab->rounds = i + 1;
    } else {
        for (int s = 0; s < 2; s++) { /* a half-parsed round counts for nothing */
            bg_run_release(&ab->runs[s][i]);
            bg_run_init(&ab->runs[s][i]);
        }
    }
    side_release(&rs[0]);
    side_release(&rs[1]);
    return rc;
}

/* ---- the kept folder ------------------------------------------------------ */

static int make_keep(struct ab *ab, struct bg_diag *d)
{
    if (ab->o->keep == NULL) {
        char tmpl[] = "benchgate-ab.XXXXXX";

        if (mkdtemp(tmpl) == NULL)
            return bg_fail(d, "cannot make a folder for the rounds: %s", strerror(errno));
        ab->keep = absolute(tmpl);
        return 0;
    }
    if (mkdir(ab->o->keep, 0755) < 0) {
        DIR *dir;
        struct dirent *e;
        bool empty = true;

        if (errno != EEXIST)
            return bg_fail(d, "--keep '%.200s': %s", ab->o->keep, strerror(errno));
        dir = opendir(ab->o->keep);
        if (dir == NULL)
            return bg_fail(d, "--keep '%.200s': %s", ab->o->keep, strerror(errno));
        while ((e = readdir(dir)) != NULL)
            empty &= strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
        closedir(dir);
        if (!empty)
            return bg_fail(d, "--keep '%.200s' is not empty: rounds are kept in a new or "
                           "empty folder, never over others", ab->o->keep);
    }
    ab->keep = absolute(ab->o->keep);
    return 0;
}

static void json_words(struct bg_buf *b, const char *cmd)
{
    if (cmd == NULL)
        bg_buf_adds(b, "null");
    else
        bg_json_add_string(b, cmd);
}

/* ab.json: how the rounds ran, for the reader and for --replay. */
static int write_manifest(const struct ab *ab, struct bg_diag *d)
{
    struct bg_buf b = BG_BUF_INIT, path = BG_BUF_INIT;
    FILE *f;
    int rc = 0;

    bg_buf_addf(&b, "{\"benchgate_ab\": %d, \"mode\": \"%s\", \"order\": \"%s\", \"seed\": %"
                PRId64 ", \"rounds\": %zu,\n \"base\": ", AB_VERSION,
                ab->o->duet ? "duet" : "interleaved", orders[ab->o->order], ab->o->seed,
                ab->rounds);
    json_words(&b, ab->o->cmd[BASE]);
    bg_buf_adds(&b, ", \"head\": ");
    json_words(&b, ab->o->cmd[HEAD]);
    bg_buf_addf(&b, ", \"shell\": %s, \"cpus\": %zu,\n \"seconds\": ", ab->o->shell ? "true"
                                                                                     : "false",
                ab->n_cpus);
    bg_json_add_number(&b, now_s() - ab->started);
    bg_buf_adds(&b, ", \"loadavg_start\": [");
    for (int k = 0; k < 3; k++) {
        bg_buf_adds(&b, k > 0 ? ", " : "");
        bg_json_add_number(&b, ab->load[k]);
    }
    bg_buf_adds(&b, "],\n \"round\": [");
    for (size_t i = 0; i < ab->rounds; i++) {
        bg_buf_addf(&b, "%s{\"first\": \"%s\", \"base_cpu\": %d, \"base_seconds\": ",
                    i > 0 ? ",\n   " : "", side_names[ab->first[i]], ab->cpu_of_base[i]);
        bg_json_add_number(&b, ab->seconds[BASE][i]);
        bg_buf_adds(&b, ", \"head_seconds\": ");
        bg_json_add_number(&b, ab->seconds[HEAD][i]);
        bg_buf_adds(&b, "}");
    }
    bg_buf_adds(&b, "]}\n");
    bg_buf_addf(&path, "%s/%s", ab->keep, AB_MANIFEST);
    f = fopen(path.data, "w");
    if (f == NULL || fwrite(b.data, 1, b.len, f) != b.len || fclose(f) != 0)
        rc = bg_fail(d, "cannot write '%.200s': %s", path.data, strerror(errno));
    bg_buf_release(&path);
    bg_buf_release(&b);
    return rc;
}

/* Reads a kept folder back: its manifest and each round's run documents. */
static int read_kept(struct ab *ab, struct gate_ab *info, struct bg_diag *d)
{
    struct bg_buf b = BG_BUF_INIT, path = BG_BUF_INIT;
    const cJSON *mode, *order, *seed, *rounds;
    cJSON *doc;
    int rc = 0;

    ab->keep = absolute(ab->o->replay);
    bg_buf_addf(&path, "%s/%s", ab->keep, AB_MANIFEST);
    if (bg_buf_read_file(&b, path.data, 1u << 24, d) < 0) {
        bg_buf_release(&path);
        return -1;
    }
    doc = bg_json_parse(b.data, b.len, path.data, d);
    bg_buf_release(&b);
    if (doc == NULL) {
        bg_buf_release(&path);
        return -1;
    }
    mode = bg_json_get(doc, "mode");
    order = bg_json_get(doc, "order");
    seed = bg_json_get(doc, "seed");
    rounds = bg_json_get(doc, "rounds");
    if (!cJSON_IsString(mode) || !cJSON_IsString(order) || !cJSON_IsNumber(seed) ||
        !cJSON_IsNumber(rounds) || !(rounds->valuedouble >= ab_rounds_range.lo) ||
        !(rounds->valuedouble <= ab_rounds_range.hi) || !(seed->valuedouble >= 0) ||
        !(seed->valuedouble <= (double)ab_seed_range.hi) ||
        (strcmp(mode->valuestring, "duet") != 0 &&
         strcmp(mode->valuestring, "interleaved") != 0) ||
        (strcmp(order->valuestring, "random") != 0 &&
         strcmp(order->valuestring, "alternate") != 0)) {
        rc = bg_fail(d, "'%.200s' is not a benchgate ab manifest (mode, order, seed, rounds)",
                     path.data);
    } else {
        ab->o->duet = strcmp(mode->valuestring, "duet") == 0;
        ab->o->order = strcmp(order->valuestring, "alternate") == 0;
        ab->o->seed = (int64_t)seed->valuedouble;
        ab->o->rounds = (int64_t)rounds->valuedouble;
    }
    cJSON_Delete(doc);
    bg_buf_release(&path);
    for (int64_t i = 0; rc == 0 && i < ab->o->rounds; i++) {
        for (int s = 0; s < 2 && rc == 0; s++) {
            char *p = path_in(ab->keep, (size_t)i, side_names[s], "json");
            char *paths[1] = { p };

            bg_run_init(&ab->runs[s][i]);
            if (collect_paths(paths, 1, "benchgate", false, &ab->runs[s][i]) != 0)
                rc = bg_fail(d, "round %" PRId64 ", %s: '%.200s' cannot be read (see above)",
                             i + 1, side_names[s], p);
            free(p);
        }
        if (rc == 0)
            ab->rounds = (size_t)i + 1;
    }
    info->seconds = NAN;
    return rc;
}

/* ---- storing the head side ------------------------------------------------ */

/* The head's rounds as one run: every sample of every round, per benchmark. */
static void pool_head(const struct ab *ab, struct bg_run *pooled)
{
    struct bg_result_index ix = { 0 };

    for (size_t i = 0; i < ab->rounds; i++) {
        const struct bg_run *run = &ab->runs[HEAD][i];

        bg_run_add_tool(pooled, run->tool != NULL ? run->tool : "benchgate");
        for (size_t r = 0; r < run->n_results; r++) {
            const struct bg_result *src = &run->results[r];
            struct bg_result *dst = bg_result_index_get(&ix, pooled, src->name, src->metric,
                                                        src->unit, src->direction);

            if (dst == NULL)
                continue;
            if (src->n_samples == 0) { /* a harness summary: the first round's stands */
                if (dst->n_samples == 0 && !dst->summary_only) {
                    dst->summary_only = true;
                    dst->sum = src->sum;
                }
                continue;
            }
            for (size_t k = 0; k < src->n_samples && dst->n_samples < BG_MAX_SAMPLES; k++)
                bg_result_add_sample(dst, src->samples[k]);
        }
    }
    bg_result_index_release(&ix);
}

static int store_head(const struct ab *ab, const struct gate_ab *info, int64_t *id)
{
    struct collect_origin origin = { ab->o->project, ab->o->branch, ab->o->commit, 0, false };
    struct bg_diag d = { 0 };
    struct store *st = NULL;
    struct bg_run run;
    char n[32];
    int rc;

    bg_run_init(&run);
    pool_head(ab, &run);
    if (bg_run_finish(&run, "the head's rounds", &d) < 0) {
        bg_error("%s", d.msg);
        bg_run_release(&run);
        return BG_EXIT_USAGE;
    }
    collect_origin(&run, &origin);
    bg_run_add_meta(&run, "ab_mode", info->mode);
    snprintf(n, sizeof(n), "%zu", info->rounds);
    bg_run_add_meta(&run, "ab_rounds", n);
    rc = bg_store_open(ab->o->db, true, &st);
    if (rc == 0) {
        rc = store_put_run(st, &run);
        if (rc == STORE_REJECTED)
            bg_error("%s", store_errmsg(st));
        rc = rc == STORE_REJECTED ? BG_EXIT_USAGE : rc < 0 ? BG_EXIT_STORE : 0;
        *id = run.id;
    }
    rc = bg_store_close(st, rc);
    bg_run_release(&run);
    return rc;
}

/* ---- the command ---------------------------------------------------------- */

static int check_opts(struct ab_opts *o)
{
    if (o->replay != NULL) {
        if (o->cmd[BASE] != NULL || o->cmd[HEAD] != NULL || o->keep != NULL)
            return bg_usage_error("ab", "--replay judges a kept folder: no --base, --head or "
                                  "--keep with it");
        return 0;
    }
    if (o->cmd[BASE] == NULL || o->cmd[HEAD] == NULL)
        return bg_usage_error("ab", "both --base CMD and --head CMD are needed");
    if (o->duet && o->result != NULL &&
        strcmp(o->dir[BASE] != NULL ? o->dir[BASE] : ".",
               o->dir[HEAD] != NULL ? o->dir[HEAD] : ".") == 0 && o->result[0] != '/')
        return bg_usage_error("ab", "--duet with --result needs --base-dir and --head-dir to "
                              "differ: both sides would write '%s' at once", o->result);
    if (o->duet && o->result != NULL && o->result[0] == '/')
        return bg_usage_error("ab", "--duet with an absolute --result: both sides would write "
                              "'%s' at once", o->result);
    return 0;
}

static void describe(const struct ab *ab, struct gate_ab *info, char *cpus, size_t size)
{
    info->mode = ab->o->duet ? "duet" : "interleaved";
    info->order = orders[ab->o->order];
    info->seed = (uint64_t)ab->o->seed;
    info->rounds = ab->rounds;
    info->keep = ab->keep;
    info->cpus = NULL;
    if (ab->o->duet) {
        if (ab->n_cpus >= 2)
            snprintf(cpus, size, "CPUs %d and %d, which side gets which drawn each round",
                     ab->cpus[0], ab->cpus[1]);
        else
            snprintf(cpus, size, "one CPU: both sides shared it, not pinned");
        info->cpus = cpus;
    }
}

int cmd_ab(int argc, char **argv)
{
    struct ab_opts o = { .db = bg_default_db(), .rounds = AB_ROUNDS_DEFAULT, .timeout = 1800,
                         .max_output = 64 << 20, .gate = GATE_OPTS_DEFAULT };
    struct ab ab;
    struct gate_ab info;
    struct gate_config config;
    struct gate_report report;
    struct bg_diag d = { 0 };
    const struct bg_run **lists[2] = { NULL, NULL };
    struct sigaction sa, old_int, old_term;
    char why[512], cpus[96], **args;
    FILE *md = NULL;
    enum bg_parse p;
    int n_args, rc = BG_EXIT_PASS;
    bool judged = false;

    memset(&ab, 0, sizeof(ab));
    memset(&config, 0, sizeof(config));
    memset(&report, 0, sizeof(report));
    memset(&info, 0, sizeof(info));
    p = bg_cmd_parse(&command, argc, argv, &o, &args, &n_args);
    if (p != BG_PARSE_OK)
        return bg_parse_exit(p);
    if (n_args != 0)
        return bg_usage_error("ab", "unexpected argument '%.200s': the commands go in --base "
                              "and --head", args[0]);
    if ((rc = check_opts(&o)) != 0)
        return rc;
    ab.o = &o;
    if (o.replay == NULL) {
        for (int s = 0; s < 2; s++) {
            if (!o.shell && split_words(o.cmd[s], &ab.words[s], &d) < 0) {
                bg_error("--%s: %s", side_names[s], d.msg);
                rc = BG_EXIT_USAGE;
                goto out;
            }
            /* with a shell, {out} is anywhere in the command: its stdout goes elsewhere */
            if (o.shell)
                ab.words[s].has_out = strstr(o.cmd[s], "{out}") != NULL;
        }
    }
    if (gate_config_load(o.config, &config, &d) < 0) {
        bg_error("%s", d.msg);
        rc = BG_EXIT_USAGE;
        goto out;
    }
    o.gate.config = &config;
    if (o.report != NULL && (md = report_open(o.report, &d)) == NULL) {
        rc = bg_cmd_fail(&d);
        goto out;
    }
    if (!o.seed_given)
        o.seed = (int64_t)(((uint64_t)time(NULL) * 2654435761u ^ (uint64_t)getpid() << 16 ^
                            (uint64_t)clock()) & (uint64_t)ab_seed_range.hi);
    for (int s = 0; s < 2; s++) {
        ab.runs[s] = bg_xcalloc((size_t)ab_rounds_range.hi + 1, sizeof(struct bg_run));
        ab.seconds[s] = bg_xcalloc((size_t)ab_rounds_range.hi + 1, sizeof(double));
    }
    ab.first = bg_xcalloc((size_t)ab_rounds_range.hi + 1, sizeof(*ab.first));
    ab.cpu_of_base = bg_xcalloc((size_t)ab_rounds_range.hi + 1, sizeof(*ab.cpu_of_base));
    ab.started = now_s();
    if (o.replay != NULL) {
        if (read_kept(&ab, &info, &d) < 0) {
            rc = bg_cmd_fail(&d);
            goto out;
        }
    } else {
        if (make_keep(&ab, &d) < 0) {
            rc = bg_cmd_fail(&d);
            goto out;
        }
        ab.rng = (uint64_t)o.seed;
        ab.n_cpus = bg_cpus_allowed(ab.cpus, 2);
        if (getloadavg(ab.load, 3) != 3)
            ab.load[0] = ab.load[1] = ab.load[2] = NAN;
        if (o.duet && ab.n_cpus < 2)
            bg_warn("--duet on a machine with one CPU: base and head run at once on it, "
                    "sharing it (pairs still see the same interference, but each side runs "
                    "slower and their work interferes)");
        if (!o.quiet)
            fprintf(stderr, "benchgate ab: %" PRId64 " rounds, %s%s%s (seed %" PRId64
                    "); every round's output goes to %s\n", o.rounds,
                    o.duet ? "base and head at once (duet)" : "base and head one after the other",
                    o.duet ? "" : ", in ", o.duet ? "" : (o.order == 1 ? "alternating order"
                                                                       : "random order"),
                    o.seed, ab.keep);
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &old_int);
        sigaction(SIGTERM, &sa, &old_term);
        for (size_t i = 0; i < (size_t)o.rounds && rc == BG_EXIT_PASS; i++) {
            if (run_round(&ab, i, &d) < 0)
                rc = bg_cmd_fail(&d);
        }
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        if (write_manifest(&ab, &d) < 0 && rc == BG_EXIT_PASS)
            rc = bg_cmd_fail(&d);
        info.seconds = now_s() - ab.started;
        if (rc != BG_EXIT_PASS) {
            bg_error("%zu of %" PRId64 " rounds were complete; every round's output is in %s; "
                     "nothing was judged or stored", ab.rounds, o.rounds, ab.keep);
            goto out;
        }
    }
    for (int s = 0; s < 2; s++) {
        lists[s] = bg_xcalloc(ab.rounds + 1, sizeof(*lists[s]));
        for (size_t i = 0; i < ab.rounds; i++) {
            struct collect_origin origin = { o.project, s == HEAD ? o.branch : side_names[s],
                                             s == HEAD ? o.commit : NULL, 0, s == BASE };

            collect_origin(&ab.runs[s][i], &origin);
            lists[s][i] = &ab.runs[s][i];
        }
    }
    gate_compare_paired(lists[BASE], lists[HEAD], ab.rounds, &o.gate, &report);
    judged = true;
    describe(&ab, &info, cpus, sizeof(cpus));
    report.ab = &info;
    snprintf(why, sizeof(why), "%zu round%s of base and head on this machine, %s", ab.rounds,
             ab.rounds == 1 ? "" : "s",
             o.duet ? "run at once (duet)"
                    : o.order == 1 ? "one after the other in alternating order"
                                   : "one after the other in random order");
    report.baseline_why = why;
    report.baseline_warning = ab.rounds < NOISE_MEASURED_MIN
                                  ? "fewer than 3 rounds cannot measure the rounds' spread: it "
                                    "is assumed (--prior-spread), and every verdict is low "
                                    "confidence"
                                  : "";
    if (o.store) {
        int64_t id = 0;
        int src = store_head(&ab, &info, &id);

        if (src != 0) {
            rc = src;
            goto out;
        }
        if (!o.quiet)
            fprintf(stderr, "benchgate ab: stored the head's %zu rounds as run %" PRId64 "\n",
                    ab.rounds, id);
    }
    rc = report_emit(&report, (enum report_format)o.output, md, o.report, NULL);
    md = NULL;
out:
    if (md != NULL)
        fclose(md);
    if (judged)
        gate_report_release(&report);
    for (int s = 0; s < 2; s++) {
        for (size_t i = 0; ab.runs[s] != NULL && i <= ab.rounds && i < (size_t)o.rounds; i++)
            bg_run_release(&ab.runs[s][i]);
        free(ab.runs[s]);
        free(ab.seconds[s]);
        free(lists[s]);
        free(ab.words[s].text);
    }
    free(ab.first);
    free(ab.cpu_of_base);
    free(ab.keep);
    gate_config_release(&config);
    return bg_finish_output(rc);
}
