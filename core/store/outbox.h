/* outbox.h: notifications waiting to leave (DESIGN.md principle 3). A notification is queued in
 * the transaction of its cause and carries a stable idempotency key; queuing the same key twice
 * queues it once. Delivery (notifier plugins) reads and marks rows; nothing here sends. */
#ifndef CV_OUTBOX_H
#define CV_OUTBOX_H

#include <stdint.h>

#include "store/store.h"

typedef struct cv_notification {
    const char *key;       /* stable idempotency key, e.g. "work_item.due:42:2020-09-27" */
    const char *channel;   /* which notifier delivers it: "log", "smtp", "webhook", ... */
    const char *recipient; /* an address the channel understands */
    const char *subject;
    const char *body;
} cv_notification;

/* Checks an address for a channel: the channel is smtp, webhook or log; the address is 1-512
 * bytes of UTF-8 without control characters, an email address for smtp, an http(s) URL for a
 * webhook. The one rule for every address convene queues to (contacts, notify, jobs, Lua). */
int cv_outbox_check_address(const char *channel, const char *address, cv_err *e);

/* Queues n for delivery now, after checking its address (cv_outbox_check_address) and that its
 * subject is one line of UTF-8 text. Returns 1 if queued, 0 if its key was already queued. Must
 * be called inside a transaction. */
int cv_outbox_put(cv_store *s, const cv_notification *n, cv_err *e);

#endif
