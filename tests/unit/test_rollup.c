/* test_rollup.c: the roll-ups stay equal to a recomputation from scratch under random sequences
 * of every change that moves them (organisations added, moved and re-levelled, big subtrees
 * included; congresses planned, re-dated, re-kinded, prepared and held; windows edited; work
 * items added and done; scenarios switched; bulk imports; the day turning), checked after every
 * step; and `status` read from them (its counts and its late list) agrees with the recursive
 * walk it replaced. */
#include "tree.h"

#include "docs/scenario.h"
#include "domain/congress.h"
#include "domain/org.h"
#include "domain/rollup.h"
#include "domain/status.h"
#include "domain/work.h"

enum { SEEDS = 12, STEPS = 150 };

static const char *const levels[] = {"national", "province", "district", "grassroots", "cell"};

typedef struct prop {
    fixture *f;
    uint64_t rng;
    int next_code;
    int64_t today_ms;
} prop;

static uint32_t rnd(prop *p, uint32_t n)
{
    p->rng ^= p->rng << 13;
    p->rng ^= p->rng >> 7;
    p->rng ^= p->rng << 17;
    return n ? (uint32_t)(p->rng % n) : 0;
}

/* The text of the first column of row number rnd(count) of sql (bound with ?1 = arg), or 0. */
static int pick(prop *p, const char *sql, const char *arg, char *out, size_t cap)
{
    char count_sql[512];
    snprintf(count_sql, sizeof count_sql, "SELECT count(*) FROM (%s)", sql);
    sqlite3 *db = cv_store_db(p->f->s);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, count_sql, -1, &st, NULL), SQLITE_OK);
    if (arg)
        sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (n == 0)
        return 0;
    char one[600];
    snprintf(one, sizeof one, "%s LIMIT 1 OFFSET %u", sql, rnd(p, (uint32_t)n));
    assert_int_equal(sqlite3_prepare_v2(db, one, -1, &st, NULL), SQLITE_OK);
    if (arg)
        sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return 1;
}

static void random_date(prop *p, char *out, int from_year, int to_year)
{
    snprintf(out, 11, "%04d-%02u-%02u",
             from_year + (int)rnd(p, (uint32_t)(to_year - from_year + 1)), 1 + rnd(p, 12),
             1 + rnd(p, 28));
}

static void today(char out[11])
{
    cv_clock_today(out);
}

static int rank_of(prop *p, const char *code)
{
    cv_org o;
    assert_int_equal(cv_org_get(p->f->s, code, &o, &p->f->e), 0);
    return cv_org_level_rank(o.level);
}

static void new_code(prop *p, char *out)
{
    snprintf(out, CV_CODE_MAX, "N%04d", p->next_code++);
}

static void op_add_org(prop *p)
{
    cv_org o = {.members = rnd(p, 300)};
    if (!pick(p, "SELECT code FROM orgs WHERE level <> 'cell' ORDER BY id", NULL, o.parent_code,
              sizeof o.parent_code))
        return;
    int r = rank_of(p, o.parent_code);
    new_code(p, o.code);
    snprintf(o.name, sizeof o.name, "Tổ chức %s", o.code);
    snprintf(o.level, sizeof o.level, "%s", levels[r + 1 + (int)rnd(p, (uint32_t)(4 - r))]);
    assert_int_equal(FIXTURE_TX(p->f->s, cv_org_add(p->f->s, &o, NULL, &p->f->e)), 0);
}

static void op_move(prop *p)
{
    char code[CV_CODE_MAX], parent[CV_CODE_MAX];
    if (!pick(p, "SELECT code FROM orgs WHERE parent_id IS NOT NULL ORDER BY id", NULL, code,
              sizeof code) ||
        !pick(p, "SELECT code FROM orgs WHERE level <> 'cell' ORDER BY id", NULL, parent,
              sizeof parent))
        return;
    /* Refused moves (a cycle, a level inversion) must leave everything as it was. */
    FIXTURE_TX(p->f->s, cv_org_move(p->f->s, code, parent, &p->f->e));
    cv_err_clear(&p->f->e);
}

#define RANKS "'national province district grassroots cell'"

