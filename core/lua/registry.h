/* registry.h: the lua_packages rows: which package folder serves which subtree, with its
 * configuration, the state the daemon last reported (added, loaded, failed, disabled), its last
 * error and a generation that `script reload` bumps to ask the daemon for a reload. */
#ifndef CV_LUA_REGISTRY_H
#define CV_LUA_REGISTRY_H

#include <jansson.h>
#include <stdint.h>

#include "base/text.h"
#include "lua/package.h"
#include "store/store.h"

typedef struct cv_lua_reg {
    char name[CV_LUA_NAME_MAX];
    char path[CV_LUA_PATH_MAX];
    char org[CV_CODE_MAX];
    char config[4096];
    char state[12];
    char last_error[600];
    char limits[1024];   /* JSON object of raised limits */
    char suspended[700]; /* why the package is suspended, "" while it runs */
    int64_t generation, cursor, lag;
} cv_lua_reg;

/* Registers a package (script.added); its cursor starts at the journal's end, so it handles the
 * events that follow, not the history. */
int cv_lua_reg_add(cv_store *s, const char *name, const char *path, const char *org,
                   const char *config, cv_err *e);

/* Records what loading or running a package gave: state and error (NULL clears it). */
int cv_lua_reg_record(cv_store *s, const char *name, const char *state, const char *error,
                      cv_err *e);

/* Suspends the package with its reason and journals script.suspended (the daemon, when a budget
 * is spent). */
int cv_lua_reg_suspend(cv_store *s, const char *name, const char *reason, cv_err *e);

/* Clears the suspension and asks the daemon for a reload (script.resumed, `script resume`). */
int cv_lua_reg_resume(cv_store *s, const char *name, cv_err *e);

/* Sets the package's raised limits (a JSON object cv_lua_limits_parse accepts) and asks for a
 * reload (script.limits, `script limits`). */
int cv_lua_reg_set_limits(cv_store *s, const char *name, const char *limits, cv_err *e);

/* Asks the daemon to reload the package (script.reload). */
int cv_lua_reg_bump(cv_store *s, const char *name, cv_err *e);

/* The registration as JSON (new reference). */
json_t *cv_lua_reg_json(const cv_lua_reg *r);

int cv_lua_reg_get(cv_store *s, const char *name, cv_lua_reg *out, cv_err *e);

/* Calls visit for each package by name; non-zero from visit stops the walk. */
typedef int (*cv_lua_reg_visit)(const cv_lua_reg *r, void *ctx);
int cv_lua_reg_list(cv_store *s, cv_lua_reg_visit visit, void *ctx, cv_err *e);

#endif
