/* congress.h: the sections of the congress page and the forms over operations, internal to web/.
 * A form over an operation is a row of the table in opforms.c: the page path's last part, the
 * operation it runs, its fields (typed by the operation's own arguments) and the field a refusal
 * of the domain concerns when the message names none. */
#ifndef CV_WEB_CONGRESS_H
#define CV_WEB_CONGRESS_H

#include "domain/congress.h"
#include "web/page.h"

void cv_web_meetings(const cv_web_req *r, const cv_congress *c, cv_html *h);
void cv_web_elections(const cv_web_req *r, const cv_congress *c, cv_html *h);
void cv_web_scheme(const cv_web_req *r, const cv_congress *c, cv_html *h);
int cv_web_phases(const cv_web_req *r, const cv_congress *c, cv_html *h, cv_err *e);
void cv_web_documents(const cv_web_req *r, const cv_congress *c, cv_html *h);
int cv_web_rounds_to_answer(const cv_web_req *r, const cv_congress *c, cv_html *h, cv_err *e);
void cv_web_scenarios(const cv_web_req *r, const cv_congress *c, cv_html *h);

/* What one election (x: election.show) is: its body, round and seats. */
void cv_web_election_title(const cv_web_req *r, const json_t *x, cv_html *h);

/* The forms the reader may use on one election (x: election.show), by its state; followed: a
 * further round of it exists already (no second one is offered). */
void cv_web_election_actions(const cv_web_req *r, const cv_congress *c, const json_t *x,
                             int followed, cv_html *h);

/* The forms the reader may use on one document in status (a new version, a comment round, its
 * status). */
void cv_web_document_actions(const cv_web_req *r, const cv_congress *c, int64_t doc,
                             const char *status, cv_html *h);

/* The forms the reader may use on one open comment round (closing it). */
void cv_web_round_actions(const cv_web_req *r, const cv_congress *c, int64_t round, cv_html *h);

/* The links to the congress's forms the reader may use (plan, add a work item, ...). */
void cv_web_congress_actions(const cv_web_req *r, const cv_congress *c, cv_html *h);

/* The small forms of one work item's row (mark done, assign), those the reader may use. */
void cv_web_work_actions(const cv_web_req *r, const cv_congress *c, int64_t id, int done,
                         cv_html *h);

/* Whether the reader may run operation op on org (the operations layer's own check). */
int cv_web_may(const cv_web_req *r, const char *op, int64_t org_id);

#endif
