/* cli.c: helpers shared by the command entry points. */
#include "core/bg.h"
#include "core/cli.h"
#include "core/model.h"

const char *bg_default_db(void)
{
    const char *db = getenv("BENCHGATE_DB");

    return db != NULL && *db != '\0' ? db : "benchgate.db";
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

int bg_name_flag(const char *cmd, const char *flag, const char *value, const char **out)
{
    const char *why = bg_name_problem(value);

    if (why != NULL)
        return bg_usage_error(cmd, "%s '%.80s' %s", flag, value, why);
    *out = value;
    return 0;
}

void bg_getopt_reset(void)
{
    optind = 0; /* glibc: 0 re-initialises completely */
    opterr = 0; /* we print our own message for unknown options */
}

int bg_finish_output(int rc)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        bg_error("cannot write to standard output: %s", strerror(errno));
        return rc == BG_EXIT_PASS ? BG_EXIT_USAGE : rc;
    }
    return rc;
}
