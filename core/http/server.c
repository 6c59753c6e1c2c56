/* server.c: libmicrohttpd driven by the daemon's loop. MHD's epoll descriptor is watched by a
 * uv_poll and MHD_run is called when it is readable or when MHD_get_timeout's timer fires; MHD
 * has no thread. Every request is bounded: the head's bytes (MHD's connection memory), its
 * arrival time (header_timeout, from a sweep that shuts slow sockets down), the body's bytes and
 * arrival (request_timeout), idleness (MHD's timeout), connections per IP and in all. Work too
 * long for the loop goes to the thread pool while the connection is suspended. */
#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/log.h"
#include "store/journal.h"
#include "http/api.h"
#include "web/routes.h"
#include "web/web.h"
#include "http/listen.h"
#include "http/upload.h"

#define SWEEP_MS     200
#define HEARTBEAT_MS 15000
#define CHAIN_MAX    16 /* organisations from an event's up to the root (the tree's depth) */
#define STREAM_BATCH 64 /* events a stream reads from the store per call, so none hogs the loop */

const cv_http_setting cv_http_settings[] = {
    {"http.listen", "listen", "HOST:PORT or unix:PATH to serve HTTP on", 0, 0, 0},
    {"http.max_connections", "max-connections", "open connections in all", 1024, 1, 100000},
    {"http.max_per_ip", "max-per-ip", "open connections from one address", 64, 1, 100000},
    {"http.header_timeout", "header-timeout", "seconds to send a request's head", 10, 1, 3600},
    {"http.request_timeout", "request-timeout", "seconds to send a request's body", 60, 1, 3600},
    {"http.idle_timeout", "idle-timeout", "seconds a connection may stay silent", 60, 1, 86400},
    {"http.header_bytes", "header-bytes", "bytes of a request's head", 16384, 4096, 1048576},
    {"http.request_deadline_ms", "request-deadline-ms",
     "milliseconds a request's work on the thread pool may take (then 503)", 10000, 100, 3600000},
    {NULL, NULL, NULL, 0, 0, 0},
};

enum {
    S_LISTEN,
    S_MAX_CONN,
    S_PER_IP,
    S_HEADER_T,
    S_REQUEST_T,
    S_IDLE_T,
    S_HEADER_B,
    S_DEADLINE,
    S_COUNT
};

/* A connection as the sweep sees it: when it began waiting for what it must send next. */
typedef struct conn {
    struct conn *prev, *next;
    int fd;
    enum { C_HEAD, C_BODY, C_ANSWER } phase;
    uint64_t since; /* uv_now when the phase began */
} conn;

/* A Server-Sent Events stream: where it is in the journal and what it may see. It is suspended
 * whenever it has nothing to send and resumed by a new event it may see or its heartbeat. */
typedef struct stream {
    struct stream *prev, *next;
    struct server *srv;
    struct MHD_Connection *c;
    int64_t cursor; /* the last event read (sent or skipped) */
    cv_http_scope scope;
    uint64_t heartbeat_at; /* uv_now */
    int suspended;
    int ended;  /* who may see what has changed: the stream ends, and the client reconnects */
    char *pend; /* an event's text that did not fit in MHD's buffer yet */
    size_t pend_len, pend_off;
} stream;

/* A request's work on the thread pool. It owns the response the work writes and outlives the
 * request: past the deadline the request is answered 503 and let go (x set to NULL), and the
 * work's late answer is dropped when it finishes. */
typedef struct job {
    struct job *prev, *next;
    uv_work_t work;
    struct server *srv;
    struct exchange *x; /* the request waiting for it, or NULL once answered without it */
    cv_http_resp resp;
    uint64_t deadline; /* uv_now */
} job;

typedef struct server {
    cv_daemon *d;
    struct MHD_Daemon *mhd;
    uv_poll_t poll;
    uv_timer_t tick, sweep;
    int open_handles, inflight, stopping;
    long long nconns;
    char listen[CV_HTTP_LISTEN_MAX + 1];
    long long v[S_COUNT];
    conn conns;     /* list head */
    stream streams; /* list head */
    uv_timer_t heartbeat;
    job jobs; /* list head: the work out on the thread pool */
    cv_api api;
} server;

