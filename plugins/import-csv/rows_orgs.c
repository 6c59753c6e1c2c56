/* rows_orgs.c: the orgs kind of import-csv (the tree: upsert by code, new organisations 64 a
 * statement with their paths, parents checked from the cache, secondary indexes and roll-ups in
 * bulk) and the members kind (the member counts of organisations already in the store). */
#include "rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { O_CODE, O_NAME, O_LEVEL, O_PARENT, O_KIND, O_MEMBERS, O_NCOLS };
static const char *const org_columns[] = {"*code", "*name",   "*level", "parent",
                                          "kind",  "members", NULL};

/* A row naming an organisation already in the store goes through ORG_UPSERT, one statement a
 * row, which checks the parent, the level against it and against the children. Its path (store
 * migration 9) is its parent's and its own code. */
static const char ORG_UPSERT[] =
    "INSERT INTO orgs(code, name, level, kind, parent_id, members, path) "
    "VALUES (?1, ?2, ?3, coalesce(?4, ''), (SELECT id FROM orgs WHERE code = ?5), coalesce(?6, 0), "
    "  iif(?5 IS NULL, '/', (SELECT path FROM orgs WHERE code = ?5)) || ?1 || '/') "
    "ON CONFLICT(code) DO UPDATE SET name = excluded.name, level = excluded.level, "
    "  kind = coalesce(?4, orgs.kind), parent_id = coalesce(excluded.parent_id, orgs.parent_id), "
    "  members = coalesce(?6, orgs.members) "
    "WHERE orgs.name IS NOT excluded.name OR orgs.level IS NOT excluded.level "
    "  OR orgs.kind IS NOT coalesce(?4, orgs.kind) "
    "  OR orgs.parent_id IS NOT coalesce(excluded.parent_id, orgs.parent_id) "
    "  OR orgs.members IS NOT coalesce(?6, orgs.members) "
    "  OR (?5 IS NOT NULL AND excluded.parent_id IS NULL) "
    "RETURNING id, (?5 IS NOT NULL AND (SELECT id FROM orgs p WHERE p.code = ?5) IS NULL), "
    "  coalesce((SELECT level FROM orgs p WHERE p.id = orgs.parent_id), ''), "
    "  (SELECT count(*) FROM orgs c WHERE c.parent_id = orgs.id AND "
    "     instr('" ROWS_LEVELS "', c.level) <= instr('" ROWS_LEVELS "', orgs.level))";

static const char ORG_JSON[] =
    "SELECT o.id, json_object('code', o.code, 'name', o.name, 'level', o.level, 'kind', o.kind, "
    "  'members', o.members, 'parent', p.code) FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id "
    "WHERE o.code = ?1";
static const char *const org_journal_columns[] = {"code",    "name",   "level", "kind",
                                                  "members", "parent", NULL};
static const journal_kind org_journal = {"org", org_journal_columns};

/* New organisations, ORGS_BATCH a statement, their parents' ids and levels checked here; a code
 * already in the store is left alone for ORG_UPSERT. */
// clang-format off
#define O1  "(?, ?, ?, ?, ?, ?, ?)"
#define O4  O1 ", " O1 ", " O1 ", " O1
#define O16 O4 ", " O4 ", " O4 ", " O4
// clang-format on
#define ORG_INSERT   "INSERT INTO orgs(code, name, level, kind, parent_id, members, path) VALUES "
#define ORG_NEW_ONLY " ON CONFLICT(code) DO NOTHING"
#define O64          O16 ", " O16 ", " O16 ", " O16
static const char ORG_INSERT_BATCH[] = ORG_INSERT O64 ORG_NEW_ONLY;
_Static_assert(ORGS_BATCH == 64, "ORG_INSERT_BATCH lists 64 rows");

static const char ORGS_COUNT[] = "SELECT count(*) FROM orgs";

/* Once the batches have inserted more organisations than the store held, orgs' secondary
 * indexes (store migration 9, schema_rollups) are dropped, inside the import's transaction, and
 * made again, sorted in one pass, after the last new row: keys inserted in file order land all
 * over the indexes. They are made again before any row that goes one by one (ORG_UPSERT counts
 * children through orgs_by_parent). The e2e test test_import_orgs_bulk_indexes checks that the
 * store's schema after such an import is a fresh store's. */
static const char *const ORG_INDEX_DROP[] = {"DROP INDEX orgs_by_parent",
                                             "DROP INDEX orgs_by_path"};
static const char *const ORG_INDEX_MAKE[] = {
    "CREATE INDEX orgs_by_parent ON orgs(parent_id, level)",
    "CREATE INDEX orgs_by_path ON orgs(level, path)"};
_Static_assert(sizeof ORG_INDEX_DROP == sizeof ORG_INDEX_MAKE, "each dropped index is made again");

