/* ops.c: the operations table's one entry point. It checks arguments and permissions before any
 * handler runs and owns the transaction of every writing operation; it never prints and never
 * lets a refused or failed operation leave a change behind. */
#include "ops.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "auth/account.h"
#include "base/bound.h"
#include "base/date.h"
#include "base/text.h"

static const cv_op *const groups[] = {
    cv_ops_tree,       cv_ops_congress, cv_ops_elect,    cv_ops_people,
    cv_ops_complaints, cv_ops_scheme,   cv_ops_allocate, cv_ops_documents,
    cv_ops_docs,       cv_ops_auth,     cv_ops_notify,   cv_ops_admin,
    cv_ops_sched,      cv_ops_plugin,   cv_ops_report,   cv_ops_store};
#define OPS_GROUPS ((int)(sizeof groups / sizeof groups[0]))

int cv_ops_count(void)
{
    int n = 0;
    for (int g = 0; g < OPS_GROUPS; g++)
        for (const cv_op *o = groups[g]; o->name; o++)
            n++;
    return n;
}

const cv_op *cv_ops_at(int i)
{
    for (int g = 0; g < OPS_GROUPS; g++)
        for (const cv_op *o = groups[g]; o->name; o++)
            if (i-- == 0)
                return o;
    return NULL;
}

const cv_op *cv_ops_find(const char *name)
{
    for (int g = 0; g < OPS_GROUPS; g++)
        for (const cv_op *o = groups[g]; o->name; o++)
            if (strcmp(o->name, name) == 0)
                return o;
    return NULL;
}

const char *cv_op_text(json_t *args, const char *name)
{
    return json_string_value(json_object_get(args, name));
}

int64_t cv_op_int(json_t *args, const char *name, int64_t def)
{
    json_t *v = json_object_get(args, name);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : def;
}

int cv_op_bool(json_t *args, const char *name, int def)
{
    json_t *v = json_object_get(args, name);
    return json_is_boolean(v) ? json_is_true(v) : def;
}

/* arguments -------------------------------------------------------------------------------- */

static int check_list(const cv_op *op, const cv_op_arg *a, json_t *v, cv_err *e)
{
    if (!json_is_array(v) || (int64_t)json_array_size(v) > a->max)
        return cv_err_set(e, CV_EINVAL, N_("%s: %s must be a list of at most %lld texts"), op->name,
                          a->name, (long long)a->max);
    size_t i;
    json_t *item;
    json_array_foreach(
        v, i,
        item) if (!json_is_string(item) ||
                  json_string_length(item) >
                      511) return cv_err_set(e, CV_EINVAL,
                                             N_("%s: %s holds an item that is not a short text"),
                                             op->name, a->name);
    return 0;
}

/* A date argument, refused in the words the importer and Lua use ("due date '...' is not a
 * date"). */
static int check_date(const char *name, const char *s, cv_err *e)
{
    char what[64];
    snprintf(what, sizeof what, strstr(name, "date") ? "%s" : "%s date", name);
    return cv_date_check(s, what, e);
}

static int check_one(const cv_op *op, const cv_op_arg *a, json_t *v, cv_err *e)
{
    const char *s = json_string_value(v);
    switch (a->type) {
    case CV_ARG_TEXT:
        if (!s || (int64_t)json_string_length(v) > a->max)
            return cv_err_set(e, CV_EINVAL, N_("%s: %s must be a text of at most %lld bytes"),
                              op->name, a->name, (long long)a->max);
        if (strlen(s) != json_string_length(v))
            return cv_err_set(e, CV_EINVAL, N_("%s: %s holds a NUL byte"), op->name, a->name);
        return 0;
    case CV_ARG_CODE:
        if (!s)
            return cv_err_set(e, CV_EINVAL, N_("%s: %s must be a code"), op->name, a->name);
        return cv_text_code(s, a->name, e);
    case CV_ARG_DATE:
        if (!s)
            return cv_err_set(e, CV_EINVAL, N_("%s: %s must be a date YYYY-MM-DD"), op->name,
                              a->name);
        return check_date(a->name, s, e);
    case CV_ARG_INT:
        if (!json_is_integer(v))
            return cv_err_set(e, CV_EINVAL, N_("%s: %s must be a whole number from %lld to %lld"),
                              op->name, a->name, (long long)a->min, (long long)a->max);
        /* the words of base/bound.h, as the importer and Lua give them */
        return cv_bound_check(json_integer_value(v), a->min, a->max, a->name, e);
    case CV_ARG_BOOL:
        if (!json_is_boolean(v))
            return cv_err_set(e, CV_EINVAL, N_("%s: %s must be true or false"), op->name, a->name);
        return 0;
    case CV_ARG_LIST:
        return check_list(op, a, v, e);
    case CV_ARG_FILE:
        if (!s || !*s || (int64_t)json_string_length(v) > a->max)
            return cv_err_set(e, CV_EINVAL, "%s: %s must be a file", op->name, a->name);
        return 0;
    default:
        return cv_err_set(e, CV_EINVAL, N_("%s: %s has no type"), op->name, a->name);
    }
}

