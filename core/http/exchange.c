/* exchange.c: building responses: headers, bodies, and RFC 9457 problems whose detail is the
 * same one line the CLI prints for the same error. */
#include "http/exchange.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cv_http_resp_header(cv_http_resp *resp, const char *name, const char *fmt, ...)
{
    if (resp->nheaders >= CV_HTTP_HEADERS_MAX)
        return;
    va_list ap;
    va_start(ap, fmt);
    resp->headers[resp->nheaders].name = name;
    vsnprintf(resp->headers[resp->nheaders].value, sizeof resp->headers[0].value, fmt, ap);
    va_end(ap);
    resp->nheaders++;
}

void cv_http_resp_text(cv_http_resp *resp, int status, const char *ctype, const char *text,
                       size_t len)
{
    free(resp->body);
    resp->status = status;
    resp->content_type = ctype;
    resp->body = malloc(len ? len : 1);
    resp->len = resp->body ? len : 0;
    if (resp->body && len)
        memcpy(resp->body, text, len);
}

static const char *title_of(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 503:
        return "Service Unavailable";
    default:
        return status >= 500 ? "Internal Server Error" : "Error";
    }
}

void cv_http_resp_problem(cv_http_resp *resp, int status, const char *detail)
{
    json_t *j = json_pack("{s:s, s:s, s:i, s:s}", "type", "about:blank", "title", title_of(status),
                          "status", status, "detail", detail);
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (text)
        cv_http_resp_text(resp, status, "application/problem+json", text, strlen(text));
    else
        cv_http_resp_text(resp, 500, "text/plain", "out of memory\n", 14);
    free(text);
    json_decref(j);
}

int cv_http_status_of(int code)
{
    switch (code) {
    case CV_EINVAL:
        return 422;
    case CV_ENOTFOUND:
        return 404;
    case CV_EPERM:
        return 403;
    case CV_ECONFLICT:
        return 409;
    case CV_ELIMIT:
        return 422;
    case CV_EBUSY:
        return 503;
    default:
        return 500;
    }
}

void cv_http_resp_clear(cv_http_resp *resp)
{
    free(resp->body);
    memset(resp, 0, sizeof *resp);
}

int cv_http_scope_sees(const cv_http_scope *scope, const int64_t *chain, int n)
{
    if (scope->all)
        return 1;
    for (int g = 0; g < scope->n && n > 0; g++)
        for (int i = 0; i < (scope->grants[g].own_only ? 1 : n); i++)
            if (chain[i] == scope->grants[g].org_id)
                return 1;
    return 0;
}
