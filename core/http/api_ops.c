/* api_ops.c: the operations table over HTTP, and the OpenAPI document generated from it. An
 * operation "group.verb" is /api/v1/group/verb; a read is a GET whose arguments are query
 * arguments, a change is a POST (PATCH for "set", DELETE for "end", "revoke" and "disable")
 * whose arguments are a JSON object; the organisation (or other thing) an operation acts on may
 * also end the path: /api/v1/status/LS-TP. Every call runs on the thread pool with a connection
 * of its own, so a busy store never holds the loop; reads are cached (api.c) and lists come in
 * pages. A change sent with an Idempotency-Key is done once: the key and the answer are stored in
 * the change's own transaction, and a retry gets the stored answer. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/grant.h"
#include "base/clock.h"
#include "http/api_int.h"
#include "http/upload.h"
#include "ops/ops.h"

#define NAME_MAX_           64
#define KEY_MAX             128
#define PER_PAGE_DEFAULT    100
#define PER_PAGE_MAX        1000
#define IDEMPOTENCY_KEEP_MS (24 * 60 * 60 * 1000LL)

typedef struct op_job {
    char db_path[CV_API_PATH_MAX];
    cv_actor actor;
    const cv_op *op;
    json_t *args;
    char idem[KEY_MAX + 1];
    unsigned char request_hash[32];
    int64_t page, per_page; /* 0: not a read */
    char cache_key[512];
    char if_none_match[128]; /* the request's, for a read */
    int64_t version;
    cv_api *api;
    char output[CV_UPLOAD_PATH_MAX]; /* a read's file to send (upload.h), "" for none */
} op_job;

/* the route ---------------------------------------------------------------------------------- */

const char *cv_api_method_of(const cv_op *op)
{
    const char *verb = strrchr(op->name, '.');
    verb = verb ? verb + 1 : op->name;
    if (!op->writes)
        return "GET";
    if (strcmp(verb, "set") == 0)
        return "PATCH";
    if (strcmp(verb, "end") == 0 || strcmp(verb, "revoke") == 0 || strcmp(verb, "disable") == 0)
        return "DELETE";
    return "POST";
}

static const cv_op_arg *arg_named(const cv_op *op, const char *name)
{
    for (const cv_op_arg *a = op->args; a && a->name; a++)
        if (strcmp(a->name, name) == 0)
            return a;
    return NULL;
}

/* The operation path names ("org/show/LS", "status/LS", "congress/held"), and in tail what
 * follows its name (empty when nothing does). */
static const cv_op *op_of_path(const char *p, char *tail, size_t cap)
{
    char name[NAME_MAX_];
    const char *s1 = strchr(p, '/');
    const char *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
    const cv_op *op = NULL;
    *tail = '\0';
    if (s1 && (size_t)((s2 ? s2 : s1 + strlen(s1)) - p) < sizeof name) {
        snprintf(name, sizeof name, "%.*s.%.*s", (int)(s1 - p), p,
                 (int)((s2 ? s2 : s1 + strlen(s1)) - s1 - 1), s1 + 1);
        if ((op = cv_ops_find(name)) && s2 && strlen(s2 + 1) < cap)
            snprintf(tail, cap, "%s", s2 + 1);
        if (op)
            return op;
    }
    size_t n = s1 ? (size_t)(s1 - p) : strlen(p);
    if (n >= sizeof name || (s1 && (s2 || strlen(s1 + 1) >= cap)))
        return NULL;
    snprintf(name, sizeof name, "%.*s", (int)n, p);
    if (s1)
        snprintf(tail, cap, "%s", s1 + 1);
    return cv_ops_find(name);
}

