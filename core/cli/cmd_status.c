/* cmd_status.c: `convene status [ORG]`, the progress of a subtree in the words a party office
 * reports it. The numbers come from domain/status; this file only renders them. */
#include <string.h>

#include "base/clock.h"
#include "base/json.h"
#include "cli/cli.h"
#include "domain/status.h"
#include "i18n/i18n.h"

/* The CLI's messages come from the dashboard's catalogue (web/po), in $CONVENE_LANG's language. */
#define _(msgid) cv_tr(cv_i18n_env_lang(), msgid)

static long long num(json_t *j, const char *key)
{
    return (long long)json_integer_value(json_object_get(j, key));
}

static void print_levels(json_t *levels, FILE *out)
{
    if (json_array_size(levels) == 0)
        return;
    fprintf(out, "  %-12s %7s %7s %9s %7s %9s %6s\n", "level", "total", "held", "preparing",
            "planned", "unplanned", "late");
    size_t i;
    json_t *lv;
    json_array_foreach(levels, i, lv)
    {
        fprintf(out, "  %-12s %7lld %7lld %9lld %7lld %9lld %6lld\n", cv_json_text(lv, "level"),
                num(lv, "total"), num(lv, "held"), num(lv, "preparing"), num(lv, "planned"),
                num(lv, "unplanned"), num(lv, "late"));
    }
}

static void print_late(json_t *late, long long count, FILE *out)
{
    if (count == 0)
        return;
    fprintf(out, "  Late against their level's window: %lld\n", count);
    size_t i;
    json_t *c;
    json_array_foreach(late, i, c)
    {
        if (i == 20) {
            fprintf(out, "    ... and %lld more (--json lists up to %zu)\n", count - 20,
                    json_array_size(late));
            break;
        }
        fprintf(out, "    %-14s %s: %s, window closed %s\n", cv_json_text(c, "org"),
                cv_json_text(c, "name"),
                strcmp(cv_json_text(c, "status"), "held") == 0 ? "held late"
                                                               : cv_json_text(c, "status"),
                cv_json_text(c, "window_closes"));
    }
}

static void print_work(json_t *w, FILE *out)
{
    if (num(w, "total") == 0)
        return;
    fprintf(out, "  Work items: %lld, %lld done, %lld open, %lld overdue\n", num(w, "total"),
            num(w, "done"), num(w, "open"), num(w, "overdue"));
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(w, "overdue_items"), i, item)
    {
        if (i == 20) {
            fprintf(out, "    ... and %lld more\n", num(w, "overdue") - 20);
            break;
        }
        fprintf(out, "    #%-5lld due %s  %s (%s%s%s)\n", num(item, "id"),
                cv_json_text(item, "due"), cv_json_text(item, "title"), cv_json_text(item, "unit"),
                *cv_json_text(item, "person") ? ", " : "", cv_json_text(item, "person"));
    }
}

static void print_report(json_t *r, FILE *out)
{
    json_t *org = json_object_get(r, "org"), *c = json_object_get(r, "congress");
    json_t *sub = json_object_get(r, "subordinates");
    fprintf(out, "%s (%s)\n", cv_json_text(org, "name"), cv_json_text(org, "code"));
    if (json_is_object(c)) {
        fprintf(out, "  Congress %s: %s", cv_json_text(c, "numeral"), cv_json_text(c, "status"));
        if (*cv_json_text(c, "actual_start"))
            fprintf(out, ", held %s .. %s", cv_json_text(c, "actual_start"),
                    cv_json_text(c, "actual_end"));
        else if (*cv_json_text(c, "planned_start"))
            fprintf(out, ", planned %s .. %s", cv_json_text(c, "planned_start"),
                    cv_json_text(c, "planned_end"));
        fputc('\n', out);
    } else {
        fprintf(out, "  %s\n", _("No congress planned in this term"));
    }
    if (num(sub, "total") > 0) {
        cv_lang lang = cv_i18n_env_lang();
        char held[32], total[32], pct[32], line[512];
        cv_i18n_number(lang, (double)num(sub, "held"), 0, held, sizeof held);
        cv_i18n_number(lang, (double)num(sub, "total"), 0, total, sizeof total);
        cv_i18n_number(lang, json_real_value(json_object_get(sub, "percent")), 1, pct, sizeof pct);
        cv_i18n_fmt(line, sizeof line,
                    _("%s of %s directly subordinate organisations have held their congress"), held,
                    total);
        fprintf(out, "  %s: %s (%s%%)\n", cv_json_text(org, "name"), line, pct);
    }
    print_levels(json_object_get(r, "levels"), out);
    long long late = 0;
    size_t i;
    json_t *lv;
    json_array_foreach(json_object_get(r, "levels"), i, lv) late += num(lv, "late");
    print_late(json_object_get(r, "late"), late, out);
    print_work(json_object_get(r, "work_items"), out);
}

static void print_backup(json_t *b, FILE *out)
{
    if (!json_is_object(b))
        return;
    char day[11];
    int64_t at = (int64_t)num(b, "at");
    int64_t local = at + (int64_t)CV_TZ_VIETNAM_MIN * 60000;
    cv_clock_date(at, CV_TZ_VIETNAM_MIN, day);
    fprintf(out, "\nLast good backup: %s %02d:%02d, %s (journal up to event %lld, %lld bytes)\n",
            day, (int)(local / 3600000 % 24), (int)(local / 60000 % 60), cv_json_text(b, "file"),
            num(b, "last_event_id"), num(b, "size"));
}

static void print_status(json_t *j, FILE *out)
{
    fprintf(out, "Term %s, as of %s\n\n", cv_json_text(j, "term"), cv_json_text(j, "today"));
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(j, "reports"), i, r)
    {
        if (i)
            fputc('\n', out);
        print_report(r, out);
    }
    print_backup(json_object_get(j, "last_backup"), out);
}

int cv_cmd_status(cv_cli *cli, int argc, char **argv)
{
    const char *term = NULL;
    cv_opt opts[] = {{"term", &term, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, "status [ORG] [--term T]", 0, 1, pos, &npos) < 0)
        return cli->err.code;
    json_t *args = json_object();
    if (npos)
        json_object_set_new(args, "org", json_string(pos[0]));
    if (term)
        json_object_set_new(args, "term", json_string(term));
    return cv_cli_op_print(cli, "status", args, print_status);
}
