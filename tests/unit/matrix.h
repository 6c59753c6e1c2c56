/* matrix.h: the world the role matrix runs in (test_ops.c through the operations layer,
 * test_http_matrix.c through the HTTP API): P (province) > D1 > W1, P > D2 > W2, a congress with
 * work, a subcommittee, people and an election at each place, one account per role granted over
 * D1, and each operation's example arguments aimed at a place. Header-only, like fixture.h. */
#ifndef CV_TEST_MATRIX_H
#define CV_TEST_MATRIX_H

#include "fixture.h"

#include <dirent.h>
#include <sodium.h>

#include "auth/account.h"
#include "auth/grant.h"
#include "auth/token.h"
#include "docs/document.h"
#include "docs/inspection.h"
#include "docs/meeting.h"
#include "docs/plan.h"
#include "docs/round.h"
#include "docs/scenario.h"
#include "elect/scheme.h"
#include "domain/work.h"
#include "elect/complaint.h"
#include "elect/election.h"
#include "elect/person.h"
#include "lua/registry.h"
#include "ops/ops.h"
#include "plugin/registry.h"
#include "sched/calendar.h"
#include "sched/contact.h"
#include "sched/job.h"
#include "store/outbox.h"
#include "tree.h"

enum place { ROOT, INSIDE, OUTSIDE, ABOVE, PLACES };
static const char *const place_org[PLACES] = {"D1", "W1", "W2", "P"};
static const char *const place_name[PLACES] = {"root", "inside", "outside", "above"};

typedef struct world {
    int64_t account[CV_ROLE_COUNT]; /* one account per role, granted over D1 (admin: store) */
    int64_t work[PLACES];           /* a work item of each place's congress */
    int64_t election[PLACES];       /* an election of each place's congress */
    int64_t complaint[PLACES];      /* a complaint to each place's congress */
    int64_t inspection[PLACES];     /* a visit to each place */
    int64_t doc[PLACES];            /* a document with a version, in consultation */
    int64_t round[PLACES];          /* an open comment round on it, sent to the place itself */
    int64_t plan[PLACES];           /* a plan of each place */
    int64_t open[PLACES], counted[PLACES], announced[PLACES]; /* elections in those states */
    int64_t grant;                                            /* a grant to end */
    char package_dir[64]; /* a Lua package that loads, registered as "pkg0" and suspended */
    int64_t outbox;       /* a failed notification */
    char import_csv[64];  /* $IMPORT: a file of one organisation under D1, for import-csv */
    char backup_dir[64];  /* $BACKUP: a folder for backups made by hand */
} world;

static world w;

static inline void plan_with_work(fixture *f, int p)
{
    const char *org = place_org[p];
    tree_plan(f, org, "I", 0);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_subcommittee_add(f->s, org, NULL, "tc", "Tiểu ban tổ chức", &f->e)), 0);
    cv_work_spec spec = {.org = org, .title = "Chuẩn bị hội trường", .group = "Hậu cần"};
    assert_int_equal(FIXTURE_TX(f->s, cv_work_add(f->s, &spec, &w.work[p], &f->e)), 0);
    char cell[CV_CODE_MAX];
    snprintf(cell, sizeof cell, "%s.c", org);
    tree_add(f, cell, "Chi bộ", "cell", org, 10);
    char codes[5][CV_CODE_MAX];
    const char *list[4];
    for (int i = 0; i < 5; i++) {
        snprintf(codes[i], sizeof codes[i], "%s-p%d", org, i + 1);
        cv_person_spec person = {
            .code = codes[i], .name = "Người ứng cử", .org = org, .incumbent = -1};
        assert_int_equal(FIXTURE_TX(f->s, cv_person_add(f->s, &person, NULL, &f->e)), 0);
        if (i < 4)
            list[i] = codes[i];
    }
    cv_election_spec vote = {
        .org = org, .body = "committee", .seats = 4, .candidates = list, .count = 4};
    assert_int_equal(FIXTURE_TX(f->s, cv_election_create(f->s, &vote, &w.election[p], &f->e)), 0);
    cv_complaint_spec letter = {.org = org,
                                .kind = "complaint",
                                .sender = "Nguyễn Văn B",
                                .address = "Tổ 3",
                                .about = codes[0],
                                .summary = "Kê khai tài sản"};
    assert_int_equal(FIXTURE_TX(f->s, cv_complaint_add(f->s, &letter, &w.complaint[p], &f->e)), 0);
    cv_inspection_spec visit = {.org = org, .led_by = "Ủy ban Kiểm tra", .on = "2020-05-10"};
    assert_int_equal(FIXTURE_TX(f->s, cv_inspection_add(f->s, &visit, &w.inspection[p], &f->e)), 0);
    cv_meeting_key meeting = {.org = org, .body = "standing", .number = 1};
    assert_int_equal(
        FIXTURE_TX(f->s, cv_meeting_add(f->s, &meeting, "2020-05-15", "Họp thường kỳ", &f->e)), 0);
}

