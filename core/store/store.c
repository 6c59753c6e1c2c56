/* store.c: opening the SQLite file, migrating it forward, transactions and the statement cache.
 * It must never build SQL from user text and never leave a transaction open on return. */
#include "store.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/clock.h"
#include "base/text.h"
#include "migrations.h"

#define STMT_CACHE_MIN 64

struct cached_stmt {
    const char *sql; /* the constant text, compared by content */
    sqlite3_stmt *stmt;
};

struct cv_store {
    sqlite3 *db;
    char *path;
    struct cached_stmt *cache; /* open addressing, power-of-two size */
    size_t cache_cap, cache_len;
    int depth; /* nesting of cv_store_begin: 1 is the transaction, deeper ones savepoints */
    cv_actor actor;
};

const char *cv_actor_kind_name(int kind)
{
    static const char *const names[] = {"", "account", "token", "package", "scheduler", "plugin"};
    return kind > 0 && kind < (int)(sizeof names / sizeof names[0]) ? names[kind] : "";
}

void cv_store_set_actor(cv_store *s, const cv_actor *a)
{
    if (a)
        s->actor = *a;
    else
        memset(&s->actor, 0, sizeof s->actor);
}

const cv_actor *cv_store_actor(const cv_store *s)
{
    return &s->actor;
}

const char *cv_store_default_path(const char *explicit_path)
{
    if (explicit_path && *explicit_path)
        return explicit_path;
    const char *env = getenv("CONVENE_DB");
    return env && *env ? env : "./convene.db";
}

sqlite3 *cv_store_db(cv_store *s)
{
    return s->db;
}

const char *cv_store_path(const cv_store *s)
{
    return s->path;
}

/* The CV_E* code of an SQLite result: what the admin can do about it decides the exit status
 * (sysexits: 75 try again later, 74 the file or the disk, 65 a rule). */
static int code_of(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
        return CV_ECONFLICT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return CV_EBUSY;
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_CANTOPEN:
        return CV_EIO;
    default:
        return CV_ESTORE;
    }
}

int cv_store_fail(cv_store *s, const char *doing, cv_err *e)
{
    int code = code_of(sqlite3_extended_errcode(s->db));
    return cv_err_set(e, code, "%s: %s%s", doing, sqlite3_errmsg(s->db),
                      code == CV_EBUSY ? " (busy past the 5 s timeout: try again)" : "");
}

int cv_store_faulted(int code)
{
    return code == CV_ESTORE || code == CV_EIO || code == CV_EBUSY;
}

static int exec_sql(cv_store *s, const char *sql, const char *doing, cv_err *e)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return cv_store_fail(s, doing, e);
    return 0;
}

static int user_version(cv_store *s, int *v, cv_err *e)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return cv_store_fail(s, "reading the schema version", e);
    *v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return 0;
}

int cv_store_schema_version(void)
{
    return cv_migrations_count();
}

/* Refuses to commit a migration that left a reference dangling (foreign keys are off while
 * migrations run, so that a table can be rebuilt under the tables that refer to it). */
static int check_references(cv_store *s, cv_err *e)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK)
        return cv_store_fail(s, "checking references after a migration", e);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        cv_err_set(e, CV_ECONFLICT, "a migration left a row of %s referring to nothing",
                   (const char *)sqlite3_column_text(st, 0));
    else if (rc != SQLITE_DONE)
        cv_store_fail(s, "checking references after a migration", e);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : e->code;
}

/* Applies every migration above the file's user_version, each in its own transaction together
 * with the user_version bump, so a crash leaves the file at one version or the next. Runs
 * before foreign keys are turned on (see check_references). */
static int migrate(cv_store *s, cv_err *e)
{
    int have = 0, rc = user_version(s, &have, e);
    if (rc < 0)
        return rc;
    int want = cv_migrations_count();
    if (have > want)
        return cv_err_set(e, CV_ECONFLICT,
                          "%s has schema version %d but this convene knows only %d: upgrade "
                          "convene",
                          s->path, have, want);
    for (int v = have + 1; v <= want; v++) {
        char bump[48];
        snprintf(bump, sizeof bump, "PRAGMA user_version = %d", v);
        if (exec_sql(s, "BEGIN IMMEDIATE", "starting a migration", e) < 0)
            return e->code;
        if (exec_sql(s, cv_migration_sql(v), "migrating the store", e) < 0 ||
            check_references(s, e) < 0 || exec_sql(s, bump, "migrating the store", e) < 0 ||
            exec_sql(s, "COMMIT", "migrating the store", e) < 0) {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return e->code;
        }
    }
    return 0;
}

