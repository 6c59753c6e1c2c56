/* ops_auth.c: the operations on accounts, tokens and grants, and the audit of the journal. All are
 * admin's; a token's text is returned once by token.add and never again. */
#include <sodium.h>
#include <string.h>

#include "auth/account.h"
#include "auth/grant.h"
#include "auth/token.h"
#include "base/bound.h"
#include "base/clock.h"
#include "base/date.h"
#include "domain/org.h"
#include "http/session.h"
#include "base/bound.h"
#include "ops/ops.h"

#define ADMIN CV_ROLE_ADMIN
#define LOGIN                                                                                      \
    {                                                                                              \
        "login", CV_ARG_TEXT, 1, 0, CV_LOGIN_MAX - 1, "the account's login"                        \
    }
#define TEXT(n, req, max, help)                                                                    \
    {                                                                                              \
        n, CV_ARG_TEXT, req, 0, max, help                                                          \
    }

static int account_result(cv_store *s, const char *login, json_t **result, cv_err *e)
{
    cv_account a;
    json_t *grants = NULL;
    if (cv_account_get(s, login, &a, e) < 0 || cv_grant_list(s, a.id, 0, &grants, e) < 0)
        return e->code;
    *result = cv_account_json(&a);
    json_object_set_new(*result, "grants", grants);
    return 0;
}

static int set_password(cv_store *s, const char *login, const char *password, cv_err *e)
{
    char hash[128];
    int rc = cv_password_hash(password, hash, e);
    if (rc == 0)
        rc = cv_account_set_password(s, login, hash, e);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

static int account_add(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    const char *login = cv_op_text(args, "login"), *password = cv_op_text(args, "password");
    if (cv_account_add(c->s, login, cv_op_text(args, "name"), cv_op_text(args, "email"), NULL, e) <
            0 ||
        (password && set_password(c->s, login, password, e) < 0) ||
        (cv_op_text(args, "unix_user") &&
         cv_account_update(c->s, login, NULL, NULL, cv_op_text(args, "unix_user"), NULL, e) < 0))
        return e->code;
    return account_result(c->s, login, result, e);
}

static int account_set(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    const char *login = cv_op_text(args, "login");
    const char *lang = cv_op_text(args, "lang");
    if (cv_account_update(c->s, login, cv_op_text(args, "name"), cv_op_text(args, "email"),
                          cv_op_text(args, "unix_user"), cv_op_text(args, "state"), e) < 0 ||
        (lang && cv_account_set_lang(c->s, login, lang, e) < 0))
        return e->code;
    return account_result(c->s, login, result, e);
}

/* The caller's own language: any account may choose the one its pages speak. */
static int account_language(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    cv_account a;
    if (c->actor->account_id <= 0)
        return cv_err_set(e, CV_EINVAL, N_("only an account has a language of its own"));
    if (cv_account_get_by_id(c->s, c->actor->account_id, &a, e) < 0 ||
        cv_account_set_lang(c->s, a.login, cv_op_text(args, "lang"), e) < 0)
        return e->code;
    *result = json_pack("{s:s, s:s}", "login", a.login, "lang", cv_op_text(args, "lang"));
    return 0;
}

static int account_disable(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    const char *login = cv_op_text(args, "login");
    if (cv_account_update(c->s, login, NULL, NULL, NULL, "disabled", e) < 0)
        return e->code;
    return account_result(c->s, login, result, e);
}

/* An admin sets anyone's password; an account that is not admin sets its own (the layer lets
 * nobody else through) by giving its current one. Every open session of the account ends. */
static int account_passwd(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    const char *login = cv_op_text(args, "login"), *current = cv_op_text(args, "current");
    unsigned held = 0;
    int64_t id;
    cv_account a;
    if (cv_account_get(c->s, login, &a, e) < 0 ||
        cv_ops_actor_roles(c->s, c->actor, 0, &held, e) < 0)
        return e->code;
    if (!(held & CV_ROLE_ADMIN)) {
        if (!current)
            return cv_err_set(e, CV_EPERM,
                              "account.passwd: give the current password of %s (--current-file F)",
                              a.login);
        if (cv_password_check(c->s, login, current, &id, e) < 0)
            return cv_err_set(e, CV_EPERM, "account.passwd: the current password of %s is wrong",
                              a.login);
    }
    int closed = 0;
    if (set_password(c->s, login, cv_op_text(args, "password"), e) < 0 ||
        cv_session_close_all(c->s, a.id, &closed, e) < 0 ||
        account_result(c->s, login, result, e) < 0)
        return e->code;
    json_object_set_new(*result, "sessions_closed", json_integer(closed));
    return 0;
}

static int account_list(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    (void)args;
    return cv_account_list(c->s, result, e);
}

static int account_show(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    return account_result(c->s, cv_op_text(args, "login"), result, e);
}

static int account_id(cv_store *s, json_t *args, int64_t *id, cv_err *e)
{
    cv_account a;
    if (cv_account_get(s, cv_op_text(args, "login"), &a, e) < 0)
        return e->code;
    *id = a.id;
    return 0;
}

static int token_add(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    int64_t id, days = cv_op_int(args, "days", 0), token_id;
    char text[CV_TOKEN_TEXT_MAX];
    const char *label = cv_op_text(args, "label");
    int64_t expires = days ? cv_clock_real() + days * 86400000 : 0;
    if (account_id(c->s, args, &id, e) < 0 ||
        cv_token_add(c->s, id, label, expires, text, &token_id, e) < 0)
        return e->code;
    *result = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)token_id, "login",
                        cv_op_text(args, "login"), "label", label, "token", text);
    if (expires)
        json_object_set_new(*result, "expires_at", json_integer(expires));
    sodium_memzero(text, sizeof text);
    return 0;
}

