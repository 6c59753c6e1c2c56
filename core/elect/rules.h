/* rules.h: the party's election rules as pure functions over numbers (244-QĐ/TW, 190-QĐ/TW):
 * the adjusted summoned base of each congress kind, the threshold, the reconciliation of a tally,
 * the opinion ballot for floor nominees, the surplus of a list and the outcome of a round. No
 * store, no clock: the store-facing code in election.c calls these and nothing else decides. */
#ifndef CV_ELECT_RULES_H
#define CV_ELECT_RULES_H

#include <stdint.h>

#include "base/error.h"

/* Who was summoned and who is left out of the base, as the counting committee reports it. */
typedef struct cv_attendance {
    int64_t summoned;          /* official members (or official delegates) summoned */
    int64_t transferred;       /* members' congress: on temporary transfer */
    int64_t exempt_absent;     /* members' congress: exempted from activity and absent */
    int64_t suspended;         /* members' congress: suspended or prosecuted */
    int64_t excused_absent;    /* members' congress: absent all congress, reason accepted */
    int64_t convening_absent;  /* delegates' congress: convening committee absent all congress */
    int64_t unreplaced_absent; /* delegates' congress: absent all congress, no alternate */
    int64_t alternates_in;     /* delegates' congress: alternates replacing absent delegates */
    int64_t attending;         /* present at the session (opinion ballots, ballots issued) */
} cv_attendance;

/* The adjusted summoned base of a "members" or "delegates" congress into *base, refusing
 * deductions that are not of that kind or exceed those summoned. Probationary members are never
 * counted in summoned. */
int cv_rules_base(const char *kind, const cv_attendance *a, int64_t *base, cv_err *e);

/* Strictly more than half of the base: floor(base/2) + 1 votes. */
int64_t cv_rules_threshold(int64_t base);

/* A floor or self nominee goes on the list only with more than 30% of those attending. */
int cv_rules_opinion_admits(int64_t agree, int64_t attending);

/* The largest list for seats: a surplus of at most 30% of the seats. */
int64_t cv_rules_max_candidates(int64_t seats);

typedef struct cv_tally {
    int64_t issued, returned, valid, invalid;
} cv_tally;

/* Reconciles a tally: returned <= issued, valid + invalid = returned, issued <= attending (when
 * attending >= 0), each candidate's votes <= valid, all votes <= valid x seats. */
int cv_rules_reconcile(const cv_tally *t, int64_t attending, int64_t seats, const int64_t *votes,
                       int n, cv_err *e);

enum cv_outcome {
    CV_OUT_NONE = 0,
    CV_OUT_ELECTED,  /* passed and within the seats */
    CV_OUT_TIED,     /* passed, tied for the last seat: goes to a new round */
    CV_OUT_BELOW,    /* not more than half of the base */
    CV_OUT_OUTVOTED, /* passed, but more passed than seats and others had more votes */
};

const char *cv_outcome_name(int outcome);

typedef enum cv_tie_rule {
    CV_TIE_REVOTE = 0, /* vote again among the tied (the default) */
    CV_TIE_OLDER = 1,  /* the older person takes the seat (state elections); unknown ages revote */
} cv_tie_rule;

int cv_tie_rule_parse(const char *s, cv_tie_rule *out, cv_err *e);
const char *cv_tie_rule_name(cv_tie_rule r);

/* One candidate of a round as the outcome sees them. born is "" when unknown. */
typedef struct cv_rules_candidate {
    int64_t votes;
    char born[11];
    int outcome; /* out */
} cv_rules_candidate;

typedef struct cv_rules_result {
    int64_t threshold;
    int elected;        /* how many were elected in this round */
    int passed;         /* how many had more than half of the base */
    int tied;           /* how many are tied for the last seats (CV_OUT_TIED) */
    int64_t next_seats; /* seats left for a further round: 0 when the round filled them */
} cv_rules_result;

/* Decides the round: passers by votes, most votes win when more pass than seats, a tie for the
 * last seat goes to a new round among the tied (or to the older with CV_TIE_OLDER), too few
 * passing leaves seats for a further round. Never elects at or below half of the base, never
 * more than seats. */
void cv_rules_outcome(int64_t base, int64_t seats, cv_tie_rule tie, cv_rules_candidate *c, int n,
                      cv_rules_result *r);

#endif
