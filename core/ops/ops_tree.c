/* ops_tree.c: the operations on the organisation tree, terms, the domain clock and the journal.
 * Handlers only read their checked arguments and call the domain; the transaction is ops.c's. */
#include <string.h>

#include "base/clock.h"
#include "base/date.h"
#include "domain/org.h"
#include "domain/term.h"
#include "ops/ops.h"
#include "store/journal.h"

#define ALL CV_ROLES_ALL
#define TEXT(n, req, help)                                                                         \
    {                                                                                              \
        n, CV_ARG_TEXT, req, 0, CV_NAME_MAX - 1, help                                              \
    }
#define CODE(n, req, help)                                                                         \
    {                                                                                              \
        n, CV_ARG_CODE, req, 0, 0, help                                                            \
    }
#define COUNT(n, max, help)                                                                        \
    {                                                                                              \
        n, CV_ARG_INT, 0, 0, max, help                                                             \
    }
#define END                                                                                        \
    {                                                                                              \
        NULL, 0, 0, 0, 0, NULL                                                                     \
    }

static int org_result(cv_store *s, const char *code, json_t **result, cv_err *e)
{
    cv_org o;
    if (cv_org_get(s, code, &o, e) < 0)
        return e->code;
    *result = cv_org_json(&o);
    return 0;
}

static int org_add(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    cv_org o = {0};
    snprintf(o.code, sizeof o.code, "%s", cv_op_text(args, "code"));
    snprintf(o.name, sizeof o.name, "%s", cv_op_text(args, "name"));
    snprintf(o.level, sizeof o.level, "%.15s", cv_op_text(args, "level"));
    const char *kind = cv_op_text(args, "kind"), *parent = cv_op_text(args, "parent");
    snprintf(o.kind, sizeof o.kind, "%s", kind ? kind : "");
    snprintf(o.parent_code, sizeof o.parent_code, "%s", parent ? parent : "");
    o.members = cv_op_int(args, "members", 0);
    if ((kind && strlen(kind) >= sizeof o.kind) ||
        strlen(cv_op_text(args, "level")) >= sizeof o.level)
        return cv_err_set(e, CV_ELIMIT, "an argument is too long");
    if (cv_org_add(c->s, &o, NULL, e) < 0)
        return e->code;
    return org_result(c->s, o.code, result, e);
}

static int org_set(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    const char *code = cv_op_text(args, "code");
    if (cv_org_update(c->s, code, cv_op_text(args, "name"), cv_op_text(args, "kind"),
                      cv_op_int(args, "members", -1), e) < 0)
        return e->code;
    return org_result(c->s, code, result, e);
}

static int org_move(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    const char *code = cv_op_text(args, "code");
    if (cv_org_move(c->s, code, cv_op_text(args, "parent"), e) < 0)
        return e->code;
    return org_result(c->s, code, result, e);
}

static int org_show(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    return org_result(c->s, cv_op_text(args, "code"), result, e);
}

static int add_to_tree(const cv_org *o, int depth, void *ctx)
{
    json_t *row = cv_org_json(o);
    json_object_set_new(row, "depth", json_integer(depth));
    json_array_append_new(ctx, row);
    return 0;
}

static int org_tree(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    json_t *rows = json_array();
    if (cv_org_walk(c->s, cv_op_text(args, "root"), (int)cv_op_int(args, "depth", -1), add_to_tree,
                    rows, e) < 0) {
        json_decref(rows);
        return e->code;
    }
    *result = rows;
    return 0;
}

static int term_show(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    static const char *const levels[] = {"national", "province", "district", "grassroots", "cell"};
    cv_term t;
    if (cv_term_get(c->s, cv_op_text(args, "term"), &t, e) < 0)
        return e->code;
    json_t *windows = json_array();
    for (int i = 0; i < 5; i++) {
        cv_window w;
        cv_err ignored;
        if (cv_term_window(c->s, t.id, levels[i], &w, &ignored) == 0)
            json_array_append_new(windows,
                                  json_pack("{s:s, s:s, s:s, s:i}", "level", levels[i], "opens",
                                            w.opens, "closes", w.closes, "max_days", w.max_days));
    }
    *result = json_pack("{s:s, s:s, s:s, s:o}", "code", t.code, "starts", t.starts, "ends", t.ends,
                        "windows", windows);
    return 0;
}

