/* store.h: the SQLite file that is the truth (DESIGN.md principle 1). One cv_store per open
 * connection: WAL, foreign keys, forward-only migrations keyed on user_version, and a cache of
 * prepared statements. SQL text is always a constant of the code, never built from user text. */
#ifndef CV_STORE_H
#define CV_STORE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

typedef struct cv_store cv_store;

/* Who causes the changes made through a store handle (DESIGN.md principle 9). Every journal
 * event records the actor set on its store when it was emitted; a store with no actor refuses
 * to emit. A front end sets it once (the CLI's account, the daemon's scheduler), and a guest
 * that writes for itself (a Lua package, a plugin) sets its own around its writes and puts the
 * previous one back. */
enum cv_actor_kind {
    CV_ACTOR_NONE = 0,
    CV_ACTOR_ACCOUNT,   /* a person or system signed in as an account */
    CV_ACTOR_TOKEN,     /* an account's API token (account_id and token_id set) */
    CV_ACTOR_PACKAGE,   /* a Lua package; via names the event or job that ran it */
    CV_ACTOR_SCHEDULER, /* the daemon's own jobs and reminders */
    CV_ACTOR_PLUGIN,    /* a plugin; via names the actor it acted for */
};

#define CV_ACTOR_NAME_MAX 64
#define CV_ACTOR_VIA_MAX  160

typedef struct cv_actor {
    int kind;                     /* enum cv_actor_kind */
    int64_t account_id;           /* the account (a token's account), else 0 */
    int64_t token_id;             /* CV_ACTOR_TOKEN: the token, else 0 */
    char name[CV_ACTOR_NAME_MAX]; /* login, package or plugin name, "scheduler" */
    char via[CV_ACTOR_VIA_MAX];   /* what ran it ("event 42", "job daily", "account an"), or "" */
    int64_t scope_org;            /* a package's own subtree (its roles apply there), else 0 */
    unsigned scope_roles; /* the roles a non-account actor holds on scope_org (cv_role bits) */
} cv_actor;

/* "account", "token", "package", "scheduler", "plugin" ("" for none). */
const char *cv_actor_kind_name(int kind);

enum cv_store_flags {
    CV_STORE_CREATE = 1, /* create the file if missing (convene init, tests) */
};

/* The path a command uses: an explicit one, else $CONVENE_DB, else ./convene.db. */
const char *cv_store_default_path(const char *explicit_path);

/* Opens (and with CV_STORE_CREATE, creates) the store at path and brings its schema up to date.
 * A store it creates is readable and writable by its owner only (0600; SQLite gives the WAL and
 * shared-memory files the same mode).
 * A store written by a newer convene is refused, and so is a 0-byte file unless creating. The
 * setting store.max_mb, when set, bounds the file's size. *out is owned by the caller:
 * cv_store_close. */
int cv_store_open(const char *path, int flags, cv_store **out, cv_err *e);

/* Finalizes every cached statement and closes the connection. NULL is allowed. */
void cv_store_close(cv_store *s);

/* A passive checkpoint of the store at path on a connection of its own, for a worker thread
 * while other connections write (the daemon's hands its checkpoints to one): *wal_pages frames
 * were in the WAL, *copied of them are now in the store. SQLITE_BUSY (readers or a writer in the
 * way) is not an error: the next checkpoint copies what this one could not. */
int cv_store_checkpoint(const char *path, int *wal_pages, int *copied, cv_err *e);

/* Sets the actor of every later change through s (copied); NULL clears it. */
void cv_store_set_actor(cv_store *s, const cv_actor *a);

/* The current actor; its kind is CV_ACTOR_NONE when none was set. */
const cv_actor *cv_store_actor(const cv_store *s);

sqlite3 *cv_store_db(cv_store *s);
const char *cv_store_path(const cv_store *s);

/* The schema version this build writes (the number of migrations). */
int cv_store_schema_version(void);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK, nesting as savepoints. A change and its journal event go
 * between one begin and its commit; on any error the caller rolls back (exactly once per
 * begin), so the store is exactly as it was. A failed commit is
 * rolled back by the caller like any other failure. */
int cv_store_begin(cv_store *s, cv_err *e);
int cv_store_commit(cv_store *s, cv_err *e);
void cv_store_rollback(cv_store *s);

/* The guard at the top of every domain function that changes the store: such a function runs in
 * its caller's transaction (the operations layer's, or a Lua write call's) and neither begins,
 * commits nor rolls back. Returns 0 inside a transaction; outside one, CV_ESTORE with an internal
 * error naming who (the function), so a caller that forgot fails instead of autocommitting. */
int cv_store_require_tx(cv_store *s, const char *who, cv_err *e);

/* Like cv_store_begin, but at depth 0 a deferred transaction: it reads without taking the write
 * lock, which its first change takes (and may fail to take, CV_ESTORE, when another connection
 * committed since it began: the caller rolls back and begins again). */
int cv_store_begin_deferred(cv_store *s, cv_err *e);

/* Returns a prepared statement for sql (a constant string), reset and with bindings cleared,
 * from the store's cache. The store owns it; do not finalize it. NULL on error (e set). */
sqlite3_stmt *cv_store_prepare(cv_store *s, const char *sql, cv_err *e);

/* Runs a statement that returns no rows to completion and resets it. */
int cv_store_exec(cv_store *s, sqlite3_stmt *st, cv_err *e);

/* Records SQLite's message for the last failure on s in e; returns CV_ESTORE, or CV_ECONFLICT
 * for a constraint violation. */
int cv_store_fail(cv_store *s, const char *doing, cv_err *e);

/* Whether a code is a failure of the store itself (busy, full, read-only, damaged, ...) rather
 * than of the work done in it: a service backs off and tries again later. */
int cv_store_faulted(int code);

/* The largest store.max_mb setting (the store's size bound; unset: none). */
#define CV_STORE_MAX_MB 1048576

/* Sets the store's size bound to mb (a whole number of MB, text) or removes it (NULL). Every
 * connection opened afterwards applies it; a write past it fails as on a full disk. */
int cv_store_limit_set(cv_store *s, const char *mb, cv_err *e);

/* Key-value settings (settings table). get copies into buf[cap]; returns CV_ENOTFOUND if unset. */
int cv_store_setting_get(cv_store *s, const char *key, char *buf, size_t cap, cv_err *e);
int cv_store_setting_set(cv_store *s, const char *key, const char *value, cv_err *e);

#endif
