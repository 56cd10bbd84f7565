/*
 * token.c: upload tokens (see token.h), and `benchgate token`, which works
 * on the database directly: whoever can write the database file is already
 * trusted with everything in it.
 */
#include "core/bg.h"
#include "server/token.h"
#include "core/cli.h"
#include "core/env.h"

#include <nettle/base64.h>
#include <nettle/memops.h>
#include <nettle/sha2.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

static void hex(const unsigned char *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

const char *token_from_header(const char *header, char buf[TOKEN_LEN + 1])
{
    struct base64_decode_ctx ctx;
    uint8_t plain[4 * TOKEN_LEN];
    size_t len = sizeof(plain);
    const char *colon;

    if (header == NULL)
        return NULL;
    if (strncasecmp(header, "Bearer ", 7) == 0)
        return header + 7 + strspn(header + 7, " ");
    if (strncasecmp(header, "Basic ", 6) != 0)
        return NULL;
    header += 6 + strspn(header + 6, " ");
    base64_decode_init(&ctx);
    if (BASE64_DECODE_LENGTH(strlen(header)) >= sizeof(plain) ||
        !base64_decode_update(&ctx, &len, plain, strlen(header), header) ||
        !base64_decode_final(&ctx))
        return NULL;
    colon = memchr(plain, ':', len);
    if (colon == NULL || len - (size_t)(colon + 1 - (const char *)plain) > TOKEN_LEN)
        return NULL;
    len -= (size_t)(colon + 1 - (const char *)plain);
    memcpy(buf, colon + 1, len);
    buf[len] = '\0';
    return buf;
}

static bool all_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    }
    return true;
}

static void sha256(const char *s, size_t n, unsigned char out[STORE_TOKEN_HASH])
{
    struct sha256_ctx ctx;

    sha256_init(&ctx);
    sha256_update(&ctx, n, (const uint8_t *)s);
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
}

/* getrandom() may return fewer bytes than asked, or be interrupted. */
static int os_random(unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);

        if (got < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += got;
        n -= (size_t)got;
    }
    return 0;
}

int token_generate(char out[TOKEN_LEN + 1], char id[TOKEN_ID_LEN + 1],
                   unsigned char hash[STORE_TOKEN_HASH])
{
    unsigned char raw[TOKEN_ID_LEN / 2 + TOKEN_SECRET_LEN / 2];
    char secret[TOKEN_SECRET_LEN + 1];

    if (os_random(raw, sizeof(raw)) < 0)
        return -1;
    hex(raw, TOKEN_ID_LEN / 2, id);
    hex(raw + TOKEN_ID_LEN / 2, TOKEN_SECRET_LEN / 2, secret);
    snprintf(out, TOKEN_LEN + 1, "bg_%s_%s", id, secret);
    sha256(secret, TOKEN_SECRET_LEN, hash);
    memset(raw, 0, sizeof(raw));
    memset(secret, 0, sizeof(secret));
    return 0;
}

int token_parse(const char *token, char id[TOKEN_ID_LEN + 1], unsigned char hash[STORE_TOKEN_HASH])
{
    const char *secret = token + 3 + TOKEN_ID_LEN + 1;

    if (strnlen(token, TOKEN_LEN + 1) != TOKEN_LEN || strncmp(token, "bg_", 3) != 0 ||
        token[3 + TOKEN_ID_LEN] != '_' || !all_hex(token + 3, TOKEN_ID_LEN) ||
        !all_hex(secret, TOKEN_SECRET_LEN))
        return -1;
    memcpy(id, token + 3, TOKEN_ID_LEN);
    id[TOKEN_ID_LEN] = '\0';
    sha256(secret, TOKEN_SECRET_LEN, hash);
    return 0;
}

enum token_check token_check(struct store *st, const char *token, const char *project,
                             char owner[BG_NAME_MAX + 1])
{
    unsigned char presented[STORE_TOKEN_HASH], stored[STORE_TOKEN_HASH];
    char id[TOKEN_ID_LEN + 1], proj[BG_NAME_MAX + 1];
    bool revoked = false;
    int found;

    if (token == NULL || *token == '\0')
        return TOKEN_MISSING;
    if (token_parse(token, id, presented) < 0)
        return TOKEN_INVALID;
    found = store_token_find(st, id, proj, stored, &revoked);
    if (found < 0)
        return TOKEN_STORE_ERROR;
    /* the id is public; the secret's hash is what must match, in constant time */
    if (found == 0 || !memeql_sec(presented, stored, STORE_TOKEN_HASH))
        return TOKEN_INVALID;
    if (revoked)
        return TOKEN_REVOKED;
    if (project != NULL && strcmp(project, proj) != 0)
        return TOKEN_OTHER_PROJECT;
    if (owner != NULL)
        memcpy(owner, proj, strlen(proj) + 1);
    return TOKEN_OK;
}

/* ---- benchgate token ---- */

struct token_opts {
    const char *db, *project, *name;
};

static const struct bg_opt options[] = {
    BG_OPT_DB(struct token_opts, db),
    BG_OPT_PROJECT(struct token_opts, project),
    { "name", 0, "TEXT", BG_OPT_NAME, offsetof(struct token_opts, name),
      .help = "with create: what the token is for, shown by list" },
};