/* Process-wide SQLite settings, made before the first connection: no memory statistics (they
 * take a global mutex on every allocation, and convene never reads them). */
static void configure_sqlite(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* A file of 0 bytes is what SQLite would silently make a new store of: only `convene init`
 * (CV_STORE_CREATE) may. */
static int refuse_empty(const char *path, int flags, cv_err *e)
{
    struct stat st;
    if (!(flags & CV_STORE_CREATE) && stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
        st.st_size == 0)
        return cv_err_set(e, CV_EIO,
                          "%s is empty (0 bytes), not a convene store; 'convene init' makes one",
                          path);
    return 0;
}

static int parse_limit(const char *text, int64_t *mb, cv_err *e)
{
    if (cv_text_count(text, mb, "the store's limit", e) < 0 || *mb < 1 || *mb > CV_STORE_MAX_MB)
        return cv_err_set(e, CV_EINVAL,
                          "the store's limit must be a whole number of MB from 1 to %d, not '%s'",
                          CV_STORE_MAX_MB, text);
    return 0;
}

int cv_store_limit_set(cv_store *s, const char *mb, cv_err *e)
{
    int64_t v;
    if (!mb) {
        sqlite3_stmt *st =
            cv_store_prepare(s, "DELETE FROM settings WHERE key = 'store.max_mb'", e);
        return st ? cv_store_exec(s, st, e) : e->code;
    }
    if (parse_limit(mb, &v, e) < 0)
        return e->code;
    return cv_store_setting_set(s, "store.max_mb", mb, e);
}

/* The setting store.max_mb bounds the file (PRAGMA max_page_count, per connection): past it a
 * write fails with "database or disk is full", as it would on a full disk. */
static int apply_size_bound(cv_store *s, cv_err *e)
{
    char buf[32], sql[64];
    cv_err unset;
    int64_t mb;
    if (cv_store_setting_get(s, "store.max_mb", buf, sizeof buf, &unset) < 0)
        return 0;
    if (parse_limit(buf, &mb, e) < 0)
        return e->code;
    sqlite3_stmt *st = NULL;
    int page = 4096;
    if (sqlite3_prepare_v2(s->db, "PRAGMA page_size", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        page = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld", (long long)(mb * 1048576 / page));
    return exec_sql(s, sql, "bounding the store", e);
}

/* Creates path empty with mode 0600 if it does not exist yet, so that the store (and the WAL and
 * shared-memory files SQLite creates with the same mode) is never readable by others. */
static int create_private(const char *path, cv_err *e)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0)
        return close(fd), 0;
    if (errno == EEXIST)
        return 0;
    return cv_err_set(e, CV_EIO, "cannot create %s: %s", path, strerror(errno));
}

int cv_store_open(const char *path, int flags, cv_store **out, cv_err *e)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, configure_sqlite);
    if (refuse_empty(path, flags, e) < 0)
        return e->code;
    cv_store *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        free(s);
        return cv_err_set(e, CV_ENOMEM, "out of memory opening %s", path);
    }
    if ((flags & CV_STORE_CREATE) && create_private(path, e) < 0) {
        free(s->path);
        free(s);
        return e->code;
    }
    int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
                 ((flags & CV_STORE_CREATE) ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path, &s->db, oflags, NULL);
    if (rc != SQLITE_OK) {
        if (rc == SQLITE_CANTOPEN && !(flags & CV_STORE_CREATE))
            cv_err_set(e, CV_ENOTFOUND, "no store at %s: run 'convene init' first", path);
        else
            cv_err_set(e, CV_EIO, "cannot open %s: %s", path,
                       s->db ? sqlite3_errmsg(s->db) : "out of memory");
        cv_store_close(s);
        return e ? e->code : CV_EIO;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, 5000);
    /* A 32 MiB page cache (a bound, not an allocation) and in-memory temporary tables keep a
     * country-sized subtree walk off the disk. */
    if (exec_sql(s,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                 "PRAGMA cache_size=-32768; PRAGMA temp_store=MEMORY",
                 "configuring the store", e) < 0 ||
        migrate(s, e) < 0 ||
        exec_sql(s, "PRAGMA foreign_keys=ON", "configuring the store", e) < 0 ||
        apply_size_bound(s, e) < 0) {
        cv_store_close(s);
        return e ? e->code : CV_ESTORE;
    }
    *out = s;
    return 0;
}

/* A connection that has read nothing has not opened the WAL, and SQLite checkpoints nothing
 * through it: it reads the schema's version first. */
