/* api_health.c: the server's own state: GET /healthz and GET /metrics. */
#include "core/bg.h"
#include "server/handlers.h"
#include "server/metrics.h"

void api_health(const struct http_request *rq, const char *const *params,
                struct http_response *rs)
{
    (void)rq;
    (void)params;
    bg_buf_addf(&rs->body, "{\"status\": \"ok\", \"version\": \"%s\"}\n", BG_VERSION);
    rs->status = 200;
}

void api_metrics(const struct http_request *rq, const char *const *params,
                 struct http_response *rs)
{
    (void)rq;
    (void)params;
    metrics_render(&rs->body);
    rs->content_type = "text/plain; version=0.0.4";
    rs->status = 200;
}
