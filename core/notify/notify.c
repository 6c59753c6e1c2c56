/* notify.c: the outbox delivery service of `convene run`. It picks due rows, hands each to the
 * notifier of its channel (local ones at once, network ones as curl transfers on the loop), and
 * records each outcome through deliver.c. It must never block the loop and never mark a row
 * sent before its notifier confirmed the delivery (principle 3: at most one repeat). */
#include "notify/notify.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "notify/curlloop.h"
#include "notify/deliver.h"

#define OPTS_MAX      16
#define RESCAN_MAX_MS 60000

struct cv_notifier_config {
    const cv_notifier_opt *opts;
    char vals[OPTS_MAX][1024];
    int set[OPTS_MAX];
};

const char *cv_notifier_config_get(const cv_notifier_config *cfg, const char *name)
{
    for (int i = 0; i < OPTS_MAX && cfg->opts[i].name; i++)
        if (strcmp(cfg->opts[i].name, name) == 0)
            return cfg->set[i] ? cfg->vals[i] : cfg->opts[i].def;
    return NULL;
}

/* A channel's notifier opened on the current config. Refcounted: a transfer in flight keeps
 * the context it started with when admins change the config under it. */
typedef struct channel {
    const cv_notifier *n;
    void *ctx;
    int refs;
    char reason[600]; /* why the notifier could not open ("" when it did) */
} channel;

typedef struct flight {
    struct flight *next;
    struct notify *svc;
    channel *ch;
    cv_deliver_item item;
    char idem[33];
    void *req;
} flight;

typedef struct notify {
    cv_daemon *d;
    cv_store *s;
    cv_curlloop *curl;
    uv_timer_t timer;
    cv_deliver_policy pol;
    channel *channels[CV_NOTIFY_CHANNELS_MAX];
    flight *flights;
    int inflight;
    int stopping;
} notify;

static void channel_release(channel *ch)
{
    if (ch && --ch->refs == 0) {
        if (ch->ctx)
            ch->n->close(ch->ctx);
        free(ch);
    }
}

/* Opens n on the settings notify.<channel>.<name>; a failure keeps the reason. */
static channel *channel_open(cv_store *s, const cv_notifier *n)
{
    channel *ch = calloc(1, sizeof *ch);
    cv_notifier_config *cfg = calloc(1, sizeof *cfg);
    if (!ch || !cfg) {
        free(ch);
        free(cfg);
        return NULL;
    }
    ch->n = n;
    ch->refs = 1;
    cfg->opts = n->opts;
    for (int i = 0; i < OPTS_MAX && n->opts[i].name; i++) {
        char key[128];
        cv_err unset;
        snprintf(key, sizeof key, "notify.%s.%s", n->channel, n->opts[i].name);
        cfg->set[i] = cv_store_setting_get(s, key, cfg->vals[i], sizeof cfg->vals[i], &unset) == 0;
    }
    cv_err e;
    if (n->open(cfg, &ch->ctx, &e) < 0) {
        ch->ctx = NULL;
        snprintf(ch->reason, sizeof ch->reason, "%s notifier: %s", n->channel, e.msg);
    }
    sodium_memzero(cfg, sizeof *cfg); /* it held passwords and secrets */
    free(cfg);
    return ch;
}

/* (Re)reads the policy and reopens every notifier on the current settings. */
static void configure(notify *svc)
{
    cv_err e;
    if (cv_deliver_policy_load(svc->s, &svc->pol, &e) < 0)
        cv_log(CV_LOG_ERROR, "notify", NULL, "%s; keeping the previous policy", e.msg);
    for (int i = 0; cv_notify_notifiers[i] && i < CV_NOTIFY_CHANNELS_MAX; i++) {
        const cv_notifier *n = cv_notify_notifiers[i];
        channel *ch = channel_open(svc->s, n);
        if (!ch)
            continue;
        if (ch->reason[0] && (!svc->channels[i] || strcmp(ch->reason, svc->channels[i]->reason)))
            cv_log(CV_LOG_INFO, "notify", json_pack("{s:s}", "channel", n->channel), "%s",
                   ch->reason);
        channel_release(svc->channels[i]);
        svc->channels[i] = ch;
    }
}

