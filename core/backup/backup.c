/* backup.c: making, checking and restoring copies of the store (see backup.h). It owns the
 * temporary files it writes and removes them on every failure; it never writes to the live
 * store, and never lets a half-written file carry the name of a backup or of the store. */
#include "backup/backup.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "store/store.h"

/* Pages copied per backup step (4 MiB of 4 KiB pages): the copy looks at the stop flag this
 * often. The steps read one snapshot (see copy_pages), so no step ever waits for a writer. */
#define PAGES_PER_STEP 1024

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int db_fail(sqlite3 *db, const char *doing, const char *file, cv_err *e)
{
    return cv_err_set(e, CV_ESTORE, "%s %s: %s", doing, file,
                      db ? sqlite3_errmsg(db) : "out of memory");
}

/* The directory of path (into dir[cap]) and its last component (into base[cap]). */
static void split_path(const char *path, char *dir, char *base, size_t cap)
{
    char a[CV_BACKUP_PATH_MAX], b[CV_BACKUP_PATH_MAX];
    snprintf(a, sizeof a, "%s", path);
    snprintf(b, sizeof b, "%s", path);
    snprintf(dir, cap, "%s", dirname(a));
    snprintf(base, cap, "%s", basename(b));
}

/* Syncs a directory, so that a rename or unlink in it survives a power cut. */
static int sync_dir(const char *dir, cv_err *e)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) < 0) {
        int err = errno;
        if (fd >= 0)
            close(fd);
        return cv_err_set(e, CV_EIO, N_("cannot sync %s: %s"), dir, strerror(err));
    }
    close(fd);
    return 0;
}

static int path_exists(const char *path, const char *suffix)
{
    char p[CV_BACKUP_PATH_MAX + 8];
    struct stat st;
    snprintf(p, sizeof p, "%s%s", path, suffix);
    return stat(p, &st) == 0;
}

