/* server_int.h: what server.c (MHD on the loop, requests, their work on the thread pool) and
 * stream.c (the Server-Sent Events streams) share: the server's state. Not for use outside
 * core/http/server.c and stream.c. */
#ifndef CV_HTTP_SERVER_INT_H
#define CV_HTTP_SERVER_INT_H

#include <arpa/inet.h>
#include <microhttpd.h>

#include "http/api.h"
#include "http/listen.h"
#include "http/server.h"
#include "http/upload.h"
#include "store/journal.h"

#define HEARTBEAT_MS 15000 /* a silent stream sends a comment this often */

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

/* Answers x with an event stream after resp.stream_after (the stream then belongs to MHD). */
enum MHD_Result cv_http_stream_send(exchange *x);

/* Wakes the suspended streams of s that may see ev, or every stream when ev changes who may see
 * what (they end); whether any woke (MHD should run). */
int cv_http_stream_wake(server *s, const cv_event *ev);

/* Wakes the suspended streams whose heartbeat is due at now (uv_now). */
void cv_http_stream_beat(server *s, uint64_t now);

/* Lets a suspended stream's connection go on. */
void cv_http_stream_resume(stream *st);

#endif
