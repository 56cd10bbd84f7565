/*
 * ref.c: the reference measurements for bench/run.sh; not product code.
 *
 *   ref gen N_BENCH N_SAMPLES   a hyperfine --export-json document on stdout
 *                               (pretty-printed like hyperfine, fixed seed)
 *   ref parse FILE              time: read FILE, cJSON parse, count the
 *                               samples, free
 *   ref insert FILE DB          parse FILE untimed, then time: open DB fresh
 *                               (WAL, synchronous FULL, as the product does),
 *                               insert one row per benchmark with its samples
 *                               as a BLOB of doubles in one transaction, close
 *   ref time CMD [ARG...]       time the whole process CMD (stdout discarded;
 *                               exit status 0 or 1 counts as having run)
 *   ref read DB FIRST LAST      time: open a benchgate database and read the
 *                               samples of runs FIRST..LAST into memory (what
 *                               check cannot do without), then close
 *
 * Each timing mode prints elapsed seconds (CLOCK_MONOTONIC) on stdout.
 */
#include <cJSON.h>
#include <sqlite3.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct series {
    double *v;
    size_t n;
};

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "ref: %s%s%s\n", what, detail != NULL ? ": " : "",
            detail != NULL ? detail : "");
    exit(1);
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- gen ---------------------------------------------------------------- */

static uint64_t rng_state = 0x5eed5eed5eed5eedu;

static double uniform(void) /* splitmix64, in (0, 1) */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

static double gaussian(void) /* Box-Muller */
{
    return sqrt(-2.0 * log(uniform())) * cos(6.283185307179586 * uniform());
}

/* Shortest text that reads back as x, as hyperfine's JSON writer prints it. */
static const char *fmt_double(double x)
{
    static char buf[32];

    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof(buf), "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    return buf;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static int gen(long n_bench, long n_samples)
{
    double *t = malloc((size_t)n_samples * sizeof(*t));
    double *sorted = malloc((size_t)n_samples * sizeof(*t));
    size_t n = (size_t)n_samples;

    if (t == NULL || sorted == NULL)
        die("out of memory", NULL);
    printf("{\n  \"results\": [\n");
    for (long i = 0; i < n_bench; i++) {
        double base = 0.001 * exp(uniform() * log(100.0)); /* 1 ms .. 100 ms */
        double sum = 0, sq = 0, mean;

        for (size_t j = 0; j < n; j++) {
            /* 1% gaussian jitter, plus a slow outlier now and then */
            t[j] = base * (1.0 + 0.01 * gaussian());
            if (uniform() < 0.03)
                t[j] += base * 0.2 * uniform();
            sum += t[j];
        }
        mean = sum / (double)n;
        for (size_t j = 0; j < n; j++)
            sq += (t[j] - mean) * (t[j] - mean);
        memcpy(sorted, t, n * sizeof(*t));
        qsort(sorted, n, sizeof(*t), cmp_double);
        /* the field order of hyperfine --export-json */
        printf("    {\n      \"command\": \"bench-%04ld\",\n", i + 1);
        printf("      \"mean\": %s,\n", fmt_double(mean));
        printf("      \"stddev\": %s,\n", fmt_double(n > 1 ? sqrt(sq / (double)(n - 1)) : 0.0));
        printf("      \"median\": %s,\n",
               fmt_double(n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2));
        printf("      \"user\": %s,\n", fmt_double(mean * 0.7));
        printf("      \"system\": %s,\n", fmt_double(mean * 0.2));
        printf("      \"min\": %s,\n", fmt_double(sorted[0]));
        printf("      \"max\": %s,\n", fmt_double(sorted[n - 1]));
        printf("      \"times\": [\n");
        for (size_t j = 0; j < n; j++)
            printf("        %s%s\n", fmt_double(t[j]), j + 1 < n ? "," : "");
        printf("      ],\n      \"exit_codes\": [\n");
        for (size_t j = 0; j < n; j++)
            printf("        0%s\n", j + 1 < n ? "," : "");
        printf("      ]\n    }%s\n", i + 1 < n_bench ? "," : "");
    }
    printf("  ]\n}\n");
    free(sorted);
    free(t);
    return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}

/* ---- parse -------------------------------------------------------------- */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 1 << 20, n = 0, got;
    char *data = malloc(cap);

    if (f == NULL)
        die(path, strerror(errno));
    if (data == NULL)
        die("out of memory", NULL);
    while ((got = fread(data + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap && (data = realloc(data, cap *= 2)) == NULL)
            die("out of memory", NULL);
    }
    if (ferror(f))
        die(path, "read error");
    fclose(f);
    *len = n;
    return data;
}

static cJSON *parse_doc(const char *path, const char *data, size_t len)
{
    cJSON *root = cJSON_ParseWithLength(data, len);

    if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, "results")))
        die(path, "not a hyperfine JSON document");
    return root;
}

