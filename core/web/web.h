/* web.h: the dashboard's pages, rendered on the server as HTML in the reader's language. Each
 * page reads the store (never writes: forms call the domain through the front end that serves
 * them) and is given the organisation it shows, already checked against the caller's grants by
 * that front end. Every value is escaped (web/html.h). */
#ifndef CV_WEB_H
#define CV_WEB_H

#include <jansson.h>

#include "i18n/i18n.h"
#include "store/store.h"
#include "web/html.h"

/* Who reads the page and how. */
typedef struct cv_web_req {
    cv_store *store;
    cv_lang lang;
    const char *user;      /* display name, NULL when nobody is logged in */
    const char *role;      /* the role of the grant that shows this scope ("secretary"), or NULL */
    const char *root;      /* the organisation at the root of the caller's scope */
    const char *csrf;      /* the token every form carries back, or NULL */
    const cv_actor *actor; /* who reads, for the operations a page reads through, or NULL */
    int admin;             /* the reader holds admin (the navigation shows Administration) */
    const char *path;      /* the page's path, where the language switch comes back to, or NULL */
} cv_web_req;

/* What a form sends back, and the refusal to show beside one of its fields. */
#define CV_WEB_FIELDS 48
typedef struct cv_web_form {
    const char *names[CV_WEB_FIELDS], *values[CV_WEB_FIELDS]; /* NULL-terminated */
    /* The one file a form may carry: set only by the server from a multipart file part (its
     * field's name and the private temporary file holding it), never from what a client types. */
    const char *upload_name, *upload_path;
    const char *error_field; /* the field the refusal concerns, or NULL */
    const char *error;       /* the refusal's message, or NULL */
} cv_web_form;

/* The value of field name in f, or "" (f may be NULL). */
const char *cv_web_form_get(const cv_web_form *f, const char *name);

/* Home: the progress of org's subtree (the drill-down shows any organisation of the scope). */
int cv_web_home(const cv_web_req *r, const char *org, cv_html *h, cv_err *e);

/* A congress: status, dates, kind, pilot flags, work items by group, documents and rounds. */
int cv_web_congress(const cv_web_req *r, const char *org, cv_html *h, cv_err *e);

/* The secretary's form "our congress was held" for org, filled from f (NULL: from the store). */
int cv_web_held_form(const cv_web_req *r, const char *org, const cv_web_form *f, cv_html *h,
                     cv_err *e);

/* Records that org's congress was held, from the form's start, end, summoned and present
 * (dates as dd/mm/yyyy or YYYY-MM-DD), as actor through the operations congress.held and
 * congress.set (their permission checks and transactions). On a refusal, sets f->error_field (NULL
 * when the refusal concerns the whole form) and f->error to the message, kept in msg[cap], and
 * changes nothing the refusal concerns. */
int cv_web_held_submit(cv_store *s, const cv_actor *actor, cv_lang lang, const char *org,
                       cv_web_form *f, char *msg, size_t cap);

/* Forms over operations (opforms.c), each found by the last part of its path
 * (/congress/CODE/<slug>): plan, change, work-add, work-assign, work-done, ... */
typedef struct cv_web_opform cv_web_opform;
const cv_web_opform *cv_web_opform_find(const char *slug);

/* The operation of the dashboard form posted to url (/congress/CODE/FORM) when that form carries
 * a file, else NULL: the HTTP server then reads its multipart body (http/upload.h). */
const char *cv_web_upload_op(const char *url);

/* The name of form o's field i (0, 1, ...), or NULL past the last. */
const char *cv_web_opform_field(const cv_web_opform *o, int i);

/* The field naming what form o acts on, when it is about one work item, election, document or
 * round ("id", "doc"); "org" for a form about the congress (its organisation is the path's). */
const char *cv_web_opform_at(const cv_web_opform *o);

/* Whether actor may use form o on org's congress, for the work item, election, document or round
 * f names (its field cv_web_opform_at(o), and a round's recipient); the operations layer's check,
 * with its refusal in e. */
int cv_web_opform_permit(cv_store *s, const cv_actor *actor, const cv_web_opform *o,
                         const char *org, const cv_web_form *f, cv_err *e);

/* The form o of org's congress, filled from f (NULL: empty), the refusal beside its field. */
int cv_web_opform_page(const cv_web_req *r, const cv_web_opform *o, const char *org,
                       const cv_web_form *f, cv_html *h, cv_err *e);

/* Runs o's operation for org as actor with what f holds; on a refusal sets f->error and
 * f->error_field (kept in msg[cap]) and changes nothing. */
int cv_web_opform_submit(cv_store *s, const cv_actor *actor, const cv_web_opform *o,
                         const char *org, cv_web_form *f, char *msg, size_t cap);
/* The administration page (admin only, else CV_EPERM): accounts and grants with their history,
 * the audit filtered by q (org, actor, since, type) with its exports, the last good backup; f
 * is a refused form to show again (its refusal in its section, what was typed kept), or NULL. */
int cv_web_admin(const cv_web_req *r, const cv_web_form *q, const cv_web_form *f, cv_html *h,
                 cv_err *e);

/* Runs the administration form f (its field "action" names one of the page's actions) as actor
 * through the operations layer. Returns the id of the page's section the form belongs to; on a
 * refusal sets f->error (kept in msg[cap]) and f->error_field to that section. */
const char *cv_web_admin_submit(cv_store *s, const cv_actor *actor, cv_lang lang, cv_web_form *f,
                                char *msg, size_t cap);

/* The audit's filters of q (org, actor, since, type) as the operation audit's arguments. */
json_t *cv_web_audit_args(const cv_web_form *q);

/* The login page, with the name typed and a refusal (both may be NULL). */
void cv_web_login(const cv_web_req *r, const char *name, const char *error, cv_html *h);

/* A page that says only msg (not found, refused), with a link home. */
void cv_web_message(const cv_web_req *r, const char *title, const char *msg, cv_html *h);

#endif
