/* cli.c: what the command entry points share (see cli.h). */
#include "core/bg.h"
#include "core/cli.h"
#include "core/model.h"
#include "core/store.h"

const char *bg_default_db(void)
{
    const char *db = getenv("BENCHGATE_DB");

    return db != NULL && *db != '\0' ? db : "benchgate.db";
}

int bg_cmd_fail(const struct bg_diag *d)
{
    if (d->msg[0] != '\0')
        bg_error("%s", d->msg);
    return d->fault == BG_FAULT_BROKEN ? BG_EXIT_STORE : BG_EXIT_USAGE;
}

int bg_store_open(const char *locator, bool create, struct store **out)
{
    struct bg_diag d = { 0 };

    if (store_open(locator, create, out, &d) == 0)
        return 0;
    return bg_cmd_fail(&d);
}

int bg_store_close(struct store *st, int rc)
{
    struct bg_diag d = { 0 };

    if (st == NULL)
        return rc;
    if (rc == BG_EXIT_STORE && store_errmsg(st)[0] != '\0')
        bg_error("%s", store_errmsg(st));
    if (store_close(st, &d) < 0) {
        bg_error("%s", d.msg);
        return rc == BG_EXIT_PASS ? BG_EXIT_STORE : rc;
    }
    return rc;
}

int bg_usage_error(const char *cmd, const char *fmt, ...)
{
    char msg[BG_DIAG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fprintf(stderr, "benchgate %s: error: %s\nTry 'benchgate %s --help'.\n", cmd, msg, cmd);
    return BG_EXIT_USAGE;
}

enum bg_parse bg_cmd_parse(const struct bg_command *cmd, int argc, char **argv, void *opts,
                           char ***args, int *n_args)
{
    struct bg_diag d = { 0 };
    enum bg_parse p = bg_opt_parse(cmd, argc, argv, opts, args, n_args, &d);

    if (p == BG_PARSE_HELP)
        bg_opt_usage(stdout, cmd, opts);
    else if (p == BG_PARSE_BAD)
        bg_usage_error(cmd->name, "%s", d.msg);
    return p;
}

int bg_parse_exit(enum bg_parse p)
{
    return p == BG_PARSE_HELP ? bg_finish_output(BG_EXIT_PASS) : BG_EXIT_USAGE;
}

int bg_finish_output(int rc)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        bg_error("cannot write to standard output: %s", strerror(errno));
        return rc == BG_EXIT_PASS ? BG_EXIT_USAGE : rc;
    }
    return rc;
}
