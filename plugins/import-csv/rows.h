/* rows.h: what import-csv does with each record of a file: the columns each kind of row has
 * (orgs, members, work-items, people), their checks, and the upsert by code into the store.
 * Every error names the file, the row and the column. */
#ifndef ROWS_H
#define ROWS_H

#include <convene/plugin.h>

#include "csvread.h"

#define ROWS_COLS_MAX 12

struct importer;

typedef struct row_kind {
    const char *as;             /* "orgs", ... */
    const char *const *columns; /* NULL-terminated; a leading '*' marks a required one */
    int (*row)(struct importer *im, const char *const *v); /* v[i]: column i, NULL if absent */
    const char *table; /* the table written (checked to exist) */
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
    int field;      /* the file column of a header error (1-based), 0 for none */
    int64_t max_id; /* ids above it were inserted by this import */
    char today[11];
    int bar; /* a progress bar is on the terminal */
    char scratch[ROWS_COLS_MAX][512];
};

/* The kind called as, or NULL. */
const row_kind *rows_kind(const char *as);

/* Maps the header record onto im->kind's columns; refuses unknown and missing columns. */
int rows_header(struct importer *im, const csvr_field *f, int n);

/* Checks and writes one data record. */
int rows_record(struct importer *im, const csvr_field *f, int n);

/* Records an error about the current record and column; returns CV_PLUGIN_EINVAL. */
int rows_fail(struct importer *im, int column, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
