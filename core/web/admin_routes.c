/* admin_routes.c: the administration page over HTTP (see routes_int.h). Its forms run on the
 * loop (one operation each, short); the page and the audit's exports are made on the thread
 * pool with a store connection of their own, since the audit may be long and an XLSX export
 * waits for LibreOffice. The exports go through the reporter plugins, as `convene audit
 * --format` does. Also the language switch every page carries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/path.h"
#include "auth/account.h"
#include "http/session.h"
#include "ops/ops.h"
#include "report/report.h"
#include "web/routes_int.h"

#define EXPORT_MAX (64u << 20) /* an export larger than 64 MB is refused */

typedef struct admin_job {
    char db_path[CV_API_PATH_MAX];
    cv_actor actor;
    cv_lang lang;
    char user[CV_NAME_MAX], csrf[CV_SESSION_CSRF_MAX];
    const char *format; /* NULL: the page; "csv" or "xlsx": the audit's export */
    int status;         /* the page's: 200, or 422 with a refused form */
    cv_web_form q, f;
    char qbuf[1024], fbuf[CV_WEB_FORM_MAX * 2], msg[512];
} admin_job;

static void job_req(admin_job *job, cv_store *s, cv_web_req *r)
{
    *r = (cv_web_req){.store = s,
                      .lang = job->lang,
                      .user = job->user,
                      .csrf = job->csrf,
                      .actor = &job->actor,
                      .admin = 1,
                      .path = "/admin"};
}

/* Reads the file at path into the answer as a download called name. */
static int answer_file(const char *path, const char *type, const char *name, cv_http_resp *resp,
                       cv_err *e)
{
    FILE *f = fopen(path, "rb");
    char *buf = f ? malloc(EXPORT_MAX) : NULL;
    size_t n = buf ? fread(buf, 1, EXPORT_MAX, f) : 0;
    int rc = !buf              ? cv_err_set(e, CV_EIO, "%s: cannot read the export", path)
             : n == EXPORT_MAX ? cv_err_set(e, CV_ELIMIT, "the export is larger than 64 MB")
                               : 0;
    if (f)
        fclose(f);
    if (rc == 0) {
        cv_http_resp_text(resp, 200, type, buf, n);
        cv_http_resp_header(resp, "Content-Disposition", "attachment; filename=\"%s\"", name);
        cv_http_resp_header(resp, "Cache-Control", "no-store");
    }
    free(buf);
    return rc;
}