/* The current term is a setting; changing it is journaled with the term before and after. */
static int term_use(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    cv_term t, before;
    if (cv_term_get(c->s, NULL, &before, e) < 0 ||
        cv_term_get(c->s, cv_op_text(args, "term"), &t, e) < 0 ||
        cv_store_setting_set(c->s, "term", t.code, e) < 0 ||
        cv_journal_emit(c->s, "term.current", 0,
                        json_pack("{s:s, s:{s:s}, s:{s:s}}", "term", t.code, "before", "term",
                                  before.code, "after", "term", t.code),
                        NULL, e) < 0)
        return e->code;
    *result = json_pack("{s:s}", "term", t.code);
    return 0;
}

static int term_window(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    const char *term = cv_op_text(args, "term"), *level = cv_op_text(args, "level");
    const char *opens = cv_op_text(args, "opens"), *closes = cv_op_text(args, "closes");
    int days = (int)cv_op_int(args, "max_days", 0);
    if (cv_term_set_window(c->s, term, level, opens, closes, days, e) < 0)
        return e->code;
    *result = json_pack("{s:s, s:s, s:s, s:s, s:i}", "term", term, "level", level, "opens", opens,
                        "closes", closes, "max_days", days);
    return 0;
}

/* clock -------------------------------------------------------------------------------------- */

static json_t *today_json(void)
{
    char today[11];
    cv_clock_today(today);
    return json_pack("{s:s, s:I}", "today", today, "now", (json_int_t)cv_clock_now());
}

static int clock_show(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    (void)c, (void)args, (void)e;
    *result = today_json();
    return 0;
}

/* The store's demo clock (the "clock" setting) moves the domain day only: events keep the real
 * time they were recorded at, in order, whatever it says. The change itself is journaled. */
static int clock_change(const cv_op_ctx *c, const char *to, cv_err *e)
{
    char before[40] = "";
    cv_err ignored;
    int64_t ms = 0;
    cv_store_setting_get(c->s, "clock", before, sizeof before, &ignored);
    if (to && cv_date_parse_instant(to, CV_TZ_VIETNAM_MIN, &ms, "time", e) < 0)
        return e->code;
    sqlite3_stmt *st =
        to ? NULL : cv_store_prepare(c->s, "DELETE FROM settings WHERE key = 'clock'", e);
    if (to ? cv_store_setting_set(c->s, "clock", to, e) < 0 : !st || cv_store_exec(c->s, st, e) < 0)
        return e->code;
    if (cv_journal_emit(c->s, to ? "clock.set" : "clock.real", 0,
                        json_pack("{s:{s:s}, s:{s:s}}", "before", "clock",
                                  before[0] ? before : "real", "after", "clock", to ? to : "real"),
                        NULL, e) < 0)
        return e->code;
    if (to)
        cv_clock_fix(ms);
    else
        cv_clock_use_real();
    return 0;
}

static int clock_set(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    if (clock_change(c, cv_op_text(args, "time"), e) < 0)
        return e->code;
    *result = today_json();
    return 0;
}

static int clock_real(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    (void)args;
    if (clock_change(c, NULL, e) < 0)
        return e->code;
    *result = today_json();
    return 0;
}

/* journal ------------------------------------------------------------------------------------ */

static int journal_list(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    const char *type = cv_op_text(args, "type");
    int64_t from = cv_op_int(args, "after", 0), max = cv_op_int(args, "limit", 1000);
    json_t *rows = json_array();
    cv_event ev;
    int rc = 0;
    while ((int64_t)json_array_size(rows) < max &&
           (rc = cv_journal_next(c->s, from, &ev, e)) == 1) {
        from = ev.id;
        if (!type || strcmp(type, ev.type) == 0)
            json_array_append_new(rows,
                                  json_pack("{s:I, s:I, s:s, s:O}", "id", (json_int_t)ev.id, "at",
                                            (json_int_t)ev.at, "type", ev.type, "data", ev.data));
        cv_event_clear(&ev);
    }
    if (rc < 0) {
        json_decref(rows);
        return rc;
    }
    *result = rows;
    return 0;
}

static const cv_op_arg org_add_args[] = {
    CODE("code", 1, "the new organisation's code"),
    TEXT("name", 1, "its name"),
    {"level", CV_ARG_TEXT, 1, 0, 15, "national, province, district, grassroots or cell"},
    CODE("parent", 0, "the parent's code (none: a root, admin only)"),
    {"kind", CV_ARG_TEXT, 0, 0, CV_CODE_MAX - 1, "a word: ward, commune, city, ..."},
    COUNT("members", 100000000, "its party members"),
    END};
static const cv_op_arg org_set_args[] = {CODE("code", 1, "the organisation"),
                                         TEXT("name", 0, "a new name"),
                                         {"kind", CV_ARG_TEXT, 0, 0, CV_CODE_MAX - 1, "a word"},
                                         COUNT("members", 100000000, "its party members"),
                                         END};