/* Every argument known, of its type and within its bounds; every required one present. */
static int check_args(const cv_op *op, json_t *args, cv_err *e)
{
    if (!json_is_object(args))
        return cv_err_set(e, CV_EINVAL, N_("%s: arguments must be a JSON object"), op->name);
    const char *key;
    json_t *v;
    json_object_foreach(args, key, v)
    {
        const cv_op_arg *a = op->args;
        while (a && a->name && strcmp(a->name, key) != 0)
            a++;
        if (!a || !a->name)
            return cv_err_set(e, CV_EINVAL, N_("%s takes no argument '%.40s'"), op->name, key);
        if (!json_is_null(v) && check_one(op, a, v, e) < 0)
            return e->code;
    }
    for (const cv_op_arg *a = op->args; a && a->name; a++) {
        json_t *given = json_object_get(args, a->name);
        if (a->required && (!given || json_is_null(given)))
            return cv_err_set(e, CV_EINVAL, N_("%s needs %s"), op->name, a->name);
    }
    return 0;
}

/* where ------------------------------------------------------------------------------------- */

static const char *const at_sql[] = {
    [CV_AT_ORG] = "SELECT id FROM orgs WHERE code = ?1",
    [CV_AT_CONGRESS] = "SELECT org_id FROM congresses WHERE id = ?1",
    [CV_AT_SUBCOMMITTEE] = "SELECT c.org_id FROM subcommittees s JOIN congresses c ON "
                           "c.id = s.congress_id WHERE s.id = ?1",
    [CV_AT_WORK] = "SELECT c.org_id FROM work_items w JOIN congresses c ON c.id = w.congress_id "
                   "WHERE w.id = ?1",
    [CV_AT_ELECTION] = "SELECT c.org_id FROM elections x JOIN congresses c ON "
                       "c.id = x.congress_id WHERE x.id = ?1",
    [CV_AT_PERSON] = "SELECT coalesce(org_id, 0) FROM people WHERE code = ?1",
    [CV_AT_COMPLAINT] = "SELECT c.org_id FROM complaints x JOIN congresses c ON "
                        "c.id = x.congress_id WHERE x.id = ?1",
    [CV_AT_INSPECTION] = "SELECT org_id FROM inspections WHERE id = ?1",
    [CV_AT_DOCUMENT] = "SELECT c.org_id FROM documents d JOIN congresses c ON "
                       "c.id = d.congress_id WHERE d.id = ?1",
    [CV_AT_ROUND] =
        "SELECT c.org_id FROM comment_rounds r JOIN documents d ON "
        "d.id = r.document_id JOIN congresses c ON c.id = d.congress_id WHERE r.id = ?1",
    [CV_AT_RECIPIENT] = "SELECT coalesce((SELECT x.org_id FROM round_recipients x WHERE "
                        "x.round_id = r.id AND x.kind = 'org' AND x.key = ?2), c.org_id) FROM "
                        "comment_rounds r JOIN documents d ON d.id = r.document_id JOIN "
                        "congresses c ON c.id = d.congress_id WHERE r.id = ?1",
};

