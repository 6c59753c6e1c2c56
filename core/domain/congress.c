/* congress.c: planning, preparing and holding congresses, and the ordering rules between levels.
 * Owns the congresses table; never changes the tree or work items. */
#include "congress.h"

#include <string.h>

#include "base/bound.h"
#include "base/clock.h"
#include "base/date.h"
#include "domain/term.h"
#include "store/journal.h"

/* An organisation under 200 members holds an all-members congress, 200 or more a delegates'
 * congress (Directive 35-CT/TW); cells always meet as all members, district level and above
 * always as delegates. */
static const char *default_kind(const cv_org *o)
{
    int rank = cv_org_level_rank(o->level);
    if (rank <= cv_org_level_rank("district"))
        return "delegates";
    if (rank == cv_org_level_rank("grassroots") && o->members >= 200)
        return "delegates";
    return "members";
}

static void copy_text(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

static int64_t column_or_unknown(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, col);
}

int cv_congress_get(cv_store *s, const char *org, const char *term, cv_congress *out, cv_err *e)
{
    cv_term t;
    if (cv_term_get(s, term, &t, e) < 0)
        return e->code;
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "SELECT c.id, c.org_id, c.term_id, o.code, o.name, o.level, c.ordinal, c.kind, "
        "c.status, c.planned_start, c.planned_end, c.actual_start, c.actual_end, c.pilot, "
        "c.direct_secretary, c.delegates_summoned, c.delegates_present "
        "FROM congresses c JOIN orgs o ON o.id = c.org_id WHERE o.code = ?1 AND c.term_id = ?2",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, org, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, t.id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        out->id = sqlite3_column_int64(st, 0);
        out->org_id = sqlite3_column_int64(st, 1);
        out->term_id = sqlite3_column_int64(st, 2);
        copy_text(out->org_code, sizeof out->org_code, st, 3);
        copy_text(out->org_name, sizeof out->org_name, st, 4);
        copy_text(out->org_level, sizeof out->org_level, st, 5);
        snprintf(out->term, sizeof out->term, "%s", t.code);
        out->ordinal = sqlite3_column_int(st, 6);
        copy_text(out->kind, sizeof out->kind, st, 7);
        copy_text(out->status, sizeof out->status, st, 8);
        copy_text(out->planned_start, sizeof out->planned_start, st, 9);
        copy_text(out->planned_end, sizeof out->planned_end, st, 10);
        copy_text(out->actual_start, sizeof out->actual_start, st, 11);
        copy_text(out->actual_end, sizeof out->actual_end, st, 12);
        out->pilot = sqlite3_column_int(st, 13);
        out->direct_secretary = sqlite3_column_int(st, 14);
        out->delegates_summoned = column_or_unknown(st, 15);
        out->delegates_present = column_or_unknown(st, 16);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) {
        cv_org o;
        if (cv_org_get(s, org, &o, e) < 0)
            return e->code;
        return cv_err_set(e, CV_ENOTFOUND, N_("%s has no congress planned for term %s"), org,
                          t.code);
    }
    return rc == SQLITE_ROW ? 0 : cv_store_fail(s, "reading a congress", e);
}

/* Checks the parts of spec that are given and copies them onto c. */
static int apply_spec(const cv_congress_spec *spec, cv_congress *c, cv_err *e)
{
    if (spec->ordinal && cv_text_parse_ordinal(spec->ordinal, &c->ordinal, e) < 0)
        return e->code;
    if (spec->kind) {
        if (strcmp(spec->kind, "delegates") != 0 && strcmp(spec->kind, "members") != 0)
            return cv_err_set(e, CV_EINVAL, N_("kind '%s' is not 'delegates' or 'members'"),
                              spec->kind);
        snprintf(c->kind, sizeof c->kind, "%s", spec->kind);
    }
    if ((spec->start && cv_date_check(spec->start, "start date", e) < 0) ||
        (spec->end && cv_date_check(spec->end, "end date", e) < 0))
        return e->code;
    if (spec->start)
        snprintf(c->planned_start, sizeof c->planned_start, "%s", spec->start);
    if (spec->end)
        snprintf(c->planned_end, sizeof c->planned_end, "%s", spec->end);
    else if (spec->start && (!c->planned_end[0] || strcmp(c->planned_end, spec->start) < 0))
        snprintf(c->planned_end, sizeof c->planned_end, "%s", spec->start);
    if (c->planned_end[0] && !c->planned_start[0])
        return cv_err_set(e, CV_EINVAL, N_("an end date needs a start date"));
    if (c->planned_start[0] && strcmp(c->planned_end, c->planned_start) < 0)
        return cv_err_set(e, CV_EINVAL, N_("the congress ends (%s) before it starts (%s)"),
                          c->planned_end, c->planned_start);
    if (spec->pilot >= 0)
        c->pilot = spec->pilot != 0;
    if (spec->direct_secretary >= 0)
        c->direct_secretary = spec->direct_secretary != 0;
    if ((spec->summoned >= 0 &&
         cv_bound_check(spec->summoned, 0, CV_PEOPLE_MAX, "delegates summoned", e) < 0) ||
        (spec->present >= 0 &&
         cv_bound_check(spec->present, 0, CV_PEOPLE_MAX, "delegates present", e) < 0))
        return e->code;
    if (spec->summoned >= 0)
        c->delegates_summoned = spec->summoned;
    if (spec->present >= 0)
        c->delegates_present = spec->present;
    if (c->delegates_present >= 0 && c->delegates_summoned >= 0 &&
        c->delegates_present > c->delegates_summoned)
        return cv_err_set(e, CV_EINVAL, N_("%lld present is more than the %lld summoned"),
                          (long long)c->delegates_present, (long long)c->delegates_summoned);
    if (c->delegates_present >= 0 && c->delegates_summoned < 0)
        return cv_err_set(e, CV_EINVAL, N_("give the number summoned with the number present"));
    return 0;
}

