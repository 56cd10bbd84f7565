/*
 * publish.c: `benchgate publish --out DIR`: the server's pages as static
 * files (HTML, SVG, the stylesheet, the JSON the pages link to), for
 * GitHub Pages or any static host.
 *
 * Nothing is listed by hand: starting at the index, each page is made by
 * the server's own route handlers, in this process, and every link in it
 * to the server (href="/..." or src="/...") is followed and rewritten to a
 * relative link to the file that page becomes. So a page added to the route
 * table is published as soon as a page links to it, with the same escaping
 * and look as the server's.
 *
 * A URL becomes a file by the route's Content-Type: a page is
 * SEGMENTS/index.html, a file route keeps its own name (chart.svg), JSON is
 * SEGMENTS/index.json. Each decoded segment is one file name made safe with
 * bg_buf_add_file_part (so "acme/widgets" is the folder acme%2Fwidgets), a
 * query string goes into the name after '~'. Links encode those names once
 * more. The output is made in a fresh folder beside DIR and renamed into
 * place at the end: a failure leaves DIR as it was.
 */
#define _XOPEN_SOURCE 700 /* nftw: an earlier dashboard is removed as a tree */
#include "core/bg.h"
#include "core/cli.h"
#include "core/hash.h"
#include "core/store.h"
#include "server/cache.h"
#include "server/chart.h"
#include "server/http.h"
#include "server/routes.h"

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_URLS 200000          /* pages and files in one dashboard */
#define MARK_FILE ".benchgate-publish" /* says a folder is publish's, so it may be replaced */

struct publish_opts {
    const char *db, *out, *gnuplot;
    int64_t chart_timeout;
};

#define OPT(field) offsetof(struct publish_opts, field)

static const struct bg_opt options[] = {
    BG_OPT_DB(struct publish_opts, db),
    { "out", 'o', "DIR", BG_OPT_TEXT, OPT(out),
      .help = "the folder to write (made, or replaced when an earlier publish made it)" },
    CHART_OPT_GNUPLOT(struct publish_opts, gnuplot),
    CHART_OPT_TIMEOUT(struct publish_opts, chart_timeout),
};

static const struct bg_command command = {
    "publish", "--out DIR [options]",
    "Write every page of the dashboards (the projects, each project, each\n"
    "benchmark with its chart, each run) as static HTML and SVG with relative\n"
    "links, for GitHub Pages or any static host, from any store (a git\n"
    "history too: --db git:benchgate-data). The pages are the server's own,\n"
    "made by its handlers; the filter forms need a server to answer them.",
    options, ARRAY_SIZE(options),
    "Exit status: 0 written, 2 bad usage, 3 the store, gnuplot or the folder\n"
    "failed (nothing is replaced then).\n",
};

/* The URLs met so far (a set, and the queue of those to make). */
struct crawl {
    char **url;
    size_t n, cap, next;
    size_t *slot; /* open addressing over url[], index + 1; 0 empty */
    size_t n_slots;
};

static bool crawl_add(struct crawl *c, const char *url)
{
    uint64_t h = bg_hash_str(BG_HASH_INIT, url);
    size_t i;

    if (c->n_slots == 0 || 2 * (c->n + 1) > c->n_slots) {
        size_t n = c->n_slots == 0 ? 1024 : 2 * c->n_slots;

        free(c->slot);
        c->slot = bg_xcalloc(n, sizeof(*c->slot));
        c->n_slots = n;
        for (size_t k = 0; k < c->n; k++) {
            uint64_t hk = bg_hash_str(BG_HASH_INIT, c->url[k]);

            for (i = hk % n; c->slot[i] != 0; i = (i + 1) % n)
                ;
            c->slot[i] = k + 1;
        }
    }
    for (i = h % c->n_slots; c->slot[i] != 0; i = (i + 1) % c->n_slots)
        if (strcmp(c->url[c->slot[i] - 1], url) == 0)
            return false;
    BG_GROW(c->url, c->cap, c->n + 1);
    c->url[c->n] = bg_xstrdup(url);
    c->slot[i] = ++c->n;
    return true;
}

static void crawl_release(struct crawl *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->url[i]);
    free(c->url);
    free(c->slot);
}

