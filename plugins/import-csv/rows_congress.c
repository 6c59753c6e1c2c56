/* rows_congress.c: the congresses kind of import-csv: one congress a row, by (organisation,
 * term), new ones CONG_BATCH a statement, roll-ups in bulk. */
#include "rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { C_ORG, C_TERM, C_ORDINAL, C_KIND, C_STATUS, C_PLANNED, C_HELD, C_HELD_END, C_NCOLS };
static const char *const congress_columns[] = {"*org",    "term", "ordinal",  "kind", "*status",
                                               "planned", "held", "held_end", NULL};

/* An organisation's id, level, members and path, for a congress row. */
struct congress_org {
    int have;
    int64_t id, members;
    char level[16], path[ORG_PATH_MAX];
};

static int congress_org_row(void *arg, const cv_plugin_value *cols, int n)
{
    struct congress_org *f = arg;
    if (n < 4 || cols[1].type != CV_PLUGIN_TEXT)
        return 0;
    f->have = 1;
    f->id = cols[0].i;
    rows_keep(f->level, sizeof f->level, cols[1].s);
    f->members = cols[2].i;
    rows_keep(f->path, sizeof f->path, cols[3].type == CV_PLUGIN_TEXT ? cols[3].s : "");
    return 0;
}

/* A new congress's rows: (org_id, term_id, ordinal, kind, planned_start, planned_end, status,
 * actual_start, actual_end); like `congress plan`, the planned end is the planned start. */
// clang-format off
#define CONGRESS_INSERT                                                                            \
    "INSERT INTO congresses(org_id, term_id, ordinal, kind, planned_start, planned_end, status, "  \
    "actual_start, actual_end) VALUES "
/* A batch's rows also carry their organisation's path and level, the late list's copies (store
 * migration schema_late_list), which a congress added in bulk does not get from its trigger. */
#define CONGRESS_INSERT_COPIES                                                                     \
    "INSERT INTO congresses(org_id, term_id, ordinal, kind, planned_start, planned_end, status, "  \
    "actual_start, actual_end, org_path, org_level) VALUES "
#define C1  "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define C4  C1 ", " C1 ", " C1 ", " C1
#define C16 C4 ", " C4 ", " C4 ", " C4
// clang-format on
enum { C_PARAMS = 9 };        /* the values bind_congress gives a row, in that order */
enum { C_BATCH_PARAMS = 11 }; /* and the two copies after them, in a batch */
static const char CONGRESS_INSERT_BATCH[] = CONGRESS_INSERT_COPIES C16 ", " C16 ", " C16 ", " C16;
_Static_assert(CONG_BATCH == 64, "CONGRESS_INSERT_BATCH lists 64 rows");

/* A known congress takes the row's status and held dates, and its ordinal and planned start
 * when given (the planned end follows the start when it would lie before it, as `congress set`
 * does); its kind stays (an election may have been opened on it). */
#define CONGRESS_MERGED                                                                            \
    "(coalesce(?3, congresses.ordinal), coalesce(?5, congresses.planned_start), "                  \
    " iif(?5 IS NOT NULL AND (congresses.planned_end IS NULL OR congresses.planned_end < ?5), "    \
    "?5, "                                                                                         \
    "     congresses.planned_end), ?7, ?8, ?9)"
static const char CONGRESS_UPSERT[] = CONGRESS_INSERT
    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(org_id, term_id) DO UPDATE "
    "SET (ordinal, planned_start, planned_end, status, actual_start, actual_end) = " CONGRESS_MERGED
    " WHERE (congresses.ordinal, congresses.planned_start, congresses.planned_end, "
    "congresses.status, congresses.actual_start, congresses.actual_end) IS NOT " CONGRESS_MERGED;

static const char CONGRESS_JSON[] =
    "SELECT c.org_id, json_object('org', o.code, 'term', t.code, 'ordinal', c.ordinal, "
    "  'kind', c.kind, 'status', c.status, 'planned', c.planned_start, 'held', c.actual_start, "
    "  'held_end', c.actual_end), c.kind "
    "FROM congresses c JOIN orgs o ON o.id = c.org_id JOIN terms t ON t.id = c.term_id "
    "WHERE c.org_id = ?1 AND c.term_id = ?2";