/* The audit through the reporter plugin of job->format, into a private temporary folder. */
static int export_audit(admin_job *job, cv_store *s, cv_http_resp *resp, cv_err *e)
{
    json_t *rows = NULL;
    json_t *args = cv_web_audit_args(&job->q);
    int rc = cv_ops_call(s, &job->actor, "audit", args, &rows, e);
    json_decref(args);
    if (rc < 0)
        return rc;
    json_t *doc = cv_report_audit(rows);
    json_decref(rows);
    char dir[CV_PATH_TEMP_MAX], path[CV_PATH_TEMP_MAX + 32], name[32];
    snprintf(name, sizeof name, "audit.%s", job->format);
    if (cv_path_temp_dir(dir, sizeof dir, "cv-audit") < 0) {
        json_decref(doc);
        return cv_err_set(e, CV_EIO, "cannot make a temporary folder for the export");
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    rc = cv_report_render(s, doc, job->format, path, e);
    json_decref(doc);
    if (rc == 0)
        rc = answer_file(path,
                         strcmp(job->format, "csv") == 0
                             ? "text/csv; charset=utf-8"
                             : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         name, resp, e);
    unlink(path);
    rmdir(dir);
    return rc;
}

static void admin_work(void *arg, cv_http_resp *resp)
{
    admin_job *job = arg;
    cv_store *s = NULL;
    cv_err e;
    cv_web_req r;
    cv_html h = {0};
    cv_lang was = cv_i18n_use(job->lang);
    int rc = cv_api_open_store(job->db_path, &job->actor, &s, &e);
    job_req(job, s, &r);
    if (rc == 0)
        rc = job->format ? export_audit(job, s, resp, &e)
                         : cv_web_admin(&r, &job->q, job->status == 422 ? &job->f : NULL, &h, &e);
    cv_store_close(s);
    r.store = NULL;
    if (rc < 0) {
        cv_html_free(&h);
        cv_web_reply_message(&r, resp, e.code == CV_EPERM ? 403 : cv_http_status_of(e.code), e.msg);
    } else if (!job->format) {
        cv_web_reply_page(resp, job->status, &h);
    }
    cv_i18n_use(was);
}

static void admin_done(void *arg, cv_http_resp *resp)
{
    (void)resp;
    free(arg);
}

/* The audit's filters from the query into job->q. */
static void read_filters(const cv_http_req *req, admin_job *job)
{
    static const char *const names[] = {"org", "actor", "since", "type"};
    size_t used = 0;
    for (int i = 0, n = 0; i < 4; i++) {
        const char *v = req->query(req->ctx, names[i]);
        size_t len = v ? strlen(v) : 0;
        if (!v || used + len + 1 > sizeof job->qbuf)
            continue;
        memcpy(job->qbuf + used, v, len + 1);
        job->q.names[n] = names[i];
        job->q.values[n++] = job->qbuf + used;
        used += len + 1;
    }
}

void cv_web_admin_route(cv_api *api, const cv_web_req *r, const cv_api_caller *c,
                        const cv_http_req *req, cv_http_resp *resp)
{
    cv_err e;
    int get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
    const char *p = req->path;
    const char *format = strcmp(p, "/admin/audit.csv") == 0    ? "csv"
                         : strcmp(p, "/admin/audit.xlsx") == 0 ? "xlsx"
                                                               : NULL;
    if ((!format && strcmp(p, "/admin") != 0) || (format && !get)) {
        cv_web_reply_message(r, resp, 404, cv_tr(r->lang, "There is no such page."));
        return;
    }
    if (cv_ops_permit(r->store, &c->actor, CV_ROLE_ADMIN, 0, "administer", &e) < 0) {
        cv_web_reply_message(r, resp, 403, e.msg);
        return;
    }
    admin_job *job = calloc(1, sizeof *job);
    if (!job || strlen(api->db_path) >= sizeof job->db_path) {
        free(job);
        cv_web_reply_message(r, resp, 500, "out of memory");
        return;
    }
    snprintf(job->db_path, sizeof job->db_path, "%s", api->db_path);
    job->actor = c->actor;
    job->lang = r->lang;
    snprintf(job->user, sizeof job->user, "%s", r->user ? r->user : "");
    snprintf(job->csrf, sizeof job->csrf, "%s", r->csrf);
    job->format = format;
    job->status = 200;
    read_filters(req, job);
    if (!get) {
        if (!cv_web_read_form(r, req, &job->f, job->fbuf, sizeof job->fbuf, resp)) {
            free(job);
            return;
        }
        const char *section =
            cv_web_admin_submit(r->store, &c->actor, r->lang, &job->f, job->msg, sizeof job->msg);
        cv_web_wrote();
        if (!job->f.error) {
            free(job);
            cv_http_resp_text(resp, 303, "text/plain; charset=utf-8", "", 0);
            cv_http_resp_header(resp, "Location", "/admin#%s", section);
            return;
        }
        job->status = 422;
    }
    resp->work = admin_work;
    resp->after = admin_done;
    resp->work_arg = job;
}

void cv_web_language_route(const cv_web_req *r, const cv_api_caller *c, const cv_http_req *req,
                           cv_http_resp *resp)
{
    cv_web_form f = {0};
    char buf[CV_WEB_FORM_MAX * 2];
    cv_err e;
    if (!cv_web_read_form(r, req, &f, buf, sizeof buf, resp))
        return;
    json_t *args = json_pack("{s:s}", "lang", cv_web_form_get(&f, "lang"));
    int rc = cv_ops_call(r->store, &c->actor, "account.language", args, NULL, &e);
    json_decref(args);
    cv_web_wrote();
    if (rc < 0) {
        cv_web_reply_message(r, resp, rc == CV_EPERM ? 403 : cv_http_status_of(rc), e.msg);
        return;
    }
    /* Back to the page it was chosen on: a path of this site only. */
    const char *back = cv_web_form_get(&f, "back");
    if (back[0] != '/' || back[1] == '/' || back[1] == '\\' || strpbrk(back, "\r\n"))
        back = "/";
    cv_http_resp_text(resp, 303, "text/plain; charset=utf-8", "", 0);
    cv_http_resp_header(resp, "Location", "%s", back);
}