int cv_store_checkpoint(const char *path, int *wal_pages, int *copied, cv_err *e)
{
    sqlite3 *db = NULL;
    *wal_pages = *copied = 0;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(db, 1000);
        rc = sqlite3_exec(db, "PRAGMA schema_version", NULL, NULL, NULL);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, wal_pages, copied);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        cv_err_set(e, CV_ESTORE, "checkpointing %s: %s", path,
                   db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return rc == SQLITE_OK || rc == SQLITE_BUSY ? 0 : e->code;
}

void cv_store_close(cv_store *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->cache_cap; i++)
        sqlite3_finalize(s->cache[i].stmt);
    free(s->cache);
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

/* Nested begins become savepoints, so that a caller inside a transaction (a Lua package's write
 * call inside its hook's transaction) can undo its own part alone. */
int cv_store_begin(cv_store *s, cv_err *e)
{
    const char *sql = s->depth == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT nested";
    if (exec_sql(s, sql, "starting a transaction", e) < 0)
        return e->code;
    s->depth++;
    return 0;
}

int cv_store_require_tx(cv_store *s, const char *who, cv_err *e)
{
    if (s->depth > 0)
        return 0;
    return cv_err_set(e, CV_EINTERNAL,
                      "internal error: %s changes the store outside a transaction (its caller "
                      "must begin one)",
                      who);
}

int cv_store_begin_deferred(cv_store *s, cv_err *e)
{
    if (s->depth > 0)
        return cv_store_begin(s, e);
    if (exec_sql(s, "BEGIN DEFERRED", "starting a transaction", e) < 0)
        return e->code;
    s->depth++;
    return 0;
}

int cv_store_commit(cv_store *s, cv_err *e)
{
    assert(s->depth > 0);
    const char *sql = s->depth == 1 ? "COMMIT" : "RELEASE nested";
    if (exec_sql(s, sql, "committing", e) < 0)
        return e->code;
    s->depth--;
    return 0;
}

void cv_store_rollback(cv_store *s)
{
    assert(s->depth > 0);
    if (s->depth == 1)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    else
        sqlite3_exec(s->db, "ROLLBACK TO nested; RELEASE nested", NULL, NULL, NULL);
    s->depth--;
}

static size_t hash_sql(const char *sql)
{
    size_t h = 1469598103934665603u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)sql; *p; p++)
        h = (h ^ *p) * 1099511628211u;
    return h;
}

static struct cached_stmt *cache_slot(struct cached_stmt *tab, size_t cap, const char *sql)
{
    size_t i = hash_sql(sql) & (cap - 1);
    while (tab[i].sql && strcmp(tab[i].sql, sql) != 0)
        i = (i + 1) & (cap - 1);
    return &tab[i];
}

static int cache_grow(cv_store *s)
{
    size_t cap = s->cache_cap ? s->cache_cap * 2 : STMT_CACHE_MIN;
    struct cached_stmt *tab = calloc(cap, sizeof *tab);
    if (!tab)
        return -1;
    for (size_t i = 0; i < s->cache_cap; i++)
        if (s->cache[i].sql)
            *cache_slot(tab, cap, s->cache[i].sql) = s->cache[i];
    free(s->cache);
    s->cache = tab;
    s->cache_cap = cap;
    return 0;
}

sqlite3_stmt *cv_store_prepare(cv_store *s, const char *sql, cv_err *e)
{
    if ((s->cache_len + 1) * 2 > s->cache_cap && cache_grow(s) < 0) {
        cv_err_set(e, CV_ENOMEM, "out of memory preparing a statement");
        return NULL;
    }
    struct cached_stmt *slot = cache_slot(s->cache, s->cache_cap, sql);
    if (slot->stmt) {
        sqlite3_reset(slot->stmt);
        sqlite3_clear_bindings(slot->stmt);
        return slot->stmt;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        cv_store_fail(s, "preparing a statement", e);
        return NULL;
    }
    slot->sql = sql;
    slot->stmt = st;
    s->cache_len++;
    return st;
}

int cv_store_exec(cv_store *s, sqlite3_stmt *st, cv_err *e)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return cv_store_fail(s, "writing to the store", e);
    return 0;
}

int cv_store_setting_get(cv_store *s, const char *key, char *buf, size_t cap, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s, "SELECT value FROM settings WHERE key = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return cv_store_fail(s, "reading a setting", e);
        return cv_err_set(e, CV_ENOTFOUND, "setting '%s' is not set", key);
    }
    snprintf(buf, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return 0;
}

int cv_store_setting_set(cv_store *s, const char *key, const char *value, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s,
                                        "INSERT INTO settings(key, value) VALUES (?1, ?2) "
                                        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                                        e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    return cv_store_exec(s, st, e);
}
