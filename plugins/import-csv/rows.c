/* rows.c: the kinds of rows import-csv writes (see rows.h). Values are checked here (codes,
 * NFC names, levels, counts, dates) before the store sees them, and the store's own constraints
 * catch the rest. It must never build SQL from file text: every statement is a constant. */
#include "rows.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nfc.h"

#define LEVELS "national province district grassroots cell" /* in rank order, for SQL */
static const char *const LEVEL_NAMES[] = {"national", "province", "district", "grassroots", "cell"};

int rows_fail(struct importer *im, int column, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (column < 0 || !im->fcol[column])
        return im->host->error(im->ctx, CV_PLUGIN_EINVAL, "%s: row %lld: %s", im->req->path,
                               (long long)im->record, msg);
    const char *name = im->kind->columns[column];
    return im->host->error(im->ctx, CV_PLUGIN_EINVAL, "%s: row %lld, column %d (%s): %s",
                           im->req->path, (long long)im->record, im->fcol[column],
                           name + (*name == '*'), msg);
}

/* A failed store statement, with the store's reason. */
static int store_fail(struct importer *im, int column)
{
    char why[400];
    snprintf(why, sizeof why, "%s", im->host->last_error(im->ctx));
    return rows_fail(im, column, "the store refused the row: %s", why);
}

/* Sets the store's CHECK constraints aside (on) while rows of a kind that checks every value
 * itself are written, or brings them back; a host older than 1.4 keeps them on. */
static int trust_checks(struct importer *im, int on)
{
    if (!im->kind->checks_all || !CV_HOST_HAS(im->host, store_trust_checks))
        return 0;
    return im->host->store_trust_checks(im->ctx, on) < 0 ? store_fail(im, -1) : 0;
}

/* checks ------------------------------------------------------------------------------------- */

/* Checks v by the engine's own rule (host->check: code, level, date, done_on, members, budget,
 * ordinal, held_on, term),
 * so a value is refused here in the same words as by the CLI and the Lua API. */
static int check_rule(struct importer *im, int col, const char *rule, const char *v, int64_t *out)
{
    if (im->host->check(im->ctx, rule, v, out) == 0)
        return 0;
    char why[400];
    snprintf(why, sizeof why, "%s", im->host->last_error(im->ctx));
    return rows_fail(im, col, "%s", why);
}

static int check_code(struct importer *im, int col, const char *v)
{
    return check_rule(im, col, "code", v, NULL);
}

/* The rank of a level (0 national ... 4 cell) by the engine's rule; -1, with the row's error
 * recorded against col, when level is not one. */
static int level_rank(struct importer *im, int col, const char *level)
{
    int64_t rank;
    return check_rule(im, col, "level", level, &rank) < 0 ? -1 : (int)rank;
}

/* Normalises text v to NFC (into im->scratch[col] when it changes); refuses invalid UTF-8,
 * control characters and overlong text. In a multi-line column (a person's titles: the field
 * core keeps with cv_text_nfc_lines) a line break (CRLF, CR or LF) is kept, as LF. */
static int check_text(struct importer *im, int col, const char *v, const char **out)
{
    int lines = (im->kind->multiline >> col) & 1;
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if ((*p < 0x20 && !(lines && (*p == '\n' || *p == '\r'))) || *p == 0x7f)
            return rows_fail(im, col, "control character (byte 0x%02x) in text", *p);
        if (lines && n == sizeof im->lines - 1)
            return rows_fail(im, col, "longer than %d bytes", NFC_MAX - 1);
        if (lines && !(*p == '\r' && p[1] == '\n'))
            im->lines[n++] = *p == '\r' ? '\n' : (char)*p;
    }
    if (lines) {
        im->lines[n] = '\0';
        v = im->lines;
    }
    int rc = nfc_text(v, im->scratch[col], out);
    if (rc == NFC_INVALID)
        return rows_fail(im, col, "not valid UTF-8 (try --encoding cp1258)");
    if (rc == NFC_TOO_LONG)
        return rows_fail(im, col, "longer than %d bytes", NFC_MAX - 1);
    return 0;
}

/* A value or NULL: an absent column and an empty cell both mean "not given". */
static const char *given(const char *const *v, int col)
{
    return v[col] && *v[col] ? v[col] : NULL;
}

static cv_plugin_value text(const char *s)
{
    return (cv_plugin_value){s ? CV_PLUGIN_TEXT : CV_PLUGIN_NULL, 0, s};
}

static cv_plugin_value integer(int64_t i, int present)
{
    return (cv_plugin_value){present ? CV_PLUGIN_INT : CV_PLUGIN_NULL, i, NULL};
}

/* Keeps the first row of a statement's result. */
struct first {
    int have;
    cv_plugin_value v[4];
    char s[4][64];
};

static int keep_first(void *arg, const cv_plugin_value *cols, int n)
{
    struct first *f = arg;
    f->have = 1;
    for (int i = 0; i < n && i < 4; i++) {
        f->v[i] = cols[i];
        if (cols[i].type == CV_PLUGIN_TEXT) {
            snprintf(f->s[i], sizeof f->s[i], "%s", cols[i].s);
            f->v[i].s = f->s[i];
        }
    }
    return 0;
}

/* Runs one statement, keeping its first result row in out (if not NULL), and adds the rows it
 * changed to the import's tally. */
static int exec(struct importer *im, const char *sql, const cv_plugin_value *p, int n,
                struct first *out, int column)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (im->host->store_exec(im->ctx, sql, p, n, out ? keep_first : NULL, out) < 0)
        return store_fail(im, column);
    im->changed += im->host->store_changes(im->ctx);
    return 0;
}

/* Copies s into storage of its own, cut to fit (the checks made it fit); NULL becomes "". */
static void keep(char *dst, size_t cap, const char *s)
{
    size_t n = s ? strnlen(s, cap - 1) : 0;
    memcpy(dst, s ? s : "", n);
    dst[n] = '\0';
}

