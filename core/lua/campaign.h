/* campaign.h: campaigns with phases (propaganda phases, say) declared by a package with
 * convene.campaign{...}. Phases follow one another; a phase's boundary is a date, a journal event,
 * a state of the tree ("every grassroots congress in the subtree is held") or a Lua predicate.
 * Phase rows live in the store (lua_campaigns, lua_phases); entering and leaving a phase emits
 * phase.started / phase.ended in the transaction of the package's cursor. */
#ifndef CV_LUA_CAMPAIGN_H
#define CV_LUA_CAMPAIGN_H

#include "lua/package.h"

/* How many campaigns the package declared. */
int cv_lua_campaign_count(cv_lua_pkg *p);

/* Writes the declared campaigns and phases to the store (inside a transaction). */
int cv_lua_campaign_sync(cv_lua_pkg *p, cv_err *e);

/* Moves each campaign through as many phases as their boundaries allow given ev (NULL: only
 * dates and the state of the tree). Inside a transaction. */
int cv_lua_campaign_step(cv_lua_pkg *p, const cv_lua_event *ev, cv_err *e);

#endif
