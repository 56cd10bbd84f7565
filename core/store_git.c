/*
 * store_git.c: a git branch of run documents, read into a store in memory
 * and appended to by collect (see store_git.h).
 */
#include "core/bg.h"
#include "core/store_git.h"
#include "core/gz.h"
#include "core/spawn.h"
#include "core/store.h"

#include <sys/random.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define GIT_LOCAL_MS 60000        /* plumbing on the local repository */
#define GIT_REMOTE_MS 180000      /* a fetch or a push */
#define MAX_FILES 200000          /* run documents in one branch */
#define MAX_LISTING (64u << 20)   /* bytes of ls-tree output */
#define MAX_BLOB (64u << 20)      /* bytes of one compressed run document */
#define BATCH 256                 /* blobs read per cat-file */
#define PUSH_TRIES 12

static const struct store_git_codec *codec;

struct store_git {
    char *branch, *remote, *local_ref; /* local_ref: refs/benchgate/tmp/<this process's> */
    char tmpdir[256];                  /* private scratch folder, removed at the end */
};

struct entry {
    char sha[65];
    char *path;
    int64_t ts;
};

void store_git_set_codec(const struct store_git_codec *c)
{
    codec = c;
}

bool store_locator_is_git(const char *locator)
{
    return strncmp(locator, "git:", 4) == 0;
}

/* A branch name benchgate accepts: a plain subset of git's own rules. */
static bool branch_ok(const char *b)
{
    size_t n = strlen(b);

    if (n == 0 || n > 200 || b[0] == '-' || b[0] == '/' || b[n - 1] == '/' ||
        b[n - 1] == '.' || strstr(b, "..") != NULL || strstr(b, "//") != NULL ||
        strstr(b, "@{") != NULL || (n >= 5 && strcmp(b + n - 5, ".lock") == 0))
        return false;
    for (const char *p = b; *p != '\0'; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.' || *p == '/'))
            return false;
    }
    return true;
}