static channel *channel_for(notify *svc, const char *name)
{
    for (int i = 0; i < CV_NOTIFY_CHANNELS_MAX; i++)
        if (svc->channels[i] && strcmp(svc->channels[i]->n->channel, name) == 0)
            return svc->channels[i];
    return NULL;
}

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

/* Writes the outcome of one try to its row and logs it. */
static void record(notify *svc, const cv_deliver_item *it, int ok, const char *reason)
{
    cv_err e;
    int gave_up = 0;
    json_t *extra = json_pack("{s:I, s:s, s:s, s:i}", "id", (json_int_t)it->id, "key", it->key,
                              "channel", it->channel, "try", it->tries + 1);
    int rc = ok ? cv_deliver_sent(svc->s, it->id, &e)
                : cv_deliver_failed(svc->s, &svc->pol, it->id, reason, &gave_up, &e);
    if (rc < 0) {
        cv_log(CV_LOG_ERROR, "notify", extra, "cannot record a delivery: %s", e.msg);
        return;
    }
    if (ok)
        cv_log(CV_LOG_INFO, "notify", extra, "delivered");
    else {
        json_object_set_new(extra, "reason", json_string(reason));
        cv_log(gave_up ? CV_LOG_ERROR : CV_LOG_WARN, "notify", extra,
               gave_up ? "gave up" : "will retry");
    }
    if (gave_up)
        cv_daemon_poke(svc->d);
}

static void flight_free(flight *f)
{
    notify *svc = f->svc;
    for (flight **p = &svc->flights; *p; p = &(*p)->next)
        if (*p == f) {
            *p = f->next;
            break;
        }
    svc->inflight--;
    channel_release(f->ch);
    cv_deliver_item_free(&f->item);
    free(f);
}

static void fill_msg(const flight *f, cv_notifier_msg *m)
{
    *m = (cv_notifier_msg){.key = f->item.key,
                           .idem = f->idem,
                           .channel = f->item.channel,
                           .recipient = f->item.recipient,
                           .subject = f->item.subject,
                           .body = f->item.body,
                           .created_at = f->item.created_at,
                           .attempt = f->item.tries + 1};
}

static void on_transfer_done(CURL *easy, CURLcode result, void *arg)
{
    flight *f = arg;
    notify *svc = f->svc;
    cv_err e;
    cv_err_clear(&e);
    int rc = f->ch->n->finish(f->ch->ctx, f->req, easy, result, &e);
    curl_easy_cleanup(easy);
    /* A transfer aborted at shutdown was not a try: the row stays as it was for the next run. */
    if (!svc->stopping)
        record(svc, &f->item, rc == 0, e.msg);
    flight_free(f);
    rescan_soon(svc);
}

/* Starts a network delivery on the loop; returns 0 or fails with e. */
static int start_transfer(notify *svc, flight *f, const cv_notifier_msg *m, cv_err *e)
{
    CURL *easy = curl_easy_init();
    if (!easy)
        return cv_err_set(e, CV_ENOMEM, "cannot create a curl handle");
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)svc->pol.timeout_ms);
    if (f->ch->n->prepare(f->ch->ctx, m, easy, &f->req, e) < 0) {
        curl_easy_cleanup(easy);
        return e->code;
    }
    if (cv_curlloop_add(svc->curl, easy, on_transfer_done, f, e) < 0) {
        f->ch->n->finish(f->ch->ctx, f->req, easy, CURLE_ABORTED_BY_CALLBACK, e);
        curl_easy_cleanup(easy);
        return e->code;
    }
    return 0;
}

