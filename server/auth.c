/* auth.c: a request's token against the project it touches (see auth.h). */
#include "core/bg.h"
#include "server/auth.h"
#include "server/token.h"

bool auth_project(const struct http_request *rq, const char *project, bool write,
                  struct http_response *rs)
{
    if (!write && !rq->cfg->private_reads)
        return true;
    char buf[TOKEN_LEN + 1];

    switch (token_check(rq->st, token_from_header(rq->authorization, buf), project, NULL)) {
    case TOKEN_OK:
        return true;
    case TOKEN_MISSING:
        http_error(rs, 401, "unauthorized", "a token is required: send 'Authorization: Bearer "
                   "TOKEN' (benchgate token create)");
        return false;
    case TOKEN_INVALID:
        http_error(rs, 401, "unauthorized", "the token is not valid");
        return false;
    case TOKEN_REVOKED:
        http_error(rs, 401, "unauthorized", "the token was revoked");
        return false;
    case TOKEN_OTHER_PROJECT:
        http_error(rs, 403, "forbidden", "the token is not for project '%s'", project);
        return false;
    case TOKEN_STORE_ERROR:
        break;
    }
    http_store_failed(rs);
    return false;
}

bool auth_reader_scope(const struct http_request *rq, char owner[BG_NAME_MAX + 1],
                       struct http_response *rs)
{
    char buf[TOKEN_LEN + 1];
    enum token_check t;

    owner[0] = '\0';
    if (!rq->cfg->private_reads)
        return true;
    /* a private server shows a token's own project only */
    t = token_check(rq->st, token_from_header(rq->authorization, buf), NULL, owner);
    if (t == TOKEN_OK)
        return true;
    if (t == TOKEN_STORE_ERROR)
        http_store_failed(rs);
    else
        http_error(rs, 401, "unauthorized", "this server is private: send a project's token as "
                   "'Authorization: Bearer TOKEN'%s", rs->html ? " (or as the password when "
                   "your browser asks)" : "");
    return false;
}
