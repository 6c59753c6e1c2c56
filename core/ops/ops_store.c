/* ops_store.c: the store's ways in and out in bulk: an import of a file through the importer
 * plugin of its format (import.run), a backup made by hand and the nightly backup's settings
 * (backup.run, backup.config). All three are admin's: an import's rows name their organisations
 * one by one, so no one permission over one subtree covers a file before it is read. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup/backup.h"
#include "backup/nightly.h"
#include "base/path.h"
#include "ops/ops.h"
#include "plugin/loader.h"
#include "sched/run.h"

/* The format of a file: format, else its extension ("csv" for x.CSV), else csv. */
static void file_format(const char *path, const char *given, char *out, size_t cap)
{
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    const char *ext = given ? given : dot && (!slash || dot > slash) && dot[1] ? dot + 1 : "csv";
    size_t i = 0;
    for (; ext[i] && i + 1 < cap; i++)
        out[i] = (char)(ext[i] >= 'A' && ext[i] <= 'Z' ? ext[i] + 32 : ext[i]);
    out[i] = '\0';
}

/* The importer writes rows with its own SQL in one transaction of its own (a savepoint inside
 * the layer's) and journals them through the host (new rows in batches, import.rows; each
 * changed row alone) as the actor running the import, via the file. */
static int import_run(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    cv_plugin_import req = {.path = cv_op_text(args, "file"),
                            .as = cv_op_text(args, "as"),
                            .encoding = cv_op_text(args, "encoding"),
                            .dry_run = cv_op_bool(args, "dry_run", 0),
                            .progress = cv_op_bool(args, "progress", 0)};
    char fmt[16];
    cv_plugin *p = NULL;
    file_format(req.path, cv_op_text(args, "format"), fmt, sizeof fmt);
    if (cv_path_check_read(req.path, e) < 0 || /* a FIFO must not hang the plugin */
        cv_plugin_load_for(c->s, NULL, CV_PLUGIN_KIND_IMPORT, fmt, &p, e) < 0)
        return e->code;
    cv_actor importer = *c->actor;
    snprintf(importer.via, sizeof importer.via, "import %.100s", req.path);
    cv_store_set_actor(c->s, &importer);
    int rc = cv_plugin_import_run(p, &req, e);
    cv_store_set_actor(c->s, c->actor);
    cv_plugin_close(p);
    if (rc < 0)
        return rc;
    *result =
        json_pack("{s:s, s:s, s:b, s:I, s:I, s:I, s:I}", "file", req.path, "as", req.as, "dry_run",
                  req.dry_run, "rows", (json_int_t)req.rows, "inserted", (json_int_t)req.inserted,
                  "updated", (json_int_t)req.updated, "unchanged", (json_int_t)req.unchanged);
    return 0;
}

/* A checked copy made from a connection of its own, then journaled (backup.made) in a
 * transaction of its own: the layer holds no write lock while the copy runs. */
static int backup_run(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    cv_backup_result r;
    char full[PATH_MAX];
    if (cv_backup_make(cv_store_path(c->s), cv_op_text(args, "dest"), NULL, &r, e) < 0)
        return e->code;
    if (realpath(r.file, full))
        snprintf(r.file, sizeof r.file, "%s", full);
    if (cv_backup_record_manual(c->s, &r, e) < 0)
        return e->code;
    *result =
        json_pack("{s:s, s:I, s:I, s:I, s:I, s:i}", "file", r.file, "size", (json_int_t)r.size,
                  "duration_ms", (json_int_t)r.duration_ms, "copy_ms", (json_int_t)r.copy_ms,
                  "last_event_id", (json_int_t)r.last_event_id, "schema", r.schema);
    return 0;
}

/* The settings, after changing what is given. The nightly job's action must be known to define
 * the job; a daemon has registered its own runner already, which is kept. */
static int backup_config(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    cv_backup_config b = {cv_op_text(args, "dir"), cv_op_text(args, "notify"),
                          cv_op_text(args, "at"), (int)cv_op_int(args, "daily", -1),
                          (int)cv_op_int(args, "weekly", -1)};
    int changes = b.dir || b.at || b.notify || b.daily != -1 || b.weekly != -1;
    if (!cv_sched_action_known("backup") && cv_backup_register(NULL, NULL, e) < 0)
        return e->code;
    if (changes && cv_backup_config_set(c->s, &b, e) < 0)
        return e->code;
    return cv_backup_config_get(c->s, result, e);
}

static const cv_op_arg import_args[] = {
    {"file", CV_ARG_FILE, 1, 0, 4095, "the file to import"},
    {"as", CV_ARG_TEXT, 1, 0, 15, "what its rows are: orgs, members, work-items or people"},
    {"encoding", CV_ARG_TEXT, 0, 0, 15, "utf-8 (the default) or cp1258"},
    {"format", CV_ARG_TEXT, 0, 0, 15, "the importer's format (else the file's extension, csv)"},
    {"dry_run", CV_ARG_BOOL, 0, 0, 0, "check every row and write nothing"},
    {"progress", CV_ARG_BOOL, 0, 0, 0, "draw a progress bar on stderr (a terminal's)"},
    CV_OP_ARGS_END};
static const cv_op_arg backup_args[] = {
    {"dest", CV_ARG_TEXT, 1, 0, CV_BACKUP_PATH_MAX - 64, "the backup's path on the server"},
    CV_OP_ARGS_END};
static const cv_op_arg backup_config_args[] = {
    {"dir", CV_ARG_TEXT, 0, 0, CV_BACKUP_PATH_MAX - 64, "the nightly backups' folder"},
    {"daily", CV_ARG_INT, 0, 0, CV_BACKUP_KEEP_MAX, "daily backups kept"},
    {"weekly", CV_ARG_INT, 0, 0, CV_BACKUP_KEEP_MAX, "weekly backups kept"},
    {"at", CV_ARG_TEXT, 0, 0, 5, "when, HH:MM"},
    {"notify", CV_ARG_TEXT, 0, 0, 200, "the contact told of a failure"},
    CV_OP_ARGS_END};

const cv_op cv_ops_store[] = {
    {"import.run", "import a file of organisations, members, work items or people", import_args,
     CV_ROLE_ADMIN, CV_AT_STORE, NULL, 0, NULL, 1, import_run,
     "{\"file\":\"$IMPORT\",\"as\":\"orgs\"}"},
    {"backup.run", "make a checked backup of the store, journaled", backup_args, CV_ROLE_ADMIN,
     CV_AT_STORE, NULL, 0, NULL, CV_OP_OWN_TX, backup_run, "{\"dest\":\"$BACKUP/b$N.db\"}"},
    {"backup.config", "the nightly backup's settings, changing what is given", backup_config_args,
     CV_ROLE_ADMIN, CV_AT_STORE, NULL, 0, NULL, 1, backup_config, "{\"daily\":5}"},
    CV_OPS_END,
};
