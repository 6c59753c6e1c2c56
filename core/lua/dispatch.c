/* dispatch.c: the journal to one package's hooks: batches of events after the package's cursor,
 * each in the package's subtree handed to its hooks and campaigns (an import's batch of rows as
 * one event a row), whose writes commit with the cursor (exactly once). It never holds the
 * store's write lock across Lua longer than one batch's time, and never hands an event outside
 * the subtree. */
#include "lua/package_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "domain/congress.h"
#include "domain/org.h"
#include "lua/campaign.h"
#include "store/journal.h"

/* Whether org_id lies in the subtree (and its code), cached for one batch. */
static struct scope_entry *scope_of(cv_lua_pkg *p, int64_t org_id, cv_err *e)
{
    struct scope_entry *slot = &p->scope[(uint64_t)org_id % SCOPE_CACHE];
    if (slot->id == org_id)
        return slot;
    cv_org o;
    int yes;
    if (cv_org_in_subtree(p->store, p->root_id, org_id, &yes, e) < 0 ||
        cv_org_get_by_id(p->store, org_id, &o, e) < 0)
        return NULL;
    slot->id = org_id;
    slot->yes = yes;
    snprintf(slot->code, sizeof slot->code, "%s", o.code);
    return slot;
}

typedef struct batch_event {
    int64_t id, at, org_id;
    char type[64];
    char *data;
    size_t row; /* of an import.rows event, the row's number (from 1); 0 for a whole event */
} batch_event;