/* The codes of organisations already looked up, by a SipHash of the code: a member list names
 * the same few hundred organisations over and over. */
struct org_slot {
    char code[64];
    int64_t id;
    int rank;                /* its level's rank, -1 when not known (a member list's lookup) */
    char path[ORG_PATH_MAX]; /* its materialised path (store migration 9), "" when not known */
};

/* The slot of code: the one holding it among ORG_CACHE_PROBES slots from its hash's, else the
 * first empty one there, else (the cache is crowded there) its hash's own, to be taken over. */
static struct org_slot *org_slot(struct importer *im, const char *code)
{
    static const unsigned char key[crypto_shorthash_KEYBYTES]; /* an index, not a secret */
    unsigned char h[crypto_shorthash_BYTES];
    if (!im->orgs && !(im->orgs = calloc(ORG_CACHE_SLOTS, sizeof *im->orgs)))
        return NULL; /* no cache: every lookup goes to the store */
    crypto_shorthash(h, (const unsigned char *)code, strlen(code), key);
    unsigned home = (h[0] | (unsigned)h[1] << 8) & (ORG_CACHE_SLOTS - 1);
    for (unsigned i = 0; i < ORG_CACHE_PROBES; i++) {
        struct org_slot *slot = &im->orgs[(home + i) & (ORG_CACHE_SLOTS - 1)];
        if (!slot->code[0] || strcmp(slot->code, code) == 0)
            return slot;
    }
    return &im->orgs[home];
}

/* An organisation's id, level and path, as a statement returns them. */
struct parent_found {
    int have;
    int64_t id;
    char level[16], path[ORG_PATH_MAX];
};

static int parent_row(void *arg, const cv_plugin_value *cols, int n)
{
    struct parent_found *f = arg;
    if (n < 3 || cols[1].type != CV_PLUGIN_TEXT)
        return 0;
    f->have = 1;
    f->id = cols[0].i;
    keep(f->level, sizeof f->level, cols[1].s);
    keep(f->path, sizeof f->path, cols[2].type == CV_PLUGIN_TEXT ? cols[2].s : "");
    return 0;
}

static const char ORG_FIND[] = "SELECT id, level, path FROM orgs WHERE code = ?1";

/* The id of the organisation called code (a checked code), or an error naming the column;
 * *path (if not NULL) points to its materialised path, "" when not known. */
static int org_id_of(struct importer *im, int col, const char *code, int64_t *id, const char **path)
{
    struct org_slot *slot = org_slot(im, code);
    if (slot && strcmp(slot->code, code) == 0) {
        *id = slot->id;
        if (path)
            *path = slot->path;
        return 0;
    }
    struct parent_found f = {0};
    cv_plugin_value p = text(code);
    if (im->host->store_exec(im->ctx, ORG_FIND, &p, 1, parent_row, &f) < 0)
        return store_fail(im, col);
    if (!f.have)
        return rows_fail(im, col, "unknown organisation '%s'", code);
    *id = f.id;
    if (path)
        *path = "";
    if (slot) {
        keep(slot->code, sizeof slot->code, code);
        slot->id = *id;
        slot->rank = -1;
        keep(slot->path, sizeof slot->path, f.path);
        if (path)
            *path = slot->path;
    }
    return 0;
}

int64_t rows_org_of(void *arg, const char *code)
{
    struct importer *im = arg;
    int64_t id = 0;
    return org_id_of(im, -1, code, &id, NULL) < 0 ? 0 : id;
}

/* A row as the journal names it before and after a change: the id of the organisation it
 * belongs to and its values as a JSON object. */
#define ROW_JSON_MAX 8192
struct row_json {
    int have;
    int64_t org_id;
    char text[ROW_JSON_MAX];
};

static int keep_json(void *arg, const cv_plugin_value *cols, int n)
{
    struct row_json *r = arg;
    if (n < 2 || cols[1].type != CV_PLUGIN_TEXT)
        return 0;
    r->have = 1;
    r->org_id = cols[0].i;
    keep(r->text, sizeof r->text, cols[1].s);
    return 0;
}

/* Reads the row of code (sql selects its organisation's id and its JSON). */
static int row_json(struct importer *im, const char *sql, const char *code, struct row_json *out)
{
    cv_plugin_value p = text(code);
    out->have = 0;
    if (im->host->store_exec(im->ctx, sql, &p, 1, keep_json, out) < 0)
        return store_fail(im, -1);
    return 0;
}

/* Journals a changed row: before is its JSON before the change; after is read now. */
static int journal_change(struct importer *im, const char *sql, const char *type, const char *code,
                          const struct row_json *before)
{
    struct row_json *after = malloc(sizeof *after);
    if (!after)
        return rows_fail(im, -1, "out of memory");
    int rc = row_json(im, sql, code, after);
    if (rc == 0 &&
        journal_updated(&im->jnl, type, after->org_id, code, before->text, after->text) < 0)
        rc = store_fail(im, -1);
    free(after);
    return rc;
}

/* Which rows of a batch statement (n rows, ON CONFLICT DO NOTHING) it inserted, as bits: all
 * when it inserted n; else, as ids are given in order (the largest plus one), the rows whose
 * id is among the `inserted` largest, each code only the first time it is listed. */
static int batch_written(struct importer *im, const char *find_sql,
                         const char *(*code_of)(const void *rows, int i), const void *rows, int n,
                         int64_t inserted, uint64_t *mask)
{
    struct first f;
    *mask = inserted == n ? UINT64_MAX >> (64 - n) : 0; /* 0 < n <= 64 */
    if (inserted == n || inserted == 0)
        return 0;
    if (exec(im, im->kind->max_id_sql, NULL, 0, &f, -1) < 0)
        return CV_PLUGIN_ECONFLICT;
    int64_t base = f.v[0].i - inserted;
    for (int i = 0; i < n; i++) {
        cv_plugin_value p = text(code_of(rows, i));
        if (exec(im, find_sql, &p, 1, &f, -1) < 0)
            return CV_PLUGIN_ECONFLICT;
        int first = f.have && f.v[0].i > base;
        for (int k = 0; first && k < i; k++)
            first = strcmp(code_of(rows, k), p.s) != 0;
        *mask |= (uint64_t)first << i;
    }
    return 0;
}