/* One query argument as the JSON its declared type wants; NULL (with e) when it is not one. */
static json_t *typed(const cv_op *op, const cv_op_arg *a, const char *v, cv_err *e)
{
    char *end;
    long long n;
    switch (a->type) {
    case CV_ARG_INT:
        n = strtoll(v, &end, 10);
        if (!*v || *end)
            return cv_err_set(e, CV_EINVAL, "%s: %s must be a whole number", op->name, a->name),
                   NULL;
        return json_integer(n);
    case CV_ARG_BOOL:
        if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0)
            return json_boolean(strcmp(v, "true") == 0);
        return cv_err_set(e, CV_EINVAL, "%s: %s must be true or false", op->name, a->name), NULL;
    case CV_ARG_LIST: {
        json_t *list = json_array();
        for (const char *p = v; *v && p;) {
            const char *comma = strchr(p, ',');
            json_array_append_new(list, json_stringn(p, comma ? (size_t)(comma - p) : strlen(p)));
            p = comma ? comma + 1 : NULL;
        }
        return list;
    }
    default:
        return json_string(v);
    }
}

/* The arguments of a call: the path's tail, the query's arguments, the body's members. */
static int args_of(const cv_op *op, const cv_http_req *req, const char *tail, json_t **out,
                   char output[CV_UPLOAD_PATH_MAX], int *status, cv_err *e)
{
    json_t *args = NULL;
    *status = 422;
    if (req->body_len) {
        const char *ct = req->header(req->ctx, "Content-Type");
        json_error_t jerr;
        if (!ct || strncmp(ct, "application/json", 16) != 0)
            return *status = 415, cv_err_set(e, CV_EINVAL,
                                             "the body must be JSON (Content-Type: "
                                             "application/json)");
        args = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
        if (!json_is_object(args)) {
            json_decref(args);
            return *status = 400,
                   cv_err_set(e, CV_EINVAL, "the body is not a JSON object: %s (line %d)",
                              jerr.text, jerr.line);
        }
    }
    args = args ? args : json_object();
    for (const cv_op_arg *a = op->args; a && a->name; a++) {
        const char *v = req->query(req->ctx, a->name);
        json_t *j = v && !json_object_get(args, a->name) ? typed(op, a, v, e) : NULL;
        if (v && !j && !json_object_get(args, a->name)) {
            json_decref(args);
            return e->code;
        }
        if (j)
            json_object_set_new(args, a->name, j);
    }
    if (*tail) {
        const cv_op_arg *a = op->at_arg ? arg_named(op, op->at_arg) : NULL;
        json_t *j = a ? typed(op, a, tail, e) : NULL;
        if (!j) {
            json_decref(args);
            return *status = 404, a ? e->code : cv_err_set(e, CV_ENOTFOUND, "no such resource");
        }
        json_object_set_new(args, a->name, j);
    }
    if (cv_upload_args(op, req, args, output, status, e) < 0) {
        json_decref(args);
        return e->code;
    }
    *out = args;
    return 0;
}

/* the work ------------------------------------------------------------------------------------ */

/* A list answer in pages: {"items", "total", "page", "per_page"}; anything else as it is. */
static json_t *paged(json_t *result, int64_t page, int64_t per_page)
{
    if (!json_is_array(result) || per_page == 0)
        return result;
    size_t total = json_array_size(result), from = (size_t)((page - 1) * per_page);
    json_t *items = json_array();
    for (size_t i = from; i < total && i < from + (size_t)per_page; i++)
        json_array_append(items, json_array_get(result, i));
    json_t *out = json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total", (json_int_t)total,
                            "page", (json_int_t)page, "per_page", (json_int_t)per_page);
    json_decref(result);
    return out;
}

static int call(cv_store *s, op_job *j, json_t **result, cv_err *e)
{
    return cv_ops_call(s, &j->actor, j->op->name, j->args, result, e);
}

