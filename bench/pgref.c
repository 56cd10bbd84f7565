/*
 * pgref.c: PostgreSQL reference measurements for bench/pg.sh; not product
 * code (it formats SQL for its own scratch tables; benchgate never does).
 *
 *   pgref samples URI N K FORMAT   FORMAT bytea or float8[]: in a fresh
 *                                  scratch table, time one transaction
 *                                  inserting N rows of K random samples
 *                                  each (binary parameters, as the product
 *                                  binds), then time reading them all back
 *                                  into doubles (binary results); print
 *                                  "insert_s read_s table_bytes"
 *   pgref read URI RUN_A RUN_B     time: connect, read the samples of two
 *                                  benchgate runs into memory (what check
 *                                  cannot do without), disconnect; print
 *                                  seconds
 */
#include <libpq-fe.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(PGconn *c, const char *what)
{
    fprintf(stderr, "pgref: %s: %s", what, PQerrorMessage(c));
    exit(1);
}

static void ok(PGconn *c, PGresult *r, const char *what)
{
    ExecStatusType s = PQresultStatus(r);

    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
        die(c, what);
    PQclear(r);
}

static void be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static uint64_t rd64(const unsigned char *p)
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static PGconn *connect_to(const char *uri)
{
    PGconn *c = PQconnectdb(uri);

    if (PQstatus(c) != CONNECTION_OK)
        die(c, "connect");
    return c;
}

static int samples(const char *uri, int n, int k, const char *format)
{
    int array = strcmp(format, "float8[]") == 0;
    size_t len = array ? 20 + (size_t)k * 12 : (size_t)k * 8;
    unsigned char *buf = malloc(len);
    double *back = malloc((size_t)k * sizeof(*back)), t_ins, t_read, sum = 0;
    uint64_t rng = 0x9e3779b97f4a7c15u;
    PGconn *c = connect_to(uri);
    PGresult *r;
    char sql[256];

    if (buf == NULL || back == NULL || (!array && strcmp(format, "bytea") != 0))
        return 2;
    PQclear(PQexec(c, "SET client_min_messages = warning"));
    ok(c, PQexec(c, "DROP TABLE IF EXISTS pgref_samples"), "drop");
    snprintf(sql, sizeof(sql), "CREATE TABLE pgref_samples (id bigint PRIMARY KEY, s %s)",
             format);
    ok(c, PQexec(c, sql), "create");
    if (!array)
        ok(c, PQexec(c, "ALTER TABLE pgref_samples ALTER COLUMN s SET STORAGE EXTERNAL"),
           "storage");
    snprintf(sql, sizeof(sql), "INSERT INTO pgref_samples VALUES ($1::int8, $2::%s)", format);
    ok(c, PQprepare(c, "ins", sql, 0, NULL), "prepare");
    t_ins = now();
    ok(c, PQexec(c, "BEGIN"), "begin");
    for (int i = 0; i < n; i++) {
        char id[24];
        const char *v[2] = { id, (const char *)buf };
        int l[2] = { 0, (int)len }, f[2] = { 0, 1 };
        unsigned char *p = buf;

        snprintf(id, sizeof(id), "%d", i);
        if (array) { /* 1 dimension, no nulls, float8, K elements from 1 */
            be32(p, 1), be32(p + 4, 0), be32(p + 8, 701), be32(p + 12, (uint32_t)k);
            be32(p + 16, 1);
            p += 20;
        }
        for (int j = 0; j < k; j++) {
            double d;
            uint64_t u;

            rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
            d = 1e6 + (double)(rng % 100000) / 7.0; /* a timing-like value, ns */
            memcpy(&u, &d, 8);
            if (array) {
                be32(p, 8);
                p += 4;
                for (int b = 0; b < 8; b++) /* big-endian, as PostgreSQL sends */
                    p[b] = (unsigned char)(u >> (56 - 8 * b));
            } else {
                memcpy(p, &u, 8); /* little-endian, as benchgate stores */
            }
            p += 8;
        }
        ok(c, PQexecPrepared(c, "ins", 2, v, l, f, 0), "insert");
    }
    ok(c, PQexec(c, "COMMIT"), "commit");
    t_ins = now() - t_ins;

    t_read = now();
    r = PQexecParams(c, "SELECT s FROM pgref_samples ORDER BY id", 0, NULL, NULL, NULL, NULL, 1);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != n)
        die(c, "read");
    for (int i = 0; i < n; i++) {
        const unsigned char *p = (const unsigned char *)PQgetvalue(r, i, 0);

        if (array) {
            if (rd32(p + 12) != (uint32_t)k)
                die(c, "array length");
            p += 20;
            for (int j = 0; j < k; j++, p += 12) {
                uint64_t u = rd64(p + 4);

                memcpy(&back[j], &u, 8);
            }
        } else {
            memcpy(back, p, (size_t)k * 8);
        }
        sum += back[k - 1];
    }
    PQclear(r);
    t_read = now() - t_read;
    r = PQexec(c, "SELECT pg_total_relation_size('pgref_samples')");
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        die(c, "size");
    printf("%.6f %.6f %s\n", t_ins, t_read, PQgetvalue(r, 0, 0));
    PQclear(r);
    ok(c, PQexec(c, "DROP TABLE pgref_samples"), "drop");
    PQfinish(c);
    free(buf);
    free(back);
    return sum > 0 ? 0 : 1;
}

static int read_runs(const char *uri, const char *a, const char *b)
{
    const char *runs[2] = { a, b };
    double t = now(), sum = 0;
    PGconn *c = connect_to(uri);
    size_t n = 0;

    for (int i = 0; i < 2; i++) {
        const char *v[1] = { runs[i] };
        PGresult *r = PQexecParams(c, "SELECT samples FROM results WHERE run_id = $1::int8 "
                                   "ORDER BY id", 1, NULL, v, NULL, NULL, 1);

        if (PQresultStatus(r) != PGRES_TUPLES_OK)
            die(c, "read");
        for (int j = 0; j < PQntuples(r); j++) {
            size_t k = (size_t)PQgetlength(r, j, 0) / 8;
            double *d = malloc(k * sizeof(*d) + 1);

            memcpy(d, PQgetvalue(r, j, 0), k * 8);
            sum += k > 0 ? d[0] : 0;
            n += k;
            free(d);
        }
        PQclear(r);
    }
    PQfinish(c);
    printf("%.6f\n", now() - t);
    return n > 0 && sum > 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 6 && strcmp(argv[1], "samples") == 0)
        return samples(argv[2], atoi(argv[3]), atoi(argv[4]), argv[5]);
    if (argc == 5 && strcmp(argv[1], "read") == 0)
        return read_runs(argv[2], argv[3], argv[4]);
    fprintf(stderr, "usage: pgref samples URI N K bytea|float8[] | pgref read URI RUN_A RUN_B\n");
    return 2;
}
