/* notify.c: the outbox delivery service of `convene run`. It picks due rows, hands each to the
 * notifier plugin of its channel (plugin/loader.h: cv_plugin_deliver), and records each outcome
 * through deliver.c: sent, retried after a backoff, or failed with its reason. It must never
 * block the loop, never mark a row sent before its notifier confirmed the delivery, and never
 * hand a row to a notifier again while its last outcome is unrecorded: a crash can then repeat
 * at most the deliveries of the slots in use (notify.concurrency per channel), each under its
 * idempotency key (DESIGN.md 3). */
#include "notify/notify.h"

#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "notify/deliver.h"
#include "plugin/loader.h"
#include "plugin/service.h"

#define RESCAN_MAX_MS 60000
#define INFLIGHT_MAX  1024 /* notify.concurrency's bound: slots per channel */

typedef struct flight {
    struct flight *next;
    struct notify *svc; /* NULL once the service stopped: the late outcome is dropped */
    cv_deliver_item item;
    int status;   /* once finished: a cv_plugin_delivery_status */
    char *reason; /* once finished: why it failed (owned) */
    int gave_up;  /* once recorded: the row was failed for good */
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
    int held; /* failed commits in a row: the outcomes wait, and nothing new is sent */
} notify;

static void scan(notify *svc);

static void on_timer(uv_timer_t *t)
{
    scan(t->data);
}

static void rescan_soon(notify *svc)
{
    if (!svc->stopping && !svc->held)
        uv_timer_start(&svc->timer, on_timer, 0, 0);
}

/* Writes the outcome of one try to its row (inside the caller's transaction). */
static int record(notify *svc, flight *f, cv_err *e)
{
    const cv_deliver_item *it = &f->item;
    if (f->status == CV_PLUGIN_SENT)
        return cv_deliver_sent(svc->s, it->id, e);
    return cv_deliver_failed(svc->s, &svc->pol, it->id, f->reason ? f->reason : "out of memory",
                             f->status == CV_PLUGIN_REJECTED, &f->gave_up, e);
}

/* Logs one recorded outcome. */
static void log_outcome(const flight *f)
{
    const cv_deliver_item *it = &f->item;
    int sent = f->status == CV_PLUGIN_SENT;
    json_t *extra = json_pack("{s:I, s:s, s:s, s:i}", "id", (json_int_t)it->id, "key", it->key,
                              "channel", it->channel, "try", it->tries + 1);
    if (!sent)
        json_object_set_new(extra, "reason", json_string(f->reason ? f->reason : ""));
    enum cv_log_level level = sent ? CV_LOG_INFO : f->gave_up ? CV_LOG_ERROR : CV_LOG_WARN;
    cv_log(level, "notify", extra, "%s",
           sent         ? "delivered"
           : f->gave_up ? "gave up"
                        : "will retry");
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

/* Writes every finished delivery in one transaction: at thousands of deliveries a second, a
 * commit per row would be the bottleneck. Returns 0 once they are recorded (or dropped for a
 * reason of their own), or the code of a failure of the store itself (full, busy, read-only):
 * the outcomes are then kept, in memory, to be written later. */
static int write_finished(notify *svc, cv_err *e)
{
    if (cv_store_begin(svc->s, e) < 0)
        return e->code;
    for (flight *f = svc->finished; f; f = f->next) {
        cv_err row;
        if (record(svc, f, &row) == 0)
            continue;
        if (cv_store_faulted(row.code)) {
            cv_store_rollback(svc->s);
            *e = row;
            return e->code;
        }
        cv_log(CV_LOG_ERROR, "notify", json_pack("{s:I}", "id", (json_int_t)f->item.id),
               "cannot record a delivery: %s", row.msg);
    }
    if (cv_store_commit(svc->s, e) < 0) {
        cv_store_rollback(svc->s);
        return e->code;
    }
    return 0;
}

/* Records the finished deliveries. Should the store refuse (a full disk, say), their rows stay
 * pending in the store but are held here, and nothing more is delivered until the store takes
 * them: never sent again while held (DESIGN.md 3), no busy loop, one log line, then backoff
 * (notify.backoff_base_ms doubling up to notify.backoff_cap_ms). Returns 0 when none is held. */
static int record_finished(notify *svc)
{
    if (!svc->finished)
        return 0;
    cv_err e;
    if (write_finished(svc, &e) < 0) {
        if (!svc->held++)
            cv_log(CV_LOG_ERROR, "notify", json_pack("{s:s}", "error", e.msg),
                   "cannot record deliveries: %s; their outcomes are held and nothing more is "
                   "delivered until the store takes them",
                   e.msg);
        if (!svc->stopping)
            uv_timer_start(&svc->timer, on_timer,
                           (uint64_t)cv_deliver_backoff(&svc->pol, svc->held), 0);
        return -1;
    }
    if (svc->held)
        cv_log(CV_LOG_INFO, "notify", json_pack("{s:i}", "tries", svc->held + 1),
               "deliveries recorded again");
    svc->held = 0;
    int gave_up = 0;
    for (flight *f = svc->finished, *next; f; f = next) {
        next = f->next;
        log_outcome(f);
        gave_up |= f->gave_up;
        flight_free(f);
    }
    svc->finished = NULL;
    if (gave_up)
        cv_daemon_poke(svc->d);
    return 0;
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
                   N_("no enabled notifier plugin for channel '%s' (see convene plugin list)"),
                   it->channel);
    if (!p || cv_plugin_deliver(p, &m, on_done, f, &e) < 0) /* on_done will not run */
        finish(svc, f, CV_PLUGIN_RETRY, e.msg);
}