static void bind_optional_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v[0])
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

static void bind_optional_int(sqlite3_stmt *st, int i, int64_t v)
{
    if (v >= 0)
        sqlite3_bind_int64(st, i, v);
}

/* Inserts c (id 0) or updates it; both write the same columns. */
static int write_congress(cv_store *s, cv_congress *c, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "INSERT INTO congresses(id, org_id, term_id, ordinal, kind, planned_start, planned_end, "
        "pilot, direct_secretary, delegates_summoned, delegates_present) "
        "VALUES (nullif(?1, 0), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
        "ON CONFLICT(id) DO UPDATE SET ordinal = excluded.ordinal, kind = excluded.kind, "
        "planned_start = excluded.planned_start, planned_end = excluded.planned_end, "
        "pilot = excluded.pilot, direct_secretary = excluded.direct_secretary, "
        "delegates_summoned = excluded.delegates_summoned, "
        "delegates_present = excluded.delegates_present",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, c->id);
    sqlite3_bind_int64(st, 2, c->org_id);
    sqlite3_bind_int64(st, 3, c->term_id);
    sqlite3_bind_int(st, 4, c->ordinal);
    sqlite3_bind_text(st, 5, c->kind, -1, SQLITE_STATIC);
    bind_optional_text(st, 6, c->planned_start);
    bind_optional_text(st, 7, c->planned_end);
    sqlite3_bind_int(st, 8, c->pilot);
    sqlite3_bind_int(st, 9, c->direct_secretary);
    bind_optional_int(st, 10, c->delegates_summoned);
    bind_optional_int(st, 11, c->delegates_present);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return cv_err_set(e, CV_ECONFLICT,
                          N_("%s already has a congress in term %s: one congress per organisation "
                             "per term (use 'congress set' to change it)"),
                          c->org_code, c->term);
    if (rc != SQLITE_DONE)
        return cv_store_fail(s, "writing a congress", e);
    if (!c->id)
        c->id = sqlite3_last_insert_rowid(cv_store_db(s));
    return 0;
}

int cv_congress_plan(cv_store *s, const cv_congress_spec *spec, int64_t *id, cv_err *e)
{
    cv_congress c = {.delegates_summoned = -1, .delegates_present = -1};
    cv_org o;
    cv_term t;
    if (cv_store_require_tx(s, __func__, e) < 0)
        return e->code;
    if (!spec->ordinal)
        return cv_err_set(e, CV_EINVAL, N_("a congress needs its ordinal (e.g. VII)"));
    if (cv_org_get(s, spec->org, &o, e) < 0 || cv_term_get(s, spec->term, &t, e) < 0)
        return e->code;
    c.org_id = o.id;
    c.term_id = t.id;
    snprintf(c.org_code, sizeof c.org_code, "%s", o.code);
    snprintf(c.org_name, sizeof c.org_name, "%s", o.name);
    snprintf(c.org_level, sizeof c.org_level, "%s", o.level);
    snprintf(c.term, sizeof c.term, "%s", t.code);
    snprintf(c.kind, sizeof c.kind, "%s", default_kind(&o));
    snprintf(c.status, sizeof c.status, "planned");
    if (apply_spec(spec, &c, e) < 0 || write_congress(s, &c, e) < 0 ||
        cv_journal_emit(s, "congress.planned", o.id, cv_congress_json(&c), NULL, e) < 0)
        return e->code;
    if (id)
        *id = c.id;
    return 0;
}

