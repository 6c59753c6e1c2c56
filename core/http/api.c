/* api.c: the front of /api/v1: who is calling (a session cookie or an API token), the checks on
 * changes made from a browser (Origin, Sec-Fetch-Site, the CSRF token), the routes that are not
 * operations (the session, events, reports, the OpenAPI document), the cache of reads, and
 * replies: JSON with ETags, or RFC 9457 problems carrying the CLI's own one-line message. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/path.h"
#include "auth/grant.h"
#include "auth/token.h"
#include "base/clock.h"
#include "docs/file.h"
#include "http/api_int.h"
#include "http/limit.h"
#include "ops/ops.h"
#include "report/report.h"
#include "store/journal.h"

#define API_BODY_MAX  (64 * 1024)
#define CACHE_SLOTS   64
#define CACHE_KEY_MAX 512
#define REPORT_MAX    (64 * 1024 * 1024)

size_t cv_api_body_max(void)
{
    return API_BODY_MAX;
}

/* replies ----------------------------------------------------------------------------------- */

/* A strong ETag: the first 16 bytes of the body's BLAKE2b, in hex and quotes. */
static void etag_of(const char *body, size_t len, char out[40])
{
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)body, len, NULL, 0);
    out[0] = '"';
    sodium_bin2hex(out + 1, 33, h, sizeof h);
    out[33] = '"';
    out[34] = '\0';
}

void cv_api_reply_text(const cv_http_req *req, cv_http_resp *resp, const char *text, size_t len)
{
    cv_api_reply_tagged(resp, text, len, req->header(req->ctx, "If-None-Match"));
}

void cv_api_reply_tagged(cv_http_resp *resp, const char *text, size_t len, const char *inm)
{
    char etag[40];
    etag_of(text, len, etag);
    if (inm && strstr(inm, etag))
        cv_http_resp_text(resp, 304, "application/json", "", 0);
    else
        cv_http_resp_text(resp, 200, "application/json", text, len);
    cv_http_resp_header(resp, "ETag", "%s", etag);
    cv_http_resp_header(resp, "Cache-Control", "private, no-cache");
}

void cv_api_reply_json(cv_http_resp *resp, int status, json_t *j)
{
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    if (!text) {
        cv_http_resp_problem(resp, 500, "out of memory");
        return;
    }
    cv_http_resp_text(resp, status, "application/json", text, strlen(text));
    free(text);
}

void cv_api_reply_error(cv_http_resp *resp, const cv_err *e)
{
    cv_http_resp_problem(resp, cv_http_status_of(e->code), e->msg);
}

/* the cache of reads ------------------------------------------------------------------------ */

/* Reads answered before, kept while the store is unchanged: the key names the caller and the
 * request, the version is SQLite's data_version, which every commit by another connection moves
 * (and every change is made on the thread pool's connections), so a hit is exactly what asking
 * again would give. Only 200s are kept. */
struct cv_api_cache {
    struct {
        char key[CACHE_KEY_MAX];
        int64_t version;
        uint64_t used;
        char *body;
        size_t len;
    } slot[CACHE_SLOTS];
    uint64_t clock;
};