int cv_ops_resolve(cv_store *s, int at, const char *arg, json_t *args, int64_t *org_id, cv_err *e)
{
    *org_id = 0;
    json_t *v = arg ? json_object_get(args, arg) : NULL;
    if (at == CV_AT_STORE || at == CV_AT_ACCOUNT || at == CV_AT_SELF || !v || json_is_null(v))
        return 0;
    sqlite3_stmt *st = cv_store_prepare(s, at_sql[at], e);
    if (!st)
        return e->code;
    if (json_is_string(v))
        sqlite3_bind_text(st, 1, json_string_value(v), -1, SQLITE_STATIC);
    else
        sqlite3_bind_int64(st, 1, json_integer_value(v));
    if (at == CV_AT_RECIPIENT)
        sqlite3_bind_text(st, 2, cv_op_text(args, "recipient"), -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *org_id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc != SQLITE_DONE)
        return cv_store_fail(s, "finding the organisation acted on", e);
    static const char *const what[] = {
        [CV_AT_ORG] = "organisation",          [CV_AT_CONGRESS] = "congress",
        [CV_AT_SUBCOMMITTEE] = "subcommittee", [CV_AT_WORK] = "work item",
        [CV_AT_ELECTION] = "election",         [CV_AT_PERSON] = "person",
        [CV_AT_COMPLAINT] = "complaint",       [CV_AT_INSPECTION] = "inspection visit",
        [CV_AT_DOCUMENT] = "document",         [CV_AT_ROUND] = "comment round",
        [CV_AT_RECIPIENT] = "comment round"};
    if (json_is_string(v))
        return cv_err_set(e, CV_ENOTFOUND, N_("no %s '%.64s'"), what[at], json_string_value(v));
    return cv_err_set(e, CV_ENOTFOUND, N_("no %s %lld"), what[at],
                      (long long)json_integer_value(v));
}

/* permission -------------------------------------------------------------------------------- */

/* A non-account actor's scope: its roles over scope_org's subtree (0: the whole store). */
static int scope_roles(cv_store *s, const cv_actor *a, int64_t org_id, unsigned *roles, cv_err *e)
{
    *roles = 0;
    if (a->scope_org == 0) {
        *roles = a->scope_roles;
        return 0;
    }
    if (org_id == 0)
        return 0;
    int inside = 0;
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "WITH RECURSIVE up(id, depth) AS (SELECT ?2, 0 UNION ALL SELECT o.parent_id, "
        "up.depth + 1 FROM orgs o JOIN up ON o.id = up.id WHERE o.parent_id IS NOT NULL AND "
        "up.depth < ?3) SELECT EXISTS (SELECT 1 FROM up WHERE id = ?1)",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, a->scope_org);
    sqlite3_bind_int64(st, 2, org_id);
    sqlite3_bind_int(st, 3, CV_GRANT_DEPTH_MAX);
    if (sqlite3_step(st) == SQLITE_ROW)
        inside = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    if (inside)
        *roles = a->scope_roles;
    return 0;
}

int cv_ops_actor_roles(cv_store *s, const cv_actor *actor, int64_t org_id, unsigned *roles,
                       cv_err *e)
{
    if (actor->kind == CV_ACTOR_NONE) {
        *roles = 0;
        return 0;
    }
    if (actor->account_id > 0)
        return cv_grant_roles(s, actor->account_id, org_id, roles, e);
    return scope_roles(s, actor, org_id, roles, e);
}

static int anywhere_roles(cv_store *s, const cv_actor *a, unsigned *roles, cv_err *e)
{
    if (a->kind == CV_ACTOR_NONE) {
        *roles = 0;
        return 0;
    }
    if (a->account_id > 0)
        return cv_grant_roles_anywhere(s, a->account_id, roles, e);
    *roles = a->scope_roles;
    return 0;
}

static int refuse(cv_store *s, const cv_actor *a, unsigned roles, int64_t org_id, const char *what,
                  cv_err *e)
{
    char names[96], where[CV_CODE_MAX + 32] = "the whole store";
    cv_role_names(roles | CV_ROLE_ADMIN, names, sizeof names);
    if (org_id) {
        sqlite3_stmt *st = cv_store_prepare(s, "SELECT code FROM orgs WHERE id = ?1", e);
        if (st) {
            sqlite3_bind_int64(st, 1, org_id);
            if (sqlite3_step(st) == SQLITE_ROW)
                snprintf(where, sizeof where, "%s", (const char *)sqlite3_column_text(st, 0));
            sqlite3_reset(st);
        }
    }
    return cv_err_set(e, CV_EPERM, N_("permission denied: %s %s may not %s at %s (needs %s)"),
                      a->kind ? cv_actor_kind_name(a->kind) : "nobody", a->name, what, where,
                      names);
}

int cv_ops_permit(cv_store *s, const cv_actor *actor, unsigned roles, int64_t org_id,
                  const char *what, cv_err *e)
{
    unsigned held = 0;
    roles |= CV_ROLE_ADMIN;
    int rc = org_id || roles == CV_ROLE_ADMIN ? cv_ops_actor_roles(s, actor, org_id, &held, e)
                                              : anywhere_roles(s, actor, &held, e);
    if (rc < 0)
        return rc;
    return held & roles ? 0 : refuse(s, actor, roles, org_id, what, e);
}

