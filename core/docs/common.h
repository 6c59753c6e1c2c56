/* common.h: what the modules of core/docs share: reading text columns and checking long texts.
 * Their changes run in the caller's transaction (cv_store_require_tx). */
#ifndef CV_DOCS_COMMON_H
#define CV_DOCS_COMMON_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

/* Column i of st as text, "" for NULL. */
const char *cv_docs_col(sqlite3_stmt *st, int i);

/* A long free text (summary, findings, conclusion): NFC, at most CV_DOCS_TEXT_MAX bytes. *out is
 * malloc'd (NULL in gives ""). */
#define CV_DOCS_TEXT_MAX 16384
int cv_docs_long_text(const char *in, char **out, const char *what, cv_err *e);

/* Calls item for each item of list split on sep (the list is cut in place; spaces around items
 * are dropped). An empty item is refused, naming what; a non-zero return from item stops and is
 * returned. */
typedef int (*cv_docs_item_fn)(const char *item, void *ctx);
int cv_docs_split(char *list, char sep, cv_docs_item_fn item, void *ctx, const char *what,
                  cv_err *e);

#endif