/* Runs sql with the texts a and b bound as ?1 and ?2. */
static void exec2(prop *p, const char *sql, const char *a, const char *b)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(cv_store_db(p->f->s), sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, b, -1, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
}

/* What an import's upsert does: a parent or a level changed by a plain UPDATE, kept valid (a
 * parent above, children below). */
static void op_raw_change(prop *p)
{
    char code[CV_CODE_MAX], parent[CV_CODE_MAX];
    if (!pick(p, "SELECT code FROM orgs WHERE parent_id IS NOT NULL ORDER BY id", NULL, code,
              sizeof code))
        return;
    if (rnd(p, 2) && pick(p,
                          "SELECT code FROM orgs WHERE instr(" RANKS ", level) < instr(" RANKS
                          ", (SELECT level FROM orgs WHERE code = ?1)) ORDER BY id",
                          code, parent, sizeof parent))
        exec2(p,
              "UPDATE orgs SET parent_id = (SELECT id FROM orgs WHERE code = ?2) WHERE code = ?1",
              code, parent);
    else
        exec2(p,
              "UPDATE orgs SET level = ?2 WHERE code = ?1 AND coalesce((SELECT instr(" RANKS
              ", p.level) FROM orgs p WHERE p.id = orgs.parent_id), 0) < instr(" RANKS
              ", ?2) AND NOT EXISTS (SELECT 1 FROM orgs c WHERE c.parent_id = orgs.id AND "
              "instr(" RANKS ", c.level) <= instr(" RANKS ", ?2))",
              code, levels[1 + rnd(p, 4)]);
}

/* What import-csv does with a file of organisations: the rows land with the triggers set
 * aside, then one bulk recomputation, all in one transaction. */
static void op_bulk_import(prop *p)
{
    cv_store *s = p->f->s;
    assert_int_equal(cv_store_begin(s, &p->f->e), 0);
    exec2(p, "INSERT INTO settings(key, value) VALUES (?1, ?2)", "rollups.bulk", "test");
    for (int i = 0, n = 1 + (int)rnd(p, 6); i < n; i++) {
        char parent[CV_CODE_MAX], code[CV_CODE_MAX];
        if (!pick(p, "SELECT code FROM orgs WHERE level <> 'cell' ORDER BY id", NULL, parent,
                  sizeof parent))
            break;
        int r = rank_of(p, parent);
        new_code(p, code);
        exec2(p, "INSERT INTO orgs(code, name, level) VALUES (?1, ?1, ?2)", code,
              levels[r + 1 + (int)rnd(p, (uint32_t)(4 - r))]);
        exec2(p,
              "UPDATE orgs SET parent_id = (SELECT id FROM orgs WHERE code = ?2) WHERE code = ?1",
              code, parent);
    }
    if (rnd(p, 2))
        op_raw_change(p);
    exec2(p, "DELETE FROM settings WHERE key = ?1 OR key = ?2", "rollups.bulk", "");
    assert_int_equal(cv_store_commit(s, &p->f->e), 0);
}

static void op_plan(prop *p)
{
    char code[CV_CODE_MAX], start[11];
    const char *term = rnd(p, 4) ? "2020-2025" : "2025-2030";
    if (!pick(p,
              "SELECT code FROM orgs o WHERE NOT EXISTS (SELECT 1 FROM congresses c JOIN terms t "
              "ON t.id = c.term_id WHERE c.org_id = o.id AND t.code = ?1) ORDER BY id",
              term, code, sizeof code))
        return;
    random_date(p, start, 2020, 2020);
    cv_congress_spec spec = {.org = code,
                             .term = term,
                             .ordinal = "V",
                             .start = rnd(p, 3) ? start : NULL,
                             .pilot = -1,
                             .direct_secretary = -1,
                             .summoned = -1,
                             .present = -1};
    assert_int_equal(FIXTURE_TX(p->f->s, cv_congress_plan(p->f->s, &spec, NULL, &p->f->e)), 0);
}

