/* nightly.c: the scheduled backup (see nightly.h): its settings, the job action, retention and
 * the journal of each backup. Retention deletes only files named like a scheduled backup, and
 * only after the new backup passed its checks; it never touches anything else in the folder. */
#include "backup/nightly.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/grant.h"
#include "base/clock.h"
#include "base/date.h"
#include "sched/contact.h"
#include "sched/job.h"
#include "store/journal.h"
#include "store/outbox.h"

#define FILES_MAX 10000 /* backups looked at in one folder */
#define NAME_LEN  26    /* convene-YYYYMMDD-HHMMSS.db */

static int setting_int(cv_store *s, const char *key, int dflt, int *out, cv_err *e)
{
    char buf[32];
    int rc = cv_store_setting_get(s, key, buf, sizeof buf, e);
    if (rc == CV_ENOTFOUND) {
        *out = dflt;
        return 0;
    }
    if (rc < 0)
        return rc;
    char *end;
    long v = strtol(buf, &end, 10);
    if (*end || v < 0 || v > CV_BACKUP_KEEP_MAX)
        return cv_err_set(e, CV_EINVAL, N_("setting %s is not a count of 0 to %d"), key,
                          CV_BACKUP_KEEP_MAX);
    *out = (int)v;
    return 0;
}

void cv_backup_stamp(int64_t ms, int offset_min, char out[CV_BACKUP_STAMP])
{
    int64_t local = ms + (int64_t)offset_min * 60000;
    int64_t days = local >= 0 ? local / 86400000 : (local - 86399999) / 86400000;
    int64_t sec = (local - days * 86400000) / 1000;
    char date[11];
    cv_date_from_days(days, date);
    snprintf(out, CV_BACKUP_STAMP, "%.4s%.2s%.2s-%02d%02d%02d", date, date + 5, date + 8,
             (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60));
}

int cv_backup_plan_read(cv_store *s, int64_t now, int offset_min, cv_backup_plan *p, cv_err *e)
{
    char st[CV_BACKUP_STAMP];
    memset(p, 0, sizeof *p);
    if (cv_store_setting_get(s, "backup.dir", p->dir, sizeof p->dir, e) < 0)
        return e->code == CV_ENOTFOUND
                   ? cv_err_set(e, CV_EINVAL,
                                N_("no backup folder: convene backup config --dir DIR"))
                   : e->code;
    if (setting_int(s, "backup.daily", 7, &p->daily, e) < 0 ||
        setting_int(s, "backup.weekly", 4, &p->weekly, e) < 0)
        return e->code;
    snprintf(p->src, sizeof p->src, "%s", cv_store_path(s));
    cv_backup_stamp(now, offset_min, st);
    snprintf(p->name, sizeof p->name, "convene-%s.db", st);
    p->offset_min = offset_min;
    p->now = now;
    return 0;
}

/* Whether name is a scheduled backup's (convene-YYYYMMDD-HHMMSS.db with a real date); its day
 * number into *day. */
static int backup_day(const char *name, int64_t *day)
{
    static const char shape[] = "convene-99999999-999999.db";
    if (strlen(name) != NAME_LEN)
        return 0;
    for (int i = 0; i < NAME_LEN; i++)
        if (shape[i] == '9' ? name[i] < '0' || name[i] > '9' : name[i] != shape[i])
            return 0;
    char date[11];
    cv_err ignored;
    snprintf(date, sizeof date, "%.4s-%.2s-%.2s", name + 8, name + 12, name + 14);
    if (cv_date_check(date, "backup", &ignored) < 0)
        return 0;
    *day = cv_date_days(date);
    return 1;
}

/* Monday-based week of a day number (1970-01-01 was a Thursday). */
static int64_t week_of(int64_t day)
{
    int64_t d = day + 3;
    return d >= 0 ? d / 7 : (d - 6) / 7;
}

