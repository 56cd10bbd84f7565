/*
 * opt.c: command lines parsed from an option table, and the --help text
 * made from the same table (see opt.h).
 *
 * Parsing is getopt_long's, so options behave as people expect from GNU
 * tools: --name=value or --name value, -tVALUE, options after arguments,
 * unambiguous abbreviations, "--" to end them.
 */
#include "core/bg.h"
#include "core/opt.h"
#include "core/model.h"
#include "core/num.h"

#include <getopt.h>

#define MAX_OPTS 48
#define HELP_VAL 1000 /* getopt_long's value for --help; table entries are 256 + i */
#define WIDTH 79      /* of the help text */

int bg_range_int(const struct bg_int_range *r, const char *text, int64_t *out,
                 struct bg_diag *d)
{
    const char *why;

    if (bg_parse_int64(text, r->lo, r->hi, out, &why) < 0)
        return bg_fail(d, "'%.64s': %s (%" PRId64 " to %" PRId64 ")", text, why, r->lo, r->hi);
    return 0;
}

int bg_range_real(const struct bg_real_range *r, const char *text, double *out,
                  struct bg_diag *d)
{
    const char *why;

    if (bg_parse_double(text, r->lo, r->hi, out, &why) < 0)
        return bg_fail(d, "'%.64s': %s (%g to %g)", text, why, r->lo, r->hi);
    return 0;
}

/* "a, b or c" */
static void choice_list(char *buf, size_t size, const char *const *choices)
{
    size_t len = 0, n = 0;

    while (choices[n] != NULL)
        n++;
    buf[0] = '\0';
    for (size_t i = 0; i < n && len < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s%s",
                                i == 0 ? "" : i + 1 == n ? " or " : ", ", choices[i]);
}

/* Checks value and stores it where o says; -1 with d ("--NAME ...") when it is bad. */
static int apply(const struct bg_opt *o, const char *value, void *opts, struct bg_diag *d)
{
    char *field = (char *)opts + o->offset;
    struct bg_diag why = { 0 };
    const char *problem;
    int64_t n;

    switch (o->kind) {
    case BG_OPT_FLAG:
        *(bool *)field = true;
        return 0;
    case BG_OPT_TEXT:
        if (*value == '\0')
            return bg_fail(d, "--%s: expected %s, got an empty value", o->name, o->arg);
        *(const char **)field = value;
        return 0;
    case BG_OPT_NAME:
        problem = bg_name_problem(value);
        if (problem != NULL)
            return bg_fail(d, "--%s '%.80s' %s", o->name, value, problem);
        *(const char **)field = value;
        return 0;
    case BG_OPT_INT:
    case BG_OPT_SIZE:
    case BG_OPT_UINT:
        if (bg_range_int(o->ints, value, &n, &why) < 0)
            return bg_fail(d, "--%s %s", o->name, why.msg);
        if (o->kind == BG_OPT_INT)
            *(int64_t *)field = n;
        else if (o->kind == BG_OPT_SIZE)
            *(size_t *)field = (size_t)n;
        else
            *(unsigned *)field = (unsigned)n;
        return 0;
    case BG_OPT_REAL:
        if (bg_range_real(o->reals, value, (double *)field, &why) < 0)
            return bg_fail(d, "--%s %s", o->name, why.msg);
        return 0;
    case BG_OPT_CHOICE:
        for (int i = 0; o->choices[i] != NULL; i++) {
            if (strcmp(value, o->choices[i]) == 0) {
                *(int *)field = i;
                return 0;
            }
        }
        {
            char list[256];

            choice_list(list, sizeof(list), o->choices);
            return bg_fail(d, "--%s '%.80s': expected %s", o->name, value, list);
        }
    case BG_OPT_CALL:
        if (o->call(opts, value, &why) < 0)
            return bg_fail(d, "--%s %s", o->name, why.msg);
        return 0;
    }
    return bg_fail(d, "--%s: an option of an unknown kind", o->name);
}

enum bg_parse bg_opt_parse(const struct bg_command *cmd, int argc, char **argv, void *opts,
                           char ***args, int *n_args, struct bg_diag *d)
{
    struct option longs[MAX_OPTS + 2];
    char shorts[2 * MAX_OPTS + 3];
    size_t ns = 0;
    int c;

    if (cmd->n_opts > MAX_OPTS)
        bg_die("command %s has more than %d options", cmd->name, MAX_OPTS);
    shorts[ns++] = 'h';
    for (size_t i = 0; i < cmd->n_opts; i++) {
        const struct bg_opt *o = &cmd->opts[i];

        longs[i] = (struct option){ o->name, o->kind == BG_OPT_FLAG ? no_argument
                                                                   : required_argument,
                                    NULL, 256 + (int)i };
        if (o->letter != 0) {
            shorts[ns++] = o->letter;
            if (o->kind != BG_OPT_FLAG)
                shorts[ns++] = ':';
        }
    }
    longs[cmd->n_opts] = (struct option){ "help", no_argument, NULL, HELP_VAL };
    longs[cmd->n_opts + 1] = (struct option){ NULL, 0, NULL, 0 };
    shorts[ns] = '\0';

    optind = 0; /* glibc: 0 re-initialises completely (commands may run twice in tests) */
    opterr = 0; /* the message is ours */
    while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        const struct bg_opt *o = NULL;

        if (c == 'h' || c == HELP_VAL)
            return BG_PARSE_HELP;
        if (c >= 256 && c < 256 + (int)cmd->n_opts)
            o = &cmd->opts[c - 256];
        for (size_t i = 0; o == NULL && c > 0 && c < 256 && i < cmd->n_opts; i++) {
            if (cmd->opts[i].letter == c)
                o = &cmd->opts[i];
        }
        if (o == NULL) {
            bg_fail(d, "unknown or incomplete option '%s'", argv[optind - 1]);
            return BG_PARSE_BAD;
        }
        if (apply(o, optarg, opts, d) < 0)
            return BG_PARSE_BAD;
    }
    *args = argv + optind;
    *n_args = argc - optind;
    return BG_PARSE_OK;
}

