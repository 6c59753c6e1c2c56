/* rows.c: what every kind of row import-csv writes shares (see rows.h): errors naming the file,
 * row and column, the checks of values by the engine's own rules (codes, NFC text, levels,
 * dates), the cache of organisation codes, statements and their first rows, the journal of a
 * changed row, and the header and the records handed to a kind. The kinds live in rows_*.c.
 * Nothing here builds SQL from file text: every statement is a constant. */
#include "rows.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nfc.h"

const char *const ROWS_LEVEL_NAMES[] = {"national", "province", "district", "grassroots", "cell"};

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
int rows_store_fail(struct importer *im, int column)
{
    char why[400];
    snprintf(why, sizeof why, "%s", im->host->last_error(im->ctx));
    return rows_fail(im, column, "the store refused the row: %s", why);
}

/* Sets the store's CHECK constraints aside (on) while rows of a kind that checks every value
 * itself are written, or brings them back; a host older than 1.4 keeps them on. */
int rows_trust_checks(struct importer *im, int on)
{
    if (!im->kind->checks_all || !CV_HOST_HAS(im->host, store_trust_checks))
        return 0;
    return im->host->store_trust_checks(im->ctx, on) < 0 ? rows_store_fail(im, -1) : 0;
}

/* checks ------------------------------------------------------------------------------------- */

/* Checks v by the engine's own rule (host->check: code, level, date, done_on, members, budget,
 * ordinal, held_on, term),
 * so a value is refused here in the same words as by the CLI and the Lua API. */
int rows_check_rule(struct importer *im, int col, const char *rule, const char *v, int64_t *out)
{
    if (im->host->check(im->ctx, rule, v, out) == 0)
        return 0;
    char why[400];
    snprintf(why, sizeof why, "%s", im->host->last_error(im->ctx));
    return rows_fail(im, col, "%s", why);
}

int rows_check_code(struct importer *im, int col, const char *v)
{
    return rows_check_rule(im, col, "code", v, NULL);
}

/* The rank of a level (0 national ... 4 cell) by the engine's rule; -1, with the row's error
 * recorded against col, when level is not one. */
int rows_level_rank(struct importer *im, int col, const char *level)
{
    int64_t rank;
    return rows_check_rule(im, col, "level", level, &rank) < 0 ? -1 : (int)rank;
}

/* Normalises text v to NFC (into im->scratch[col] when it changes); refuses invalid UTF-8,
 * control characters and overlong text. In a multi-line column (a person's titles: the field
 * core keeps with cv_text_nfc_lines) a line break (CRLF, CR or LF) is kept, as LF. */
int rows_check_text(struct importer *im, int col, const char *v, const char **out)
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
const char *rows_given(const char *const *v, int col)
{
    return v[col] && *v[col] ? v[col] : NULL;
}

cv_plugin_value rows_text(const char *s)
{
    return (cv_plugin_value){s ? CV_PLUGIN_TEXT : CV_PLUGIN_NULL, 0, s};
}

cv_plugin_value rows_integer(int64_t i, int present)
{
    return (cv_plugin_value){present ? CV_PLUGIN_INT : CV_PLUGIN_NULL, i, NULL};
}

static int rows_keep_first(void *arg, const cv_plugin_value *cols, int n)
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
int rows_exec(struct importer *im, const char *sql, const cv_plugin_value *p, int n,
              struct first *out, int column)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (im->host->store_exec(im->ctx, sql, p, n, out ? rows_keep_first : NULL, out) < 0)
        return rows_store_fail(im, column);
    im->changed += im->host->store_changes(im->ctx);
    return 0;
}

/* Copies s into storage of its own, cut to fit (the checks made it fit); NULL becomes "". */
void rows_keep(char *dst, size_t cap, const char *s)
{
    size_t n = s ? strnlen(s, cap - 1) : 0;
    memcpy(dst, s ? s : "", n);
    dst[n] = '\0';
}

/* The slot of code: the one holding it among ORG_CACHE_PROBES slots from its hash's, else the
 * first empty one there, else (the cache is crowded there) its hash's own, to be taken over. */
struct org_slot *rows_org_slot(struct importer *im, const char *code)
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

int rows_parent_row(void *arg, const cv_plugin_value *cols, int n)
{
    struct parent_found *f = arg;
    if (n < 3 || cols[1].type != CV_PLUGIN_TEXT)
        return 0;
    f->have = 1;
    f->id = cols[0].i;
    rows_keep(f->level, sizeof f->level, cols[1].s);
    rows_keep(f->path, sizeof f->path, cols[2].type == CV_PLUGIN_TEXT ? cols[2].s : "");
    return 0;
}

const char ROWS_ORG_FIND[] = "SELECT id, level, path FROM orgs WHERE code = ?1";

/* The id of the organisation called code (a checked code), or an error naming the column;
 * *path (if not NULL) points to its materialised path, "" when not known. */