/* An election of body at org with candidates p1 and p2 for 2 seats, taken to state: 1 open, 2
 * counted, 3 announced. */
static inline int64_t election_in(fixture *f, const char *org, const char *body, int state)
{
    char p1[CV_CODE_MAX], p2[CV_CODE_MAX];
    snprintf(p1, sizeof p1, "%s-p1", org);
    snprintf(p2, sizeof p2, "%s-p2", org);
    const char *list[] = {p1, p2};
    const int64_t votes[] = {80, state == 2 ? 40 : 70}; /* counted: a seat left for a round */
    cv_election_spec spec = {.org = org, .body = body, .seats = 2, .candidates = list, .count = 2};
    int64_t id;
    assert_int_equal(FIXTURE_TX(f->s, cv_election_create(f->s, &spec, &id, &f->e)), 0);
    cv_attendance a = {.summoned = 100, .attending = 100};
    assert_int_equal(FIXTURE_TX(f->s, cv_election_set_attendance(f->s, id, &a, &f->e)), 0);
    assert_int_equal(FIXTURE_TX(f->s, cv_election_start(f->s, id, &f->e)), 0);
    if (state >= 2)
        assert_int_equal(FIXTURE_TX(f->s, cv_election_tally(f->s, id, &(cv_tally){100, 100, 100, 0},
                                                            list, votes, 2, &f->e)),
                         0);
    if (state >= 3)
        assert_int_equal(FIXTURE_TX(f->s, cv_election_announce(f->s, id, &f->e)), 0);
    return id;
}

/* The committee's election given its attendance; a document with a version kept in the store and a
 * round sent to org itself, a plan, a scenario "a" (not active), a congress of 2025-2030 at its
 * cell that elects nothing (2 contents), and elections open, counted and announced. */
