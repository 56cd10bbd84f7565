/*
 * report.h: renderings of a gate report. Each takes the computed report
 * and writes it; none decides anything.
 */
#ifndef BG_GATE_REPORT_H
#define BG_GATE_REPORT_H

#include "core/bg.h"
#include "gate/compare.h"

/* The aligned terminal table with a header and a one-line verdict. */
void report_text(FILE *out, const struct gate_report *r);

/* "12.3 ms" for ns, else "%.4g unit"; "-" for NAN. */
void report_format_value(char *buf, size_t size, double v, const char *unit);
/* "+12.3%", "-0.4%", "+inf%", "-" for NAN. */
void report_format_change(char *buf, size_t size, double change);

#endif /* BG_GATE_REPORT_H */
