/* cmd_backup.c: `convene backup DEST` and `backup config` (the operations backup.run and
 * backup.config, core/ops/ops_store.c), `backup verify FILE` and `convene restore SRC` (which act
 * on files, not through the store). The copying and checking are core/backup's; this file
 * parses and prints. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "backup/backup.h"
#include "backup/nightly.h"
#include "base/clock.h"
#include "base/json.h"
#include "cli/cli.h"
#include "store/journal.h"

static json_t *result_json(const cv_backup_result *r)
{
    return json_pack("{s:s, s:I, s:I, s:I, s:I, s:i}", "file", r->file, "size", (json_int_t)r->size,
                     "duration_ms", (json_int_t)r->duration_ms, "copy_ms", (json_int_t)r->copy_ms,
                     "last_event_id", (json_int_t)r->last_event_id, "schema", r->schema);
}

static long long num(json_t *j, const char *key)
{
    return (long long)json_integer_value(json_object_get(j, key));
}

static void print_made(json_t *j, FILE *out)
{
    fprintf(out, "backup %s: %lld bytes, journal up to event %lld, checked, in %lld ms\n",
            cv_json_text(j, "file"), num(j, "size"), num(j, "last_event_id"),
            num(j, "duration_ms"));
}

static void print_verified(json_t *j, FILE *out)
{
    fprintf(out, "%s: ok (integrity, references), schema %lld, journal up to event %lld\n",
            cv_json_text(j, "file"), num(j, "schema"), num(j, "last_event_id"));
}

static int backup_make(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, "backup DEST", 1, 1, pos, &npos) < 0)
        return cli->err.code;
    return cv_cli_op_print(cli, "backup.run", json_pack("{s:s}", "dest", pos[0]), print_made);
}

static int backup_verify(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    cv_backup_result r;
    if (cv_cli_parse(cli, argc, argv, NULL, "backup verify FILE", 1, 1, pos, &npos) < 0 ||
        cv_backup_verify(pos[0], -1, &r, &cli->err) < 0)
        return cli->err.code;
    return cv_cli_print(cli, result_json(&r), print_verified);
}

static void print_config(json_t *j, FILE *out)
{
    fprintf(out,
            "folder:  %s\nkeep:    %lld daily, %lld weekly\nwhen:    cron '%s' (job %s, %s)\n"
            "notify:  %s (on failure)\n",
            *cv_json_text(j, "dir") ? cv_json_text(j, "dir") : "(none: scheduled backups are off)",
            num(j, "daily"), num(j, "weekly"), cv_json_text(j, "cron"), CV_BACKUP_JOB,
            cv_json_text(j, "state"), cv_json_text(j, "notify"));
}

static int count_opt(cv_cli *cli, json_t *args, const char *value, const char *what)
{
    int64_t v = -1;
    if (!value)
        return 0;
    if (cv_cli_count(cli, value, what, &v) < 0)
        return cli->err.code;
    if (v > CV_BACKUP_KEEP_MAX)
        return cv_err_set(&cli->err, CV_EINVAL, "%s is at most %d", what, CV_BACKUP_KEEP_MAX);
    json_object_set_new(args, what + 2, json_integer(v));
    return 0;
}

static int backup_config(cv_cli *cli, int argc, char **argv)
{
    const char *dir = NULL, *daily = NULL, *weekly = NULL, *at = NULL, *notify = NULL;
    cv_opt opts[] = {{"dir", &dir, NULL}, {"daily", &daily, NULL},   {"weekly", &weekly, NULL},
                     {"at", &at, NULL},   {"notify", &notify, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts,
                     "backup config [--dir DIR] [--daily N] [--weekly N] [--at HH:MM] "
                     "[--notify NAME]",
                     0, 0, pos, &npos) < 0)
        return cli->err.code;
    static const char *const names[] = {"dir", "at", "notify"};
    const char *values[] = {dir, at, notify};
    json_t *args = cv_cli_texts(json_object(), names, values, 3);
    if (count_opt(cli, args, daily, "--daily") < 0 ||
        count_opt(cli, args, weekly, "--weekly") < 0) {
        json_decref(args);
        return cli->err.code;
    }
    return cv_cli_op_print(cli, "backup.config", args, print_config);
}

int cv_cmd_backup(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {
        {"verify", backup_verify, NULL}, {"config", backup_config, NULL}, {NULL, NULL, NULL}};
    if (argc >= 2 && (strcmp(argv[1], "verify") == 0 || strcmp(argv[1], "config") == 0))
        return cv_cli_dispatch(cli, sub, "backup", argc, argv);
    return backup_make(cli, argc, argv);
}

static void print_restored(json_t *j, FILE *out)
{
    fprintf(out, "restored %s from %s (journal up to event %lld)", cv_json_text(j, "store"),
            cv_json_text(j, "from"), num(j, "last_event_id"));
    if (*cv_json_text(j, "replaced"))
        fprintf(out, "; the replaced store is kept as %s", cv_json_text(j, "replaced"));
    fputc('\n', out);
}

/* Journals the restore in the restored store, after the backup's last event. */
static int journal_restore(cv_cli *cli, json_t *j)
{
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_store_begin(s, &cli->err) < 0)
        return cli->err.code;
    if (cv_journal_emit(s, "store.restored", 0, json_deep_copy(j), NULL, &cli->err) < 0 ||
        cv_store_commit(s, &cli->err) < 0) {
        cv_store_rollback(s);
        return cli->err.code;
    }
    return 0;
}

int cv_cmd_restore(cv_cli *cli, int argc, char **argv)
{
    char *pos[1], aside[CV_BACKUP_PATH_MAX + 64], stamp[CV_BACKUP_STAMP], src[PATH_MAX];
    int npos;
    cv_backup_result r;
    if (cv_cli_parse(cli, argc, argv, NULL, "restore SRC", 1, 1, pos, &npos) < 0)
        return cli->err.code;
    const char *db = cv_store_default_path(cli->db_path);
    cv_backup_stamp(cv_clock_now(), CV_TZ_VIETNAM_MIN, stamp);
    if (cv_backup_restore(pos[0], db, stamp, aside, sizeof aside, &r, &cli->err) < 0)
        return cli->err.code;
    json_t *j =
        json_pack("{s:s, s:s, s:I, s:s}", "store", db, "from", realpath(pos[0], src) ? src : pos[0],
                  "last_event_id", (json_int_t)r.last_event_id, "replaced", aside);
    if (journal_restore(cli, j) < 0) {
        json_decref(j);
        return cli->err.code;
    }
    return cv_cli_print(cli, j, print_restored);
}
