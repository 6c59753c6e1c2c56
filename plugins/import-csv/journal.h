/* journal.h: what import-csv journals of the rows it writes, as the account importing. New rows
 * go in batches: one event import.rows a JOURNAL_BATCH_ROWS rows of a kind, whose data names the
 * columns once and each row's values after (before, for a new row, is nothing):
 *   {"kind":"org","columns":["code",...],"added":[["TN",...],...]}
 * (the Lua runtime hands each row to hooks as its own org.added, person.added or
 * congress.planned). A changed row is journaled on its own with its values before and after
 * (org.updated, person.updated, congress.updated), after the batch waiting, so that the journal
 * keeps the file's order. */
#ifndef JOURNAL_H
#define JOURNAL_H

#include <convene/plugin.h>
#include <stddef.h>

#define JOURNAL_BATCH_ROWS  1024
#define JOURNAL_BATCH_BYTES (1024 * 1024) /* a batch is written once its text passes this */

typedef struct journal_kind {
    const char *name;           /* "org", "person" */
    const char *const *columns; /* NULL-terminated */
} journal_kind;

typedef struct journal {
    const cv_host_api *host;
    cv_plugin_ctx *ctx;
    const journal_kind *kind; /* of the rows waiting, NULL for none */
    char *text;               /* the waiting batch's data, being written (owned) */
    size_t len, cap;
    int rows;
    char common[400]; /* the path all waiting rows lie under ("" none known) */
    int64_t (*org_of)(void *arg, const char *code); /* the id of an organisation code, 0 none */
    void *arg;
} journal;

/* Adds a new row of kind: v[i] is column i's value as stored; path is the materialised path
 * of the organisation it belongs to ("" when not known). Writes the batch when it is full. */
int journal_added(journal *j, const journal_kind *kind, const cv_plugin_value *v, const char *path);

/* Journals a changed row (after the waiting batch): {"code": code, "before": ..., "after": ...}
 * with before and after given as JSON object texts. */
int journal_updated(journal *j, const char *type, int64_t org_id, const char *code,
                    const char *before, const char *after);

/* Writes the waiting batch, if any. */
int journal_flush(journal *j);

void journal_free(journal *j);

#endif
