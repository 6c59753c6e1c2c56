/* api.h: the JSON API under /api/v1, as a function from a request to a response. It maps every
 * route onto the operations table (core/ops), which checks arguments and permissions in its one
 * place; it knows who is calling from a session cookie or an API token. On the calling (loop)
 * thread it only reads the store briefly (who is calling, the cache); every operation, login and
 * report runs as work on the thread pool with a store connection of its own. */
#ifndef CV_HTTP_API_H
#define CV_HTTP_API_H

#include <jansson.h>

#include "http/exchange.h"
#include "store/store.h"

typedef struct cv_api_cache cv_api_cache;
typedef struct cv_limit cv_limit;
typedef struct cv_session_memo cv_session_memo;

typedef struct cv_api {
    cv_store *store;           /* the loop's connection */
    const char *db_path;       /* for the thread pool's own connections */
    cv_api_cache *cache;       /* reads answered before, while the store is unchanged (api.c) */
    cv_limit *logins;          /* failed logins per address and name (limit.h) */
    cv_session_memo *sessions; /* sessions checked before (session.h) */
} cv_api;

/* The most bytes a request body that is not an upload may carry (uploads: cv_upload_max). */
size_t cv_api_body_max(void);

/* Answers req into resp (which starts zeroed). */
void cv_api_handle(cv_api *api, const cv_http_req *req, cv_http_resp *resp);

/* Checks an upload from its head alone, before its body is read: the caller must be signed in
 * and, with a session cookie, the request must come from this site with the session's CSRF token
 * (a dashboard form's token is in its body: only its origin is checked here). 0 if it may go
 * on, else -1 with the refusal in resp (401, 403, or for a form 303 to the login). */
int cv_api_upload_allowed(cv_api *api, const cv_http_req *req, int page, cv_http_resp *resp);

/* Frees what the API keeps between requests. */
void cv_api_close(cv_api *api);

/* The HTTP method of an operation: GET for a read; for a change PATCH ("set"), DELETE ("end",
 * "revoke", "disable") or POST. */
struct cv_op;
const char *cv_api_method_of(const struct cv_op *op);

/* The OpenAPI 3.1 document of the API, generated from the operations table (new reference). */
json_t *cv_api_openapi(void);

#endif