static int token_list(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    int64_t id;
    if (account_id(c->s, args, &id, e) < 0)
        return e->code;
    return cv_token_list(c->s, id, result, e);
}

static int token_revoke(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    int64_t id;
    if (account_id(c->s, args, &id, e) < 0 ||
        cv_token_revoke(c->s, id, cv_op_text(args, "label"), e) < 0)
        return e->code;
    *result = json_pack("{s:s, s:s}", "login", cv_op_text(args, "login"), "revoked",
                        cv_op_text(args, "label"));
    return 0;
}

static int grant_add(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    int64_t id, grant, org_id;
    unsigned role;
    if (account_id(c->s, args, &id, e) < 0 ||
        cv_role_parse(cv_op_text(args, "role"), &role, e) < 0 ||
        cv_ops_resolve(c->s, CV_AT_ORG, "org", args, &org_id, e) < 0 ||
        cv_grant_add(c->s, id, role, org_id, &grant, e) < 0)
        return e->code;
    const char *org = cv_op_text(args, "org");
    *result = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)grant, "login",
                        cv_op_text(args, "login"), "role", cv_op_text(args, "role"), "org",
                        org ? org : "");
    return 0;
}

static int grant_end(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    int64_t id = cv_op_int(args, "id", 0);
    if (cv_grant_end(c->s, id, e) < 0)
        return e->code;
    *result = json_pack("{s:I}", "ended", (json_int_t)id);
    return 0;
}

static int grant_list(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    int64_t id = 0;
    if (cv_op_text(args, "login") && account_id(c->s, args, &id, e) < 0)
        return e->code;
    return cv_grant_list(c->s, id, cv_op_bool(args, "history", 0), result, e);
}

/* audit -------------------------------------------------------------------------------------- */

static json_t *audit_row(sqlite3_stmt *st)
{
    json_error_t jerr;
    json_t *data = json_loads((const char *)sqlite3_column_text(st, 8), 0, &jerr);
    char day[11];
    cv_clock_date(sqlite3_column_int64(st, 1), CV_TZ_VIETNAM_MIN, day);
    return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o*}", "id",
                     (json_int_t)sqlite3_column_int64(st, 0), "recorded_at",
                     (json_int_t)sqlite3_column_int64(st, 1), "day", day, "type",
                     (const char *)sqlite3_column_text(st, 2), "org",
                     (const char *)sqlite3_column_text(st, 3), "actor_kind",
                     (const char *)sqlite3_column_text(st, 4), "actor",
                     (const char *)sqlite3_column_text(st, 5), "via",
                     (const char *)sqlite3_column_text(st, 6), "data", data);
}