/* A congress of the current term in one of the given states. */
static int pick_congress(prop *p, const char *states, char *code)
{
    return pick(p,
                "SELECT o.code FROM congresses c JOIN orgs o ON o.id = c.org_id JOIN terms t ON "
                "t.id = c.term_id WHERE t.code = '2020-2025' AND instr(?1, c.status) ORDER BY c.id",
                states, code, CV_CODE_MAX);
}

static void op_reschedule(prop *p)
{
    char code[CV_CODE_MAX], start[11];
    if (!pick_congress(p, "planned preparing held", code))
        return;
    random_date(p, start, 2020, 2020);
    cv_congress_spec spec = {.org = code,
                             .kind = rnd(p, 2) ? "delegates" : "members",
                             .start = start,
                             .end = start,
                             .pilot = (int)rnd(p, 2),
                             .direct_secretary = -1,
                             .summoned = -1,
                             .present = -1};
    assert_int_equal(FIXTURE_TX(p->f->s, cv_congress_set(p->f->s, &spec, &p->f->e)), 0);
}

static void op_prepare(prop *p)
{
    char code[CV_CODE_MAX];
    if (pick_congress(p, "planned", code))
        assert_int_equal(FIXTURE_TX(p->f->s, cv_congress_prepare(p->f->s, code, NULL, &p->f->e)),
                         0);
}

static void op_held(prop *p)
{
    char code[CV_CODE_MAX], start[11], now[11];
    if (!pick_congress(p, "planned preparing", code))
        return;
    today(now);
    random_date(p, start, 2020, 2020);
    if (strcmp(start, now) > 0)
        snprintf(start, sizeof start, "%s", now);
    assert_int_equal(FIXTURE_TX(p->f->s, cv_congress_mark_held(p->f->s, code, NULL, start, NULL,
                                                               "test", &p->f->e)),
                     0);
}

static void op_window(prop *p)
{
    char closes[11];
    random_date(p, closes, 2020, 2021);
    assert_int_equal(FIXTURE_TX(p->f->s, cv_term_set_window(p->f->s, "2020-2025", levels[rnd(p, 5)],
                                                            "2020-01-01", closes, 0, &p->f->e)),
                     0);
}

static void op_work_add(prop *p)
{
    char code[CV_CODE_MAX], due[11];
    if (!pick_congress(p, "planned preparing held", code))
        return;
    random_date(p, due, 2020, 2021);
    cv_work_spec w = {
        .org = code, .group = "1. Văn kiện", .title = "Việc", .due = rnd(p, 5) ? due : NULL};
    assert_int_equal(FIXTURE_TX(p->f->s, cv_work_add(p->f->s, &w, NULL, &p->f->e)), 0);
}

static void op_work_done(prop *p)
{
    char id[24];
    if (pick(p, "SELECT id FROM work_items WHERE status = 'open' ORDER BY id", NULL, id, sizeof id))
        assert_int_equal(FIXTURE_TX(p->f->s, cv_work_done(p->f->s, atoll(id), NULL, &p->f->e)), 0);
}

/* A scenario added to a congress, an item put in it, and one of the congress's scenarios made
 * the active one: the items of the others fall out of force. */
static void op_scenario(prop *p)
{
    char code[CV_CODE_MAX], id[24];
    const char *sc = rnd(p, 2) ? "A" : "B";
    if (!pick(p,
              "SELECT o.code FROM work_items i JOIN congresses c ON c.id = i.congress_id JOIN "
              "orgs o ON o.id = c.org_id JOIN terms t ON t.id = c.term_id WHERE t.code = "
              "'2020-2025' ORDER BY i.id",
              NULL, code, sizeof code))
        return;
    FIXTURE_TX(p->f->s, cv_scenario_add(p->f->s, code, NULL, sc, "Kịch bản",
                                        &p->f->e)); /* may exist already */
    cv_err_clear(&p->f->e);
    if (pick(p,
             "SELECT i.id FROM work_items i JOIN congresses c ON c.id = i.congress_id JOIN orgs o "
             "ON o.id = c.org_id WHERE o.code = ?1 ORDER BY i.id",
             code, id, sizeof id))
        assert_int_equal(FIXTURE_TX(p->f->s, cv_scenario_assign(p->f->s, code, NULL, sc, atoll(id),
                                                                NULL, &p->f->e)),
                         0);
    FIXTURE_TX(p->f->s, cv_scenario_use(p->f->s, code, NULL, rnd(p, 2) ? "A" : sc, NULL,
                                        &p->f->e)); /* A may not exist */
    cv_err_clear(&p->f->e);
}

