/*
 * copy.c: `benchgate copy --from LOCATOR --to LOCATOR`: every run (with its
 * samples, or the summaries a prune left), pin and token of one store into
 * another, whichever engines they are, so that outgrowing one SQLite file
 * never means collecting history again.
 *
 * Run ids are kept, so links to runs (a pull request comment, a dashboard
 * bookmark) stay valid. Each run is its own transaction, oldest id first:
 * a copy that stops half-way leaves whole runs only, and running it again
 * resumes it, checking each run already there against the source. At the
 * end both stores are counted and checksummed: the SHA-256 of every run as
 * its run document (what `collect --output json` prints), every pin and
 * every token, read back from each store; the copy succeeds only when they
 * agree.
 */
#include "core/bg.h"
#include "collector/formats.h"
#include "core/cli.h"
#include "core/store.h"

#include <nettle/sha2.h>

struct copy_opts {
    const char *from, *to;
    bool verify_only, quiet;
};

#define OPT(field) offsetof(struct copy_opts, field)

static const struct bg_opt options[] = {
    { "from", 0, "LOCATOR", BG_OPT_TEXT, OPT(from),
      .help = "the store to read: a path, sqlite:PATH or postgres://..." },
    { "to", 0, "LOCATOR", BG_OPT_TEXT, OPT(to),
      .help = "the store to write, created when missing: empty, or holding an earlier copy of "
              "--from that stopped half-way" },
    { "verify", 0, NULL, BG_OPT_FLAG, OPT(verify_only),
      .help = "copy nothing: only count and checksum both stores" },
    { "quiet", 'q', NULL, BG_OPT_FLAG, OPT(quiet), .help = "print nothing but errors" },
};

static const struct bg_command command = {
    "copy", "--from LOCATOR --to LOCATOR [options]",
    "Copy every run (samples and summaries), baseline pin and token from one store\n"
    "to another, keeping run ids; for example from a SQLite file to PostgreSQL:\n"
    "  benchgate copy --from sqlite:benchgate.db --to postgres://bg@db.example/bench\n"
    "Each run is copied in one transaction; an interrupted copy is resumed by\n"
    "running it again. Both stores are then counted and checksummed (every run's\n"
    "document, every pin and token) and must agree.",
    options, ARRAY_SIZE(options),
    "Exit status: 0 copied and verified, 2 bad usage or a destination that holds\n"
    "other data, 3 a store failed or the stores differ after the copy.\n",
};

/* Runs per page of ids. */
#define PAGE 500

struct tally {
    int64_t copied, present;
    struct store_counts counts;
    char digest[2 * SHA256_DIGEST_SIZE + 1];
};

/* A run's canonical form, its run document; hashed into h when not NULL. */
static void run_document(const struct bg_run *run, struct bg_buf *doc, struct sha256_ctx *h)
{
    bg_buf_reset(doc);
    bg_run_write_json(run, doc);
    if (h != NULL)
        sha256_update(h, doc->len, (const uint8_t *)doc->data);
}

