/* routes.h: the dashboard over HTTP: every path outside /api/ is a page (or a static file of
 * web/static) answered here from a request of the HTTP server, in the reader's language. Runs on
 * the loop with the loop's store connection; pages only read, forms write through the domain. */
#ifndef CV_WEB_ROUTES_H
#define CV_WEB_ROUTES_H

#include "http/api.h"
#include "http/exchange.h"

/* The most bytes a form may post. */
#define CV_WEB_FORM_MAX 8192

/* Answers req into resp (which starts zeroed). */
void cv_web_handle(cv_api *api, const cv_http_req *req, cv_http_resp *resp);

#endif