static int read_batch(cv_lua_pkg *p, int64_t after, batch_event *evs, int *n, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(p->store,
                                        "SELECT id, at, type, coalesce(org_id, 0), data FROM "
                                        "events WHERE id > ?1 ORDER BY id LIMIT ?2",
                                        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int(st, 2, CV_LUA_BATCH);
    int rc;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        batch_event *ev = &evs[(*n)++];
        ev->id = sqlite3_column_int64(st, 0);
        ev->at = sqlite3_column_int64(st, 1);
        size_t tlen = (size_t)sqlite3_column_bytes(st, 2);
        tlen = tlen < sizeof ev->type ? tlen : sizeof ev->type - 1;
        memcpy(ev->type, sqlite3_column_text(st, 2), tlen);
        ev->type[tlen] = '\0';
        ev->org_id = sqlite3_column_int64(st, 3);
        ev->data = strdup((const char *)sqlite3_column_text(st, 4));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : cv_store_fail(p->store, "reading the journal", e);
}

/* The cascade depth of event id: one more than that of the callback that wrote it, 0 when none
 * of the package's callbacks did. */
static long depth_of(const cv_lua_pkg *p, int64_t id)
{
    for (int i = 0; i < CAUSED_MAX; i++)
        if (p->caused[i].depth && id >= p->caused[i].first && id <= p->caused[i].last)
            return p->caused[i].depth;
    return 0;
}

/* The package acts as itself while it runs; *saved receives the actor to put back afterwards. */
static void act_as_package(cv_lua_pkg *p, cv_actor *saved)
{
    *saved = *cv_store_actor(p->store);
    cv_lua_pkg_act_as(p->store, p->name, p->root_id, p->cause);
}

/* Runs every hook of ev->type (and "*") with the event; a failure is recorded and skipped. The
 * cause of a row of an import.rows event names the row too, so that each row's notifications have
 * keys of their own, as they would had each row been journaled alone. */
static void run_hooks(cv_lua_pkg *p, const cv_lua_event *ev, size_t row)
{
    lua_State *L = cv_lua_sandbox_state(p->sb);
    lua_getfield(L, LUA_REGISTRYINDEX, "cv.hooks");
    int hooks = lua_gettop(L);
    const char *keys[] = {ev->type, "*"};
    for (int k = 0; k < 2; k++) {
        if (lua_getfield(L, hooks, keys[k]) != LUA_TTABLE) {
            lua_pop(L, 1);
            continue;
        }
        int list = lua_gettop(L);
        lua_Integer n = (lua_Integer)lua_rawlen(L, list);
        for (lua_Integer i = 1; i <= n && !p->suspended[0] && !p->store_failed; i++) {
            if (row)
                cv_lua_pkg_set_cause(p, "ev%lld.%zu", (long long)ev->id, row);
            else
                cv_lua_pkg_set_cause(p, "ev%lld", (long long)ev->id);
            lua_rawgeti(L, list, i);
            cv_err he;
            if (cv_lua_pkg_call_with_event(p, ev, 1, &he) < 0 && !p->store_failed) {
                char what[120];
                snprintf(what, sizeof what, "event %lld %s", (long long)ev->id, ev->type);
                cv_lua_pkg_failed(p, what, &he);
            }
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

static int has_hooks(cv_lua_pkg *p, const char *type)
{
    lua_State *L = cv_lua_sandbox_state(p->sb);
    int top = lua_gettop(L);
    lua_getfield(L, LUA_REGISTRYINDEX, "cv.hooks");
    int any = lua_getfield(L, top + 1, type) == LUA_TTABLE;
    if (!any)
        any = lua_getfield(L, top + 1, "*") == LUA_TTABLE;
    lua_settop(L, top);
    return any;
}

/* Handles one event inside the batch's transaction. */
static int handle(cv_lua_pkg *p, const batch_event *bev, cv_err *e)
{
    cv_lua_event ev = {bev->id, bev->at, bev->type, "", bev->data};
    int hooked = has_hooks(p, bev->type);
    int campaigns = cv_lua_campaign_count(p) > 0;
    if (!hooked && !campaigns)
        return 0;
    if (bev->org_id > 0) {
        struct scope_entry *se = scope_of(p, bev->org_id, e);
        if (!se)
            return e->code;
        if (!se->yes)
            return 0;
        snprintf(ev.org, sizeof ev.org, "%s", se->code);
    } else if (!cv_lua_pkg_sees_orgless(bev->type)) {
        return 0;
    }
    p->depth = depth_of(p, bev->id);
    if (hooked)
        run_hooks(p, &ev, bev->row);
    if (p->store_failed)
        return cv_err_set(e, CV_ESTORE,
                          N_("event %lld was not finished (the store was busy or the daemon is "
                             "stopping); the batch is retried whole"),
                          (long long)bev->id);
    int rc = campaigns && !p->suspended[0] ? cv_lua_campaign_step(p, &ev, e) : 0;
    p->depth = 0;
    return rc;
}

/* The event a new row of kind is to hooks: the one the command adding such a row alone journals
 * (org add, person add, congress plan); NULL for a kind no command adds. */
static const char *row_type(const char *kind)
{
    static const char *const types[][2] = {
        {"org", "org.added"}, {"person", "person.added"}, {"congress", "congress.planned"}};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(kind, types[i][0]) == 0)
            return types[i][1];
    return NULL;
}

/* Copies the text of row's key into dst when it is given (a null keeps dst; "" stays ""). */
static void row_text(json_t *row, const char *key, char *dst, size_t cap)
{
    json_t *v = json_object_get(row, key);
    if (json_is_string(v) || json_is_null(v))
        snprintf(dst, cap, "%s", json_is_string(v) ? json_string_value(v) : "");
}

/* A new congress's row as `congress plan` journals a congress (cv_congress_json): the stored
 * congress's id and organisation, with the row's values, which are what the import wrote (a new
 * congress of an import is no pilot, elects no secretary directly, has no delegates yet, and its
 * planned end is its planned start). A congress no longer stored keeps the row's values. */
static int congress_row(cv_lua_pkg *p, json_t *row, cv_err *e)
{
    const char *org = json_string_value(json_object_get(row, "org"));
    const char *term = json_string_value(json_object_get(row, "term"));
    cv_congress c;
    cv_err missing;
    if (!org || !term || cv_congress_get(p->store, org, term, &c, &missing) < 0)
        return org && term && cv_store_faulted(missing.code)
                   ? cv_err_set(e, missing.code, "%s", missing.msg)
                   : 0;
    c.ordinal = (int)json_integer_value(json_object_get(row, "ordinal"));
    row_text(row, "kind", c.kind, sizeof c.kind);
    row_text(row, "status", c.status, sizeof c.status);
    row_text(row, "planned", c.planned_start, sizeof c.planned_start);
    row_text(row, "planned", c.planned_end, sizeof c.planned_end);
    row_text(row, "held", c.actual_start, sizeof c.actual_start);
    row_text(row, "held_end", c.actual_end, sizeof c.actual_end);
    c.pilot = c.direct_secretary = 0;
    c.delegates_summoned = c.delegates_present = -1;
    json_t *j = cv_congress_json(&c);
    int rc = j && json_object_clear(row) == 0 && json_object_update(row, j) == 0
                 ? 0
                 : cv_err_set(e, CV_ENOMEM, N_("out of memory"));
    json_decref(j);
    return rc;
}

/* One row of an import.rows batch as its own event: its organisation (an org row's own, the
 * org of a person or a congress) and its data, the command's (an organisation's has its id
 * too). Returns the organisation's id, 0 for none, or -1 with e set. */
static int64_t row_event(cv_lua_pkg *p, const char *kind, json_t *row, batch_event *one, cv_err *e)
{
    int is_org = strcmp(kind, "org") == 0;
    const char *code = json_string_value(json_object_get(row, is_org ? "code" : "org"));
    cv_org o;
    cv_err missing;
    int64_t org_id = 0;
    if (code && cv_org_get(p->store, code, &o, &missing) == 0)
        org_id = o.id;
    else if (code && cv_store_faulted(missing.code))
        return cv_err_set(e, missing.code, "%s", missing.msg), -1;
    if (is_org && org_id && json_object_set_new(row, "id", json_integer(org_id)) < 0)
        return cv_err_set(e, CV_ENOMEM, N_("out of memory")), -1;
    if (strcmp(kind, "congress") == 0 && congress_row(p, row, e) < 0)
        return -1;
    if (!(one->data = json_dumps(row, JSON_COMPACT)))
        return cv_err_set(e, CV_ENOMEM, N_("out of memory")), -1;
    return org_id;
}

/* import.rows, a batch of new rows an import wrote ({"kind", "columns", "added": [[values]]}),
 * reaches hooks and campaigns as one event a row, as though each had been journaled alone by
 * the command that adds one (row_type, row_event): the same type and the same data. */
static int handle_rows(cv_lua_pkg *p, const batch_event *bev, cv_err *e)
{
    json_t *d = json_loads(bev->data, 0, NULL);
    const char *kind = json_string_value(json_object_get(d, "kind"));
    const char *type = kind ? row_type(kind) : NULL;
    json_t *columns = json_object_get(d, "columns"), *added = json_object_get(d, "added"), *row;
    batch_event one = {bev->id, bev->at, 0, "", NULL, 0};
    size_t i;
    int rc = 0;
    if (type)
        snprintf(one.type, sizeof one.type, "%s", type);
    if (type && (has_hooks(p, one.type) || cv_lua_campaign_count(p) > 0))
        json_array_foreach(added, i, row)
        {
            json_t *obj = json_object();
            for (size_t c = 0; obj && c < json_array_size(columns) && c < json_array_size(row); c++)
                json_object_set(obj, json_string_value(json_array_get(columns, c)),
                                json_array_get(row, c));
            one.row = i + 1;
            one.data = NULL;
            one.org_id = obj ? row_event(p, kind, obj, &one, e)
                             : cv_err_set(e, CV_ENOMEM, N_("out of memory"));
            json_decref(obj);
            rc = one.org_id < 0 ? e->code : handle(p, &one, e);
            free(one.data);
            if (rc < 0)
                break;
        }
    json_decref(d);
    return rc;
}

static void free_batch(batch_event *evs, int n)
{
    for (int i = 0; i < n; i++)
        free(evs[i].data);
    free(evs);
}

int cv_lua_pkg_dispatch(cv_lua_pkg *p, int *handled, int *hook_errors, cv_err *e)
{
    char consumer[CV_LUA_NAME_MAX + 8];
    snprintf(consumer, sizeof consumer, "lua:%s", p->name);
    int64_t cursor;
    *handled = 0;
    if (hook_errors)
        *hook_errors = 0; /* also when caught up */
    if (p->suspended[0])
        return 0;
    batch_event *evs = calloc(CV_LUA_BATCH, sizeof *evs);
    int n = 0, rc;
    if (!evs)
        return cv_err_set(e, CV_ENOMEM, N_("out of memory"));
    if ((rc = cv_journal_cursor_get(p->store, consumer, &cursor, e)) < 0 ||
        (rc = read_batch(p, cursor, evs, &n, e)) < 0 || n == 0) {
        free_batch(evs, n);
        return rc;
    }
    memset(p->scope, 0, sizeof p->scope);
    /* The batch reads without the write lock, which its first change takes: Lua that only reads
     * never holds it. After a failed attempt (the lock was taken between) the retry takes it
     * from the start, so it makes progress. */
    p->store_failed = 0;
    sqlite3 *db = cv_store_db(p->store);
    sqlite3_int64 changes = sqlite3_total_changes64(db);
    rc = p->immediate ? cv_store_begin(p->store, e) : cv_store_begin_deferred(p->store, e);
    if (rc < 0) {
        free_batch(evs, n);
        return rc;
    }
    cv_actor saved;
    act_as_package(p, &saved);
    int i = 0;
    p->failures = 0;
    rc = p->synced ? 0 : cv_lua_campaign_sync(p, e);
    /* The batch commits once its time is up: the write lock is never held across Lua for
     * longer than CV_LUA_BATCH_MS and one callback's wall-clock budget. */
    int64_t until = cv_lua_pkg_now_ms() + CV_LUA_BATCH_MS;
    for (; i < n && rc == 0 && !p->suspended[0] && (i == 0 || cv_lua_pkg_now_ms() < until); i++)
        rc =
            strcmp(evs[i].type, "import.rows") ? handle(p, &evs[i], e) : handle_rows(p, &evs[i], e);
    int read_only = rc == 0 && sqlite3_total_changes64(db) == changes;
    if (rc == 0 && read_only) /* nothing to commit with: the cursor moves in a short write */
        rc = cv_store_commit(p->store, e) < 0 ? e->code : cv_store_begin(p->store, e);
    if (rc == 0 && i > 0)
        rc = cv_journal_cursor_set(p->store, consumer, evs[i - 1].id, e);
    if (rc == 0)
        rc = cv_store_commit(p->store, e);
    if (rc < 0)
        cv_store_rollback(p->store);
    else
        p->synced = 1, *handled = i;
    p->immediate = rc < 0 && !p->immediate;
    cv_store_set_actor(p->store, &saved);
    if (hook_errors)
        *hook_errors = p->failures;
    free_batch(evs, n);
    return rc;
}

int cv_lua_pkg_tick(cv_lua_pkg *p, cv_err *e)
{
    if (cv_lua_campaign_count(p) == 0 || p->suspended[0])
        return 0;
    char today[11];
    cv_clock_today(today);
    cv_lua_pkg_set_cause(p, "day%s", today);
    if (cv_store_begin(p->store, e) < 0)
        return e->code;
    cv_actor saved;
    act_as_package(p, &saved);
    int rc = p->synced ? 0 : cv_lua_campaign_sync(p, e);
    if (rc == 0)
        rc = cv_lua_campaign_step(p, NULL, e);
    if (rc == 0)
        rc = cv_store_commit(p->store, e);
    if (rc < 0)
        cv_store_rollback(p->store);
    else
        p->synced = 1;
    cv_store_set_actor(p->store, &saved);
    return rc;
}
