/* curlhost.h: libcurl's multi interface driven through the host's watches and timer
 * (convene/plugin.h), shared by the network notifiers. Transfers run through
 * curl_multi_socket_action, one host watch per socket and one host timer for curl's timeout, so
 * nothing blocks the daemon's loop. It owns the multi handle, the watches and the timer; it never
 * owns the easy handles it is given (they come back through the done callback). */
#ifndef NOTIFY_CURLHOST_H
#define NOTIFY_CURLHOST_H

#include <convene/plugin.h>
#include <curl/curl.h>

typedef struct curlhost curlhost;

/* Called on the loop thread when a transfer finished, with curl's result. The easy handle is
 * already out of the multi handle; the callback owns it again. */
typedef void (*curlhost_done)(CURL *easy, CURLcode result, void *arg);

/* A driver for the plugin ctx; NULL when out of memory. Without a loop (an admin command) it
 * exists but curlhost_add refuses. */
curlhost *curlhost_new(const cv_host_api *host, cv_plugin_ctx *ctx);

/* Starts easy; done(easy, result, arg) runs once when it ends, never from inside this call.
 * Returns 0, or a CV_PLUGIN_E* code (reason through host->error). */
int curlhost_add(curlhost *c, CURL *easy, curlhost_done done, void *arg);

/* Aborts every running transfer (each done callback runs with CURLE_ABORTED_BY_CALLBACK), frees
 * every watch and the timer, and c. NULL is allowed. */
void curlhost_free(curlhost *c);

/* The idempotency id of a notification key: the first 32 hex digits of SHA-256(key), in
 * out[33]. The Message-ID and Idempotency-Key derive from it. */
void curlhost_idem(const char *key, char out[33]);

#endif
