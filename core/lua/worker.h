/* worker.h: one Lua package off the daemon's loop (DESIGN.md principle 7). A worker is a thread
 * with its own store connection that owns the package's state: it loads it, hands it journal
 * events, steps its campaigns, runs its jobs (the "lua" kind, which the daemon's scheduler leaves
 * to it) and records what happened in the registry. The loop only posts requests (kick, tick,
 * reload, stop) and is told through an async handle when the worker wrote something. Nothing in
 * a package can hold the loop; a stuck package delays only itself. */
#ifndef CV_LUA_WORKER_H
#define CV_LUA_WORKER_H

#include <uv.h>

#include "lua/registry.h"

typedef struct cv_lua_worker cv_lua_worker;

/* Starts a worker for the package of r on the store at db_path; wrote is sent (uv_async_send,
 * which any thread may call) after each round that changed the store. */
int cv_lua_worker_start(const char *db_path, const cv_lua_reg *r, uv_async_t *wrote,
                        cv_lua_worker **out, cv_err *e);

/* Requests, from the loop thread; each returns at once. */
void cv_lua_worker_kick(cv_lua_worker *w);                        /* new events or jobs */
void cv_lua_worker_tick(cv_lua_worker *w);                        /* a new day, maybe */
void cv_lua_worker_reload(cv_lua_worker *w, const cv_lua_reg *r); /* load r's version */

/* Asks the worker to end: its running callback (and SQL statement) is interrupted at once, at
 * its next hook or bounded C call. Returns at once; many workers end side by side. */
void cv_lua_worker_cancel(cv_lua_worker *w);

/* Cancels the worker if not yet done, waits for its thread (milliseconds) and frees w. */
void cv_lua_worker_stop(cv_lua_worker *w);

#endif
