/*
 * main.c: benchgate's entry point: a table of commands and nothing else.
 *
 * Each command lives with its concern (collect in collector/, check in
 * gate/, serve in server/) and returns an exit status from enum bg_exit.
 */
#include "core/bg.h"
#include "core/cli.h"
#include "core/store.h"
#include "core/store_git.h"
#include "collector/collect.h"
#include "collector/formats.h"

struct bg_cmd {
    const char *name;
    bg_cmd_fn *run;
    const char *summary;
};

static const struct bg_cmd commands[] = {
    { "collect", cmd_collect, "parse benchmark output and store it as a run" },
    { "check", cmd_check, "compare the newest run with its baseline; exit 1 on a regression" },
    { "comment", cmd_comment, "post the report to the pull request, or update the earlier one" },
    { "compare", cmd_compare, "compare runs made on one machine, old against new" },
    { "ab", cmd_ab, "benchmark base and head in one job, round by round; exit 1 if slower" },
    { "baseline", cmd_baseline, "pin, show or clear the baseline run that check uses" },
    { "history", cmd_history, "a benchmark's p95 over time, as text or JSON" },
    { "serve", cmd_serve, "serve the JSON API and take uploads from CI" },
    { "publish", cmd_publish, "write the dashboards as static HTML and SVG (GitHub Pages)" },
    { "token", cmd_token, "create, list or revoke a project's upload tokens" },
    { "copy", cmd_copy, "copy every run, pin and token to another store, and verify" },
    { "prune", cmd_prune, "drop old runs' raw samples, keeping their summaries" },
};

static void print_help(FILE *out)
{
    fputs("usage: benchgate <command> [options]\n"
          "       benchgate help [<command>]\n"
          "       benchgate --version\n"
          "\n"
          "benchgate turns benchmark results into a regression gate for CI.\n"
          "\n"
          "Commands:\n",
          out);
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\n"
          "Run 'benchgate <command> --help' for a command's options.\n"
          "\n"
          "Exit status:\n"
          "  0  ok: stored, or no regression\n"
          "  1  a benchmark regressed (the only status that means 'slower')\n"
          "  2  bad usage or bad input; nothing was stored\n"
          "  3  the database (or server) is unreachable or failed\n",
          out);
}

static const struct bg_cmd *find_command(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    }
    return NULL;
}

/* The git history stores run documents, whose format is the collector's. */
static const struct store_git_codec run_documents = { bg_run_write_json, collect_read_document };

int main(int argc, char **argv)
{
    const struct bg_cmd *cmd;

    store_git_set_codec(&run_documents);
    if (argc < 2) {
        print_help(stderr);
        return BG_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("benchgate %s (store schemas: sqlite %d, postgres %d)\n", BG_VERSION,
               store_schema_version("sqlite"), store_schema_version("postgres"));
        return bg_finish_output(BG_EXIT_PASS);
    }
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        if (argc > 2) {
            char help[] = "--help";
            char *sub[] = { argv[2], help, NULL };

            cmd = find_command(argv[2]);
            if (cmd == NULL) {
                bg_error("unknown command '%s'; see 'benchgate help'", argv[2]);
                return BG_EXIT_USAGE;
            }
            return cmd->run(2, sub);
        }
        print_help(stdout);
        return bg_finish_output(BG_EXIT_PASS);
    }
    cmd = find_command(argv[1]);
    if (cmd == NULL) {
        bg_error("unknown command '%s'; see 'benchgate help'", argv[1]);
        return BG_EXIT_USAGE;
    }
    return cmd->run(argc - 1, argv + 1);
}