static int newest_first(const void *a, const void *b)
{
    return -strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether name is a scheduled backup's temporary file (.convene-YYYYMMDD-HHMMSS.db.partial). */
static int is_partial(const char *name)
{
    char inner[NAME_LEN + 1];
    int64_t day;
    if (strlen(name) != NAME_LEN + 9 || name[0] != '.' || strcmp(name + NAME_LEN + 1, ".partial"))
        return 0;
    snprintf(inner, sizeof inner, "%.*s", NAME_LEN, name + 1);
    return backup_day(inner, &day);
}

/* Removes a killed scheduled backup's temporary file: one nobody holds the lock of. */
static void remove_stale_partial(const char *dir, const char *name)
{
    char path[CV_BACKUP_PATH_MAX + 300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
        unlink(path);
    if (fd >= 0)
        close(fd);
}

/* Reads the folder's backups (malloc'ed names, newest first) and removes stale partials. */
static int list_backups(const char *dir, char ***out, size_t *n, cv_err *e)
{
    DIR *d = opendir(dir);
    if (!d)
        return cv_err_set(e, CV_EIO, N_("cannot read %s: %s"), dir, strerror(errno));
    char **names = calloc(FILES_MAX, sizeof *names);
    struct dirent *de;
    int64_t day;
    *n = 0;
    while (names && *n < FILES_MAX && (de = readdir(d))) {
        if (backup_day(de->d_name, &day))
            names[(*n)++] = strdup(de->d_name);
        else if (is_partial(de->d_name))
            remove_stale_partial(dir, de->d_name);
    }
    closedir(d);
    for (size_t i = 0; names && i < *n; i++)
        if (!names[i])
            names = NULL;
    if (!names)
        return cv_err_set(e, CV_ENOMEM, N_("out of memory listing %s"), dir);
    qsort(names, *n, sizeof *names, newest_first);
    *out = names;
    return 0;
}

/* Keeps the newest backup of each of the last `daily` days and of each of the last `weekly`
 * weeks that have one; deletes the rest. */
static void prune(const cv_backup_plan *p, cv_backup_outcome *o)
{
    char **names = NULL;
    size_t n = 0;
    cv_err e;
    if (list_backups(p->dir, &names, &n, &e) < 0) {
        snprintf(o->prune_error, sizeof o->prune_error, "%.200s", e.msg);
        return;
    }
    int days = 0, weeks = 0;
    int64_t last_day = INT64_MIN, last_week = INT64_MIN, day;
    for (size_t i = 0; i < n; i++) {
        backup_day(names[i], &day);
        int keep = 0;
        if (day != last_day && days < p->daily)
            keep = ++days;
        if (week_of(day) != last_week && weeks < p->weekly)
            keep = ++weeks;
        last_day = day;
        last_week = week_of(day);
        char path[CV_BACKUP_PATH_MAX + 64];
        snprintf(path, sizeof path, "%s/%s", p->dir, names[i]);
        if (!keep && strcmp(names[i], p->name) != 0) {
            if (unlink(path) == 0)
                o->deleted++;
            else if (errno != ENOENT)
                snprintf(o->prune_error, sizeof o->prune_error, "cannot delete %.120s: %.80s",
                         names[i], strerror(errno));
        }
        free(names[i]);
    }
    free(names);
}

void cv_backup_nightly(const cv_backup_plan *p, const volatile int *stop, cv_backup_outcome *o)
{
    char dest[CV_BACKUP_PATH_MAX + 64];
    memset(o, 0, sizeof *o);
    snprintf(dest, sizeof dest, "%s/%s", p->dir, p->name);
    o->rc = cv_backup_make(p->src, dest, stop, &o->r, &o->err);
    if (o->rc == 0)
        prune(p, o);
}

typedef struct failure_ctx {
    cv_store *s;
    const char *key, *subject, *body;
} failure_ctx;

static int put_failure(const char *channel, const char *address, void *arg, cv_err *e)
{
    failure_ctx *f = arg;
    char key[1200];
    snprintf(key, sizeof key, "%s:%s:%s", f->key, channel, address);
    cv_notification n = {key, channel, address, f->subject, f->body};
    return cv_outbox_put(f->s, &n, e) < 0 ? e->code : 0;
}

static int put_failure_to_admin(const char *email, void *arg, cv_err *e)
{
    return put_failure("smtp", email, arg, e);
}

static int record_failure(cv_store *s, const cv_backup_plan *p, const cv_backup_outcome *o,
                          cv_err *e)
{
    char notify[256] = CV_BACKUP_NOTIFY, key[64], body[1200];
    if (cv_store_setting_get(s, "backup.notify", notify, sizeof notify, e) < 0 &&
        e->code != CV_ENOTFOUND)
        return e->code;
    if (cv_journal_emit(
            s, "backup.failed", 0,
            json_pack("{s:s, s:s, s:s}", "dir", p->dir, "file", p->name, "error", o->err.msg), NULL,
            e) < 0)
        return e->code;
    snprintf(key, sizeof key, "backup.failed:%lld", (long long)p->now);
    snprintf(
        body, sizeof body,
        "Sao lưu dữ liệu theo lịch vào thư mục %.300s không thành công: %.500s. Đề nghị kiểm tra "
        "ngay; bản sao lưu tốt gần nhất xem bằng lệnh convene status.",
        p->dir, o->err.msg);
    failure_ctx f = {s, key, "[convene] Sao lưu dữ liệu không thành công", body};
    /* The contact named by backup.notify, and every admin with an e-mail address (issue 10). */
    if (cv_contact_resolve(s, notify, put_failure, &f, e) < 0)
        return e->code;
    return cv_grant_admin_emails(s, put_failure_to_admin, &f, e);
}

/* backup.made and the store's record of the last good backup, in the caller's transaction. */
static int record_made(cv_store *s, const cv_backup_result *r, const char *by, int deleted,
                       const char *prune_error, cv_err *e)
{
    json_t *last =
        json_pack("{s:I, s:s, s:I, s:I}", "at", (json_int_t)cv_clock_now(), "file", r->file,
                  "last_event_id", (json_int_t)r->last_event_id, "size", (json_int_t)r->size);
    char *text = json_dumps(last, JSON_COMPACT | JSON_SORT_KEYS);
    json_t *data =
        json_pack("{s:s, s:I, s:I, s:I, s:s, s:i}", "file", r->file, "size", (json_int_t)r->size,
                  "last_event_id", (json_int_t)r->last_event_id, "duration_ms",
                  (json_int_t)r->duration_ms, "by", by, "deleted", deleted);
    if (data && *prune_error)
        json_object_set_new(data, "prune_error", json_string(prune_error));
    int rc = !text || !data ? cv_err_set(e, CV_ENOMEM, N_("out of memory"))
                            : cv_store_setting_set(s, "backup.last", text, e);
    if (rc == 0)
        rc = cv_journal_emit(s, "backup.made", 0, data, NULL, e);
    else
        json_decref(data);
    free(text);
    json_decref(last);
    return rc;
}

int cv_backup_record(cv_store *s, const cv_backup_plan *p, const cv_backup_outcome *o, cv_err *e)
{
    return o->rc == 0 ? record_made(s, &o->r, "job", o->deleted, o->prune_error, e)
                      : record_failure(s, p, o, e);
}

int cv_backup_record_manual(cv_store *s, const cv_backup_result *r, cv_err *e)
{
    if (cv_store_begin(s, e) < 0)
        return e->code;
    if (record_made(s, r, "cli", 0, "", e) < 0 || cv_store_commit(s, e) < 0) {
        cv_store_rollback(s);
        return e->code;
    }
    return 0;
}

json_t *cv_backup_last(cv_store *s)
{
    char buf[CV_BACKUP_PATH_MAX + 256];
    cv_err ignored;
    if (cv_store_setting_get(s, "backup.last", buf, sizeof buf, &ignored) < 0)
        return NULL;
    return json_loads(buf, 0, NULL);
}

int cv_backup_config_get(cv_store *s, json_t **out, cv_err *e)
{
    char dir[CV_BACKUP_PATH_MAX] = "", notify[256] = CV_BACKUP_NOTIFY;
    int daily, weekly;
    cv_job j;
    cv_store_setting_get(s, "backup.dir", dir, sizeof dir, e);
    cv_store_setting_get(s, "backup.notify", notify, sizeof notify, e);
    if (setting_int(s, "backup.daily", 7, &daily, e) < 0 ||
        setting_int(s, "backup.weekly", 4, &weekly, e) < 0 ||
        cv_job_get(s, CV_BACKUP_JOB, &j, e) < 0)
        return e->code;
    *out = json_pack("{s:s, s:i, s:i, s:s, s:s, s:s, s:I}", "dir", dir, "daily", daily, "weekly",
                     weekly, "notify", notify, "cron", j.spec, "state", j.state, "next_at",
                     (json_int_t)j.next_at);
    cv_job_clear(&j);
    return 0;
}

/* "HH:MM" as the cron expression "MM HH * * *". */
static int at_to_cron(const char *at, char cron[16], cv_err *e)
{
    int h, m, end = 0;
    if (sscanf(at, "%2d:%2d%n", &h, &m, &end) != 2 || at[end] || strlen(at) != 5 || h > 23 ||
        m > 59 || h < 0 || m < 0)
        return cv_err_set(e, CV_EINVAL, N_("--at '%.16s' is not a time HH:MM"), at);
    snprintf(cron, 16, "%d %d * * *", m, h);
    return 0;
}

static int check_config(const cv_backup_config *c, cv_err *e)
{
    struct stat st;
    if (c->dir && (c->dir[0] != '/' || strlen(c->dir) > CV_BACKUP_PATH_MAX - 64))
        return cv_err_set(e, CV_EINVAL, N_("--dir must be an absolute path of at most %d bytes"),
                          CV_BACKUP_PATH_MAX - 64);
    if (c->dir && (stat(c->dir, &st) < 0 || !S_ISDIR(st.st_mode)))
        return cv_err_set(e, CV_EINVAL, N_("--dir %s is not a directory"), c->dir);
    if ((c->daily != -1 && (c->daily < 0 || c->daily > CV_BACKUP_KEEP_MAX)) ||
        (c->weekly != -1 && (c->weekly < 0 || c->weekly > CV_BACKUP_KEEP_MAX)))
        return cv_err_set(e, CV_EINVAL, N_("--daily and --weekly are counts of 0 to %d"),
                          CV_BACKUP_KEEP_MAX);
    if (c->notify && (!*c->notify || strlen(c->notify) > 200))
        return cv_err_set(e, CV_EINVAL, N_("--notify names a contact of 1 to 200 bytes"));
    return 0;
}

static int set_int(cv_store *s, const char *key, int v, cv_err *e)
{
    char buf[16];
    snprintf(buf, sizeof buf, "%d", v);
    return v == -1 ? 0 : cv_store_setting_set(s, key, buf, e);
}

static int apply_config(cv_store *s, const cv_backup_config *c, const char *cron, cv_err *e)
{
    int daily, weekly;
    cv_job j;
    if ((c->dir && cv_store_setting_set(s, "backup.dir", c->dir, e) < 0) ||
        (c->notify && cv_store_setting_set(s, "backup.notify", c->notify, e) < 0) ||
        set_int(s, "backup.daily", c->daily, e) < 0 ||
        set_int(s, "backup.weekly", c->weekly, e) < 0 ||
        setting_int(s, "backup.daily", 7, &daily, e) < 0 ||
        setting_int(s, "backup.weekly", 4, &weekly, e) < 0)
        return e->code;
    if (daily + weekly == 0)
        return cv_err_set(e, CV_EINVAL,
                          N_("keep at least one backup (--daily or --weekly above 0)"));
    if (*cron) {
        json_t *args = json_object(); /* cv_job_define would leak its own default {} */
        int rc = cv_job_define(s, &(cv_job_spec){CV_BACKUP_JOB, "cron", cron, "backup", args}, e);
        json_decref(args);
        if (rc < 0)
            return e->code;
    }
    if (cv_job_get(s, CV_BACKUP_JOB, &j, e) < 0)
        return e->code;
    int paused = strcmp(j.state, "paused") == 0;
    cv_job_clear(&j);
    if (c->dir && paused && cv_job_resume(s, CV_BACKUP_JOB, e) < 0)
        return e->code;
    json_t *data = NULL;
    return cv_backup_config_get(s, &data, e) < 0 ||
                   cv_journal_emit(s, "backup.configured", 0, data, NULL, e) < 0
               ? e->code
               : 0;
}

int cv_backup_config_set(cv_store *s, const cv_backup_config *c, cv_err *e)
{
    char cron[16] = "";
    if (cv_store_require_tx(s, __func__, e) < 0 || check_config(c, e) < 0 ||
        (c->at && at_to_cron(c->at, cron, e) < 0))
        return e->code;
    return apply_config(s, c, cron, e);
}

static cv_backup_async_fn async_fn;
static void *async_runner;

/* The job action: hands the backup to the daemon's runner, or makes it here and journals it in
 * the job's transaction. A failed backup is journaled and notified; the run itself succeeds. */
static int run_backup(cv_sched_ctx *c, void *data, cv_err *e)
{
    (void)data;
    cv_backup_plan p;
    if (cv_backup_plan_read(c->s, cv_clock_now(), c->offset_min, &p, e) < 0)
        return e->code;
    if (async_fn)
        return async_fn(async_runner, &p, e);
    cv_backup_outcome o;
    cv_backup_nightly(&p, NULL, &o);
    return cv_backup_record(c->s, &p, &o, e);
}

int cv_backup_register(cv_backup_async_fn async, void *runner, cv_err *e)
{
    async_fn = async;
    async_runner = runner;
    return cv_sched_action_register("backup", run_backup, NULL, 0, e);
}
