/* notify.c: the outbox delivery service of `convene run`. It picks due rows, hands each to the
 * notifier plugin of its channel (plugin/loader.h: cv_plugin_deliver), and records each outcome
 * through deliver.c: sent, retried after a backoff, or failed with its reason. It must never
 * block the loop and never mark a row sent before its notifier confirmed the delivery
 * (DESIGN.md 3: a crash can at most repeat one delivery). */
#include "notify/notify.h"

#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "notify/deliver.h"
#include "plugin/loader.h"
#include "plugin/service.h"

#define RESCAN_MAX_MS 60000
#define INFLIGHT_MAX  1024 /* notify.concurrency's bound */

typedef struct flight {
    struct flight *next;
    struct notify *svc; /* NULL once the service stopped: the late outcome is dropped */
    cv_deliver_item item;
    int status;   /* once finished: a cv_plugin_delivery_status */
    char *reason; /* once finished: why it failed (owned) */
} flight;

typedef struct notify {
    cv_daemon *d;
    cv_store *s;
    uv_timer_t timer;
    cv_deliver_policy pol;
    flight *flights;  /* deliveries in flight */
    flight *finished; /* outcomes not yet written: one transaction records them all */
    int inflight;
    int stopping;
} notify;

static void scan(notify *svc);

static void on_timer(uv_timer_t *t)
{
    scan(t->data);
}

static void rescan_soon(notify *svc)
{
    if (!svc->stopping)
        uv_timer_start(&svc->timer, on_timer, 0, 0);
}

/* Writes the outcome of one try to its row and logs it; returns 1 if the row was given up. */
static int record(notify *svc, const cv_deliver_item *it, int status, const char *reason)
{
    cv_err e;
    int gave_up = 0, sent = status == CV_PLUGIN_SENT;
    json_t *extra = json_pack("{s:I, s:s, s:s, s:i}", "id", (json_int_t)it->id, "key", it->key,
                              "channel", it->channel, "try", it->tries + 1);
    int rc = sent ? cv_deliver_sent(svc->s, it->id, &e)
                  : cv_deliver_failed(svc->s, &svc->pol, it->id, reason,
                                      status == CV_PLUGIN_REJECTED, &gave_up, &e);
    if (rc < 0) {
        cv_log(CV_LOG_ERROR, "notify", extra, "cannot record a delivery: %s", e.msg);
        return 0;
    }
    if (!sent)
        json_object_set_new(extra, "reason", json_string(reason));
    enum cv_log_level level = sent ? CV_LOG_INFO : gave_up ? CV_LOG_ERROR : CV_LOG_WARN;
    cv_log(level, "notify", extra, "%s", sent ? "delivered" : gave_up ? "gave up" : "will retry");
    return gave_up;
}

static void flight_free(flight *f)
{
    cv_deliver_item_free(&f->item);
    free(f->reason);
    free(f);
}

/* Moves f from the deliveries in flight to the outcomes to record. */
static void finish(notify *svc, flight *f, int status, const char *reason)
{
    for (flight **p = &svc->flights; *p; p = &(*p)->next)
        if (*p == f) {
            *p = f->next;
            svc->inflight--;
            break;
        }
    f->status = status;
    f->reason = strdup(reason ? reason : "");
    f->next = svc->finished;
    svc->finished = f;
    rescan_soon(svc);
}

/* The notifier's outcome, exactly once per started delivery, on the loop thread. */
static void on_done(void *arg, int status, const char *reason)
{
    flight *f = arg;
    if (f->svc)
        finish(f->svc, f, status, reason);
    else
        flight_free(f);
}

/* Records every finished delivery in one transaction: at thousands of deliveries a second, a
 * commit per row would be the bottleneck. Should the commit fail, the rows stay pending and are
 * delivered again (at most a repeat, which the idempotency key makes recognisable). */
static void record_finished(notify *svc)
{
    if (!svc->finished)
        return;
    cv_err e;
    int began = cv_store_begin(svc->s, &e) == 0, gave_up = 0;
    for (flight *f = svc->finished, *next; f; f = next) {
        next = f->next;
        gave_up |= record(svc, &f->item, f->status, f->reason ? f->reason : "out of memory");
        flight_free(f);
    }
    svc->finished = NULL;
    if (began && cv_store_commit(svc->s, &e) < 0) {
        cv_store_rollback(svc->s);
        cv_log(CV_LOG_ERROR, "notify", NULL, "cannot record deliveries: %s", e.msg);
    }
    if (gave_up)
        cv_daemon_poke(svc->d);
}

