/* scope.c: the home page's queries over one subtree (see scope.h). None walks the subtree:
 * counts come from the roll-ups (store migrations 14 and 15), and lists are first pages read
 * from an index (congresses by date, open rounds and complaints by status) and kept to the
 * subtree by the range of its materialised path. */
#include "scope.h"

#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/date.h"
#include "base/json.h"
#include "domain/org.h"
#include "domain/status.h"
#include "domain/term.h"
#include "i18n/collate.h"

/* ?1 the root organisation's id: root(p, u) bounds the paths of its subtree, root included
 * (p <= path < u: every path that starts with p); IN_ROOT keeps organisation o in it. */
#define ROOT                                                                                       \
    "WITH root(p, u) AS (SELECT path, substr(path, 1, length(path) - 1) || '0' FROM orgs "         \
    "  WHERE id = ?1) "
#define IN_ROOT " o.path >= root.p AND o.path < root.u "

static const char *col(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

/* Steps st to its end, appending each row made by row() to list. */
static int collect(cv_store *s, sqlite3_stmt *st, json_t *(*row)(sqlite3_stmt *), json_t *list,
                   const char *doing, cv_err *e)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(list, row(st));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : cv_store_fail(s, doing, e);
}

static json_t *child_row(sqlite3_stmt *st)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "code", col(st, 0), "name", col(st, 1),
                     "level", col(st, 2), "status", col(st, 3) ? col(st, 3) : "unplanned", "total",
                     (json_int_t)sqlite3_column_int64(st, 4), "held",
                     (json_int_t)sqlite3_column_int64(st, 5));
}

static int by_name(const void *a, const void *b)
{
    return cv_collate_cmp(cv_json_text(*(json_t *const *)a, "name"),
                          cv_json_text(*(json_t *const *)b, "name"));
}

/* Each direct child with its own congress's status and its subtree's held of total (itself
 * included), from its roll-ups. */
static int children(cv_store *s, int64_t root, int64_t term, json_t *out, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "SELECT o.code, o.name, o.level, c.status, 1 + coalesce((SELECT sum(r.orgs) FROM rollups r "
        "  WHERE r.org_id = o.id AND r.term_id = 0), 0), coalesce(c.status = 'held', 0) + "
        "  coalesce((SELECT sum(r.held) FROM rollups r WHERE r.org_id = o.id "
        "    AND r.term_id = ?2), 0) "
        "FROM orgs o LEFT JOIN congresses c ON c.org_id = o.id AND c.term_id = ?2 "
        "WHERE o.parent_id = ?1",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, root);
    sqlite3_bind_int64(st, 2, term);
    json_t *list = json_array();
    if (collect(s, st, child_row, list, "reading the child organisations", e) < 0) {
        json_decref(list);
        return e->code;
    }
    size_t n = json_array_size(list);
    json_t **rows = malloc((n ? n : 1) * sizeof *rows);
    if (!rows) {
        json_decref(list);
        return cv_err_set(e, CV_ENOMEM, "out of memory sorting organisations");
    }
    for (size_t i = 0; i < n; i++)
        rows[i] = json_incref(json_array_get(list, i));
    qsort(rows, n, sizeof *rows, by_name);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(out, rows[i]);
    free(rows);
    json_decref(list);
    return 0;
}

static json_t *soon_row(sqlite3_stmt *st)
{
    return json_pack("{s:s, s:s, s:s, s:s?, s:s}", "code", col(st, 0), "name", col(st, 1),
                     "planned_start", col(st, 2), "planned_end", col(st, 3), "status", col(st, 4));
}

static json_t *round_row(sqlite3_stmt *st)
{
    return json_pack(
        "{s:I, s:s, s:s, s:s, s:I, s:I}", "id", (json_int_t)sqlite3_column_int64(st, 0), "document",
        col(st, 1), "org", col(st, 2), "deadline", col(st, 3), "answered",
        (json_int_t)sqlite3_column_int64(st, 4), "total", (json_int_t)sqlite3_column_int64(st, 5));
}

static json_t *complaint_row(sqlite3_stmt *st)
{
    return json_pack("{s:I, s:s, s:s?, s:s, s:s, s:s?}", "id",
                     (json_int_t)sqlite3_column_int64(st, 0), "org", col(st, 1), "congress_start",
                     col(st, 2), "person", col(st, 3), "summary", col(st, 4), "deadline",
                     col(st, 5));
}

static json_t *held_row(sqlite3_stmt *st)
{
    return json_pack("[s, I]", col(st, 0), (json_int_t)sqlite3_column_int64(st, 1));
}

static json_t *window_row(sqlite3_stmt *st)
{
    return json_pack("{s:s, s:s, s:s}", "level", col(st, 0), "opens", col(st, 1), "closes",
                     col(st, 2));
}

static json_t *scenario_row(sqlite3_stmt *st)
{
    return json_pack("{s:s, s:s}", "code", col(st, 0), "name", col(st, 1));
}

struct query {
    const char *key, *sql, *doing;
    json_t *(*row)(sqlite3_stmt *);
};

/* ?1 root id, ?2 term id, ?3 today, ?4 today + 14 days, ?5 the list bound (a query that uses
 * fewer parameters ignores the others' bindings). */
