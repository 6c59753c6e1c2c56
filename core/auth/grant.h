/* grant.h: roles scoped to a subtree (issue 10). A grant gives an account one role over one
 * organisation and everything below it (admin: over the whole store) from `starts` until `ends`.
 * Grants are never deleted: ending one sets `ends`, so who held which role when stays answerable.
 * The secretary role is the one exception to "the whole subtree": a secretary acts for its own
 * organisation only. Changes run inside the caller's transaction and journal grant.added and
 * grant.ended. Instants are real time (cv_clock_real), not the domain clock. */
#ifndef CV_AUTH_GRANT_H
#define CV_AUTH_GRANT_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

enum cv_role {
    CV_ROLE_ADMIN = 1u << 0,        /* the whole store: accounts, plugins, scripts, jobs, clock */
    CV_ROLE_OFFICE = 1u << 1,       /* congresses, work, documents, elections, people */
    CV_ROLE_ORGANISATION = 1u << 2, /* the personnel side: people, schemes, elections, complaints */
    CV_ROLE_SECRETARY = 1u << 3,    /* its own organisation's congress, work and rounds */
    CV_ROLE_SUBCOMMITTEE = 1u << 4, /* the work items and documents of subcommittees */
    CV_ROLE_INSPECTOR = 1u << 5,    /* inspections and their requests */
    CV_ROLE_VIEWER = 1u << 6,       /* reads the subtree */
};
#define CV_ROLE_COUNT 7
#define CV_ROLES_ALL  ((1u << CV_ROLE_COUNT) - 1)

/* The tree is at most this deep (national > province > district > grassroots > cell, with room
 * to spare): a walk up from any organisation stops here. */
#define CV_GRANT_DEPTH_MAX 16

/* The name of one role bit ("office"), "" for anything else. */
const char *cv_role_name(unsigned role);

/* Parses a role name into its bit. */
int cv_role_parse(const char *name, unsigned *role, cv_err *e);

/* Writes the names of the roles in mask, comma-separated, into buf[cap] ("none" when empty). */
void cv_role_names(unsigned mask, char *buf, size_t cap);

/* Grants role (one bit) to account_id over org_id (0 for admin, which is store-wide; every
 * other role needs an organisation) from now on. *id (if not NULL) receives the grant's id. */
int cv_grant_add(cv_store *s, int64_t account_id, unsigned role, int64_t org_id, int64_t *id,
                 cv_err *e);

/* Ends grant id now. Ending an ended grant is refused. */
int cv_grant_end(cv_store *s, int64_t id, cv_err *e);

/* The grants of account_id (0: everyone's), current ones only unless history, oldest first, as
 * a JSON array (new reference) in *out. */
int cv_grant_list(cv_store *s, int64_t account_id, int history, json_t **out, cv_err *e);

/* The roles account_id holds now over org_id: admin from anywhere, secretary only at org_id
 * itself, every other role from org_id or one of its ancestors. org_id 0 asks about the store
 * as a whole: only admin counts there. */
int cv_grant_roles(cv_store *s, int64_t account_id, int64_t org_id, unsigned *roles, cv_err *e);

/* Every role account_id holds now anywhere (for operations that act on no one organisation). */
int cv_grant_roles_anywhere(cv_store *s, int64_t account_id, unsigned *roles, cv_err *e);

/* Sets *yes when some active account holds a current admin grant. */
int cv_grant_admin_exists(cv_store *s, int *yes, cv_err *e);

/* Calls fn(email, arg) for the e-mail address of every active account that holds admin now
 * (accounts without an address are left out); stops at fn's first error. */
int cv_grant_admin_emails(cv_store *s, int (*fn)(const char *email, void *arg, cv_err *e),
                          void *arg, cv_err *e);

#endif