int rows_org_id_of(struct importer *im, int col, const char *code, int64_t *id, const char **path)
{
    struct org_slot *slot = rows_org_slot(im, code);
    if (slot && strcmp(slot->code, code) == 0) {
        *id = slot->id;
        if (path)
            *path = slot->path;
        return 0;
    }
    struct parent_found f = {0};
    cv_plugin_value p = rows_text(code);
    if (im->host->store_exec(im->ctx, ROWS_ORG_FIND, &p, 1, rows_parent_row, &f) < 0)
        return rows_store_fail(im, col);
    if (!f.have)
        return rows_fail(im, col, "unknown organisation '%s'", code);
    *id = f.id;
    if (path)
        *path = "";
    if (slot) {
        rows_keep(slot->code, sizeof slot->code, code);
        slot->id = *id;
        slot->rank = -1;
        rows_keep(slot->path, sizeof slot->path, f.path);
        if (path)
            *path = slot->path;
    }
    return 0;
}

int64_t rows_org_of(void *arg, const char *code)
{
    struct importer *im = arg;
    int64_t id = 0;
    return rows_org_id_of(im, -1, code, &id, NULL) < 0 ? 0 : id;
}

int rows_keep_json(void *arg, const cv_plugin_value *cols, int n)
{
    struct row_json *r = arg;
    if (n < 2 || cols[1].type != CV_PLUGIN_TEXT)
        return 0;
    r->have = 1;
    r->org_id = cols[0].i;
    rows_keep(r->text, sizeof r->text, cols[1].s);
    return 0;
}

/* Reads the row of code (sql selects its organisation's id and its JSON). */
int rows_row_json(struct importer *im, const char *sql, const char *code, struct row_json *out)
{
    cv_plugin_value p = rows_text(code);
    out->have = 0;
    if (im->host->store_exec(im->ctx, sql, &p, 1, rows_keep_json, out) < 0)
        return rows_store_fail(im, -1);
    return 0;
}

/* Journals a changed row: before is its JSON before the change; after is read now. */
int rows_journal_change(struct importer *im, const char *sql, const char *type, const char *code,
                        const struct row_json *before)
{
    struct row_json *after = malloc(sizeof *after);
    if (!after)
        return rows_fail(im, -1, "out of memory");
    int rc = rows_row_json(im, sql, code, after);
    if (rc == 0 &&
        journal_updated(&im->jnl, type, after->org_id, code, before->text, after->text) < 0)
        rc = rows_store_fail(im, -1);
    free(after);
    return rc;
}

/* Which rows of a batch statement (n rows, ON CONFLICT DO NOTHING) it inserted, as bits: all
 * when it inserted n; else, as ids are given in order (the largest plus one), the rows whose
 * id is among the `inserted` largest, each code only the first time it is listed. */
int rows_batch_written(struct importer *im, const char *find_sql,
                       const char *(*code_of)(const void *rows, int i), const void *rows, int n,
                       int64_t inserted, uint64_t *mask)
{
    struct first f;
    *mask = inserted == n ? UINT64_MAX >> (64 - n) : 0; /* 0 < n <= 64 */
    if (inserted == n || inserted == 0)
        return 0;
    if (rows_exec(im, im->kind->max_id_sql, NULL, 0, &f, -1) < 0)
        return CV_PLUGIN_ECONFLICT;
    int64_t base = f.v[0].i - inserted;
    for (int i = 0; i < n; i++) {
        cv_plugin_value p = rows_text(code_of(rows, i));
        if (rows_exec(im, find_sql, &p, 1, &f, -1) < 0)
            return CV_PLUGIN_ECONFLICT;
        int first = f.have && f.v[0].i > base;
        for (int k = 0; first && k < i; k++)
            first = strcmp(code_of(rows, k), p.s) != 0;
        *mask |= (uint64_t)first << i;
    }
    return 0;
}

/* While the setting rollups.bulk exists the store's roll-up triggers stand aside; deleting it
 * recomputes paths and roll-ups in bulk, in the import's transaction (store migration 9). */
const char ROWS_BULK_BEGIN[] =
    "INSERT INTO settings(key, value) VALUES ('rollups.bulk', 'import-csv') "
    "ON CONFLICT DO NOTHING";
const char ROWS_BULK_END[] = "DELETE FROM settings WHERE key = 'rollups.bulk'";

/* kinds and the header ------------------------------------------------------------------------- */

static const row_kind *const kinds[] = {&rows_orgs, &rows_members, &rows_work_items, &rows_people,
                                        &rows_congresses};

const row_kind *rows_kind(const char *as)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i]->as, as) == 0)
            return kinds[i];
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
    return rows_trust_checks(im, 1);
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
        if (im->kind->columns[c][0] == '*' && !rows_given(v, c))
            return rows_fail(im, c, "a value is required");
    return im->kind->row(im, v);
}

int rows_flush(struct importer *im)
{
    if ((im->kind->flush && im->kind->flush(im) < 0) || rows_trust_checks(im, 0) < 0)
        return CV_PLUGIN_EINVAL;
    return journal_flush(&im->jnl) < 0 ? rows_store_fail(im, -1) : 0;
}

void rows_free(struct importer *im)
{
    free(im->org_rows);
    free(im->people);
    free(im->orgs);
    free(im->cong);
    journal_free(&im->jnl);
}
