/* curlloop.c: libcurl multi on libuv (the pattern of curl's docs/examples/multi-uv.c). Owns the
 * multi handle, one uv_poll per socket curl asks us to watch and one uv_timer; it must never call
 * a blocking curl function (curl_easy_perform, curl_multi_perform loops) on the loop. */
#include "notify/curlloop.h"

#include <stdlib.h>

typedef struct transfer {
    struct transfer *next;
    CURL *easy;
    cv_curlloop_done done;
    void *arg;
} transfer;

typedef struct sock {
    uv_poll_t poll;
    struct sock *next, **pprev; /* the driver's list of watched sockets */
    curl_socket_t fd;
    cv_curlloop *c;
} sock;

struct cv_curlloop {
    uv_loop_t *loop;
    CURLM *multi;
    uv_timer_t timer;
    transfer *transfers;
    struct sock *socks;
    int running;
    int handles_open; /* libuv handles not yet closed: c is freed when this reaches 0 */
    int closing;
};

static void maybe_free(cv_curlloop *c)
{
    if (c->closing && c->handles_open == 0)
        free(c);
}

static void on_sock_closed(uv_handle_t *h)
{
    sock *k = h->data;
    cv_curlloop *c = k->c;
    free(k);
    c->handles_open--;
    maybe_free(c);
}

static void on_timer_closed(uv_handle_t *h)
{
    cv_curlloop *c = h->data;
    c->handles_open--;
    maybe_free(c);
}

/* Unlinks the transfer of easy and returns it (NULL if unknown). */
static transfer *take_transfer(cv_curlloop *c, CURL *easy)
{
    for (transfer **p = &c->transfers; *p; p = &(*p)->next)
        if ((*p)->easy == easy) {
            transfer *t = *p;
            *p = t->next;
            c->running--;
            return t;
        }
    return NULL;
}

static void finish(cv_curlloop *c, CURL *easy, CURLcode result)
{
    curl_multi_remove_handle(c->multi, easy);
    transfer *t = take_transfer(c, easy);
    if (t) {
        t->done(easy, result, t->arg);
        free(t);
    }
}

/* Hands every finished transfer back to its owner. */
static void reap(cv_curlloop *c)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(c->multi, &left)))
        if (m->msg == CURLMSG_DONE)
            finish(c, m->easy_handle, m->data.result);
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    sock *k = h->data;
    cv_curlloop *c = k->c;
    int flags = 0, running;
    if (status < 0)
        flags = CURL_CSELECT_ERR;
    if (events & UV_READABLE)
        flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE)
        flags |= CURL_CSELECT_OUT;
    curl_multi_socket_action(c->multi, k->fd, flags, &running);
    reap(c);
}

static void on_timeout(uv_timer_t *t)
{
    cv_curlloop *c = t->data;
    int running;
    curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    reap(c);
}

/* CURLMOPT_TIMERFUNCTION: curl asks to be called back after timeout_ms (-1: cancel). It must
 * not call socket_action from here, so even 0 goes through the timer. */
static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    cv_curlloop *c = userp;
    if (timeout_ms < 0)
        uv_timer_stop(&c->timer);
    else
        uv_timer_start(&c->timer, on_timeout, (uint64_t)timeout_ms, 0);
    return 0;
}

/* Stops watching k's socket and closes its poll handle (k is freed once closed). */
static void unwatch(sock *k)
{
    *k->pprev = k->next;
    if (k->next)
        k->next->pprev = k->pprev;
    uv_poll_stop(&k->poll);
    uv_close((uv_handle_t *)&k->poll, on_sock_closed);
}

/* CURLMOPT_SOCKETFUNCTION: curl tells us which events to watch on a socket. */
static int on_curl_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void)easy;
    cv_curlloop *c = userp;
    sock *k = socketp;
    if (what == CURL_POLL_REMOVE) {
        if (k) {
            curl_multi_assign(c->multi, fd, NULL);
            unwatch(k);
        }
        return 0;
    }
    if (!k) {
        k = calloc(1, sizeof *k);
        if (!k || uv_poll_init_socket(c->loop, &k->poll, fd) != 0) {
            free(k);
            return -1;
        }
        k->fd = fd;
        k->c = c;
        k->poll.data = k;
        k->next = c->socks;
        k->pprev = &c->socks;
        if (c->socks)
            c->socks->pprev = &k->next;
        c->socks = k;
        c->handles_open++;
        curl_multi_assign(c->multi, fd, k);
    }
    int events = 0;
    if (what & CURL_POLL_IN)
        events |= UV_READABLE;
    if (what & CURL_POLL_OUT)
        events |= UV_WRITABLE;
    uv_poll_start(&k->poll, events, on_poll);
    return 0;
}

int cv_curlloop_open(uv_loop_t *loop, cv_curlloop **out, cv_err *e)
{
    cv_curlloop *c = calloc(1, sizeof *c);
    if (!c)
        return cv_err_set(e, CV_ENOMEM, "out of memory");
    c->loop = loop;
    c->multi = curl_multi_init();
    if (!c->multi) {
        free(c);
        return cv_err_set(e, CV_ENOMEM, "cannot create a curl multi handle");
    }
    uv_timer_init(loop, &c->timer);
    c->timer.data = c;
    c->handles_open = 1;
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
    *out = c;
    return 0;
}

int cv_curlloop_add(cv_curlloop *c, CURL *easy, cv_curlloop_done done, void *arg, cv_err *e)
{
    transfer *t = calloc(1, sizeof *t);
    if (!t)
        return cv_err_set(e, CV_ENOMEM, "out of memory");
    *t = (transfer){.next = c->transfers, .easy = easy, .done = done, .arg = arg};
    CURLMcode rc = curl_multi_add_handle(c->multi, easy);
    if (rc != CURLM_OK) {
        free(t);
        return cv_err_set(e, CV_EIO, "curl: %s", curl_multi_strerror(rc));
    }
    c->transfers = t;
    c->running++;
    return 0;
}

int cv_curlloop_running(const cv_curlloop *c)
{
    return c->running;
}

void cv_curlloop_close(cv_curlloop *c)
{
    if (!c)
        return;
    while (c->transfers)
        finish(c, c->transfers->easy, CURLE_ABORTED_BY_CALLBACK);
    curl_multi_cleanup(c->multi);
    while (c->socks) /* sockets curl did not hand back while cleaning up */
        unwatch(c->socks);
    c->closing = 1;
    uv_close((uv_handle_t *)&c->timer, on_timer_closed);
}