static void hex_digest(struct sha256_ctx *h, char out[2 * SHA256_DIGEST_SIZE + 1])
{
    uint8_t d[SHA256_DIGEST_SIZE];

    sha256_digest(h, sizeof(d), d);
    for (size_t i = 0; i < sizeof(d); i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* Pins and tokens into the checksum, in the stores' own (byte) order. */
static int hash_pins_tokens(struct store *st, struct sha256_ctx *h)
{
    struct store_pin *pins = NULL;
    struct store_token_record *toks = NULL;
    struct bg_buf b = BG_BUF_INIT;
    int np = store_pin_list(st, &pins);
    int nt = np < 0 ? -1 : store_token_export(st, &toks);

    for (int i = 0; i < np; i++)
        bg_buf_addf(&b, "pin\t%s\t%s\t%" PRId64 "\t%" PRId64 "\n", pins[i].project,
                    pins[i].branch, pins[i].run_id, pins[i].pinned_at);
    for (int i = 0; i < nt; i++) {
        bg_buf_addf(&b, "token\t%s\t%s\t%s\t%" PRId64 "\t%" PRId64 "\t", toks[i].project,
                    toks[i].token.id, toks[i].token.name, toks[i].token.created_at,
                    toks[i].token.revoked_at);
        for (size_t k = 0; k < STORE_TOKEN_HASH; k++)
            bg_buf_addf(&b, "%02x", toks[i].hash[k]);
        bg_buf_adds(&b, "\n");
    }
    sha256_update(h, b.len, (const uint8_t *)b.data);
    bg_buf_release(&b);
    free(pins);
    free(toks);
    return np < 0 || nt < 0 ? -1 : 0;
}

/* The checksum of a whole store: every run's document by id, pins, tokens. */
static int checksum(struct store *st, struct tally *t)
{
    struct sha256_ctx h;
    struct bg_buf doc = BG_BUF_INIT;
    int64_t after = 0, *ids = NULL;
    int n, rc = -1;

    sha256_init(&h);
    do {
        n = store_run_ids(st, after, PAGE, &ids);
        for (int i = 0; i < n; i++) {
            struct bg_run run;
            int found;

            bg_run_init(&run);
            found = store_load_run(st, ids[i], &run);
            if (found == 1)
                run_document(&run, &doc, &h);
            bg_run_release(&run);
            if (found != 1)
                goto out;
            after = ids[i];
        }
        free(ids);
        ids = NULL;
    } while (n == PAGE);
    if (n < 0 || hash_pins_tokens(st, &h) < 0 || store_counts(st, &t->counts) < 0)
        goto out;
    hex_digest(&h, t->digest);
    rc = 0;
out:
    free(ids);
    bg_buf_release(&doc);
    return rc;
}

/* Every run of dst must be one of src's (an earlier, interrupted copy):
 * a destination with other runs is refused before anything is written. */
static int check_destination(struct store *src, struct store *dst)
{
    int64_t after = 0, *ids = NULL;
    int n;

    do {
        n = store_run_ids(dst, after, PAGE, &ids);
        for (int i = 0; i < n; i++) {
            struct bg_run run;
            int found;

            bg_run_init(&run);
            found = store_load_run_summary(src, ids[i], &run);
            bg_run_release(&run);
            if (found < 0)
                goto fail;
            if (found == 0) {
                bg_error("the destination '%s' holds run %" PRId64 ", which '%s' has not: "
                         "copy into an empty store", store_name(dst), ids[i],
                         store_name(src));
                free(ids);
                return BG_EXIT_USAGE;
            }
            after = ids[i];
        }
        free(ids);
        ids = NULL;
    } while (n == PAGE);
    return n < 0 ? BG_EXIT_STORE : 0;
fail:
    free(ids);
    return BG_EXIT_STORE;
}

/* One run: copied, or (already there) checked against the source. */
static int copy_run(struct store *src, struct store *dst, int64_t id, struct bg_buf *a,
                    struct bg_buf *b, struct tally *t)
{
    struct bg_run run, there;
    int found, rc = BG_EXIT_STORE;

    bg_run_init(&run);
    bg_run_init(&there);
    if (store_load_run(src, id, &run) != 1)
        goto out;
    found = store_load_run(dst, id, &there);
    if (found < 0)
        goto out;
    if (found == 1) {
        run_document(&run, a, NULL);
        run_document(&there, b, NULL);
        if (a->len != b->len || memcmp(a->data, b->data, a->len) != 0) {
            bg_error("run %" PRId64 " in '%s' differs from the same run in '%s': copy into an "
                     "empty store", id, store_name(dst), store_name(src));
            rc = BG_EXIT_USAGE;
            goto out;
        }
        t->present++;
        rc = 0;
        goto out;
    }
    found = store_import_run(dst, &run);
    if (found == STORE_REJECTED) {
        bg_error("%s", store_errmsg(dst));
        rc = BG_EXIT_USAGE;
        goto out;
    }
    if (found == 0) {
        t->copied++;
        rc = 0;
    }
out:
    bg_run_release(&run);
    bg_run_release(&there);
    return rc;
}

static int copy_pins_tokens(struct store *src, struct store *dst, int *n_pins, int *n_tokens)
{
    struct store_pin *pins = NULL;
    struct store_token_record *toks = NULL;
    int rc = BG_EXIT_STORE;

    *n_pins = store_pin_list(src, &pins);
    *n_tokens = *n_pins < 0 ? -1 : store_token_export(src, &toks);
    if (*n_tokens < 0)
        goto out;
    for (int i = 0; i < *n_pins; i++) {
        int r = store_pin_import(dst, &pins[i]);

        if (r != 0) {
            if (r == STORE_REJECTED)
                bg_error("%s", store_errmsg(dst));
            rc = r == STORE_REJECTED ? BG_EXIT_USAGE : BG_EXIT_STORE;
            goto out;
        }
    }
    for (int i = 0; i < *n_tokens; i++) {
        int r = store_token_import(dst, &toks[i]);

        if (r < 0) {
            if (r == STORE_REJECTED)
                bg_error("%s", store_errmsg(dst));
            rc = r == STORE_REJECTED ? BG_EXIT_USAGE : BG_EXIT_STORE;
            goto out;
        }
    }
    rc = 0;
out:
    free(pins);
    free(toks);
    return rc;
}

static void print_counts(const char *what, const struct tally *t)
{
    const struct store_counts *c = &t->counts;

    printf("%s: %" PRId64 " projects, %" PRId64 " runs, %" PRId64 " results (%" PRId64
           " pruned), %" PRId64 " samples, %" PRId64 " pins, %" PRId64 " tokens; sha256 %s\n",
           what, c->projects, c->runs, c->results, c->pruned, c->samples, c->pins, c->tokens,
           t->digest);
}

static int copy(struct store *src, struct store *dst, const struct copy_opts *o)
{
    struct bg_buf a = BG_BUF_INIT, b = BG_BUF_INIT;
    struct tally from = { 0 }, to = { 0 };
    int64_t after = 0, *ids = NULL;
    int n, rc, n_pins = 0, n_tokens = 0;

    if (!o->verify_only) {
        rc = check_destination(src, dst);
        if (rc != 0)
            return rc;
        do {
            n = store_run_ids(src, after, PAGE, &ids);
            for (int i = 0; i < n; i++) {
                rc = copy_run(src, dst, ids[i], &a, &b, &from);
                if (rc != 0)
                    goto out;
                after = ids[i];
            }
            free(ids);
            ids = NULL;
            if (n > 0 && !o->quiet)
                fprintf(stderr, "benchgate copy: %" PRId64 " runs copied, %" PRId64
                        " were there already\n", from.copied, from.present);
        } while (n == PAGE);
        rc = BG_EXIT_STORE;
        if (n < 0)
            goto out;
        rc = copy_pins_tokens(src, dst, &n_pins, &n_tokens);
        if (rc != 0)
            goto out;
    }
    rc = BG_EXIT_STORE;
    if (checksum(src, &from) < 0 || checksum(dst, &to) < 0)
        goto out;
    if (!o->quiet) {
        if (!o->verify_only)
            printf("copied %" PRId64 " runs (%" PRId64 " were there already), %d pins and %d "
                   "tokens from '%s' to '%s'\n", from.copied, from.present, n_pins, n_tokens,
                   store_name(src), store_name(dst));
        print_counts("from", &from);
        print_counts("to  ", &to);
    }
    if (memcmp(&from.counts, &to.counts, sizeof(from.counts)) != 0 ||
        strcmp(from.digest, to.digest) != 0) {
        bg_error("the stores differ: '%s' and '%s' do not hold the same runs, pins and tokens",
                 store_name(src), store_name(dst));
        goto out;
    }
    rc = BG_EXIT_PASS;
    if (!o->quiet)
        printf("verified: both stores hold the same data\n");
out:
    free(ids);
    bg_buf_release(&a);
    bg_buf_release(&b);
    return rc;
}

int cmd_copy(int argc, char **argv)
{
    struct copy_opts o = { 0 };
    struct store *src = NULL, *dst = NULL;
    enum bg_parse p;
    char **args;
    int rc, n;

    p = bg_cmd_parse(&command, argc, argv, &o, &args, &n);
    if (p != BG_PARSE_OK)
        return bg_parse_exit(p);
    if (n > 0)
        return bg_usage_error("copy", "unexpected argument '%s'", args[0]);
    if (o.from == NULL || o.to == NULL)
        return bg_usage_error("copy", "give both --from and --to");
    if (strcmp(o.from, o.to) == 0)
        return bg_usage_error("copy", "--from and --to name the same store");
    rc = bg_store_open(o.from, false, &src);
    if (rc == 0)
        rc = bg_store_open(o.to, !o.verify_only, &dst);
    if (rc == 0)
        rc = copy(src, dst, &o);
    /* a failure is in one of the two stores: each prints its own */
    rc = bg_store_close(dst, rc);
    rc = bg_store_close(src, rc);
    return bg_finish_output(rc);
}
