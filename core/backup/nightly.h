/* nightly.h: the scheduled backup. The built-in job builtin.backup.nightly (action "backup",
 * paused until a folder is configured) makes a backup into backup.dir named
 * convene-YYYYMMDD-HHMMSS.db (local time), keeps the newest backup of each of the last
 * backup.daily days and of each of the last backup.weekly weeks (Monday to Sunday), and deletes
 * older ones only after the new one passed its checks. Each backup is journaled (backup.made or
 * backup.failed); a failure also queues a notification to backup.notify (a contact name). */
#ifndef CV_BACKUP_NIGHTLY_H
#define CV_BACKUP_NIGHTLY_H

#include <jansson.h>
#include <stdint.h>

#include "backup/backup.h"
#include "sched/run.h"
#include "store/store.h"

#define CV_BACKUP_JOB       "builtin.backup.nightly"
#define CV_BACKUP_KEEP_MAX  1000
#define CV_BACKUP_NOTIFY    "admins" /* the default recipient: a contact name */
#define CV_BACKUP_NAME_SIZE 64
#define CV_BACKUP_STAMP     24

/* Everything one scheduled backup needs, read on the loop thread so that the backup itself
 * touches neither the daemon's connection nor the clock. */
typedef struct cv_backup_plan {
    char src[CV_BACKUP_PATH_MAX]; /* the live store */
    char dir[CV_BACKUP_PATH_MAX]; /* backup.dir */
    char name[CV_BACKUP_NAME_SIZE];
    int daily, weekly;
    int offset_min; /* the organisation's zone, for names and days */
    int64_t now;
} cv_backup_plan;

/* What a scheduled backup did: the backup (when rc is 0), what retention deleted, the error. */
typedef struct cv_backup_outcome {
    int rc;
    cv_err err;
    cv_backup_result r;
    int deleted;
    char prune_error[256];
} cv_backup_outcome;

/* The local date and time of ms in a zone offset_min east of UTC as YYYYMMDD-HHMMSS. */
void cv_backup_stamp(int64_t ms, int offset_min, char out[CV_BACKUP_STAMP]);

/* Reads the settings (backup.dir, backup.daily, backup.weekly) into p for a backup at now. */
int cv_backup_plan_read(cv_store *s, int64_t now, int offset_min, cv_backup_plan *p, cv_err *e);

/* Makes the backup p describes and applies retention; any thread. Removes the temporary files
 * of scheduled backups that were killed. */
void cv_backup_nightly(const cv_backup_plan *p, const volatile int *stop, cv_backup_outcome *o);

/* Journals o (backup.made, and the store's record of the last good backup, or backup.failed and
 * a notification to backup.notify). Must be called inside a transaction. */
int cv_backup_record(cv_store *s, const cv_backup_plan *p, const cv_backup_outcome *o, cv_err *e);

/* Journals a backup made by hand (`convene backup`) as backup.made, in its own transaction. */
int cv_backup_record_manual(cv_store *s, const cv_backup_result *r, cv_err *e);

/* The last good backup as {at, file, last_event_id, size}, or NULL when none was made. */
json_t *cv_backup_last(cv_store *s);

/* The settings as JSON {dir, daily, weekly, notify, at, state}. */
int cv_backup_config_get(cv_store *s, json_t **out, cv_err *e);

/* Sets what is given (NULL: unchanged; at is HH:MM), journals backup.configured, and makes the
 * job active once a folder is set. */
typedef struct cv_backup_config {
    const char *dir, *notify, *at;
    int daily, weekly; /* -1: unchanged */
} cv_backup_config;
int cv_backup_config_set(cv_store *s, const cv_backup_config *c, cv_err *e);

/* The job action. With an async runner registered (the daemon's service), the backup is handed
 * to it and runs off the loop; without one (jobs run-now, jobs simulate) it runs here. */
typedef int (*cv_backup_async_fn)(void *runner, const cv_backup_plan *p, cv_err *e);
int cv_backup_register(cv_backup_async_fn async, void *runner, cv_err *e);

#endif