/* The kind decides what an election's base deducts (244-QĐ/TW art. 11): once an election of the
 * congress has been opened on a base, the kind is fixed, or the base, the count and the minutes
 * would mean something else than what was voted. */
static int check_kind_change(cv_store *s, const cv_congress *c, const char *kind, cv_err *e)
{
    if (!kind || strcmp(kind, c->kind) == 0)
        return 0;
    sqlite3_stmt *st = cv_store_prepare(
        s, "SELECT count(*) FROM elections WHERE congress_id = ?1 AND status <> 'created'", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, c->id);
    int rc = sqlite3_step(st);
    int64_t n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return cv_store_fail(s, "reading the elections of a congress", e);
    if (n > 0)
        return cv_err_set(e, CV_ECONFLICT,
                          N_("the congress of %s is a %s congress: %lld election(s) were opened or "
                             "counted on that base, so its kind cannot change"),
                          c->org_code, c->kind, (long long)n);
    return 0;
}

int cv_congress_set(cv_store *s, const cv_congress_spec *spec, cv_err *e)
{
    cv_congress c;
    if (cv_store_require_tx(s, __func__, e) < 0 ||
        cv_congress_get(s, spec->org, spec->term, &c, e) < 0 ||
        check_kind_change(s, &c, spec->kind, e) < 0 || apply_spec(spec, &c, e) < 0 ||
        write_congress(s, &c, e) < 0)
        return e->code;
    return cv_journal_emit(s, "congress.updated", c.org_id, cv_congress_json(&c), NULL, e);
}

static int set_status(cv_store *s, cv_congress *c, cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s,
                         "UPDATE congresses SET status = ?2, actual_start = nullif(?3, ''), "
                         "actual_end = nullif(?4, '') WHERE id = ?1",
                         e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, c->id);
    sqlite3_bind_text(st, 2, c->status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, c->actual_start, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, c->actual_end, -1, SQLITE_STATIC);
    return cv_store_exec(s, st, e);
}

int cv_congress_prepare(cv_store *s, const char *org, const char *term, cv_err *e)
{
    cv_congress c;
    if (cv_store_require_tx(s, __func__, e) < 0 || cv_congress_get(s, org, term, &c, e) < 0)
        return e->code;
    if (strcmp(c.status, "planned") != 0)
        return cv_err_set(e, CV_ECONFLICT, N_("the congress of %s is already %s"), org, c.status);
    snprintf(c.status, sizeof c.status, "preparing");
    if (set_status(s, &c, e) < 0)
        return e->code;
    return cv_journal_emit(s, "congress.preparing", c.org_id, cv_congress_json(&c), NULL, e);
}

/* Lists, into pending, the direct subordinate organisations whose congress of the term is not
 * held by `by` (none planned, not yet held, or held after it). */
static int pending_subordinates(cv_store *s, const cv_congress *c, const char *by, json_t *pending,
                                cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "SELECT o.code FROM orgs o LEFT JOIN congresses k ON k.org_id = o.id AND k.term_id = ?2 "
        "WHERE o.parent_id = ?1 AND (k.status IS NOT 'held' OR k.actual_end > ?3) "
        "ORDER BY o.code",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, c->org_id);
    sqlite3_bind_int64(st, 2, c->term_id);
    sqlite3_bind_text(st, 3, by, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(pending, json_string((const char *)sqlite3_column_text(st, 0)));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : cv_store_fail(s, "reading subordinate congresses", e);
}

/* Collects the rules holding this congress on these dates would break, as sentences. */
static int rules_broken(cv_store *s, const cv_congress *c, json_t *pending, json_t *broken,
                        cv_err *e)
{
    if (pending_subordinates(s, c, c->actual_start, pending, e) < 0)
        return e->code;
    if (json_array_size(pending) > 0)
        json_array_append_new(
            broken, json_sprintf("%zu subordinate organisation(s) have not held their congress "
                                 "by %s (first: %s)",
                                 json_array_size(pending), c->actual_start,
                                 json_string_value(json_array_get(pending, 0))));
    cv_window w;
    int rc = cv_term_window(s, c->term_id, c->org_level, &w, e);
    if (rc == CV_ENOTFOUND)
        return 0;
    if (rc < 0)
        return rc;
    /* A pilot congress (đại hội điểm) is held ahead of the others on purpose. */
    if (!c->pilot && strcmp(c->actual_start, w.opens) < 0)
        json_array_append_new(broken, json_sprintf("%s is before the %s window opens (%s) and the "
                                                   "congress is not a pilot",
                                                   c->actual_start, c->org_level, w.opens));
    int64_t days = cv_date_days(c->actual_end) - cv_date_days(c->actual_start) + 1;
    if (w.max_days > 0 && days > w.max_days)
        json_array_append_new(broken, json_sprintf("%lld days is longer than the %d allowed at "
                                                   "%s level",
                                                   (long long)days, w.max_days, c->org_level));
    return 0;
}