/* Who did what, where and when: events filtered by subtree, actor, real time and type, newest
 * last, at most limit of them. */
static int audit(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    int64_t since = 0, org_id;
    const char *when = cv_op_text(args, "since");
    if ((when && cv_date_parse_instant(when, CV_TZ_VIETNAM_MIN, &since, "--since", e) < 0) ||
        cv_ops_resolve(c->s, CV_AT_ORG, "org", args, &org_id, e) < 0)
        return e->code;
    sqlite3_stmt *st = cv_store_prepare(
        c->s,
        "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION SELECT o.id FROM orgs o JOIN sub ON "
        "o.parent_id = sub.id) "
        "SELECT ev.id, ev.recorded_at, ev.type, coalesce(o.code, ''), ev.actor_kind, "
        "ev.actor_name, ev.actor_via, '', ev.data FROM events ev LEFT JOIN orgs o ON "
        "o.id = ev.org_id WHERE (?1 = 0 OR ev.org_id IN (SELECT id FROM sub)) AND "
        "(?2 IS NULL OR ev.actor_name = ?2) AND ev.recorded_at >= ?3 AND (?4 IS NULL OR "
        "ev.type = ?4) ORDER BY ev.id LIMIT ?5",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, org_id);
    sqlite3_bind_text(st, 2, cv_op_text(args, "actor"), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, since);
    sqlite3_bind_text(st, 4, cv_op_text(args, "type"), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, cv_op_int(args, "limit", 100000));
    json_t *rows = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(rows, audit_row(st));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(rows);
        return cv_store_fail(c->s, "reading the journal", e);
    }
    *result = rows;
    return 0;
}

static const cv_op_arg account_add_args[] = {
    LOGIN,
    TEXT("name", 1, CV_NAME_MAX - 1, "the display name"),
    TEXT("email", 0, CV_EMAIL_MAX - 1, "an e-mail address"),
    TEXT("unix_user", 0, CV_UNIX_USER_MAX - 1, "the Unix user the CLI maps to it"),
    TEXT("password", 0, CV_PASSWORD_MAX, "a password (none: token or CLI only)"),
    CV_OP_ARGS_END};
static const cv_op_arg account_set_args[] = {
    LOGIN,
    TEXT("name", 0, CV_NAME_MAX - 1, "the display name"),
    TEXT("email", 0, CV_EMAIL_MAX - 1, "an e-mail address (\"\" clears)"),
    TEXT("unix_user", 0, CV_UNIX_USER_MAX - 1, "the Unix user (\"\" clears)"),
    TEXT("state", 0, 15, "active or disabled"),
    TEXT("lang", 0, 3, "the dashboard's language: vi or en"),
    CV_OP_ARGS_END};
static const cv_op_arg language_args[] = {TEXT("lang", 1, 3, "vi or en"), CV_OP_ARGS_END};
static const cv_op_arg login_args[] = {LOGIN, CV_OP_ARGS_END};
static const cv_op_arg passwd_args[] = {
    LOGIN, TEXT("password", 1, CV_PASSWORD_MAX, "the new password"),
    TEXT("current", 0, CV_PASSWORD_MAX, "the current one (when not admin: its own account only)"),
    CV_OP_ARGS_END};
static const cv_op_arg no_args[] = {CV_OP_ARGS_END};
static const cv_op_arg token_add_args[] = {
    LOGIN,
    TEXT("label", 1, CV_TOKEN_LABEL_MAX - 1, "what the token is for"),
    {"days", CV_ARG_INT, 0, 1, CV_DAYS_MAX, "it expires after this many days (never)"},
    CV_OP_ARGS_END};
static const cv_op_arg token_revoke_args[] = {
    LOGIN, TEXT("label", 1, CV_TOKEN_LABEL_MAX - 1, "the token's label"), CV_OP_ARGS_END};
static const cv_op_arg grant_add_args[] = {
    LOGIN,
    TEXT("role", 1, 15, "admin, office, organisation, secretary, subcommittee, ..."),
    {"org", CV_ARG_CODE, 0, 0, 0, "the subtree's root (every role but admin)"},
    CV_OP_ARGS_END};
