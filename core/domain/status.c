/* status.c: the progress report of a subtree, read from its roll-ups (store migration 9) and
 * the term's windows, never from a walk of the subtree: lists are first pages from indexes
 * (late congresses from congresses_by_path, store migration schema_late_list).
 * It never writes. */
#include "status.h"

#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "domain/congress.h"
#include "domain/org.h"
#include "domain/term.h"
#include "domain/work.h"

enum { LEVELS = 5 };

struct tally {
    json_int_t total, held, preparing, planned, unplanned, late;
};

struct report {
    struct tally direct, level[LEVELS];
    json_t *late;
};

static void count(struct tally *t, const char *status, int late)
{
    t->total++;
    if (!status)
        t->unplanned++;
    else if (strcmp(status, "held") == 0)
        t->held++;
    else if (strcmp(status, "preparing") == 0)
        t->preparing++;
    else
        t->planned++;
    t->late += late;
}

static json_t *tally_json(const struct tally *t)
{
    double pct = t->total ? 100.0 * (double)t->held / (double)t->total : 0.0;
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:f}", "total", t->total, "held", t->held,
                     "preparing", t->preparing, "planned", t->planned, "unplanned", t->unplanned,
                     "late", t->late, "percent", (double)((long long)(pct * 10 + 0.5)) / 10.0);
}

static const char *column(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

/* Sets key of o to the text v, or null. Member by member rather than by json_pack, whose format
 * parsing cost a status report a tenth of its time. */
static void put_text(json_t *o, const char *key, const char *v)
{
    json_object_set_new_nocheck(o, key, v ? json_string(v) : json_null());
}

/* The counts of each level below root, from its roll-ups (term 0 holds the organisations): a
 * level is late in full once its window has closed, less what was held on time. */
static int tally_levels(cv_store *s, int64_t root, const cv_term *t, const char *today,
                        struct report *r, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "SELECT a.level, a.orgs, coalesce(b.planned, 0), coalesce(b.preparing, 0), "
        "  coalesce(b.held, 0), coalesce(b.held_late, 0), w.closes < ?3 "
        "FROM rollups a LEFT JOIN rollups b ON b.org_id = a.org_id AND b.term_id = ?2 "
        "  AND b.level = a.level "
        "LEFT JOIN term_windows w ON w.term_id = ?2 AND w.level = a.level "
        "WHERE a.org_id = ?1 AND a.term_id = 0",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, root);
    sqlite3_bind_int64(st, 2, t->id);
    sqlite3_bind_text(st, 3, today, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, CV_ORG_DEPTH_MAX);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int rank = cv_org_level_rank(column(st, 0));
        if (rank < 0)
            continue;
        struct tally *l = &r->level[rank];
        l->total = sqlite3_column_int64(st, 1);
        l->planned = sqlite3_column_int64(st, 2);
        l->preparing = sqlite3_column_int64(st, 3);
        l->held = sqlite3_column_int64(st, 4);
        l->unplanned = l->total - l->planned - l->preparing - l->held;
        l->late =
            sqlite3_column_int64(st, 5) + (sqlite3_column_int(st, 6) ? l->total - l->held : 0);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : cv_store_fail(s, "reading the roll-ups", e);
}

/* The directly subordinate organisations, one index lookup each. A congress is late when its
 * level's window has closed and it is not held, or when it was held after the window closed. */
#define LATE_SQL                                                                                   \
    "CASE WHEN w.closes IS NULL THEN 0 WHEN c.status = 'held' THEN c.actual_start > w.closes "     \
    "ELSE ?3 > w.closes END"

static int tally_direct(cv_store *s, int64_t root, const cv_term *t, const char *today,
                        struct report *r, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "SELECT c.status, " LATE_SQL " FROM orgs o "
        "LEFT JOIN congresses c ON c.org_id = o.id AND c.term_id = ?2 "
        "LEFT JOIN term_windows w ON w.term_id = ?2 AND w.level = o.level WHERE o.parent_id = ?1",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, root);
    sqlite3_bind_int64(st, 2, t->id);
    sqlite3_bind_text(st, 3, today, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        count(&r->direct, column(st, 0), sqlite3_column_int(st, 1));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : cv_store_fail(s, "reading the subordinates", e);
}

