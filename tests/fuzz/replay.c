/*
 * replay.c: a fuzz target as a regression test in `make test`, without
 * clang: feeds LLVMFuzzerTestOneInput every file below the folders in
 * FUZZ_SEEDS (the seed corpus, and tests/fuzz/crashers/TARGET: inputs that
 * once broke it). Prints TAP, a line per file; a broken invariant aborts,
 * which the test runner counts as a failure.
 */
#include "tests/fuzz/fuzz.h"
#include "core/buf.h"
#include "core/err.h"

#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

#ifndef FUZZ_SEEDS
#error "FUZZ_SEEDS: the folders to replay, separated by spaces"
#endif

static int n_files;

static void replay(const char *path)
{
    struct stat sb;

    if (stat(path, &sb) != 0)
        return; /* a target with no crashers yet has no folder */
    if (S_ISDIR(sb.st_mode)) {
        struct dirent **names;
        int n = scandir(path, &names, NULL, alphasort);

        for (int i = 0; i < n; i++) {
            if (names[i]->d_name[0] != '.') {
                char sub[4096];

                snprintf(sub, sizeof(sub), "%s/%s", path, names[i]->d_name);
                replay(sub);
            }
            free(names[i]);
        }
        free(n >= 0 ? names : NULL);
        return;
    }
    struct bg_buf b = BG_BUF_INIT;
    struct bg_diag d;

    if (bg_buf_read_file(&b, path, 64u << 20, &d) < 0) {
        printf("not ok %d - %s\n", ++n_files, d.msg);
        return;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)b.data, b.len);
    printf("ok %d - %s\n", ++n_files, path);
    bg_buf_release(&b);
}

int main(void)
{
    char seeds[] = FUZZ_SEEDS;

    char *save = NULL;

    for (char *dir = strtok_r(seeds, " ", &save); dir != NULL; dir = strtok_r(NULL, " ", &save))
        replay(dir);
    printf("1..%d\n", n_files);
    return n_files > 0 ? 0 : 1;
}
