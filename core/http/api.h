/* api.h: the JSON API under /api/v1, as a function from a request to a response. It reads the
 * store it is given on the calling thread; anything long (a report) comes back as work for the
 * thread pool. It never touches the network. */
#ifndef CV_HTTP_API_H
#define CV_HTTP_API_H

#include "http/exchange.h"
#include "store/store.h"

typedef struct cv_api_cache cv_api_cache;

typedef struct cv_api {
    cv_store *store;     /* the loop's connection */
    const char *db_path; /* for the thread pool's own connections */
    int64_t writes;      /* changes made through this connection (they do not move data_version) */
    cv_api_cache *cache; /* reads answered before, while the store is unchanged (api.c) */
} cv_api;

/* The most bytes a request body may carry on path (documents' own cap for uploads, small for
 * everything else). */
size_t cv_api_body_max(const char *path);

/* Answers req into resp (which starts zeroed). */
void cv_api_handle(cv_api *api, const cv_http_req *req, cv_http_resp *resp);

/* Frees what the API keeps between requests (its cache). */
void cv_api_close(cv_api *api);

#endif
