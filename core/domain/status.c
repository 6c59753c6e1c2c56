/* status.c: the progress report of a subtree. One pass over the subtree's organisations with
 * their congress and window, aggregated here; it never writes. */
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

/* A congress is late when its level's window has closed and it is not held, or when it was
 * held after the window closed. */
static int tally_subtree(cv_store *s, int64_t root, const cv_term *t, const char *today,
                         struct report *r, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "WITH RECURSIVE sub(id, depth) AS (SELECT ?1, 0 UNION ALL "
        "  SELECT o.id, sub.depth + 1 FROM orgs o JOIN sub ON o.parent_id = sub.id "
        "  WHERE sub.depth < ?4) "
        "SELECT sub.depth, o.code, o.name, o.level, c.status, c.planned_start, c.actual_start, "
        "  w.closes, CASE WHEN w.closes IS NULL THEN 0 WHEN c.status = 'held' "
        "    THEN c.actual_start > w.closes ELSE ?3 > w.closes END "
        "FROM sub JOIN orgs o ON o.id = sub.id "
        "LEFT JOIN congresses c ON c.org_id = o.id AND c.term_id = ?2 "
        "LEFT JOIN term_windows w ON w.term_id = ?2 AND w.level = o.level "
        "WHERE sub.depth > 0 ORDER BY sub.depth, o.code",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, root);
    sqlite3_bind_int64(st, 2, t->id);
    sqlite3_bind_text(st, 3, today, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, CV_ORG_DEPTH_MAX);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_int(st, 0) >= CV_ORG_DEPTH_MAX) {
            sqlite3_reset(st);
            return cv_org_too_deep("under this organisation", e);
        }
        const char *status = column(st, 4);
        int late = sqlite3_column_int(st, 8);
        int rank = cv_org_level_rank(column(st, 3));
        if (sqlite3_column_int(st, 0) == 1)
            count(&r->direct, status, late);
        if (rank >= 0)
            count(&r->level[rank], status, late);
        if (late && json_array_size(r->late) < CV_STATUS_LIST_MAX)
            json_array_append_new(
                r->late, json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s}", "org", column(st, 1),
                                   "name", column(st, 2), "level", column(st, 3), "status",
                                   status ? status : "unplanned", "planned_start", column(st, 5),
                                   "actual_start", column(st, 6), "window_closes", column(st, 7)));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : cv_store_fail(s, "reading the subtree", e);
}

struct work_tally {
    json_int_t total, done, overdue;
    const char *today;
    json_t *overdue_items;
};

static int count_item(const cv_work_item *w, void *ctx)
{
    struct work_tally *wt = ctx;
    wt->total++;
    wt->done += strcmp(w->status, "done") == 0;
    if (strcmp(w->status, "open") == 0 && w->due[0] && strcmp(w->due, wt->today) < 0) {
        wt->overdue++;
        if (json_array_size(wt->overdue_items) < CV_STATUS_LIST_MAX)
            json_array_append_new(wt->overdue_items, cv_work_json(w));
    }
    return 0;
}

static int report_one(cv_store *s, const cv_org *o, const cv_term *t, const char *today,
                      json_t *reports, cv_err *e)
{
    static const char *const level_names[LEVELS] = {"national", "province", "district",
                                                    "grassroots", "cell"};
    struct report r = {.late = json_array()};
    struct work_tally wt = {.today = today, .overdue_items = json_array()};
    cv_work_filter f = {.org = o->code, .term = t->code};
    cv_congress c;
    json_t *own = NULL;
    int rc = cv_congress_get(s, o->code, t->code, &c, e);
    if (rc == 0)
        own = cv_congress_json(&c);
    else if (rc != CV_ENOTFOUND)
        goto fail;
    if (tally_subtree(s, o->id, t, today, &r, e) < 0 || cv_work_list(s, &f, count_item, &wt, e) < 0)
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
    int rc = cv_org_walk(s, org, 0, collect_root, roots, e);
    for (int i = 0; rc == 0 && i < roots->n; i++)
        rc = report_one(s, &roots->list[i], &t, today, reports, e);
    free(roots);
    if (rc < 0) {
        json_decref(reports);
        return rc;
    }
    *out = json_pack("{s:s, s:s, s:o}", "today", today, "term", t.code, "reports", reports);
    return 0;
}
