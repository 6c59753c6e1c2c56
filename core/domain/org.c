/* org.c: the organisation tree. Owns the orgs table and its invariants (levels descend, no
 * cycles); never changes a congress or a work item. */
#include "org.h"

#include <string.h>

#include "base/bound.h"
#include "store/journal.h"

static const char *const levels[] = {"national", "province", "district", "grassroots", "cell"};

int cv_org_level_rank(const char *level)
{
    for (int i = 0; i < (int)(sizeof levels / sizeof levels[0]); i++)
        if (strcmp(level, levels[i]) == 0)
            return i;
    return -1;
}

int cv_org_level_check(const char *level, int *rank, cv_err *e)
{
    *rank = cv_org_level_rank(level);
    if (*rank < 0)
        return cv_err_set(
            e, CV_EINVAL,
            N_("level '%s' is not one of national, province, district, grassroots, cell"), level);
    return 0;
}

#define ORG_COLUMNS                                                                                \
    "o.id, o.code, o.name, o.level, o.kind, coalesce(o.parent_id, 0), coalesce(p.code, ''), "      \
    "o.members"
#define ORG_NCOLUMNS 8

static void read_org(sqlite3_stmt *st, int col, cv_org *o)
{
    o->id = sqlite3_column_int64(st, col);
    snprintf(o->code, sizeof o->code, "%s", (const char *)sqlite3_column_text(st, col + 1));
    snprintf(o->name, sizeof o->name, "%s", (const char *)sqlite3_column_text(st, col + 2));
    snprintf(o->level, sizeof o->level, "%s", (const char *)sqlite3_column_text(st, col + 3));
    snprintf(o->kind, sizeof o->kind, "%s", (const char *)sqlite3_column_text(st, col + 4));
    o->parent_id = sqlite3_column_int64(st, col + 5);
    snprintf(o->parent_code, sizeof o->parent_code, "%s",
             (const char *)sqlite3_column_text(st, col + 6));
    o->members = sqlite3_column_int64(st, col + 7);
}

/* Steps a statement expected to return one organisation row. */
static int fetch_one(cv_store *s, sqlite3_stmt *st, cv_org *out, const char *what, cv_err *e)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_org(st, 0, out);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE)
        return cv_err_set(e, CV_ENOTFOUND, N_("no organisation %s"), what);
    return cv_store_fail(s, "reading an organisation", e);
}

int cv_org_get(cv_store *s, const char *code, cv_org *out, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s,
                                        "SELECT " ORG_COLUMNS
                                        " FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id "
                                        "WHERE o.code = ?1",
                                        e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    char what[CV_CODE_MAX + 16];
    snprintf(what, sizeof what, "with code '%s'", code);
    return fetch_one(s, st, out, what, e);
}

int cv_org_get_by_id(cv_store *s, int64_t id, cv_org *out, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s,
                                        "SELECT " ORG_COLUMNS
                                        " FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id "
                                        "WHERE o.id = ?1",
                                        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    char what[48];
    snprintf(what, sizeof what, "with id %lld", (long long)id);
    return fetch_one(s, st, out, what, e);
}

/* A child must sit at a lower level than its parent (a cell under a grassroots organisation,
 * never a province under a district). */
static int check_levels(const cv_org *parent, const char *child_level, const char *child_code,
                        cv_err *e)
{
    if (cv_org_level_rank(child_level) <= cv_org_level_rank(parent->level))
        return cv_err_set(e, CV_ECONFLICT,
                          N_("%s (%s) cannot be placed under %s (%s): a child's level must be "
                             "below its parent's"),
                          child_code, child_level, parent->code, parent->level);
    return 0;
}

static int validate_new(cv_store *s, const cv_org *in, cv_org *clean, cv_org *parent, cv_err *e)
{
    memset(clean, 0, sizeof *clean);
    if (cv_text_code(in->code, "organisation code", e) < 0 ||
        cv_text_nfc(in->name, clean->name, sizeof clean->name, "organisation name", e) < 0)
        return e->code;
    int rank;
    if (cv_org_level_check(in->level, &rank, e) < 0)
        return e->code;
    if (in->kind[0] && cv_text_nfc(in->kind, clean->kind, sizeof clean->kind, "kind", e) < 0)
        return e->code;
    if (cv_bound_check(in->members, 0, CV_PEOPLE_MAX, "member count", e) < 0)
        return e->code;
    snprintf(clean->code, sizeof clean->code, "%s", in->code);
    snprintf(clean->level, sizeof clean->level, "%s", in->level);
    clean->members = in->members;
    if (in->parent_code[0]) {
        if (cv_org_get(s, in->parent_code, parent, e) < 0)
            return e->code;
        if (check_levels(parent, in->level, in->code, e) < 0)
            return e->code;
        clean->parent_id = parent->id;
        snprintf(clean->parent_code, sizeof clean->parent_code, "%s", parent->code);
    }
    return 0;
}

