/* cmd_tree.c: `convene init`, `org`, `term`, `clock` and `journal`: the store itself, the
 * organisation tree, terms and their windows, the demo clock and the event journal. */
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/date.h"
#include "cli/cli.h"
#include "domain/org.h"
#include "domain/term.h"
#include "store/journal.h"

int cv_cmd_init(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, "init", 0, 0, pos, &npos) < 0)
        return cli->err.code;
    const char *path = cv_store_default_path(cli->db_path);
    if (cv_store_open(path, CV_STORE_CREATE, &cli->store, &cli->err) < 0 ||
        cv_term_seed(cli->store, &cli->err) < 0)
        return cli->err.code;
    json_t *j = json_pack("{s:s, s:i}", "store", path, "schema", cv_store_schema_version());
    if (cli->json)
        return cv_cli_print(cli, j, NULL);
    printf("store %s is ready (schema %d)\n", path, cv_store_schema_version());
    json_decref(j);
    return 0;
}

/* org ---------------------------------------------------------------------------------------- */

static void print_org(json_t *j, FILE *out)
{
    fprintf(out, "%s  %s\n  level %s%s%s, %lld members",
            json_string_value(json_object_get(j, "code")),
            json_string_value(json_object_get(j, "name")),
            json_string_value(json_object_get(j, "level")),
            *json_string_value(json_object_get(j, "kind")) ? ", " : "",
            json_string_value(json_object_get(j, "kind")),
            (long long)json_integer_value(json_object_get(j, "members")));
    json_t *parent = json_object_get(j, "parent");
    if (json_is_string(parent))
        fprintf(out, ", under %s", json_string_value(parent));
    fputc('\n', out);
}

static int org_add(cv_cli *cli, int argc, char **argv)
{
    const char *usage = "org add CODE NAME --level LEVEL [--parent CODE] [--kind WORD] "
                        "[--members N]";
    const char *level = NULL, *parent = NULL, *kind = NULL, *members = NULL;
    cv_opt opts[] = {{"level", &level, NULL},
                     {"parent", &parent, NULL},
                     {"kind", &kind, NULL},
                     {"members", &members, NULL},
                     {NULL, NULL, NULL}};
    char *pos[2];
    int npos;
    cv_org o = {0};
    if (cv_cli_parse(cli, argc, argv, opts, usage, 2, 2, pos, &npos) < 0 ||
        cv_cli_count(cli, members, "--members", &o.members) < 0)
        return cli->err.code;
    if (!level)
        return cv_err_set(&cli->err, CV_EINVAL, "--level is required; usage: convene %s", usage);
    snprintf(o.code, sizeof o.code, "%s", pos[0]);
    snprintf(o.name, sizeof o.name, "%s", pos[1]);
    snprintf(o.level, sizeof o.level, "%s", level);
    snprintf(o.kind, sizeof o.kind, "%s", kind ? kind : "");
    snprintf(o.parent_code, sizeof o.parent_code, "%s", parent ? parent : "");
    if (strlen(pos[0]) >= sizeof o.code || strlen(pos[1]) >= sizeof o.name ||
        strlen(level) >= sizeof o.level || (kind && strlen(kind) >= sizeof o.kind))
        return cv_err_set(&cli->err, CV_ELIMIT, "an argument is too long");
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_org_add(s, &o, NULL, &cli->err) < 0 || cv_org_get(s, o.code, &o, &cli->err) < 0)
        return cli->err.code;
    return cv_cli_print(cli, cv_org_json(&o), print_org);
}

