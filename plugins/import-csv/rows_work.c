/* rows_work.c: the work-items kind of import-csv: upsert by (the congress of the organisation
 * in the current term, group, title). */
#include "rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { W_ORG, W_GROUP, W_TITLE, W_SUB, W_UNIT, W_PERSON, W_DUE, W_BUDGET, W_STATUS, W_DONE };
static const char *const work_columns[] = {"*org",   "*group",  "*title", "subcommittee",
                                           "unit",   "person",  "due",    "budget",
                                           "status", "done_on", NULL};

static const char WORK_CONGRESS[] =
    "SELECT c.id, o.id FROM congresses c JOIN orgs o ON o.id = c.org_id WHERE o.code = ?1 "
    "AND c.term_id = ?2";
static const char WORK_SUB[] = "SELECT id FROM subcommittees WHERE congress_id = ?1 AND code = ?2";
static const char WORK_FIND[] = "SELECT id FROM work_items WHERE congress_id = ?1 AND "
                                "group_name = ?2 AND title = ?3 ORDER BY id LIMIT 1";
static const char WORK_INSERT[] =
    "INSERT INTO work_items(congress_id, group_name, title, subcommittee_id, unit, person, due, "
    "  budget, status, done_on) VALUES (?1, ?2, ?3, ?4, coalesce(?5, ''), coalesce(?6, ''), ?7, "
    "  coalesce(?8, 0), coalesce(?9, 'open'), ?10) "
    "RETURNING 0, json_object('id', id, 'title', title, 'group', group_name, 'due', due)";
static const char WORK_UPDATE[] =
    "UPDATE work_items SET subcommittee_id = coalesce(?4, subcommittee_id), "
    "  unit = coalesce(?5, unit), person = coalesce(?6, person), due = coalesce(?7, due), "
    "  budget = coalesce(?8, budget), status = coalesce(?9, status), "
    "  done_on = CASE WHEN ?9 = 'open' THEN NULL ELSE coalesce(?10, done_on) END "
    "WHERE id = ?1 AND (subcommittee_id IS NOT coalesce(?4, subcommittee_id) "
    "  OR unit IS NOT coalesce(?5, unit) OR person IS NOT coalesce(?6, person) "
    "  OR due IS NOT coalesce(?7, due) OR budget IS NOT coalesce(?8, budget) "
    "  OR status IS NOT coalesce(?9, status) "
    "  OR done_on IS NOT (CASE WHEN ?9 = 'open' THEN NULL ELSE coalesce(?10, done_on) END))";

/* Checks the optional columns of a work item row into texts and numbers. */
static int work_values(struct importer *im, const char *const *v, const char **t, int64_t *budget)
{
    for (int c = W_UNIT; c <= W_PERSON; c++)
        if (rows_given(v, c) && rows_check_text(im, c, v[c], &t[c]) < 0)
            return CV_PLUGIN_EINVAL;
    if ((rows_given(v, W_DUE) && rows_check_rule(im, W_DUE, "date", v[W_DUE], NULL) < 0) ||
        (rows_given(v, W_DONE) && rows_check_rule(im, W_DONE, "done_on", v[W_DONE], NULL) < 0) ||
        (rows_given(v, W_BUDGET) &&
         rows_check_rule(im, W_BUDGET, "budget", v[W_BUDGET], budget) < 0))
        return CV_PLUGIN_EINVAL;
    const char *status = rows_given(v, W_STATUS);
    if (status && strcmp(status, "open") != 0 && strcmp(status, "done") != 0)
        return rows_fail(im, W_STATUS, "'%.32s' is not open or done", status);
    if (status && !strcmp(status, "done") && !rows_given(v, W_DONE))
        return rows_fail(im, W_DONE, "a done work item needs the date it was done");
    if (rows_given(v, W_DONE) && (!status || strcmp(status, "done") != 0))
        return rows_fail(im, W_STATUS, "done_on is given, so status must be done");
    return 0;
}

static int work_row(struct importer *im, const char *const *v)
{
    const char *t[W_DONE + 1] = {0};
    int64_t budget = 0;
    struct first c, sub = {0}, f;
    if (rows_check_code(im, W_ORG, v[W_ORG]) < 0 ||
        rows_check_text(im, W_GROUP, v[W_GROUP], &t[W_GROUP]) < 0 ||
        rows_check_text(im, W_TITLE, v[W_TITLE], &t[W_TITLE]) < 0 ||
        work_values(im, v, t, &budget) < 0)
        return CV_PLUGIN_EINVAL;
    cv_plugin_value q[] = {rows_text(v[W_ORG]), rows_integer(im->term_id, 1)};
    if (rows_exec(im, WORK_CONGRESS, q, 2, &c, W_ORG) < 0)
        return CV_PLUGIN_ECONFLICT;
    if (!c.have)
        return rows_fail(im, W_ORG, "%s has no congress in the current term", v[W_ORG]);
    if (rows_given(v, W_SUB)) {
        cv_plugin_value s[] = {c.v[0], rows_text(v[W_SUB])};
        if (rows_exec(im, WORK_SUB, s, 2, &sub, W_SUB) < 0)
            return CV_PLUGIN_ECONFLICT;
        if (!sub.have)
            return rows_fail(im, W_SUB, "the congress of %s has no subcommittee '%s'", v[W_ORG],
                             v[W_SUB]);
    }
    cv_plugin_value k[] = {c.v[0], rows_text(t[W_GROUP]), rows_text(t[W_TITLE])};
    if (rows_exec(im, WORK_FIND, k, 3, &f, -1) < 0)
        return CV_PLUGIN_ECONFLICT;
    cv_plugin_value p[] = {f.have ? f.v[0] : c.v[0],
                           rows_text(t[W_GROUP]),
                           rows_text(t[W_TITLE]),
                           sub.have ? sub.v[0] : rows_text(NULL),
                           rows_text(t[W_UNIT]),
                           rows_text(t[W_PERSON]),
                           rows_text(rows_given(v, W_DUE)),
                           rows_integer(budget, rows_given(v, W_BUDGET) != NULL),
                           rows_text(rows_given(v, W_STATUS)),
                           rows_text(rows_given(v, W_DONE))};
    if (f.have)
        return rows_exec(im, WORK_UPDATE, p, 10, NULL, -1) < 0 ? CV_PLUGIN_ECONFLICT : 0;
    struct row_json *added = malloc(sizeof *added);
    if (!added)
        return rows_fail(im, -1, "out of memory");
    added->have = 0;
    int rc = im->host->store_exec(im->ctx, WORK_INSERT, p, 10, rows_keep_json, added) < 0
                 ? rows_store_fail(im, -1)
                 : 0;
    if (rc == 0 && added->have) {
        im->changed += im->host->store_changes(im->ctx);
        if (journal_flush(&im->jnl) < 0 ||
            im->host->journal(im->ctx, "work_item.added", c.v[1].i, added->text) < 0)
            rc = rows_store_fail(im, -1);
    }
    free(added);
    return rc;
}

const row_kind rows_work_items = {"work-items",
                                  work_columns,
                                  work_row,
                                  NULL,
                                  "work_items",
                                  "SELECT coalesce(max(id), 0) FROM work_items",
                                  "SELECT count(*) FROM work_items WHERE id > ?1",
                                  0,
                                  0};
