/* notify.h: the daemon service that delivers the outbox through the notifiers (DESIGN.md
 * principles 3 and 7), and the settings admins use to configure it. */
#ifndef CV_NOTIFY_H
#define CV_NOTIFY_H

#include <jansson.h>

#include "daemon/daemon.h"
#include "notify/notifier.h"

extern const cv_service cv_notify_service;

/* The notifiers built in, NULL-terminated. */
extern const cv_notifier *const cv_notify_notifiers[];
#define CV_NOTIFY_CHANNELS_MAX 8

/* The notifier of a channel ("log", "smtp", "webhook"), NULL if none. */
const cv_notifier *cv_notify_find(const char *channel);

/* Stores one setting after checking it: a policy key (notify.max_tries, ...) or a notifier's
 * key notify.<channel>.<name>. A running daemon picks it up without a restart. */
int cv_notify_config_set(cv_store *s, const char *key, const char *value, cv_err *e);

/* Every setting with its current value (secrets shown as "***"), default and help. */
int cv_notify_config_list(cv_store *s, json_t **out, cv_err *e);

/* The idempotency id of a key: the first 32 hex digits of SHA-256(key), in idem[33]. */
void cv_notify_idem(const char *key, char idem[33]);

#endif
