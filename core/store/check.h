/* check.h: SQLite's own checks of the store file, for the daemon's start (quick) and for an
 * admin's `convene check` (full). It reports; it never repairs. */
#ifndef CV_STORE_CHECK_H
#define CV_STORE_CHECK_H

#include <jansson.h>

#include "store/store.h"

/* The most problems a check lists (SQLite's own default for integrity_check). */
#define CV_CHECK_PROBLEMS_MAX 100

/* Runs PRAGMA quick_check of the file's structure (pages, cells, records; not the CHECK
 * constraints of each row), or with full PRAGMA integrity_check (everything, CHECK constraints
 * and indexes against their tables included) and PRAGMA foreign_key_check.
 * *problems (a new reference) is an array of {"check", "problem"}: empty for a sound file. A file
 * so damaged that a check cannot finish is a problem, not an error; e is for running out of
 * memory. */
int cv_store_check(cv_store *s, int full, json_t **problems, cv_err *e);

#endif
