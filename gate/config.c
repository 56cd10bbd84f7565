/* config.c: reading benchgate.json and matching its rules to benchmarks. */
#include "core/bg.h"
#include "gate/config.h"
#include "core/buf.h"
#include "core/json.h"

#include <fnmatch.h>
#include <math.h>
#include <unistd.h>

static int rule_string(const cJSON *item, const char *path, const char *at, char **out,
                       struct bg_diag *d)
{
    const char *s, *why;

    if (bg_json_string(item, path, at, &s, d) < 0)
        return -1;
    why = bg_name_problem(s);
    if (why != NULL)
        return bg_fail(d, "%s: %s: %s", path, at, why);
    *out = bg_xstrdup(s);
    return 0;
}

static int parse_rule(const cJSON *obj, const char *path, size_t i, struct gate_rule *r,
                      struct bg_diag *d)
{
    const cJSON *item;
    char at[96];

    r->threshold = NAN;
    r->direction = -1;
    snprintf(at, sizeof(at), "benchmarks[%zu]", i);
    if (bg_json_want(obj, cJSON_Object, path, at, d) < 0)
        return -1;
    cJSON_ArrayForEach(item, obj) {
        const char *key = item->string;

        snprintf(at, sizeof(at), "benchmarks[%zu].%.32s", i, key);
        if (strcmp(key, "name") == 0) {
            if (rule_string(item, path, at, &r->name, d) < 0)
                return -1;
        } else if (strcmp(key, "metric") == 0) {
            if (rule_string(item, path, at, &r->metric, d) < 0)
                return -1;
        } else if (strcmp(key, "ignore") == 0) {
            if (!cJSON_IsBool(item))
                return bg_fail(d, "%s: %s: expected true or false", path, at);
            r->ignore = cJSON_IsTrue(item);
        } else if (strcmp(key, "threshold") == 0) {
            if (bg_json_number(item, 0.0, 100.0, path, at, &r->threshold, d) < 0)
                return -1;
        } else if (strcmp(key, "direction") == 0) {
            const char *v;

            if (bg_json_string(item, path, at, &v, d) < 0)
                return -1;
            if (strcmp(v, "lower") != 0 && strcmp(v, "higher") != 0)
                return bg_fail(d, "%s: %s: expected \"lower\" or \"higher\"", path, at);
            r->direction = strcmp(v, "higher") == 0 ? BG_DIR_HIGHER : BG_DIR_LOWER;
        } else {
            return bg_fail(d, "%s: %s: unknown key (known: name, metric, ignore, threshold, "
                           "direction)", path, at);
        }
    }
    if (r->name == NULL)
        return bg_fail(d, "%s: benchmarks[%zu].name: missing, expected a glob", path, i);
    if (r->metric == NULL)
        r->metric = bg_xstrdup("*");
    return 0;
}

int gate_config_load(const char *path, struct gate_config *out, struct bg_diag *d)
{
    struct bg_buf buf = BG_BUF_INIT;
    const cJSON *rules, *item;
    cJSON *root = NULL;
    int rc = -1;
    size_t i = 0;

    memset(out, 0, sizeof(*out));
    if (path == NULL) {
        if (access(GATE_CONFIG_FILE, F_OK) != 0)
            return 0;
        path = GATE_CONFIG_FILE;
    }
    out->path = bg_xstrdup(path);
    if (bg_buf_read_file(&buf, path, 16u << 20, d) < 0)
        goto out;
    root = bg_json_parse(buf.data, buf.len, path, d);
    if (root == NULL || bg_json_want(root, cJSON_Object, path, "(document)", d) < 0)
        goto out;
    cJSON_ArrayForEach(item, root) {
        if (strcmp(item->string, "benchmarks") != 0) {
            bg_fail(d, "%s: %.32s: unknown key (known: benchmarks)", path, item->string);
            goto out;
        }
    }
    rules = bg_json_get(root, "benchmarks");
    if (bg_json_want(rules, cJSON_Array, path, "benchmarks", d) < 0)
        goto out;
    if (cJSON_GetArraySize(rules) > GATE_CONFIG_MAX_RULES) {
        bg_fail(d, "%s: benchmarks: more than %d rules", path, GATE_CONFIG_MAX_RULES);
        goto out;
    }
    out->rules = bg_xcalloc((size_t)cJSON_GetArraySize(rules) + 1, sizeof(*out->rules));
    cJSON_ArrayForEach(item, rules) {
        if (parse_rule(item, path, i, &out->rules[i], d) < 0) {
            out->n_rules = i + 1; /* the partial rule is freed too */
            goto out;
        }
        out->n_rules = ++i;
    }
    rc = 0;
out:
    cJSON_Delete(root);
    bg_buf_release(&buf);
    if (rc < 0)
        gate_config_release(out);
    return rc;
}

void gate_config_release(struct gate_config *c)
{
    for (size_t i = 0; i < c->n_rules; i++) {
        free(c->rules[i].name);
        free(c->rules[i].metric);
    }
    free(c->rules);
    free(c->path);
    memset(c, 0, sizeof(*c));
}

const struct gate_rule *gate_config_match(const struct gate_config *c, const char *name,
                                          const char *metric)
{
    for (size_t i = 0; c != NULL && i < c->n_rules; i++) {
        const struct gate_rule *r = &c->rules[i];

        if (fnmatch(r->name, name, 0) == 0 && fnmatch(r->metric, metric, 0) == 0)
            return r;
    }
    return NULL;
}