int cv_congress_check_held(const char *start, const char *end, cv_err *e)
{
    char today[11];
    cv_clock_today(today);
    if (cv_date_check(start, "start date", e) < 0 || (end && cv_date_check(end, "end date", e) < 0))
        return e->code;
    if (end && strcmp(end, start) < 0)
        return cv_err_set(e, CV_EINVAL, N_("the congress ends (%s) before it starts (%s)"), end,
                          start);
    if (strcmp(end ? end : start, today) > 0)
        return cv_err_set(e, CV_EINVAL, N_("cannot mark a congress held on %s: today is %s"),
                          end ? end : start, today);
    return 0;
}

int cv_congress_mark_held(cv_store *s, const char *org, const char *term, const char *start,
                          const char *end, const char *override, cv_err *e)
{
    cv_congress c;
    json_t *pending = json_array(), *broken = json_array();
    if (cv_store_require_tx(s, __func__, e) < 0 || cv_congress_check_held(start, end, e) < 0)
        goto out;
    char reason[CV_NAME_MAX];
    if (override && cv_text_nfc(override, reason, sizeof reason, "an override's reason", e) < 0)
        goto out;
    if (cv_congress_get(s, org, term, &c, e) < 0)
        goto out;
    if (strcmp(c.status, "held") == 0) {
        cv_err_set(e, CV_ECONFLICT, N_("the congress of %s was already held on %s"), org,
                   c.actual_start);
        goto out;
    }
    snprintf(c.actual_start, sizeof c.actual_start, "%s", start);
    snprintf(c.actual_end, sizeof c.actual_end, "%s", end ? end : start);
    snprintf(c.status, sizeof c.status, "held");
    if (rules_broken(s, &c, pending, broken, e) < 0)
        goto out;
    if (json_array_size(broken) > 0 && !override) {
        cv_err_set(e, CV_ECONFLICT,
                   N_("cannot mark the congress of %s held: %s; give --override "
                      "REASON to record an exception"),
                   org, json_string_value(json_array_get(broken, 0)));
        goto out;
    }
    json_t *data = cv_congress_json(&c);
    if (json_array_size(broken) > 0 &&
        json_object_set_new(data, "override",
                            json_pack("{s:s, s:O, s:O}", "reason", reason, "rules", broken,
                                      "pending", pending)) < 0) {
        json_decref(data);
        cv_err_set(e, CV_ENOMEM, "out of memory recording the override");
        goto out;
    }
    if (set_status(s, &c, e) < 0) {
        json_decref(data);
        goto out;
    }
    if (cv_journal_emit(s, "congress.held", c.org_id, data, NULL, e) == 0)
        cv_err_clear(e);
out:
    json_decref(pending);
    json_decref(broken);
    return e->code;
}

json_t *cv_congress_json(const cv_congress *c)
{
    char roman[16];
    cv_text_roman(c->ordinal, roman);
    json_t *j =
        json_pack("{s:I, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:b, s:b}", "id", (json_int_t)c->id,
                  "org", c->org_code, "org_name", c->org_name, "term", c->term, "ordinal",
                  c->ordinal, "numeral", roman, "kind", c->kind, "status", c->status, "pilot",
                  c->pilot, "direct_secretary", c->direct_secretary);
    const char *keys[] = {"planned_start", "planned_end", "actual_start", "actual_end"};
    const char *vals[] = {c->planned_start, c->planned_end, c->actual_start, c->actual_end};
    for (int i = 0; i < 4; i++)
        json_object_set_new(j, keys[i], vals[i][0] ? json_string(vals[i]) : json_null());
    json_object_set_new(j, "delegates_summoned",
                        c->delegates_summoned >= 0 ? json_integer(c->delegates_summoned)
                                                   : json_null());
    json_object_set_new(j, "delegates_present",
                        c->delegates_present >= 0 ? json_integer(c->delegates_present)
                                                  : json_null());
    return j;
}