static int parse(const char *path)
{
    double t0 = now(), t1, sum = 0;
    size_t len, n = 0;
    char *data = read_file(path, &len);
    cJSON *root = parse_doc(path, data, len);
    const cJSON *res, *t;

    cJSON_ArrayForEach(res, cJSON_GetObjectItemCaseSensitive(root, "results")) {
        cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(res, "times")) {
            sum += t->valuedouble;
            n++;
        }
    }
    cJSON_Delete(root);
    free(data);
    t1 = now();
    if (n == 0 || !(sum > 0))
        die(path, "no samples");
    printf("%.9f\n", t1 - t0);
    return 0;
}

/* ---- insert ------------------------------------------------------------- */

static void exec_sql(sqlite3 *db, const char *sql)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        die(sql, sqlite3_errmsg(db));
}

static int insert(const char *path, const char *db_path)
{
    size_t len, n_res = 0;
    char *data = read_file(path, &len), sidecar[4096];
    cJSON *root = parse_doc(path, data, len);
    const cJSON *results = cJSON_GetObjectItemCaseSensitive(root, "results"), *res, *t;
    struct series *s = calloc((size_t)cJSON_GetArraySize(results) + 1, sizeof(*s));
    sqlite3 *db;
    sqlite3_stmt *ins;
    double t0, t1;

    if (s == NULL)
        die("out of memory", NULL);
    /* untimed: the samples as the product holds them, doubles in ns */
    cJSON_ArrayForEach(res, results) {
        const cJSON *times = cJSON_GetObjectItemCaseSensitive(res, "times");

        s[n_res].v = malloc(((size_t)cJSON_GetArraySize(times) + 1) * sizeof(double));
        if (s[n_res].v == NULL)
            die("out of memory", NULL);
        cJSON_ArrayForEach(t, times)
            s[n_res].v[s[n_res].n++] = t->valuedouble * 1e9;
        n_res++;
    }
    cJSON_Delete(root);
    free(data);
    /* a fresh database every time */
    unlink(db_path);
    snprintf(sidecar, sizeof(sidecar), "%s-wal", db_path);
    unlink(sidecar);
    snprintf(sidecar, sizeof(sidecar), "%s-shm", db_path);
    unlink(sidecar);

    t0 = now();
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK)
        die(db_path, sqlite3_errmsg(db));
    exec_sql(db, "PRAGMA journal_mode = WAL");
    exec_sql(db, "PRAGMA synchronous = FULL");
    exec_sql(db, "CREATE TABLE samples (result INTEGER, blob BLOB)");
    if (sqlite3_prepare_v2(db, "INSERT INTO samples (result, blob) VALUES (?1, ?2)", -1, &ins,
                           NULL) != SQLITE_OK)
        die("prepare", sqlite3_errmsg(db));
    exec_sql(db, "BEGIN IMMEDIATE");
    for (size_t i = 0; i < n_res; i++) {
        sqlite3_bind_int64(ins, 1, (sqlite3_int64)i + 1);
        sqlite3_bind_blob64(ins, 2, s[i].v, (sqlite3_uint64)s[i].n * sizeof(double),
                            SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE)
            die("insert", sqlite3_errmsg(db));
        sqlite3_reset(ins);
    }
    exec_sql(db, "COMMIT");
    sqlite3_finalize(ins);
    if (sqlite3_close(db) != SQLITE_OK)
        die("close", sqlite3_errmsg(db));
    t1 = now();

    for (size_t i = 0; i < n_res; i++)
        free(s[i].v);
    free(s);
    if (n_res == 0)
        die(path, "no results");
    printf("%.9f\n", t1 - t0);
    return 0;
}

