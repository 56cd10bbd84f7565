/*
 * fuzz_criterion.c: the Criterion.rs reader, which reads folders, not bytes.
 * The input is benchmark.json, a NUL byte, and sample.json; they are written
 * as BENCH/new/ in a private folder, which is read as a target/criterion
 * folder. Invariants as for the other formats: an error has a message, and
 * an accepted run is valid.
 */
#include "tests/fuzz/fuzz.h"
#include "collector/formats.h"
#include "core/err.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[64], bench[96], newdir[128], bpath[160], spath[160];

static void setup(void)
{
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

    snprintf(root, sizeof(root), "%s/benchgate-fuzz.XXXXXX", dir);
    FUZZ_CHECK(mkdtemp(root) != NULL);
    snprintf(bench, sizeof(bench), "%s/bench", root);
    snprintf(newdir, sizeof(newdir), "%s/new", bench);
    snprintf(bpath, sizeof(bpath), "%s/benchmark.json", newdir);
    snprintf(spath, sizeof(spath), "%s/sample.json", newdir);
    FUZZ_CHECK(mkdir(bench, 0700) == 0 && mkdir(newdir, 0700) == 0);
}

static void teardown(void)
{
    unlink(bpath);
    unlink(spath);
    rmdir(newdir);
    rmdir(bench);
    rmdir(root);
}

static void put(const char *path, const uint8_t *data, size_t n)
{
    FILE *f = fopen(path, "wb");

    FUZZ_CHECK(f != NULL);
    FUZZ_CHECK(fwrite(data, 1, n, f) == n || n == 0);
    FUZZ_CHECK(fclose(f) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    const uint8_t *nul = memchr(data, '\0', size);
    size_t nb = nul != NULL ? (size_t)(nul - data) : size;
    struct bg_diag d = { 0 };
    struct bg_run run;

    if (!ready) {
        setup();
        atexit(teardown);
        ready = true;
    }
    put(bpath, data, nb);
    put(spath, nul != NULL ? nul + 1 : data + size, nul != NULL ? size - nb - 1 : 0);
    bg_run_init(&run);
    if (bg_collect_path(root, "criterion", &run, &d) == 0 && bg_run_finish(&run, "fuzz", &d) == 0)
        FUZZ_CHECK(run.n_results > 0);
    else
        FUZZ_CHECK(d.msg[0] != '\0'); /* an error always says what is wrong */
    bg_run_release(&run);
    return 0;
}
