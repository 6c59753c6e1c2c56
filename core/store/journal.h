/* journal.h: the append-only events table, convene's bus (DESIGN.md principle 2). Every change
 * emits its event inside the change's own transaction; consumers read after a stored cursor and
 * advance it in the transaction of their own writes, so their effects happen exactly once. */
#ifndef CV_JOURNAL_H
#define CV_JOURNAL_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

typedef struct cv_event {
    int64_t id;
    int64_t at; /* ms since the epoch, from cv_clock_now() */
    char type[64];
    int64_t org_id; /* 0 when the event concerns no one organisation */
    json_t *data;   /* owned by the event: cv_event_clear */
} cv_event;

/* Appends an event of type about org_id (0 for none) carrying data, which it steals (data may
 * be NULL for {}), recording the store's actor (cv_store_set_actor; refused with CV_EPERM when
 * none is set) and the real time of recording. An update's data names the values it changed as
 * {"before": {...}, "after": {...}}. Must be called inside a transaction opened with
 * cv_store_begin. On success *id_out (if not NULL) is the new event's id. */
int cv_journal_emit(cv_store *s, const char *type, int64_t org_id, json_t *data, int64_t *id_out,
                    cv_err *e);

/* As cv_journal_emit, with data given as JSON object text (len bytes, not NUL-terminated
 * necessarily) stored as is: the events table's CHECK refuses text that is not JSON. For bulk
 * writers (an importer journaling a batch of rows), which must not pay for a parse. */
int cv_journal_emit_text(cv_store *s, const char *type, int64_t org_id, const char *text,
                         size_t len, cv_err *e);

/* Reads the first event with id > after into ev. Returns 1 when one was read, 0 at the end. */
int cv_journal_next(cv_store *s, int64_t after, cv_event *ev, cv_err *e);

/* Releases what ev owns. */
void cv_event_clear(cv_event *ev);

/* The id of the newest event, 0 for an empty journal. */
int cv_journal_last_id(cv_store *s, int64_t *id, cv_err *e);

/* A consumer's cursor: the id of the last event it has finished with (0 if it never read).
 * cursor_set belongs inside the transaction of the consumer's own writes. */
int cv_journal_cursor_get(cv_store *s, const char *consumer, int64_t *id, cv_err *e);
int cv_journal_cursor_set(cv_store *s, const char *consumer, int64_t id, cv_err *e);

#endif
