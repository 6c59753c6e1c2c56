/* routes_int.h: what routes.c shares with the other route files of web/ (admin_routes.c): the
 * way a page or a message is answered, and how a posted form is read. Internal to web/. */
#ifndef CV_WEB_ROUTES_INT_H
#define CV_WEB_ROUTES_INT_H

#include "http/api_int.h"
#include "web/routes.h"
#include "web/web.h"

/* Answers h (taken) as the page, with status. */
void cv_web_reply_page(cv_http_resp *resp, int status, cv_html *h);

/* Answers a page that says only msg, titled by status. */
void cv_web_reply_message(const cv_web_req *r, cv_http_resp *resp, int status, const char *msg);

/* Reads the posted form of req into f (decoded into buf[cap]) and checks its CSRF token; answers
 * the refusal (400, 403) and returns 0 when it cannot be used, else 1. */
int cv_web_read_form(const cv_web_req *r, const cv_http_req *req, cv_web_form *f, char *buf,
                     size_t cap, cv_http_resp *resp);

/* Counts a change made by a page's form (the pages' cache then reads again). */
void cv_web_wrote(void);

/* GET /admin, POST /admin, GET /admin/audit.csv|.xlsx (admin_routes.c). */
void cv_web_admin_route(cv_api *api, const cv_web_req *r, const cv_api_caller *c,
                        const cv_http_req *req, cv_http_resp *resp);

/* POST /language: the reader's own language (the operation account.language), then back. */
void cv_web_language_route(const cv_web_req *r, const cv_api_caller *c, const cv_http_req *req,
                           cv_http_resp *resp);

#endif