/* ---- --help ---- */

/* Writes text wrapped at WIDTH, its first line from column `at` (the
 * cursor is there), the others indented to `indent`. */
static void wrap(FILE *out, const char *text, size_t at, size_t indent)
{
    size_t col = at;
    bool first = true;

    while (*text != '\0') {
        size_t word = strcspn(text, " ");

        if (!first && col + 1 + word > WIDTH) {
            fprintf(out, "\n%*s", (int)indent, "");
            col = indent;
        } else if (!first) {
            fputc(' ', out);
            col++;
        }
        fwrite(text, 1, word, out);
        col += word;
        first = false;
        text += word;
        text += strspn(text, " ");
    }
    fputc('\n', out);
}

/* "-t, --threshold F" */
static void label(char *buf, size_t size, const struct bg_opt *o)
{
    char letter[8] = "";

    if (o->letter != 0)
        snprintf(letter, sizeof(letter), "-%c, ", o->letter);
    snprintf(buf, size, "%s--%s%s%s", letter, o->name, o->arg != NULL ? " " : "",
             o->arg != NULL ? o->arg : "");
}

/* The help of o with what the table knows appended: its range and default. */
static void help_text(char *buf, size_t size, const struct bg_opt *o, const void *opts)
{
    const char *field = (const char *)opts + o->offset;
    bool says_default = strstr(o->help, "default") != NULL;
    char dflt[64] = "", list[256];
    int64_t v = 0;

    switch (o->kind) {
    case BG_OPT_INT:
    case BG_OPT_SIZE:
    case BG_OPT_UINT:
        v = o->kind == BG_OPT_INT    ? *(const int64_t *)field
            : o->kind == BG_OPT_SIZE ? (int64_t) * (const size_t *)field
                                     : (int64_t) * (const unsigned *)field;
        if (!says_default)
            snprintf(dflt, sizeof(dflt), "default %" PRId64 "; ", v);
        snprintf(buf, size, "%s (%s%" PRId64 " to %" PRId64 ")", o->help, dflt, o->ints->lo,
                 o->ints->hi);
        return;
    case BG_OPT_REAL:
        if (!says_default)
            snprintf(dflt, sizeof(dflt), "default %g; ", *(const double *)field);
        snprintf(buf, size, "%s (%s%g to %g)", o->help, dflt, o->reals->lo, o->reals->hi);
        return;
    case BG_OPT_CHOICE:
        choice_list(list, sizeof(list), o->choices);
        snprintf(buf, size, "%s (%s; default %s)", o->help, list, o->choices[*(const int *)field]);
        return;
    default:
        snprintf(buf, size, "%s", o->help);
        return;
    }
}

void bg_opt_usage(FILE *out, const struct bg_command *cmd, const void *opts)
{
    static const struct bg_opt help = { "help", 'h', NULL, BG_OPT_FLAG, 0,
                                        .help = "show this help" };
    size_t col = 0;
    char lab[96], text[1024];
    const char *form = cmd->synopsis;

    for (bool first = true; *form != '\0' || first; first = false) {
        size_t n = strcspn(form, "\n");

        fprintf(out, "%s benchgate %s %.*s\n", first ? "usage:" : "      ", cmd->name, (int)n,
                form);
        form += n + (form[n] == '\n');
    }
    fprintf(out, "\n%s\n\n", cmd->about);
    for (size_t i = 0; i < cmd->n_opts; i++) {
        label(lab, sizeof(lab), &cmd->opts[i]);
        if (strlen(lab) > col)
            col = strlen(lab);
    }
    col = col > 22 ? 26 : col + 4; /* a long label puts its help on the next line */
    for (size_t i = 0; i <= cmd->n_opts; i++) {
        const struct bg_opt *o = i < cmd->n_opts ? &cmd->opts[i] : &help;

        label(lab, sizeof(lab), o);
        help_text(text, sizeof(text), o, opts);
        if (strlen(lab) + 4 > col)
            fprintf(out, "  %s\n%*s", lab, (int)col, "");
        else
            fprintf(out, "  %-*s", (int)col - 2, lab);
        wrap(out, text, col, col);
    }
    if (cmd->more != NULL)
        fprintf(out, "\n%s", cmd->more);
}