static const cv_op_arg org_move_args[] = {CODE("code", 1, "the organisation moved"),
                                          CODE("parent", 1, "its new parent"), END};
static const cv_op_arg org_show_args[] = {CODE("code", 1, "the organisation"), END};
static const cv_op_arg org_tree_args[] = {CODE("root", 0, "the subtree's root (none: all)"),
                                          COUNT("depth", 16, "levels below the root"), END};
static const cv_op_arg term_args[] = {{"term", CV_ARG_TEXT, 0, 0, 15, "a term (current)"}, END};
static const cv_op_arg term_use_args[] = {{"term", CV_ARG_TEXT, 1, 0, 15, "the term"}, END};
static const cv_op_arg term_window_args[] = {
    {"term", CV_ARG_TEXT, 1, 0, 15, "the term"},      {"level", CV_ARG_TEXT, 1, 0, 15, "the level"},
    {"opens", CV_ARG_DATE, 1, 0, 0, "first day"},     {"closes", CV_ARG_DATE, 1, 0, 0, "last day"},
    COUNT("max_days", 366, "at most this many days"), END};
static const cv_op_arg clock_set_args[] = {
    {"time", CV_ARG_TEXT, 1, 0, 39, "YYYY-MM-DD[THH:MM], Vietnam time"}, END};
static const cv_op_arg no_args[] = {END};
static const cv_op_arg journal_args[] = {COUNT("after", INT64_MAX, "events after this id"),
                                         {"type", CV_ARG_TEXT, 0, 0, 63, "only this type"},
                                         {"limit", CV_ARG_INT, 0, 1, 100000, "at most (1000)"},
                                         END};

const cv_op cv_ops_tree[] = {
    {"org.add", "add an organisation under a parent", org_add_args, CV_ROLE_OFFICE, CV_AT_ORG,
     "parent", 0, NULL, 1, org_add,
     "{\"code\":\"n$N\",\"name\":\"Chi bộ mới\",\"level\":\"cell\",\"parent\":\"$ORG\"}"},
    {"org.set", "change an organisation's name, kind or member count", org_set_args, CV_ROLE_OFFICE,
     CV_AT_ORG, "code", 0, NULL, 1, org_set, "{\"code\":\"$ORG\",\"members\":7}"},
    {"org.move", "move an organisation under a new parent", org_move_args, CV_ROLE_OFFICE,
     CV_AT_ORG, "code", CV_AT_ORG, "parent", 1, org_move,
     "{\"code\":\"$CELL\",\"parent\":\"$ORG\"}"},
    {"org.show", "one organisation", org_show_args, ALL, CV_AT_ORG, "code", 0, NULL, 0, org_show,
     "{\"code\":\"$ORG\"}"},
    {"org.tree", "an organisation's subtree", org_tree_args, ALL, CV_AT_ORG, "root", 0, NULL, 0,
     org_tree, "{\"root\":\"$ORG\"}"},
    {"term.show", "a term and its windows", term_args, ALL, CV_AT_STORE, NULL, 0, NULL, 0,
     term_show, "{}"},
    {"term.use", "make a term the current one", term_use_args, CV_ROLE_ADMIN, CV_AT_STORE, NULL, 0,
     NULL, 1, term_use, "{\"term\":\"2025-2030\"}"},
    {"term.window", "set when a level holds its congresses in a term", term_window_args,
     CV_ROLE_ADMIN, CV_AT_STORE, NULL, 0, NULL, 1, term_window,
     "{\"term\":\"2020-2025\",\"level\":\"cell\",\"opens\":\"2020-01-02\","
     "\"closes\":\"2020-03-30\"}"},
    {"clock.show", "the domain clock's day", no_args, ALL, CV_AT_STORE, NULL, 0, NULL, 0,
     clock_show, "{}"},
    {"clock.set", "see the store at another time (demos, rehearsals)", clock_set_args,
     CV_ROLE_ADMIN, CV_AT_STORE, NULL, 0, NULL, 1, clock_set, "{\"time\":\"2020-05-22T09:00\"}"},
    {"clock.real", "return the store to real time", no_args, CV_ROLE_ADMIN, CV_AT_STORE, NULL, 0,
     NULL, 1, clock_real, "{}"},
    {"journal.list", "the events of the journal", journal_args, CV_ROLE_ADMIN, CV_AT_STORE, NULL, 0,
     NULL, 0, journal_list, "{\"limit\":5}"},
    {NULL, NULL, NULL, 0, 0, NULL, 0, NULL, 0, NULL, NULL},
};
