/* api_int.h: what the files of the API share (api.c: routing, callers, replies; api_ops.c: the
 * operations; api_session.c: logins). Not for use outside core/http. */
#ifndef CV_HTTP_API_INT_H
#define CV_HTTP_API_INT_H

#include "http/api.h"
#include "http/session.h"

#define CV_API_PEER_MAX 64
#define CV_API_PATH_MAX 4096

/* Who is calling, and how. */
typedef struct cv_api_caller {
    cv_actor actor;                   /* kind CV_ACTOR_NONE: nobody has signed in */
    int64_t session;                  /* the session carried by the cookie, else 0 */
    char token[CV_SESSION_TOKEN_MAX]; /* that cookie's token (its CSRF token derives from it) */
    int tls;                    /* served over TLS (nginx in front says so on the unix socket) */
    char peer[CV_API_PEER_MAX]; /* the client's address */
    int64_t version;            /* the store's version when the request came (the cache's) */
} cv_api_caller;

/* Answers JSON text as 200 with an ETag, or 304 when If-None-Match names the same. */
void cv_api_reply_text(const cv_http_req *req, cv_http_resp *resp, const char *text, size_t len);

/* The same with If-None-Match given (NULL: none). */
void cv_api_reply_tagged(cv_http_resp *resp, const char *text, size_t len, const char *inm);

/* Answers j (stolen) as cv_api_reply_text does, with status. */
void cv_api_reply_json(cv_http_resp *resp, int status, json_t *j);

/* Answers the error in e as a problem. */
void cv_api_reply_error(cv_http_resp *resp, const cv_err *e);

/* Who is calling (the dashboard's pages ask too): the client's address, then the API token or
 * the session cookie; CV_EPERM when neither checks out. */
int cv_api_caller_of(cv_api *api, const cv_http_req *req, cv_api_caller *c, cv_err *e);

/* Whether the request comes from another site (Origin or Sec-Fetch-Site say so). */
int cv_api_cross_site(const cv_http_req *req, const cv_api_caller *c);

/* Routes /api/v1/<group>/<verb>[/<arg>] onto the operation it names. 0 when path names none. */
int cv_api_ops_route(cv_api *api, const cv_http_req *req, cv_http_resp *resp,
                     const cv_api_caller *c, const char *path);

/* /api/v1/session: POST logs in, GET says who is signed in, DELETE logs out. */
void cv_api_session_route(cv_api *api, const cv_http_req *req, cv_http_resp *resp,
                          const cv_api_caller *c);

/* Keeps a read's answer for key at version (called on the loop after the work answered). */
void cv_api_cache_put(cv_api *api, const char *key, int64_t version, const cv_http_resp *resp);

/* The answer kept for key at version, or 0. */
int cv_api_cache_get(cv_api *api, const cv_http_req *req, cv_http_resp *resp, const char *key,
                     int64_t version);

/* The store's version for the cache (SQLite's data_version), -1 when unknown. */
int64_t cv_api_store_version(cv_api *api);

/* Opens the thread pool's own connection to the store, acting as actor. */
int cv_api_open_store(const char *db_path, const cv_actor *actor, cv_store **out, cv_err *e);

#endif