/* "path?query" into a decoded path and query; false when the server would refuse it. */
static bool parse_url(const char *url, struct route_path *path, struct route_query *q)
{
    const char *qm = strchr(url, '?'), *why;
    char raw[ROUTE_MAX_URL + 1];
    size_t plen = qm != NULL ? (size_t)(qm - url) : strlen(url);

    if (plen > ROUTE_MAX_URL)
        return false;
    memcpy(raw, url, plen);
    raw[plen] = '\0';
    if (route_split(raw, path, &why) < 0)
        return false;
    for (const char *p = qm != NULL ? qm + 1 : NULL; p != NULL && *p != '\0';) {
        const char *amp = strchr(p, '&'), *end = amp != NULL ? amp : p + strlen(p);
        const char *eq = memchr(p, '=', (size_t)(end - p));
        char key[ROUTE_MAX_URL + 1], value[ROUTE_MAX_URL + 1];
        size_t kl = (size_t)((eq != NULL ? eq : end) - p);
        size_t vl = eq != NULL ? (size_t)(end - eq - 1) : 0;

        if (kl > ROUTE_MAX_URL || vl > ROUTE_MAX_URL)
            return false;
        memcpy(key, p, kl);
        key[kl] = '\0';
        if (eq != NULL)
            memcpy(value, eq + 1, vl);
        value[vl] = '\0';
        if (kl > 0 && route_query_add(q, key, value, &why) < 0)
            return false;
        p = amp != NULL ? amp + 1 : end;
    }
    return true;
}

/* The file a URL becomes, relative to the output folder; false when no
 * route takes the URL (it is not the server's, and stays as it is). */
static bool file_of(const char *url, struct bg_buf *file)
{
    struct route_path path;
    struct route_query q = { 0 };
    const char *type, *qm = strchr(url, '?');
    struct bg_buf suffix = BG_BUF_INIT;
    bool ok = parse_url(url, &path, &q);

    route_query_release(&q);
    if (!ok || (type = routes_type(&path)) == NULL)
        return false;
    bg_buf_reset(file);
    if (qm != NULL && qm[1] != '\0') {
        bg_buf_adds(&suffix, "~");
        bg_buf_add_file_part(&suffix, qm + 1);
    }
    for (size_t i = 0; i < path.n; i++) {
        const char *seg = path.seg[i], *dot = strrchr(seg, '.');
        bool leaf = i + 1 == path.n && strncmp(type, "text/html", 9) != 0 &&
                    strcmp(type, "application/json") != 0 && dot != NULL && dot != seg;

        if (i > 0)
            bg_buf_adds(file, "/");
        if (!leaf) {
            bg_buf_add_file_part(file, seg);
            continue;
        }
        /* a file route's own name (chart.svg): the query goes before its extension */
        {
            char *stem = bg_xstrndup(seg, (size_t)(dot - seg));

            bg_buf_add_file_part(file, stem);
            bg_buf_adds(file, suffix.data);
            bg_buf_add_url_part(file, dot);
            free(stem);
        }
        bg_buf_release(&suffix);
        return true;
    }
    if (path.n > 0)
        bg_buf_adds(file, "/");
    bg_buf_addf(file, "index%s%s", suffix.data,
                strncmp(type, "text/html", 9) == 0 ? ".html"
                : strcmp(type, "application/json") == 0 ? ".json"
                : strncmp(type, "image/svg", 9) == 0 ? ".svg"
                : strncmp(type, "text/css", 8) == 0 ? ".css" : ".txt");
    bg_buf_release(&suffix);
    return true;
}

/* An attribute's value with HTML's entities for & " ' < > undone. */
static void unescape_attr(const char *s, size_t n, struct bg_buf *out)
{
    static const struct { const char *ent; char c; } ents[] = {
        { "&amp;", '&' }, { "&quot;", '"' }, { "&#39;", '\'' }, { "&lt;", '<' }, { "&gt;", '>' },
    };

    bg_buf_reset(out);
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;

        if (s[i] == '&')
            for (; k < ARRAY_SIZE(ents); k++)
                if (strncmp(s + i, ents[k].ent, strlen(ents[k].ent)) == 0 &&
                    i + strlen(ents[k].ent) <= n)
                    break;
        if (s[i] == '&' && k < ARRAY_SIZE(ents)) {
            bg_buf_add(out, &ents[k].c, 1);
            i += strlen(ents[k].ent) - 1;
        } else {
            bg_buf_add(out, s + i, 1);
        }
    }
}

/*
 * The page at file (its own path in the output) with every href="/..." and
 * src="/..." rewritten to a relative link to its file, each such URL added
 * to the crawl. Links that no route takes are kept as they are.
 */
static void rewrite(const struct bg_buf *in, const char *file, struct crawl *c,
                    struct bg_buf *out)
{
    struct bg_buf url = BG_BUF_INIT, target = BG_BUF_INIT, up = BG_BUF_INIT;
    const char *p = in->data, *end = in->data + in->len;