static const char *const congress_journal_columns[] = {
    "org", "term", "ordinal", "kind", "status", "planned", "held", "held_end", NULL};
static const journal_kind congress_journal = {"congress", congress_journal_columns};

/* One checked row waiting for its batch. */
struct congress_row {
    int64_t record, org_id, term_id, ordinal; /* ordinal 0: not given */
    int kind_given;
    char org[64], term[64], kind[16], status[16], planned[11], held[11], held_end[11];
    char path[ORG_PATH_MAX], level[16]; /* its organisation's ("" path: not known) */
};

struct cong_batch {
    struct congress_row rows[CONG_BATCH];
    int n;
};

static void bind_congress(const struct congress_row *r, cv_plugin_value *p)
{
    p[0] = rows_integer(r->org_id, 1);
    p[1] = rows_integer(r->term_id, 1);
    p[2] = rows_integer(r->ordinal, r->ordinal != 0);
    p[3] = rows_text(r->kind);
    p[4] = rows_text(*r->planned ? r->planned : NULL);
    p[5] = p[4];
    p[6] = rows_text(r->status);
    p[7] = rows_text(*r->held ? r->held : NULL);
    p[8] = rows_text(*r->held_end ? r->held_end : *r->held ? r->held : NULL);
}

/* A new congress's row as the journal names it. */
static int congress_added(struct importer *im, const struct congress_row *r)
{
    cv_plugin_value p[C_PARAMS], v[C_NCOLS];
    bind_congress(r, p);
    v[C_ORG] = rows_text(r->org);
    v[C_TERM] = rows_text(r->term);
    v[C_ORDINAL] = p[2];
    v[C_KIND] = p[3];
    v[C_STATUS] = p[6];
    v[C_PLANNED] = p[4];
    v[C_HELD] = p[7];
    v[C_HELD_END] = p[8];
    return journal_added(&im->jnl, &congress_journal, v, r->path) < 0 ? rows_store_fail(im, -1) : 0;
}

/* A congress's row before or after a change: its JSON and its kind. */
struct congress_json {
    struct row_json row;
    char kind[16];
};

static int keep_congress(void *arg, const cv_plugin_value *cols, int n)
{
    struct congress_json *c = arg;
    if (n < 3 || cols[2].type != CV_PLUGIN_TEXT)
        return 0;
    rows_keep(c->kind, sizeof c->kind, cols[2].s);
    return rows_keep_json(&c->row, cols, n);
}

static int congress_json(struct importer *im, const struct congress_row *r,
                         struct congress_json *out)
{
    cv_plugin_value p[] = {rows_integer(r->org_id, 1), rows_integer(r->term_id, 1)};
    out->row.have = 0;
    return im->host->store_exec(im->ctx, CONGRESS_JSON, p, 2, keep_congress, out) < 0
               ? rows_store_fail(im, -1)
               : 0;
}

/* A row of a known congress (or one the batch did not write), through the one-row upsert,
 * journaled with its values before and after. */
static int congress_upsert(struct importer *im, const struct congress_row *r)
{
    cv_plugin_value p[C_PARAMS];
    int64_t changed = im->changed;
    struct congress_json *j = malloc(2 * sizeof *j);
    if (!j)
        return rows_fail(im, -1, "out of memory");
    int rc = congress_json(im, r, &j[0]);
    if (rc == 0 && !j[0].row.have && !r->ordinal)
        rc = rows_fail(im, C_ORDINAL, "a congress needs its ordinal (e.g. VII)");
    if (rc == 0 && j[0].row.have && r->kind_given && strcmp(j[0].kind, r->kind) != 0)
        rc = rows_fail(im, C_KIND,
                       "the congress of %s is a %s congress; an import does not change its kind "
                       "(use 'congress set')",
                       r->org, j[0].kind);
    bind_congress(r, p);
    if (rc == 0 && rows_exec(im, CONGRESS_UPSERT, p, C_PARAMS, NULL, -1) < 0)
        rc = CV_PLUGIN_ECONFLICT;
    if (rc == 0 && im->changed > changed && !j[0].row.have)
        rc = congress_added(im, r);
    else if (rc == 0 && im->changed > changed && (rc = congress_json(im, r, &j[1])) == 0 &&
             journal_updated(&im->jnl, "congress.updated", r->org_id, r->org, j[0].row.text,
                             j[1].row.text) < 0)
        rc = rows_store_fail(im, -1);
    free(j);
    return rc;
}

