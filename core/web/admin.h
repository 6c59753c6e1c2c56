/* admin.h: what the administration page's files share (admin.c, admin_ops.c). Internal to web/. */
#ifndef CV_WEB_ADMIN_H
#define CV_WEB_ADMIN_H

#include "web/page.h"

/* Runs the reading operation op with args (taken) as the reader; NULL, with the refusal in e,
 * when it fails. */
json_t *cv_web_admin_read(const cv_web_req *r, const char *op, json_t *args, cv_err *e);

/* Opens a form posting the page's action with the CSRF token (class cls); the caller closes it. */
void cv_web_admin_form(const cv_web_req *r, const char *action, const char *cls, cv_html *h);

/* Opens the section id titled title; f's refusal shows first when it is this section's. */
void cv_web_admin_section(const cv_web_form *f, const char *id, const char *title, cv_html *h);

/* A table (column heads, NULL-terminated) in a region that scrolls sideways on a phone. */
void cv_web_admin_table(const char *label, const char *const *heads, cv_html *h);
void cv_web_admin_table_end(cv_html *h);

/* The sections of admin_ops.c. */
void cv_web_admin_plugins(const cv_web_req *r, const cv_web_form *f, cv_html *h);
void cv_web_admin_packages(const cv_web_req *r, const cv_web_form *f, cv_html *h);
void cv_web_admin_jobs(const cv_web_req *r, const cv_web_form *f, cv_html *h);
void cv_web_admin_outbox(const cv_web_req *r, const cv_web_form *f, cv_html *h);

#endif
