/* suggest.c: the closest name to a word, by edit distance (see suggest.h). */
#include "core/bg.h"
#include "core/suggest.h"

static int fold(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Levenshtein distance of the first BG_SUGGEST_MAX bytes of a and b, two rows. */
static size_t distance(const char *a, const char *b)
{
    size_t la = strnlen(a, BG_SUGGEST_MAX), lb = strnlen(b, BG_SUGGEST_MAX);
    size_t prev[BG_SUGGEST_MAX + 1], row[BG_SUGGEST_MAX + 1];

    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (fold((unsigned char)a[i - 1]) !=
                                        fold((unsigned char)b[j - 1]));
            size_t del = prev[j] + 1, ins = row[j - 1] + 1;

            row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, row, (lb + 1) * sizeof(*row));
    }
    return prev[lb];
}

const char *bg_suggest(const char *word, const char *const *candidates, size_t n)
{
    size_t len = strnlen(word, BG_SUGGEST_MAX), limit = len / 3 < 2 ? 2 : len / 3;
    size_t best_d = SIZE_MAX;
    const char *best = NULL;

    for (size_t i = 0; i < n; i++) {
        size_t d = distance(word, candidates[i]);

        if (d < best_d && d <= limit && strcmp(word, candidates[i]) != 0) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best;
}