/* orgs ----------------------------------------------------------------------------------------- */

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
    "     instr('" LEVELS "', c.level) <= instr('" LEVELS "', orgs.level))";

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

/* While the setting rollups.bulk exists the store's roll-up triggers stand aside; deleting it
 * recomputes paths and roll-ups in bulk, in the import's transaction (store migration 9). */
static const char ORGS_BULK_BEGIN[] =
    "INSERT INTO settings(key, value) VALUES ('rollups.bulk', 'import-csv') "
    "ON CONFLICT DO NOTHING";
static const char ORGS_BULK_END[] = "DELETE FROM settings WHERE key = 'rollups.bulk'";
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
            return store_fail(im, -1);
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
    p[O_CODE] = text(r->code);
    p[O_NAME] = text(r->name);
    p[O_LEVEL] = text(r->level);
    p[O_PARENT] = text(r->kind); /* the statement's 4th column is kind, the 5th the parent's id */
    p[O_KIND] = integer(r->parent_id, r->parent_id != 0);
    p[O_MEMBERS] = integer(r->members < 0 ? 0 : r->members, 1);
    p[O_NCOLS] = text(*r->path ? r->path : NULL);
}

/* Remembers an organisation's id, level and path for the rows that name it as their parent. */
static void org_remember(struct importer *im, const char *code, int64_t id, int rank,
                         const char *path)
{
    struct org_slot *slot = org_slot(im, code);
    if (!slot)
        return;
    keep(slot->code, sizeof slot->code, code);
    slot->id = id;
    slot->rank = rank;
    keep(slot->path, sizeof slot->path, path);
}

/* Forgets what the cache knows of code (a row changes or adds it). */
static void org_forget(struct importer *im, const char *code)
{
    struct org_slot *slot = org_slot(im, code);
    if (slot && strcmp(slot->code, code) == 0)
        slot->rank = -1;
}

/* A new organisation's row as the journal names it. */
static int org_added(struct importer *im, const struct org_row *r)
{
    cv_plugin_value v[] = {text(r->code),
                           text(r->name),
                           text(r->level),
                           text(r->kind),
                           integer(r->members < 0 ? 0 : r->members, 1),
                           text(*r->parent ? r->parent : NULL)};
    return journal_added(&im->jnl, &org_journal, v, r->path) < 0 ? store_fail(im, -1) : 0;
}

/* A row of an organisation already in the store (or one the batch did not write): the one-row
 * upsert with every check, journaled. */
static int org_upsert(struct importer *im, const struct org_row *r)
{
    cv_plugin_value p[] = {text(r->code),
                           text(r->name),
                           text(r->level),
                           text(*r->kind ? r->kind : NULL),
                           text(*r->parent ? r->parent : NULL),
                           integer(r->members, r->members >= 0)};
    struct first f;
    struct row_json *before = malloc(sizeof *before);
    int64_t changed = im->changed;
    if (!before)
        return rows_fail(im, -1, "out of memory");
    int rc = row_json(im, ORG_JSON, r->code, before);
    if (rc == 0 && exec(im, ORG_UPSERT, p, 6, &f, -1) < 0)
        rc = CV_PLUGIN_ECONFLICT;
    if (rc == 0 && im->changed > changed && (f.have && !f.v[1].i))
        rc = before->have ? journal_change(im, ORG_JSON, "org.updated", r->code, before)
                          : org_added(im, r);
    free(before);
    if (rc < 0)
        return rc;
    if (f.have && f.v[1].i)
        return rows_fail(im, O_PARENT,
                         "unknown organisation '%s' (it must be in the store or on an earlier row)",
                         r->parent);
    if (f.have && f.v[2].type == CV_PLUGIN_TEXT && *f.v[2].s &&
        level_rank(im, O_LEVEL, f.v[2].s) >= r->rank)
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
            if (batch_written(im, "SELECT id FROM orgs WHERE code = ?1", org_code_of, b->rows, b->n,
                              inserted, &written) < 0)
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
    struct org_slot *slot = org_slot(im, code);
    if (!slot)
        return rows_fail(im, -1, "out of memory");
    if (strcmp(slot->code, code) != 0 || slot->rank < 0) {
        struct parent_found f = {0};
        cv_plugin_value p = text(code);
        if (org_waiting(im->org_rows, code) && orgs_write(im) < 0)
            return CV_PLUGIN_ECONFLICT;
        if (im->host->store_exec(im->ctx, ORG_FIND, &p, 1, parent_row, &f) < 0)
            return store_fail(im, O_PARENT);
        if (!f.have)
            return rows_fail(im, O_PARENT,
                             "unknown organisation '%s' (it must be in the store or on an "
                             "earlier row)",
                             code);
        org_remember(im, code, f.id, level_rank(im, O_PARENT, f.level), f.path);
    }
    if (slot->rank >= r->rank)
        return rows_fail(im, O_LEVEL, "a %s cannot be placed under a %s", r->level,
                         LEVEL_NAMES[slot->rank]);
    r->parent_id = slot->id;
    child_path(r->path, slot->path, r->code);
    return 0;
}