static int org_set(cv_cli *cli, int argc, char **argv)
{
    const char *usage = "org set CODE [--name NAME] [--kind WORD] [--members N]";
    const char *name = NULL, *kind = NULL, *members = NULL;
    cv_opt opts[] = {{"name", &name, NULL},
                     {"kind", &kind, NULL},
                     {"members", &members, NULL},
                     {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    int64_t count = -1;
    cv_org o;
    if (cv_cli_parse(cli, argc, argv, opts, usage, 1, 1, pos, &npos) < 0 ||
        cv_cli_count(cli, members, "--members", &count) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_org_update(s, pos[0], name, kind, count, &cli->err) < 0 ||
        cv_org_get(s, pos[0], &o, &cli->err) < 0)
        return cli->err.code;
    return cv_cli_print(cli, cv_org_json(&o), print_org);
}

static int org_move(cv_cli *cli, int argc, char **argv)
{
    char *pos[2];
    int npos;
    cv_org o;
    if (cv_cli_parse(cli, argc, argv, NULL, "org move CODE NEW_PARENT", 2, 2, pos, &npos) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_org_move(s, pos[0], pos[1], &cli->err) < 0 ||
        cv_org_get(s, pos[0], &o, &cli->err) < 0)
        return cli->err.code;
    return cv_cli_print(cli, cv_org_json(&o), print_org);
}

static int org_show(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    cv_org o;
    if (cv_cli_parse(cli, argc, argv, NULL, "org show CODE", 1, 1, pos, &npos) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_org_get(s, pos[0], &o, &cli->err) < 0)
        return cli->err.code;
    return cv_cli_print(cli, cv_org_json(&o), print_org);
}

static int add_to_tree(const cv_org *o, int depth, void *ctx)
{
    json_t *row = cv_org_json(o);
    json_object_set_new(row, "depth", json_integer(depth));
    json_array_append_new(ctx, row);
    return 0;
}

static void print_tree(json_t *j, FILE *out)
{
    size_t i;
    json_t *row;
    json_array_foreach(j, i, row)
    {
        int depth = (int)json_integer_value(json_object_get(row, "depth"));
        fprintf(out, "%*s%s  %s (%s, %lld members)\n", depth * 2, "",
                json_string_value(json_object_get(row, "code")),
                json_string_value(json_object_get(row, "name")),
                json_string_value(json_object_get(row, "level")),
                (long long)json_integer_value(json_object_get(row, "members")));
    }
}

static int org_tree(cv_cli *cli, int argc, char **argv)
{
    const char *depth = NULL;
    cv_opt opts[] = {{"depth", &depth, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    int64_t max_depth = -1;
    if (cv_cli_parse(cli, argc, argv, opts, "org tree [CODE] [--depth N]", 0, 1, pos, &npos) < 0 ||
        cv_cli_count(cli, depth, "--depth", &max_depth) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    json_t *rows = json_array();
    if (!s ||
        cv_org_walk(s, npos ? pos[0] : NULL, (int)max_depth, add_to_tree, rows, &cli->err) < 0) {
        json_decref(rows);
        return cli->err.code;
    }
    return cv_cli_print(cli, rows, print_tree);
}

int cv_cmd_org(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {{"add", org_add, NULL},   {"set", org_set, NULL},
                                         {"move", org_move, NULL}, {"show", org_show, NULL},
                                         {"tree", org_tree, NULL}, {NULL, NULL, NULL}};
    return cv_cli_dispatch(cli, sub, "org", argc, argv);
}

/* term --------------------------------------------------------------------------------------- */

static void print_term(json_t *j, FILE *out)
{
    fprintf(out, "term %s (%s to %s)\n", json_string_value(json_object_get(j, "code")),
            json_string_value(json_object_get(j, "starts")),
            json_string_value(json_object_get(j, "ends")));
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(j, "windows"), i, w)
    {
        fprintf(out, "  %-11s %s .. %s", json_string_value(json_object_get(w, "level")),
                json_string_value(json_object_get(w, "opens")),
                json_string_value(json_object_get(w, "closes")));
        json_int_t days = json_integer_value(json_object_get(w, "max_days"));
        if (days)
            fprintf(out, "  at most %lld day%s", (long long)days, days == 1 ? "" : "s");
        fputc('\n', out);
    }
}

static int term_show(cv_cli *cli, int argc, char **argv)
{
    static const char *const levels[] = {"national", "province", "district", "grassroots", "cell"};
    char *pos[1];
    int npos;
    cv_term t;
    if (cv_cli_parse(cli, argc, argv, NULL, "term show [TERM]", 0, 1, pos, &npos) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_term_get(s, npos ? pos[0] : NULL, &t, &cli->err) < 0)
        return cli->err.code;
    json_t *windows = json_array();
    for (int i = 0; i < 5; i++) {
        cv_window w;
        cv_err ignored;
        if (cv_term_window(s, t.id, levels[i], &w, &ignored) == 0)
            json_array_append_new(windows,
                                  json_pack("{s:s, s:s, s:s, s:i}", "level", levels[i], "opens",
                                            w.opens, "closes", w.closes, "max_days", w.max_days));
    }
    return cv_cli_print(cli,
                        json_pack("{s:s, s:s, s:s, s:o}", "code", t.code, "starts", t.starts,
                                  "ends", t.ends, "windows", windows),
                        print_term);
}

static int term_use(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    cv_term t;
    if (cv_cli_parse(cli, argc, argv, NULL, "term use TERM", 1, 1, pos, &npos) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_term_get(s, pos[0], &t, &cli->err) < 0 || cv_store_begin(s, &cli->err) < 0)
        return cli->err.code;
    if (cv_store_setting_set(s, "term", t.code, &cli->err) < 0 ||
        cv_journal_emit(s, "term.current", 0, json_pack("{s:s}", "term", t.code), NULL, &cli->err) <
            0 ||
        cv_store_commit(s, &cli->err) < 0) {
        cv_store_rollback(s);
        return cli->err.code;
    }
    printf("current term: %s\n", t.code);
    return 0;
}

static int term_window(cv_cli *cli, int argc, char **argv)
{
    const char *usage = "term window TERM LEVEL OPENS CLOSES [--max-days N]";
    const char *max_days = NULL;
    cv_opt opts[] = {{"max-days", &max_days, NULL}, {NULL, NULL, NULL}};
    char *pos[4];
    int npos;
    int64_t days = 0;
    if (cv_cli_parse(cli, argc, argv, opts, usage, 4, 4, pos, &npos) < 0 ||
        cv_cli_count(cli, max_days, "--max-days", &days) < 0)
        return cli->err.code;
    if (days > 366)
        return cv_err_set(&cli->err, CV_EINVAL, "--max-days %lld is more than a year",
                          (long long)days);
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_term_set_window(s, pos[0], pos[1], pos[2], pos[3], (int)days, &cli->err) < 0)
        return cli->err.code;
    printf("%s window of %s: %s .. %s\n", pos[1], pos[0], pos[2], pos[3]);
    return 0;
}

int cv_cmd_term(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {{"show", term_show, NULL},
                                         {"use", term_use, NULL},
                                         {"window", term_window, NULL},
                                         {NULL, NULL, NULL}};
    return cv_cli_dispatch(cli, sub, "term", argc, argv);
}

/* clock -------------------------------------------------------------------------------------- */

/* `convene clock` shows the clock; `clock set TIME` makes the store be seen at TIME (a demo or a
 * rehearsal); `clock real` returns it to real time. */
int cv_cmd_clock(cv_cli *cli, int argc, char **argv)
{
    char *pos[2];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, "clock [set TIME|real]", 0, 2, pos, &npos) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s)
        return cli->err.code;
    int64_t ms;
    if (npos == 2 && strcmp(pos[0], "set") == 0) {
        if (cv_date_parse_instant(pos[1], CV_TZ_VIETNAM_MIN, &ms, "time", &cli->err) < 0 ||
            cv_store_setting_set(s, "clock", pos[1], &cli->err) < 0)
            return cli->err.code;
        cv_clock_fix(ms);
    } else if (npos == 1 && strcmp(pos[0], "real") == 0) {
        sqlite3_stmt *st =
            cv_store_prepare(s, "DELETE FROM settings WHERE key = 'clock'", &cli->err);
        if (!st || cv_store_exec(s, st, &cli->err) < 0)
            return cli->err.code;
        cv_clock_use_real();
    } else if (npos != 0) {
        return cv_err_set(&cli->err, CV_EINVAL, "usage: convene clock [set TIME|real]");
    }
    char today[11];
    cv_clock_today(today);
    printf("today is %s (Asia/Ho_Chi_Minh)\n", today);
    return 0;
}

/* journal ------------------------------------------------------------------------------------ */

static void print_events(json_t *j, FILE *out)
{
    size_t i;
    json_t *ev;
    json_array_foreach(j, i, ev)
    {
        char *data = json_dumps(json_object_get(ev, "data"), JSON_COMPACT | JSON_SORT_KEYS);
        fprintf(out, "%6lld  %s  %s\n", (long long)json_integer_value(json_object_get(ev, "id")),
                json_string_value(json_object_get(ev, "type")), data ? data : "");
        free(data);
    }
}

int cv_cmd_journal(cv_cli *cli, int argc, char **argv)
{
    const char *after = NULL, *type = NULL, *limit = NULL;
    cv_opt opts[] = {{"after", &after, NULL},
                     {"type", &type, NULL},
                     {"limit", &limit, NULL},
                     {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    int64_t from = 0, max = 1000;
    if (cv_cli_parse(cli, argc, argv, opts, "journal [--after ID] [--type TYPE] [--limit N]", 0, 0,
                     pos, &npos) < 0 ||
        cv_cli_count(cli, after, "--after", &from) < 0 ||
        cv_cli_count(cli, limit, "--limit", &max) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s)
        return cli->err.code;
    json_t *rows = json_array();
    cv_event ev;
    int rc = 0;
    while ((int64_t)json_array_size(rows) < max &&
           (rc = cv_journal_next(s, from, &ev, &cli->err)) == 1) {
        from = ev.id;
        if (!type || strcmp(type, ev.type) == 0)
            json_array_append_new(rows,
                                  json_pack("{s:I, s:I, s:s, s:O}", "id", (json_int_t)ev.id, "at",
                                            (json_int_t)ev.at, "type", ev.type, "data", ev.data));
        cv_event_clear(&ev);
    }
    if (rc < 0) {
        json_decref(rows);
        return rc;
    }
    return cv_cli_print(cli, rows, print_events);
}