/* Drops (off) or makes again the secondary indexes of orgs; once made again they stay, so that
 * a file mixing new and known codes cannot make them over and over. */
static int org_indexes(struct importer *im, int off)
{
    const char *const *sql = off ? ORG_INDEX_DROP : ORG_INDEX_MAKE;
    if (im->unindexed != (off ? 0 : 1))
        return 0;
    for (size_t i = 0; i < sizeof ORG_INDEX_DROP / sizeof *ORG_INDEX_DROP; i++)
        if (im->host->store_exec(im->ctx, sql[i], NULL, 0, NULL, NULL) < 0)
            return rows_store_fail(im, -1);
    im->unindexed = off ? 1 : -1;
    return 0;
}

/* One checked row waiting for its batch. */
struct org_row {
    int64_t record, parent_id; /* 0: a root */
    int64_t members;           /* -1: not given */
    int rank;
    char code[64], level[16], name[ROWS_TEXT_MAX], kind[ROWS_TEXT_MAX], parent[64];
    char path[ORG_PATH_MAX];
};

struct orgs_batch {
    struct org_row rows[ORGS_BATCH];
    int n;
};

static void bind_org(const struct org_row *r, cv_plugin_value *p)
{
    p[O_CODE] = rows_text(r->code);
    p[O_NAME] = rows_text(r->name);
    p[O_LEVEL] = rows_text(r->level);
    p[O_PARENT] =
        rows_text(r->kind); /* the statement's 4th column is kind, the 5th the parent's id */
    p[O_KIND] = rows_integer(r->parent_id, r->parent_id != 0);
    p[O_MEMBERS] = rows_integer(r->members < 0 ? 0 : r->members, 1);
    p[O_NCOLS] = rows_text(*r->path ? r->path : NULL);
}

/* Remembers an organisation's id, level and path for the rows that name it as their parent. */
static void org_remember(struct importer *im, const char *code, int64_t id, int rank,
                         const char *path)
{
    struct org_slot *slot = rows_org_slot(im, code);
    if (!slot)
        return;
    rows_keep(slot->code, sizeof slot->code, code);
    slot->id = id;
    slot->rank = rank;
    rows_keep(slot->path, sizeof slot->path, path);
}

/* Forgets what the cache knows of code (a row changes or adds it). */
static void org_forget(struct importer *im, const char *code)
{
    struct org_slot *slot = rows_org_slot(im, code);
    if (slot && strcmp(slot->code, code) == 0)
        slot->rank = -1;
}

/* A new organisation's row as the journal names it. */
static int org_added(struct importer *im, const struct org_row *r)
{
    cv_plugin_value v[] = {rows_text(r->code),
                           rows_text(r->name),
                           rows_text(r->level),
                           rows_text(r->kind),
                           rows_integer(r->members < 0 ? 0 : r->members, 1),
                           rows_text(*r->parent ? r->parent : NULL)};
    return journal_added(&im->jnl, &org_journal, v, r->path) < 0 ? rows_store_fail(im, -1) : 0;
}

/* A row of an organisation already in the store (or one the batch did not write): the one-row
 * upsert with every check, journaled. */
static int org_upsert(struct importer *im, const struct org_row *r)
{
    cv_plugin_value p[] = {rows_text(r->code),
                           rows_text(r->name),
                           rows_text(r->level),
                           rows_text(*r->kind ? r->kind : NULL),
                           rows_text(*r->parent ? r->parent : NULL),
                           rows_integer(r->members, r->members >= 0)};
    struct first f;
    struct row_json *before = malloc(sizeof *before);
    int64_t changed = im->changed;
    if (!before)
        return rows_fail(im, -1, "out of memory");
    int rc = rows_row_json(im, ORG_JSON, r->code, before);
    if (rc == 0 && rows_exec(im, ORG_UPSERT, p, 6, &f, -1) < 0)
        rc = CV_PLUGIN_ECONFLICT;
    if (rc == 0 && im->changed > changed && (f.have && !f.v[1].i))
        rc = before->have ? rows_journal_change(im, ORG_JSON, "org.updated", r->code, before)
                          : org_added(im, r);
    free(before);
    if (rc < 0)
        return rc;
    if (f.have && f.v[1].i)
        return rows_fail(im, O_PARENT,
                         "unknown organisation '%s' (it must be in the store or on an earlier row)",
                         r->parent);
    if (f.have && f.v[2].type == CV_PLUGIN_TEXT && *f.v[2].s &&
        rows_level_rank(im, O_LEVEL, f.v[2].s) >= r->rank)
        return rows_fail(im, O_LEVEL, "a %s cannot be placed under a %s", r->level, f.v[2].s);
    if (f.have && f.v[3].i > 0)
        return rows_fail(im, O_LEVEL, "%lld organisations under %s would no longer be below it",
                         (long long)f.v[3].i, r->code);
    org_forget(im, r->code); /* its level or parent may have changed: look again */
    return 0;
}