static int org_row(struct importer *im, const char *const *v)
{
    const char *name, *kind = NULL, *parent = given(v, O_PARENT);
    int64_t members = -1;
    if (check_code(im, O_CODE, v[O_CODE]) < 0 || check_text(im, O_NAME, v[O_NAME], &name) < 0 ||
        (given(v, O_KIND) && check_text(im, O_KIND, v[O_KIND], &kind) < 0) ||
        (parent && check_code(im, O_PARENT, parent) < 0) ||
        (given(v, O_MEMBERS) && check_rule(im, O_MEMBERS, "members", v[O_MEMBERS], &members) < 0))
        return CV_PLUGIN_EINVAL;
    if (!*name)
        return rows_fail(im, O_NAME, "the name is empty");
    if (parent && strcmp(parent, v[O_CODE]) == 0)
        return rows_fail(im, O_PARENT, "an organisation cannot be its own parent");
    int rank = level_rank(im, O_LEVEL, v[O_LEVEL]);
    if (rank < 0)
        return CV_PLUGIN_EINVAL;
    if (!im->bulk) {
        struct first f;
        if (im->host->store_exec(im->ctx, ORGS_BULK_BEGIN, NULL, 0, NULL, NULL) < 0)
            return store_fail(im, -1);
        if (exec(im, ORGS_COUNT, NULL, 0, &f, -1) < 0)
            return CV_PLUGIN_ECONFLICT;
        im->bulk = 1;
        im->orgs_before = f.v[0].i;
    }
    if (!im->org_rows && !(im->org_rows = calloc(1, sizeof *im->org_rows)))
        return rows_fail(im, -1, "out of memory");
    struct org_row r = {.record = im->record, .members = members, .rank = rank};
    keep(r.code, sizeof r.code, v[O_CODE]);
    keep(r.level, sizeof r.level, v[O_LEVEL]);
    keep(r.name, sizeof r.name, name);
    keep(r.kind, sizeof r.kind, kind);
    keep(r.parent, sizeof r.parent, parent);
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
    if (orgs_write(im) < 0 || org_indexes(im, 0) < 0 || trust_checks(im, 0) < 0)
        return CV_PLUGIN_ECONFLICT;
    if (im->bulk && im->host->store_exec(im->ctx, ORGS_BULK_END, NULL, 0, NULL, NULL) < 0)
        return store_fail(im, -1);
    im->bulk = 0;
    return 0;
}

/* members: the member count of existing organisations ----------------------------------------- */

enum { M_ORG, M_MEMBERS };
static const char *const member_columns[] = {"*org", "*members", NULL};

static int member_row(struct importer *im, const char *const *v)
{
    int64_t members;
    if (check_code(im, M_ORG, v[M_ORG]) < 0 ||
        check_rule(im, M_MEMBERS, "members", v[M_MEMBERS], &members) < 0)
        return CV_PLUGIN_EINVAL;
    cv_plugin_value p[] = {text(v[M_ORG]), integer(members, 1)};
    struct first f;
    int64_t changed = im->changed;
    struct row_json *before = malloc(sizeof *before);
    if (!before)
        return rows_fail(im, -1, "out of memory");
    int rc = row_json(im, ORG_JSON, v[M_ORG], before);
    if (rc == 0 && exec(im, "UPDATE orgs SET members = ?2 WHERE code = ?1 AND members IS NOT ?2", p,
                        2, NULL, M_MEMBERS) < 0)
        rc = CV_PLUGIN_ECONFLICT;
    if (rc == 0 && im->changed > changed)
        rc = journal_change(im, ORG_JSON, "org.updated", v[M_ORG], before);
    free(before);
    if (rc < 0 || im->changed > changed)
        return rc;
    if (exec(im, "SELECT 1 FROM orgs WHERE code = ?1", p, 1, &f, M_ORG) < 0)
        return CV_PLUGIN_ECONFLICT;
    return f.have ? 0 : rows_fail(im, M_ORG, "unknown organisation '%s'", v[M_ORG]);
}

/* work items: upsert by (congress of the organisation in the current term, group, title) ------ */

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
        if (given(v, c) && check_text(im, c, v[c], &t[c]) < 0)
            return CV_PLUGIN_EINVAL;
    if ((given(v, W_DUE) && check_rule(im, W_DUE, "date", v[W_DUE], NULL) < 0) ||
        (given(v, W_DONE) && check_rule(im, W_DONE, "done_on", v[W_DONE], NULL) < 0) ||
        (given(v, W_BUDGET) && check_rule(im, W_BUDGET, "budget", v[W_BUDGET], budget) < 0))
        return CV_PLUGIN_EINVAL;
    const char *status = given(v, W_STATUS);
    if (status && strcmp(status, "open") != 0 && strcmp(status, "done") != 0)
        return rows_fail(im, W_STATUS, "'%.32s' is not open or done", status);
    if (status && !strcmp(status, "done") && !given(v, W_DONE))
        return rows_fail(im, W_DONE, "a done work item needs the date it was done");
    if (given(v, W_DONE) && (!status || strcmp(status, "done") != 0))
        return rows_fail(im, W_STATUS, "done_on is given, so status must be done");
    return 0;
}