/* Hands one due row to its channel. Takes ownership of it. */
static void start_one(notify *svc, cv_deliver_item *it)
{
    channel *ch = channel_for(svc, it->channel);
    char reason[sizeof ch->reason];
    if (!ch || !ch->ctx) {
        if (ch)
            snprintf(reason, sizeof reason, "%s", ch->reason);
        else
            snprintf(reason, sizeof reason, "no notifier for channel '%s'", it->channel);
        record(svc, it, 0, reason);
        cv_deliver_item_free(it);
        return;
    }
    flight *f = calloc(1, sizeof *f);
    if (!f) {
        cv_deliver_item_free(it);
        return;
    }
    *f = (flight){.next = svc->flights, .svc = svc, .ch = ch, .item = *it};
    ch->refs++;
    cv_notify_idem(it->key, f->idem);
    svc->flights = f;
    svc->inflight++;
    cv_notifier_msg m;
    fill_msg(f, &m);
    cv_err e;
    cv_err_clear(&e);
    if (ch->n->send) {
        int rc = ch->n->send(ch->ctx, &m, &e);
        record(svc, &f->item, rc == 0, e.msg);
        flight_free(f);
    } else if (start_transfer(svc, f, &m, &e) < 0) {
        record(svc, &f->item, 0, e.msg);
        flight_free(f);
    }
}

/* When to look again: at the next row's next_at, or within a minute anyway (the store's clock
 * may be anchored or moved), or never while every slot is busy (a finished transfer rescans). */
static void arm_timer(notify *svc)
{
    if (svc->inflight >= svc->pol.concurrency) {
        uv_timer_stop(&svc->timer);
        return;
    }
    int64_t now = cv_clock_now(), next, wait = RESCAN_MAX_MS;
    cv_err e;
    if (cv_deliver_next_at(svc->s, now, &next, &e) == 0 && next >= 0 && next - now < wait)
        wait = next - now;
    uv_timer_start(&svc->timer, on_timer, (uint64_t)(wait > 0 ? wait : 1), 0);
}

static void scan(notify *svc)
{
    if (svc->stopping)
        return;
    int64_t skip[1024];
    int nskip = 0, n = 0;
    for (flight *f = svc->flights; f && nskip < 1024; f = f->next)
        skip[nskip++] = f->item.id;
    cv_deliver_item *items = NULL;
    cv_err e;
    if (cv_deliver_due(svc->s, cv_clock_now(), skip, nskip, svc->pol.concurrency - svc->inflight,
                       &items, &n, &e) < 0)
        cv_log(CV_LOG_ERROR, "notify", NULL, "%s", e.msg);
    for (int i = 0; i < n; i++)
        start_one(svc, &items[i]);
    free(items);
    arm_timer(svc);
}

static int notify_start(cv_daemon *d, void **state, cv_err *e)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || sodium_init() < 0)
        return cv_err_set(e, CV_EIO, "cannot initialise libcurl or libsodium");
    notify *svc = calloc(1, sizeof *svc);
    if (!svc)
        return cv_err_set(e, CV_ENOMEM, "out of memory");
    svc->d = d;
    svc->s = cv_daemon_store(d);
    if (cv_curlloop_open(cv_daemon_loop(d), &svc->curl, e) < 0) {
        free(svc);
        return e->code;
    }
    uv_timer_init(cv_daemon_loop(d), &svc->timer);
    svc->timer.data = svc;
    configure(svc);
    rescan_soon(svc);
    *state = svc;
    return 0;
}

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

static void notify_stop(cv_daemon *d, void *state)
{
    (void)d;
    notify *svc = state;
    svc->stopping = 1;
    cv_curlloop_close(svc->curl); /* aborts what is in flight: each flight is freed */
    for (int i = 0; i < CV_NOTIFY_CHANNELS_MAX; i++)
        channel_release(svc->channels[i]);
    uv_close((uv_handle_t *)&svc->timer, on_timer_closed);
    curl_global_cleanup();
}

const cv_service cv_notify_service = {
    .name = "notify",
    .start = notify_start,
    .on_store_changed = notify_store_changed,
    .stop = notify_stop,
};
