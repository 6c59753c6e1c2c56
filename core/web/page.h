/* page.h: what every page of the dashboard shares: the frame around it (head, skip link,
 * navigation, the live-update hook), and the words for statuses and levels. Internal to web/. */
#ifndef CV_WEB_PAGE_H
#define CV_WEB_PAGE_H

#include "web/web.h"

/* The catalogue's translation of a message id, in the reader's language (xgettext keyword _). */
#define _(msgid) cv_tr(r->lang, msgid)
/* A message id marked for the catalogue but translated later (xgettext keyword N_). */
#define N_(msgid) msgid

/* Opens the page: <head> with title, the frame's header and navigation, <main>. live: the page
 * follows the journal (SSE) and refreshes its main part when something changes. */
void cv_page_begin(const cv_web_req *r, const char *title, int live, cv_html *h);
void cv_page_end(const cv_web_req *r, cv_html *h);

/* A date (YYYY-MM-DD) or a number as the reader writes it, into buf[32]. */
const char *cv_page_date(const cv_web_req *r, const char *iso, char buf[32]);
const char *cv_page_num(const cv_web_req *r, double n, int decimals, char buf[32]);

/* A congress status (held, preparing, planned, unplanned) as a badge: a symbol and a word, so
 * status is never told by colour alone. */
void cv_page_status(const cv_web_req *r, const char *status, cv_html *h);

/* The name of a level (national, province, ...) in the reader's language. */
const char *cv_page_level(const cv_web_req *r, const char *level);

/* A link to the page prefix+code ("/org/", "/congress/") reading text, made only where the
 * reader may go (cv_ops_permit over code's organisation); elsewhere the text alone. */
void cv_page_link(const cv_web_req *r, const char *prefix, const char *code, const char *text,
                  cv_html *h);

/* A refusal beside a field: the message, linked to the field by id "<field>-error". */
void cv_page_field_error(const cv_web_req *r, const cv_web_form *f, const char *field, cv_html *h);

#endif
