/* rollup.c: recomputes the roll-ups from scratch and compares (see rollup.h). The recomputation
 * is deliberately not the triggers' method: it finds each organisation's ancestors in the codes
 * of its materialised path rather than by walking parent_id upwards (and the paths are checked
 * against parent_id first), so a fault in either shows as a difference. It never writes. */
#include "rollup.h"

#include <string.h>

#include "domain/org.h"

/* The organisations in scope (every one, or root's subtree by its path range, root included)
 * and, for each, its ancestors in scope, read from the codes of its path. */
#define SCOPE                                                                                      \
    "root AS (SELECT coalesce((SELECT path FROM orgs WHERE code = ?1), '/') AS p), "               \
    "scope AS (SELECT o.id, o.path FROM orgs o, root WHERE ?1 IS NULL OR (o.level IN "             \
    "('national', 'province', 'district', 'grassroots', 'cell') AND o.path >= root.p AND "         \
    "o.path < substr(root.p, 1, length(root.p) - 1) || '0')), "                                    \
    "split(id, rest, anc) AS (SELECT id, substr(path, 2), NULL FROM scope UNION ALL "              \
    "SELECT id, substr(rest, instr(rest, '/') + 1), substr(rest, 1, instr(rest, '/') - 1) "        \
    "FROM split WHERE rest <> ''), "                                                               \
    "below AS (SELECT a.id AS anc, s.id FROM split s JOIN orgs a ON a.code = s.anc, root "         \
    "WHERE s.rest <> '' AND a.path >= root.p) "

/* Both sides side by side in one grouping (linear, where a FULL JOIN of two large CTEs is not):
 * each row returned is a difference. */
static const char rollups_sql[] =
    "WITH RECURSIVE " SCOPE ", "
    "e AS (SELECT b.anc AS org_id, own.term_id, own.level, sum(own.orgs) AS orgs, "
    "  sum(own.planned) AS planned, sum(own.preparing) AS preparing, sum(own.held) AS held, "
    "  sum(own.held_late) AS held_late, sum(own.items_open) AS items_open, "
    "  sum(own.items_done) AS items_done FROM below b JOIN rollup_own own ON own.org_id = b.id "
    "  GROUP BY 1, 2, 3) "
    "SELECT org_id, term_id, level, sum(e0), sum(g0), sum(e1), sum(g1), sum(e2), sum(g2), "
    "  sum(e3), sum(g3), sum(e4), sum(g4), sum(e5), sum(g5), sum(e6), sum(g6) FROM ("
    "  SELECT org_id, term_id, level, orgs AS e0, 0 AS g0, planned AS e1, 0 AS g1, "
    "    preparing AS e2, 0 AS g2, held AS e3, 0 AS g3, held_late AS e4, 0 AS g4, "
    "    items_open AS e5, 0 AS g5, items_done AS e6, 0 AS g6 FROM e UNION ALL "
    "  SELECT r.org_id, r.term_id, r.level, 0, r.orgs, 0, r.planned, 0, r.preparing, 0, r.held, "
    "    0, r.held_late, 0, r.items_open, 0, r.items_done FROM rollups r JOIN scope a "
    "    ON a.id = r.org_id) "
    "GROUP BY 1, 2, 3 HAVING sum(e0) <> sum(g0) OR sum(e1) <> sum(g1) OR sum(e2) <> sum(g2) "
    "  OR sum(e3) <> sum(g3) OR sum(e4) <> sum(g4) OR sum(e5) <> sum(g5) OR sum(e6) <> sum(g6) "
    "ORDER BY 1, 2, 3";

static const char due_sql[] =
    "WITH RECURSIVE " SCOPE " "
    "SELECT org_id, term_id, due, sum(e), sum(g) FROM ("
    "  SELECT b.anc AS org_id, own.term_id, own.due, own.open AS e, 0 AS g FROM below b "
    "    JOIN rollup_due_own own ON own.org_id = b.id UNION ALL "
    "  SELECT r.org_id, r.term_id, r.due, 0, r.open FROM rollup_due r JOIN scope a "
    "    ON a.id = r.org_id) "
    "GROUP BY 1, 2, 3 HAVING sum(e) <> sum(g) ORDER BY 1, 2, 3";