/* One request: its body as it arrives and its response. */
typedef struct exchange {
    server *srv;
    struct MHD_Connection *c;
    conn *k;
    char *body;
    size_t len, max;
    int too_big;
    char peer[INET6_ADDRSTRLEN];
    cv_http_resp resp;
    job *job;      /* its work on the thread pool, while it waits for it */
    cv_upload *up; /* a multipart body carrying a file (upload.h), else NULL */
} exchange;

static void run_mhd(server *s);

__attribute__((format(printf, 2, 0))) static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\n")] = '\0';
    cv_log(CV_LOG_WARN, "http", NULL, "%s", msg);
}

static const char *header_of(void *ctx, const char *name)
{
    return MHD_lookup_connection_value(((exchange *)ctx)->c, MHD_HEADER_KIND, name);
}

static const char *query_of(void *ctx, const char *name)
{
    return MHD_lookup_connection_value(((exchange *)ctx)->c, MHD_GET_ARGUMENT_KIND, name);
}

static void peer_of(struct MHD_Connection *c, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    snprintf(out, cap, "unix");
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)cap);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)cap);
}

/* Hands x's response to MHD (the body's ownership goes with it). */
static enum MHD_Result send_resp(exchange *x)
{
    cv_http_resp *r = &x->resp;
    struct MHD_Response *m =
        MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
    if (!m)
        return MHD_NO;
    r->body = NULL;
    if (r->content_type)
        MHD_add_response_header(m, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    MHD_add_response_header(m, "X-Content-Type-Options", "nosniff");
    for (int i = 0; i < r->nheaders; i++)
        MHD_add_response_header(m, r->headers[i].name, r->headers[i].value);
    enum MHD_Result rc = MHD_queue_response(x->c, (unsigned)r->status, m);
    MHD_destroy_response(m);
    if (x->k) {
        x->k->phase = C_ANSWER;
        x->k->since = uv_now(cv_daemon_loop(x->srv->d));
    }
    return rc;
}

static enum MHD_Result send_problem(exchange *x, int status, const char *detail)
{
    cv_http_resp_problem(&x->resp, status, detail);
    return send_resp(x);
}

/* chain[0] = org, then its ancestors up to the root; the count (0 for org 0). */
static int org_chain(cv_store *st, int64_t org, int64_t chain[CHAIN_MAX])
{
    cv_err e;
    int n = 0;
    sqlite3_stmt *q = cv_store_prepare(st, "SELECT parent_id FROM orgs WHERE id = ?1", &e);
    while (q && org > 0 && n < CHAIN_MAX) {
        chain[n++] = org;
        sqlite3_bind_int64(q, 1, org);
        org = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
        sqlite3_reset(q);
    }
    return n;
}

static int stream_sees(stream *st, const cv_event *ev)
{
    int64_t chain[CHAIN_MAX];
    return cv_http_scope_sees(&st->scope, chain, org_chain(st->srv->api.store, ev->org_id, chain));
}

/* The event as one SSE message: its id (for Last-Event-ID), its type, and the event as JSON. */
static int stream_format(stream *st, const cv_event *ev)
{
    json_t *j = json_pack("{s:I, s:s, s:I, s:O}", "id", (json_int_t)ev->id, "type", ev->type, "at",
                          (json_int_t)ev->at, "data", ev->data);
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    if (!text)
        return -1;
    size_t cap = strlen(text) + strlen(ev->type) + 64;
    st->pend = malloc(cap);
    if (st->pend)
        st->pend_len = (size_t)snprintf(st->pend, cap, "id: %lld\nevent: %s\ndata: %s\n\n",
                                        (long long)ev->id, ev->type, text);
    st->pend_off = 0;
    free(text);
    return st->pend ? 0 : -1;
}

static size_t stream_drain(stream *st, char *buf, size_t max)
{
    if (!st->pend)
        return 0;
    size_t n = st->pend_len - st->pend_off < max ? st->pend_len - st->pend_off : max;
    memcpy(buf, st->pend + st->pend_off, n);
    st->pend_off += n;
    if (st->pend_off == st->pend_len) {
        free(st->pend);
        st->pend = NULL;
    }
    return n;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    stream *st = cls;
    server *s = st->srv;
    size_t n = stream_drain(st, buf, max);
    if (st->ended && n == 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    cv_event ev;
    cv_err e;
    for (int i = 0; i < STREAM_BATCH && n < max && !st->pend; i++) {
        int rc = cv_journal_next(s->api.store, st->cursor, &ev, &e);
        if (rc < 0)
            return MHD_CONTENT_READER_END_WITH_ERROR;
        if (rc == 0)
            break;
        st->cursor = ev.id;
        if (stream_sees(st, &ev) && stream_format(st, &ev) < 0) {
            cv_event_clear(&ev);
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
        cv_event_clear(&ev);
        n += stream_drain(st, buf + n, max - n);
    }
    uint64_t now = uv_now(cv_daemon_loop(s->d));
    static const char beat[] = ": heartbeat\n\n";
    if (n == 0 && now >= st->heartbeat_at && max >= sizeof beat - 1) {
        memcpy(buf, beat, sizeof beat - 1);
        n = sizeof beat - 1;
    }
    if (n > 0) {
        st->heartbeat_at = now + HEARTBEAT_MS;
        return (ssize_t)n;
    }
    st->suspended = 1;
    MHD_suspend_connection(st->c);
    return 0;
}

static void stream_free(void *cls)
{
    stream *st = cls;
    st->prev->next = st->next;
    st->next->prev = st->prev;
    free(st->pend);
    free(st);
}

static void stream_resume(stream *st)
{
    if (st->suspended) {
        st->suspended = 0;
        MHD_resume_connection(st->c);
    }
}

/* Answers x with an event stream after resp.stream_after. */
static enum MHD_Result send_stream(exchange *x)
{
    server *s = x->srv;
    stream *st = calloc(1, sizeof *st);
    struct MHD_Response *m =
        st ? MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read, st, stream_free)
           : NULL;
    if (!m) {
        free(st);
        return MHD_NO;
    }
    st->srv = s;
    st->c = x->c;
    st->cursor = x->resp.stream_after;
    st->scope = x->resp.scope;
    st->heartbeat_at = uv_now(cv_daemon_loop(s->d)) + HEARTBEAT_MS;
    st->next = s->streams.next;
    st->prev = &s->streams;
    s->streams.next->prev = st;
    s->streams.next = st;
    MHD_add_response_header(m, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
    MHD_add_response_header(m, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    MHD_add_response_header(m, "X-Accel-Buffering", "no");
    enum MHD_Result rc = MHD_queue_response(x->c, MHD_HTTP_OK, m);
    MHD_destroy_response(m);
    if (x->k)
        x->k->phase = C_ANSWER;
    return rc;
}

/* Whether ev changes who may see what (a grant, an account, a token or a session changed). */
static int changes_access(const cv_event *ev)
{
    static const char *const types[] = {"grant.added",      "grant.ended",   "account.updated",
                                        "account.password", "token.revoked", "session.closed"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(ev->type, types[i]) == 0)
            return 1;
    return 0;
}

/* A new event: wakes the streams that may see it; the others skip it without a store read. An
 * event that changes access ends every stream (after what it has been sent): each client
 * reconnects with Last-Event-ID and is checked again, so a revoked token or an ended grant stops
 * seeing at once. Such events are rare. */
static void http_on_event(cv_daemon *d, void *state, const cv_event *ev)
{
    (void)d;
    server *s = state;
    int64_t chain[CHAIN_MAX];
    int n = -1, woke = 0, end_all = changes_access(ev);
    if (!s || s->stopping)
        return;
    for (stream *st = s->streams.next; st != &s->streams; st = st->next) {
        if (end_all) {
            st->ended = 1;
            stream_resume(st);
            woke = 1;
            continue;
        }
        if (!st->suspended || st->cursor >= ev->id)
            continue;
        if (n < 0)
            n = org_chain(s->api.store, ev->org_id, chain);
        if (cv_http_scope_sees(&st->scope, chain, n)) {
            stream_resume(st);
            woke = 1;
        } else {
            st->cursor = ev->id;
        }
    }
    if (woke)
        run_mhd(s);
}

static void on_heartbeat(uv_timer_t *t)
{
    server *s = t->data;
    uint64_t now = uv_now(cv_daemon_loop(s->d));
    for (stream *st = s->streams.next; st != &s->streams; st = st->next)
        if (st->suspended && now >= st->heartbeat_at)
            stream_resume(st);
    run_mhd(s);
}

static void work_run(uv_work_t *w)
{
    job *j = w->data;
    j->resp.work(j->resp.work_arg, &j->resp);
}

static void maybe_free(server *s);

/* Answers x, suspended while its work ran, with its response and lets it go on. */
static void resume_with(exchange *x)
{
    x->job = NULL;
    send_resp(x);
    MHD_resume_connection(x->c);
}

static void work_done(uv_work_t *w, int status)
{
    job *j = w->data;
    server *s = j->srv;
    s->inflight--;
    j->prev->next = j->next;
    j->next->prev = j->prev;
    j->resp.work = NULL;
    if (status != 0)
        cv_http_resp_problem(&j->resp, 503, "the server is shutting down");
    if (j->resp.after)
        j->resp.after(j->resp.work_arg, &j->resp); /* frees work_arg, even for a late answer */
    cv_daemon_poke(s->d);                          /* the work may have written events */
    if (j->x) {
        cv_http_resp_clear(&j->x->resp);
        j->x->resp = j->resp;
        resume_with(j->x);
    } else {
        cv_http_resp_clear(&j->resp); /* late: its request was answered 503 at the deadline */
    }
    free(j);
    if (s->stopping)
        maybe_free(s);
    else
        run_mhd(s);
}

/* Answers 503 to the requests whose work has passed the deadline; the work goes on and its
 * answer is dropped (a change it makes stays made: a retry with the same Idempotency-Key is
 * safe). */
static void expire_jobs(server *s, uint64_t now)
{
    int woke = 0;
    for (job *j = s->jobs.next; j != &s->jobs; j = j->next) {
        if (!j->x || now < j->deadline)
            continue;
        exchange *x = j->x;
        j->x = NULL;
        cv_http_resp_problem(&x->resp, 503,
                             "the request's work took longer than its deadline; try again");
        cv_http_resp_header(&x->resp, "Retry-After", "%d", 1);
        resume_with(x);
        woke = 1;
    }
    if (woke)
        run_mhd(s);
}

/* Runs the API on a fully received request. */
static enum MHD_Result answer(exchange *x, const char *url, const char *method)
{
    if (x->too_big) {
        char msg[96];
        snprintf(msg, sizeof msg, "the request body is larger than %zu bytes", x->max);
        return send_problem(x, 413, msg);
    }
    /* Before the store's check at start has passed (or after it failed), only reads. */
    const char *read_only = cv_daemon_read_only(x->srv->d);
    if (read_only && strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
        strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
        return send_problem(x, 503, read_only);
    cv_http_req req = {.method = method,
                       .path = url,
                       .header = header_of,
                       .query = query_of,
                       .ctx = x,
                       .body = x->body,
                       .body_len = x->len,
                       .peer = x->peer};
    if (x->up && cv_upload_request(x->up, &req, &x->resp) < 0)
        return send_resp(x);
    if (strncmp(url, "/api/", 5) == 0)
        cv_api_handle(&x->srv->api, &req, &x->resp);
    else
        cv_web_handle(&x->srv->api, &req, &x->resp); /* the dashboard's pages */
    if (x->resp.stream)
        return send_stream(x);
    if (!x->resp.work)
        return send_resp(x);
    server *s = x->srv;
    job *j = calloc(1, sizeof *j);
    if (!j) {
        x->resp.work(x->resp.work_arg, &x->resp); /* too little memory to wait: done here */
        x->resp.work = NULL;
        if (x->resp.after)
            x->resp.after(x->resp.work_arg, &x->resp);
        return send_resp(x);
    }
    *j = (job){.srv = s, .x = x, .resp = x->resp};
    j->deadline = uv_now(cv_daemon_loop(s->d)) + (uint64_t)s->v[S_DEADLINE];
    j->work.data = j;
    memset(&x->resp, 0, sizeof x->resp);
    x->job = j;
    j->next = s->jobs.next;
    j->prev = &s->jobs;
    s->jobs.next->prev = j;
    s->jobs.next = j;
    MHD_suspend_connection(x->c);
    s->inflight++;
    if (x->k)
        x->k->phase = C_ANSWER;
    uv_queue_work(cv_daemon_loop(s->d), &j->work, work_run, work_done);
    return MHD_YES;
}

/* Whether an upload (or a multipart body for no operation) is refused from its head alone, before
 * a byte of its body is read or written: the caller (api.h) and then the operation (404). */
static int refused_early(exchange *x, const char *url, int unknown)
{
    cv_http_req req = {.method = MHD_HTTP_METHOD_POST,
                       .path = url,
                       .header = header_of,
                       .query = query_of,
                       .ctx = x,
                       .peer = x->peer};
    int page = cv_web_upload_op(url) != NULL;
    if (cv_api_upload_allowed(&x->srv->api, &req, page, &x->resp) < 0)
        return 1;
    if (!unknown)
        return 0;
    cv_http_resp_problem(&x->resp, 404, "no such operation (GET /api/v1/openapi.json lists them)");
    return 1;
}

/* The first call for a request (its head is in): bounds the body from Content-Length. */
static enum MHD_Result begin(server *s, struct MHD_Connection *c, const char *url,
                             const char *method, void **cls)
{
    exchange *x = calloc(1, sizeof *x);
    if (!x)
        return MHD_NO;
    *cls = x;
    x->srv = s;
    x->c = c;
    int unknown;
    x->up = cv_upload_begin(c, url, method, &unknown);
    x->max = x->up ? cv_upload_max() : cv_api_body_max();
    peer_of(c, x->peer, sizeof x->peer);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    x->k = ci ? ci->socket_context : NULL;
    if (x->k) {
        x->k->phase = C_BODY;
        x->k->since = uv_now(cv_daemon_loop(s->d));
    }
    if ((x->up || unknown) && refused_early(x, url, unknown)) {
        cv_upload_free(x->up); /* nothing more of the body is kept or written */
        x->up = NULL;
        x->too_big = 1;
        return send_resp(x);
    }
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    if (cl && strtoull(cl, NULL, 10) > x->max) {
        x->too_big = 1;
        return answer(x, url, MHD_HTTP_METHOD_POST);
    }
    return MHD_YES;
}

/* Takes a part of the body, keeping at most x->max bytes (past that it is counted, not kept). */
static void take_body(exchange *x, const char *data, size_t n)
{
    if (x->too_big || n > x->max - x->len) {
        x->too_big = 1;
        return;
    }
    char *b = realloc(x->body, x->len + n);
    if (!b) {
        x->too_big = 1;
        return;
    }
    memcpy(b + x->len, data, n);
    x->body = b;
    x->len += n;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls)
{
    (void)version;
    exchange *x = *req_cls;
    if (!x)
        return begin(cls, c, url, method, req_cls);
    if (*upload_size) {
        if (!x->up)
            take_body(x, upload, *upload_size);
        else if (cv_upload_feed(x->up, upload, *upload_size) < 0)
            x->too_big = 1;
        *upload_size = 0;
        return MHD_YES;
    }
    return answer(x, url, method);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)c;
    (void)toe;
    server *s = cls;
    exchange *x = *req_cls;
    if (!x)
        return;
    if (x->job)
        x->job->x = NULL; /* its work's answer, if it comes, is dropped */
    if (x->k) {
        x->k->phase = C_HEAD;
        x->k->since = uv_now(cv_daemon_loop(s->d));
    }
    free(x->body);
    cv_upload_free(x->up);
    cv_http_resp_clear(&x->resp);
    free(x);
    *req_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    server *s = cls;
    conn *k = *socket_context;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        k = calloc(1, sizeof *k);
        if (!k)
            return;
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        k->fd = ci ? ci->connect_fd : -1;
        k->since = uv_now(cv_daemon_loop(s->d));
        s->nconns++;
        k->next = s->conns.next;
        k->prev = &s->conns;
        s->conns.next->prev = k;
        s->conns.next = k;
        *socket_context = k;
    } else if (k) {
        s->nconns--;
        k->prev->next = k->next;
        k->next->prev = k->prev;
        free(k);
        *socket_context = NULL;
    }
}

/* Refuses a connection past http.max_connections at once (closed unanswered) rather than leaving
 * it in the listen backlog, which is what MHD's own limit does. */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t len)
{
    (void)addr;
    (void)len;
    server *s = cls;
    return s->nconns < s->v[S_MAX_CONN] ? MHD_YES : MHD_NO;
}

/* Shuts down the sockets that are too slow to send their head or body; MHD then sees the end
 * of the stream and closes them on its next run. */
static void on_sweep(uv_timer_t *t)
{
    server *s = t->data;
    uint64_t now = uv_now(cv_daemon_loop(s->d));
    uint64_t head_ms = (uint64_t)s->v[S_HEADER_T] * 1000,
             body_ms = (uint64_t)s->v[S_REQUEST_T] * 1000;
    expire_jobs(s, now);
    for (conn *k = s->conns.next; k != &s->conns; k = k->next) {
        uint64_t limit = k->phase == C_HEAD ? head_ms : k->phase == C_BODY ? body_ms : 0;
        if (limit && now - k->since > limit && k->fd >= 0) {
            shutdown(k->fd, SHUT_RDWR);
            k->fd = -1;
        }
    }
}

static void on_tick(uv_timer_t *t)
{
    run_mhd(t->data);
}

static void on_ready(uv_poll_t *p, int status, int events)
{
    (void)status;
    (void)events;
    run_mhd(p->data);
}

static void run_mhd(server *s)
{
    if (s->stopping)
        return;
    MHD_run(s->mhd);
    MHD_UNSIGNED_LONG_LONG ms;
    if (MHD_get_timeout(s->mhd, &ms) == MHD_YES)
        uv_timer_start(&s->tick, on_tick, ms, 0);
    else
        uv_timer_stop(&s->tick);
}

/* Reads setting i from the command line or the store into s->v (numbers) or s->listen. */
static int read_setting(server *s, int i, cv_err *e)
{
    const cv_http_setting *st = &cv_http_settings[i];
    char buf[CV_HTTP_LISTEN_MAX + 1];
    if (cv_daemon_setting(s->d, st->key, buf, sizeof buf) < 0) {
        s->v[i] = st->def;
        return 0;
    }
    if (st->min == 0 && st->max == 0) {
        snprintf(s->listen, sizeof s->listen, "%s", buf);
        return 0;
    }
    char *end;
    long long v = strtoll(buf, &end, 10);
    if (!*buf || *end || v < st->min || v > st->max)
        return cv_err_set(e, CV_EINVAL, "%s must be a whole number between %lld and %lld", st->key,
                          st->min, st->max);
    s->v[i] = v;
    return 0;
}

static struct MHD_Daemon *start_mhd(server *s, int fd)
{
    /* The logger comes first so that MHD reports even its option errors through it. MHD's own
     * connection limit stays one above ours, so that on_accept is the one that refuses. */
    return MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, 0,
                            on_accept, s, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s,
                            MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                            (size_t)s->v[S_HEADER_B], MHD_OPTION_CONNECTION_LIMIT,
                            (unsigned)s->v[S_MAX_CONN] + 1, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                            (unsigned)s->v[S_PER_IP], MHD_OPTION_CONNECTION_TIMEOUT,
                            (unsigned)s->v[S_IDLE_T], MHD_OPTION_NOTIFY_CONNECTION, on_connection,
                            s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
}

static void on_closed(uv_handle_t *h)
{
    server *s = h->data;
    s->open_handles--;
    maybe_free(s);
}

/* Frees the server once its handles are closed and no work is out on the thread pool. */
static void maybe_free(server *s)
{
    if (s->open_handles > 0 || s->inflight > 0)
        return;
    for (stream *st = s->streams.next; st != &s->streams; st = st->next)
        stream_resume(st); /* MHD stops only with no connection suspended */
    if (s->mhd)
        MHD_stop_daemon(s->mhd);
    cv_http_unlisten(s->listen);
    cv_api_close(&s->api);
    free(s);
}

static void http_stop(cv_daemon *d, void *state)
{
    (void)d;
    server *s = state;
    if (!s)
        return;
    s->stopping = 1;
    uv_close((uv_handle_t *)&s->poll, on_closed);
    uv_close((uv_handle_t *)&s->tick, on_closed);
    uv_close((uv_handle_t *)&s->sweep, on_closed);
    uv_close((uv_handle_t *)&s->heartbeat, on_closed);
}

static int http_start(cv_daemon *d, void **state, cv_err *e)
{
    server *s = calloc(1, sizeof *s);
    int fd = -1;
    if (!s)
        return cv_err_set(e, CV_ENOMEM, "out of memory");
    s->d = d;
    s->conns.next = s->conns.prev = &s->conns;
    s->streams.next = s->streams.prev = &s->streams;
    s->jobs.next = s->jobs.prev = &s->jobs;
    for (int i = 0; i < S_COUNT; i++)
        if (read_setting(s, i, e) < 0) {
            free(s);
            return e->code;
        }
    if (!*s->listen) {
        free(s); /* not asked to serve HTTP */
        return 0;
    }
    if (cv_http_listen(s->listen, &fd, e) < 0) {
        free(s);
        return e->code;
    }
    s->mhd = start_mhd(s, fd);
    const union MHD_DaemonInfo *info =
        s->mhd ? MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
    if (!info) {
        if (s->mhd)
            MHD_stop_daemon(s->mhd);
        else
            close(fd);
        cv_err_set(e, CV_EIO, "cannot start the HTTP server on %s", s->listen);
        cv_http_unlisten(s->listen);
        free(s);
        return e->code;
    }
    s->api.store = cv_daemon_store(d);
    s->api.db_path = cv_daemon_db_path(d);
    uv_loop_t *loop = cv_daemon_loop(d);
    uv_poll_init(loop, &s->poll, info->epoll_fd);
    uv_timer_init(loop, &s->tick);
    uv_timer_init(loop, &s->sweep);
    uv_timer_init(loop, &s->heartbeat);
    s->poll.data = s->tick.data = s->sweep.data = s->heartbeat.data = s;
    s->open_handles = 4;
    uv_poll_start(&s->poll, UV_READABLE, on_ready);
    uv_timer_start(&s->sweep, on_sweep, SWEEP_MS, SWEEP_MS);
    uv_timer_start(&s->heartbeat, on_heartbeat, HEARTBEAT_MS / 3, HEARTBEAT_MS / 3);
    run_mhd(s);
    cv_log(CV_LOG_INFO, "http", json_pack("{s:s}", "listen", s->listen), "serving HTTP on %s",
           s->listen);
    *state = s;
    return 0;
}

const cv_service cv_http_service = {
    .name = "http",
    .start = http_start,
    .on_event = http_on_event,
    .stop = http_stop,
    .before_check = 1,
};