/* A remote: a name, or a URL or path without control characters or a leading '-'. */
static bool remote_ok(const char *r)
{
    if (r[0] == '\0' || r[0] == '-' || strlen(r) > 1024)
        return false;
    for (const char *p = r; *p != '\0'; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

/*
 * The last line of git's complaint, printable, with any user:password@ in
 * a URL masked: a remote URL may carry a credential, and messages and logs
 * never show one.
 */
static void git_complaint(const struct bg_limbuf *err, char *out, size_t size)
{
    const char *s = err->buf.data, *end = s + err->buf.len, *line = s;
    char raw[512];
    size_t n, o = 0;

    while (end > s && (end[-1] == '\n' || end[-1] == '\r'))
        end--;
    for (const char *p = s; p < end; p++)
        if (*p == '\n')
            line = p + 1;
    n = (size_t)(end - line);
    if (n >= sizeof(raw))
        n = sizeof(raw) - 1;
    memcpy(raw, line, n);
    raw[n] = '\0';
    for (size_t i = 0; i < n && o + 4 < size; i++) {
        const char *at;

        if (strncmp(raw + i, "://", 3) == 0 && (at = strchr(raw + i + 3, '@')) != NULL &&
            strcspn(raw + i + 3, " /'\"") > (size_t)(at - (raw + i + 3))) {
            memcpy(out + o, "://***@", 7 < size - o - 1 ? 7 : size - o - 1);
            o += 7 < size - o - 1 ? 7 : size - o - 1;
            i = (size_t)(at - raw);
            continue;
        }
        out[o++] = (unsigned char)raw[i] < 0x20 ? '?' : raw[i];
    }
    out[o < size ? o : size - 1] = '\0';
    if (out[0] == '\0')
        snprintf(out, size, "no message");
}

/* The process environment with the given NAME=VALUE entries put in place of
 * their namesakes; git never asks a terminal for a password. Caller frees
 * the array (not the strings). */
static const char **env_with(const char *const extra[])
{
    size_t n = 0, k = 0, x = 0;
    const char **envp;

    while (environ[n] != NULL)
        n++;
    while (extra != NULL && extra[x] != NULL)
        x++;
    envp = bg_xcalloc(n + x + 2, sizeof(*envp));
    for (size_t i = 0; i < n; i++) {
        bool replaced = strncmp(environ[i], "GIT_TERMINAL_PROMPT=", 20) == 0;

        for (size_t j = 0; j < x && !replaced; j++) {
            size_t kl = strcspn(extra[j], "=") + 1;

            replaced = strncmp(environ[i], extra[j], kl) == 0;
        }
        if (!replaced)
            envp[k++] = environ[i];
    }
    for (size_t j = 0; j < x; j++)
        envp[k++] = extra[j];
    envp[k++] = "GIT_TERMINAL_PROMPT=0";
    envp[k] = NULL;
    return envp;
}

/*
 * Runs git with argv (argv[0] is "git"), stdin from stdin_path, stdout into
 * out (may be NULL), extra environment entries. Returns git's exit status,
 * or -1 with d filled when it could not run or took too long; a non-zero
 * status fills d with git's complaint too, for the caller to use or not.
 */
static int git(const char *const argv[], const char *const extra_env[], const char *stdin_path,
               struct bg_limbuf *out, int timeout_ms, struct bg_diag *d)
{
    struct bg_limbuf err = BG_LIMBUF_INIT(64u << 10);
    const char **envp = env_with(extra_env);
    char why[300];
    int rc = bg_spawn_io(argv, envp, stdin_path, out, &err, timeout_ms);

    free(envp);
    if (rc != 0) {
        git_complaint(&err, why, sizeof(why));
        if (rc < 0)
            bg_fail_as(d, BG_FAULT_BROKEN, "git %s did not finish (not installed, too slow or "
                       "too much output): %s", argv[1], why);
        else
            bg_fail_as(d, BG_FAULT_BROKEN, "git %s failed: %s", argv[1], why);
    }
    bg_buf_release(&err.buf);
    return rc;
}

/* Trims the newline off a one-line answer; false when it is not one hex id. */
static bool one_sha(struct bg_limbuf *out, char sha[65])
{
    size_t n = out->buf.len;

    while (n > 0 && out->buf.data[n - 1] == '\n')
        n--;
    if (n < 40 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((out->buf.data[i] >= '0' && out->buf.data[i] <= '9') ||
              (out->buf.data[i] >= 'a' && out->buf.data[i] <= 'f')))
            return false;
    memcpy(sha, out->buf.data, n);
    sha[n] = '\0';
    return true;
}

/*
 * Fetches the branch's newest commit into local_ref. Returns 1 with tip
 * set, 0 when the remote has no such branch (yet), -1 with d, or -2 with d
 * when the branch exists but this fetch failed (another benchgate fetching
 * into the same repository holds a lock git takes): worth another try.
 */
static int fetch(struct store_git *g, char tip[65], struct bg_diag *d)
{
    struct bg_buf refspec = BG_BUF_INIT, want = BG_BUF_INIT;
    struct bg_limbuf out = BG_LIMBUF_INIT(4096);
    int rc;

    bg_buf_addf(&refspec, "+refs/heads/%s:%s", g->branch, g->local_ref);
    bg_buf_addf(&want, "refs/heads/%s", g->branch);
    {
        const char *argv[] = { "git", "fetch", "--quiet", "--no-tags", "--depth=1",
                               "--no-write-fetch-head", g->remote, refspec.data, NULL };

        rc = git(argv, NULL, NULL, NULL, GIT_REMOTE_MS, d);
    }
    if (rc != 0) {
        /* no such branch, or no such remote: ls-remote tells them apart */
        const char *argv[] = { "git", "ls-remote", "--exit-code", g->remote, want.data, NULL };
        struct bg_diag d2 = { 0 };
        int lr = git(argv, NULL, NULL, NULL, GIT_REMOTE_MS, &d2);

        char why[sizeof(d->msg)];

        snprintf(why, sizeof(why), "%s", d->msg);
        rc = lr == 2 ? 0 : lr == 0 ? -2 : -1;
        if (rc == -2)
            bg_fail_as(d, BG_FAULT_BROKEN, "git history: cannot fetch branch '%s' from '%s': %s",
                       g->branch, g->remote, why);
        else if (rc < 0)
            bg_fail_as(d, BG_FAULT_BROKEN, "git history: cannot reach remote '%s': %s",
                       g->remote, d2.msg);
        goto out;
    }
    {
        const char *argv[] = { "git", "rev-parse", "--verify", "--quiet", g->local_ref, NULL };

        if (git(argv, NULL, NULL, &out, GIT_LOCAL_MS, d) != 0 || !one_sha(&out, tip)) {
            rc = bg_fail_as(d, BG_FAULT_BROKEN, "git history: fetched branch '%s' but cannot "
                            "read its commit", g->branch);
            goto out;
        }
    }
    rc = 1;
out:
    bg_buf_release(&out.buf);
    bg_buf_release(&refspec);
    bg_buf_release(&want);
    return rc;
}

/* "runs/YYYY-MM/<seconds>-<4..64 hex>-<16 hex>.json.gz": true, with *ts. */
static bool run_path_ok(const char *p, int64_t *ts)
{
    size_t hex = 0;
    int64_t t = 0;
    int digits = 0;

    if (strncmp(p, "runs/", 5) != 0)
        return false;
    p += 5;
    for (int i = 0; i < 7; i++)
        if (i == 4 ? p[i] != '-' : !(p[i] >= '0' && p[i] <= '9'))
            return false;
    if (p[7] != '/')
        return false;
    for (p += 8; *p >= '0' && *p <= '9' && digits < 12; p++, digits++)
        t = t * 10 + (*p - '0');
    if (digits == 0 || *p++ != '-')
        return false;
    for (; (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'); p++)
        hex++;
    if (hex < 1 || hex > 64 || *p++ != '-')
        return false;
    for (hex = 0; (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'); p++)
        hex++;
    if (hex != 16 || strcmp(p, ".json.gz") != 0)
        return false;
    *ts = t;
    return true;
}

static int entry_cmp(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;

    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return strcmp(x->path, y->path);
}

/* The run documents of tip's tree, oldest first. Returns the count or -1. */
static long list_runs(const char *tip, struct entry **out, struct bg_diag *d)
{
    const char *argv[] = { "git", "ls-tree", "-r", "-z", "--full-tree", tip, NULL };
    struct bg_limbuf ls = BG_LIMBUF_INIT(MAX_LISTING);
    struct entry *e = NULL;
    size_t n = 0, cap = 0, ignored = 0;
    const char *p, *end;

    *out = NULL;
    if (git(argv, NULL, NULL, &ls, GIT_LOCAL_MS, d) != 0) {
        bg_buf_release(&ls.buf);
        return -1;
    }
    p = ls.buf.data;
    end = p + ls.buf.len;
    while (p < end) {
        const char *z = memchr(p, '\0', (size_t)(end - p)), *tab, *sp1, *sp2;
        int64_t ts;

        if (z == NULL)
            break;
        /* "<mode> SP <type> SP <object> TAB <path>" */
        tab = memchr(p, '\t', (size_t)(z - p));
        sp1 = memchr(p, ' ', (size_t)(z - p));
        sp2 = sp1 != NULL ? memchr(sp1 + 1, ' ', (size_t)(z - sp1 - 1)) : NULL;
        if (tab == NULL || sp2 == NULL || sp2 > tab || (size_t)(tab - sp2 - 1) > 64 ||
            strncmp(p, "100644 blob ", 12) != 0 || !run_path_ok(tab + 1, &ts)) {
            if (tab == NULL || strcmp(tab + 1, "README.md") != 0)
                ignored++;
            p = z + 1;
            continue;
        }
        if (n == MAX_FILES) {
            bg_buf_release(&ls.buf);
            for (size_t i = 0; i < n; i++)
                free(e[i].path);
            free(e);
            return bg_fail(d, "git history: more than %d run documents; keep fewer (a new "
                           "branch, or old files deleted)", MAX_FILES);
        }
        BG_GROW(e, cap, n + 1);
        memcpy(e[n].sha, sp2 + 1, (size_t)(tab - sp2 - 1));
        e[n].sha[tab - sp2 - 1] = '\0';
        e[n].path = bg_xstrdup(tab + 1);
        e[n].ts = ts;
        n++;
        p = z + 1;
    }
    bg_buf_release(&ls.buf);
    if (ignored > 0)
        bg_warn("git history: %zu file%s in the branch %s not a run document "
                "(runs/YYYY-MM/SECONDS-COMMIT-ID.json.gz): ignored", ignored,
                ignored == 1 ? "" : "s", ignored == 1 ? "is" : "are");
    if (n > 1)
        qsort(e, n, sizeof(*e), entry_cmp);
    *out = e;
    return (long)n;
}

/* One document: inflate, parse, validate, store as run id. 1 imported, 0
 * skipped with a warning, -1 the store failed. */
static int import_one(struct store *mem, const struct entry *e, int64_t id, const char *blob,
                      size_t len, struct bg_diag *d)
{
    struct bg_limbuf doc = BG_LIMBUF_INIT(BG_MAX_INPUT);
    struct bg_diag why = { 0 };
    struct bg_run run;
    int rc = 0;

    bg_run_init(&run);
    if (bg_gunzip(blob, len, &doc, e->path, &why) < 0 ||
        codec->read(e->path, doc.buf.data, doc.buf.len, &run, &why) < 0) {
        bg_warn("git history: skipped %s", why.msg);
        goto out;
    }
    run.id = id;
    rc = store_import_run(mem, &run);
    if (rc == STORE_REJECTED) {
        bg_warn("git history: skipped %s: %s", e->path, store_errmsg(mem));
        store_clear_error(mem);
        rc = 0;
    } else if (rc < 0) {
        store_take_error(mem, d);
    } else {
        rc = 1;
    }
out:
    bg_run_release(&run);
    bg_buf_release(&doc.buf);
    return rc;
}

/* Reads e[0..n) with one git cat-file --batch and imports each. */
static int import_batch(struct store_git *g, struct store *mem, const struct entry *e, size_t n,
                        int64_t first_id, struct bg_diag *d)
{
    char list[300];
    const char *argv[] = { "git", "cat-file", "--batch", NULL };
    struct bg_limbuf out = BG_LIMBUF_INIT((size_t)BATCH * MAX_BLOB);
    FILE *f;
    const char *p, *end;
    int rc = -1;

    snprintf(list, sizeof(list), "%s/objects", g->tmpdir);
    f = fopen(list, "w");
    if (f == NULL)
        return bg_fail_as(d, BG_FAULT_BROKEN, "git history: cannot write '%s': %s", list,
                          strerror(errno));
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s\n", e[i].sha);
    if (fclose(f) != 0)
        return bg_fail_as(d, BG_FAULT_BROKEN, "git history: cannot write '%s'", list);
    if (git(argv, NULL, list, &out, GIT_LOCAL_MS, d) != 0)
        goto out;
    p = out.buf.data;
    end = p + out.buf.len;
    for (size_t i = 0; i < n; i++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *sp;
        char *num_end;
        unsigned long long size;

        /* "<object> blob <size>\n<bytes>\n" */
        if (nl == NULL || (sp = memchr(p, ' ', (size_t)(nl - p))) == NULL ||
            (size_t)(sp - p) != strlen(e[i].sha) || memcmp(p, e[i].sha, (size_t)(sp - p)) != 0 ||
            strncmp(sp, " blob ", 6) != 0) {
            bg_fail_as(d, BG_FAULT_BROKEN, "git history: git cat-file did not give %s (%s)",
                       e[i].path, e[i].sha);
            goto out;
        }
        errno = 0;
        size = strtoull(sp + 6, &num_end, 10);
        if (errno != 0 || num_end != nl || size > (unsigned long long)(end - nl - 1)) {
            bg_fail_as(d, BG_FAULT_BROKEN, "git history: a bad object header for %s",
                       e[i].path);
            goto out;
        }
        if (size > MAX_BLOB) {
            bg_warn("git history: skipped %s: larger than %u bytes compressed", e[i].path,
                    MAX_BLOB);
        } else if (import_one(mem, &e[i], first_id + (int64_t)i, nl + 1, (size_t)size, d) < 0) {
            goto out;
        }
        p = nl + 1 + size;
        if (p < end && *p == '\n')
            p++;
    }
    rc = 0;
out:
    unlink(list);
    bg_buf_release(&out.buf);
    return rc;
}

static void free_entries(struct entry *e, long n)
{
    for (long i = 0; i < n; i++)
        free(e[i].path);
    free(e);
}

static int make_tmpdir(struct store_git *g, struct bg_diag *d)
{
    const char *t = getenv("TMPDIR");

    snprintf(g->tmpdir, sizeof(g->tmpdir), "%s/benchgate-git.XXXXXX",
             t != NULL && t[0] == '/' && strlen(t) < 200 ? t : "/tmp");
    if (mkdtemp(g->tmpdir) == NULL) {
        g->tmpdir[0] = '\0';
        return bg_fail_as(d, BG_FAULT_BROKEN, "git history: cannot make a temporary folder: %s",
                          strerror(errno));
    }
    return 0;
}

/* After a lost race: 50 ms more per attempt and up to 255 ms at random. */
static void pause_a_little(int attempt)
{
    struct timespec pause;
    unsigned char jitter = 0;

    if (getrandom(&jitter, 1, 0) != 1)
        jitter = 128;
    pause.tv_sec = 0;
    pause.tv_nsec = (long)(50 + attempt * 50 + jitter) * 1000000L;
    if (pause.tv_nsec >= 1000000000L) {
        pause.tv_sec = pause.tv_nsec / 1000000000L;
        pause.tv_nsec %= 1000000000L;
    }
    nanosleep(&pause, NULL);
}

static int random_hex(char out[17])
{
    unsigned char raw[8];
    size_t got = 0;

    while (got < sizeof(raw)) {
        ssize_t r = getrandom(raw + got, sizeof(raw) - got, 0);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    for (size_t i = 0; i < sizeof(raw); i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    return 0;
}

void store_git_free(struct store_git *g)
{
    if (g == NULL)
        return;
    if (g->tmpdir[0] != '\0') {
        char p[300];

        snprintf(p, sizeof(p), "%s/index", g->tmpdir);
        unlink(p);
        snprintf(p, sizeof(p), "%s/run.json.gz", g->tmpdir);
        unlink(p);
        rmdir(g->tmpdir);
    }
    if (g->local_ref != NULL) {
        const char *argv[] = { "git", "update-ref", "-d", g->local_ref, NULL };
        struct bg_diag ignored = { 0 };

        git(argv, NULL, NULL, NULL, GIT_LOCAL_MS, &ignored);
    }
    free(g->branch);
    free(g->remote);
    free(g->local_ref);
    free(g);
}

int store_git_open(const char *branch, struct store *mem, struct store_git **out,
                   struct bg_diag *d)
{
    const char *remote = getenv("BENCHGATE_GIT_REMOTE");
    struct store_git *g;
    struct bg_buf ref = BG_BUF_INIT;
    struct entry *e = NULL;
    char tip[65], rnd[17];
    long n = 0;
    int found;

    *out = NULL;
    if (codec == NULL)
        return bg_fail(d, "git history: this program cannot read run documents");
    if (!branch_ok(branch))
        return bg_fail(d, "git history: '%.80s' is not a branch name benchgate accepts "
                       "(letters, digits, '-', '_', '.', '/')", branch);
    if (remote == NULL || remote[0] == '\0')
        remote = "origin";
    if (!remote_ok(remote))
        return bg_fail(d, "git history: BENCHGATE_GIT_REMOTE is not a remote name or URL");
    {
        const char *argv[] = { "git", "rev-parse", "--git-dir", NULL };
        struct bg_diag d2 = { 0 };

        if (git(argv, NULL, NULL, NULL, GIT_LOCAL_MS, &d2) != 0)
            return bg_fail(d, "git history: the current folder is not in a git repository "
                           "(run benchgate in the checkout): %s", d2.msg);
    }
    g = bg_xcalloc(1, sizeof(*g));
    g->branch = bg_xstrdup(branch);
    g->remote = bg_xstrdup(remote);
    if (random_hex(rnd) < 0) {
        bg_fail_as(d, BG_FAULT_BROKEN, "git history: no random bytes from the OS");
        goto fail;
    }
    /* a ref of this process's own: concurrent jobs in one clone never share one */
    bg_buf_addf(&ref, "refs/benchgate/tmp/%s", rnd);
    g->local_ref = bg_buf_detach(&ref, NULL);
    if (make_tmpdir(g, d) < 0)
        goto fail;
    for (int attempt = 0; (found = fetch(g, tip, d)) == -2 && attempt < 3; attempt++)
        pause_a_little(attempt);
    if (found < 0)
        goto fail;
    if (found == 0) {
        bg_warn("git history: branch '%s' of '%s' does not exist yet: no history (collect on "
                "the base branch creates it)", branch, remote);
        *out = g;
        return 0;
    }
    n = list_runs(tip, &e, d);
    if (n < 0)
        goto fail;
    for (long i = 0; i < n; i += BATCH) {
        size_t k = (size_t)(n - i) < BATCH ? (size_t)(n - i) : BATCH;

        if (import_batch(g, mem, e + i, k, (int64_t)i + 1, d) < 0)
            goto fail;
    }
    free_entries(e, n);
    *out = g;
    return 0;
fail:
    free_entries(e, n);
    store_git_free(g);
    if (d != NULL)
        d->fault = d->fault == BG_FAULT_INPUT ? BG_FAULT_INPUT : BG_FAULT_BROKEN;
    return -1;
}

/* One attempt: the file onto the branch's tip as fetched now, then push.
 * 1 pushed, 0 lost a race (or the push failed: try again), -1 with d. */
static int append_once(struct store_git *g, const char *blob, const char *path,
                       const char *message, struct bg_diag *d)
{
    char tip[65], tree[65], commit[65], index_env[320];
    const char *env[] = { index_env, "GIT_AUTHOR_NAME=benchgate",
                          "GIT_AUTHOR_EMAIL=benchgate@users.noreply.github.com",
                          "GIT_COMMITTER_NAME=benchgate",
                          "GIT_COMMITTER_EMAIL=benchgate@users.noreply.github.com", NULL };
    struct bg_limbuf out = BG_LIMBUF_INIT(4096);
    struct bg_buf cacheinfo = BG_BUF_INIT, refspec = BG_BUF_INIT;
    int found, rc = -1;

    snprintf(index_env, sizeof(index_env), "GIT_INDEX_FILE=%s/index", g->tmpdir);
    index_env[sizeof(index_env) - 1] = '\0';
    found = fetch(g, tip, d);
    if (found < 0) {
        rc = found == -2 ? 0 : -1;
        goto out;
    }
    {
        const char *with[] = { "git", "read-tree", tip, NULL };
        const char *empty[] = { "git", "read-tree", "--empty", NULL };

        if (git(found ? with : empty, env, NULL, NULL, GIT_LOCAL_MS, d) != 0)
            goto out;
    }
    bg_buf_addf(&cacheinfo, "100644,%s,%s", blob, path);
    {
        const char *argv[] = { "git", "update-index", "--add", "--cacheinfo", cacheinfo.data,
                               NULL };

        if (git(argv, env, NULL, NULL, GIT_LOCAL_MS, d) != 0)
            goto out;
    }
    {
        const char *argv[] = { "git", "write-tree", NULL };

        if (git(argv, env, NULL, &out, GIT_LOCAL_MS, d) != 0 || !one_sha(&out, tree))
            goto out;
    }
    bg_buf_reset(&out.buf);
    {
        const char *with[] = { "git", "commit-tree", tree, "-p", tip, "-m", message, NULL };
        const char *root[] = { "git", "commit-tree", tree, "-m", message, NULL };

        if (git(found ? with : root, env, NULL, &out, GIT_LOCAL_MS, d) != 0 ||
            !one_sha(&out, commit))
            goto out;
    }
    bg_buf_addf(&refspec, "%s:refs/heads/%s", commit, g->branch);
    {
        const char *argv[] = { "git", "push", "--quiet", "--no-verify", g->remote, refspec.data,
                               NULL };

        /* a rejected push (someone else's run landed first) and a failed one
         * look alike from here: both are tried again on a fresh tip */
        rc = git(argv, NULL, NULL, NULL, GIT_REMOTE_MS, d) == 0 ? 1 : 0;
    }
out:
    bg_buf_release(&out.buf);
    bg_buf_release(&cacheinfo);
    bg_buf_release(&refspec);
    return rc;
}

int store_git_append(struct store_git *g, const struct bg_run *run, struct bg_diag *d)
{
    struct bg_buf doc = BG_BUF_INIT, gz = BG_BUF_INIT, path = BG_BUF_INIT, msg = BG_BUF_INIT;
    struct bg_limbuf out = BG_LIMBUF_INIT(4096);
    char file[300] = "", rnd[17], blob[65], month[16];
    time_t t = (time_t)run->timestamp;
    struct tm tm;
    FILE *f;
    int rc = -1;

    if (random_hex(rnd) < 0)
        return bg_fail_as(d, BG_FAULT_BROKEN, "git history: no random bytes from the OS");
    gmtime_r(&t, &tm);
    strftime(month, sizeof(month), "%Y-%m", &tm);
    bg_buf_addf(&path, "runs/%s/%" PRId64 "-%.12s-%s.json.gz", month, run->timestamp,
                run->commit != NULL ? run->commit : "0", rnd);
    codec->write(run, &doc);
    if (bg_gzip(doc.data, doc.len, &gz, d) < 0)
        goto out;
    snprintf(file, sizeof(file), "%s/run.json.gz", g->tmpdir);
    f = fopen(file, "wb");
    if (f == NULL || fwrite(gz.data, 1, gz.len, f) != gz.len || fclose(f) != 0) {
        if (f != NULL)
            fclose(f);
        bg_fail_as(d, BG_FAULT_BROKEN, "git history: cannot write '%s'", file);
        goto out;
    }
    {
        const char *argv[] = { "git", "hash-object", "-w", "--stdin", NULL };

        if (git(argv, NULL, file, &out, GIT_LOCAL_MS, d) != 0 || !one_sha(&out, blob))
            goto out;
    }
    bg_buf_addf(&msg, "benchgate: run of %s on %s%s%.12s\n\n%s\n", run->project, run->branch,
                run->commit != NULL ? " at " : "", run->commit != NULL ? run->commit : "",
                path.data);
    for (int attempt = 1;; attempt++) {
        int r = append_once(g, blob, path.data, msg.data, d);

        if (r != 0) {
            rc = r > 0 ? 0 : -1;
            break;
        }
        if (attempt == PUSH_TRIES) {
            bg_fail_as(d, BG_FAULT_BROKEN, "git history: could not push to branch '%s' of '%s' "
                       "after %d tries (is the job allowed to push: 'permissions: contents: "
                       "write'?): %s", g->branch, g->remote, PUSH_TRIES, d->msg);
            break;
        }
        /* lost a race: back off a little, randomly, and make the commit again */
        pause_a_little(attempt);
    }
out:
    if (file[0] != '\0')
        unlink(file);
    bg_buf_release(&out.buf);
    bg_buf_release(&doc);
    bg_buf_release(&gz);
    bg_buf_release(&path);
    bg_buf_release(&msg);
    return rc;
}