static int insert_org(cv_store *s, const cv_org *o, int64_t *id, cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s,
                         "INSERT INTO orgs(code, name, level, kind, parent_id, members) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                         e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, o->code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, o->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, o->level, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, o->kind, -1, SQLITE_STATIC);
    if (o->parent_id)
        sqlite3_bind_int64(st, 5, o->parent_id);
    sqlite3_bind_int64(st, 6, o->members);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return cv_err_set(e, CV_ECONFLICT, N_("organisation code '%s' is already used"), o->code);
    if (rc != SQLITE_DONE)
        return cv_store_fail(s, "adding an organisation", e);
    *id = sqlite3_last_insert_rowid(cv_store_db(s));
    return 0;
}

int cv_org_add(cv_store *s, const cv_org *in, int64_t *id_out, cv_err *e)
{
    cv_org clean, parent;
    int64_t id = 0;
    if (cv_store_require_tx(s, __func__, e) < 0 || validate_new(s, in, &clean, &parent, e) < 0 ||
        insert_org(s, &clean, &id, e) < 0)
        return e->code;
    clean.id = id;
    if (cv_journal_emit(s, "org.added", id, cv_org_json(&clean), NULL, e) < 0)
        return e->code;
    if (id_out)
        *id_out = id;
    return 0;
}

int cv_org_too_deep(const char *where, cv_err *e)
{
    return cv_err_set(
        e, CV_ECONFLICT,
        N_("the tree %s is more than %d levels deep: a parent cycle was written behind "
           "convene's back ('convene check' names it)"),
        where, CV_ORG_DEPTH_MAX);
}

int cv_org_in_subtree(cv_store *s, int64_t root_id, int64_t id, int *yes, cv_err *e)
{
    /* Bounded: a parent cycle written behind our back must end the walk, not spin. */
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "WITH RECURSIVE up(id, depth) AS (SELECT ?2, 0 UNION ALL "
        "  SELECT o.parent_id, up.depth + 1 FROM orgs o JOIN up ON o.id = up.id "
        "  WHERE o.parent_id IS NOT NULL AND up.depth < ?3) "
        "SELECT EXISTS (SELECT 1 FROM up WHERE id = ?1), (SELECT max(depth) FROM up)",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, root_id);
    sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_int(st, 3, CV_ORG_DEPTH_MAX);
    int rc = sqlite3_step(st);
    *yes = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
    int deep = rc == SQLITE_ROW && sqlite3_column_int(st, 1) >= CV_ORG_DEPTH_MAX;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return cv_store_fail(s, "walking the tree", e);
    return deep ? cv_org_too_deep("above an organisation", e) : 0;
}

static int set_parent(cv_store *s, int64_t id, int64_t parent_id, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s, "UPDATE orgs SET parent_id = ?2 WHERE id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, parent_id);
    return cv_store_exec(s, st, e);
}

int cv_org_move(cv_store *s, const char *code, const char *new_parent_code, cv_err *e)
{
    cv_org o, parent;
    int cycle = 0;
    if (cv_store_require_tx(s, __func__, e) < 0 || cv_org_get(s, code, &o, e) < 0 ||
        cv_org_get(s, new_parent_code, &parent, e) < 0 ||
        cv_org_in_subtree(s, o.id, parent.id, &cycle, e) < 0)
        return e->code;
    if (cycle)
        return cv_err_set(e, CV_ECONFLICT,
                          N_("cannot move %s under %s: %s is inside %s's own subtree"), code,
                          new_parent_code, new_parent_code, code);
    if (check_levels(&parent, o.level, o.code, e) < 0 || set_parent(s, o.id, parent.id, e) < 0)
        return e->code;
    json_t *data =
        json_pack("{s:s, s:s, s:s}", "code", code, "from", o.parent_code, "to", parent.code);
    return cv_journal_emit(s, "org.moved", o.id, data, NULL, e);
}

static int write_update(cv_store *s, const cv_org *o, cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s, "UPDATE orgs SET name = ?2, kind = ?3, members = ?4 WHERE id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, o->id);
    sqlite3_bind_text(st, 2, o->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, o->kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, o->members);
    return cv_store_exec(s, st, e);
}