static void op_day_turns(prop *p)
{
    p->today_ms += (int64_t)(1 + rnd(p, 20)) * 86400000;
    cv_clock_fix(p->today_ms);
}

/* The recursive tally over the subtree of ?1 on day ?2 that status used to run: per level the
 * organisations, the held and the late; then the work items, the done and the overdue. */
static const char walk_sql[] =
    "WITH RECURSIVE sub(id, depth) AS (SELECT id, 0 FROM orgs WHERE code = ?1 UNION ALL "
    "  SELECT o.id, depth + 1 FROM orgs o JOIN sub ON o.parent_id = sub.id), "
    "t AS (SELECT id FROM terms WHERE ?2 BETWEEN starts AND ends) "
    "SELECT o.level, count(*), sum(c.status IS 'held'), sum(CASE WHEN w.closes IS NULL THEN 0 "
    "  WHEN c.status = 'held' THEN c.actual_start > w.closes ELSE ?2 > w.closes END) "
    "FROM sub JOIN orgs o ON o.id = sub.id "
    "LEFT JOIN congresses c ON c.org_id = o.id AND c.term_id = (SELECT id FROM t) "
    "LEFT JOIN term_windows w ON w.term_id = (SELECT id FROM t) AND w.level = o.level "
    "WHERE depth > 0 GROUP BY o.level "
    "UNION ALL SELECT 'work', count(*), coalesce(sum(i.status = 'done'), 0), "
    "  coalesce(sum(i.status = 'open' AND i.due < ?2), 0) FROM work_items i "
    "JOIN congresses c ON c.id = i.congress_id WHERE c.org_id IN (SELECT id FROM sub) "
    "AND c.term_id = (SELECT id FROM t) "
    "AND i.id NOT IN (SELECT id FROM work_items_out_of_force)";

/* The first page of late congresses that status used to list, from the same walk: level by
 * level from the top, each level in path order. */
static const char late_walk_sql[] =
    "WITH RECURSIVE sub(id, depth) AS (SELECT id, 0 FROM orgs WHERE code = ?1 UNION ALL "
    "  SELECT o.id, depth + 1 FROM orgs o JOIN sub ON o.parent_id = sub.id), "
    "t AS (SELECT id FROM terms WHERE ?2 BETWEEN starts AND ends) "
    "SELECT o.code FROM sub JOIN orgs o ON o.id = sub.id "
    "LEFT JOIN congresses c ON c.org_id = o.id AND c.term_id = (SELECT id FROM t) "
    "JOIN term_windows w ON w.term_id = (SELECT id FROM t) AND w.level = o.level "
    "WHERE depth > 0 AND CASE WHEN c.status = 'held' THEN c.actual_start > w.closes "
    "  ELSE ?2 > w.closes END ORDER BY instr(" RANKS ", o.level), o.path LIMIT ?3";