/* The stored answer to j's key, if any: 1 (replayed into resp), 0 (none), or an error. */
static int replay(cv_store *s, op_job *j, cv_http_resp *resp, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s,
                                        "SELECT request_hash, status, body FROM http_idempotency "
                                        "WHERE account_id = ?1 AND key = ?2",
                                        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, j->actor.account_id);
    sqlite3_bind_text(st, 2, j->idem, -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    if (found && (sqlite3_column_bytes(st, 0) != 32 ||
                  memcmp(sqlite3_column_blob(st, 0), j->request_hash, 32) != 0)) {
        sqlite3_reset(st);
        return cv_err_set(e, CV_EINVAL, "this Idempotency-Key was used for a different request");
    }
    if (found) {
        const char *body = (const char *)sqlite3_column_text(st, 2);
        cv_http_resp_text(resp, sqlite3_column_int(st, 1), "application/json", body, strlen(body));
        cv_http_resp_header(resp, "Idempotent-Replayed", "true");
    }
    sqlite3_reset(st);
    return found;
}

static int remember(cv_store *s, op_job *j, const char *body, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s, "DELETE FROM http_idempotency WHERE created_at < ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, cv_clock_real() - IDEMPOTENCY_KEEP_MS);
    if (cv_store_exec(s, st, e) < 0 ||
        !(st = cv_store_prepare(s,
                                "INSERT INTO http_idempotency(account_id, key, request_hash, "
                                "status, body, created_at) VALUES (?1, ?2, ?3, 200, ?4, ?5)",
                                e)))
        return e->code;
    sqlite3_bind_int64(st, 1, j->actor.account_id);
    sqlite3_bind_text(st, 2, j->idem, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, j->request_hash, 32, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, body, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, cv_clock_real());
    return cv_store_exec(s, st, e);
}

/* The change and its stored answer in one transaction: both or neither. */
static int call_once(cv_store *s, op_job *j, cv_http_resp *resp, cv_err *e)
{
    json_t *result = NULL;
    if (cv_store_begin(s, e) < 0)
        return e->code;
    int rc = replay(s, j, resp, e);
    if (rc == 0 && (rc = call(s, j, &result, e)) == 0) {
        cv_api_reply_json(resp, 200, result ? result : json_object());
        char *body = strndup(resp->body ? resp->body : "{}", resp->len);
        rc = body ? remember(s, j, body, e) : cv_err_set(e, CV_ENOMEM, "out of memory");
        free(body);
    }
    if (rc >= 0)
        rc = cv_store_commit(s, e);
    if (rc < 0)
        cv_store_rollback(s);
    return rc < 0 ? rc : 0;
}