int cv_org_update(cv_store *s, const char *code, const char *name, const char *kind,
                  int64_t members, cv_err *e)
{
    cv_org o;
    if (cv_store_require_tx(s, __func__, e) < 0 || cv_org_get(s, code, &o, e) < 0 ||
        (name && cv_text_nfc(name, o.name, sizeof o.name, "organisation name", e) < 0) ||
        (kind && cv_text_nfc(kind, o.kind, sizeof o.kind, "kind", e) < 0))
        return e->code;
    if (members >= 0 && cv_bound_check(members, 0, CV_PEOPLE_MAX, "member count", e) < 0)
        return e->code;
    if (members >= 0)
        o.members = members;
    if (write_update(s, &o, e) < 0)
        return e->code;
    return cv_journal_emit(s, "org.updated", o.id, cv_org_json(&o), NULL, e);
}

int cv_org_walk(cv_store *s, const char *root_code, int max_depth, cv_org_visit visit, void *ctx,
                cv_err *e)
{
    /* The path of codes orders parents before children and siblings by code. */
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "WITH RECURSIVE t(id, depth, path) AS ("
        "  SELECT id, 0, code FROM orgs WHERE (?1 IS NULL AND parent_id IS NULL) OR code = ?1"
        "  UNION ALL SELECT o.id, t.depth + 1, t.path || char(31) || o.code"
        "  FROM orgs o JOIN t ON o.parent_id = t.id WHERE (?2 < 0 OR t.depth < ?2) AND t.depth < "
        "?3) "
        "SELECT t.depth, " ORG_COLUMNS ", max(t.depth) OVER () FROM t JOIN orgs o ON o.id = t.id "
        "LEFT JOIN orgs p ON p.id = o.parent_id ORDER BY t.path",
        e);
    if (!st)
        return e->code;
    if (root_code)
        sqlite3_bind_text(st, 1, root_code, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, max_depth);
    sqlite3_bind_int(st, 3, CV_ORG_DEPTH_MAX);
    int rc, stop = 0, seen = 0;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        cv_org o;
        if (sqlite3_column_int(st, 1 + ORG_NCOLUMNS) >= CV_ORG_DEPTH_MAX) {
            sqlite3_reset(st);
            return cv_org_too_deep(root_code ? "under this organisation" : "of organisations", e);
        }
        read_org(st, 1, &o);
        seen++;
        stop = visit(&o, sqlite3_column_int(st, 0), ctx);
    }
    sqlite3_reset(st);
    if (stop)
        return stop;
    if (rc != SQLITE_DONE)
        return cv_store_fail(s, "walking the tree", e);
    if (root_code && !seen)
        return cv_err_set(e, CV_ENOTFOUND, N_("no organisation with code '%s'"), root_code);
    return 0;
}

/* Every edge of a sound tree goes down a level (national 0 ... cell 4), so it has no cycle and
 * is at most 4 deep: one pass over the edges finds every break, and those that close a cycle. */
int cv_org_check_tree(cv_store *s, json_t **problems, cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s,
                         "SELECT c.id, c.code, c.level, p.id, p.code, p.level FROM orgs c "
                         "JOIN orgs p ON p.id = c.parent_id ORDER BY c.code",
                         e);
    if (!st)
        return e->code;
    json_t *out = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *level = (const char *)sqlite3_column_text(st, 2);
        const char *parent_level = (const char *)sqlite3_column_text(st, 5);
        if (cv_org_level_rank(level) > cv_org_level_rank(parent_level))
            continue;
        json_array_append_new(
            out, json_pack("{s:I, s:s, s:s, s:I, s:s, s:s}", "id",
                           (json_int_t)sqlite3_column_int64(st, 0), "org",
                           (const char *)sqlite3_column_text(st, 1), "level", level, "parent_id",
                           (json_int_t)sqlite3_column_int64(st, 3), "parent",
                           (const char *)sqlite3_column_text(st, 4), "parent_level", parent_level));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(out);
        return cv_store_fail(s, "checking the tree", e);
    }
    size_t i;
    json_t *p;
    json_array_foreach(out, i, p)
    {
        int cycle = 0;
        cv_err deep;
        if (cv_org_in_subtree(s, json_integer_value(json_object_get(p, "id")),
                              json_integer_value(json_object_get(p, "parent_id")), &cycle,
                              &deep) < 0 &&
            deep.code != CV_ECONFLICT) {
            json_decref(out);
            *e = deep;
            return e->code;
        }
        json_object_set_new(p, "cycle", json_boolean(cycle || deep.code == CV_ECONFLICT));
    }
    *problems = out;
    return 0;
}

json_t *cv_org_json(const cv_org *o)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s?, s:I}", "id", (json_int_t)o->id, "code",
                     o->code, "name", o->name, "level", o->level, "kind", o->kind, "parent",
                     o->parent_code[0] ? o->parent_code : NULL, "members", (json_int_t)o->members);
}