static void assert_late_matches_a_walk(prop *p, json_t *report, const char *code, const char *now)
{
    json_t *late = json_object_get(report, "late");
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(cv_store_db(p->f->s), late_walk_sql, -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, CV_STATUS_LIST_MAX);
    size_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW)
        assert_string_equal(json_string_value(json_object_get(json_array_get(late, n++), "org")),
                            (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    assert_int_equal(json_array_size(late), n);
}

static json_t *entry_of(json_t *report, const char *what)
{
    if (strcmp(what, "work") == 0)
        return json_object_get(report, "work_items");
    size_t i;
    json_t *lv;
    json_array_foreach(json_object_get(report, "levels"), i, lv)
    {
        if (strcmp(json_string_value(json_object_get(lv, "level")), what) == 0)
            return lv;
    }
    return NULL;
}

static void assert_status_matches_a_walk(prop *p, const char *code)
{
    json_t *out = NULL;
    char now[11];
    today(now);
    assert_int_equal(cv_status_report(p->f->s, code, NULL, &out, &p->f->e), 0);
    json_t *r = json_array_get(json_object_get(out, "reports"), 0);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(cv_store_db(p->f->s), walk_sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
    size_t levels_seen = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *what = (const char *)sqlite3_column_text(st, 0);
        int work = strcmp(what, "work") == 0;
        json_t *got = entry_of(r, what);
        assert_non_null(got);
        levels_seen += !work;
        assert_int_equal(json_integer_value(json_object_get(got, "total")),
                         sqlite3_column_int64(st, 1));
        assert_int_equal(json_integer_value(json_object_get(got, work ? "done" : "held")),
                         sqlite3_column_int64(st, 2));
        assert_int_equal(json_integer_value(json_object_get(got, work ? "overdue" : "late")),
                         sqlite3_column_int64(st, 3));
    }
    sqlite3_finalize(st);
    assert_int_equal(json_array_size(json_object_get(r, "levels")), levels_seen);
    assert_late_matches_a_walk(p, r, code, now);
    json_decref(out);
}

static void assert_rollups_recompute(prop *p, uint64_t seed, int step, const char *op)
{
    json_t *out = NULL;
    assert_int_equal(cv_rollup_check(p->f->s, NULL, &out, &p->f->e), 0);
    json_int_t n = json_integer_value(json_object_get(out, "differences"));
    if (n) {
        char *text = json_dumps(out, JSON_COMPACT);
        print_error("seed %llu, step %d (%s): %s\n", (unsigned long long)seed, step, op, text);
        free(text);
    }
    json_decref(out);
    assert_int_equal(n, 0);
}

static void build_tree(prop *p)
{
    static const char *const base[][3] = {
        {"VN", "national", ""},     {"P1", "province", "VN"},   {"P2", "province", "VN"},
        {"D1", "district", "P1"},   {"D2", "district", "P1"},   {"D3", "district", "P2"},
        {"G1", "grassroots", "D1"}, {"G2", "grassroots", "D1"}, {"G3", "grassroots", "D3"},
        {"C1", "cell", "G1"},       {"C2", "cell", "G1"},       {"C3", "cell", "G3"}};
    for (size_t i = 0; i < sizeof base / sizeof base[0]; i++) {
        cv_org o = {0};
        snprintf(o.code, sizeof o.code, "%s", base[i][0]);
        snprintf(o.name, sizeof o.name, "Tổ chức %s", base[i][0]);
        snprintf(o.level, sizeof o.level, "%s", base[i][1]);
        snprintf(o.parent_code, sizeof o.parent_code, "%s", base[i][2]);
        assert_int_equal(FIXTURE_TX(p->f->s, cv_org_add(p->f->s, &o, NULL, &p->f->e)), 0);
    }
}

static const struct {
    const char *name;
    void (*run)(prop *p);
    int weight;
} ops[] = {{"add org", op_add_org, 8},
           {"move org", op_move, 5},
           {"import change", op_raw_change, 3},
           {"bulk import", op_bulk_import, 2},
           {"plan", op_plan, 10},
           {"reschedule", op_reschedule, 4},
           {"prepare", op_prepare, 3},
           {"held", op_held, 8},
           {"window", op_window, 2},
           {"work add", op_work_add, 6},
           {"work done", op_work_done, 3},
           {"scenario", op_scenario, 2},
           {"day turns", op_day_turns, 3}};

static void test_rollups_equal_a_recomputation_after_every_change(void **state)
{
    int total = 0;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        total += ops[i].weight;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        fixture_setup(state);
        prop p = {.f = *state, .rng = seed * 0x9E3779B97F4A7C15ull};
        assert_int_equal(cv_date_parse_instant("2020-03-01T09:00", CV_TZ_VIETNAM_MIN, &p.today_ms,
                                               "when", &p.f->e),
                         0);
        cv_clock_fix(p.today_ms);
        build_tree(&p);
        for (int step = 0; step < STEPS; step++) {
            int w = (int)rnd(&p, (uint32_t)total);
            size_t k = 0;
            while (w >= ops[k].weight)
                w -= ops[k++].weight;
            ops[k].run(&p);
            assert_rollups_recompute(&p, seed, step, ops[k].name);
            char code[CV_CODE_MAX];
            if (pick(&p, "SELECT code FROM orgs WHERE level <> 'cell' ORDER BY id", NULL, code,
                     sizeof code))
                assert_status_matches_a_walk(&p, code);
        }
        fixture_teardown(state);
    }
}