/* A level's late organisations of the subtree in path order. When the roll-ups count none of
 * them without a congress, its congresses are the whole list: one range of congresses_by_path,
 * lateness read from the entries. Otherwise the organisations come from the path index
 * (orgs_by_path), each with its congress. Both return the same columns. */
#define LATE_ROOT                                                                                  \
    "(SELECT path AS p, substr(path, 1, length(path) - 1) || '0' AS u FROM orgs WHERE id = ?1) "   \
    "root "
#define LATE_COLUMNS                                                                               \
    "SELECT o.code, o.name, o.level, c.status, c.planned_start, c.actual_start, w.closes "

static const char late_by_congress[] = LATE_COLUMNS
    "FROM " LATE_ROOT "JOIN congresses c INDEXED BY congresses_by_path "
    "ON c.term_id = ?2 AND c.org_level = ?4 AND c.org_path > root.p AND c.org_path < root.u "
    "JOIN orgs o ON o.id = c.org_id JOIN term_windows w ON w.term_id = ?2 AND w.level = ?4 "
    "WHERE " LATE_SQL " ORDER BY c.org_path LIMIT ?5";

static const char late_by_org[] =
    LATE_COLUMNS "FROM " LATE_ROOT "JOIN orgs o ON o.level = ?4 AND o.path > root.p "
                 "AND o.path < root.u LEFT JOIN congresses c ON c.org_id = o.id AND c.term_id = ?2 "
                 "JOIN term_windows w ON w.term_id = ?2 AND w.level = o.level "
                 "WHERE " LATE_SQL " ORDER BY o.path LIMIT ?5";

static json_t *late_json(sqlite3_stmt *st)
{
    const char *status = column(st, 3);
    json_t *c = json_object();
    put_text(c, "org", column(st, 0));
    put_text(c, "name", column(st, 1));
    put_text(c, "level", column(st, 2));
    put_text(c, "status", status ? status : "unplanned");
    put_text(c, "planned_start", column(st, 4));
    put_text(c, "actual_start", column(st, 5));
    put_text(c, "window_closes", column(st, 6));
    return c;
}