static int work_row(struct importer *im, const char *const *v)
{
    const char *t[W_DONE + 1] = {0};
    int64_t budget = 0;
    struct first c, sub = {0}, f;
    if (check_code(im, W_ORG, v[W_ORG]) < 0 ||
        check_text(im, W_GROUP, v[W_GROUP], &t[W_GROUP]) < 0 ||
        check_text(im, W_TITLE, v[W_TITLE], &t[W_TITLE]) < 0 || work_values(im, v, t, &budget) < 0)
        return CV_PLUGIN_EINVAL;
    cv_plugin_value q[] = {text(v[W_ORG]), integer(im->term_id, 1)};
    if (exec(im, WORK_CONGRESS, q, 2, &c, W_ORG) < 0)
        return CV_PLUGIN_ECONFLICT;
    if (!c.have)
        return rows_fail(im, W_ORG, "%s has no congress in the current term", v[W_ORG]);
    if (given(v, W_SUB)) {
        cv_plugin_value s[] = {c.v[0], text(v[W_SUB])};
        if (exec(im, WORK_SUB, s, 2, &sub, W_SUB) < 0)
            return CV_PLUGIN_ECONFLICT;
        if (!sub.have)
            return rows_fail(im, W_SUB, "the congress of %s has no subcommittee '%s'", v[W_ORG],
                             v[W_SUB]);
    }
    cv_plugin_value k[] = {c.v[0], text(t[W_GROUP]), text(t[W_TITLE])};
    if (exec(im, WORK_FIND, k, 3, &f, -1) < 0)
        return CV_PLUGIN_ECONFLICT;
    cv_plugin_value p[] = {f.have ? f.v[0] : c.v[0], text(t[W_GROUP]),
                           text(t[W_TITLE]),         sub.have ? sub.v[0] : text(NULL),
                           text(t[W_UNIT]),          text(t[W_PERSON]),
                           text(given(v, W_DUE)),    integer(budget, given(v, W_BUDGET) != NULL),
                           text(given(v, W_STATUS)), text(given(v, W_DONE))};
    if (f.have)
        return exec(im, WORK_UPDATE, p, 10, NULL, -1) < 0 ? CV_PLUGIN_ECONFLICT : 0;
    struct row_json *added = malloc(sizeof *added);
    if (!added)
        return rows_fail(im, -1, "out of memory");
    added->have = 0;
    int rc = im->host->store_exec(im->ctx, WORK_INSERT, p, 10, keep_json, added) < 0
                 ? store_fail(im, -1)
                 : 0;
    if (rc == 0 && added->have) {
        im->changed += im->host->store_changes(im->ctx);
        if (journal_flush(&im->jnl) < 0 ||
            im->host->journal(im->ctx, "work_item.added", c.v[1].i, added->text) < 0)
            rc = store_fail(im, -1);
    }
    free(added);
    return rc;
}

/* people (the table the elections subsystem owns): upsert by code, PEOPLE_BATCH rows a
 * statement ---------------------------------------------------------------------------------- */

enum { P_CODE, P_NAME, P_BORN, P_GENDER, P_ETHNICITY, P_ORG, P_TITLES, P_NCOLS };
static const char *const people_columns[] = {"*code",     "*name", "born",   "gender",
                                             "ethnicity", "org",   "titles", NULL};

/* A cell left empty keeps what the store holds: born and org_id arrive as NULL, the texts with
 * a NOT NULL DEFAULT '' as ''. One statement writes many rows, so it reads them from excluded. */
// clang-format off
#define PEOPLE_KEEP(col) "iif(excluded." col " = '', people." col ", excluded." col ")"
#define PEOPLE_MERGED                                                                              \
    "(excluded.name, coalesce(excluded.born, people.born), "                                       \
    PEOPLE_KEEP("gender") ", " PEOPLE_KEEP("ethnicity") ", "                                       \
    "coalesce(excluded.org_id, people.org_id), " PEOPLE_KEEP("titles") ")"
#define PEOPLE_INSERT                                                                              \
    "INSERT INTO people(code, name, born, gender, ethnicity, org_id, titles) VALUES "
#define PEOPLE_UPDATE                                                                              \
    " ON CONFLICT(code) DO UPDATE SET (name, born, gender, ethnicity, org_id, titles) = "          \
    PEOPLE_MERGED " WHERE (people.name, people.born, people.gender, people.ethnicity, "            \
    "people.org_id, people.titles) IS NOT " PEOPLE_MERGED
#define P1  "(?, ?, ?, ?, ?, ?, ?)"
#define P4  P1 ", " P1 ", " P1 ", " P1
#define P16 P4 ", " P4 ", " P4 ", " P4
// clang-format on

static const char PEOPLE_UPSERT_ONE[] = PEOPLE_INSERT P1 PEOPLE_UPDATE;
static const char PEOPLE_INSERT_BATCH[] =
    PEOPLE_INSERT P16 ", " P16 ", " P16 ", " P16 " ON CONFLICT(code) DO NOTHING";
_Static_assert(PEOPLE_BATCH == 64, "PEOPLE_INSERT_BATCH lists 64 rows");

static const char PERSON_JSON[] =
    "SELECT coalesce(p.org_id, 0), json_object('code', p.code, 'name', p.name, 'born', p.born, "
    "  'gender', p.gender, 'ethnicity', p.ethnicity, 'org', o.code, 'titles', p.titles) "
    "FROM people p LEFT JOIN orgs o ON o.id = p.org_id WHERE p.code = ?1";
static const char *const person_journal_columns[] = {"code",      "name", "born",   "gender",
                                                     "ethnicity", "org",  "titles", NULL};
static const journal_kind person_journal = {"person", person_journal_columns};

/* One checked row waiting for its batch: the values it binds, in storage of its own. */
struct person {
    int64_t record;
    int64_t org_id; /* 0: not given */
    char code[64], born[11], gender[8], org[64];
    char org_path[ORG_PATH_MAX]; /* its organisation's path, "" when not known */
    char name[ROWS_TEXT_MAX], ethnicity[ROWS_TEXT_MAX], titles[ROWS_TEXT_MAX];
};

struct people_batch {
    struct person rows[PEOPLE_BATCH];
    int n;
};

static void bind_person(const struct person *r, cv_plugin_value *p)
{
    p[P_CODE] = text(r->code);
    p[P_NAME] = text(r->name);
    p[P_BORN] = text(*r->born ? r->born : NULL);
    p[P_GENDER] = text(r->gender);
    p[P_ETHNICITY] = text(r->ethnicity);
    p[P_ORG] = integer(r->org_id, r->org_id != 0);
    p[P_TITLES] = text(r->titles);
}

/* A new person's row as the journal names it. */
static int person_added(struct importer *im, const struct person *r)
{
    cv_plugin_value v[] = {text(r->code),   text(r->name),      text(*r->born ? r->born : NULL),
                           text(r->gender), text(r->ethnicity), text(*r->org ? r->org : NULL),
                           text(r->titles)};
    return journal_added(&im->jnl, &person_journal, v, r->org_path) < 0 ? store_fail(im, -1) : 0;
}