/* Runs check rollups of org (NULL: every organisation), which must find exactly one difference,
 * and returns that difference (*out owns it). */
static json_t *one_difference(fixture *f, const char *org, json_t **out)
{
    assert_int_equal(cv_rollup_check(f->s, org, out, &f->e), 0);
    assert_int_equal(json_integer_value(json_object_get(*out, "differences")), 1);
    return json_array_get(json_object_get(*out, "first"), 0);
}

/* A difference planted behind the triggers' back is found, named and counted. */
static void test_check_names_a_planted_difference(void **state)
{
    fixture *f = *state;
    prop p = {.f = f, .rng = 7};
    build_tree(&p);
    assert_int_equal(sqlite3_exec(cv_store_db(f->s),
                                  "UPDATE rollups SET orgs = orgs + 1 WHERE org_id = (SELECT id "
                                  "FROM orgs WHERE code = 'P1') AND level = 'cell'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    json_t *out = NULL;
    json_t *d = one_difference(f, "P1", &out);
    assert_string_equal(json_string_value(json_object_get(d, "org")), "P1");
    json_t *orgs = json_object_get(json_object_get(d, "counts"), "orgs");
    assert_int_equal(json_integer_value(json_object_get(orgs, "recomputed")), 2);
    assert_int_equal(json_integer_value(json_object_get(orgs, "stored")), 3);
    json_decref(out);
    assert_int_equal(cv_rollup_check(f->s, "P2", &out, &f->e), 0);
    assert_int_equal(json_integer_value(json_object_get(out, "differences")), 0);
    json_decref(out);
}

/* So is a day of the burn-up's roll-up (rollup_held) planted behind the triggers' back. */
static void test_check_names_a_planted_held_day(void **state)
{
    fixture *f = *state;
    prop p = {.f = f, .rng = 7};
    build_tree(&p);
    assert_int_equal(sqlite3_exec(cv_store_db(f->s),
                                  "INSERT INTO rollup_held(org_id, term_id, day, held) SELECT id, "
                                  "(SELECT id FROM terms WHERE code = '2020-2025'), '2020-05-20', "
                                  "1 FROM orgs WHERE code = 'P1'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    json_t *out = NULL;
    json_t *d = one_difference(f, NULL, &out);
    assert_string_equal(json_string_value(json_object_get(d, "org")), "P1");
    assert_string_equal(json_string_value(json_object_get(d, "at")), "2020-05-20");
    json_t *held = json_object_get(json_object_get(d, "counts"), "held");
    assert_int_equal(json_integer_value(json_object_get(held, "recomputed")), 0);
    assert_int_equal(json_integer_value(json_object_get(held, "stored")), 1);
    json_decref(out);
}

/* So is a congress whose copy of its organisation's path (the late list's index) went wrong
 * where no trigger could set it right. */
static void test_check_names_a_planted_congress_copy(void **state)
{
    fixture *f = *state;
    prop p = {.f = f, .rng = 7};
    build_tree(&p);
    tree_plan(f, "C1", "I", 0);
    assert_int_equal(sqlite3_exec(cv_store_db(f->s),
                                  "DROP TRIGGER congress_org_changed; UPDATE congresses SET "
                                  "org_path = '/VN/P2/C1/'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    json_t *out = NULL;
    json_t *d = one_difference(f, NULL, &out);
    assert_string_equal(json_string_value(json_object_get(d, "org")), "C1");
    assert_string_equal(json_string_value(json_object_get(d, "at")), "congress");
    json_decref(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rollups_equal_a_recomputation_after_every_change),
        FIXTURE_TEST(test_check_names_a_planted_difference),
        FIXTURE_TEST(test_check_names_a_planted_held_day),
        FIXTURE_TEST(test_check_names_a_planted_congress_copy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
