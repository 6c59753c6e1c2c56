/* curlhost.c: libcurl multi on the host's watches and timer (the pattern of curl's
 * docs/examples/multi-uv.c, through convene/plugin.h instead of the raw loop). It must never
 * call a blocking curl function (curl_easy_perform) and never touch the loop itself. */
#include "curlhost.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

typedef struct transfer {
    struct transfer *next;
    CURL *easy;
    curlhost_done done;
    void *arg;
} transfer;

typedef struct sock {
    struct sock *next, **pprev; /* the driver's list of watched sockets */
    cv_plugin_watch *watch;
    curl_socket_t fd;
    curlhost *c;
} sock;

struct curlhost {
    const cv_host_api *host;
    cv_plugin_ctx *ctx;
    CURLM *multi;
    cv_plugin_timer *timer; /* NULL without a loop */
    transfer *transfers;
    sock *socks;
};

/* Unlinks the transfer of easy and returns it (NULL if unknown). */
static transfer *take_transfer(curlhost *c, CURL *easy)
{
    for (transfer **p = &c->transfers; *p; p = &(*p)->next)
        if ((*p)->easy == easy) {
            transfer *t = *p;
            *p = t->next;
            return t;
        }
    return NULL;
}

static void finish(curlhost *c, CURL *easy, CURLcode result)
{
    curl_multi_remove_handle(c->multi, easy);
    transfer *t = take_transfer(c, easy);
    if (t) {
        t->done(easy, result, t->arg);
        free(t);
    }
}

/* Hands every finished transfer back to its owner. */
static void reap(curlhost *c)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(c->multi, &left)))
        if (m->msg == CURLMSG_DONE)
            finish(c, m->easy_handle, m->data.result);
}

static void on_ready(void *arg, int fd, int events, int status)
{
    sock *k = arg;
    curlhost *c = k->c;
    int flags = status < 0 ? CURL_CSELECT_ERR : 0, running;
    if (events & CV_PLUGIN_READABLE)
        flags |= CURL_CSELECT_IN;
    if (events & CV_PLUGIN_WRITABLE)
        flags |= CURL_CSELECT_OUT;
    curl_multi_socket_action(c->multi, fd, flags, &running);
    reap(c);
}

static void on_timeout(void *arg)
{
    curlhost *c = arg;
    int running;
    curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    reap(c);
}

/* CURLMOPT_TIMERFUNCTION: curl asks to be called back after timeout_ms (-1: cancel). It must
 * not call socket_action from here, so even 0 goes through the timer. */
static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    curlhost *c = userp;
    if (timeout_ms < 0)
        c->host->timer_stop(c->timer);
    else
        c->host->timer_start(c->timer, (uint64_t)timeout_ms, 0);
    return 0;
}

/* Stops watching k's socket (curl closes it afterwards) and frees k. */
static void unwatch(sock *k)
{
    *k->pprev = k->next;
    if (k->next)
        k->next->pprev = k->pprev;
    k->c->host->watch_free(k->watch);
    free(k);
}

static sock *watch(curlhost *c, curl_socket_t fd)
{
    sock *k = calloc(1, sizeof *k);
    if (!k || !(k->watch = c->host->watch_new(c->ctx, fd, on_ready, k))) {
        free(k);
        return NULL;
    }
    k->fd = fd;
    k->c = c;
    k->next = c->socks;
    k->pprev = &c->socks;
    if (c->socks)
        c->socks->pprev = &k->next;
    c->socks = k;
    curl_multi_assign(c->multi, fd, k);
    return k;
}

/* CURLMOPT_SOCKETFUNCTION: curl tells us which events to watch on a socket. */
static int on_curl_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void)easy;
    curlhost *c = userp;
    sock *k = socketp;
    if (what == CURL_POLL_REMOVE) {
        if (k) {
            curl_multi_assign(c->multi, fd, NULL);
            unwatch(k);
        }
        return 0;
    }
    if (!k && !(k = watch(c, fd)))
        return -1;
    int events = ((what & CURL_POLL_IN) ? CV_PLUGIN_READABLE : 0) |
                 ((what & CURL_POLL_OUT) ? CV_PLUGIN_WRITABLE : 0);
    return c->host->watch_set(k->watch, events) < 0 ? -1 : 0;
}

curlhost *curlhost_new(const cv_host_api *host, cv_plugin_ctx *ctx)
{
    curlhost *c = calloc(1, sizeof *c);
    if (!c || !(c->multi = curl_multi_init())) {
        free(c);
        return NULL;
    }
    c->host = host;
    c->ctx = ctx;
    c->timer = host->timer_new(ctx, on_timeout, c);
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
    return c;
}

int curlhost_add(curlhost *c, CURL *easy, curlhost_done done, void *arg)
{
    if (!c->timer)
        return c->host->error(c->ctx, CV_PLUGIN_EUNAVAIL, "network delivery needs `convene run`");
    transfer *t = calloc(1, sizeof *t);
    if (!t)
        return c->host->error(c->ctx, CV_PLUGIN_ENOMEM, "out of memory");
    *t = (transfer){.next = c->transfers, .easy = easy, .done = done, .arg = arg};
    CURLMcode rc = curl_multi_add_handle(c->multi, easy);
    if (rc != CURLM_OK) {
        free(t);
        return c->host->error(c->ctx, CV_PLUGIN_EIO, "curl: %s", curl_multi_strerror(rc));
    }
    c->transfers = t;
    return 0;
}

void curlhost_free(curlhost *c)
{
    if (!c)
        return;
    while (c->transfers)
        finish(c, c->transfers->easy, CURLE_ABORTED_BY_CALLBACK);
    curl_multi_cleanup(c->multi);
    while (c->socks) /* sockets curl did not hand back while cleaning up */
        unwatch(c->socks);
    if (c->timer)
        c->host->timer_free(c->timer);
    free(c);
}

void curlhost_idem(const char *key, char out[33])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)key, strlen(key));
    sodium_bin2hex(out, 33, h, 16);
}