/* Writes the waiting rows: a full batch of new congresses in one statement. Should the store
 * refuse it (a known congress, a congress twice in the file, a value it does not take), the
 * statement is undone and every row goes one by one, in file order, so that an error names its
 * row. */
static int congresses_write(struct importer *im)
{
    struct cong_batch *b = im->cong;
    cv_plugin_value p[CONG_BATCH * C_BATCH_PARAMS];
    int64_t record = im->record;
    int written = 0, rc = 0;
    if (!b || b->n == 0)
        return 0;
    if (b->n == CONG_BATCH) {
        for (int i = 0; i < b->n; i++) {
            const struct congress_row *r = &b->rows[i];
            bind_congress(r, p + i * C_BATCH_PARAMS);
            p[i * C_BATCH_PARAMS + C_PARAMS] = rows_text(*r->path ? r->path : NULL);
            p[i * C_BATCH_PARAMS + C_PARAMS + 1] = rows_text(*r->path ? r->level : NULL);
        }
        written = im->host->store_exec(im->ctx, CONGRESS_INSERT_BATCH, p,
                                       CONG_BATCH * C_BATCH_PARAMS, NULL, NULL) == 0;
        if (written)
            im->changed += im->host->store_changes(im->ctx);
    }
    for (int i = 0; rc == 0 && i < b->n; i++) {
        im->record = b->rows[i].record;
        rc = written ? congress_added(im, &b->rows[i]) : congress_upsert(im, &b->rows[i]);
    }
    im->record = record;
    b->n = 0;
    return rc;
}

/* The term of a row: its id and code, by the engine's rule ("" the current term); the last one
 * is remembered, as a file names one term over and over. */
static int congress_term(struct importer *im, const char *term, struct congress_row *r)
{
    if (!im->term_code[0] || strcmp(im->term_cell, term) != 0) {
        struct first f;
        if (rows_check_rule(im, C_TERM, "term", term, &im->term_id) < 0)
            return CV_PLUGIN_EINVAL;
        cv_plugin_value id = rows_integer(im->term_id, 1);
        if (rows_exec(im, "SELECT code FROM terms WHERE id = ?1", &id, 1, &f, C_TERM) < 0)
            return CV_PLUGIN_ECONFLICT;
        rows_keep(im->term_cell, sizeof im->term_cell, term);
        rows_keep(im->term_code, sizeof im->term_code, f.have ? f.v[0].s : "");
    }
    r->term_id = im->term_id;
    rows_keep(r->term, sizeof r->term, im->term_code);
    return 0;
}

/* Checks the status against the held dates: a held congress has the day it was held, and only
 * a held one. */
static int congress_held(struct importer *im, const char *const *v, const char *status)
{
    const char *held = rows_given(v, C_HELD), *end = rows_given(v, C_HELD_END);
    if (strcmp(status, "planned") != 0 && strcmp(status, "preparing") != 0 &&
        strcmp(status, "held") != 0)
        return rows_fail(im, C_STATUS, "'%.32s' is not planned, preparing or held", status);
    if (!strcmp(status, "held") && !held)
        return rows_fail(im, C_HELD, "a held congress needs the date it was held");
    if (held && strcmp(status, "held") != 0)
        return rows_fail(im, C_STATUS, "held is given, so status must be held");
    if (end && !held)
        return rows_fail(im, C_HELD, "held_end is given, so held must be too");
    if ((held && rows_check_rule(im, C_HELD, "held_on", held, NULL) < 0) ||
        (end && rows_check_rule(im, C_HELD_END, "held_on", end, NULL) < 0))
        return CV_PLUGIN_EINVAL;
    if (end && strcmp(end, held) < 0)
        return rows_fail(im, C_HELD_END, "the congress ends (%s) before it starts (%s)", end, held);
    return 0;
}