static inline void documents_and_votes(fixture *f, int p)
{
    const char *org = place_org[p];
    assert_int_equal(FIXTURE_TX(f->s, cv_doc_add(f->s, org, NULL, "political_report",
                                                 "Dự thảo báo cáo", &w.doc[p], &f->e)),
                     0);
    char draft[] = "/tmp/cv-unit-draft-XXXXXX";
    int fd = mkstemp(draft);
    assert_true(fd >= 0);
    static const char text[] = "Dự thảo\n";
    assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)sizeof text - 1);
    close(fd);
    cv_doc_version_spec v = {.doc = w.doc[p], .file = draft, .author = "Tổ"};
    assert_int_equal(FIXTURE_TX(f->s, cv_doc_add_version(f->s, &v, NULL, &f->e)), 0);
    unlink(draft);
    cv_round_spec r = {.doc = w.doc[p], .deadline = "2020-06-30", .orgs = org};
    fixture_clock("2020-05-20T09:00");
    assert_int_equal(FIXTURE_TX(f->s, cv_round_open(f->s, &r, &w.round[p], &f->e)), 0);
    char number[32];
    snprintf(number, sizeof number, "1-KH/%s", org);
    cv_plan_spec plan = {.number = number,
                         .issued = "2020-03-12",
                         .issuer = "Ban Thường vụ",
                         .kind = "plan",
                         .org = org};
    assert_int_equal(FIXTURE_TX(f->s, cv_plan_add(f->s, &plan, &w.plan[p], &f->e)), 0);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_scenario_add(f->s, org, NULL, "a", "Dịch lan rộng", &f->e)), 0);
    char cell[CV_CODE_MAX];
    snprintf(cell, sizeof cell, "%s.c", org);
    cv_congress_spec next = {.org = cell,
                             .ordinal = "II",
                             .term = "2025-2030",
                             .pilot = -1,
                             .direct_secretary = -1,
                             .summoned = -1,
                             .present = -1};
    assert_int_equal(FIXTURE_TX(f->s, cv_congress_plan(f->s, &next, NULL, &f->e)), 0);
    assert_int_equal(FIXTURE_TX(f->s, cv_scheme_set_contents(f->s, cell, "2025-2030", 2, &f->e)),
                     0);
    cv_attendance a = {.summoned = 100, .attending = 100};
    assert_int_equal(FIXTURE_TX(f->s, cv_election_set_attendance(f->s, w.election[p], &a, &f->e)),
                     0);
    w.open[p] = election_in(f, org, "delegates", 1);
    w.counted[p] = election_in(f, org, "alternates", 2);
    w.announced[p] = election_in(f, org, "inspection", 3);
}

static inline void add_account(fixture *f, const char *login, int64_t *id)
{
    assert_int_equal(cv_account_add(f->s, login, "Người thử", "", id, &f->e), 0);
}

