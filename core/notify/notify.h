/* notify.h: the daemon service that delivers the outbox through the notifier plugins (DESIGN.md
 * principles 3 and 7), and the settings admins use to tune it. */
#ifndef CV_NOTIFY_H
#define CV_NOTIFY_H

#include <jansson.h>

#include "daemon/daemon.h"

extern const cv_service cv_notify_service;

/* Stores one setting after checking it: a policy key (notify.max_tries, notify.backoff_base_ms,
 * notify.backoff_cap_ms, notify.concurrency) or a template override
 * (notify.template.NAME.subject|body). A running daemon picks it up without a restart. */
int cv_notify_config_set(cv_store *s, const char *key, const char *value, cv_err *e);

/* The policy with its current values and the template overrides that are set. */
int cv_notify_config_list(cv_store *s, json_t **out, cv_err *e);

/* The idempotency id of a key: the first 32 hex digits of SHA-256(key), in idem[33] (the
 * notifier plugins derive Message-ID and Idempotency-Key the same way). */
void cv_notify_idem(const char *key, char idem[33]);

#endif