static void run_op(void *arg, cv_http_resp *resp)
{
    op_job *j = arg;
    cv_store *s = NULL;
    cv_err e;
    json_t *result = NULL;
    int rc = cv_api_open_store(j->db_path, &j->actor, &s, &e);
    if (rc == 0 && *j->idem)
        rc = call_once(s, j, resp, &e);
    else if (rc == 0 && *j->output && (rc = call(s, j, &result, &e)) == 0) {
        cv_upload_reply_file(j->output, result, resp);
        json_decref(result);
    } else if (rc == 0 && (rc = call(s, j, &result, &e)) == 0 && !j->per_page)
        cv_api_reply_json(resp, 200, result ? result : json_object());
    else if (rc == 0) {
        result = paged(result ? result : json_object(), j->page, j->per_page);
        char *text = result ? json_dumps(result, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        if (text)
            cv_api_reply_tagged(resp, text, strlen(text),
                                *j->if_none_match ? j->if_none_match : NULL);
        else
            cv_http_resp_problem(resp, 500, "out of memory");
        free(text);
        json_decref(result);
    }
    if (rc < 0)
        cv_api_reply_error(resp, &e);
    cv_store_close(s);
}

/* Back on the loop: a read's answer goes into the cache. */
static void after_op(void *arg, cv_http_resp *resp)
{
    op_job *j = arg;
    if (j->per_page && !*j->output)
        cv_api_cache_put(j->api, j->cache_key, j->version, resp);
    if (*j->output)
        unlink(j->output);
    json_decref(j->args);
    free(j);
}

/* page and per_page, for a read. */
static int paging(const cv_http_req *req, op_job *j, cv_err *e)
{
    const char *p = req->query(req->ctx, "page"), *pp = req->query(req->ctx, "per_page");
    char *end;
    j->page = p ? strtoll(p, &end, 10) : 1;
    if (p && (!*p || *end || j->page < 1 || j->page > 1000000))
        return cv_err_set(e, CV_EINVAL, "page must be a whole number from 1 to 1000000");
    j->per_page = pp ? strtoll(pp, &end, 10) : PER_PAGE_DEFAULT;
    if (pp && (!*pp || *end || j->per_page < 1 || j->per_page > PER_PAGE_MAX))
        return cv_err_set(e, CV_EINVAL, "per_page must be a whole number from 1 to %d",
                          PER_PAGE_MAX);
    return 0;
}

/* Fills j for the call; answers from the cache when it can (returns 1 then). */
static int prepare(cv_api *api, const cv_http_req *req, cv_http_resp *resp, op_job *j,
                   int64_t version, cv_err *e)
{
    char *canon = json_dumps(j->args, JSON_COMPACT | JSON_SORT_KEYS);
    if (canon && req->file_digest && j->op->writes) {
        free(canon); /* an upload's temp path differs at every try: its bytes' hash stands in */
        json_t *same = json_copy(j->args);
        for (const cv_op_arg *a = j->op->args; same && a && a->name; a++)
            if (a->type == CV_ARG_FILE && json_object_get(same, a->name))
                json_object_set_new(same, a->name, json_string(req->file_digest));
        canon = same ? json_dumps(same, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        json_decref(same);
    }
    const char *idem = req->header(req->ctx, "Idempotency-Key");
    int rc = canon ? 0 : cv_err_set(e, CV_ENOMEM, "out of memory");
    if (rc == 0 && !j->op->writes && (rc = paging(req, j, e)) == 0) {
        char today[11];
        cv_clock_today(today);
        snprintf(j->cache_key, sizeof j->cache_key, "%d:%lld:%lld %s %lld/%lld %s %s",
                 j->actor.kind, (long long)j->actor.account_id, (long long)j->actor.token_id,
                 j->op->name, (long long)j->page, (long long)j->per_page, today, canon);
        j->version = version;
        const char *inm = req->header(req->ctx, "If-None-Match");
        snprintf(j->if_none_match, sizeof j->if_none_match, "%s", inm ? inm : "");
        rc = cv_api_cache_get(api, req, resp, j->cache_key, j->version);
    } else if (rc == 0 && idem) {
        if (!*idem || strlen(idem) > KEY_MAX || !j->actor.account_id)
            rc = cv_err_set(e, CV_EINVAL, "Idempotency-Key must be 1 to %d characters", KEY_MAX);
        else {
            snprintf(j->idem, sizeof j->idem, "%s", idem);
            crypto_generichash_state h;
            crypto_generichash_init(&h, NULL, 0, 32);
            crypto_generichash_update(&h, (const unsigned char *)j->op->name, strlen(j->op->name));
            crypto_generichash_update(&h, (const unsigned char *)canon, strlen(canon) + 1);
            crypto_generichash_final(&h, j->request_hash, 32);
        }
    }
    free(canon);
    return rc;
}

int cv_api_ops_route(cv_api *api, const cv_http_req *req, cv_http_resp *resp,
                     const cv_api_caller *c, const char *path)
{
    char tail[256];
    cv_err e;
    int status;
    const cv_op *op = op_of_path(path, tail, sizeof tail);
    if (!op)
        return 0;
    const char *method = cv_api_method_of(op);
    int head = strcmp(req->method, "HEAD") == 0 && !op->writes;
    if (strcmp(req->method, method) != 0 && !head) {
        cv_http_resp_problem(resp, 405, "this operation takes another method (see Allow)");
        cv_http_resp_header(resp, "Allow", "%s", op->writes ? method : "GET, HEAD");
        return 1;
    }
    op_job *j = calloc(1, sizeof *j);
    if (!j || strlen(api->db_path) >= sizeof j->db_path) {
        free(j);
        cv_http_resp_problem(resp, 500, "out of memory");
        return 1;
    }
    snprintf(j->db_path, sizeof j->db_path, "%s", api->db_path);
    j->actor = c->actor;
    j->op = op;
    j->api = api;
    int rc = args_of(op, req, tail, &j->args, j->output, &status, &e);
    if (rc < 0)
        cv_http_resp_problem(resp, status, e.msg);
    else if ((rc = prepare(api, req, resp, j, c->version, &e)) < 0)
        cv_api_reply_error(resp, &e);
    if (rc != 0) {
        if (*j->output)
            unlink(j->output);
        json_decref(j->args);
        free(j);
        return 1;
    }
    resp->work = run_op;
    resp->after = after_op;
    resp->work_arg = j;
    return 1;
}

/* the OpenAPI document ------------------------------------------------------------------------ */

static json_t *schema_of(const cv_op_arg *a)
{
    switch (a->type) {
    case CV_ARG_INT:
        return json_pack("{s:s, s:I, s:I}", "type", "integer", "minimum", (json_int_t)a->min,
                         "maximum", (json_int_t)a->max);
    case CV_ARG_BOOL:
        return json_pack("{s:s}", "type", "boolean");
    case CV_ARG_DATE:
        return json_pack("{s:s, s:s}", "type", "string", "format", "date");
    case CV_ARG_LIST:
        return json_pack("{s:s, s:I, s:{s:s, s:i}}", "type", "array", "maxItems",
                         (json_int_t)a->max, "items", "type", "string", "maxLength", 511);
    case CV_ARG_CODE:
        return json_pack("{s:s, s:i}", "type", "string", "maxLength", 64);
    case CV_ARG_FILE:
        return json_pack("{s:s, s:s}", "type", "string", "format", "binary");
    default:
        return json_pack("{s:s, s:I}", "type", "string", "maxLength", (json_int_t)a->max);
    }
}

static json_t *problems(void)
{
    json_t *r = json_object();
    static const char *const codes[] = {"400", "401", "403", "404", "409", "413", "422", "429"};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        json_object_set_new(r, codes[i],
                            json_pack("{s:s}", "$ref", "#/components/responses/Problem"));
    return r;
}

static json_t *roles_of(const cv_op *op)
{
    json_t *roles = json_array();
    for (int r = 0; r < CV_ROLE_COUNT; r++)
        if ((op->roles | CV_ROLE_ADMIN) & (1u << r))
            json_array_append_new(roles, json_string(cv_role_name(1u << r)));
    return roles;
}

/* One operation's entry; at_in_path: its at_arg is the path's last segment. */
static json_t *operation(const cv_op *op, int at_in_path)
{
    json_t *responses = problems();
    json_object_set_new(responses, "200",
                        json_pack("{s:s, s:{s:{s:{}}}}", "description", "the answer", "content",
                                  "application/json", "schema"));
    char group[NAME_MAX_];
    snprintf(group, sizeof group, "%.*s", (int)strcspn(op->name, "."), op->name);
    json_t *o = json_pack("{s:s, s:s, s:[s], s:o, s:o}", "operationId", at_in_path ? "" : op->name,
                          "summary", op->summary, "tags", group, "x-roles", roles_of(op),
                          "responses", responses);
    json_t *params = json_array(), *props = json_object(), *required = json_array();
    json_t *form = NULL; /* the multipart form of an operation taking a file */
    int takes_file = 0;
    for (const cv_op_arg *a = op->args; a && a->name; a++) {
        int in_path = at_in_path && op->at_arg && strcmp(a->name, op->at_arg) == 0;
        if (a->type == CV_ARG_FILE && !op->writes) /* the answer is the file (upload.h) */
            json_object_set_new(responses, "200",
                                json_pack("{s:s, s:{s:{s:{s:s, s:s}}}}", "description",
                                          "the file's bytes", "content", "application/octet-stream",
                                          "schema", "type", "string", "format", "binary"));
        takes_file |= a->type == CV_ARG_FILE && op->writes;
        if (a->type == CV_ARG_FILE)
            continue;
        if (in_path || !op->writes)
            json_array_append_new(
                params, json_pack("{s:s, s:s, s:b, s:s, s:o}", "name", a->name, "in",
                                  in_path ? "path" : "query", "required", in_path || a->required,
                                  "description", a->help ? a->help : "", "schema", schema_of(a)));
        else {
            json_object_set_new(props, a->name, schema_of(a));
            if (a->required)
                json_array_append_new(required, json_string(a->name));
        }
    }
    if (takes_file) { /* every argument, the file as a binary part */
        form = json_object();
        for (const cv_op_arg *a = op->args; a && a->name; a++)
            json_object_set_new(form, a->name, schema_of(a));
    }
    if (at_in_path) {
        char id[NAME_MAX_ + 16];
        snprintf(id, sizeof id, "%s.by_path", op->name);
        json_object_set_new(o, "operationId", json_string(id));
    }
    json_object_set_new(o, "parameters", params);
    if (op->writes) {
        json_t *content = json_pack("{s:{s:{s:s, s:o, s:o, s:b}}}", "application/json", "schema",
                                    "type", "object", "properties", props, "required",
                                    json_deep_copy(required), "additionalProperties", 0);
        if (form)
            json_object_set_new(content, "multipart/form-data",
                                json_pack("{s:{s:s, s:o, s:o}}", "schema", "type", "object",
                                          "properties", form, "required", required));
        else
            json_decref(required);
        json_object_set_new(o, "requestBody",
                            json_pack("{s:b, s:o}", "required", 1, "content", content));
    } else {
        json_decref(props);
        json_decref(required);
    }
    return o;
}

static void add_path(json_t *paths, const char *path, const char *method, json_t *op)
{
    char lower[8];
    size_t i = 0;
    for (; method[i] && i < sizeof lower - 1; i++)
        lower[i] = (char)(method[i] - 'A' + 'a');
    lower[i] = '\0';
    json_t *item = json_object_get(paths, path);
    if (!item)
        json_object_set_new(paths, path, item = json_object());
    json_object_set_new(item, lower, op);
}

/* The routes that are not operations. */
static void add_fixed(json_t *paths)
{
    json_t *ok = json_pack("{s:s, s:{s:{s:{}}}}", "description", "the answer", "content",
                           "application/json", "schema");
    json_t *login = json_pack(
        "{s:s, s:s, s:[s], s:[], s:{s:b, s:{s:{s:{s:s, s:{s:{s:s}, s:{s:s}}, s:[s, s]}}}}, s:o}",
        "operationId", "session.login", "summary",
        "log in with a password: sets the session cookie, answers the CSRF token", "tags",
        "session", "security", "requestBody", "required", 1, "content", "application/json",
        "schema", "type", "object", "properties", "login", "type", "string", "password", "type",
        "string", "required", "login", "password", "responses", problems());
    json_object_set(json_object_get(login, "responses"), "200", ok);
    add_path(paths, "/api/v1/session", "POST", login);
    json_t *who = json_pack("{s:s, s:s, s:[s], s:o}", "operationId", "session.show", "summary",
                            "who is signed in, their grants and CSRF token", "tags", "session",
                            "responses", problems());
    json_object_set(json_object_get(who, "responses"), "200", ok);
    add_path(paths, "/api/v1/session", "GET", who);
    json_t *out =
        json_pack("{s:s, s:s, s:[s], s:o}", "operationId", "session.logout", "summary",
                  "log out (needs X-CSRF-Token)", "tags", "session", "responses", problems());
    json_object_set(json_object_get(out, "responses"), "200", ok);
    add_path(paths, "/api/v1/session", "DELETE", out);
    add_path(
        paths, "/api/v1/events", "GET",
        json_pack("{s:s, s:s, s:[s], s:[{s:s, s:s, s:b, s:{s:s}}], s:{s:{s:s, s:{s:{s:{s:s}}}}}}",
                  "operationId", "events", "summary",
                  "the journal events the caller may see, as Server-Sent Events (Last-Event-ID "
                  "resumes)",
                  "tags", "events", "parameters", "name", "Last-Event-ID", "in", "header",
                  "required", 0, "schema", "type", "string", "responses", "200", "description",
                  "an event stream", "content", "text/event-stream", "schema", "type", "string"));
    add_path(paths, "/api/v1/reports/{name}/{org}", "GET",
             json_pack("{s:s, s:s, s:[s], s:[{s:s, s:s, s:b, s:{s:s}}, {s:s, s:s, s:b, s:{s:s}}, "
                       "{s:s, s:s, s:b, s:{s:s, s:[s, s, s, s, s]}}], s:{s:{s:s}}}",
                       "operationId", "report", "summary",
                       "a report of an organisation's subtree in a reporter plugin's format",
                       "tags", "reports", "parameters", "name", "name", "in", "path", "required", 1,
                       "schema", "type", "string", "name", "org", "in", "path", "required", 1,
                       "schema", "type", "string", "name", "format", "in", "query", "required", 0,
                       "schema", "type", "string", "enum", "json", "csv", "html", "xlsx", "text",
                       "responses", "200", "description", "the rendered report"));
    json_t *list = json_pack("{s:s, s:s, s:[s], s:o}", "operationId", "reports", "summary",
                             "the report producers", "tags", "reports", "responses", problems());
    json_object_set(json_object_get(list, "responses"), "200", ok);
    add_path(paths, "/api/v1/reports", "GET", list);
    add_path(paths, "/api/v1/openapi.json", "GET",
             json_pack("{s:s, s:s, s:[s], s:[], s:{s:O}}", "operationId", "openapi", "summary",
                       "this document", "tags", "openapi", "security", "responses", "200", ok));
    json_decref(ok);
}

json_t *cv_api_openapi(void)
{
    json_t *paths = json_object();
    char path[160];
    for (int i = 0; i < cv_ops_count(); i++) {
        const cv_op *op = cv_ops_at(i);
        snprintf(path, sizeof path, "/api/v1/%s", op->name);
        for (char *p = path + 8; *p; p++)
            *p = *p == '.' ? '/' : *p;
        add_path(paths, path, cv_api_method_of(op), operation(op, 0));
        if (op->at_arg && !op->writes) {
            size_t n = strlen(path);
            snprintf(path + n, sizeof path - n, "/{%s}", op->at_arg);
            add_path(paths, path, cv_api_method_of(op), operation(op, 1));
        }
    }
    add_fixed(paths);
    return json_pack(
        "{s:s, s:{s:s, s:s, s:s}, s:[{s:[]}, {s:[]}], s:o, s:{s:{s:{s:s, s:s, s:s}, s:{s:s, s:s}}, "
        "s:{s:{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}}}, s:{s:{s:s, s:{s:{s:{s:s}}}}}}}",
        "openapi", "3.1.0", "info", "title", "convene", "version", "1", "description",
        "The convene HTTP API, generated from the operations table.", "security", "session",
        "token", "paths", paths, "components", "securitySchemes", "session", "type", "apiKey", "in",
        "cookie", "name", "convene", "token", "type", "http", "scheme", "bearer", "schemas",
        "Problem", "type", "object", "properties", "type", "type", "string", "title", "type",
        "string", "status", "type", "integer", "detail", "type", "string", "responses", "Problem",
        "description", "an RFC 9457 problem: detail is the CLI's one-line message", "content",
        "application/problem+json", "schema", "$ref", "#/components/schemas/Problem");
}
