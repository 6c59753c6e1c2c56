/* api_session.c: POST /api/v1/session logs in with a password, GET says who is signed in (and
 * gives the CSRF token again), DELETE logs out. Password hashing runs on the thread pool; failed
 * logins are limited per address and per name (limit.h) and journaled as login.failed; the
 * answer to a wrong password, an unknown name or a disabled account is the same one line. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "auth/account.h"
#include "auth/grant.h"
#include "base/clock.h"
#include "base/log.h"
#include "http/api_int.h"
#include "http/limit.h"
#include "store/journal.h"

#define LOGIN_FIELD_MAX (CV_ACTOR_NAME_MAX - 1)

typedef struct login_job {
    char db_path[CV_API_PATH_MAX];
    char login[LOGIN_FIELD_MAX + 1];
    char password[CV_PASSWORD_MAX + 1];
    char peer[CV_API_PEER_MAX];
    int tls, ok;
    int64_t session;
    cv_api *api;
} login_job;

/* The session cookie: __Host- prefixed and Secure over TLS; never readable by scripts; sent on
 * top-level navigations from elsewhere but not on their sub-requests or form posts. */
static void set_cookie(cv_http_resp *resp, int tls, const char *token)
{
    cv_http_resp_header(resp, "Set-Cookie", "%sconvene=%s; Path=/; HttpOnly; SameSite=Lax%s%s",
                        tls ? "__Host-" : "", token, tls ? "; Secure" : "",
                        *token ? "" : "; Max-Age=0");
}

int cv_api_open_store(const char *db_path, const cv_actor *actor, cv_store **out, cv_err *e)
{
    if (cv_store_open(db_path, 0, out, e) < 0)
        return e->code;
    cv_store_set_actor(*out, actor);
    return 0;
}

/* Journals a failed login in its own transaction (its actor: nobody yet, from peer). */
static void journal_failure(cv_store *s, const login_job *job)
{
    cv_err e;
    if (cv_store_begin(s, &e) < 0)
        return;
    if (cv_journal_emit(s, "login.failed", 0,
                        json_pack("{s:s, s:s}", "login", job->login, "peer", job->peer), NULL,
                        &e) < 0 ||
        cv_store_commit(s, &e) < 0) {
        cv_store_rollback(s);
        cv_log(CV_LOG_ERROR, "http", NULL, "%s", e.msg);
    }
}

static int open_session(cv_store *s, login_job *job, int64_t account, char *token, cv_err *e)
{
    cv_actor who = {.kind = CV_ACTOR_ACCOUNT, .account_id = account};
    snprintf(who.name, sizeof who.name, "%s", job->login);
    snprintf(who.via, sizeof who.via, "http login from %s", job->peer);
    cv_store_set_actor(s, &who);
    if (cv_store_begin(s, e) < 0)
        return e->code;
    if (cv_session_open(s, account, job->peer, token, &job->session, e) < 0 ||
        cv_store_commit(s, e) < 0) {
        cv_store_rollback(s);
        return e->code;
    }
    return 0;
}

static void run_login(void *arg, cv_http_resp *resp)
{
    login_job *job = arg;
    cv_actor nobody = {.kind = CV_ACTOR_ACCOUNT};
    snprintf(nobody.name, sizeof nobody.name, "anonymous");
    snprintf(nobody.via, sizeof nobody.via, "http login from %s", job->peer);
    cv_store *s = NULL;
    cv_err e;
    int64_t account = 0;
    char token[CV_SESSION_TOKEN_MAX], csrf[CV_SESSION_CSRF_MAX];
    int rc = cv_api_open_store(job->db_path, &nobody, &s, &e);
    if (rc == 0)
        rc = cv_password_check(s, job->login, job->password, &account, &e);
    sodium_memzero(job->password, sizeof job->password);
    if (rc == CV_EPERM)
        journal_failure(s, job);
    if (rc == 0)
        rc = open_session(s, job, account, token, &e);
    cv_store_close(s);
    job->ok = rc == 0;
    if (rc == CV_EPERM) {
        cv_http_resp_problem(resp, 401, e.msg);
        return;
    }
    if (rc < 0) {
        cv_api_reply_error(resp, &e);
        return;
    }
    cv_session_csrf(token, csrf);
    cv_api_reply_json(resp, 200,
                      json_pack("{s:s, s:s, s:I, s:I}", "login", job->login, "csrf_token", csrf,
                                "idle_timeout_s", (json_int_t)(CV_SESSION_IDLE_MS / 1000),
                                "absolute_timeout_s", (json_int_t)(CV_SESSION_MAX_MS / 1000)));
    set_cookie(resp, job->tls, token);
    sodium_memzero(token, sizeof token);
}

/* Back on the loop: the outcome counts for the limits. */
static void after_login(void *arg, cv_http_resp *resp)
{
    (void)resp;
    login_job *job = arg;
    cv_limit_record(job->api->logins, job->peer, job->login, job->ok, cv_clock_real());
    free(job);
}

