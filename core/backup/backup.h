/* backup.h: consistent copies of the store and putting one back. A backup is made from one read
 * snapshot of the live store through SQLite's online backup API, written under a temporary name
 * beside its destination, synced, verified and only then renamed into place, so a file carrying
 * a backup's name is always a whole, checked copy. Nothing here uses the clock or the loop: the
 * functions run on any thread with connections of their own. */
#ifndef CV_BACKUP_H
#define CV_BACKUP_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define CV_BACKUP_PATH_MAX 4096

typedef struct cv_backup_result {
    char file[CV_BACKUP_PATH_MAX];
    int64_t size;          /* bytes of the file */
    int64_t duration_ms;   /* the whole backup: copy, sync, checks and rename */
    int64_t copy_ms;       /* the copy alone (what `sqlite3 .backup` does) */
    int64_t last_event_id; /* the newest event in the copy (0: an empty journal) */
    int schema;            /* PRAGMA user_version of the copy */
} cv_backup_result;

/* Copies the store at src_path to dest (a file path; its directory must exist). The copy is
 * consistent at one instant of the live store, whoever writes to it meanwhile; it is a
 * rollback-journal file, complete without -wal or -shm beside it. When *stop becomes non-zero
 * (another thread), the copy or its checks are abandoned with CV_EBUSY and the temporary file
 * removed; stop may be NULL. On success r describes dest. */
int cv_backup_make(const char *src_path, const char *dest, const volatile int *stop,
                   cv_backup_result *r, cv_err *e);

/* Checks file as a backup: integrity_check, foreign_key_check, a schema this convene can open,
 * and a readable journal whose newest event is want_event_id (-1: any). Fills r. */
int cv_backup_verify(const char *file, int64_t want_event_id, cv_backup_result *r, cv_err *e);

/* Replaces the store at db_path by a checked copy of src. Refused (CV_EBUSY) while a daemon
 * serves db_path (its lock) or another connection keeps the store's WAL open. The replaced store
 * is kept as a hard link named in aside[cap] (empty when there was none). */
int cv_backup_restore(const char *src, const char *db_path, const char *stamp, char *aside,
                      size_t cap, cv_backup_result *r, cv_err *e);

#endif
