/* server.c: libmicrohttpd driven by the daemon's loop. MHD's epoll descriptor is watched by a
 * uv_poll and MHD_run is called when it is readable or when MHD_get_timeout's timer fires; MHD
 * has no thread. Every request is bounded: the head's bytes (MHD's connection memory), its
 * arrival time (header_timeout, from a sweep that shuts slow sockets down), the body's bytes and
 * arrival (request_timeout), idleness (MHD's timeout), connections per IP and in all. Work too
 * long for the loop goes to the thread pool while the connection is suspended. Event streams are
 * stream.c's. */
#include "http/server_int.h"

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

#define SWEEP_MS 200

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

/* A new event wakes the streams that may see it (stream.c). */
static void http_on_event(cv_daemon *d, void *state, const cv_event *ev)
{
    (void)d;
    server *s = state;
    if (s && !s->stopping && cv_http_stream_wake(s, ev))
        run_mhd(s);
}

static void on_heartbeat(uv_timer_t *t)
{
    server *s = t->data;
    cv_http_stream_beat(s, uv_now(cv_daemon_loop(s->d)));
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
        return cv_http_stream_send(x);
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
        cv_http_stream_resume(st); /* MHD stops only with no connection suspended */
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