    for (const char *s = file; *s != '\0'; s++)
        if (*s == '/')
            bg_buf_adds(&up, "../");
    bg_buf_reset(out);
    while (p < end) {
        const char *h = strstr(p, "href=\""), *s = strstr(p, "src=\""), *a, *v, *q;
        const char *frag;

        a = h == NULL ? s : s == NULL ? h : h < s ? h : s;
        if (a == NULL || a >= end) {
            bg_buf_add(out, p, (size_t)(end - p));
            break;
        }
        v = strchr(a, '"') + 1;
        q = strchr(v, '"');
        if (q == NULL) {
            bg_buf_add(out, p, (size_t)(end - p));
            break;
        }
        bg_buf_add(out, p, (size_t)(v - p));
        p = q;
        unescape_attr(v, (size_t)(q - v), &url);
        if (url.data[0] != '/' || url.data[1] == '/') { /* not the server's: kept */
            bg_buf_add(out, v, (size_t)(q - v));
            continue;
        }
        frag = strchr(url.data, '#');
        if (frag != NULL)
            url.data[frag - url.data] = '\0';
        if (!file_of(url.data, &target)) {
            bg_buf_add(out, v, (size_t)(q - v));
            continue;
        }
        if (c->n < MAX_URLS)
            crawl_add(c, url.data);
        /* a page is also published without its query, the address that
         * reports link to (check --dashboard-url) */
        if (strchr(url.data, '?') != NULL && strstr(target.data, ".html") != NULL &&
            c->n < MAX_URLS) {
            char *bare = bg_xstrndup(url.data, strcspn(url.data, "?"));

            crawl_add(c, bare);
            free(bare);
        }
        bg_buf_adds(out, up.data);
        /* each name of the file path, encoded once more for the link */
        for (char *seg = target.data, *slash; seg != NULL; seg = slash != NULL ? slash + 1 : NULL) {
            slash = strchr(seg, '/');
            if (slash != NULL)
                *slash = '\0';
            bg_buf_add_url_part(out, seg);
            if (slash != NULL)
                bg_buf_adds(out, "/");
        }
        if (frag != NULL) {
            bg_buf_adds(out, "#");
            bg_buf_add_url_part(out, frag + 1);
        }
    }
    bg_buf_release(&url);
    bg_buf_release(&target);
    bg_buf_release(&up);
}

/* Writes data to root/file, making its folders. 0, or -1 with d. */
static int write_file(const char *root, const char *file, const struct bg_buf *data,
                      struct bg_diag *d)
{
    struct bg_buf path = BG_BUF_INIT;
    FILE *f;
    int rc = 0;

    bg_buf_addf(&path, "%s/%s", root, file);
    for (char *s = path.data + strlen(root) + 1; (s = strchr(s, '/')) != NULL; s++) {
        *s = '\0';
        if (mkdir(path.data, 0755) < 0 && errno != EEXIST)
            rc = bg_fail_as(d, BG_FAULT_BROKEN, "publish: cannot make '%s': %s", path.data,
                            strerror(errno));
        *s = '/';
        if (rc < 0)
            goto out;
    }
    f = fopen(path.data, "wb");
    if (f == NULL || fwrite(data->data, 1, data->len, f) != data->len || fclose(f) != 0) {
        if (f != NULL)
            fclose(f);
        rc = bg_fail_as(d, BG_FAULT_BROKEN, "publish: cannot write '%s': %s", path.data,
                        strerror(errno));
    }
out:
    bg_buf_release(&path);
    return rc;
}

