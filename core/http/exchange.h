/* exchange.h: one HTTP request and its response as the API sees them, independent of the server
 * library, so the API can be driven by the server, by tests and by the fuzzer alike. A request
 * only borrows; a response owns its body. */
#ifndef CV_HTTP_EXCHANGE_H
#define CV_HTTP_EXCHANGE_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define CV_HTTP_HEADERS_MAX 8
#define CV_HTTP_SCOPE_MAX   16

/* Which journal events a caller may see: all of them (admin), or those about an organisation
 * inside one of its grants' subtrees (own_only: that organisation alone, as for a secretary). */
typedef struct cv_http_scope {
    int all;
    int n;
    struct {
        int64_t org_id;
        int own_only;
    } grants[CV_HTTP_SCOPE_MAX];
} cv_http_scope;

/* Whether scope sees an event about chain[0] whose ancestors are chain[1..n). */
int cv_http_scope_sees(const cv_http_scope *scope, const int64_t *chain, int n);

typedef struct cv_http_req {
    const char *method; /* "GET", ... */
    const char *path;   /* the decoded path, without the query */
    /* A request header or query argument by name (case-insensitive for headers), or NULL. */
    const char *(*header)(void *ctx, const char *name);
    const char *(*query)(void *ctx, const char *name);
    void *ctx;
    const char *body; /* NULL when empty; not NUL-terminated */
    size_t body_len;
    const char *peer; /* the client's address ("127.0.0.1"), "unix" on a unix socket */
    /* The path of a CV_ARG_FILE argument the server itself received (an upload's temp file,
     * upload.h), or NULL; a NULL function for a request that carries no file. */
    const char *(*file)(void *ctx, const char *name);
    const char *file_digest; /* an upload's file: its bytes' BLAKE2b in hex, else NULL */
} cv_http_req;

typedef struct cv_http_resp cv_http_resp;

/* Work the API hands to the thread pool: runs off the loop, fills resp, must not touch the
 * loop's store connection. arg is freed by the work itself, unless an after function (run on the
 * loop once the work is done) is set: then after frees it. */
typedef void (*cv_http_work_fn)(void *arg, cv_http_resp *resp);

struct cv_http_resp {
    int status;
    const char *content_type; /* static text */
    char *body;               /* malloc'd, owned */
    size_t len;
    int nheaders;
    struct {
        const char *name; /* static text */
        char value[256];
    } headers[CV_HTTP_HEADERS_MAX];
    cv_http_work_fn work;  /* set: the response comes from work(work_arg) on the thread pool */
    cv_http_work_fn after; /* then, if set, after(work_arg) on the loop, which frees work_arg */
    void *work_arg;
    int stream;           /* set: a Server-Sent Events stream of the journal after stream_after */
    int64_t stream_after; /* the last event the client has (Last-Event-ID) */
    cv_http_scope scope;  /* what the stream may show */
};

/* Adds a header to resp (ignored past CV_HTTP_HEADERS_MAX; values are cut at 255 bytes). */
void cv_http_resp_header(cv_http_resp *resp, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* resp becomes status with text (copied) of content type ctype. */
void cv_http_resp_text(cv_http_resp *resp, int status, const char *ctype, const char *text,
                       size_t len);

/* resp becomes an RFC 9457 problem (application/problem+json) with status and detail. */
void cv_http_resp_problem(cv_http_resp *resp, int status, const char *detail);

/* The HTTP status of a CV_E* code (CV_ENOTFOUND: 404, ...). */
int cv_http_status_of(int code);

/* Frees the body and clears resp. */
void cv_http_resp_clear(cv_http_resp *resp);

#endif
