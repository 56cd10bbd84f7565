/*
 * uploads.c: the upload load of bench/pg.sh; not product code.
 *
 *   uploads SECONDS CLIENTS BODY TOKEN URL...
 *
 * CLIENTS concurrent clients (keep-alive connections) POST the run document
 * BODY to URL/api/v1/projects/bench/runs, each upload to the next URL in
 * turn (so N URLs are N servers behind a round-robin balancer), for SECONDS
 * after one second of warm-up that is not counted. Prints one line:
 *   created=N other=N seconds=S rate=R p50_ms=X p99_ms=Y
 * where rate counts 201 answers only and the percentiles are over every
 * counted request's latency (type 7, as benchgate's own p95).
 */
#include <curl/curl.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_CLIENTS 256
#define WARMUP 1.0

struct client {
    CURL *h;
    double started;
    struct curl_slist *headers;
};

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return size * n;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double quantile(const double *v, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)h;

    return lo + 1 < n ? v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]) : v[lo];
}

int main(int argc, char **argv)
{
    struct client c[MAX_CLIENTS];
    char **urls, auth[512];
    size_t n_urls, next = 0, n_lat = 0, cap_lat = 1 << 16, created = 0, other = 0;
    double *lat, seconds, t0, begin, end;
    int clients, running, active;
    char *body;
    long body_len;
    CURLM *m;
    FILE *f;

    if (argc < 6) {
        fprintf(stderr, "usage: uploads SECONDS CLIENTS BODY TOKEN URL...\n");
        return 2;
    }
    seconds = strtod(argv[1], NULL);
    clients = atoi(argv[2]);
    if (seconds <= 0 || clients < 1 || clients > MAX_CLIENTS) {
        fprintf(stderr, "uploads: bad SECONDS or CLIENTS\n");
        return 2;
    }
    f = fopen(argv[3], "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (body_len = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "uploads: cannot read %s\n", argv[3]);
        return 2;
    }
    body = malloc((size_t)body_len + 1);
    if (body == NULL || fread(body, 1, (size_t)body_len, f) != (size_t)body_len)
        return 2;
    fclose(f);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", argv[4]);
    n_urls = (size_t)(argc - 5);
    urls = calloc(n_urls, sizeof(*urls));
    for (size_t i = 0; i < n_urls; i++) {
        size_t len = strlen(argv[5 + i]) + 64;

        urls[i] = malloc(len);
        snprintf(urls[i], len, "%s/api/v1/projects/bench/runs?branch=main", argv[5 + i]);
    }
    lat = malloc(cap_lat * sizeof(*lat));

    curl_global_init(CURL_GLOBAL_DEFAULT);
    m = curl_multi_init();
    t0 = now();
    begin = t0 + WARMUP;
    end = begin + seconds;
    for (int i = 0; i < clients; i++) {
        c[i].h = curl_easy_init();
        c[i].headers = curl_slist_append(NULL, auth);
        c[i].headers = curl_slist_append(c[i].headers, "Content-Type: application/json");
        curl_easy_setopt(c[i].h, CURLOPT_HTTPHEADER, c[i].headers);
        curl_easy_setopt(c[i].h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c[i].h, CURLOPT_POSTFIELDSIZE, body_len);
        curl_easy_setopt(c[i].h, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(c[i].h, CURLOPT_TIMEOUT, 60L);
        curl_easy_setopt(c[i].h, CURLOPT_PRIVATE, &c[i]);
        curl_easy_setopt(c[i].h, CURLOPT_URL, urls[next++ % n_urls]);
        c[i].started = now();
        curl_multi_add_handle(m, c[i].h);
    }
    active = clients; /* handles added and not yet done */
    while (active > 0) {
        CURLMsg *msg;
        int left;

        curl_multi_perform(m, &running);
        while ((msg = curl_multi_info_read(m, &left)) != NULL) {
            struct client *cl;
            long status = 0;
            double t = now();

            if (msg->msg != CURLMSG_DONE)
                continue;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&cl);
            curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
            curl_multi_remove_handle(m, msg->easy_handle);
            active--;
            if (cl->started >= begin && cl->started < end) {
                if (status == 201)
                    created++;
                else
                    other++;
                if (n_lat == cap_lat) {
                    cap_lat *= 2;
                    lat = realloc(lat, cap_lat * sizeof(*lat));
                    if (lat == NULL)
                        return 2;
                }
                lat[n_lat++] = t - cl->started;
            }
            if (t < end) {
                curl_easy_setopt(cl->h, CURLOPT_URL, urls[next++ % n_urls]);
                cl->started = now();
                curl_multi_add_handle(m, cl->h);
                active++;
            }
        }
        if (active > 0)
            curl_multi_poll(m, NULL, 0, 100, NULL);
    }
    qsort(lat, n_lat, sizeof(*lat), cmp);
    printf("created=%zu other=%zu seconds=%.3f rate=%.1f p50_ms=%.1f p99_ms=%.1f\n", created,
           other, seconds, (double)created / seconds,
           n_lat > 0 ? quantile(lat, n_lat, 0.50) * 1e3 : 0.0,
           n_lat > 0 ? quantile(lat, n_lat, 0.99) * 1e3 : 0.0);
    for (int i = 0; i < clients; i++) {
        curl_easy_cleanup(c[i].h);
        curl_slist_free_all(c[i].headers);
    }
    curl_multi_cleanup(m);
    curl_global_cleanup();
    for (size_t i = 0; i < n_urls; i++)
        free(urls[i]);
    free(urls);
    free(lat);
    free(body);
    return other > 0 ? 1 : 0;
}
