/* meeting.h: meetings of the standing committee (hội nghị Ban Thường vụ), the executive committee
 * (hội nghị Ban Chấp hành) and the subcommittees, numbered per body within an organisation's
 * term (the 66th standing-committee meeting), with a date, agenda items and conclusions. */
#ifndef CV_MEETING_H
#define CV_MEETING_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

/* Which meeting: org's congress in term (NULL: current), body standing|executive|subcommittee
 * (with the subcommittee's code), and its number. */
typedef struct cv_meeting_key {
    const char *org, *term, *body, *subcommittee;
    int number;
} cv_meeting_key;

/* Schedules (or records) a meeting on date on (meeting.added). */
int cv_meeting_add(cv_store *s, const cv_meeting_key *k, const char *on, const char *title,
                   cv_err *e);

/* Appends an agenda item, optionally about a document (meeting.agenda_added); *n its number. */
int cv_meeting_agenda(cv_store *s, const cv_meeting_key *k, const char *title, int64_t doc, int *n,
                      cv_err *e);

/* Records the conclusion of agenda item item (0: of the meeting as a whole). The first
 * conclusion marks the meeting held (meeting.held); a meeting is not held before its date. */
int cv_meeting_conclude(cv_store *s, const cv_meeting_key *k, int item, const char *conclusion,
                        cv_err *e);

/* The meetings of org's congress (body NULL: all bodies) with their agendas. */
int cv_meeting_list(cv_store *s, const char *org, const char *term, const char *body, json_t **out,
                    cv_err *e);

#endif
