/*
 * fuzz_format.c: one harness parser on arbitrary bytes. FUZZ_FORMAT is the
 * format's name, or NULL for detection across all of them (fuzz-auto).
 *
 * Invariants: a parser returns 0 or -1, and -1 always with a message; a run
 * it accepts is valid (bg_run_finish) and comes back from its own run
 * document with the same results; nothing leaks (ASan's leak check).
 */
#include "tests/fuzz/fuzz.h"
#include "collector/formats.h"
#include "core/err.h"

#include <string.h>

#ifndef FUZZ_FORMAT
#define FUZZ_FORMAT NULL
#endif

/* The run must survive its own run document: what collect --output json
 * prints, collect reads back into a run that prints the same bytes. */
static void round_trip(const struct bg_run *run)
{
    struct bg_buf doc = BG_BUF_INIT, again = BG_BUF_INIT;
    struct bg_diag d = { 0 };
    struct bg_run back;

    bg_run_write_json(run, &doc);
    bg_run_init(&back);
    if (bg_collect_bytes("run document", doc.data, doc.len, "benchgate", &back, &d) != 0 ||
        bg_run_finish(&back, "run document", &d) != 0) {
        fprintf(stderr, "%s\n%.*s\n", d.msg, (int)(doc.len < 4000 ? doc.len : 4000), doc.data);
        FUZZ_CHECK(!"the run document reads back");
    }
    bg_run_write_json(&back, &again);
    FUZZ_CHECK(again.len == doc.len && memcmp(again.data, doc.data, doc.len) == 0);
    bg_run_release(&back);
    bg_buf_release(&again);
    bg_buf_release(&doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = bg_xmalloc(size + 1);
    struct bg_diag d = { 0 };
    struct bg_run run;

    FUZZ_CHECK(FUZZ_FORMAT == NULL || bg_format_find(FUZZ_FORMAT) != NULL);
    memcpy(buf, data, size);
    buf[size] = '\0';
    bg_run_init(&run);
    if (bg_collect_bytes("fuzz", buf, size, FUZZ_FORMAT, &run, &d) == 0 &&
        bg_run_finish(&run, "fuzz", &d) == 0) {
        FUZZ_CHECK(run.n_results > 0);
        round_trip(&run);
    } else {
        FUZZ_CHECK(d.msg[0] != '\0'); /* an error always says what is wrong */
    }
    bg_run_release(&run);
    free(buf);
    return 0;
}
