/* fuzz_http.c: libFuzzer target for the request path of the HTTP API (core/http/api.c): any
 * method, path, query arguments, headers and body reach cv_api_handle, and any work it hands to
 * the thread pool is run too. Every answer must be a well-formed response: a status in 100..599,
 * a body that matches its length, and a problem whose detail is JSON when it is an error. The
 * input is "METHOD\nPATH\nk=v&k=v\nName: value\n...\n\nBODY"; one starting with '!' also carries
 * an admin's API token, so the routes behind the login are reached too. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "auth/account.h"
#include "auth/grant.h"
#include "auth/token.h"
#include "http/api.h"

#define PAIRS_MAX 16

typedef struct parsed {
    int nh, nq;
    const char *hn[PAIRS_MAX], *hv[PAIRS_MAX], *qn[PAIRS_MAX], *qv[PAIRS_MAX];
} parsed;

static cv_store *store;
static char bearer[CV_TOKEN_TEXT_MAX + 8];
static cv_api api;
static char db_path[] = "/tmp/convene-fuzz-http-XXXXXX";

static const char *lookup(const char *const *names, const char *const *values, int n,
                          const char *name, int nocase)
{
    for (int i = 0; i < n; i++)
        if ((nocase ? strcasecmp(names[i], name) : strcmp(names[i], name)) == 0)
            return values[i];
    return NULL;
}

static const char *header_of(void *ctx, const char *name)
{
    parsed *p = ctx;
    return lookup(p->hn, p->hv, p->nh, name, 1);
}

static const char *query_of(void *ctx, const char *name)
{
    parsed *p = ctx;
    return lookup(p->qn, p->qv, p->nq, name, 0);
}

/* Cuts s at the first c, returning what follows (NULL when c is absent). */
static char *cut(char *s, char c)
{
    char *at = s ? strchr(s, c) : NULL;
    if (!at)
        return NULL;
    *at = '\0';
    return at + 1;
}

static void parse_query(parsed *p, char *q)
{
    while (q && *q && p->nq < PAIRS_MAX) {
        char *next = cut(q, '&'), *v = cut(q, '=');
        p->qn[p->nq] = q;
        p->qv[p->nq++] = v ? v : "";
        q = next;
    }
}

/* Headers up to an empty line; returns the body. */
static char *parse_headers(parsed *p, char *h)
{
    while (h && *h && p->nh < PAIRS_MAX) {
        char *next = cut(h, '\n'), *v = strstr(h, ": ");
        if (v) {
            *v = '\0';
            p->hn[p->nh] = h;
            p->hv[p->nh++] = v + 2;
        }
        h = next;
    }
    return h && *h == '\0' ? h + 1 : h;
}

static void cleanup(void)
{
    cv_api_close(&api);
    cv_store_close(store);
    unlink(db_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    cv_err e;
    int fd = mkstemp(db_path);
    if (fd < 0)
        abort();
    close(fd);
    unlink(db_path);
    if (cv_store_open(db_path, CV_STORE_CREATE, &store, &e) < 0 ||
        sqlite3_exec(
            cv_store_db(store),
            "INSERT INTO orgs(code, name, level) VALUES ('LS', 'Tỉnh Lạng Sơn', 'province')", NULL,
            NULL, NULL) != SQLITE_OK)
        abort();
    api.store = store;
    api.db_path = db_path;
    cv_actor admin = {.kind = CV_ACTOR_ACCOUNT};
    snprintf(admin.name, sizeof admin.name, "fuzz");
    cv_store_set_actor(store, &admin);
    int64_t id;
    char token[CV_TOKEN_TEXT_MAX];
    if (cv_store_begin(store, &e) < 0 || cv_account_add(store, "fuzz", "Fuzz", "", &id, &e) < 0 ||
        cv_grant_add(store, id, CV_ROLE_ADMIN, 0, NULL, &e) < 0 ||
        cv_token_add(store, id, "fuzz", 0, token, NULL, &e) < 0 || cv_store_commit(store, &e) < 0)
        abort();
    snprintf(bearer, sizeof bearer, "Bearer %s", token);
    atexit(cleanup);
    return 0;
}

static void check(const cv_http_resp *r)
{
    if (r->status < 100 || r->status > 599 || (r->len && !r->body))
        abort();
    if (r->status >= 400 && r->content_type &&
        strcmp(r->content_type, "application/problem+json") == 0) {
        json_t *j = json_loadb(r->body, r->len, 0, NULL);
        if (!j || json_integer_value(json_object_get(j, "status")) != r->status)
            abort();
        json_decref(j);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    parsed p = {0};
    char *path = cut(s, '\n'), *query = cut(path, '\n'), *headers = cut(query, '\n');
    parse_query(&p, query);
    char *body = parse_headers(&p, headers);
    if (size && data[0] == '!' && p.nh < PAIRS_MAX) {
        p.hn[p.nh] = "Authorization";
        p.hv[p.nh++] = bearer;
    }
    cv_http_req req = {.method = s,
                       .path = path ? path : "/",
                       .header = header_of,
                       .query = query_of,
                       .ctx = &p,
                       .body = body,
                       .body_len = body ? size - (size_t)(body - s) : 0,
                       .peer = "127.0.0.1"};
    cv_http_resp resp = {0};
    cv_api_handle(&api, &req, &resp);
    /* A login's argon2 hash is too slow to fuzz: it is counted as failed without hashing. */
    if (resp.work && !strstr(req.path, "session"))
        resp.work(resp.work_arg, &resp);
    if (resp.after)
        resp.after(resp.work_arg, &resp);
    if (!resp.stream)
        check(&resp);
    cv_http_resp_clear(&resp);
    free(s);
    return 0;
}
