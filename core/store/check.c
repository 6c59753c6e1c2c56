/* check.c: the store's file checks (quick_check, integrity_check, foreign_key_check), each
 * problem one JSON object. It must never write to the store. */
#include "store/check.h"

#include <stdio.h>
#include <string.h>

/* Adds one problem as one line: SQLite's own text may span lines ("*** in database main ***\n
 * Page 2: ..."), and control bytes are dropped. */
static void add(json_t *problems, const char *check, const char *problem)
{
    char line[512];
    size_t n = 0;
    const char *p = strstr(problem, "***\n") ? strstr(problem, "***\n") + 4 : problem;
    for (; *p && n + 3 < sizeof line; p++)
        if (*p == '\n')
            n += (size_t)snprintf(line + n, sizeof line - n, "; ");
        else if ((unsigned char)*p >= 0x20)
            line[n++] = *p;
    line[n] = '\0';
    if (json_array_size(problems) < CV_CHECK_PROBLEMS_MAX)
        json_array_append_new(problems, json_pack("{s:s, s:s}", "check", check, "problem", line));
}

/* Runs one checking pragma; every row but a lone "ok" is a problem, and so is a failure. */
static void run(cv_store *s, const char *check, const char *sql, json_t *problems)
{
    sqlite3_stmt *st = NULL;
    sqlite3 *db = cv_store_db(s);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        add(problems, check, sqlite3_errmsg(db));
        return;
    }
    int rc, fk = sqlite3_column_count(st) == 4;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(st, 0);
        char line[512];
        if (fk)
            snprintf(line, sizeof line, "row %lld of %s refers to a missing row of %s",
                     (long long)sqlite3_column_int64(st, 1), text,
                     (const char *)sqlite3_column_text(st, 2));
        else if (text && strcmp(text, "ok") == 0)
            continue;
        else
            snprintf(line, sizeof line, "%s", text ? text : "?");
        add(problems, check, line);
    }
    if (rc != SQLITE_DONE)
        add(problems, check, sqlite3_errmsg(db));
    sqlite3_finalize(st);
}

int cv_store_check(cv_store *s, int full, json_t **problems, cv_err *e)
{
    json_t *out = json_array();
    if (!out)
        return cv_err_set(e, CV_ENOMEM, "out of memory checking the store");
    if (full) {
        run(s, "integrity_check", "PRAGMA integrity_check(100)", out);
        run(s, "foreign_key_check", "PRAGMA foreign_key_check", out);
    } else {
        /* The file's structure only: checking every row's CHECK constraints costs six times
         * as much (3.7 s against 0.6 s on a 61 MB store) and is integrity_check's to do. */
        sqlite3_exec(cv_store_db(s), "PRAGMA ignore_check_constraints = 1", NULL, NULL, NULL);
        run(s, "quick_check", "PRAGMA quick_check(100)", out);
        sqlite3_exec(cv_store_db(s), "PRAGMA ignore_check_constraints = 0", NULL, NULL, NULL);
    }
    *problems = out;
    return 0;
}
