/* rows_people.c: the people kind of import-csv (the table the elections subsystem owns):
 * upsert by code, PEOPLE_BATCH new rows a statement, journaled in batches. */
#include "rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    p[P_CODE] = rows_text(r->code);
    p[P_NAME] = rows_text(r->name);
    p[P_BORN] = rows_text(*r->born ? r->born : NULL);
    p[P_GENDER] = rows_text(r->gender);
    p[P_ETHNICITY] = rows_text(r->ethnicity);
    p[P_ORG] = rows_integer(r->org_id, r->org_id != 0);
    p[P_TITLES] = rows_text(r->titles);
}

/* A new person's row as the journal names it. */
static int person_added(struct importer *im, const struct person *r)
{
    cv_plugin_value v[] = {
        rows_text(r->code),   rows_text(r->name),      rows_text(*r->born ? r->born : NULL),
        rows_text(r->gender), rows_text(r->ethnicity), rows_text(*r->org ? r->org : NULL),
        rows_text(r->titles)};
    return journal_added(&im->jnl, &person_journal, v, r->org_path) < 0 ? rows_store_fail(im, -1)
                                                                        : 0;
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
    int rc = rows_row_json(im, PERSON_JSON, r->code, before);
    if (rc == 0 && rows_exec(im, PEOPLE_UPSERT_ONE, p, P_NCOLS, NULL, -1) < 0)
        rc = CV_PLUGIN_ECONFLICT;
    if (rc == 0 && im->changed > changed)
        rc = before->have ? rows_journal_change(im, PERSON_JSON, "person.updated", r->code, before)
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
            if (rows_batch_written(im, "SELECT id FROM people WHERE code = ?1", person_code_of,
                                   b->rows, b->n, inserted, &written) < 0)
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
    const char *t[P_NCOLS] = {0}, *gender = rows_given(v, P_GENDER), *org = rows_given(v, P_ORG);
    const char *org_path = "";
    int64_t org_id = 0;
    if (rows_check_code(im, P_CODE, v[P_CODE]) < 0 ||
        rows_check_text(im, P_NAME, v[P_NAME], &t[P_NAME]) < 0 ||
        (rows_given(v, P_BORN) && rows_check_rule(im, P_BORN, "date", v[P_BORN], NULL) < 0) ||
        (rows_given(v, P_ETHNICITY) &&
         rows_check_text(im, P_ETHNICITY, v[P_ETHNICITY], &t[P_ETHNICITY]) < 0) ||
        (rows_given(v, P_TITLES) && rows_check_text(im, P_TITLES, v[P_TITLES], &t[P_TITLES]) < 0) ||
        (org && (rows_check_code(im, P_ORG, org) < 0 ||
                 rows_org_id_of(im, P_ORG, org, &org_id, &org_path) < 0)))
        return CV_PLUGIN_EINVAL;
    if (gender && strcmp(gender, "male") != 0 && strcmp(gender, "female") != 0)
        return rows_fail(im, P_GENDER, "'%.32s' is not male or female", gender);
    if (!im->people && !(im->people = calloc(1, sizeof *im->people)))
        return rows_fail(im, -1, "out of memory");
    struct person *r = &im->people->rows[im->people->n++];
    r->record = im->record;
    r->org_id = org_id;
    rows_keep(r->code, sizeof r->code, v[P_CODE]);
    rows_keep(r->born, sizeof r->born, rows_given(v, P_BORN));
    rows_keep(r->gender, sizeof r->gender, gender);
    rows_keep(r->org, sizeof r->org, org);
    rows_keep(r->org_path, sizeof r->org_path, org_path);
    rows_keep(r->name, sizeof r->name, t[P_NAME]);
    rows_keep(r->ethnicity, sizeof r->ethnicity, t[P_ETHNICITY]);
    rows_keep(r->titles, sizeof r->titles, t[P_TITLES]);
    return im->people->n == PEOPLE_BATCH ? people_flush(im) : 0;
}

const row_kind rows_people = {"people",
                              people_columns,
                              person_row,
                              people_flush,
                              "people",
                              "SELECT coalesce(max(id), 0) FROM people",
                              "SELECT count(*) FROM people WHERE id > ?1",
                              1u << P_TITLES,
                              1};
