/*
 * lookup.h: what a request names, found or refused: a stored project, a
 * stored run of it, or the run its body carries.
 *
 * Each returns true when found, and otherwise has made the answer
 * (400 for what cannot name anything, 404 for what is not stored, 503 when
 * the store failed) in rs.
 */
#ifndef BG_SERVER_LOOKUP_H
#define BG_SERVER_LOOKUP_H

#include "core/bg.h"
#include "core/model.h"
#include "server/http.h"

/* project has been stored */
bool lookup_project(const struct http_request *rq, const char *project,
                    struct http_response *rs);

/* Loads run id_text (a number from the path or query) of project into run. */
bool lookup_run(const struct http_request *rq, const char *project, const char *id_text,
                struct bg_run *run, struct http_response *rs);

/*
 * The run in the request body: a benchgate run document or raw harness
 * output (?format= or detected), finished and given its origin: the URL's
 * project, then ?branch=, ?commit=, ?timestamp= and ?meta=KEY=VALUE, then
 * what a run document says. Nothing about the server's machine is added.
 */
bool lookup_body_run(const struct http_request *rq, const char *project, struct bg_run *run,
                     struct http_response *rs);

#endif /* BG_SERVER_LOOKUP_H */
