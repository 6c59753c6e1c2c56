/* stream.c: the HTTP server's Server-Sent Events streams (GET /api/events): each reads the
 * journal after its cursor, sends the events its caller's scope may see and skips the rest, and
 * is suspended while it has nothing to send, woken by a new event it may see or its heartbeat.
 * It never reads the store for an event no stream may see, nor holds the loop longer than
 * STREAM_BATCH events. */
#include "http/server_int.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/journal.h"

#define CHAIN_MAX    16 /* organisations from an event's up to the root (the tree's depth) */
#define STREAM_BATCH 64 /* events a stream reads from the store per call, so none hogs the loop */

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

void cv_http_stream_resume(stream *st)
{
    if (st->suspended) {
        st->suspended = 0;
        MHD_resume_connection(st->c);
    }
}

/* Answers x with an event stream after resp.stream_after. */
enum MHD_Result cv_http_stream_send(exchange *x)
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
int cv_http_stream_wake(server *s, const cv_event *ev)
{
    int64_t chain[CHAIN_MAX];
    int n = -1, woke = 0, end_all = changes_access(ev);
    for (stream *st = s->streams.next; st != &s->streams; st = st->next) {
        if (end_all) {
            st->ended = 1;
            cv_http_stream_resume(st);
            woke = 1;
            continue;
        }
        if (!st->suspended || st->cursor >= ev->id)
            continue;
        if (n < 0)
            n = org_chain(s->api.store, ev->org_id, chain);
        if (cv_http_scope_sees(&st->scope, chain, n)) {
            cv_http_stream_resume(st);
            woke = 1;
        } else {
            st->cursor = ev->id;
        }
    }
    return woke;
}

void cv_http_stream_beat(server *s, uint64_t now)
{
    for (stream *st = s->streams.next; st != &s->streams; st = st->next)
        if (st->suspended && now >= st->heartbeat_at)
            cv_http_stream_resume(st);
}
