/* notifier.h: what a channel's notifier (plugins/notify-*) offers the notify service. A notifier
 * either writes locally at once (send) or sets up a curl easy handle that the service performs
 * on the loop through the multi interface (prepare, then finish to judge the outcome); it never
 * performs a transfer itself and never touches the loop or the outbox rows. Config is declared
 * as a map (key, default, help) that the service reads from the store's settings. */
#ifndef CV_NOTIFIER_H
#define CV_NOTIFIER_H

#include <curl/curl.h>
#include <stdint.h>

#include "base/error.h"

/* One notification as a notifier sees it; every string belongs to the service and lives until
 * finish returns. */
typedef struct cv_notifier_msg {
    const char *key;  /* the outbox key, stable per cause */
    const char *idem; /* 32 hex digits derived from key: Message-ID, Idempotency-Key */
    const char *channel;
    const char *recipient; /* an address this channel understands */
    const char *subject;
    const char *body;
    int64_t created_at; /* ms since the epoch */
    int attempt;        /* 1 for the first try */
} cv_notifier_msg;

/* One config key of a notifier: stored as the setting "notify.<channel>.<name>". */
typedef struct cv_notifier_opt {
    const char *name;
    const char *def; /* NULL: required */
    const char *help;
} cv_notifier_opt;

/* How the notifier finds its config: get(cfg, name) is the value or the default, NULL if
 * neither; the string lives until open returns. */
typedef struct cv_notifier_config cv_notifier_config;
const char *cv_notifier_config_get(const cv_notifier_config *cfg, const char *name);

typedef struct cv_notifier {
    const char *channel;
    const cv_notifier_opt *opts; /* terminated by {NULL} */
    /* Reads config into a context (*ctx, released by close). A failure disables the channel
     * with e's message as the reason recorded on its notifications. */
    int (*open)(const cv_notifier_config *cfg, void **ctx, cv_err *e);
    void (*close)(void *ctx);
    /* Local delivery, done when it returns (NULL for network notifiers). */
    int (*send)(void *ctx, const cv_notifier_msg *m, cv_err *e);
    /* Network delivery: sets options on easy (a fresh handle the service owns) and may keep
     * per-transfer state in *req; finish judges the result and frees *req. */
    int (*prepare)(void *ctx, const cv_notifier_msg *m, CURL *easy, void **req, cv_err *e);
    int (*finish)(void *ctx, void *req, CURL *easy, CURLcode result, cv_err *e);
} cv_notifier;

/* The notifiers built in (plugins/notify-log, notify-smtp, notify-webhook). */
extern const cv_notifier cv_notifier_log, cv_notifier_smtp, cv_notifier_webhook;

#endif