static void login(cv_api *api, const cv_http_req *req, cv_http_resp *resp, const cv_api_caller *c)
{
    json_error_t jerr;
    json_t *body = req->body ? json_loadb(req->body, req->body_len, 0, &jerr) : NULL;
    const char *name = json_string_value(json_object_get(body, "login"));
    const char *password = json_string_value(json_object_get(body, "password"));
    login_job *job = NULL;
    if (cv_api_cross_site(req, c))
        cv_http_resp_problem(resp, 403, "a login from another site is refused");
    else if (!json_is_object(body))
        cv_http_resp_problem(resp, 400, "the body must be a JSON object {\"login\", \"password\"}");
    else if (!name || !password || strlen(name) > LOGIN_FIELD_MAX ||
             strlen(password) > CV_PASSWORD_MAX)
        cv_http_resp_problem(resp, 422, "login and password must be strings of bounded length");
    else if (!api->logins && !(api->logins = cv_limit_new()))
        cv_http_resp_problem(resp, 500, "out of memory");
    else {
        int64_t wait = cv_limit_wait(api->logins, c->peer, name, cv_clock_real());
        if (wait > 0) {
            cv_http_resp_problem(resp, 429, "too many failed logins; try again later");
            cv_http_resp_header(resp, "Retry-After", "%lld", (long long)(wait + 999) / 1000);
        } else if ((job = calloc(1, sizeof *job)) && strlen(api->db_path) < sizeof job->db_path) {
            snprintf(job->db_path, sizeof job->db_path, "%s", api->db_path);
            snprintf(job->login, sizeof job->login, "%s", name);
            snprintf(job->password, sizeof job->password, "%s", password);
            snprintf(job->peer, sizeof job->peer, "%s", c->peer);
            job->tls = c->tls;
            job->api = api;
            resp->work = run_login;
            resp->after = after_login;
            resp->work_arg = job;
        } else {
            free(job);
            cv_http_resp_problem(resp, 500, "out of memory");
        }
    }
    if (body && password)
        sodium_memzero((char *)password, strlen(password));
    json_decref(body);
}

typedef struct logout_job {
    char db_path[CV_API_PATH_MAX];
    cv_actor actor;
    int64_t session;
    int tls;
} logout_job;

static void run_logout(void *arg, cv_http_resp *resp)
{
    logout_job *job = arg;
    cv_store *s = NULL;
    cv_err e;
    int rc = cv_api_open_store(job->db_path, &job->actor, &s, &e);
    if (rc == 0 && (rc = cv_store_begin(s, &e)) == 0) {
        rc = cv_session_close(s, job->session, &e);
        if (rc == 0)
            rc = cv_store_commit(s, &e);
        if (rc < 0)
            cv_store_rollback(s);
    }
    cv_store_close(s);
    if (rc < 0) {
        cv_api_reply_error(resp, &e);
    } else {
        cv_api_reply_json(resp, 200, json_object());
        set_cookie(resp, job->tls, "");
    }
    free(job);
}

static void whoami(cv_api *api, cv_http_resp *resp, const cv_api_caller *c)
{
    cv_err e;
    json_t *grants = NULL;
    if (cv_grant_list(api->store, c->actor.account_id, 0, &grants, &e) < 0) {
        cv_api_reply_error(resp, &e);
        return;
    }
    json_t *j = json_pack("{s:s, s:s, s:o}", "login", c->actor.name, "via",
                          cv_actor_kind_name(c->actor.kind), "grants", grants);
    if (c->session) {
        char csrf[CV_SESSION_CSRF_MAX];
        cv_session_csrf(c->token, csrf);
        json_object_set_new(j, "csrf_token", json_string(csrf));
    }
    cv_api_reply_json(resp, 200, j);
}

void cv_api_session_route(cv_api *api, const cv_http_req *req, cv_http_resp *resp,
                          const cv_api_caller *c)
{
    if (strcmp(req->method, "POST") == 0) {
        login(api, req, resp, c);
    } else if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0) {
        whoami(api, resp, c);
    } else if (strcmp(req->method, "DELETE") == 0 && c->session) {
        logout_job *job = calloc(1, sizeof *job);
        if (!job || strlen(api->db_path) >= sizeof job->db_path) {
            free(job);
            cv_http_resp_problem(resp, 500, "out of memory");
            return;
        }
        snprintf(job->db_path, sizeof job->db_path, "%s", api->db_path);
        job->actor = c->actor;
        job->session = c->session;
        job->tls = c->tls;
        resp->work = run_logout;
        resp->work_arg = job;
    } else if (strcmp(req->method, "DELETE") == 0) {
        cv_http_resp_problem(resp, 422, "an API token has no session to end");
    } else {
        cv_http_resp_problem(resp, 405,
                             "the session is opened with POST, read with GET and "
                             "ended with DELETE");
        cv_http_resp_header(resp, "Allow", "GET, HEAD, POST, DELETE");
    }
}
