/* deliver.h: the store side of delivering the outbox (DESIGN.md principle 3): which rows are
 * due, and what a delivery's outcome does to its row (sent; or retried after an exponential
 * backoff; or failed with its reason after the last try). Nothing here touches the network or
 * the loop, so the rules are tested with the fixed clock alone. */
#ifndef CV_DELIVER_H
#define CV_DELIVER_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

/* How hard delivery tries. Read from settings (see cv_deliver_policy_load). */
typedef struct cv_deliver_policy {
    int max_tries;      /* notify.max_tries: tries before a row is failed (default 8) */
    int64_t base_ms;    /* notify.backoff_base_ms: wait after the first failure (60000) */
    int64_t cap_ms;     /* notify.backoff_cap_ms: longest wait (3600000) */
    int concurrency;    /* notify.concurrency: deliveries in flight at once per channel (32) */
    int64_t timeout_ms; /* notify.timeout_ms: one delivery's deadline (30000) */
} cv_deliver_policy;

/* One outbox row taken for delivery; the strings are owned copies (cv_deliver_item_free). */
typedef struct cv_deliver_item {
    int64_t id;
    int tries; /* tries before this one */
    int64_t created_at;
    char *key, *channel, *recipient, *subject, *body;
} cv_deliver_item;

/* Fills p from the settings, with the defaults above for unset keys. A malformed or out-of-range
 * value is CV_EINVAL naming the key. */
int cv_deliver_policy_load(cv_store *s, cv_deliver_policy *p, cv_err *e);

/* Checks and stores one policy setting (one of the notify.* keys above). */
int cv_deliver_policy_set(cv_store *s, const char *key, const char *value, cv_err *e);

/* The wait after the tries-th failed try: base * 2^(tries-1), at most cap. */
int64_t cv_deliver_backoff(const cv_deliver_policy *p, int tries);

/* The most channels delivery serves at once (each has its own slots). */
#define CV_DELIVER_CHANNELS_MAX 64

/* The channels that have pending rows, at most CV_DELIVER_CHANNELS_MAX, as a JSON array of
 * strings (a new reference). */
int cv_deliver_channels(cv_store *s, json_t **channels, cv_err *e);

/* Reads up to cap pending rows due at now (next_at <= now) of channel (NULL: of every channel),
 * oldest first, skipping the ids in skip[0..nskip) (deliveries already in flight). *items (owned
 * by the caller, free each with cv_deliver_item_free and the array with free) holds *n rows. */
int cv_deliver_due(cv_store *s, int64_t now, const char *channel, const int64_t *skip, int nskip,
                   int cap, cv_deliver_item **items, int *n, cv_err *e);

void cv_deliver_item_free(cv_deliver_item *it);

/* The earliest next_at after now among pending rows, or -1 if there is none. */
int cv_deliver_next_at(cv_store *s, int64_t now, int64_t *next_at, cv_err *e);

/* Records a successful try: state sent, sent_at now. */
int cv_deliver_sent(cv_store *s, int64_t id, cv_err *e);

/* Records a failed try with its reason: the row waits cv_deliver_backoff(tries) before the next
 * try, or after max_tries (or at once when permanent) becomes failed, and the journal says
 * notification.failed. *gave_up (may be NULL) tells which. */
int cv_deliver_failed(cv_store *s, const cv_deliver_policy *p, int64_t id, const char *reason,
                      int permanent, int *gave_up, cv_err *e);

/* Puts failed row id back to pending, due now with its tries counted afresh, and journals
 * notification.retried with the state before and after. A row that is not failed is refused
 * (CV_ECONFLICT), an unknown one is CV_ENOTFOUND. Runs in the caller's transaction. */
int cv_deliver_retry(cv_store *s, int64_t id, cv_err *e);

/* The rows of the outbox (state NULL: all; else pending|sent|failed), newest first, at most
 * limit, as a JSON array. */
int cv_deliver_list(cv_store *s, const char *state, int limit, json_t **out, cv_err *e);

#endif