/* One row through the one-row upsert, journaled. */
static int person_upsert(struct importer *im, const struct person *r)
{
    cv_plugin_value p[P_NCOLS];
    struct row_json *before = malloc(sizeof *before);
    int64_t changed = im->changed;
    if (!before)
        return rows_fail(im, -1, "out of memory");
    bind_person(r, p);
    int rc = row_json(im, PERSON_JSON, r->code, before);
    if (rc == 0 && exec(im, PEOPLE_UPSERT_ONE, p, P_NCOLS, NULL, -1) < 0)
        rc = CV_PLUGIN_ECONFLICT;
    if (rc == 0 && im->changed > changed)
        rc = before->have ? journal_change(im, PERSON_JSON, "person.updated", r->code, before)
                          : person_added(im, r);
    free(before);
    return rc;
}

static const char *person_code_of(const void *rows, int i)
{
    return ((const struct person *)rows)[i].code;
}

/* Writes the waiting rows: a full batch of new people in one statement. The rest (a code
 * already in the store), or every row should the store refuse the statement (it is then
 * undone), go one by one so that an error names its row. */
static int people_flush(struct importer *im)
{
    struct people_batch *b = im->people;
    cv_plugin_value p[PEOPLE_BATCH * P_NCOLS];
    if (!b || b->n == 0)
        return 0;
    uint64_t written = 0;
    if (b->n == PEOPLE_BATCH) {
        for (int i = 0; i < b->n; i++)
            bind_person(&b->rows[i], p + i * P_NCOLS);
        if (im->host->store_exec(im->ctx, PEOPLE_INSERT_BATCH, p, PEOPLE_BATCH * P_NCOLS, NULL,
                                 NULL) == 0) {
            int64_t inserted = im->host->store_changes(im->ctx);
            im->changed += inserted;
            if (batch_written(im, "SELECT id FROM people WHERE code = ?1", person_code_of, b->rows,
                              b->n, inserted, &written) < 0)
                return CV_PLUGIN_ECONFLICT;
        }
    }
    int64_t record = im->record;
    int rc = 0;
    for (int i = 0; rc == 0 && i < b->n; i++) {
        im->record = b->rows[i].record;
        rc = written >> i & 1 ? person_added(im, &b->rows[i]) : person_upsert(im, &b->rows[i]);
    }
    im->record = record;
    b->n = 0;
    return rc;
}

static int person_row(struct importer *im, const char *const *v)
{
    const char *t[P_NCOLS] = {0}, *gender = given(v, P_GENDER), *org = given(v, P_ORG);
    const char *org_path = "";
    int64_t org_id = 0;
    if (check_code(im, P_CODE, v[P_CODE]) < 0 ||
        check_text(im, P_NAME, v[P_NAME], &t[P_NAME]) < 0 ||
        (given(v, P_BORN) && check_rule(im, P_BORN, "date", v[P_BORN], NULL) < 0) ||
        (given(v, P_ETHNICITY) &&
         check_text(im, P_ETHNICITY, v[P_ETHNICITY], &t[P_ETHNICITY]) < 0) ||
        (given(v, P_TITLES) && check_text(im, P_TITLES, v[P_TITLES], &t[P_TITLES]) < 0) ||
        (org &&
         (check_code(im, P_ORG, org) < 0 || org_id_of(im, P_ORG, org, &org_id, &org_path) < 0)))
        return CV_PLUGIN_EINVAL;
    if (gender && strcmp(gender, "male") != 0 && strcmp(gender, "female") != 0)
        return rows_fail(im, P_GENDER, "'%.32s' is not male or female", gender);
    if (!im->people && !(im->people = calloc(1, sizeof *im->people)))
        return rows_fail(im, -1, "out of memory");
    struct person *r = &im->people->rows[im->people->n++];
    r->record = im->record;
    r->org_id = org_id;
    keep(r->code, sizeof r->code, v[P_CODE]);
    keep(r->born, sizeof r->born, given(v, P_BORN));
    keep(r->gender, sizeof r->gender, gender);
    keep(r->org, sizeof r->org, org);
    keep(r->org_path, sizeof r->org_path, org_path);
    keep(r->name, sizeof r->name, t[P_NAME]);
    keep(r->ethnicity, sizeof r->ethnicity, t[P_ETHNICITY]);
    keep(r->titles, sizeof r->titles, t[P_TITLES]);
    return im->people->n == PEOPLE_BATCH ? people_flush(im) : 0;
}

/* congresses: one a row, by (organisation, term) ------------------------------------------------
 */

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
    keep(f->level, sizeof f->level, cols[1].s);
    f->members = cols[2].i;
    keep(f->path, sizeof f->path, cols[3].type == CV_PLUGIN_TEXT ? cols[3].s : "");
    return 0;
}

/* A new congress's rows: (org_id, term_id, ordinal, kind, planned_start, planned_end, status,
 * actual_start, actual_end); like `congress plan`, the planned end is the planned start. */
// clang-format off
#define CONGRESS_INSERT                                                                            \
    "INSERT INTO congresses(org_id, term_id, ordinal, kind, planned_start, planned_end, status, "  \
    "actual_start, actual_end) VALUES "
#define C1  "(?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define C4  C1 ", " C1 ", " C1 ", " C1
#define C16 C4 ", " C4 ", " C4 ", " C4
// clang-format on
enum { C_PARAMS = 9 }; /* the values bind_congress gives a row, in that order */
static const char CONGRESS_INSERT_BATCH[] = CONGRESS_INSERT C16 ", " C16 ", " C16 ", " C16;
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
    char path[ORG_PATH_MAX];
};

struct cong_batch {
    struct congress_row rows[CONG_BATCH];
    int n;
};

static void bind_congress(const struct congress_row *r, cv_plugin_value *p)
{
    p[0] = integer(r->org_id, 1);
    p[1] = integer(r->term_id, 1);
    p[2] = integer(r->ordinal, r->ordinal != 0);
    p[3] = text(r->kind);
    p[4] = text(*r->planned ? r->planned : NULL);
    p[5] = p[4];
    p[6] = text(r->status);
    p[7] = text(*r->held ? r->held : NULL);
    p[8] = text(*r->held_end ? r->held_end : *r->held ? r->held : NULL);
}