/* ---- read --------------------------------------------------------------- */

static int read_runs(const char *db_path, long first, long last)
{
    sqlite3 *db;
    sqlite3_stmt *sel;
    size_t n_blobs = 0, n_samples = 0, cap = 0;
    double **blobs = NULL, t0, t1, sum = 0;

    t0 = now();
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die(db_path, sqlite3_errmsg(db));
    if (sqlite3_prepare_v2(db, "SELECT samples FROM results WHERE run_id = ?1", -1, &sel,
                           NULL) != SQLITE_OK)
        die("prepare", sqlite3_errmsg(db));
    for (long k = first; k <= last; k++) {
        sqlite3_bind_int64(sel, 1, k);
        while (sqlite3_step(sel) == SQLITE_ROW) {
            int bytes = sqlite3_column_bytes(sel, 0);
            double *v = malloc((size_t)bytes + 8);

            if (v == NULL)
                die("out of memory", NULL);
            memcpy(v, sqlite3_column_blob(sel, 0), (size_t)bytes);
            if (n_blobs == cap) {
                cap = cap ? cap * 2 : 1024;
                blobs = realloc(blobs, cap * sizeof(*blobs));
                if (blobs == NULL)
                    die("out of memory", NULL);
            }
            blobs[n_blobs++] = v;
            n_samples += (size_t)bytes / sizeof(double);
        }
        sqlite3_reset(sel);
    }
    sqlite3_finalize(sel);
    if (sqlite3_close(db) != SQLITE_OK)
        die("close", sqlite3_errmsg(db));
    t1 = now();
    for (size_t i = 0; i < n_blobs; i++) {
        sum += blobs[i][0];
        free(blobs[i]);
    }
    free(blobs);
    if (n_samples == 0 || sum <= 0)
        die(db_path, "no samples read");
    printf("%.9f\n", t1 - t0);
    return 0;
}

/* ---- time --------------------------------------------------------------- */

static int time_cmd(char **argv)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int status, rc;
    double t0, t1;

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    t0 = now();
    rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    if (rc != 0)
        die(argv[0], strerror(rc));
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            die("waitpid", strerror(errno));
    }
    t1 = now();
    posix_spawn_file_actions_destroy(&fa);
    /* 1 is benchgate check's "regression": a verdict, not a failure to run */
    if (!WIFEXITED(status) || WEXITSTATUS(status) > 1) {
        fprintf(stderr, "ref: %s failed (%s %d)\n", argv[0],
                WIFEXITED(status) ? "exit status" : "signal",
                WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        return 1;
    }
    printf("%.9f\n", t1 - t0);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "gen") == 0) {
        long nb = strtol(argv[2], NULL, 10), ns = strtol(argv[3], NULL, 10);

        if (nb < 1 || nb > 9999 || ns < 1 || ns > 10000000)
            die("gen", "N_BENCH must be 1..9999, N_SAMPLES 1..10000000");
        return gen(nb, ns);
    }
    if (argc == 3 && strcmp(argv[1], "parse") == 0)
        return parse(argv[2]);
    if (argc == 4 && strcmp(argv[1], "insert") == 0)
        return insert(argv[2], argv[3]);
    if (argc >= 3 && strcmp(argv[1], "time") == 0)
        return time_cmd(argv + 2);
    if (argc == 5 && strcmp(argv[1], "read") == 0)
        return read_runs(argv[2], strtol(argv[3], NULL, 10), strtol(argv[4], NULL, 10));
    fprintf(stderr, "usage: ref gen N_BENCH N_SAMPLES | ref parse FILE | "
                    "ref insert FILE DB | ref time CMD [ARG...] | ref read DB RUN_A RUN_B\n");
    return 2;
}
