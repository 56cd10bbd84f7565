/* http_client.c: requests to a benchgate server over libcurl (see http_client.h). */
#include "core/bg.h"
#include "core/http_client.h"
#include "core/json.h"
#include "core/model.h"

#include <curl/curl.h>

#define CONNECT_TIMEOUT_S 10L
#define REQUEST_TIMEOUT_S 300L

int bg_server_resolve(struct bg_server *s, const char *url_flag, const char *token_flag,
                      struct bg_diag *d)
{
    const char *env_url = getenv("BENCHGATE_SERVER"), *env_token = getenv("BENCHGATE_TOKEN");

    s->url = url_flag != NULL ? url_flag : env_url != NULL && *env_url != '\0' ? env_url : NULL;
    s->token = token_flag != NULL                        ? token_flag
               : env_token != NULL && *env_token != '\0' ? env_token
                                                         : NULL;
    if (s->url == NULL)
        return 0;
    if (strncmp(s->url, "http://", 7) != 0 && strncmp(s->url, "https://", 8) != 0)
        return bg_fail(d, "server '%.200s': expected an http:// or https:// URL", s->url);
    if (strlen(s->url) > 2048)
        return bg_fail(d, "server URL is longer than 2048 bytes");
    return 0;
}

static size_t on_data(char *p, size_t size, size_t n, void *cls)
{
    /* a short count makes libcurl fail the transfer: the answer was too large */
    return bg_limbuf_add(cls, p, size * n) < 0 ? 0 : size * n;
}

int bg_server_request(const struct bg_server *s, const char *method, const char *path,
                      const char *body, size_t len, long *status, struct bg_limbuf *resp,
                      struct bg_diag *d)
{
    struct bg_buf url = BG_BUF_INIT, auth = BG_BUF_INIT;
    struct curl_slist *headers = NULL;
    char err[CURL_ERROR_SIZE] = "";
    size_t base = strlen(s->url);
    CURL *c;
    CURLcode rc;

    while (base > 0 && s->url[base - 1] == '/')
        base--;
    bg_buf_add(&url, s->url, base);
    bg_buf_adds(&url, path);
    c = curl_easy_init();
    if (c == NULL)
        bg_die("cannot start libcurl");
    headers = curl_slist_append(headers, "Accept: application/json");
    if (body != NULL)
        headers = curl_slist_append(headers, "Content-Type: application/json");
    if (s->token != NULL) {
        bg_buf_addf(&auth, "Authorization: Bearer %s", s->token);
        headers = curl_slist_append(headers, auth.data);
    }
    curl_easy_setopt(c, CURLOPT_URL, url.data);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, REQUEST_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "benchgate/" BG_VERSION);
    if (strcmp(method, "POST") == 0 || strcmp(method, "PATCH") == 0) {
        if (method[1] == 'A') /* GitHub's API updates a comment with PATCH */
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PATCH");
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body != NULL ? body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body != NULL ? len : 0));
    }
    rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    else
        bg_fail_as(d, BG_FAULT_BROKEN, "server %.*s: %s %s: %s", (int)base, s->url, method,
                   path, rc == CURLE_WRITE_ERROR ? "the answer is larger than the limit"
                         : err[0] != '\0'       ? err
                                                : curl_easy_strerror(rc));
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    memset(auth.data, 0, auth.len);
    bg_buf_release(&auth);
    bg_buf_release(&url);
    return rc == CURLE_OK ? 0 : -1;
}

int bg_server_failed(const struct bg_server *s, long status, const struct bg_buf *resp,
                     struct bg_diag *d)
{
    cJSON *doc = cJSON_ParseWithLength(resp->data, resp->len);
    const cJSON *e = bg_json_get(doc, "error");
    const cJSON *code = bg_json_get(e, "code"), *msg = bg_json_get(e, "message");
    enum bg_fault fault = status >= 500   ? BG_FAULT_BROKEN
                          : status == 404 ? BG_FAULT_MISSING
                                          : BG_FAULT_INPUT;

    if (cJSON_IsString(code) && cJSON_IsString(msg))
        bg_fail_as(d, fault, "server %s: %ld %s: %s", s->url, status, code->valuestring,
                   msg->valuestring);
    else
        bg_fail_as(d, fault, "server %s: answered %ld with no benchgate error (is it a "
                   "benchgate server?)", s->url, status);
    cJSON_Delete(doc);
    return -1;
}
