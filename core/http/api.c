/* api.c: the routes of /api/v1. Each route checks its method, reads its arguments, and answers
 * JSON; errors are problems carrying the CLI's own message. Reads carry an ETag so a client that
 * already holds the same bytes gets 304. */
#include "http/api.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "docs/file.h"
#include "domain/status.h"
#include "report/report.h"
#include "store/journal.h"

#define API_BODY_MAX  (64 * 1024)
#define CACHE_SLOTS   64
#define CACHE_KEY_MAX 512
#define REPORT_MAX    (64 * 1024 * 1024)

size_t cv_api_body_max(const char *path)
{
    return strncmp(path, "/api/v1/documents", 17) == 0 ? CV_FILE_MAX : API_BODY_MAX;
}

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

/* Answers JSON text as 200 with an ETag, or 304 when If-None-Match names the same. */
static void reply_text(const cv_http_req *req, cv_http_resp *resp, const char *text, size_t len)
{
    char etag[40];
    etag_of(text, len, etag);
    const char *inm = req->header(req->ctx, "If-None-Match");
    if (inm && strstr(inm, etag))
        cv_http_resp_text(resp, 304, "application/json", "", 0);
    else
        cv_http_resp_text(resp, 200, "application/json", text, len);
    cv_http_resp_header(resp, "ETag", "%s", etag);
    cv_http_resp_header(resp, "Cache-Control", "private, no-cache");
}

/* Answers j (stolen) as reply_text does. */
static void reply_json(const cv_http_req *req, cv_http_resp *resp, json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    if (!text) {
        cv_http_resp_problem(resp, 500, "out of memory");
        return;
    }
    reply_text(req, resp, text, strlen(text));
    free(text);
}

static void reply_error(cv_http_resp *resp, const cv_err *e)
{
    cv_http_resp_problem(resp, cv_http_status_of(e->code), e->msg);
}

/* Reads answered before, kept while the store is unchanged: the key is the request (method,
 * path, query) and the version is SQLite's data_version (moved by other connections' commits)
 * with the API's own writes, so a hit is exactly what computing again would give. */
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

static int64_t store_version(cv_api *api)
{
    cv_err e;
    int64_t v = -1;
    sqlite3_stmt *st = cv_store_prepare(api->store, "PRAGMA data_version", &e);
    if (st && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0) * 1000003 + api->writes;
    if (st)
        sqlite3_reset(st);
    return v;
}

/* The slot for key: its own when cached at version (*hit set), else the least recently used. */
static int cache_slot(cv_api *api, const char *key, int64_t version, int *hit)
{
    cv_api_cache *c = api->cache;
    int lru = 0;
    *hit = 0;
    for (int i = 0; i < CACHE_SLOTS; i++) {
        if (c->slot[i].body && strcmp(c->slot[i].key, key) == 0) {
            *hit = c->slot[i].version == version;
            return i;
        }
        if (c->slot[i].used < c->slot[lru].used)
            lru = i;
    }
    return lru;
}

/* Answers a read from the cache, or by build(api, req, arg, &json) and keeps the answer. */
static void cached_read(cv_api *api, const cv_http_req *req, cv_http_resp *resp, const char *key,
                        int (*build)(cv_api *, const cv_http_req *, const char *, json_t **,
                                     cv_err *),
                        const char *arg)
{
    int hit = 0, i = -1;
    int64_t version = store_version(api);
    if (!api->cache)
        api->cache = calloc(1, sizeof *api->cache);
    if (api->cache && version >= 0 && strlen(key) < CACHE_KEY_MAX)
        i = cache_slot(api, key, version, &hit);
    if (hit) {
        api->cache->slot[i].used = ++api->cache->clock;
        reply_text(req, resp, api->cache->slot[i].body, api->cache->slot[i].len);
        return;
    }
    json_t *out = NULL;
    cv_err e;
    if (build(api, req, arg, &out, &e) < 0) {
        reply_error(resp, &e);
        return;
    }
    reply_json(req, resp, out);
    if (i < 0 || resp->status != 200)
        return;
    char *copy = malloc(resp->len ? resp->len : 1);
    if (!copy)
        return;
    memcpy(copy, resp->body, resp->len);
    free(api->cache->slot[i].body);
    snprintf(api->cache->slot[i].key, CACHE_KEY_MAX, "%s", key);
    api->cache->slot[i].version = version;
    api->cache->slot[i].used = ++api->cache->clock;
    api->cache->slot[i].body = copy;
    api->cache->slot[i].len = resp->len;
}

void cv_api_close(cv_api *api)
{
    if (!api->cache)
        return;
    for (int i = 0; i < CACHE_SLOTS; i++)
        free(api->cache->slot[i].body);
    free(api->cache);
    api->cache = NULL;
}