static const struct bg_command command = {
    "token", "create [--name TEXT] [options]\nlist [options]\nrevoke ID [options]",
    "Manage the tokens that let a project upload to 'benchgate serve'. Works on\n"
    "the server's database file directly. 'create' prints the new token alone on\n"
    "its last line; it is shown once and only its hash is kept. A token can\n"
    "upload to its own project only.",
    options, ARRAY_SIZE(options),
    "Exit status: 0 done, 2 bad usage or no such token, 3 database error.\n",
};

static int token_create(struct store *st, const char *project, const char *name)
{
    char token[TOKEN_LEN + 1], id[TOKEN_ID_LEN + 1];
    unsigned char hash[STORE_TOKEN_HASH];

    if (token_generate(token, id, hash) < 0) {
        bg_error("cannot get random bytes from the OS: %s", strerror(errno));
        return BG_EXIT_STORE;
    }
    if (store_token_add(st, project, id, hash, name) < 0)
        return BG_EXIT_STORE;
    printf("created token %s for project '%s'; it is shown only this once:\n%s\n", id, project,
           token);
    memset(token, 0, sizeof(token));
    return BG_EXIT_PASS;
}

static void date_of(int64_t ts, char *buf, size_t size)
{
    time_t t = (time_t)ts;
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL || strftime(buf, size, "%Y-%m-%d %H:%M", &tm) == 0)
        snprintf(buf, size, "%" PRId64, ts);
}

static int token_list(struct store *st, const char *project)
{
    struct store_token *t;
    int n = store_token_list(st, project, &t);

    if (n < 0)
        return BG_EXIT_STORE;
    if (n == 0)
        printf("no tokens for project '%s'\n", project);
    else
        printf("%-16s  %-16s  %-16s  %s\n", "ID", "CREATED (UTC)", "REVOKED (UTC)", "NAME");
    for (int i = 0; i < n; i++) {
        char created[32], revoked[32] = "-";

        date_of(t[i].created_at, created, sizeof(created));
        if (t[i].revoked_at != 0)
            date_of(t[i].revoked_at, revoked, sizeof(revoked));
        printf("%-16s  %-16s  %-16s  %s\n", t[i].id, created, revoked, t[i].name);
    }
    free(t);
    return BG_EXIT_PASS;
}

static int token_revoke(struct store *st, const char *project, const char *id)
{
    char plain[TOKEN_ID_LEN + 1];
    int done;

    /* a whole token names its id too; the id alone is the usual way */
    if (strncmp(id, "bg_", 3) == 0 && strlen(id) > 3 + TOKEN_ID_LEN)
        id += 3;
    if (strnlen(id, TOKEN_ID_LEN + 1) < TOKEN_ID_LEN || !all_hex(id, TOKEN_ID_LEN) ||
        (id[TOKEN_ID_LEN] != '\0' && id[TOKEN_ID_LEN] != '_'))
        return bg_usage_error("token", "'%.80s' is not a token id (16 hex digits)", id);
    memcpy(plain, id, TOKEN_ID_LEN);
    plain[TOKEN_ID_LEN] = '\0';
    done = store_token_revoke(st, project, plain);
    if (done < 0)
        return BG_EXIT_STORE;
    if (done == 0) {
        bg_error("project '%s' has no valid token %s", project, plain);
        return BG_EXIT_USAGE;
    }
    printf("revoked token %s of project '%s'\n", plain, project);
    return BG_EXIT_PASS;
}

int cmd_token(int argc, char **argv)
{
    struct token_opts o = { .db = bg_default_db() };
    const char *db, *project, *name, *verb;
    struct bg_context ctx;
    struct store *st = NULL;
    enum bg_parse p;
    char **args;
    int n, rc, want;

    p = bg_cmd_parse(&command, argc, argv, &o, &args, &n);
    if (p != BG_PARSE_OK)
        return bg_parse_exit(p);
    if (n == 0)
        return bg_usage_error("token", "expected create, list or revoke");
    verb = args[0];
    want = strcmp(verb, "revoke") == 0 ? 2 : 1;
    if ((strcmp(verb, "create") != 0 && strcmp(verb, "list") != 0 && want == 1) || n != want)
        return bg_usage_error("token", "expected 'create', 'list' or 'revoke ID'");
    db = o.db;
    project = o.project;
    name = o.name;
    if (name != NULL && strcmp(verb, "create") != 0)
        return bg_usage_error("token", "--name applies to create only");

    bg_context_detect(&ctx, project == NULL);
    if (project == NULL)
        project = ctx.project != NULL ? ctx.project : "default";
    rc = bg_store_open(db, strcmp(verb, "create") == 0, &st);
    if (rc != 0)
        goto out;
    if (strcmp(verb, "create") == 0)
        rc = token_create(st, project, name);
    else if (strcmp(verb, "list") == 0)
        rc = token_list(st, project);
    else
        rc = token_revoke(st, project, args[1]);
out:
    rc = bg_store_close(st, rc);
    bg_context_release(&ctx);
    return bg_finish_output(rc);
}