int64_t cv_api_store_version(cv_api *api)
{
    cv_err e;
    int64_t v = -1;
    sqlite3_stmt *st = cv_store_prepare(api->store, "PRAGMA data_version", &e);
    if (st && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    if (st)
        sqlite3_reset(st);
    return v;
}

/* The slot holding key, or -1 (with *lru the least recently used slot). */
static int cache_find(cv_api_cache *c, const char *key, int *lru)
{
    *lru = 0;
    for (int i = 0; i < CACHE_SLOTS; i++) {
        if (c->slot[i].body && strcmp(c->slot[i].key, key) == 0)
            return i;
        if (c->slot[i].used < c->slot[*lru].used)
            *lru = i;
    }
    return -1;
}

int cv_api_cache_get(cv_api *api, const cv_http_req *req, cv_http_resp *resp, const char *key,
                     int64_t version)
{
    int lru, i = api->cache && version >= 0 ? cache_find(api->cache, key, &lru) : -1;
    if (i < 0 || api->cache->slot[i].version != version)
        return 0;
    api->cache->slot[i].used = ++api->cache->clock;
    cv_api_reply_text(req, resp, api->cache->slot[i].body, api->cache->slot[i].len);
    return 1;
}

void cv_api_cache_put(cv_api *api, const char *key, int64_t version, const cv_http_resp *resp)
{
    if (resp->status != 200 || version < 0 || strlen(key) >= CACHE_KEY_MAX)
        return;
    if (!api->cache && !(api->cache = calloc(1, sizeof *api->cache)))
        return;
    int lru, i = cache_find(api->cache, key, &lru);
    char *copy = malloc(resp->len ? resp->len : 1);
    if (!copy)
        return;
    memcpy(copy, resp->body, resp->len);
    i = i < 0 ? lru : i;
    free(api->cache->slot[i].body);
    snprintf(api->cache->slot[i].key, CACHE_KEY_MAX, "%s", key);
    api->cache->slot[i].version = version;
    api->cache->slot[i].used = ++api->cache->clock;
    api->cache->slot[i].body = copy;
    api->cache->slot[i].len = resp->len;
}

void cv_api_close(cv_api *api)
{
    if (api->cache)
        for (int i = 0; i < CACHE_SLOTS; i++)
            free(api->cache->slot[i].body);
    free(api->cache);
    api->cache = NULL;
    cv_limit_free(api->logins);
    api->logins = NULL;
    cv_session_memo_free(api->sessions);
    api->sessions = NULL;
}

/* who is calling ---------------------------------------------------------------------------- */

/* The client's address and whether TLS carried the request. Only nginx on the unix socket is
 * believed about either (X-Forwarded-For, X-Forwarded-Proto); a TCP client is its own address. */
static void where_from(const cv_http_req *req, cv_api_caller *c)
{
    const char *fwd = req->header(req->ctx, "X-Forwarded-For");
    const char *proto = req->header(req->ctx, "X-Forwarded-Proto");
    int proxied = strcmp(req->peer, "unix") == 0;
    snprintf(c->peer, sizeof c->peer, "%s", proxied && fwd ? fwd : req->peer);
    c->tls = proxied && proto && strcmp(proto, "https") == 0;
}

/* The session token in the Cookie header (either cookie name), copied into out; 0 if none. */
static int cookie_token(const cv_http_req *req, char out[CV_SESSION_TOKEN_MAX])
{
    const char *h = req->header(req->ctx, "Cookie");
    for (const char *p = h; p && *p;) {
        p += strspn(p, " ;");
        const char *name = strncmp(p, "__Host-", 7) == 0 ? p + 7 : p;
        size_t n = strcspn(p, ";");
        if (strncmp(name, "convene=", 8) == 0 && (size_t)(name + 8 - p) <= n &&
            n - (size_t)(name + 8 - p) < CV_SESSION_TOKEN_MAX) {
            size_t len = n - (size_t)(name + 8 - p);
            memcpy(out, name + 8, len);
            out[len] = '\0';
            return 1;
        }
        p += n;
    }
    return 0;
}

/* Finds the caller from an API token or a session cookie. A credential that does not check out
 * is 401, never ignored. */
static int identify(cv_api *api, const cv_http_req *req, cv_api_caller *c, cv_err *e)
{
    const char *auth = req->header(req->ctx, "Authorization");
    if (auth) {
        if (strncasecmp(auth, "Bearer ", 7) != 0)
            return cv_err_set(e, CV_EPERM, "the Authorization header must be 'Bearer TOKEN'");
        return cv_token_check(api->store, auth + 7, &c->actor, e);
    }
    if (!cookie_token(req, c->token))
        return cv_err_set(e, CV_EPERM, "sign in first (POST /api/v1/session) or send an API token");
    cv_session session;
    if (!api->sessions)
        api->sessions = cv_session_memo_new();
    if (cv_session_check(api->store, api->sessions, c->version, c->token, &session, e) < 0)
        return e->code;
    c->session = session.id;
    c->actor.kind = CV_ACTOR_ACCOUNT;
    c->actor.account_id = session.account_id;
    snprintf(c->actor.name, sizeof c->actor.name, "%s", session.login);
    snprintf(c->actor.via, sizeof c->actor.via, "http session %lld", (long long)session.id);
    return 0;
}

int cv_api_caller_of(cv_api *api, const cv_http_req *req, cv_api_caller *c, cv_err *e)
{
    where_from(req, c);
    return identify(api, req, c, e);
}

int cv_api_cross_site(const cv_http_req *req, const cv_api_caller *c)
{
    const char *site = req->header(req->ctx, "Sec-Fetch-Site");
    const char *origin = req->header(req->ctx, "Origin"), *host = req->header(req->ctx, "Host");
    if (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0)
        return 1;
    if (!origin)
        return 0;
    size_t scheme = c->tls ? 8 : 7;
    return !host || strncmp(origin, c->tls ? "https://" : "http://", scheme) != 0 ||
           strcmp(origin + scheme, host) != 0;
}

/* A change made with a session cookie must come from our own pages: same origin, and the CSRF
 * token the login gave. API tokens are not sent by browsers on their own, so they need neither. */
static int csrf_refused(const cv_http_req *req, const cv_api_caller *c, cv_http_resp *resp)
{
    static const char *const safe[] = {"GET", "HEAD", "OPTIONS"};
    for (size_t i = 0; i < sizeof safe / sizeof safe[0]; i++)
        if (strcmp(req->method, safe[i]) == 0)
            return 0;
    if (!c->session)
        return 0;
    char want[CV_SESSION_CSRF_MAX];
    const char *got = req->header(req->ctx, "X-CSRF-Token");
    cv_session_csrf(c->token, want);
    if (cv_api_cross_site(req, c))
        cv_http_resp_problem(resp, 403, "a change from another site is refused");
    else if (!got || strlen(got) != strlen(want) || sodium_memcmp(got, want, strlen(want)) != 0)
        cv_http_resp_problem(resp, 403,
                             "the X-CSRF-Token header is missing or wrong (GET /api/v1/session "
                             "gives it)");
    else
        return 0;
    return 1;
}

int cv_api_upload_allowed(cv_api *api, const cv_http_req *req, int page, cv_http_resp *resp)
{
    cv_api_caller c = {0};
    cv_err e;
    where_from(req, &c);
    c.version = cv_api_store_version(api);
    if (identify(api, req, &c, &e) < 0) {
        if (page) {
            cv_http_resp_text(resp, 303, "text/plain; charset=utf-8", "", 0);
            cv_http_resp_header(resp, "Location", "/login");
        } else {
            cv_http_resp_problem(resp, 401, e.msg);
            cv_http_resp_header(resp, "WWW-Authenticate", "Bearer realm=\"convene\"");
        }
        return -1;
    }
    if (page && c.session && cv_api_cross_site(req, &c)) {
        cv_http_resp_problem(resp, 403, "a change from another site is refused");
        return -1;
    }
    return !page && csrf_refused(req, &c, resp) ? -1 : 0;
}

/* events ------------------------------------------------------------------------------------ */

/* What the caller may see of the journal: everything for an admin, else the subtrees of its
 * current grants (its own organisation alone for a secretary). */
static int scope_of(cv_api *api, const cv_actor *a, cv_http_scope *scope, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(api->store,
                                        "SELECT role, coalesce(org_id, 0) FROM grants "
                                        "WHERE account_id = ?1 AND (ends IS NULL OR ends > ?2) "
                                        "ORDER BY id",
                                        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, a->account_id);
    sqlite3_bind_int64(st, 2, cv_clock_real());
    while (sqlite3_step(st) == SQLITE_ROW && scope->n < CV_HTTP_SCOPE_MAX) {
        const char *role = (const char *)sqlite3_column_text(st, 0);
        if (strcmp(role, "admin") == 0)
            scope->all = 1;
        scope->grants[scope->n].org_id = sqlite3_column_int64(st, 1);
        scope->grants[scope->n++].own_only = strcmp(role, "secretary") == 0;
    }
    sqlite3_reset(st);
    return 0;
}

/* GET /api/v1/events: the journal the caller may see as Server-Sent Events, from the event after
 * Last-Event-ID (or the last_event_id query argument, for a first connection), else from now. */
static void route_events(cv_api *api, const cv_http_req *req, cv_http_resp *resp,
                         const cv_api_caller *c)
{
    const char *last = req->header(req->ctx, "Last-Event-ID");
    cv_err e;
    if (!last)
        last = req->query(req->ctx, "last_event_id");
    if (last) {
        char *end;
        long long v = strtoll(last, &end, 10);
        if (!*last || *end || v < 0) {
            cv_http_resp_problem(resp, 400, "Last-Event-ID must be an event id (a whole number)");
            return;
        }
        resp->stream_after = v;
    } else if (cv_journal_last_id(api->store, &resp->stream_after, &e) < 0) {
        cv_api_reply_error(resp, &e);
        return;
    }
    if (scope_of(api, &c->actor, &resp->scope, &e) < 0) {
        cv_api_reply_error(resp, &e);
        return;
    }
    resp->stream = 1;
}

/* reports ----------------------------------------------------------------------------------- */

/* A report rendered on the thread pool with a connection of its own. */
typedef struct report_job {
    char db_path[CV_API_PATH_MAX];
    const cv_report_producer *prod;
    char org[64], format[16], arg[24]; /* arg: the producer's own (an election's id), or "" */
} report_job;

static const char *content_type_of(const char *format)
{
    static const struct {
        const char *format, *type;
    } types[] = {
        {"json", "application/json"},
        {"csv", "text/csv; charset=utf-8"},
        {"html", "text/html; charset=utf-8"},
        {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        {"text", "text/plain; charset=utf-8"},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(types[i].format, format) == 0)
            return types[i].type;
    return "application/octet-stream";
}

/* Reads the file at path (at most REPORT_MAX bytes) into resp as a 200. */
static int read_into(const char *path, cv_http_resp *resp, cv_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return cv_err_set(e, CV_EIO, "cannot read the rendered report");
    char *buf = malloc(REPORT_MAX);
    size_t n = buf ? fread(buf, 1, REPORT_MAX, f) : 0;
    int more = buf && fgetc(f) != EOF;
    fclose(f);
    if (!buf || more) {
        free(buf);
        return cv_err_set(e, CV_ELIMIT, "the report is larger than %d bytes", REPORT_MAX);
    }
    free(resp->body);
    resp->status = 200;
    resp->body = buf;
    resp->len = n;
    return 0;
}

static void run_report(void *arg, cv_http_resp *resp)
{
    report_job *job = arg;
    cv_store *s = NULL;
    json_t *doc = NULL;
    cv_err e;
    char tmp[CV_PATH_TEMP_MAX];
    int fd = cv_path_temp_file(tmp, sizeof tmp, "convene-report");
    int rc = fd < 0 ? cv_err_set(&e, CV_EIO, "cannot create a temporary file for the report")
                    : cv_store_open(job->db_path, 0, &s, &e);
    if (fd >= 0)
        close(fd);
    if (rc == 0)
        rc =
            job->prod->build(s, *job->org ? job->org : NULL, *job->arg ? job->arg : NULL, &doc, &e);
    if (rc == 0)
        rc = cv_report_render(s, doc, job->format, tmp, &e);
    if (rc == 0)
        rc = read_into(tmp, resp, &e);
    if (rc == 0)
        resp->content_type = content_type_of(job->format);
    else
        cv_api_reply_error(resp, &e);
    if (fd >= 0)
        unlink(tmp);
    json_decref(doc);
    cv_store_close(s);
    free(job);
}

/* May the caller read org's reports? A viewer's right over org (any right at all); reports over
 * the whole store are an admin's. */
static int report_permitted(cv_api *api, const cv_api_caller *c, const char *org, cv_err *e)
{
    int64_t org_id = 0;
    json_t *args = json_pack("{s:s}", "org", org);
    int rc = *org ? cv_ops_resolve(api->store, CV_AT_ORG, "org", args, &org_id, e) : 0;
    json_decref(args);
    if (rc == 0)
        rc = cv_ops_permit(api->store, &c->actor, *org ? CV_ROLES_ALL : CV_ROLE_ADMIN, org_id,
                           "report", e);
    return rc;
}

/* /api/v1/reports/NAME[/ORG]?format=F[&arg=A] (arg: the minutes' election, which the producer
 * refuses unless it is ORG's) */
static void route_report(cv_api *api, const cv_http_req *req, cv_http_resp *resp,
                         const cv_api_caller *c, const char *rest)
{
    char name[32];
    cv_err e;
    const char *slash = strchr(rest, '/'), *org = slash ? slash + 1 : "";
    size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
    const char *format = req->query(req->ctx, "format"), *arg = req->query(req->ctx, "arg");
    const cv_report_producer *prod = NULL;
    if (n < sizeof name) {
        memcpy(name, rest, n);
        name[n] = '\0';
        prod = cv_report_find(name);
    }
    if (!prod) {
        cv_http_resp_problem(resp, 404, "no report by that name (GET /api/v1/reports lists them)");
        return;
    }
    if (report_permitted(api, c, org, &e) < 0) {
        cv_api_reply_error(resp, &e);
        return;
    }
    report_job *job = calloc(1, sizeof *job);
    format = format ? format : "json";
    arg = arg ? arg : "";
    if (!job || strlen(org) >= sizeof job->org || strlen(format) >= sizeof job->format ||
        strlen(arg) >= sizeof job->arg || strlen(api->db_path) >= sizeof job->db_path) {
        free(job);
        cv_http_resp_problem(resp, 422, "the organisation code or format is too long");
        return;
    }
    strcpy(job->db_path, api->db_path);
    strcpy(job->org, org);
    strcpy(job->format, format);
    strcpy(job->arg, arg);
    job->prod = prod;
    resp->work = run_report;
    resp->work_arg = job;
}

static void route_report_list(cv_http_resp *resp)
{
    json_t *list = json_array();
    for (const cv_report_producer *p = cv_report_producers; p->name; p++)
        json_array_append_new(
            list, json_pack("{s:s, s:s}", "name", p->name, "description", p->description));
    cv_api_reply_json(resp, 200, json_pack("{s:o}", "items", list));
}

/* routing ----------------------------------------------------------------------------------- */

static void route_openapi(const cv_http_req *req, cv_http_resp *resp)
{
    json_t *doc = cv_api_openapi();
    char *text = doc ? json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(doc);
    if (text)
        cv_api_reply_text(req, resp, text, strlen(text));
    else
        cv_http_resp_problem(resp, 500, "out of memory");
    free(text);
}

/* The routes that need a signed-in caller. */
static void route_signed_in(cv_api *api, const cv_http_req *req, cv_http_resp *resp,
                            const cv_api_caller *c, const char *p)
{
    int get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
    int fixed = strcmp(p, "events") == 0 || strncmp(p, "reports", 7) == 0;
    if (fixed && !get) {
        cv_http_resp_problem(resp, 405, "this resource is read with GET");
        cv_http_resp_header(resp, "Allow", "GET, HEAD");
    } else if (strcmp(p, "events") == 0)
        route_events(api, req, resp, c);
    else if (strcmp(p, "reports") == 0)
        route_report_list(resp);
    else if (strncmp(p, "reports/", 8) == 0)
        route_report(api, req, resp, c, p + 8);
    else if (!cv_api_ops_route(api, req, resp, c, p))
        cv_http_resp_problem(resp, 404, "no such resource (GET /api/v1/openapi.json lists them)");
}

void cv_api_handle(cv_api *api, const cv_http_req *req, cv_http_resp *resp)
{
    cv_api_caller c = {0};
    cv_err e;
    const char *p = req->path;
    if (strncmp(p, "/api/v1/", 8) != 0) {
        cv_http_resp_problem(resp, 404, "no such resource; the API lives under /api/v1/");
        return;
    }
    p += 8;
    where_from(req, &c);
    c.version = cv_api_store_version(api);
    if (strcmp(p, "openapi.json") == 0) {
        route_openapi(req, resp);
        return;
    }
    int login = strcmp(p, "session") == 0 && strcmp(req->method, "POST") == 0;
    if (!login && identify(api, req, &c, &e) < 0) {
        cv_http_resp_problem(resp, 401, e.msg);
        cv_http_resp_header(resp, "WWW-Authenticate", "Bearer realm=\"convene\"");
        return;
    }
    if (login || strcmp(p, "session") == 0) {
        if (login || !csrf_refused(req, &c, resp))
            cv_api_session_route(api, req, resp, &c);
        return;
    }
    if (!csrf_refused(req, &c, resp))
        route_signed_in(api, req, resp, &c, p);
}
