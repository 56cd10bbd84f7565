/*
 * suggest.h: "did you mean 'main'?": the closest of some names to a word
 * someone typed, by edit distance, for messages about names that matched
 * nothing.
 */
#ifndef BG_CORE_SUGGEST_H
#define BG_CORE_SUGGEST_H

#include "core/bg.h"

/* Names compared at most this long: longer ones are cut (bounded work). */
#define BG_SUGGEST_MAX 128

/*
 * The candidate closest to word (Levenshtein distance, ASCII case folded),
 * or NULL when none is within a third of the word's length (at least 2
 * edits): a typo, not another name.
 */
const char *bg_suggest(const char *word, const char *const *candidates, size_t n);

#endif /* BG_CORE_SUGGEST_H */
