/* check.h: `convene script check`: loads a package against a store and reports misuse of the
 * API that loading alone would not show (names that are not part of the convene table, hooks on
 * event types nothing emits). Read-only. */
#ifndef CV_LUA_CHECK_H
#define CV_LUA_CHECK_H

#include <jansson.h>

#include "store/store.h"

/* Fills *report (owned by the caller) with {"package", "org", "hooks": [...], "campaigns": n,
 * "findings": [{"file", "line", "message"}]}. Returns CV_ESCRIPT when the package does not load
 * (the message in e) and 0 otherwise, findings or not. */
int cv_lua_check(cv_store *s, const char *path, const char *org, const char *config,
                 json_t **report, cv_err *e);

#endif
