/* sandbox.h: one sandboxed lua_State (DESIGN.md principle 5): safe libraries opened one by one,
 * text-only load, a memory cap, an instruction budget per callback that a script's pcall cannot
 * swallow, and bounded inputs to the C functions the budget cannot interrupt. It knows nothing
 * of the store or of the convene API (api.c adds that on top). */
#ifndef CV_LUA_SANDBOX_H
#define CV_LUA_SANDBOX_H

#include <lua.h>
#include <stddef.h>

#include "base/error.h"

#define CV_LUA_MEM_DEFAULT      (64u << 20) /* bytes a package may hold */
#define CV_LUA_BUDGET_DEFAULT   10000000    /* VM instructions per callback */
#define CV_LUA_REP_MAX          (4u << 20)  /* bytes string.rep may build */
#define CV_LUA_PATTERN_COST_MAX 1e8         /* subject_len^(quantifiers+1) a match may cost */
#define CV_LUA_WALL_MS_DEFAULT  500         /* wall-clock milliseconds per callback */
#define CV_LUA_SUBJECT_MAX      (1u << 20)  /* bytes of a pattern function's subject */
#define CV_LUA_HELD_ROW         256         /* bytes counted for each row the host holds */
#define CV_LUA_RANGE_MAX        (1u << 20)  /* elements table.move/insert/concat/sort may touch */

typedef struct cv_lua_sandbox cv_lua_sandbox;

/* A fresh state with the safe libraries; mem_cap and budget 0 take the defaults. */
int cv_lua_sandbox_new(size_t mem_cap, long budget, cv_lua_sandbox **out, cv_err *e);

/* The wall-clock milliseconds each later callback may take (0: the default). */
void cv_lua_sandbox_set_wall(cv_lua_sandbox *sb, long wall_ms);

/* Asks the running callback to stop (CV_EBUSY "interrupted": it did not finish, through no fault
 * of its own) at its next hook or bounded C call, and every later one. The only sandbox function
 * another thread may call (a watchdog, SIGTERM). */
void cv_lua_sandbox_interrupt(cv_lua_sandbox *sb);

/* Charges steps of C work done for the script to the callback's instruction budget and checks its
 * wall-clock deadline; raises the budget error (which the script cannot catch) when either is
 * spent. Every library function whose work grows with its input calls it before working. */
void cv_lua_sandbox_charge(lua_State *L, double steps);

/* Stops the callback with a limit error the script cannot catch (CV_ELIMIT from _call): a budget
 * of the package (notifications, log lines, hooks, jobs, cascade depth) is spent. */
int cv_lua_sandbox_stop(lua_State *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cv_lua_sandbox_free(cv_lua_sandbox *sb);

/* Counts bytes the host holds on the script's behalf (a queued notification, a log line, a
 * declared job) against the same cap as the Lua heap: one budget. for_call: released when the
 * callback ends; else held for the state's life. Past the cap the callback stops with the memory
 * error the script cannot catch (CV_ELIMIT from _call). */
void cv_lua_sandbox_hold(lua_State *L, size_t bytes, int for_call);

/* Bytes of cv_lua_sandbox_memory the host holds (the rest is the Lua heap). */
size_t cv_lua_sandbox_host(const cv_lua_sandbox *sb);

/* The thread CPU (nanoseconds) the next callbacks may still spend, INT64_MAX for no bound, and
 * the error that stops a callback past it (CV_ELIMIT; at once when left_ns <= 0). A package's
 * per-minute CPU budget sets it before each callback. */
void cv_lua_sandbox_set_cpu(cv_lua_sandbox *sb, int64_t left_ns, const char *reason);

/* Thread CPU nanoseconds the last callback spent (its worker's CPU clock). */
int64_t cv_lua_sandbox_cpu_used(const cv_lua_sandbox *sb);

lua_State *cv_lua_sandbox_state(cv_lua_sandbox *sb);

/* The sandbox that owns L (any of its threads). */
cv_lua_sandbox *cv_lua_sandbox_of(lua_State *L);

/* Compiles text (never bytecode) named chunkname ("@path" for a file) with the sandbox's globals
 * as its environment and pushes the function. */
int cv_lua_sandbox_load(cv_lua_sandbox *sb, const char *chunkname, const char *text, size_t len,
                        cv_err *e);

/* Calls the function below nargs arguments with a fresh instruction budget, like lua_pcall.
 * On error nothing is left on the stack and e holds "file:line: message" (CV_ESCRIPT), or
 * CV_ELIMIT when a budget or the memory cap stopped the script, or CV_EBUSY when it was
 * interrupted. */
int cv_lua_sandbox_call(cv_lua_sandbox *sb, int nargs, int nresults, cv_err *e);

/* Bytes the state holds now. */
size_t cv_lua_sandbox_memory(const cv_lua_sandbox *sb);

/* Raises "NAME is not available in the convene sandbox" for a blocked name. */
int cv_lua_sandbox_blocked(lua_State *L);

#endif