/* A new congress's row as the journal names it. */
static int congress_added(struct importer *im, const struct congress_row *r)
{
    cv_plugin_value p[C_PARAMS], v[C_NCOLS];
    bind_congress(r, p);
    v[C_ORG] = text(r->org);
    v[C_TERM] = text(r->term);
    v[C_ORDINAL] = p[2];
    v[C_KIND] = p[3];
    v[C_STATUS] = p[6];
    v[C_PLANNED] = p[4];
    v[C_HELD] = p[7];
    v[C_HELD_END] = p[8];
    return journal_added(&im->jnl, &congress_journal, v, r->path) < 0 ? store_fail(im, -1) : 0;
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
    keep(c->kind, sizeof c->kind, cols[2].s);
    return keep_json(&c->row, cols, n);
}

static int congress_json(struct importer *im, const struct congress_row *r,
                         struct congress_json *out)
{
    cv_plugin_value p[] = {integer(r->org_id, 1), integer(r->term_id, 1)};
    out->row.have = 0;
    return im->host->store_exec(im->ctx, CONGRESS_JSON, p, 2, keep_congress, out) < 0
               ? store_fail(im, -1)
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
    if (rc == 0 && exec(im, CONGRESS_UPSERT, p, C_PARAMS, NULL, -1) < 0)
        rc = CV_PLUGIN_ECONFLICT;
    if (rc == 0 && im->changed > changed && !j[0].row.have)
        rc = congress_added(im, r);
    else if (rc == 0 && im->changed > changed && (rc = congress_json(im, r, &j[1])) == 0 &&
             journal_updated(&im->jnl, "congress.updated", r->org_id, r->org, j[0].row.text,
                             j[1].row.text) < 0)
        rc = store_fail(im, -1);
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
    cv_plugin_value p[CONG_BATCH * C_PARAMS];
    int64_t record = im->record;
    int written = 0, rc = 0;
    if (!b || b->n == 0)
        return 0;
    if (b->n == CONG_BATCH) {
        for (int i = 0; i < b->n; i++)
            bind_congress(&b->rows[i], p + i * C_PARAMS);
        written = im->host->store_exec(im->ctx, CONGRESS_INSERT_BATCH, p, CONG_BATCH * C_PARAMS,
                                       NULL, NULL) == 0;
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
        if (check_rule(im, C_TERM, "term", term, &im->term_id) < 0)
            return CV_PLUGIN_EINVAL;
        cv_plugin_value id = integer(im->term_id, 1);
        if (exec(im, "SELECT code FROM terms WHERE id = ?1", &id, 1, &f, C_TERM) < 0)
            return CV_PLUGIN_ECONFLICT;
        keep(im->term_cell, sizeof im->term_cell, term);
        keep(im->term_code, sizeof im->term_code, f.have ? f.v[0].s : "");
    }
    r->term_id = im->term_id;
    keep(r->term, sizeof r->term, im->term_code);
    return 0;
}

/* Checks the status against the held dates: a held congress has the day it was held, and only
 * a held one. */
static int congress_held(struct importer *im, const char *const *v, const char *status)
{
    const char *held = given(v, C_HELD), *end = given(v, C_HELD_END);
    if (strcmp(status, "planned") != 0 && strcmp(status, "preparing") != 0 &&
        strcmp(status, "held") != 0)
        return rows_fail(im, C_STATUS, "'%.32s' is not planned, preparing or held", status);
    if (!strcmp(status, "held") && !held)
        return rows_fail(im, C_HELD, "a held congress needs the date it was held");
    if (held && strcmp(status, "held") != 0)
        return rows_fail(im, C_STATUS, "held is given, so status must be held");
    if (end && !held)
        return rows_fail(im, C_HELD, "held_end is given, so held must be too");
    if ((held && check_rule(im, C_HELD, "held_on", held, NULL) < 0) ||
        (end && check_rule(im, C_HELD_END, "held_on", end, NULL) < 0))
        return CV_PLUGIN_EINVAL;
    if (end && strcmp(end, held) < 0)
        return rows_fail(im, C_HELD_END, "the congress ends (%s) before it starts (%s)", end, held);
    return 0;
}