static const char *org_code_of(const void *rows, int i)
{
    return ((const struct org_row *)rows)[i].code;
}

/* Writes the waiting rows: new ones in one statement. The rest (a code already in the store),
 * or every row should the statement be refused, go one by one, in file order, through
 * ORG_UPSERT, so that an error names its row. */
static int orgs_write(struct importer *im)
{
    struct orgs_batch *b = im->org_rows;
    cv_plugin_value p[ORGS_BATCH * (O_NCOLS + 1)];
    int64_t record = im->record;
    if (!b || b->n == 0)
        return 0;
    uint64_t written = 0;
    if (b->n == ORGS_BATCH) {
        for (int i = 0; i < b->n; i++)
            bind_org(&b->rows[i], p + i * (O_NCOLS + 1));
        /* Refused, the statement is undone: each row goes again, to name its error. */
        if (im->host->store_exec(im->ctx, ORG_INSERT_BATCH, p, ORGS_BATCH * (O_NCOLS + 1), NULL,
                                 NULL) == 0) {
            int64_t inserted = im->host->store_changes(im->ctx);
            im->changed += inserted;
            im->orgs_new += inserted;
            if (im->orgs_new > im->orgs_before && org_indexes(im, 1) < 0)
                return CV_PLUGIN_ECONFLICT;
            if (rows_batch_written(im, "SELECT id FROM orgs WHERE code = ?1", org_code_of, b->rows,
                                   b->n, inserted, &written) < 0)
                return CV_PLUGIN_ECONFLICT;
        }
    }
    int rc = 0;
    for (int i = 0; rc == 0 && i < b->n; i++) {
        im->record = b->rows[i].record;
        if (!(written >> i & 1) && org_indexes(im, 0) < 0)
            rc = CV_PLUGIN_ECONFLICT;
        else
            rc = written >> i & 1 ? org_added(im, &b->rows[i]) : org_upsert(im, &b->rows[i]);
    }
    im->record = record;
    b->n = 0;
    return rc;
}

/* path: the parent's path and the code (a checked code fits: depth is at most five); "" (NULL
 * for the store, which then computes it) when the parent's is not known. */
static void child_path(char *path, const char *parent_path, const char *code)
{
    size_t a = strnlen(parent_path, ORG_PATH_MAX - 1), b = strlen(code);
    if (a == 0 || a + b + 2 > ORG_PATH_MAX) {
        *path = '\0';
        return;
    }
    memcpy(path, parent_path, a);
    memcpy(path + a, code, b);
    memcpy(path + a + b, "/", 2);
}

/* Whether code is on a row waiting for its batch. */
static int org_waiting(const struct orgs_batch *b, const char *code)
{
    for (int i = 0; b && i < b->n; i++)
        if (strcmp(b->rows[i].code, code) == 0)
            return 1;
    return 0;
}

static int org_parent(struct importer *im, const char *code, struct org_row *r)
{
    struct org_slot *slot = rows_org_slot(im, code);
    if (!slot)
        return rows_fail(im, -1, "out of memory");
    if (strcmp(slot->code, code) != 0 || slot->rank < 0) {
        struct parent_found f = {0};
        cv_plugin_value p = rows_text(code);
        if (org_waiting(im->org_rows, code) && orgs_write(im) < 0)
            return CV_PLUGIN_ECONFLICT;
        if (im->host->store_exec(im->ctx, ROWS_ORG_FIND, &p, 1, rows_parent_row, &f) < 0)
            return rows_store_fail(im, O_PARENT);
        if (!f.have)
            return rows_fail(im, O_PARENT,
                             "unknown organisation '%s' (it must be in the store or on an "
                             "earlier row)",
                             code);
        org_remember(im, code, f.id, rows_level_rank(im, O_PARENT, f.level), f.path);
    }
    if (slot->rank >= r->rank)
        return rows_fail(im, O_LEVEL, "a %s cannot be placed under a %s", r->level,
                         ROWS_LEVEL_NAMES[slot->rank]);
    r->parent_id = slot->id;
    child_path(r->path, slot->path, r->code);
    return 0;
}

