/*
 * config.h: per-benchmark gate settings from a JSON file.
 *
 * benchgate.json (or --config PATH):
 *   {"benchmarks": [
 *      {"name": "slow-*", "threshold": 0.30},
 *      {"name": "flaky-*", "ignore": true},
 *      {"name": "*", "metric": "hit_rate", "direction": "higher"}]}
 * Each rule matches a benchmark's name and metric with shell globs
 * (fnmatch; "*" also matches "/"); the first rule that matches applies.
 * The command line's --threshold is the default for everything no rule
 * gives a threshold. Unknown keys are errors: a typo must not pass quietly.
 */
#ifndef BG_GATE_CONFIG_H
#define BG_GATE_CONFIG_H

#include "core/bg.h"
#include "core/err.h"
#include "core/model.h"

#define GATE_CONFIG_FILE "benchgate.json"
#define GATE_CONFIG_MAX_RULES 10000

struct gate_rule {
    char *name;        /* glob over the benchmark name */
    char *metric;      /* glob over the metric; "*" when not given */
    bool ignore;       /* never judged: reported as ignored */
    double threshold;  /* NAN: the command line's */
    int direction;     /* -1: the metric's own; else enum bg_direction */
};

struct gate_config {
    char *path;
    struct gate_rule *rules;
    size_t n_rules;
};

/*
 * Loads path; with path NULL, loads ./benchgate.json when it exists and
 * leaves the config empty when it does not. Returns 0, or -1 with d filled
 * ("PATH: benchmarks[2].threshold: ...").
 */
int gate_config_load(const char *path, struct gate_config *out, struct bg_diag *d);
void gate_config_release(struct gate_config *c);

/* The first rule matching (name, metric), or NULL (also for c == NULL). */
const struct gate_rule *gate_config_match(const struct gate_config *c, const char *name,
                                          const char *metric);

#endif /* BG_GATE_CONFIG_H */