static const struct query queries[] = {
    {"soon", /* by the date index, in its order: a busy fortnight is not read whole */
     ROOT "SELECT o.code, o.name, c.planned_start, c.planned_end, c.status "
          "FROM congresses c JOIN orgs o ON o.id = c.org_id, root "
          "WHERE coalesce(c.actual_start, c.planned_start) BETWEEN ?3 AND ?4 "
          "AND +c.term_id = ?2 AND c.status <> 'held' AND " IN_ROOT
          "ORDER BY coalesce(c.actual_start, c.planned_start), c.id LIMIT ?5",
     "reading the congresses of the next 14 days", soon_row},
    {"rounds",
     ROOT "SELECT r.id, d.title, o.code, r.deadline, "
          "  (SELECT count(*) FROM round_recipients x WHERE x.round_id = r.id "
          "     AND x.responded_on IS NOT NULL), "
          "  (SELECT count(*) FROM round_recipients x WHERE x.round_id = r.id) "
          "FROM comment_rounds r JOIN documents d ON d.id = r.document_id "
          "JOIN congresses c ON c.id = d.congress_id AND c.term_id = ?2 "
          "JOIN orgs o ON o.id = c.org_id, root WHERE r.status = 'open' AND " IN_ROOT
          "ORDER BY r.deadline, r.id LIMIT ?5",
     "reading the open comment rounds", round_row},
    {"complaints",
     ROOT "SELECT k.id, o.code, c.planned_start, p.name, k.summary, k.deadline "
          "FROM complaints k JOIN congresses c ON c.id = k.congress_id AND c.term_id = ?2 "
          "  AND c.status <> 'held' "
          "JOIN orgs o ON o.id = c.org_id JOIN people p ON p.id = k.about_id, root "
          "WHERE k.status = 'open' AND " IN_ROOT "AND EXISTS (SELECT 1 FROM candidates x "
          "  JOIN elections el ON el.id = x.election_id "
          "  WHERE x.person_id = k.about_id AND el.congress_id = c.id) "
          "ORDER BY c.planned_start, k.id LIMIT ?5",
     "reading the complaints about candidates", complaint_row},
    {"held",
     "SELECT day, held FROM rollup_held WHERE org_id = ?1 AND term_id = ?2 AND held <> 0 "
     "ORDER BY day",
     "reading the congresses held per day", held_row},
    {"windows",
     "SELECT w.level, w.opens, w.closes FROM term_windows w WHERE w.term_id = ?2 "
     "AND w.level IN (SELECT level FROM rollups WHERE org_id = ?1 AND term_id = 0 AND orgs > 0) "
     "ORDER BY w.closes",
     "reading the windows of the term", window_row},
    {"scenario",
     "SELECT sn.code, sn.name FROM scenarios sn JOIN congresses c ON c.id = sn.congress_id "
     "WHERE c.org_id = ?1 AND c.term_id = ?2 AND sn.active",
     "reading the active scenario", scenario_row},
    {NULL, NULL, NULL, NULL},
};

static int run_queries(cv_store *s, int64_t root, const cv_term *t, json_t *out, cv_err *e)
{
    char today[11], until[11];
    cv_clock_today(today);
    cv_date_from_days(cv_date_days(today) + 14, until);
    json_object_set_new(out, "today", json_string(today));
    for (const struct query *q = queries; q->key; q++) {
        sqlite3_stmt *st = cv_store_prepare(s, q->sql, e);
        if (!st)
            return e->code;
        sqlite3_bind_int64(st, 1, root);
        sqlite3_bind_int64(st, 2, t->id);
        sqlite3_bind_text(st, 3, today, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, until, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 5, CV_SCOPE_LIST_MAX);
        json_t *list = json_array();
        json_object_set_new(out, q->key, list);
        if (collect(s, st, q->row, list, q->doing, e) < 0)
            return e->code;
    }
    return 0;
}

/* Moves "held" and "windows" into "burnup", with held made cumulative. */
static void shape_burnup(json_t *out)
{
    json_t *held = json_object_get(out, "held");
    json_int_t sum = 0;
    size_t i;
    json_t *day;
    json_array_foreach(held, i, day)
    {
        sum += json_integer_value(json_array_get(day, 1));
        json_array_set_new(day, 1, json_integer(sum));
    }
    json_t *sc = json_object_get(out, "scenario");
    json_object_set(out, "scenario", json_array_size(sc) ? json_array_get(sc, 0) : json_null());
    json_object_set_new(
        out, "burnup",
        json_pack("{s:O, s:O}", "held", held, "windows", json_object_get(out, "windows")));
    json_object_del(out, "held");
    json_object_del(out, "windows");
}

int cv_web_scope(cv_store *s, const char *org, const char *term, json_t **out, cv_err *e)
{
    cv_org o;
    cv_term t;
    json_t *status = NULL;
    if (cv_org_get(s, org, &o, e) < 0 || cv_term_get(s, term, &t, e) < 0 ||
        cv_status_report(s, org, t.code, &status, e) < 0)
        return e->code;
    json_t *j = json_pack("{s:O, s:s, s:[]}", "status",
                          json_array_get(json_object_get(status, "reports"), 0), "term", t.code,
                          "children");
    json_decref(status);
    if (children(s, o.id, t.id, json_object_get(j, "children"), e) < 0 ||
        run_queries(s, o.id, &t, j, e) < 0) {
        json_decref(j);
        return e->code;
    }
    shape_burnup(j);
    json_t *all = json_object_get(j, "children");
    json_int_t subtree = 0;
    size_t i;
    json_t *c;
    json_array_foreach(all, i, c) subtree += json_integer_value(json_object_get(c, "total"));
    json_object_set_new(json_object_get(j, "burnup"), "total", json_integer(subtree));
    *out = j;
    return 0;
}
