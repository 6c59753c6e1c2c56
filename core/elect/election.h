/* election.h: elections of a congress by body and round (bầu cử): the list, floor nominees
 * admitted by opinion ballot, attendance giving the adjusted summoned base, the counting
 * committee's tally and the outcome by rules.h. States created -> open -> counted -> announced ->
 * approved; an announced result changes only by a recorded correction (who, why), an approved
 * one never. Every change emits its event (election.created, opened, counted, announced,
 * approved, corrected) with data {"id","org","term","body","round","seats","elected":[...]}. */
#ifndef CV_ELECTION_H
#define CV_ELECTION_H

#include <jansson.h>
#include <stdint.h>

#include "base/text.h"
#include "elect/rules.h"
#include "store/store.h"

#define CV_ELECT_MAX_CANDIDATES 2600 /* 2000 seats + 30% */

/* The bodies a congress elects (or, with 2 contents, has appointed). */
int cv_election_body_check(const char *body, cv_err *e);

/* What cv_election_create / cv_election_open take (contracts.md). */
typedef struct cv_election_spec {
    const char *org, *term; /* term NULL: the current one */
    const char *body; /* committee standing secretary deputy inspection delegates alternates */
    int64_t seats;    /* <= 0: the seats of the personnel scheme */
    const char *const *candidates; /* person codes, in list order */
    int count;
} cv_election_spec;

typedef struct cv_election {
    int64_t id, congress_id, org_id, previous_id;
    char org[CV_CODE_MAX], org_name[CV_NAME_MAX], term[16], kind[12], body[16], status[12];
    int round, direct_secretary;
    int64_t seats;
    cv_tie_rule tie;
    cv_attendance att; /* summoned and attending are -1 while unknown */
    int64_t base;      /* -1 until opened */
    cv_tally tally;    /* -1s until counted */
} cv_election;

typedef struct cv_candidate {
    int64_t person_id;
    char code[CV_CODE_MAX], name[CV_NAME_MAX], born[11];
    int position;
    char source[8];        /* list, floor, self */
    int64_t opinion_agree; /* -1 when no opinion ballot was needed */
    int64_t votes;         /* -1 until counted */
    char outcome[12];      /* "", elected, tied, below, outvoted */
} cv_candidate;

/* Creates an election in state created with the listed candidates (election.created). The body
 * must exist under the congress's contents; the list may have at most 30% more names than
 * seats; nobody already elected to the body may stand again. */
int cv_election_create(cv_store *s, const cv_election_spec *spec, int64_t *id, cv_err *e);

/* Creates and opens in one step, with the attendance of the congress's latest election (the
 * same session): the call Lua procedures use, e.g. the secretary after the committee. */
int cv_election_open(cv_store *s, const cv_election_spec *spec, int64_t *id, cv_err *e);

/* Opens a created election: fixes its list and its base (election.opened). */
int cv_election_start(cv_store *s, int64_t id, cv_err *e);

/* Adds a person to a created election's list; source "floor" or "self" needs agree votes in an
 * opinion ballot of more than 30% of those attending (agree ignored for "list"). */
int cv_election_add_candidate(cv_store *s, int64_t id, const char *person, const char *source,
                              int64_t agree, cv_err *e);
int cv_election_remove_candidate(cv_store *s, int64_t id, const char *person, cv_err *e);

/* Records attendance of a created election (summoned must be given; attending -1 = unknown). */
int cv_election_set_attendance(cv_store *s, int64_t id, const cv_attendance *a, cv_err *e);

/* Enters the tally (votes[i] for person codes[i], every candidate exactly once), reconciles
 * it, decides the outcome and moves open (or counted) to counted (election.counted). */
int cv_election_tally(cv_store *s, int64_t id, const cv_tally *t, const char *const *codes,
                      const int64_t *votes, int n, cv_err *e);

int cv_election_announce(cv_store *s, int64_t id, cv_err *e);
int cv_election_approve(cv_store *s, int64_t id, cv_err *e);

/* Replaces the tally of an announced election, recording who and why with the figures before
 * and after (election.corrected). Approved results are final. */
int cv_election_correct(cv_store *s, int64_t id, const char *by, const char *reason,
                        const cv_tally *t, const char *const *codes, const int64_t *votes, int n,
                        cv_err *e);

/* Opens the next round of a counted (or later) election for its seats still free: among the
 * tied for the last seat, else among those not elected, or among codes when given (the
 * congress adds names); those elected to the body in earlier rounds are refused. */
int cv_election_next_round(cv_store *s, int64_t id, const char *const *codes, int n,
                           int64_t *next_id, cv_err *e);

int cv_election_get(cv_store *s, int64_t id, cv_election *out, cv_err *e);

/* The candidates of an election in list order into *out (malloc'd; free it), *n of them. */
int cv_election_candidates(cv_store *s, int64_t id, cv_candidate **out, int *n, cv_err *e);

/* The election with candidates, threshold, figures, corrections and what comes next. */
int cv_election_json(cv_store *s, int64_t id, json_t **out, cv_err *e);

/* The event data of contracts.md. */
int cv_election_event_data(cv_store *s, int64_t id, json_t **out, cv_err *e);

/* Calls visit with the id of each election of the congress of org in term, by body and round. */
int cv_election_list(cv_store *s, const char *org, const char *term,
                     int (*visit)(int64_t id, void *ctx), void *ctx, cv_err *e);

#endif