/* The first page of late congresses, level by level, only where the roll-ups count some. */
static int list_late(cv_store *s, int64_t root, const cv_term *t, const char *today,
                     struct report *r, cv_err *e)
{
    static const char *const level_names[LEVELS] = {"national", "province", "district",
                                                    "grassroots", "cell"};
    int rc = SQLITE_DONE;
    for (int i = 0; i < LEVELS && rc == SQLITE_DONE; i++) {
        size_t room = CV_STATUS_LIST_MAX - json_array_size(r->late);
        if (r->level[i].late == 0 || room == 0)
            continue;
        sqlite3_stmt *st =
            cv_store_prepare(s, r->level[i].unplanned ? late_by_org : late_by_congress, e);
        if (!st)
            return e->code;
        sqlite3_bind_int64(st, 1, root);
        sqlite3_bind_int64(st, 2, t->id);
        sqlite3_bind_text(st, 3, today, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, level_names[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, (sqlite3_int64)room);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            json_array_append_new(r->late, late_json(st));
        sqlite3_reset(st);
    }
    return rc == SQLITE_DONE ? 0 : cv_store_fail(s, "listing late congresses", e);
}

struct work_tally {
    json_int_t total, done, overdue;
    json_t *overdue_items;
};

static int list_item(const cv_work_item *w, void *ctx)
{
    struct work_tally *wt = ctx;
    json_array_append_new(wt->overdue_items, cv_work_json(w));
    return json_array_size(wt->overdue_items) >= CV_STATUS_LIST_MAX;
}

/* Work items in force of the subtree (root included): its roll-ups and due-date buckets plus
 * the root's own congress; the first page of overdue ones from the due-date index. */
static int tally_work(cv_store *s, const cv_org *o, const cv_term *t, const char *today,
                      struct work_tally *wt, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "SELECT (SELECT coalesce(sum(items_open), 0) FROM rollups WHERE org_id = ?1 AND "
        "    term_id = ?2) + (SELECT coalesce(sum(items_open), 0) FROM rollup_own WHERE "
        "    org_id = ?1 AND term_id = ?2 AND level = ?4), "
        "  (SELECT coalesce(sum(items_done), 0) FROM rollups WHERE org_id = ?1 AND "
        "    term_id = ?2) + (SELECT coalesce(sum(items_done), 0) FROM rollup_own WHERE "
        "    org_id = ?1 AND term_id = ?2 AND level = ?4), "
        "  (SELECT coalesce(sum(open), 0) FROM rollup_due WHERE org_id = ?1 AND term_id = ?2 "
        "    AND due < ?3) + (SELECT coalesce(sum(open), 0) FROM rollup_due_own WHERE "
        "    org_id = ?1 AND term_id = ?2 AND due < ?3)",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, o->id);
    sqlite3_bind_int64(st, 2, t->id);
    sqlite3_bind_text(st, 3, today, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, o->level, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        wt->done = sqlite3_column_int64(st, 1);
        wt->total = sqlite3_column_int64(st, 0) + wt->done;
        wt->overdue = sqlite3_column_int64(st, 2);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return cv_store_fail(s, "reading the work roll-ups", e);
    return wt->overdue > 0 &&
                   cv_work_overdue_page(s, o->id, t->id, CV_STATUS_LIST_MAX, list_item, wt, e) < 0
               ? e->code
               : 0;
}

static int report_one(cv_store *s, const cv_org *o, const cv_term *t, const char *today,
                      json_t *reports, cv_err *e)
{
    static const char *const level_names[LEVELS] = {"national", "province", "district",
                                                    "grassroots", "cell"};
    struct report r = {.late = json_array()};
    struct work_tally wt = {.overdue_items = json_array()};
    cv_congress c;
    json_t *own = NULL;
    int rc = cv_congress_get(s, o->code, t->code, &c, e);
    if (rc == 0)
        own = cv_congress_json(&c);
    else if (rc != CV_ENOTFOUND)
        goto fail;
    if (tally_levels(s, o->id, t, today, &r, e) < 0 ||
        tally_direct(s, o->id, t, today, &r, e) < 0 || list_late(s, o->id, t, today, &r, e) < 0 ||
        tally_work(s, o, t, today, &wt, e) < 0)
        goto fail;
    json_t *levels = json_array();
    for (int i = 0; i < LEVELS; i++) {
        if (!r.level[i].total)
            continue;
        json_t *lv = tally_json(&r.level[i]);
        json_object_set_new(lv, "level", json_string(level_names[i]));
        json_array_append_new(levels, lv);
    }
    json_array_append_new(
        reports,
        json_pack("{s:o, s:o*, s:o, s:o, s:o, s:{s:I, s:I, s:I, s:I, s:o}}", "org", cv_org_json(o),
                  "congress", own, "subordinates", tally_json(&r.direct), "levels", levels, "late",
                  r.late, "work_items", "total", wt.total, "done", wt.done, "open",
                  wt.total - wt.done, "overdue", wt.overdue, "overdue_items", wt.overdue_items));
    return 0;
fail:
    json_decref(own);
    json_decref(r.late);
    json_decref(wt.overdue_items);
    return e->code;
}

struct roots {
    cv_org list[64];
    int n;
};

static int collect_root(const cv_org *o, int depth, void *ctx)
{
    struct roots *r = ctx;
    (void)depth;
    if (r->n < (int)(sizeof r->list / sizeof r->list[0]))
        r->list[r->n++] = *o;
    return 0;
}

int cv_status_report(cv_store *s, const char *org, const char *term, json_t **out, cv_err *e)
{
    cv_term t;
    char today[11];
    cv_clock_today(today);
    if (cv_term_get(s, term, &t, e) < 0)
        return e->code;
    struct roots *roots = calloc(1, sizeof *roots);
    if (!roots)
        return cv_err_set(e, CV_ENOMEM, "out of memory");
    json_t *reports = json_array();
    /* One read transaction: every figure from the same state, and one snapshot taken, not one a
     * statement. */
    int rc = cv_store_begin_deferred(s, e);
    if (rc == 0) {
        rc = org ? cv_org_get(s, org, &roots->list[roots->n++], e)
                 : cv_org_walk(s, NULL, 0, collect_root, roots, e);
        for (int i = 0; rc == 0 && i < roots->n; i++)
            rc = report_one(s, &roots->list[i], &t, today, reports, e);
        if (rc == 0)
            rc = cv_store_commit(s, e);
        if (rc < 0)
            cv_store_rollback(s);
    }
    free(roots);
    if (rc < 0) {
        json_decref(reports);
        return rc;
    }
    *out = json_pack("{s:s, s:s, s:o}", "today", today, "term", t.code, "reports", reports);
    return 0;
}
