/* jobs.h: the scheduler in Lua: convene.every(cron, fn), convene.at(time, fn),
 * convene.before{...} and convene.after{...}. init.lua declares jobs; once the package has
 * loaded, cv_lua_jobs_loaded makes them durable jobs named "lua:PACKAGE:NAME" and deletes the
 * package's jobs it no longer declares, so a reload neither duplicates nor loses one. A job's
 * function runs as a hook inside the job's run transaction (action "lua"). */
#ifndef CV_LUA_JOBS_H
#define CV_LUA_JOBS_H

#include <lua.h>

#include "lua/package.h"

/* Adds every, at, before and after to the convene table at index t (api_modules.c). */
void cv_lua_api_register_jobs(lua_State *L, int t);

/* Registers the "lua" kind of job with the scheduler as one the daemon's scheduler leaves to
 * the package workers (cv_lua_jobs_loaded does it on first use; the daemon calls it on its loop
 * before any worker starts). */
int cv_lua_jobs_register(cv_err *e);

/* After p loaded (or reloaded): syncs its jobs and lets the "lua" action find it. Any thread. */
int cv_lua_jobs_loaded(cv_lua_pkg *p, cv_err *e);

/* Before p is freed: the "lua" action no longer finds it. */
void cv_lua_jobs_unloaded(cv_lua_pkg *p);

#endif