static int congress_row(struct importer *im, const char *const *v)
{
    const char *kind = rows_given(v, C_KIND);
    struct congress_row r = {.record = im->record};
    struct congress_org o = {0};
    if (rows_check_code(im, C_ORG, v[C_ORG]) < 0 ||
        congress_term(im, v[C_TERM] ? v[C_TERM] : "", &r) < 0 ||
        (rows_given(v, C_ORDINAL) &&
         rows_check_rule(im, C_ORDINAL, "ordinal", v[C_ORDINAL], &r.ordinal) < 0) ||
        (rows_given(v, C_PLANNED) &&
         rows_check_rule(im, C_PLANNED, "date", v[C_PLANNED], NULL) < 0) ||
        congress_held(im, v, v[C_STATUS]) < 0)
        return CV_PLUGIN_EINVAL;
    if (kind && strcmp(kind, "delegates") != 0 && strcmp(kind, "members") != 0)
        return rows_fail(im, C_KIND, "kind '%.32s' is not 'delegates' or 'members'", kind);
    cv_plugin_value code = rows_text(v[C_ORG]);
    if (im->host->store_exec(im->ctx, "SELECT id, level, members, path FROM orgs WHERE code = ?1",
                             &code, 1, congress_org_row, &o) < 0)
        return rows_store_fail(im, C_ORG);
    if (!o.have)
        return rows_fail(im, C_ORG, "unknown organisation '%s'", v[C_ORG]);
    if (!im->bulk) {
        if (im->host->store_exec(im->ctx, ROWS_BULK_BEGIN, NULL, 0, NULL, NULL) < 0)
            return rows_store_fail(im, -1);
        im->bulk = 1;
    }
    if (!im->cong && !(im->cong = calloc(1, sizeof *im->cong)))
        return rows_fail(im, -1, "out of memory");
    /* By default, as `congress plan` decides: below 200 members a grassroots organisation and
     * any cell meet as all members, the rest as delegates (Directive 35-CT/TW). */
    if (!kind)
        kind =
            strcmp(o.level, "cell") == 0 || (strcmp(o.level, "grassroots") == 0 && o.members < 200)
                ? "members"
                : "delegates";
    r.org_id = o.id;
    r.kind_given = rows_given(v, C_KIND) != NULL;
    rows_keep(r.org, sizeof r.org, v[C_ORG]);
    rows_keep(r.kind, sizeof r.kind, kind);
    rows_keep(r.status, sizeof r.status, v[C_STATUS]);
    rows_keep(r.planned, sizeof r.planned, rows_given(v, C_PLANNED));
    rows_keep(r.held, sizeof r.held, rows_given(v, C_HELD));
    rows_keep(r.held_end, sizeof r.held_end, rows_given(v, C_HELD_END));
    rows_keep(r.path, sizeof r.path, o.path);
    rows_keep(r.level, sizeof r.level, o.level);
    struct cong_batch *b = im->cong;
    b->rows[b->n++] = r;
    return b->n == CONG_BATCH ? congresses_write(im) : 0;
}

/* After the last row: the waiting rows, then the roll-ups recomputed in bulk. */
static int congresses_flush(struct importer *im)
{
    if (congresses_write(im) < 0)
        return CV_PLUGIN_ECONFLICT;
    if (im->bulk && im->host->store_exec(im->ctx, ROWS_BULK_END, NULL, 0, NULL, NULL) < 0)
        return rows_store_fail(im, -1);
    im->bulk = 0;
    return 0;
}

const row_kind rows_congresses = {"congresses",
                                  congress_columns,
                                  congress_row,
                                  congresses_flush,
                                  "congresses",
                                  "SELECT coalesce(max(id), 0) FROM congresses",
                                  "SELECT count(*) FROM congresses WHERE id > ?1",
                                  0,
                                  0};
