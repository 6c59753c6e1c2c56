/* routes.c: the pages' paths (see routes.h).
 *   GET  /                      the home page of the reader's scope
 *   GET  /org/CODE              drill-down: the home page of CODE's subtree
 *   GET  /congress/CODE         the congress page
 *   GET  /congress/CODE/held    the secretary's form; POST records it (303 back to the congress,
 *                               or 422 with the form, the message beside its field, as typed)
 *   GET  /congress/CODE/FORM    a form over an operation (opforms.c: plan, change, work-add,
 *                               work-assign?id=N, work-done?id=N, ...); POST runs it, as held
 *   GET  /congress/CODE/file?doc=ID&version=N   a document version's file (doc.get)
 *   GET  /static/NAME           app.css, app.js
 *   GET  /login, POST /login    the login form (the API's own login: limits, journal, session)
 *   POST /logout
 *   GET  /admin, POST /admin    the administration page and its forms (admin_routes.c), and
 *   GET  /admin/audit.csv|xlsx  the audit's exports
 *   POST /language              the reader's own language
 * Every other page needs a session (else 303 to /login) and a grant over the organisation it
 * shows (cv_ops_permit, the operations layer's one check); a form also needs the session's
 * CSRF token and a same-site request. The language is ?lang=vi|en, else the account's own
 * (account.language), else the cookie ?lang= left (before a login), else Vietnamese; the
 * domain's refusals are given in it too (cv_i18n_use on the thread that does the work). */
#include "base/path.h"
#include "web/routes.h"
#include "web/routes_int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/account.h"
#include "auth/grant.h"
#include "base/text.h"
#include "domain/org.h"
#include "http/api_int.h"
#include "ops/ops.h"
#include "web/web.h"

#define N_(msgid) msgid /* marked for the catalogue (xgettext), translated where used */

#define STATIC_MAX (256 * 1024)

