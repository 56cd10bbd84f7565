/*
 * token.h: upload tokens: made from the OS's randomness, kept as a hash,
 * checked in constant time, each scoped to one project.
 *
 * A token reads "bg_<id>_<secret>": id is 16 hex digits that name the
 * token in `token list` and `token revoke`, secret is 64 hex digits (256
 * random bits). The store keeps SHA-256(secret) only. A salted slow hash
 * would add nothing: the secret is random, not a password, so there is no
 * dictionary to slow down.
 */
#ifndef BG_SERVER_TOKEN_H
#define BG_SERVER_TOKEN_H

#include "core/bg.h"
#include "core/store.h"

#define TOKEN_ID_LEN 16
#define TOKEN_SECRET_LEN 64
#define TOKEN_LEN (3 + TOKEN_ID_LEN + 1 + TOKEN_SECRET_LEN)

/* The outcome of checking a presented token against a project. */
enum token_check {
    TOKEN_OK,
    TOKEN_MISSING,       /* no token given */
    TOKEN_INVALID,       /* malformed, unknown, or the secret does not match */
    TOKEN_REVOKED,
    TOKEN_OTHER_PROJECT, /* valid, but for another project */
    TOKEN_STORE_ERROR,
};

/* Makes a new token: fills out (TOKEN_LEN + 1 bytes), its id and the hash
 * to store. Returns -1 (errno set) when the OS has no randomness to give. */
int token_generate(char out[TOKEN_LEN + 1], char id[TOKEN_ID_LEN + 1],
                   unsigned char hash[STORE_TOKEN_HASH]);

/* Splits a presented token into its id and the hash of its secret;
 * -1 when it is not a well-formed token. */
int token_parse(const char *token, char id[TOKEN_ID_LEN + 1], unsigned char hash[STORE_TOKEN_HASH]);

/*
 * The token an Authorization header presents, or NULL: "Bearer TOKEN", or
 * "Basic BASE64(USER:TOKEN)", which is what a browser sends for a page after
 * asking (any user name, the token as the password). A token that is not
 * plain text is copied to buf.
 */
const char *token_from_header(const char *header, char buf[TOKEN_LEN + 1]);

/* Checks token (NULL: none given) for project; with project NULL, any
 * project's valid token passes and *owner (when not NULL) gets its project. */
enum token_check token_check(struct store *st, const char *token, const char *project,
                             char owner[BG_NAME_MAX + 1]);

#endif /* BG_SERVER_TOKEN_H */