/* When to look again: at once if the last look filled a channel's free slots (more may be due) or
 * left outcomes to record; else at the next row's next_at, and within a minute anyway (the
 * store's clock may be moved). A finished delivery rescans at once. now must be the instant the
 * look used: a row falling due between two readings of the clock would be neither due nor
 * next. */
static void arm_timer(notify *svc, int64_t now, int batch_full)
{
    int64_t next, wait = batch_full || svc->finished ? 0 : RESCAN_MAX_MS;
    cv_err e;
    if (wait && cv_deliver_next_at(svc->s, now, &next, &e) == 0 && next >= 0 && next - now < wait)
        wait = next - now > 0 ? next - now : 1;
    uv_timer_start(&svc->timer, on_timer, (uint64_t)wait, 0);
}

/* The deliveries of channel in flight or finished and not yet recorded (its slots in use), their
 * ids in skip. */
static int slots_used(const notify *svc, const char *channel, int64_t *skip)
{
    int used = 0;
    for (int list = 0; list < 2; list++)
        for (const flight *f = list ? svc->finished : svc->flights; f; f = f->next)
            if (strcmp(f->item.channel, channel) == 0 && used < INFLIGHT_MAX)
                skip[used++] = f->item.id;
    return used;
}

/* Fills the free slots of one channel with its oldest due rows; returns 1 if it filled them all. */
static int fill_channel(notify *svc, const char *channel, int64_t now)
{
    int64_t skip[INFLIGHT_MAX];
    int nskip = slots_used(svc, channel, skip), n = 0, cap = svc->pol.concurrency - nskip;
    cv_deliver_item *items = NULL;
    cv_err e;
    if (cv_deliver_due(svc->s, now, channel, skip, nskip, cap, &items, &n, &e) < 0)
        cv_log(CV_LOG_ERROR, "notify", NULL, "%s", e.msg);
    for (int i = 0; i < n; i++)
        start_one(svc, &items[i]);
    free(items);
    return cap > 0 && n == cap;
}

/* Each channel has notify.concurrency slots of its own, so a receiver that never answers holds
 * only its channel's slots while the others go on. */
static void scan(notify *svc)
{
    if (svc->stopping || record_finished(svc) < 0)
        return;
    int64_t now = cv_clock_now();
    int full = 0;
    json_t *channels = NULL;
    cv_err e;
    size_t i;
    json_t *ch;
    if (cv_deliver_channels(svc->s, &channels, &e) < 0)
        cv_log(CV_LOG_ERROR, "notify", NULL, "%s", e.msg);
    json_array_foreach(channels, i, ch) full |= fill_channel(svc, json_string_value(ch), now);
    json_decref(channels);
    arm_timer(svc, now, full);
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
        return cv_err_set(e, CV_ENOMEM, N_("out of memory"));
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
    svc->stopping = 1;
    if (record_finished(svc) < 0) /* the store refuses them: the rows stay pending */
        for (flight *f = svc->finished, *next; f; f = next) {
            next = f->next;
            flight_free(f);
        }
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
