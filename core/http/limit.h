/* limit.h: failed logins, limited per client address and per login name with growing delays.
 * After a few free failures each further one closes the door for twice as long as the last
 * (up to a cap); while it is closed every attempt, right password or not, is refused with the
 * seconds to wait. A login name that no account has is limited exactly like one that exists, so
 * the limit says nothing about which accounts exist. In memory, bounded, loop thread only. */
#ifndef CV_HTTP_LIMIT_H
#define CV_HTTP_LIMIT_H

#include <stdint.h>

#define CV_LIMIT_SLOTS      4096  /* addresses and names remembered at once */
#define CV_LIMIT_FREE_LOGIN 3     /* failures of one name before delays begin */
#define CV_LIMIT_FREE_PEER  10    /* failures from one address before delays begin */
#define CV_LIMIT_MAX_DELAY  900   /* seconds: the longest a door stays closed */
#define CV_LIMIT_FORGET     86400 /* seconds after its last failure that a slot is forgotten */

typedef struct cv_limit cv_limit;

cv_limit *cv_limit_new(void);
void cv_limit_free(cv_limit *l);

/* Milliseconds the caller must still wait before a login for name from peer may be tried (0:
 * go). now is in milliseconds (any origin), so a door closed for a second stays closed for a
 * whole second whatever the instant it closed at. */
int64_t cv_limit_wait(cv_limit *l, const char *peer, const char *name, int64_t now);

/* Records the outcome of a login tried at now: a failure counts against both peer and name; a
 * success forgets the name's failures (the address keeps its own). */
void cv_limit_record(cv_limit *l, const char *peer, const char *name, int ok, int64_t now);

#endif
