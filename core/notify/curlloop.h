/* curlloop.h: libcurl's multi interface driven by a libuv loop (DESIGN.md principle 7). Transfers
 * run through curl_multi_socket_action with one uv_poll per socket and one uv_timer for curl's
 * timeout, so nothing here ever blocks the loop. It owns the multi handle and its libuv handles;
 * it never owns the easy handles it is given (they come back through the done callback). */
#ifndef CV_CURLLOOP_H
#define CV_CURLLOOP_H

#include <curl/curl.h>
#include <uv.h>

#include "base/error.h"

typedef struct cv_curlloop cv_curlloop;

/* Called on the loop thread when a transfer finished, with curl's result for it. The easy handle
 * is already removed from the multi handle; the callback owns it again. */
typedef void (*cv_curlloop_done)(CURL *easy, CURLcode result, void *arg);

/* Creates a driver on loop. *out is owned by the caller: cv_curlloop_close. */
int cv_curlloop_open(uv_loop_t *loop, cv_curlloop **out, cv_err *e);

/* Starts easy on the loop; done(easy, result, arg) runs once when it ends (never from inside
 * this call). */
int cv_curlloop_add(cv_curlloop *c, CURL *easy, cv_curlloop_done done, void *arg, cv_err *e);

/* Transfers still running. */
int cv_curlloop_running(const cv_curlloop *c);

/* Aborts every running transfer (each done callback runs with CURLE_ABORTED_BY_CALLBACK), closes
 * every libuv handle and frees c once they are closed. NULL is allowed. */
void cv_curlloop_close(cv_curlloop *c);

#endif