static int org_row(struct importer *im, const char *const *v)
{
    const char *name, *kind = NULL, *parent = rows_given(v, O_PARENT);
    int64_t members = -1;
    if (rows_check_code(im, O_CODE, v[O_CODE]) < 0 ||
        rows_check_text(im, O_NAME, v[O_NAME], &name) < 0 ||
        (rows_given(v, O_KIND) && rows_check_text(im, O_KIND, v[O_KIND], &kind) < 0) ||
        (parent && rows_check_code(im, O_PARENT, parent) < 0) ||
        (rows_given(v, O_MEMBERS) &&
         rows_check_rule(im, O_MEMBERS, "members", v[O_MEMBERS], &members) < 0))
        return CV_PLUGIN_EINVAL;
    if (!*name)
        return rows_fail(im, O_NAME, "the name is empty");
    if (parent && strcmp(parent, v[O_CODE]) == 0)
        return rows_fail(im, O_PARENT, "an organisation cannot be its own parent");
    int rank = rows_level_rank(im, O_LEVEL, v[O_LEVEL]);
    if (rank < 0)
        return CV_PLUGIN_EINVAL;
    if (!im->bulk) {
        struct first f;
        if (im->host->store_exec(im->ctx, ROWS_BULK_BEGIN, NULL, 0, NULL, NULL) < 0)
            return rows_store_fail(im, -1);
        if (rows_exec(im, ORGS_COUNT, NULL, 0, &f, -1) < 0)
            return CV_PLUGIN_ECONFLICT;
        im->bulk = 1;
        im->orgs_before = f.v[0].i;
    }
    if (!im->org_rows && !(im->org_rows = calloc(1, sizeof *im->org_rows)))
        return rows_fail(im, -1, "out of memory");
    struct org_row r = {.record = im->record, .members = members, .rank = rank};
    rows_keep(r.code, sizeof r.code, v[O_CODE]);
    rows_keep(r.level, sizeof r.level, v[O_LEVEL]);
    rows_keep(r.name, sizeof r.name, name);
    rows_keep(r.kind, sizeof r.kind, kind);
    rows_keep(r.parent, sizeof r.parent, parent);
    child_path(r.path, "/", r.code);
    if (parent && org_parent(im, parent, &r) < 0)
        return CV_PLUGIN_EINVAL;
    struct orgs_batch *b = im->org_rows;
    b->rows[b->n++] = r;
    org_forget(im, r.code); /* its id is known once written */
    return b->n == ORGS_BATCH ? orgs_write(im) : 0;
}

/* After the last row: the waiting rows, then the roll-ups and paths recomputed in bulk. */
static int orgs_flush(struct importer *im)
{
    if (orgs_write(im) < 0 || org_indexes(im, 0) < 0 || rows_trust_checks(im, 0) < 0)
        return CV_PLUGIN_ECONFLICT;
    if (im->bulk && im->host->store_exec(im->ctx, ROWS_BULK_END, NULL, 0, NULL, NULL) < 0)
        return rows_store_fail(im, -1);
    im->bulk = 0;
    return 0;
}

/* members: the member count of existing organisations ----------------------------------------- */

enum { M_ORG, M_MEMBERS };
static const char *const member_columns[] = {"*org", "*members", NULL};

static int member_row(struct importer *im, const char *const *v)
{
    int64_t members;
    if (rows_check_code(im, M_ORG, v[M_ORG]) < 0 ||
        rows_check_rule(im, M_MEMBERS, "members", v[M_MEMBERS], &members) < 0)
        return CV_PLUGIN_EINVAL;
    cv_plugin_value p[] = {rows_text(v[M_ORG]), rows_integer(members, 1)};
    struct first f;
    int64_t changed = im->changed;
    struct row_json *before = malloc(sizeof *before);
    if (!before)
        return rows_fail(im, -1, "out of memory");
    int rc = rows_row_json(im, ORG_JSON, v[M_ORG], before);
    if (rc == 0 &&
        rows_exec(im, "UPDATE orgs SET members = ?2 WHERE code = ?1 AND members IS NOT ?2", p, 2,
                  NULL, M_MEMBERS) < 0)
        rc = CV_PLUGIN_ECONFLICT;
    if (rc == 0 && im->changed > changed)
        rc = rows_journal_change(im, ORG_JSON, "org.updated", v[M_ORG], before);
    free(before);
    if (rc < 0 || im->changed > changed)
        return rc;
    if (rows_exec(im, "SELECT 1 FROM orgs WHERE code = ?1", p, 1, &f, M_ORG) < 0)
        return CV_PLUGIN_ECONFLICT;
    return f.have ? 0 : rows_fail(im, M_ORG, "unknown organisation '%s'", v[M_ORG]);
}

#define ORGS_MAX_ID   "SELECT coalesce(max(id), 0) FROM orgs"
#define ORGS_INSERTED "SELECT count(*) FROM orgs WHERE id > ?1"

const row_kind rows_orgs = {"orgs",      org_columns,   org_row, orgs_flush, "orgs",
                            ORGS_MAX_ID, ORGS_INSERTED, 0,       1};
const row_kind rows_members = {"members",   member_columns, member_row, NULL, "orgs",
                               ORGS_MAX_ID, ORGS_INSERTED,  0,          0};
