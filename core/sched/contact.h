/* contact.h: the contacts table: a person's or unit's name (as written on work items, or an
 * organisation code) to the addresses reminders go to, per channel (smtp, webhook, log). */
#ifndef CV_CONTACT_H
#define CV_CONTACT_H

#include <jansson.h>

#include "store/store.h"

int cv_contact_add(cv_store *s, const char *name, const char *channel, const char *address,
                   cv_err *e);
int cv_contact_remove(cv_store *s, const char *name, const char *channel, const char *address,
                      cv_err *e);

/* The contacts as [{"name", "channel", "address"}], all or of one name (NULL: all). */
int cv_contact_list(cv_store *s, const char *name, json_t **out, cv_err *e);

/* Calls visit(channel, address, ctx) for each address of name. A name without any contact is
 * visited once as ("log", name) so that no reminder silently vanishes. */
typedef int (*cv_contact_visit)(const char *channel, const char *address, void *ctx, cv_err *e);
int cv_contact_resolve(cv_store *s, const char *name, cv_contact_visit visit, void *ctx, cv_err *e);

#endif
