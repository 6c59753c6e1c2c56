/* rows.h: what import-csv does with each record of a file: the columns each kind of row has
 * (orgs, members, work-items, people, congresses), their checks, and the upsert by code into the
 * store. Every error names the file, the row and the column. */
#ifndef ROWS_H
#define ROWS_H

#include <convene/plugin.h>

#include "csvread.h"
#include "journal.h"
#include "nfc.h"

#define ROWS_COLS_MAX 12
#define ROWS_TEXT_MAX NFC_MAX /* bytes of one text cell, after NFC, with its NUL */
#define PEOPLE_BATCH  64      /* people rows written by one statement (at most 64) */
#define ORGS_BATCH    64      /* new organisations written by one statement (at most 64) */
#define CONG_BATCH    64      /* new congresses written by one statement (at most 64) */
#define ORG_PATH_MAX  336     /* a materialised path: five codes and their slashes */
#define ORG_CACHE_SLOTS                                                                            \
    65536                  /* organisation codes remembered (a power of two): a country's parents */
#define ORG_CACHE_PROBES 8 /* slots looked at for one code */

struct importer;

typedef struct row_kind {
    const char *as;             /* "orgs", ... */
    const char *const *columns; /* NULL-terminated; a leading '*' marks a required one */
    int (*row)(struct importer *im, const char *const *v); /* v[i]: column i, NULL if absent */
    int (*flush)(struct importer *im); /* writes rows row() kept back; NULL if it keeps none */
    const char *table;                 /* the table written (checked to exist) */
    const char *max_id_sql;            /* its largest id before the import */
    const char *inserted_sql; /* how many of its ids lie above ?1 (inserted by this import) */
    unsigned multiline;       /* bit i: column i may hold line breaks (kept as LF) */
    int checks_all; /* row() checks every value by the rules of the table's CHECK constraints */
} row_kind;

struct importer {
    const cv_host_api *host;
    cv_plugin_ctx *ctx;
    cv_plugin_import *req;
    const row_kind *kind;
    int map[CSVR_FIELDS_MAX]; /* file column -> kind column, -1 for none */
    int fcol[ROWS_COLS_MAX];  /* kind column -> file column (1-based), 0 for absent */
    int ncols;                /* columns in the header */
    int64_t record;
    int field;           /* the file column of a header error (1-based), 0 for none */
    int64_t max_id;      /* ids above it were inserted by this import */
    int64_t changed;     /* rows the import's statements inserted or updated */
    int64_t term_id;     /* the current term (work items), the last row's (congresses) */
    int bar;             /* a progress bar is on the terminal */
    int bulk;            /* roll-ups set aside until the last row (orgs, congresses) */
    int64_t orgs_before; /* organisations in the store when a bulk import of orgs began */
    int64_t orgs_new;    /* organisations its batches inserted */
    int unindexed;       /* orgs' secondary indexes: 1 dropped until the last row, -1 made again */
    char scratch[ROWS_COLS_MAX][ROWS_TEXT_MAX];
    char lines[ROWS_TEXT_MAX];   /* a multi-line cell with its line breaks made LF */
    struct people_batch *people; /* people rows waiting for their statement (owned) */
    struct org_slot *orgs;       /* organisation ids looked up (owned) */
    struct orgs_batch *org_rows; /* new organisations waiting for their statement (owned) */
    struct cong_batch *cong;     /* new congresses waiting for their statement (owned) */
    char term_cell[64];          /* the last congress row's term cell */
    char term_code[64];          /* and its term's code */
    journal jnl;                 /* what the rows written are journaled as */
};

/* The kind called as, or NULL. */
const row_kind *rows_kind(const char *as);

/* Maps the header record onto im->kind's columns; refuses unknown and missing columns. */
int rows_header(struct importer *im, const csvr_field *f, int n);

/* Checks and writes one data record. */
int rows_record(struct importer *im, const csvr_field *f, int n);

/* Writes the rows the kind kept back for a batch (after the last record). */
int rows_flush(struct importer *im);

/* The id of the organisation called code, 0 when there is none (journal.h's org_of). */
int64_t rows_org_of(void *arg, const char *code);

/* Frees what the importer owns. */
void rows_free(struct importer *im);

/* Records an error about the current record and column; returns CV_PLUGIN_EINVAL. */
int rows_fail(struct importer *im, int column, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* -- shared by the kinds (rows.c) ----------------------------------------------------------- */

#define ROWS_LEVELS "national province district grassroots cell" /* in rank order, for SQL */
extern const char *const ROWS_LEVEL_NAMES[]; /* by rank: national 0 ... cell 4 */
extern const char ROWS_ORG_FIND[];           /* an organisation's id, level and path by code */
extern const char ROWS_BULK_BEGIN[];         /* roll-up triggers set aside (rollups.bulk) */
extern const char ROWS_BULK_END[];           /* ... and roll-ups and paths recomputed in bulk */

/* Keeps the first row of a statement's result. */
struct first {
    int have;
    cv_plugin_value v[4];
    char s[4][64];
};

/* The codes of organisations already looked up, by a SipHash of the code: a member list names
 * the same few hundred organisations over and over. */
struct org_slot {
    char code[64];
    int64_t id;
    int rank;                /* its level's rank, -1 when not known (a member list's lookup) */
    char path[ORG_PATH_MAX]; /* its materialised path (store migration 9), "" when not known */
};

/* An organisation's id, level and path, as a statement returns them. */
struct parent_found {
    int have;
    int64_t id;
    char level[16], path[ORG_PATH_MAX];
};

/* A row as the journal names it before and after a change: the id of the organisation it
 * belongs to and its values as a JSON object. */
#define ROW_JSON_MAX 8192
struct row_json {
    int have;
    int64_t org_id;
    char text[ROW_JSON_MAX];
};

/* The helpers every kind calls; each is described at its definition in rows.c. */
int rows_store_fail(struct importer *im, int column);
int rows_trust_checks(struct importer *im, int on);
int rows_check_rule(struct importer *im, int col, const char *rule, const char *v, int64_t *out);
int rows_check_code(struct importer *im, int col, const char *v);
int rows_level_rank(struct importer *im, int col, const char *level);
int rows_check_text(struct importer *im, int col, const char *v, const char **out);
const char *rows_given(const char *const *v, int col);
cv_plugin_value rows_text(const char *s);
cv_plugin_value rows_integer(int64_t i, int present);
int rows_exec(struct importer *im, const char *sql, const cv_plugin_value *p, int n,
              struct first *out, int column);
void rows_keep(char *dst, size_t cap, const char *s);
struct org_slot *rows_org_slot(struct importer *im, const char *code);
int rows_parent_row(void *arg, const cv_plugin_value *cols, int n);
int rows_org_id_of(struct importer *im, int col, const char *code, int64_t *id, const char **path);
int rows_keep_json(void *arg, const cv_plugin_value *cols, int n);
int rows_row_json(struct importer *im, const char *sql, const char *code, struct row_json *out);
int rows_journal_change(struct importer *im, const char *sql, const char *type, const char *code,
                        const struct row_json *before);
int rows_batch_written(struct importer *im, const char *find_sql,
                       const char *(*code_of)(const void *rows, int i), const void *rows, int n,
                       int64_t inserted, uint64_t *mask);

/* The kinds, one file each: rows_orgs.c (orgs, members), rows_work.c, rows_people.c,
 * rows_congress.c. */
extern const row_kind rows_orgs, rows_members, rows_work_items, rows_people, rows_congresses;

#endif