/* One integer from a statement of one row (user_version, max(id)). */
static int query_int(sqlite3 *db, const char *sql, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

static int verify_file(const char *file, int64_t want_event_id, const volatile int *stop,
                       cv_backup_result *r, cv_err *e);

/* Opens the live store and starts the read transaction the whole copy is made from: in WAL mode
 * it never blocks a writer, and because it stays open across the backup's steps, writes made
 * meanwhile by other connections neither enter the copy nor restart it. */
static int open_source(const char *path, sqlite3 **db, int64_t *last_id, cv_err *e)
{
    if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        return cv_err_set(e, CV_ENOTFOUND, N_("cannot open the store %s: %s"), path,
                          *db ? sqlite3_errmsg(*db) : "out of memory");
    sqlite3_busy_timeout(*db, 5000);
    if (sqlite3_exec(*db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(*db, "cannot read", path, e);
    if (query_int(*db, "SELECT coalesce(max(id), 0) FROM events", last_id) < 0)
        return cv_err_set(e, CV_EINVAL, N_("%s is not a convene store: %s"), path,
                          sqlite3_errmsg(*db));
    return 0;
}

/* Copies every page of src into the empty file tmp in steps, then turns the copy into a
 * rollback-journal database (one self-contained file). */
static int copy_pages(sqlite3 *src, const char *tmp, const volatile int *stop, cv_err *e)
{
    sqlite3 *dst = NULL;
    int rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE, NULL);
    if (rc != SQLITE_OK || sqlite3_exec(dst, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF",
                                        NULL, NULL, NULL) != SQLITE_OK) {
        db_fail(dst, "cannot write", tmp, e);
        sqlite3_close(dst);
        return e->code;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    rc = b ? SQLITE_OK : sqlite3_errcode(dst);
    while (rc == SQLITE_OK && !(stop && *stop))
        rc = sqlite3_backup_step(b, PAGES_PER_STEP);
    int finish = sqlite3_backup_finish(b);
    if (rc == SQLITE_OK)
        cv_err_set(e, CV_EBUSY, N_("the backup to %s was stopped"), tmp);
    else if (rc != SQLITE_DONE || finish != SQLITE_OK)
        cv_err_set(e, rc == SQLITE_FULL ? CV_EIO : CV_ESTORE, N_("copying into %s: %s"), tmp,
                   sqlite3_errstr(rc != SQLITE_DONE ? rc : finish));
    else if (sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK)
        db_fail(dst, "cannot finish", tmp, e);
    else
        rc = 0;
    sqlite3_close(dst);
    return rc == 0 ? 0 : e->code;
}

/* Opens (creating) and locks the temporary file of a backup to dest: ".NAME.partial" in dest's
 * directory. The lock makes two backups to one name refuse each other; a file left by a killed
 * backup is not locked and is reused. */
static int open_partial(const char *dest, char *tmp, size_t cap, int *fd, cv_err *e)
{
    char dir[CV_BACKUP_PATH_MAX], base[CV_BACKUP_PATH_MAX];
    split_path(dest, dir, base, sizeof dir);
    if ((size_t)snprintf(tmp, cap, "%s/.%s.partial", dir, base) >= cap)
        return cv_err_set(e, CV_EINVAL, N_("the path %s is too long"), dest);
    *fd = open(tmp, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (*fd < 0)
        return cv_err_set(e, CV_EIO, N_("cannot write %s: %s"), tmp, strerror(errno));
    if (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
        close(*fd);
        *fd = -1;
        return cv_err_set(e, CV_EBUSY, N_("another backup is writing %s"), dest);
    }
    if (ftruncate(*fd, 0) < 0)
        return cv_err_set(e, CV_EIO, N_("cannot write %s: %s"), tmp, strerror(errno));
    return 0;
}

static int check_dest(const char *dest, cv_err *e)
{
    struct stat st;
    if (stat(dest, &st) == 0 && S_ISDIR(st.st_mode))
        return cv_err_set(e, CV_EINVAL, N_("%s is a directory: name the backup file"), dest);
    if (path_exists(dest, "-wal"))
        return cv_err_set(e, CV_EBUSY, N_("%s is open as a live store (%s-wal exists)"), dest,
                          dest);
    return 0;
}

/* The copy, its sync and its checks, into tmp (open as fd). */
static int write_checked(const char *src_path, const char *tmp, int fd, const volatile int *stop,
                         cv_backup_result *r, cv_err *e)
{
    sqlite3 *src = NULL;
    int64_t t0 = monotonic_ms(), last_id;
    int rc = open_source(src_path, &src, &last_id, e);
    if (rc == 0)
        rc = copy_pages(src, tmp, stop, e);
    sqlite3_close(src); /* ends the read transaction */
    r->copy_ms = monotonic_ms() - t0;
    if (rc < 0)
        return rc;
    if (fsync(fd) < 0)
        return cv_err_set(e, CV_EIO, N_("cannot sync %s: %s"), tmp, strerror(errno));
    return verify_file(tmp, last_id, stop, r, e);
}

int cv_backup_make(const char *src_path, const char *dest, const volatile int *stop,
                   cv_backup_result *r, cv_err *e)
{
    char tmp[CV_BACKUP_PATH_MAX], dir[CV_BACKUP_PATH_MAX], base[CV_BACKUP_PATH_MAX];
    int fd = -1;
    int64_t t0 = monotonic_ms();
    memset(r, 0, sizeof *r);
    if (check_dest(dest, e) < 0 || open_partial(dest, tmp, sizeof tmp, &fd, e) < 0) {
        if (fd >= 0)
            close(fd);
        return e->code;
    }
    int rc = write_checked(src_path, tmp, fd, stop, r, e);
    split_path(dest, dir, base, sizeof dir);
    if (rc == 0 && rename(tmp, dest) < 0)
        rc = cv_err_set(e, CV_EIO, N_("cannot rename %s to %s: %s"), tmp, dest, strerror(errno));
    if (rc == 0)
        rc = sync_dir(dir, e);
    if (rc < 0)
        unlink(tmp); /* still ours: we hold its lock */
    close(fd);
    if (rc < 0)
        return rc;
    snprintf(r->file, sizeof r->file, "%s", dest);
    r->duration_ms = monotonic_ms() - t0;
    return 0;
}

/* Runs a check pragma; its first row, if any, is the first problem it found. */
static int check_pragma(sqlite3 *db, const char *sql, int ok_is_row, const char *file, cv_err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    const char *first = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    if (rc == SQLITE_ROW && ok_is_row && (!first || strcmp(first, "ok") != 0))
        cv_err_set(e, CV_ECONFLICT, N_("%s fails %s: %s"), file, sql + 7, first ? first : "");
    else if (rc == SQLITE_ROW && !ok_is_row)
        cv_err_set(e, CV_ECONFLICT, N_("%s fails %s: %s has rows referring to nothing"), file,
                   sql + 7, first ? first : "");
    else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        db_fail(db, "cannot check", file, e);
    else
        rc = 0;
    sqlite3_finalize(st);
    return rc == 0 ? 0 : e->code;
}

static int verify_open(sqlite3 *db, const char *file, int64_t want, cv_backup_result *r, cv_err *e)
{
    int64_t version, last;
    if (check_pragma(db, "PRAGMA integrity_check", 1, file, e) < 0 ||
        check_pragma(db, "PRAGMA foreign_key_check", 0, file, e) < 0)
        return e->code;
    if (query_int(db, "PRAGMA user_version", &version) < 0 ||
        query_int(db, "SELECT coalesce(max(id), 0) FROM events", &last) < 0)
        return cv_err_set(e, CV_ECONFLICT, N_("%s is not a convene store"), file);
    if (version < 1 || version > cv_store_schema_version())
        return cv_err_set(e, CV_ECONFLICT,
                          N_("%s has schema version %lld; this convene reads 1 to %d"), file,
                          (long long)version, cv_store_schema_version());
    if (want >= 0 && last != want)
        return cv_err_set(e, CV_ECONFLICT, N_("%s ends at event %lld, the store was at %lld"), file,
                          (long long)last, (long long)want);
    r->schema = (int)version;
    r->last_event_id = last;
    return 0;
}

/* SQLite's progress handler: a non-zero return interrupts the statement (a long check). */
static int stopped(void *stop)
{
    return stop && *(const volatile int *)stop;
}

/* The checks of cv_backup_verify, interrupted (CV_EBUSY) once *stop becomes non-zero. */
static int verify_file(const char *file, int64_t want_event_id, const volatile int *stop,
                       cv_backup_result *r, cv_err *e)
{
    struct stat st;
    if (stat(file, &st) < 0 || !S_ISREG(st.st_mode))
        return cv_err_set(e, CV_ENOTFOUND, N_("no backup file at %s"), file);
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(file, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        db_fail(db, "cannot open", file, e);
        sqlite3_close(db);
        return e->code;
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_progress_handler(db, 10000, stopped, (void *)stop);
    int rc = verify_open(db, file, want_event_id, r, e);
    sqlite3_close(db);
    if (rc < 0 && stopped((void *)stop))
        return cv_err_set(e, CV_EBUSY, N_("the backup to %s was stopped"), file);
    if (rc < 0)
        return rc;
    r->size = (int64_t)st.st_size;
    snprintf(r->file, sizeof r->file, "%s", file);
    return 0;
}

int cv_backup_verify(const char *file, int64_t want_event_id, cv_backup_result *r, cv_err *e)
{
    return verify_file(file, want_event_id, NULL, r, e);
}

/* Folds the live store's WAL into its file and closes it. A WAL still there afterwards means
 * another connection holds the store open: a restore under it would be lost. */
static int quiesce(const char *db_path, cv_err *e)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(db, 5000);
        rc = sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK)
        db_fail(db, "cannot checkpoint", db_path, e);
    sqlite3_close(db);
    if (rc != SQLITE_OK)
        return e->code;
    if (path_exists(db_path, "-wal"))
        return cv_err_set(
            e, CV_EBUSY,
            N_("%s is open in another convene process (%s-wal remains): stop it first"), db_path,
            db_path);
    char shm[CV_BACKUP_PATH_MAX + 8];
    snprintf(shm, sizeof shm, "%s-shm", db_path);
    unlink(shm); /* a stale index of no WAL */
    return 0;
}

/* Keeps the store about to be replaced as DB.replaced-STAMP (a hard link: the store keeps its
 * name until the new one takes it in one rename). */
static int set_aside(const char *db_path, const char *stamp, char *aside, size_t cap, cv_err *e)
{
    for (int n = 1; n < 100; n++) {
        int len = n == 1 ? snprintf(aside, cap, "%s.replaced-%s", db_path, stamp)
                         : snprintf(aside, cap, "%s.replaced-%s-%d", db_path, stamp, n);
        if (len < 0 || (size_t)len >= cap)
            return cv_err_set(e, CV_EINVAL, N_("the path %s is too long"), db_path);
        if (link(db_path, aside) == 0)
            return 0;
        if (errno != EEXIST)
            return cv_err_set(e, CV_EIO, N_("cannot keep %s as %s: %s"), db_path, aside,
                              strerror(errno));
    }
    return cv_err_set(e, CV_EIO, N_("too many replaced stores beside %s"), db_path);
}

static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

int cv_backup_restore(const char *src, const char *db_path, const char *stamp, char *aside,
                      size_t cap, cv_backup_result *r, cv_err *e)
{
    int lock_fd = -1, had_store = path_exists(db_path, "");
    *aside = '\0';
    if (cv_daemon_lock(db_path, &lock_fd, e) < 0)
        return e->code;
    int rc = same_file(src, db_path) ? cv_err_set(e, CV_EINVAL, N_("%s is the store itself"), src)
                                     : cv_backup_verify(src, -1, r, e);
    if (rc == 0 && had_store && (rc = quiesce(db_path, e)) == 0)
        rc = set_aside(db_path, stamp, aside, cap, e);
    if (rc == 0 && (rc = cv_backup_make(src, db_path, NULL, r, e)) < 0 && *aside) {
        unlink(aside); /* the store was not replaced: nothing to keep */
        *aside = '\0';
    }
    close(lock_fd);
    return rc;
}
