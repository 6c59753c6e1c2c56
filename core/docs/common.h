/* common.h: what the modules of core/docs share: ending a change with its event, and reading
 * text columns. Nothing here opens a transaction. */
#ifndef CV_DOCS_COMMON_H
#define CV_DOCS_COMMON_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

/* Emits the event (stealing data) and commits the transaction the caller began; on any failure
 * rolls it back (the caller must not) and returns the code. */
int cv_docs_finish(cv_store *s, const char *type, int64_t org_id, json_t *data, cv_err *e);

/* Rolls back the caller's transaction and returns e->code: `return cv_docs_fail(s, e);`. */
int cv_docs_fail(cv_store *s, cv_err *e);

/* Column i of st as text, "" for NULL. */
const char *cv_docs_col(sqlite3_stmt *st, int i);

/* A long free text (summary, findings, conclusion): NFC, at most CV_DOCS_TEXT_MAX bytes. *out is
 * malloc'd (NULL in gives ""). */
#define CV_DOCS_TEXT_MAX 16384
int cv_docs_long_text(const char *in, char **out, const char *what, cv_err *e);

#endif