static int remove_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static void remove_tree(const char *dir)
{
    if (dir[0] != '\0')
        nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Makes every page into tmp. 0, or -1 with d. */
static int crawl_all(struct store *st, const char *tmp, size_t *n_files, struct bg_diag *d)
{
    /* one page at a time, as one client: every read may compute */
    const struct http_config cfg = { .max_body = 0, .private_reads = false, .read_slots = 1 };
    struct crawl c = { 0 };
    struct bg_buf file = BG_BUF_INIT, page = BG_BUF_INIT;
    int rc = 0;

    crawl_add(&c, "/");
    crawl_add(&c, "/static/style.css");
    for (; c.next < c.n && rc == 0; c.next++) {
        const char *url = c.url[c.next];
        struct route_path path;
        struct route_query q = { 0 };
        struct http_response rs = HTTP_RESPONSE_INIT;
        struct http_request rq;

        if (!parse_url(url, &path, &q) || !file_of(url, &file)) {
            route_query_release(&q);
            continue; /* rewrite() kept such links as they were */
        }
        rq = (struct http_request){ .method = "GET", .path = &path, .query = &q, .body = "",
                                    .st = st, .cfg = &cfg };
        routes_handle(&rq, &rs);
        route_query_release(&q);
        if (rs.status != 200) {
            rc = bg_fail_as(d, BG_FAULT_BROKEN, "publish: %s answered %d%s%s", url, rs.status,
                            store_errmsg(st)[0] != '\0' ? ": " : "", store_errmsg(st));
        } else if (strncmp(rs.content_type, "text/html", 9) == 0 ||
                   strncmp(rs.content_type, "image/svg", 9) == 0) {
            rewrite(&rs.body, file.data, &c, &page);
            rc = write_file(tmp, file.data, &page, d);
        } else {
            rc = write_file(tmp, file.data, &rs.body, d);
        }
        bg_buf_release(&rs.body);
        if (rc == 0 && c.n >= MAX_URLS)
            rc = bg_fail_as(d, BG_FAULT_BROKEN, "publish: more than %d pages and files: too "
                            "many to publish", MAX_URLS);
    }
    *n_files = c.next;
    crawl_release(&c);
    bg_buf_release(&file);
    bg_buf_release(&page);
    return rc;
}

/* Puts tmp where out is: out must not exist, be empty, or be an earlier publish. */
static int put_in_place(const char *tmp, const char *out, struct bg_diag *d)
{
    struct bg_buf old = BG_BUF_INIT, mark = BG_BUF_INIT;
    struct stat sb;
    int rc = 0;

    bg_buf_addf(&mark, "%s/" MARK_FILE, out);
    if (stat(out, &sb) == 0) {
        if (!S_ISDIR(sb.st_mode)) {
            rc = bg_fail(d, "publish: '%s' is not a folder", out);
        } else if (rmdir(out) == 0) {
            /* it was empty */
        } else if (stat(mark.data, &sb) != 0) {
            rc = bg_fail(d, "publish: '%s' holds files benchgate publish did not write: give a "
                         "new or empty folder", out);
        } else {
            bg_buf_addf(&old, "%s.old-%ld", out, (long)getpid());
            if (rename(out, old.data) < 0)
                rc = bg_fail_as(d, BG_FAULT_BROKEN, "publish: cannot move '%s' aside: %s", out,
                                strerror(errno));
        }
    }
    if (rc == 0 && rename(tmp, out) < 0)
        rc = bg_fail_as(d, BG_FAULT_BROKEN, "publish: cannot rename '%s' to '%s': %s", tmp, out,
                        strerror(errno));
    if (old.len > 0) {
        if (rc == 0)
            remove_tree(old.data);
        else
            rename(old.data, out); /* back as it was */
    }
    bg_buf_release(&old);
    bg_buf_release(&mark);
    return rc;
}

int cmd_publish(int argc, char **argv)
{
    struct publish_opts o = { .db = bg_default_db(), .gnuplot = "gnuplot", .chart_timeout = 30 };
    struct bg_buf tmp = BG_BUF_INIT;
    struct bg_diag d = { 0 };
    struct store *st = NULL;
    const struct bg_buf none = BG_BUF_INIT;
    size_t n_files = 0, len;
    enum bg_parse p;
    char **args;
    int n, rc;

    p = bg_cmd_parse(&command, argc, argv, &o, &args, &n);
    if (p != BG_PARSE_OK)
        return bg_parse_exit(p);
    if (n > 0)
        return bg_usage_error("publish", "unexpected argument '%s'", args[0]);
    if (o.out == NULL)
        return bg_usage_error("publish", "--out DIR is required");
    len = strlen(o.out);
    while (len > 1 && o.out[len - 1] == '/')
        len--;
    bg_buf_add(&tmp, o.out, len);
    bg_buf_adds(&tmp, ".publish-XXXXXX");
    if ((rc = bg_store_open(o.db, false, &st)) != 0)
        goto out;
    /* a published page would say "charts unavailable" for good: refuse instead */
    if (!chart_setup(&(struct chart_config){ o.gnuplot, (int)o.chart_timeout * 1000, 1 })) {
        rc = bg_error("publish: gnuplot ('%s') draws the charts and cannot be run: install it "
                      "(Debian: gnuplot-nox) or name it with --gnuplot", o.gnuplot);
        rc = BG_EXIT_STORE;
        goto out;
    }
    if (mkdtemp(tmp.data) == NULL) {
        rc = bg_error("publish: cannot make a folder beside '%s': %s", o.out, strerror(errno));
        rc = BG_EXIT_STORE;
        bg_buf_reset(&tmp);
        goto out;
    }
    if (write_file(tmp.data, MARK_FILE, &none, &d) < 0 ||
        write_file(tmp.data, ".nojekyll", &none, &d) < 0 || /* Pages: serve files as they are */
        crawl_all(st, tmp.data, &n_files, &d) < 0 || put_in_place(tmp.data, o.out, &d) < 0) {
        remove_tree(tmp.data);
        rc = bg_cmd_fail(&d);
        goto out;
    }
    printf("published %zu pages and files to %s\n", n_files, o.out);
    rc = BG_EXIT_PASS;
out:
    rc = bg_store_close(st, rc);
    cache_clear(cache_answers);
    cache_clear(cache_charts);
    bg_buf_release(&tmp);
    return bg_finish_output(rc);
}