static void reply_page(cv_http_resp *resp, int status, cv_html *h)
{
    size_t len = 0;
    char *text = cv_html_take(h, &len);
    if (!text) {
        cv_http_resp_problem(resp, 500, "out of memory rendering the page");
        return;
    }
    free(resp->body);
    resp->status = status;
    resp->content_type = "text/html; charset=utf-8";
    resp->body = text;
    resp->len = len;
    cv_http_resp_header(resp, "Cache-Control", "no-store");
    cv_http_resp_header(resp, "Content-Security-Policy",
                        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
    cv_http_resp_header(resp, "X-Content-Type-Options", "nosniff");
}

/* The HTTP status of a refusal: 403 for a permission, else the API's mapping. */
static int status_of(int code)
{
    return code == CV_EPERM ? 403 : cv_http_status_of(code);
}

static void reply_message(const cv_web_req *r, cv_http_resp *resp, int status, const char *msg)
{
    cv_html h = {0};
    char title[16];
    snprintf(title, sizeof title, "%d", status);
    cv_web_message(r, title, msg, &h);
    reply_page(resp, status, &h);
}

static const char *web_dir(void)
{
    const char *env = getenv("CONVENE_WEB_DIR");
    if (env && *env)
        return env;
    FILE *probe = fopen(CONVENE_BUILD_WEB_DIR "/app.css", "rb");
    if (probe) {
        fclose(probe);
        return CONVENE_BUILD_WEB_DIR;
    }
    return CONVENE_INSTALL_WEB_DIR;
}

/* Serves web/static/NAME for the two names the pages use. */
static void route_static(cv_http_resp *resp, const char *name)
{
    const char *type = strcmp(name, "app.css") == 0  ? "text/css; charset=utf-8"
                       : strcmp(name, "app.js") == 0 ? "text/javascript; charset=utf-8"
                                                     : NULL;
    char path[4096];
    if (!type || (size_t)snprintf(path, sizeof path, "%s/%s", web_dir(), name) >= sizeof path) {
        cv_http_resp_problem(resp, 404, "no such file");
        return;
    }
    FILE *f = fopen(path, "rb");
    char *buf = f ? malloc(STATIC_MAX) : NULL;
    size_t n = buf ? fread(buf, 1, STATIC_MAX, f) : 0;
    if (f)
        fclose(f);
    if (!buf || n == STATIC_MAX) {
        free(buf);
        cv_http_resp_problem(resp, 404, "no such file");
        return;
    }
    cv_http_resp_text(resp, 200, type, buf, n);
    free(buf);
    cv_http_resp_header(resp, "Cache-Control", "public, max-age=300");
}

/* The first root organisation: the scope of a reader whose grants are not known here. */
static int first_root(const cv_org *o, int depth, void *ctx)
{
    (void)depth;
    char *code = ctx;
    if (!*code)
        snprintf(code, CV_CODE_MAX, "%s", o->code);
    return 0;
}

static int hex(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Decodes one application/x-www-form-urlencoded component of n bytes into out[cap]; refuses a
 * broken %XX, a NUL and what does not fit. */
static int decode(const char *in, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (i + 2 >= n)
                return -1;
            int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (o + 1 >= cap || c == '\0')
            return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    return 0;
}

/* Splits body into f's names and values, decoded into buf[cap]. */
static int parse_form(const char *body, size_t len, cv_web_form *f, char *buf, size_t cap)
{
    size_t used = 0;
    int n = 0;
    const char *p = body, *end = body + len;
    while (p < end && n < CV_WEB_FIELDS) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        if (eq) {
            char *name = buf + used;
            if (decode(p, (size_t)(eq - p), name, cap - used) < 0)
                return -1;
            used += strlen(name) + 1;
            char *value = buf + used;
            if (decode(eq + 1, (size_t)(stop - eq - 1), value, cap - used) < 0)
                return -1;
            used += strlen(value) + 1;
            f->names[n] = name;
            f->values[n] = value;
            n++;
        }
        p = stop + 1;
    }
    return 0;
}

/* A document version's file, read on the thread pool through doc.get as the reader. */
typedef struct file_job {
    char db_path[CV_API_PATH_MAX];
    cv_actor actor;
    cv_lang lang;
    int64_t doc, version;
} file_job;

#define FILE_MAX (50 << 20) /* the store keeps files up to 50 MiB */

static void file_work(void *arg, cv_http_resp *resp)
{
    file_job *job = arg;
    cv_store *s = NULL;
    cv_err e;
    char tmp[CV_PATH_TEMP_MAX];
    int fd = cv_path_temp_file(tmp, sizeof tmp, "convene-file");
    if (fd >= 0)
        close(fd);
    json_t *args = json_pack("{s:I, s:s}", "id", (json_int_t)job->doc, "output", tmp);
    if (job->version > 0)
        json_object_set_new(args, "version", json_integer(job->version));
    int rc = fd < 0 ? cv_err_set(&e, CV_EIO, "cannot create a temporary file")
                    : cv_api_open_store(job->db_path, &job->actor, &s, &e);
    if (rc == 0)
        rc = cv_ops_call(s, &job->actor, "doc.get", args, NULL, &e);
    FILE *f = rc == 0 ? fopen(tmp, "rb") : NULL;
    char *buf = f ? malloc(FILE_MAX) : NULL;
    size_t n = buf ? fread(buf, 1, FILE_MAX, f) : 0;
    if (rc == 0 && (!buf || n == FILE_MAX))
        rc = cv_err_set(&e, CV_ELIMIT, "the file cannot be read");
    if (rc == 0) {
        cv_http_resp_text(resp, 200, "application/octet-stream", buf, n);
        cv_http_resp_header(resp, "Content-Disposition",
                            "attachment; filename=\"document-%lld-v%lld\"", (long long)job->doc,
                            (long long)job->version);
        cv_http_resp_header(resp, "X-Content-Type-Options", "nosniff");
    } else {
        cv_web_req r = {.lang = job->lang};
        reply_message(&r, resp, status_of(e.code), e.msg);
    }
    free(buf);
    if (f)
        fclose(f);
    if (fd >= 0)
        unlink(tmp);
    json_decref(args);
    cv_store_close(s);
    free(job);
}

static void route_file(cv_api *api, const cv_web_req *r, const cv_api_caller *c,
                       const cv_http_req *req, cv_http_resp *resp)
{
    const char *doc = req->query(req->ctx, "doc"), *version = req->query(req->ctx, "version");
    file_job *job = calloc(1, sizeof *job);
    cv_err e;
    if (!job || strlen(api->db_path) >= sizeof job->db_path || !doc ||
        cv_text_count(doc, &job->doc, "doc", &e) < 0 ||
        (version && cv_text_count(version, &job->version, "version", &e) < 0)) {
        free(job);
        reply_message(r, resp, 400, cv_tr(r->lang, "There is no such page."));
        return;
    }
    snprintf(job->db_path, sizeof job->db_path, "%s", api->db_path);
    job->actor = c->actor;
    job->lang = r->lang;
    resp->work = file_work;
    resp->work_arg = job;
}

/* 303 to path. */
static void redirect(cv_http_resp *resp, const char *path)
{
    cv_http_resp_text(resp, 303, "text/plain; charset=utf-8", "", 0);
    cv_http_resp_header(resp, "Location", "%s", path);
}

/* Changes made by the pages' own forms on the loop's connection, which SQLite's data_version
 * (moved only by other connections) does not count. */
static int64_t page_writes;

/* The form's csrf field is the session's CSRF token. */
static int csrf_ok(const cv_web_req *r, const cv_web_form *f)
{
    const char *got = cv_web_form_get(f, "csrf");
    size_t n = strlen(r->csrf);
    return n > 0 && strlen(got) == n && sodium_memcmp(got, r->csrf, n) == 0;
}

void cv_web_reply_page(cv_http_resp *resp, int status, cv_html *h)
{
    reply_page(resp, status, h);
}

void cv_web_reply_message(const cv_web_req *r, cv_http_resp *resp, int status, const char *msg)
{
    reply_message(r, resp, status, msg);
}

int cv_web_read_form(const cv_web_req *r, const cv_http_req *req, cv_web_form *f, char *buf,
                     size_t cap, cv_http_resp *resp)
{
    if (req->body_len > CV_WEB_FORM_MAX ||
        parse_form(req->body ? req->body : "", req->body_len, f, buf, cap) < 0) {
        reply_message(r, resp, 400, cv_tr(r->lang, "The form could not be read."));
        return 0;
    }
    if (!csrf_ok(r, f)) {
        reply_message(r, resp, 403, cv_tr(r->lang, "This form has expired; open it again."));
        return 0;
    }
    return 1;
}

void cv_web_wrote(void)
{
    page_writes++;
}

static void route_held(const cv_web_req *r, const cv_actor *actor, const cv_http_req *req,
                       cv_http_resp *resp, const char *org)
{
    cv_html h = {0};
    cv_err e;
    if (strcmp(req->method, "POST") != 0) {
        if (cv_web_held_form(r, org, NULL, &h, &e) < 0) {
            cv_html_free(&h);
            reply_message(r, resp, status_of(e.code), e.msg);
        } else {
            reply_page(resp, 200, &h);
        }
        return;
    }
    cv_web_form f = {0};
    char buf[CV_WEB_FORM_MAX * 2], msg[512];
    if (req->body_len > CV_WEB_FORM_MAX ||
        parse_form(req->body ? req->body : "", req->body_len, &f, buf, sizeof buf) < 0) {
        reply_message(r, resp, 400, cv_tr(r->lang, "The form could not be read."));
        return;
    }
    if (!csrf_ok(r, &f)) {
        reply_message(r, resp, 403, cv_tr(r->lang, "This form has expired; open it again."));
        return;
    }
    int rc = cv_web_held_submit(r->store, actor, r->lang, org, &f, msg, sizeof msg);
    page_writes++; /* a refusal may have written half: nothing kept is trusted */
    if (rc == 0) {
        cv_http_resp_text(resp, 303, "text/plain; charset=utf-8", "", 0);
        cv_http_resp_header(resp, "Location", "/congress/%s", org);
        return;
    }
    if (cv_web_held_form(r, org, &f, &h, &e) < 0) {
        cv_html_free(&h);
        reply_message(r, resp, status_of(e.code), e.msg);
        return;
    }
    reply_page(resp, 422, &h);
}

/* GET: the form (a form about one work item or election takes ?id=); POST: runs it, then 303
 * back to the congress, or 422 with the form as typed and the refusal beside its field. */
static void route_opform(const cv_web_req *r, const cv_actor *actor, const cv_http_req *req,
                         cv_http_resp *resp, const char *org, const cv_web_opform *o)
{
    cv_html h = {0};
    cv_err e;
    cv_web_form f = {0};
    char buf[CV_WEB_FORM_MAX * 2], msg[512];
    const char *name;
    int post = strcmp(req->method, "POST") == 0;
    int fields = !post || req->file; /* a GET's query, or a multipart body (http/upload.c) */
    if (!fields &&
        (req->body_len > CV_WEB_FORM_MAX ||
         parse_form(req->body ? req->body : "", req->body_len, &f, buf, sizeof buf) < 0)) {
        reply_message(r, resp, 400, cv_tr(r->lang, "The form could not be read."));
        return;
    }
    /* A GET fills the form from the query (a link names the work item, election or round); a
     * multipart body's fields come the same way, and its file, kept by the server, as the one
     * upload (an empty file part is no file). */
    int i = 0;
    for (; fields && (name = cv_web_opform_field(o, i)) != NULL; i++) {
        const char *v = req->query(req->ctx, name), *path;
        struct stat st;
        f.names[i] = name;
        f.values[i] = v ? v : "";
        path = req->file ? req->file(req->ctx, name) : NULL;
        if (path && stat(path, &st) == 0 && st.st_size > 0) {
            f.upload_name = name;
            f.upload_path = path;
        }
    }
    if (post && fields) {
        f.names[i] = "csrf";
        f.values[i] = req->query(req->ctx, "csrf") ? req->query(req->ctx, "csrf") : "";
    }
    if (cv_web_opform_permit(r->store, actor, o, org, &f, &e) < 0) {
        reply_message(r, resp, status_of(e.code), e.msg);
        return;
    }
    if (post && !csrf_ok(r, &f)) {
        reply_message(r, resp, 403, cv_tr(r->lang, "This form has expired; open it again."));
        return;
    } else if (post) {
        int rc = cv_web_opform_submit(r->store, actor, o, org, &f, msg, sizeof msg);
        page_writes++;
        if (rc == 0) {
            char back[CV_CODE_MAX + 16];
            snprintf(back, sizeof back, "/congress/%s", org);
            redirect(resp, back);
            return;
        }
    }
    if (cv_web_opform_page(r, o, org, &f, &h, &e) < 0) {
        cv_html_free(&h);
        reply_message(r, resp, status_of(e.code), e.msg);
        return;
    }
    reply_page(resp, post ? 422 : 200, &h);
}

/* The code that follows prefix in path into code[CV_CODE_MAX], up to the next '/'; *rest is what
 * follows it. 0 when path does not start with prefix or the code is empty or too long. */
static int code_after(const char *path, const char *prefix, char code[CV_CODE_MAX],
                      const char **rest)
{
    size_t n = strlen(prefix);
    if (strncmp(path, prefix, n) != 0)
        return 0;
    const char *s = path + n, *slash = strchr(s, '/');
    size_t len = slash ? (size_t)(slash - s) : strlen(s);
    if (len == 0 || len >= CV_CODE_MAX)
        return 0;
    memcpy(code, s, len);
    code[len] = '\0';
    *rest = s + len;
    return 1;
}

/* The reader's language: ?lang=, else the cookie it set, else Vietnamese. */
static cv_lang lang_of(const cv_http_req *req, cv_http_resp *resp)
{
    const char *q = req->query(req->ctx, "lang");
    if (q) {
        cv_lang l = cv_i18n_lang(q);
        cv_http_resp_header(resp, "Set-Cookie", "lang=%s; Path=/; SameSite=Lax; Max-Age=31536000",
                            cv_i18n_lang_code(l));
        return l;
    }
    const char *cookie = req->header(req->ctx, "Cookie");
    const char *at = cookie ? strstr(cookie, "lang=") : NULL;
    return at ? cv_i18n_lang(at + 5) : CV_LANG_VI;
}

/* A page is read on the thread pool with a store connection of its own, so a large subtree
 * (the whole country) never holds the loop. */
typedef struct page_job {
    cv_api *api;
    char key[256]; /* the page in the API's cache: session, language and path */
    int64_t version;
    char db_path[CV_API_PATH_MAX];
    cv_actor actor;
    cv_lang lang;
    int congress, admin;
    char org[CV_CODE_MAX], user[CV_NAME_MAX], csrf[CV_SESSION_CSRF_MAX], path[256];
} page_job;

static void page_work(void *arg, cv_http_resp *resp)
{
    page_job *job = arg;
    cv_store *s = NULL;
    cv_err e;
    cv_web_req r = {.lang = job->lang,
                    .user = job->user,
                    .csrf = job->csrf,
                    .actor = &job->actor,
                    .admin = job->admin,
                    .path = job->path};
    cv_html h = {0};
    cv_lang was = cv_i18n_use(job->lang);
    int rc = cv_api_open_store(job->db_path, &job->actor, &s, &e);
    r.store = s;
    if (rc == 0)
        rc = job->congress ? cv_web_congress(&r, job->org, &h, &e)
                           : cv_web_home(&r, job->org, &h, &e);
    cv_store_close(s);
    r.store = NULL;
    if (rc < 0) {
        cv_html_free(&h);
        reply_message(&r, resp, status_of(e.code), e.msg);
    } else {
        reply_page(resp, 200, &h);
    }
    cv_i18n_use(was);
}

/* Back on the loop: the page is kept while the store stays as it was. */
static void page_done(void *arg, cv_http_resp *resp)
{
    page_job *job = arg;
    cv_api_cache_put(job->api, job->key, job->version, resp);
    free(job);
}

static int64_t page_version(cv_api *api)
{
    int64_t v = cv_api_store_version(api);
    return v < 0 ? -1 : v * 1000003 + page_writes;
}

static void route_page(cv_api *api, const cv_web_req *r, const cv_api_caller *c,
                       const cv_http_req *req, cv_http_resp *resp, int congress, const char *org)
{
    char key[256];
    int64_t version = page_version(api);
    snprintf(key, sizeof key, "web:%lld:%s:%s", (long long)c->session, cv_i18n_lang_code(r->lang),
             req->path);
    if (cv_api_cache_get(api, req, resp, key, version)) {
        resp->content_type = "text/html; charset=utf-8";
        return;
    }
    page_job *job = calloc(1, sizeof *job);
    if (!job || strlen(api->db_path) >= sizeof job->db_path) {
        free(job);
        reply_message(r, resp, 500, "out of memory");
        return;
    }
    snprintf(job->db_path, sizeof job->db_path, "%s", api->db_path);
    job->api = api;
    snprintf(job->key, sizeof job->key, "%s", key);
    job->version = version;
    job->actor = c->actor;
    job->lang = r->lang;
    job->congress = congress;
    job->admin = r->admin;
    snprintf(job->path, sizeof job->path, "%s", req->path);
    snprintf(job->org, sizeof job->org, "%s", org);
    snprintf(job->user, sizeof job->user, "%s", r->user ? r->user : "");
    snprintf(job->csrf, sizeof job->csrf, "%s", r->csrf);
    resp->work = page_work;
    resp->after = page_done;
    resp->work_arg = job;
}

/* The login form posted to /login goes through the API's own login (POST /api/v1/session: the
 * limits on failures, the journal, the session and its cookie); its JSON answer becomes a page:
 * 303 home with the cookie, or the form again with the refusal and the name typed. */
typedef struct login_wrap {
    cv_http_work_fn work, after;
    void *arg;
    cv_lang lang;
    char name[CV_ACTOR_NAME_MAX];
} login_wrap;

static void login_page(cv_lang lang, const char *name, const char *error, cv_http_resp *resp,
                       int status)
{
    cv_web_req r = {.lang = lang};
    cv_html h = {0};
    cv_web_login(&r, name, error, &h);
    reply_page(resp, status, &h);
}

/* The API's refusals a login page shows, in the reader's language (the API itself answers in
 * English, like the CLI). */
static const char *login_refusal(cv_lang lang, const char *detail)
{
    static const char *const known[] = {
        N_("wrong login or password"),
        N_("too many failed logins; try again later"),
        N_("login and password must be strings of bounded length"),
    };
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (strcmp(detail, known[i]) == 0)
            return cv_tr(lang, known[i]);
    return detail;
}

/* Turns the API's answer in resp into the page's. */
static void login_answer(login_wrap *w, cv_http_resp *resp)
{
    if (resp->status == 200) {
        free(resp->body);
        resp->body = NULL;
        resp->len = 0;
        resp->status = 303;
        resp->content_type = "text/plain; charset=utf-8";
        cv_http_resp_header(resp, "Location", "/");
        return;
    }
    json_t *p = json_loadb(resp->body ? resp->body : "", resp->len, 0, NULL);
    const char *d = json_string_value(json_object_get(p, "detail"));
    char detail[512];
    snprintf(detail, sizeof detail, "%s", d ? d : "");
    json_decref(p);
    login_page(w->lang, w->name, login_refusal(w->lang, detail), resp, resp->status);
}

static void login_work(void *arg, cv_http_resp *resp)
{
    login_wrap *w = arg;
    w->work(w->arg, resp);
    login_answer(w, resp);
}

static void login_after(void *arg, cv_http_resp *resp)
{
    login_wrap *w = arg;
    if (w->after)
        w->after(w->arg, resp);
    free(w);
}

static void route_login(cv_api *api, const cv_web_req *r, const cv_http_req *req,
                        cv_http_resp *resp)
{
    cv_web_form f = {0};
    char buf[CV_WEB_FORM_MAX * 2];
    cv_api_caller c = {0};
    cv_err e;
    if (strcmp(req->method, "POST") != 0) {
        login_page(r->lang, NULL, NULL, resp, 200);
        return;
    }
    if (req->body_len > CV_WEB_FORM_MAX ||
        parse_form(req->body ? req->body : "", req->body_len, &f, buf, sizeof buf) < 0) {
        login_page(r->lang, NULL, cv_tr(r->lang, "The form could not be read."), resp, 400);
        return;
    }
    json_t *body = json_pack("{s:s, s:s}", "login", cv_web_form_get(&f, "name"), "password",
                             cv_web_form_get(&f, "password"));
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    char name[CV_ACTOR_NAME_MAX];
    snprintf(name, sizeof name, "%s", cv_web_form_get(&f, "name"));
    sodium_memzero(buf, sizeof buf);
    cv_http_req as_json = *req;
    as_json.body = text;
    as_json.body_len = text ? strlen(text) : 0;
    cv_api_caller_of(api, req, &c, &e); /* only the address and TLS matter before a login */
    cv_api_session_route(api, &as_json, resp, &c);
    if (text) {
        sodium_memzero(text, strlen(text));
        free(text);
    }
    login_wrap *w = resp->work ? calloc(1, sizeof *w) : NULL;
    if (!w) { /* answered at once (a limit, a refusal) or out of memory */
        login_wrap now = {.lang = r->lang};
        snprintf(now.name, sizeof now.name, "%s", name);
        if (!resp->work)
            login_answer(&now, resp);
        return;
    }
    *w = (login_wrap){
        .work = resp->work, .after = resp->after, .arg = resp->work_arg, .lang = r->lang};
    snprintf(w->name, sizeof w->name, "%s", name);
    resp->work = login_work;
    resp->after = login_after;
    resp->work_arg = w;
}

/* Logs out through the API's own route (DELETE /api/v1/session), then back to the login form. */
static void logout_work_done(void *arg, cv_http_resp *resp)
{
    login_wrap *w = arg;
    w->work(w->arg, resp);
    free(resp->body);
    resp->body = NULL;
    resp->len = 0;
    resp->status = 303;
    cv_http_resp_header(resp, "Location", "/login");
}

static void route_logout(cv_api *api, const cv_web_req *r, const cv_http_req *req,
                         cv_http_resp *resp, const cv_api_caller *c)
{
    cv_web_form f = {0};
    char buf[CV_WEB_FORM_MAX * 2];
    if (req->body_len > CV_WEB_FORM_MAX ||
        parse_form(req->body ? req->body : "", req->body_len, &f, buf, sizeof buf) < 0 ||
        !csrf_ok(r, &f)) {
        reply_message(r, resp, 403, cv_tr(r->lang, "This form has expired; open it again."));
        return;
    }
    cv_http_req del = *req;
    del.method = "DELETE";
    cv_api_session_route(api, &del, resp, c);
    login_wrap *w = resp->work ? calloc(1, sizeof *w) : NULL;
    if (!w) {
        if (!resp->work)
            redirect(resp, "/login");
        return;
    }
    *w = (login_wrap){.work = resp->work, .after = resp->after, .arg = resp->work_arg};
    resp->work = logout_work_done;
    resp->after = login_after;
    resp->work_arg = w;
}

/* The organisation at the root of the caller's scope: its first current grant's, or for an
 * admin (or a grant without an organisation) the first root of the tree. */
static int scope_root(cv_store *s, const cv_actor *a, char code[CV_CODE_MAX], cv_err *e)
{
    json_t *grants = NULL;
    code[0] = '\0';
    if (a->account_id > 0 && cv_grant_list(s, a->account_id, 0, &grants, e) < 0)
        return e->code;
    size_t i;
    json_t *g;
    json_array_foreach(grants, i, g)
    {
        const char *org = json_string_value(json_object_get(g, "org"));
        if (org && *org && strcmp(json_string_value(json_object_get(g, "role")), "admin") != 0) {
            snprintf(code, CV_CODE_MAX, "%s", org);
            break;
        }
    }
    json_decref(grants);
    if (!*code && cv_org_walk(s, NULL, 0, first_root, code, e) < 0)
        return e->code;
    return *code ? 0 : cv_err_set(e, CV_ENOTFOUND, "no organisation yet");
}

/* Whether the caller holds one of roles over org (a page of org's subtree); if not, answers the
 * refusal, the operations layer's own line. */
static int permitted(const cv_web_req *r, const cv_actor *a, const char *org, unsigned roles,
                     const char *what, cv_http_resp *resp)
{
    cv_org o;
    cv_err e;
    if (cv_org_get(r->store, org, &o, &e) < 0 ||
        cv_ops_permit(r->store, a, roles, o.id, cv_tr(r->lang, what), &e) < 0) {
        reply_message(r, resp, status_of(e.code), e.msg);
        return 0;
    }
    return 1;
}

/* Whether path names a page (/, /logout, /org/CODE, /congress/CODE[/held|/FORM]). */
static int is_page(const char *path)
{
    char code[CV_CODE_MAX];
    const char *rest = "";
    return strcmp(path, "/") == 0 || strcmp(path, "/logout") == 0 ||
           strcmp(path, "/language") == 0 || strcmp(path, "/admin") == 0 ||
           strncmp(path, "/admin/audit.", 13) == 0 ||
           (code_after(path, "/org/", code, &rest) && !*rest) ||
           (code_after(path, "/congress/", code, &rest) &&
            (!*rest || strcmp(rest, "/held") == 0 || strcmp(rest, "/file") == 0 ||
             cv_web_opform_find(rest + 1)));
}

/* 404: a page for a browser (it asks for HTML), else the API's problem. */
static void not_found(const cv_web_req *r, const cv_http_req *req, cv_http_resp *resp)
{
    const char *accept = req->header(req->ctx, "Accept");
    if (accept && strstr(accept, "text/html"))
        reply_message(r, resp, 404, cv_tr(r->lang, "There is no such page."));
    else
        cv_http_resp_problem(resp, 404, "no such resource; the API lives under /api/v1/");
}

void cv_web_handle(cv_api *api, const cv_http_req *req, cv_http_resp *resp)
{
    const char *p = req->path, *rest = "";
    char code[CV_CODE_MAX] = "", csrf[CV_SESSION_CSRF_MAX] = "";
    cv_err e;
    cv_store *s = api->store;
    int get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
    cv_web_req r = {.store = s, .lang = lang_of(req, resp), .user = NULL, .csrf = ""};
    if (strncmp(p, "/static/", 8) == 0 && get) {
        route_static(resp, p + 8);
        return;
    }
    if (strcmp(p, "/login") == 0) {
        route_login(api, &r, req, resp);
        return;
    }
    if (!is_page(p)) {
        not_found(&r, req, resp);
        return;
    }
    cv_api_caller c = {0};
    if (cv_api_caller_of(api, req, &c, &e) < 0) {
        if (get)
            redirect(resp, "/login");
        else
            reply_message(&r, resp, 401, e.msg);
        return;
    }
    cv_account acc;
    unsigned held = 0;
    if (c.actor.account_id > 0 && cv_account_get_by_id(s, c.actor.account_id, &acc, &e) == 0) {
        r.user = acc.display_name[0] ? acc.display_name : acc.login;
        if (!req->query(req->ctx, "lang"))
            r.lang = cv_i18n_lang(acc.lang);
    } else {
        r.user = c.actor.name;
    }
    r.actor = &c.actor;
    r.admin = cv_ops_actor_roles(s, &c.actor, 0, &held, &e) == 0 && (held & CV_ROLE_ADMIN);
    r.path = p;
    cv_lang was = cv_i18n_use(r.lang);
    cv_session_csrf(c.token, csrf);
    r.csrf = c.session ? csrf : "";
    if (!get && cv_api_cross_site(req, &c)) {
        reply_message(&r, resp, 403, cv_tr(r.lang, "A change from another site is refused."));
    } else if (strcmp(p, "/logout") == 0 && !get) {
        route_logout(api, &r, req, resp, &c);
    } else if (strcmp(p, "/language") == 0 && !get) {
        cv_web_language_route(&r, &c, req, resp);
    } else if (strncmp(p, "/admin", 6) == 0) {
        cv_web_admin_route(api, &r, &c, req, resp);
    } else if (strcmp(p, "/") == 0 && get) {
        if (scope_root(s, &c.actor, code, &e) < 0)
            reply_message(&r, resp, status_of(e.code), e.msg);
        else if (permitted(&r, &c.actor, code, CV_ROLES_ALL, N_("read the progress of"), resp))
            route_page(api, &r, &c, req, resp, 0, code);
    } else if (code_after(p, "/org/", code, &rest) && !*rest && get) {
        if (permitted(&r, &c.actor, code, CV_ROLES_ALL, N_("read the progress of"), resp))
            route_page(api, &r, &c, req, resp, 0, code);
    } else if (code_after(p, "/congress/", code, &rest) && !*rest && get) {
        if (permitted(&r, &c.actor, code, CV_ROLES_ALL, N_("read the congress of"), resp))
            route_page(api, &r, &c, req, resp, 1, code);
    } else if (code_after(p, "/congress/", code, &rest) && strcmp(rest, "/held") == 0) {
        if (permitted(&r, &c.actor, code, CV_ROLE_OFFICE | CV_ROLE_SECRETARY,
                      N_("report the congress held of"), resp))
            route_held(&r, &c.actor, req, resp, code);
    } else if (code_after(p, "/congress/", code, &rest) && strcmp(rest, "/file") == 0 && get) {
        route_file(api, &r, &c, req, resp);
    } else if (code_after(p, "/congress/", code, &rest) && cv_web_opform_find(rest + 1)) {
        route_opform(&r, &c.actor, req, resp, code, cv_web_opform_find(rest + 1));
    } else {
        reply_message(&r, resp, 405, cv_tr(r.lang, "There is no such page."));
    }
    cv_i18n_use(was);
}