static const cv_op_arg grant_end_args[] = {{"id", CV_ARG_INT, 1, 1, INT64_MAX, "the grant"},
                                           CV_OP_ARGS_END};
static const cv_op_arg grant_list_args[] = {
    {"login", CV_ARG_TEXT, 0, 0, CV_LOGIN_MAX - 1, "one account (all)"},
    {"history", CV_ARG_BOOL, 0, 0, 0, "ended grants too"},
    CV_OP_ARGS_END};
static const cv_op_arg audit_args[] = {
    {"org", CV_ARG_CODE, 0, 0, 0, "events of this subtree (all)"},
    TEXT("actor", 0, CV_ACTOR_NAME_MAX - 1, "events of this actor's name"),
    TEXT("since", 0, 39, "recorded since YYYY-MM-DD[THH:MM], Vietnam time"),
    TEXT("type", 0, 63, "events of this type"),
    {"limit", CV_ARG_INT, 0, 1, 1000000, "at most (100000)"},
    CV_OP_ARGS_END};

const cv_op cv_ops_auth[] = {
    {"account.add", "add an account", account_add_args, ADMIN, CV_AT_STORE, NULL, 0, NULL, 1,
     account_add, "{\"login\":\"a$N\",\"name\":\"Nguyễn Văn A\"}"},
    {"account.set", "change an account's name, e-mail, Unix user, state or language",
     account_set_args, ADMIN, CV_AT_STORE, NULL, 0, NULL, 1, account_set,
     "{\"login\":\"someone\",\"email\":\"someone@example.org\"}"},
    {"account.language", "choose the language of one's own pages (vi or en)", language_args,
     CV_ROLES_ALL, CV_AT_STORE, NULL, 0, NULL, 1, account_language, "{\"lang\":\"en\"}"},
    {"account.disable", "disable an account (its grants and tokens stop working)", login_args,
     ADMIN, CV_AT_STORE, NULL, 0, NULL, 1, account_disable, "{\"login\":\"someone\"}"},
    {"account.passwd", "set an account's password (any account its own, with its current one)",
     passwd_args, ADMIN, CV_AT_SELF, "login", 0, NULL, 1, account_passwd,
     "{\"login\":\"someone\",\"password\":\"correct horse\"}"},
    {"account.list", "every account", no_args, ADMIN, CV_AT_STORE, NULL, 0, NULL, 0, account_list,
     "{}"},
    {"account.show", "one account and its current grants", login_args, ADMIN, CV_AT_STORE, NULL, 0,
     NULL, 0, account_show, "{\"login\":\"someone\"}"},
    {"token.add", "make an API token for an account (shown once)", token_add_args, ADMIN,
     CV_AT_STORE, NULL, 0, NULL, 1, token_add, "{\"login\":\"someone\",\"label\":\"t$N\"}"},
    {"token.list", "an account's tokens", login_args, ADMIN, CV_AT_STORE, NULL, 0, NULL, 0,
     token_list, "{\"login\":\"someone\"}"},
    {"token.revoke", "revoke an account's token", token_revoke_args, ADMIN, CV_AT_STORE, NULL, 0,
     NULL, 1, token_revoke, "{\"login\":\"someone\",\"label\":\"script\"}"},
    {"grant.add", "grant an account a role over an organisation's subtree", grant_add_args, ADMIN,
     CV_AT_STORE, NULL, 0, NULL, 1, grant_add,
     "{\"login\":\"someone\",\"role\":\"viewer\",\"org\":\"$ORG\"}"},
    {"grant.end", "end a grant (it stays in the history)", grant_end_args, ADMIN, CV_AT_STORE, NULL,
     0, NULL, 1, grant_end, "{\"id\":$GRANT}"},
    {"grant.list", "current grants, or all with history", grant_list_args, ADMIN, CV_AT_STORE, NULL,
     0, NULL, 0, grant_list, "{\"history\":true}"},
    {"audit", "who did what, where and when", audit_args, ADMIN, CV_AT_STORE, NULL, 0, NULL, 0,
     audit, "{\"org\":\"$ORG\"}"},
    CV_OPS_END,
};