/* calling ----------------------------------------------------------------------------------- */

/* Whether actor is the account an operation on CV_AT_SELF names (its own password). */
static int is_self(cv_store *s, const cv_op *op, const cv_actor *actor, json_t *args)
{
    cv_account a;
    cv_err missing;
    const char *login = cv_op_text(args, op->at_arg);
    return op->at == CV_AT_SELF && actor->kind == CV_ACTOR_ACCOUNT && actor->account_id && login &&
           cv_account_get(s, login, &a, &missing) == 0 && a.id == actor->account_id;
}

/* Finds the organisation(s) acted on and checks the actor may act there. An operation that acts
 * on an organisation but was given none acts on the whole store, which only admin may. */
static int authorise(cv_store *s, const cv_op *op, const cv_actor *actor, json_t *args,
                     int64_t *org_id, cv_err *e)
{
    int64_t second = 0;
    if (is_self(s, op, actor, args))
        return 0;
    if (cv_ops_resolve(s, op->at, op->at_arg, args, org_id, e) < 0 ||
        (op->at2 && cv_ops_resolve(s, op->at2, op->at2_arg, args, &second, e) < 0))
        return e->code;
    unsigned roles = op->at != CV_AT_STORE && *org_id == 0 ? CV_ROLE_ADMIN : op->roles;
    if (cv_ops_permit(s, actor, roles, *org_id, op->name, e) < 0)
        return e->code;
    if (op->at2 && json_object_get(args, op->at2_arg))
        return cv_ops_permit(s, actor, second ? op->roles : CV_ROLE_ADMIN, second, op->name, e);
    return 0;
}

static int run(cv_store *s, const cv_op *op, const cv_op_ctx *c, json_t *args, json_t **result,
               cv_err *e)
{
    if (op->writes != 1) /* a read, or an operation with transactions of its own */
        return op->run(c, args, result, e);
    if (cv_store_begin(s, e) < 0)
        return e->code;
    int rc = op->run(c, args, result, e);
    if (rc == 0)
        rc = cv_store_commit(s, e);
    if (rc < 0) {
        cv_store_rollback(s);
        json_decref(*result);
        *result = NULL;
    }
    return rc;
}

int cv_ops_call(cv_store *s, const cv_actor *actor, const char *name, json_t *args, json_t **result,
                cv_err *e)
{
    const cv_op *op = cv_ops_find(name);
    if (!op)
        return cv_err_set(e, CV_ENOTFOUND, N_("no operation '%.64s'"), name);
    json_t *empty = args ? NULL : json_object();
    json_t *out = NULL;
    cv_op_ctx c = {.s = s, .actor = actor};
    int rc = check_args(op, args ? args : empty, e);
    if (rc == 0)
        rc = authorise(s, op, actor, args ? args : empty, &c.org_id, e);
    if (rc == 0) {
        const cv_actor previous = *cv_store_actor(s);
        cv_store_set_actor(s, actor);
        rc = run(s, op, &c, args ? args : empty, &out, e);
        cv_store_set_actor(s, &previous);
    }
    json_decref(empty);
    if (rc == 0 && result)
        *result = out;
    else
        json_decref(out);
    return rc;
}

/* documents --------------------------------------------------------------------------------- */

char *cv_ops_matrix_markdown(void)
{
    size_t cap = 256 + (size_t)cv_ops_count() * 160, used = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    used += (size_t)snprintf(out, cap, "| operation |");
    for (int r = 0; r < CV_ROLE_COUNT; r++)
        used += (size_t)snprintf(out + used, cap - used, " %s |", cv_role_name(1u << r));
    used += (size_t)snprintf(out + used, cap - used, "\n| --- |");
    for (int r = 0; r < CV_ROLE_COUNT; r++)
        used += (size_t)snprintf(out + used, cap - used, " :-: |");
    used += (size_t)snprintf(out + used, cap - used, "\n");
    for (int i = 0; i < cv_ops_count() && used < cap; i++) {
        const cv_op *op = cv_ops_at(i);
        used += (size_t)snprintf(out + used, cap - used, "| `%s` |", op->name);
        for (int r = 0; r < CV_ROLE_COUNT && used < cap; r++)
            used += (size_t)snprintf(out + used, cap - used, " %s |",
                                     (op->roles | CV_ROLE_ADMIN) & (1u << r) ? "✓" : "");
        if (used < cap)
            used += (size_t)snprintf(out + used, cap - used, "\n");
    }
    return out;
}
