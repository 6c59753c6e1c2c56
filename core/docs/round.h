/* round.h: comment rounds (góp ý dự thảo văn kiện). A round sends one version of a document to
 * recipients (organisations of the tree, predecessors, boards, the level above) with a deadline;
 * each response is recorded with its date, summary and file, and one after the deadline is
 * recorded as late, not refused. Closing a round records how the comments were taken in. */
#ifndef CV_ROUND_H
#define CV_ROUND_H

#include <jansson.h>
#include <stdint.h>

#include "base/text.h"
#include "store/store.h"

#define CV_ROUND_RECIPIENTS_MAX 5000

typedef struct cv_round_spec {
    int64_t doc;
    int version;          /* 0: the latest */
    const char *deadline; /* YYYY-MM-DD, not before today */
    const char *children; /* an org code: every organisation directly under it */
    const char *orgs;     /* org codes separated by commas */
    const char *predecessors, *boards, *above; /* names separated by ';' */
} cv_round_spec;

/* Where a round stands: what the reminder of a comment deadline needs. */
typedef struct cv_round_progress {
    int64_t id, doc, org_id;
    char org_code[CV_CODE_MAX];
    char title[CV_NAME_MAX]; /* the document's */
    int version;
    char opened_on[11], deadline[11], closed_on[11];
    char status[8];              /* open | closed */
    int orgs, orgs_answered;     /* organisations of the tree */
    int others, others_answered; /* predecessors, boards, the level above */
    int late;                    /* responses received after the deadline */
} cv_round_progress;

/* Opens a round on a version of spec->doc (document.round_opened). A document in drafting or
 * revising moves to consultation; a submitted or adopted one is refused. */
int cv_round_open(cv_store *s, const cv_round_spec *spec, int64_t *id, cv_err *e);

/* Whether a round may go out on a document of this status: a draft (drafting, consultation,
 * revising); submitted and adopted texts are final. */
int cv_round_may_open(const char *doc_status);

/* Records the response of recipient (an org code or a recipient's name) on date (NULL: today),
 * with a summary and optionally a file kept in the store (document.response_received). */
int cv_round_respond(cv_store *s, int64_t round, const char *recipient, const char *on,
                     const char *summary, const char *file, cv_err *e);

/* Closes an open round, recording how the comments were taken in (document.round_closed). */
int cv_round_close(cv_store *s, int64_t round, const char *taken_in, cv_err *e);

/* The progress of one round. */
int cv_round_progress_of(cv_store *s, int64_t round, cv_round_progress *out, cv_err *e);

/* Calls visit for each round of doc (0: every document), only open ones if open_only, by
 * deadline; non-zero from visit stops and is returned. */
typedef int (*cv_round_visit)(const cv_round_progress *p, void *ctx);
int cv_round_each(cv_store *s, int64_t doc, int open_only, cv_round_visit visit, void *ctx,
                  cv_err *e);

/* *open is the id of an open round on doc, 0 when there is none. */
int cv_round_open_of(cv_store *s, int64_t doc, int64_t *open, cv_err *e);

/* The rounds of doc (0: all) as a JSON array; status "open" lists only open ones (NULL: all). */
int cv_round_list(cv_store *s, int64_t doc, const char *status, json_t **out, cv_err *e);

/* One round with every recipient and response. */
int cv_round_show(cv_store *s, int64_t round, json_t **out, cv_err *e);

/* "41 of 47 organisations have sent comments" (and the others, and how many late). */
json_t *cv_round_progress_json(const cv_round_progress *p);

#endif