/* Hands one due row to the notifier of its channel. Takes ownership of it. */
static void start_one(notify *svc, cv_deliver_item *it)
{
    cv_plugin *p = cv_plugin_service_notifier(it->channel);
    flight *f = calloc(1, sizeof *f);
    if (!f) {
        cv_deliver_item_free(it);
        return;
    }
    *f = (flight){.next = svc->flights, .svc = svc, .item = *it};
    svc->flights = f;
    svc->inflight++;
    cv_plugin_message m = {f->item.id,      f->item.key,  f->item.channel, f->item.recipient,
                           f->item.subject, f->item.body, f->item.tries};
    cv_err e;
    if (!p)
        cv_err_set(&e, CV_EPLUGIN,
                   "no enabled notifier plugin for channel '%s' (see convene plugin list)",
                   it->channel);
    if (!p || cv_plugin_deliver(p, &m, on_done, f, &e) < 0) /* on_done will not run */
        finish(svc, f, CV_PLUGIN_RETRY, e.msg);
}

/* When to look again: at once if the last look left due rows or unrecorded outcomes behind; never
 * while every slot is busy (a finished delivery rescans); else at the next row's next_at, and
 * within a minute anyway (the store's clock may be moved). now must be the instant the look used:
 * a row falling due between two readings of the clock would be neither due nor next. */
static void arm_timer(notify *svc, int64_t now, int batch_full)
{
    batch_full |= svc->finished != NULL; /* outcomes to record */
    if (!batch_full && svc->inflight >= svc->pol.concurrency) {
        uv_timer_stop(&svc->timer);
        return;
    }
    int64_t next, wait = batch_full ? 0 : RESCAN_MAX_MS;
    cv_err e;
    if (!batch_full && cv_deliver_next_at(svc->s, now, &next, &e) == 0 && next >= 0 &&
        next - now < wait)
        wait = next - now > 0 ? next - now : 1;
    uv_timer_start(&svc->timer, on_timer, (uint64_t)wait, 0);
}

static void scan(notify *svc)
{
    if (svc->stopping)
        return;
    record_finished(svc);
    int64_t skip[INFLIGHT_MAX];
    int nskip = 0, n = 0, cap = svc->pol.concurrency - svc->inflight;
    int64_t now = cv_clock_now();
    for (flight *f = svc->flights; f && nskip < INFLIGHT_MAX; f = f->next)
        skip[nskip++] = f->item.id;
    cv_deliver_item *items = NULL;
    cv_err e;
    if (cv_deliver_due(svc->s, now, skip, nskip, cap, &items, &n, &e) < 0)
        cv_log(CV_LOG_ERROR, "notify", NULL, "%s", e.msg);
    for (int i = 0; i < n; i++)
        start_one(svc, &items[i]);
    free(items);
    arm_timer(svc, now, cap > 0 && n == cap);
}

static void configure(notify *svc)
{
    cv_err e;
    if (cv_deliver_policy_load(svc->s, &svc->pol, &e) < 0)
        cv_log(CV_LOG_ERROR, "notify", NULL, "%s; keeping the previous policy", e.msg);
}

static int notify_start(cv_daemon *d, void **state, cv_err *e)
{
    notify *svc = calloc(1, sizeof *svc);
    if (!svc)
        return cv_err_set(e, CV_ENOMEM, "out of memory");
    svc->d = d;
    svc->s = cv_daemon_store(d);
    if (cv_deliver_policy_load(svc->s, &svc->pol, e) < 0) {
        free(svc);
        return e->code;
    }
    uv_timer_init(cv_daemon_loop(d), &svc->timer);
    svc->timer.data = svc;
    rescan_soon(svc);
    *state = svc;
    return 0;
}

/* Settings, plugins or the outbox changed under us (the CLI): look again. */
static void notify_store_changed(cv_daemon *d, void *state)
{
    (void)d;
    notify *svc = state;
    configure(svc);
    scan(svc);
}

static void on_timer_closed(uv_handle_t *h)
{
    free(h->data);
}

/* Deliveries still open are left to the plugins, which unload after us and complete them; their
 * outcome is dropped, so a delivery cut short counts no try. */
static void notify_stop(cv_daemon *d, void *state)
{
    (void)d;
    notify *svc = state;
    record_finished(svc);
    svc->stopping = 1;
    for (flight *f = svc->flights; f; f = f->next)
        f->svc = NULL;
    svc->flights = NULL;
    uv_close((uv_handle_t *)&svc->timer, on_timer_closed);
}

const cv_service cv_notify_service = {
    .name = "notify",
    .start = notify_start,
    .on_store_changed = notify_store_changed,
    .stop = notify_stop,
};