static int build_status(cv_api *api, const cv_http_req *req, const char *org, json_t **out,
                        cv_err *e)
{
    return cv_status_report(api->store, *org ? org : NULL, req->query(req->ctx, "term"), out, e);
}

static void route_status(cv_api *api, const cv_http_req *req, cv_http_resp *resp, const char *org)
{
    char key[CACHE_KEY_MAX], today[11];
    const char *term = req->query(req->ctx, "term");
    cv_clock_today(today); /* lateness is counted against today */
    snprintf(key, sizeof key, "status %s\n%s\n%s", org, term ? term : "", today);
    cached_read(api, req, resp, key, build_status, org);
}

/* A report rendered on the thread pool with a connection of its own. */
typedef struct report_job {
    char db_path[4096];
    const cv_report_producer *prod;
    char org[64], format[16];
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
    char tmp[] = "/tmp/convene-report-XXXXXX";
    int fd = mkstemp(tmp);
    int rc = fd < 0 ? cv_err_set(&e, CV_EIO, "cannot create a temporary file for the report")
                    : cv_store_open(job->db_path, 0, &s, &e);
    if (fd >= 0)
        close(fd);
    if (rc == 0)
        rc = job->prod->build(s, *job->org ? job->org : NULL, NULL, &doc, &e);
    if (rc == 0)
        rc = cv_report_render(s, doc, job->format, tmp, &e);
    if (rc == 0)
        rc = read_into(tmp, resp, &e);
    if (rc == 0)
        resp->content_type = content_type_of(job->format);
    else
        reply_error(resp, &e);
    if (fd >= 0)
        unlink(tmp);
    json_decref(doc);
    cv_store_close(s);
    free(job);
}

/* /api/v1/reports/NAME[/ORG]?format=F */
static void route_report(cv_api *api, const cv_http_req *req, cv_http_resp *resp, const char *rest)
{
    char name[32];
    const char *slash = strchr(rest, '/'), *org = slash ? slash + 1 : "";
    size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
    const char *format = req->query(req->ctx, "format");
    if (!format)
        format = "json";
    const cv_report_producer *prod = NULL;
    if (n < sizeof name) {
        memcpy(name, rest, n);
        name[n] = '\0';
        prod = cv_report_find(name);
    }
    if (!prod) {
        cv_http_resp_problem(resp, 404, "no report by that name (see /api/v1/reports)");
        return;
    }
    report_job *job = calloc(1, sizeof *job);
    if (!job || strlen(org) >= sizeof job->org || strlen(format) >= sizeof job->format ||
        strlen(api->db_path) >= sizeof job->db_path) {
        free(job);
        cv_http_resp_problem(resp, 422, "the organisation code or format is too long");
        return;
    }
    strcpy(job->db_path, api->db_path);
    strcpy(job->org, org);
    strcpy(job->format, format);
    job->prod = prod;
    resp->work = run_report;
    resp->work_arg = job;
}

static void route_report_list(const cv_http_req *req, cv_http_resp *resp)
{
    json_t *list = json_array();
    for (const cv_report_producer *p = cv_report_producers; p->name; p++)
        json_array_append_new(
            list, json_pack("{s:s, s:s}", "name", p->name, "description", p->description));
    reply_json(req, resp, json_pack("{s:o}", "items", list));
}

/* GET /api/v1/events: the journal as Server-Sent Events, from the event after Last-Event-ID (or
 * the last_event_id query argument, for a first connection), else from now on. */
static void route_events(cv_api *api, const cv_http_req *req, cv_http_resp *resp)
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
        reply_error(resp, &e);
        return;
    }
    resp->stream = 1;
    resp->scope.all = 1;
}

void cv_api_handle(cv_api *api, const cv_http_req *req, cv_http_resp *resp)
{
    const char *p = req->path;
    int get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
    if (strncmp(p, "/api/v1/", 8) != 0) {
        cv_http_resp_problem(resp, 404, "no such resource; the API lives under /api/v1/");
        return;
    }
    p += 8;
    if (!get && (strncmp(p, "status", 6) == 0 || strncmp(p, "reports", 7) == 0 ||
                 strcmp(p, "events") == 0)) {
        cv_http_resp_problem(resp, 405, "this resource is read with GET");
        cv_http_resp_header(resp, "Allow", "GET, HEAD");
    } else if (strncmp(p, "status/", 7) == 0)
        route_status(api, req, resp, p + 7);
    else if (strcmp(p, "status") == 0)
        route_status(api, req, resp, "");
    else if (strcmp(p, "events") == 0)
        route_events(api, req, resp);
    else if (strcmp(p, "reports") == 0)
        route_report_list(req, resp);
    else if (strncmp(p, "reports/", 8) == 0)
        route_report(api, req, resp, p + 8);
    else
        cv_http_resp_problem(resp, 404, "no such resource");
}