/* P (province) > D1 (district) > W1 (grassroots); P > D2 > W2. Grants are over D1. */
static inline int world_setup(void **state)
{
    fixture_setup(state);
    fixture *f = *state;
    tree_add(f, "P", "Tỉnh", "province", "", 0);
    tree_add(f, "D1", "Huyện Một", "district", "P", 900);
    tree_add(f, "W1", "Xã Một", "grassroots", "D1", 90);
    tree_add(f, "D2", "Huyện Hai", "district", "P", 800);
    tree_add(f, "W2", "Xã Hai", "grassroots", "D2", 80);
    for (int p = 0; p < PLACES; p++)
        plan_with_work(f, p);
    for (int p = 0; p < PLACES; p++)
        documents_and_votes(f, p);
    cv_org d1;
    assert_int_equal(cv_org_get(f->s, "D1", &d1, &f->e), 0);
    assert_int_equal(cv_store_begin(f->s, &f->e), 0);
    for (int r = 0; r < CV_ROLE_COUNT; r++) {
        char login[32];
        snprintf(login, sizeof login, "r-%s", cv_role_name(1u << r));
        add_account(f, login, &w.account[r]);
        assert_int_equal(cv_grant_add(f->s, w.account[r], 1u << r, r == 0 ? 0 : d1.id, NULL, &f->e),
                         0);
    }
    int64_t someone;
    char text[CV_TOKEN_TEXT_MAX];
    add_account(f, "someone", &someone);
    assert_int_equal(cv_grant_add(f->s, someone, CV_ROLE_VIEWER, d1.id, &w.grant, &f->e), 0);
    assert_int_equal(cv_token_add(f->s, someone, "script", 0, text, NULL, &f->e), 0);
    assert_int_equal(cv_store_commit(f->s, &f->e), 0);
    snprintf(w.package_dir, sizeof w.package_dir, "/tmp/cv-unit-pkg-XXXXXX");
    assert_non_null(mkdtemp(w.package_dir));
    char init[96];
    snprintf(init, sizeof init, "%s/init.lua", w.package_dir);
    FILE *lua = fopen(init, "w");
    assert_non_null(lua);
    fputs("-- a package that loads and does nothing\n", lua);
    fclose(lua);
    assert_int_equal(cv_lua_reg_add(f->s, "pkg0", w.package_dir, "D1", NULL, &f->e), 0);
    assert_int_equal(cv_lua_reg_suspend(f->s, "pkg0", "the matrix suspends it", &f->e), 0);
    /* store-wide things the admin's operations act on: a paused job, a contact, a holiday, a
     * failed delivery */
    assert_int_equal(FIXTURE_TX(f->s, cv_job_pause(f->s, "builtin.congress.soon", &f->e)), 0);
    assert_int_equal(FIXTURE_TX(f->s, cv_plugin_reg_enable(f->s, "report-json", 1, &f->e)), 0);
    assert_int_equal(FIXTURE_TX(f->s, cv_contact_add(f->s, "Văn phòng", "log", "vp", &f->e)), 0);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_calendar_holiday_add(f->s, "2020-09-02", "Quốc khánh", &f->e)), 0);
    cv_notification n = {"matrix:failed", "log", "vp", "Họp", "8 giờ"};
    assert_int_equal(cv_store_begin(f->s, &f->e), 0); /* a notification commits with a cause */
    assert_int_equal(cv_outbox_put(f->s, &n, &f->e), 1);
    assert_int_equal(cv_store_commit(f->s, &f->e), 0);
    w.outbox = fixture_count(f, "SELECT id FROM outbox WHERE key = 'matrix:failed'");
    assert_int_equal(FIXTURE_TX(f->s, cv_plugin_reg_enable(f->s, "import-csv", 1, &f->e)), 0);
    snprintf(w.import_csv, sizeof w.import_csv, "/tmp/cv-unit-import-XXXXXX");
    int fd = mkstemp(w.import_csv);
    assert_true(fd >= 0);
    static const char rows[] = "code,name,level,parent,kind,members\nD1.n,Chi bộ mới,grassroots,"
                               "D1,,12\n";
    assert_int_equal(write(fd, rows, sizeof rows - 1), (ssize_t)sizeof rows - 1);
    close(fd);
    snprintf(w.backup_dir, sizeof w.backup_dir, "/tmp/cv-unit-backup-XXXXXX");
    assert_non_null(mkdtemp(w.backup_dir));
    assert_int_equal(sqlite3_exec(cv_store_db(f->s),
                                  "UPDATE outbox SET state = 'failed', tries = 5, "
                                  "last_error = 'refused' WHERE key = 'matrix:failed'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    return 0;
}

static inline int world_teardown(void **state)
{
    char init[96];
    snprintf(init, sizeof init, "%s/init.lua", w.package_dir);
    unlink(init);
    rmdir(w.package_dir);
    unlink(w.import_csv);
    DIR *d = opendir(w.backup_dir);
    for (struct dirent *de; d && (de = readdir(d));) {
        char path[384];
        snprintf(path, sizeof path, "%s/%s", w.backup_dir, de->d_name);
        if (de->d_name[0] != '.')
            unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(w.backup_dir);
    return fixture_teardown(state);
}

/* Whether name is in the NULL-ended list (NULL: none). */
static inline int listed(const char *const *list, const char *name)
{
    for (; list && *list; list++)
        if (strcmp(*list, name) == 0)
            return 1;
    return 0;
}

/* Every row of every table but those listed in except (NULL: none), hashed: what "unchanged"
 * means. */
static inline void store_digest_except(cv_store *s, const char *const *except,
                                       unsigned char out[32])
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 32);
    sqlite3 *db = cv_store_db(s);
    sqlite3_stmt *tables;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT name FROM sqlite_master WHERE type = 'table' "
                                        "ORDER BY name",
                                        -1, &tables, NULL),
                     SQLITE_OK);
    while (sqlite3_step(tables) == SQLITE_ROW) {
        if (listed(except, (const char *)sqlite3_column_text(tables, 0)))
            continue;
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" ORDER BY 1",
                 (const char *)sqlite3_column_text(tables, 0));
        sqlite3_stmt *rows;
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &rows, NULL), SQLITE_OK);
        while (sqlite3_step(rows) == SQLITE_ROW)
            for (int c = 0; c < sqlite3_column_count(rows); c++) {
                const unsigned char *v = sqlite3_column_text(rows, c);
                int n = sqlite3_column_bytes(rows, c);
                crypto_generichash_update(&h, v ? v : (const unsigned char *)"\1",
                                          v ? (size_t)n : 1);
                crypto_generichash_update(&h, (const unsigned char *)"\0", 1);
            }
        sqlite3_finalize(rows);
    }
    sqlite3_finalize(tables);
    crypto_generichash_final(&h, out, 32);
}

