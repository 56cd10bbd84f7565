/*
 * hash.h: the one non-cryptographic hash benchgate uses, FNV-1a (64 bit).
 *
 * Stable across machines and releases, which matters: machine fingerprints
 * are stored in databases and the bootstrap's seeds decide printed
 * intervals, so a field's hash must never change. Not a security boundary:
 * where an attacker chooses the input and the outcome matters, use SHA-256
 * (nettle), as tokens and chart keys do.
 */
#ifndef BG_CORE_HASH_H
#define BG_CORE_HASH_H

#include "core/bg.h"

#define BG_HASH_INIT UINT64_C(0xcbf29ce484222325)

/* h with one more byte mixed in. */
static inline uint64_t bg_hash_byte(uint64_t h, unsigned char c)
{
    return (h ^ c) * UINT64_C(0x100000001b3);
}

/* h with the bytes of s (NULL: none) mixed in. */
static inline uint64_t bg_hash_str(uint64_t h, const char *s)
{
    for (; s != NULL && *s != '\0'; s++)
        h = bg_hash_byte(h, (unsigned char)*s);
    return h;
}

#endif /* BG_CORE_HASH_H */