static const char held_sql[] =
    "WITH RECURSIVE " SCOPE " "
    "SELECT org_id, term_id, day, sum(e), sum(g) FROM ("
    "  SELECT b.anc AS org_id, own.term_id, own.day, own.held AS e, 0 AS g FROM below b "
    "    JOIN rollup_held_own own ON own.org_id = b.id UNION ALL "
    "  SELECT r.org_id, r.term_id, r.day, 0, r.held FROM rollup_held r JOIN scope a "
    "    ON a.id = r.org_id) "
    "GROUP BY 1, 2, 3 HAVING sum(e) <> sum(g) ORDER BY 1, 2, 3";

/* Every path (of the whole tree: the subtree ranges rest on them) must be its parent's path and
 * its own code (roots: '/' CODE '/'). */
static const char paths_sql[] =
    "SELECT o.id, 0, 'path', 1, 0 FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id "
    "WHERE o.path IS NOT (coalesce(p.path, '/') || o.code || '/')";

/* Every congress's copy of its organisation's path and level (the late list's index). */
static const char copies_sql[] =
    "SELECT o.id, c.term_id, 'congress', 1, 0 FROM congresses c JOIN orgs o ON o.id = c.org_id "
    "WHERE c.org_path IS NOT o.path OR c.org_level IS NOT o.level";

static const char *const rollup_counts[] = {"orgs",      "planned",    "preparing", "held",
                                            "held_late", "items_open", "items_done"};
static const char *const due_counts[] = {"open"};
static const char *const held_counts[] = {"held"};
static const char *const path_counts[] = {"wrong"};

struct check {
    json_t *first;
    json_int_t differences;
};

static json_t *describe(cv_store *s, sqlite3_stmt *st, const char *const *counts, int n)
{
    cv_org o;
    cv_err ignored = {0};
    int64_t org = sqlite3_column_int64(st, 0), term = sqlite3_column_int64(st, 1);
    json_t *d = json_pack("{s:s, s:I, s:s}", "org",
                          cv_org_get_by_id(s, org, &o, &ignored) == 0 ? o.code : "?", "term_id",
                          (json_int_t)term, "at", (const char *)sqlite3_column_text(st, 2));
    json_t *diff = json_object();
    for (int i = 0; i < n; i++) {
        json_int_t want = sqlite3_column_int64(st, 3 + 2 * i);
        json_int_t have = sqlite3_column_int64(st, 4 + 2 * i);
        if (want != have)
            json_object_set_new(diff, counts[i],
                                json_pack("{s:I, s:I}", "stored", have, "recomputed", want));
    }
    json_object_set_new(d, "counts", diff);
    return d;
}

/* Runs one comparison; each row it returns is a difference. */
static int compare(cv_store *s, const char *sql, const char *org, const char *const *counts, int n,
                   struct check *c, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s, sql, e);
    if (!st)
        return e->code;
    if (org && sqlite3_bind_parameter_count(st) > 0)
        sqlite3_bind_text(st, 1, org, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        c->differences++;
        if (json_array_size(c->first) < CV_ROLLUP_DIFF_MAX)
            json_array_append_new(c->first, describe(s, st, counts, n));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : cv_store_fail(s, "recomputing the roll-ups", e);
}

int cv_rollup_check(cv_store *s, const char *org, json_t **out, cv_err *e)
{
    cv_org root;
    if (org && cv_org_get(s, org, &root, e) < 0)
        return e->code;
    struct check c = {.first = json_array()};
    if (compare(s, paths_sql, org, path_counts, 1, &c, e) < 0 ||
        compare(s, copies_sql, org, path_counts, 1, &c, e) < 0 ||
        (c.differences == 0 && (compare(s, rollups_sql, org, rollup_counts, 7, &c, e) < 0 ||
                                compare(s, due_sql, org, due_counts, 1, &c, e) < 0 ||
                                compare(s, held_sql, org, held_counts, 1, &c, e) < 0))) {
        json_decref(c.first);
        return e->code;
    }
    *out =
        json_pack("{s:s?, s:I, s:o}", "org", org, "differences", c.differences, "first", c.first);
    return 0;
}