static int congress_row(struct importer *im, const char *const *v)
{
    const char *kind = given(v, C_KIND);
    struct congress_row r = {.record = im->record};
    struct congress_org o = {0};
    if (check_code(im, C_ORG, v[C_ORG]) < 0 ||
        congress_term(im, v[C_TERM] ? v[C_TERM] : "", &r) < 0 ||
        (given(v, C_ORDINAL) &&
         check_rule(im, C_ORDINAL, "ordinal", v[C_ORDINAL], &r.ordinal) < 0) ||
        (given(v, C_PLANNED) && check_rule(im, C_PLANNED, "date", v[C_PLANNED], NULL) < 0) ||
        congress_held(im, v, v[C_STATUS]) < 0)
        return CV_PLUGIN_EINVAL;
    if (kind && strcmp(kind, "delegates") != 0 && strcmp(kind, "members") != 0)
        return rows_fail(im, C_KIND, "kind '%.32s' is not 'delegates' or 'members'", kind);
    cv_plugin_value code = text(v[C_ORG]);
    if (im->host->store_exec(im->ctx, "SELECT id, level, members, path FROM orgs WHERE code = ?1",
                             &code, 1, congress_org_row, &o) < 0)
        return store_fail(im, C_ORG);
    if (!o.have)
        return rows_fail(im, C_ORG, "unknown organisation '%s'", v[C_ORG]);
    if (!im->bulk) {
        if (im->host->store_exec(im->ctx, ORGS_BULK_BEGIN, NULL, 0, NULL, NULL) < 0)
            return store_fail(im, -1);
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
    r.kind_given = given(v, C_KIND) != NULL;
    keep(r.org, sizeof r.org, v[C_ORG]);
    keep(r.kind, sizeof r.kind, kind);
    keep(r.status, sizeof r.status, v[C_STATUS]);
    keep(r.planned, sizeof r.planned, given(v, C_PLANNED));
    keep(r.held, sizeof r.held, given(v, C_HELD));
    keep(r.held_end, sizeof r.held_end, given(v, C_HELD_END));
    keep(r.path, sizeof r.path, o.path);
    struct cong_batch *b = im->cong;
    b->rows[b->n++] = r;
    return b->n == CONG_BATCH ? congresses_write(im) : 0;
}

/* After the last row: the waiting rows, then the roll-ups recomputed in bulk. */
static int congresses_flush(struct importer *im)
{
    if (congresses_write(im) < 0)
        return CV_PLUGIN_ECONFLICT;
    if (im->bulk && im->host->store_exec(im->ctx, ORGS_BULK_END, NULL, 0, NULL, NULL) < 0)
        return store_fail(im, -1);
    im->bulk = 0;
    return 0;
}

/* kinds and the header ------------------------------------------------------------------------- */

#define ORGS_MAX_ID         "SELECT coalesce(max(id), 0) FROM orgs"
#define ORGS_INSERTED       "SELECT count(*) FROM orgs WHERE id > ?1"
#define WORK_MAX_ID         "SELECT coalesce(max(id), 0) FROM work_items"
#define WORK_INSERTED       "SELECT count(*) FROM work_items WHERE id > ?1"
#define PEOPLE_MAX_ID       "SELECT coalesce(max(id), 0) FROM people"
#define PEOPLE_INSERTED     "SELECT count(*) FROM people WHERE id > ?1"
#define CONGRESSES_MAX_ID   "SELECT coalesce(max(id), 0) FROM congresses"
#define CONGRESSES_INSERTED "SELECT count(*) FROM congresses WHERE id > ?1"

static const row_kind kinds[] = {
    {"orgs", org_columns, org_row, orgs_flush, "orgs", ORGS_MAX_ID, ORGS_INSERTED, 0, 1},
    {"members", member_columns, member_row, NULL, "orgs", ORGS_MAX_ID, ORGS_INSERTED, 0, 0},
    {"work-items", work_columns, work_row, NULL, "work_items", WORK_MAX_ID, WORK_INSERTED, 0, 0},
    {"people", people_columns, person_row, people_flush, "people", PEOPLE_MAX_ID, PEOPLE_INSERTED,
     1u << P_TITLES, 1},
    {"congresses", congress_columns, congress_row, congresses_flush, "congresses",
     CONGRESSES_MAX_ID, CONGRESSES_INSERTED, 0, 0},
};

const row_kind *rows_kind(const char *as)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i].as, as) == 0)
            return &kinds[i];
    return NULL;
}

static int column_of(const row_kind *k, const char *name)
{
    for (int i = 0; k->columns[i]; i++)
        if (strcmp(k->columns[i] + (k->columns[i][0] == '*'), name) == 0)
            return i;
    return -1;
}

int rows_header(struct importer *im, const csvr_field *f, int n)
{
    const row_kind *k = im->kind;
    char expected[200] = "";
    for (int i = 0; k->columns[i]; i++)
        snprintf(expected + strlen(expected), sizeof expected - strlen(expected), "%s%s",
                 i ? ", " : "", k->columns[i] + (k->columns[i][0] == '*'));
    for (int i = 0; i < n; i++) {
        int c = column_of(k, f[i].s);
        if (c < 0 || im->fcol[c]) {
            im->field = i + 1;
            return im->host->error(im->ctx, CV_PLUGIN_EINVAL,
                                   "%s: row 1, column %d (%.40s): %s column; the columns of %s "
                                   "are %s",
                                   im->req->path, i + 1, f[i].s, c < 0 ? "unknown" : "repeated",
                                   k->as, expected);
        }
        im->map[i] = c;
        im->fcol[c] = i + 1;
    }
    for (int c = 0; k->columns[c]; c++)
        if (k->columns[c][0] == '*' && !im->fcol[c])
            return im->host->error(im->ctx, CV_PLUGIN_EINVAL,
                                   "%s: row 1: the column %s is missing; the columns of %s are %s",
                                   im->req->path, k->columns[c] + 1, k->as, expected);
    return trust_checks(im, 1);
}

int rows_record(struct importer *im, const csvr_field *f, int n)
{
    const char *v[ROWS_COLS_MAX] = {0};
    if (n == 1 && f[0].len == 0)
        return 0; /* a blank line */
    for (int i = 0; i < n; i++) {
        if (i >= im->ncols) {
            if (f[i].len == 0)
                continue;
            return im->host->error(im->ctx, CV_PLUGIN_EINVAL,
                                   "%s: row %lld, column %d: a value beyond the header's %d "
                                   "columns",
                                   im->req->path, (long long)im->record, i + 1, im->ncols);
        }
        if (memchr(f[i].s, '\0', f[i].len))
            return rows_fail(im, im->map[i], "a NUL byte in the value");
        v[im->map[i]] = f[i].s;
    }
    for (int c = 0; im->kind->columns[c]; c++)
        if (im->kind->columns[c][0] == '*' && !given(v, c))
            return rows_fail(im, c, "a value is required");
    return im->kind->row(im, v);
}

int rows_flush(struct importer *im)
{
    if ((im->kind->flush && im->kind->flush(im) < 0) || trust_checks(im, 0) < 0)
        return CV_PLUGIN_EINVAL;
    return journal_flush(&im->jnl) < 0 ? store_fail(im, -1) : 0;
}

void rows_free(struct importer *im)
{
    free(im->org_rows);
    free(im->people);
    free(im->orgs);
    free(im->cong);
    journal_free(&im->jnl);
}