static inline void store_digest(cv_store *s, unsigned char out[32])
{
    store_digest_except(s, NULL, out);
}

/* The example's placeholders filled in for place p; case_no makes fresh names. */
static inline json_t *example_args(const cv_op *op, int p, int case_no)
{
    char text[1024], *o = text;
    char cell[CV_CODE_MAX];
    snprintf(cell, sizeof cell, "%s.c", place_org[p]);
    for (const char *s = op->example; *s && o < text + sizeof text - 64; s++) {
        if (*s != '$') {
            *o++ = *s;
            continue;
        }
        const char *names[] = {"CELL",       "ORG",       "WORK",   "GRANT",   "N",
                               "ELECTION",   "PERSON",    "SCRIPT", "PACKAGE", "COMPLAINT",
                               "INSPECTION", "DOC",       "ROUND",  "PLAN",    "OPEN",
                               "COUNTED",    "ANNOUNCED", "OUTBOX", "IMPORT",  "BACKUP"};
        const int64_t *ids[] = {w.doc, w.round, w.plan, w.open, w.counted, w.announced};
        int k = 0;
        while (k < 20 && strncmp(s + 1, names[k], strlen(names[k])) != 0)
            k++;
        assert_true(k < 20);
        if (k == 0)
            o += sprintf(o, "%s", cell);
        else if (k == 1)
            o += sprintf(o, "%s", place_org[p]);
        else if (k == 2)
            o += sprintf(o, "%lld", (long long)w.work[p]);
        else if (k == 3)
            o += sprintf(o, "%lld", (long long)w.grant);
        else if (k == 4)
            o += sprintf(o, "%d", case_no);
        else if (k == 5)
            o += sprintf(o, "%lld", (long long)w.election[p]);
        else if (k == 6)
            o += sprintf(o, "%s-p5", place_org[p]);
        else if (k == 7)
            o += sprintf(o, "%s", w.package_dir);
        else if (k == 8)
            o += sprintf(o, "pkg0");
        else if (k == 9)
            o += sprintf(o, "%lld", (long long)w.complaint[p]);
        else if (k == 10)
            o += sprintf(o, "%lld", (long long)w.inspection[p]);
        else if (k >= 18)
            o += sprintf(o, "%s", k == 18 ? w.import_csv : w.backup_dir);
        else
            o += sprintf(o, "%lld", (long long)(k == 17 ? w.outbox : ids[k - 11][p]));
        s += strlen(names[k]);
    }
    *o = '\0';
    json_error_t jerr;
    json_t *args = json_loads(text, 0, &jerr);
    if (!args)
        fail_msg("%s: example %s is not JSON: %s", op->name, text, jerr.text);
    return args;
}

/* What the table says: admin everywhere; a store-wide operation for any of its roles; otherwise
 * one of its roles over the root or inside (the secretary: at its own organisation only). */
static inline int expected(const cv_op *op, unsigned role, int p)
{
    if (role == CV_ROLE_ADMIN)
        return 1;
    if (!(op->roles & role))
        return 0;
    if (op->at == CV_AT_STORE)
        return 1;
    return p == ROOT || (p == INSIDE && role != CV_ROLE_SECRETARY);
}

#endif
