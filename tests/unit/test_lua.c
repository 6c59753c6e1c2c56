/* test_lua.c: packages: exactly-once hooks whose writes commit with the cursor, a failing hook
 * undoing only its own writes, the subtree rule, campaigns moving through phases on dates and
 * events, and the scheduler in Lua (convene.every/at/before/after as durable jobs). */
#include "luapkg.h"
#include "tree.h"

#include "domain/work.h"
#include "elect/person.h"
#include "lua/package.h"
#include "lua/registry.h"
#include "sched/job.h"
#include "lua/jobs.h"
#include "sched/run.h"
#include "store/journal.h"

#define MEM_CAP (8u << 20)
#define BUDGET  2000000

static int64_t at(const char *when)
{
    int64_t ms;
    cv_err e;
    assert_int_equal(cv_date_parse_instant(when, CV_TZ_VIETNAM_MIN, &ms, "when", &e), 0);
    return ms;
}

/* Loads the package of dir bound to org's subtree; returns the load's result. */
static int load(fixture *f, const char *name, const char *dir, const char *org, cv_lua_pkg **p)
{
    cv_lua_pkg_options opt = {
        .name = name, .path = dir, .org = org, .mem_cap = MEM_CAP, .budget = BUDGET};
    *p = NULL;
    return cv_lua_pkg_load(f->s, &opt, p, &f->e);
}

/* Registers and loads a package that must load. */
static cv_lua_pkg *add(fixture *f, const char *name, const char *dir, const char *org)
{
    cv_lua_pkg *p;
    assert_int_equal(cv_lua_reg_add(f->s, name, dir, org, NULL, &f->e), 0);
    if (load(f, name, dir, org, &p) < 0)
        fail_msg("package %s does not load: %s", name, f->e.msg);
    return p;
}

static void drop(cv_lua_pkg *p)
{
    cv_lua_jobs_unloaded(p);
    cv_lua_pkg_free(p);
}

/* Emits an event of type about org, as the domain would. */
static void emit(fixture *f, const char *type, const char *org)
{
    cv_org o;
    assert_int_equal(cv_org_get(f->s, org, &o, &f->e), 0);
    assert_int_equal(cv_store_begin(f->s, &f->e), 0);
    assert_int_equal(cv_journal_emit(f->s, type, o.id, NULL, NULL, &f->e), 0);
    assert_int_equal(cv_store_commit(f->s, &f->e), 0);
}

/* Dispatches until the package is caught up; returns the hook errors. */
static int dispatch_all(fixture *f, cv_lua_pkg *p)
{
    int handled, failed, total = 0;
    do {
        assert_int_equal(cv_lua_pkg_dispatch(p, &handled, &failed, &f->e), 0);
        total += failed;
    } while (handled > 0);
    return total;
}

/* Counts the rows of a constant query with one text parameter. */
static int64_t count_with(fixture *f, const char *sql, const char *text)
{
    sqlite3_stmt *st = cv_store_prepare(f->s, sql, &f->e);
    assert_non_null(st);
    sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return n;
}

static void plan(fixture *f, const char *org, const char *start)
{
    cv_congress_spec spec = {.org = org,
                             .ordinal = "XVI",
                             .start = start,
                             .end = start,
                             .pilot = -1,
                             .direct_secretary = -1,
                             .summoned = -1,
                             .present = -1};
    assert_int_equal(FIXTURE_TX(f->s, cv_congress_plan(f->s, &spec, NULL, &f->e)), 0);
}

static int64_t cursor_of(fixture *f, const char *consumer)
{
    int64_t id;
    assert_int_equal(cv_journal_cursor_get(f->s, consumer, &id, &f->e), 0);
    return id;
}

#define WORK_BY_TITLE "SELECT count(*) FROM work_items WHERE title LIKE ?1"
#define SUBJECT       "SELECT count(*) FROM outbox WHERE subject LIKE ?1"

static void test_a_hook_runs_once_per_event_and_its_writes_commit_with_the_cursor(void **state)
{
    fixture *f = *state;
    plan(f, "LS-TP", "2020-07-20");
    char dir[64];
    make_package(dir, "convene.on('congress.held', function(ev)\n"
                      "  convene.add_work{org = 'LS-TP', group = 'Sau đại hội',\n"
                      "                   title = 'Tổng kết ' .. ev.org}\n"
                      "  convene.notify{to = 'vp@ls.vn', subject = 'Đã họp ' .. ev.org}\n"
                      "end)\n");
    cv_lua_pkg *p = add(f, "once", dir, "LS-TP");
    emit(f, "congress.held", "VT");
    emit(f, "congress.held", "DK");

    /* A dispatch whose transaction is undone leaves neither the writes nor the cursor. */
    int64_t cursor = cursor_of(f, "lua:once");
    assert_int_equal(cv_store_begin(f->s, &f->e), 0);
    assert_int_equal(dispatch_all(f, p), 0);
    assert_int_equal(count_with(f, WORK_BY_TITLE, "Tổng kết %"), 2);
    cv_store_rollback(f->s);
    assert_int_equal(count_with(f, WORK_BY_TITLE, "Tổng kết %"), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox"), 0);
    assert_int_equal(cursor_of(f, "lua:once"), cursor);

    /* Dispatched twice for real: once per event. */
    assert_int_equal(dispatch_all(f, p), 0);
    assert_int_equal(dispatch_all(f, p), 0);
    assert_int_equal(count_with(f, WORK_BY_TITLE, "Tổng kết VT"), 1);
    assert_int_equal(count_with(f, WORK_BY_TITLE, "Tổng kết DK"), 1);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox"), 2);
    int64_t last;
    assert_int_equal(cv_journal_last_id(f->s, &last, &f->e), 0);
    assert_int_equal(cursor_of(f, "lua:once"), last);

    /* A fresh load of the same package resumes from its cursor, not from the start. */
    cv_lua_pkg_free(p);
    p = NULL;
    assert_int_equal(load(f, "once", dir, "LS-TP", &p), 0);
    assert_int_equal(dispatch_all(f, p), 0);
    assert_int_equal(count_with(f, WORK_BY_TITLE, "Tổng kết %"), 2);
    cv_lua_pkg_free(p);
    remove_package(dir);
}

static void test_a_failing_hook_undoes_only_its_own_writes_and_names_its_line(void **state)
{
    fixture *f = *state;
    plan(f, "LS-TP", "2020-07-20");
    char dir[64];
    make_package(dir, "convene.on('congress.held', function(ev)\n"
                      "  convene.add_work{org = 'LS-TP', group = 'G', title = 'A ' .. ev.org}\n"
                      "end)\n"
                      "convene.on('congress.held', function(ev)\n"
                      "  convene.add_work{org = 'LS-TP', group = 'G', title = 'B ' .. ev.org}\n"
                      "  convene.notify{to = 'vp@ls.vn', subject = 'B ' .. ev.org}\n"
                      "  if ev.org == 'VT' then error('biên bản thiếu') end\n"
                      "end)\n"
                      "convene.on('*', function(ev)\n"
                      "  if ev.type == 'congress.held' then\n"
                      "    convene.notify{to = 'vp@ls.vn', subject = 'C ' .. ev.org}\n"
                      "  end\n"
                      "end)\n");
    cv_lua_pkg *p = add(f, "partial", dir, "LS-TP");
    emit(f, "congress.held", "VT");
    emit(f, "congress.held", "DK");
    assert_int_equal(dispatch_all(f, p), 1);
    /* The failing hook lost its work item and its notification for VT, nothing else. */
    assert_int_equal(count_with(f, WORK_BY_TITLE, "A %"), 2);
    assert_int_equal(count_with(f, WORK_BY_TITLE, "B DK"), 1);
    assert_int_equal(count_with(f, WORK_BY_TITLE, "B VT"), 0);
    assert_int_equal(count_with(f, SUBJECT, "B VT"), 0);
    assert_int_equal(count_with(f, SUBJECT, "B DK"), 1);
    assert_int_equal(count_with(f, SUBJECT, "C %"), 2);
    const char *err = cv_lua_pkg_last_error(p);
    if (!strstr(err, "init.lua:7: biên bản thiếu") || !strstr(err, "congress.held"))
        fail_msg("the error does not name file, line and event: %s", err);
    /* The failed event is consumed, not retried for ever. */
    assert_int_equal(dispatch_all(f, p), 0);
    assert_int_equal(count_with(f, WORK_BY_TITLE, "A %"), 2);
    cv_lua_pkg_free(p);
    remove_package(dir);
}

/* Each write call of a package is a savepoint of its own: a multi-step write that fails half-way
 * (convene.elections.open creates the election with its list and journals it, then cannot open
 * it without attendance) leaves nothing when the script pcall()s it, while the rest of the hook
 * commits. */
static void test_a_write_a_hook_pcalls_that_fails_half_way_leaves_nothing(void **state)
{
    fixture *f = *state;
    plan(f, "VT", "2020-07-20");
    for (int i = 1; i <= 2; i++) {
        char code[8], name[16];
        snprintf(code, sizeof code, "P%d", i);
        snprintf(name, sizeof name, "Người %d", i);
        cv_person_spec ps = {.code = code, .name = name, .born = "1970-01-01", .incumbent = -1};
        assert_int_equal(FIXTURE_TX(f->s, cv_person_add(f->s, &ps, NULL, &f->e)), 0);
    }
    char dir[64];
    make_package(dir, "convene.on('congress.held', function(ev)\n"
                      "  local ok, err = pcall(convene.elections.open, {org = 'VT',\n"
                      "    body = 'committee', seats = 2, candidates = {'P1', 'P2'}})\n"
                      "  convene.notify{to = 'vp@ls.vn',\n"
                      "                 subject = ok and 'opened' or ('refused: ' .. err)}\n"
                      "  convene.add_work{org = 'VT', group = 'G', title = 'after'}\n"
                      "end)\n");
    cv_lua_pkg *p = add(f, "halfway", dir, "LS-TP");
    emit(f, "congress.held", "VT");
    assert_int_equal(dispatch_all(f, p), 0);
    assert_int_equal(count_with(f, SUBJECT, "refused: %no attendance%"), 1);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM elections"), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM candidates"), 0);
    assert_int_equal(count_with(f, "SELECT count(*) FROM events WHERE type LIKE ?1", "election.%"),
                     0);
    assert_int_equal(count_with(f, WORK_BY_TITLE, "after"), 1);
    cv_lua_pkg_free(p);
    remove_package(dir);
}

/* A package's writes pass the operations layer's permission check as the package itself, with
 * the office role over its own subtree: bound to one district, it changes that district's
 * congress and cannot change another district's. */
static void test_a_package_of_one_district_cannot_change_another_districts_congress(void **state)
{
    fixture *f = *state;
    tree_add(f, "CL", "Huyện Cao Lộc", "district", "LS", 3000);
    plan(f, "LS-TP", "2020-07-01");
    plan(f, "CL", "2020-07-03");
    char dir[64];
    make_package(dir, "convene.on('congress.held', function(ev)\n"
                      "  convene.set_congress{org = 'LS-TP', finish = '2020-07-02'}\n"
                      "  convene.set_congress{org = 'CL', start = '2020-06-01'}\n"
                      "end)\n");
    cv_lua_pkg *p = add(f, "district", dir, "LS-TP");
    emit(f, "congress.held", "LS-TP");
    assert_int_equal(dispatch_all(f, p), 1);
    const char *err = cv_lua_pkg_last_error(p);
    if (!strstr(err, "organisation CL is outside the subtree of LS-TP") ||
        !strstr(err, "permission denied: package district may not congress.set at CL"))
        fail_msg("unclear refusal: %s", err);
    /* the hook failed whole: neither congress changed, and no event says otherwise */
    assert_int_equal(
        count_with(f, "SELECT count(*) FROM congresses WHERE planned_start = ?1", "2020-06-01"), 0);
    assert_int_equal(
        count_with(f, "SELECT count(*) FROM congresses WHERE planned_end = ?1", "2020-07-02"), 0);
    assert_int_equal(count_with(f, "SELECT count(*) FROM events WHERE actor_kind = ?1", "package"),
                     0);
    cv_lua_pkg_free(p);

    /* inside its subtree the same write is made, as the package */
    write_init(dir, "convene.on('congress.held', function(ev)\n"
                    "  convene.set_congress{org = 'LS-TP', finish = '2020-07-02'}\n"
                    "end)\n");
    p = add(f, "district2", dir, "LS-TP");
    emit(f, "congress.held", "LS-TP");
    assert_int_equal(dispatch_all(f, p), 0);
    assert_int_equal(
        count_with(f, "SELECT count(*) FROM congresses WHERE planned_end = ?1", "2020-07-02"), 1);
    assert_int_equal(count_with(f,
                                "SELECT count(*) FROM events WHERE type = 'congress.updated' "
                                "AND actor_kind = 'package' AND actor_name = ?1",
                                "district2"),
                     1);
    cv_lua_pkg_free(p);
    remove_package(dir);
}

static void test_a_write_outside_the_subtree_is_refused(void **state)
{
    fixture *f = *state;
    plan(f, "DK", "2020-07-01");
    plan(f, "VT", "2020-07-02");
    char dir[64];
    make_package(dir, "convene.on('congress.held', function(ev)\n"
                      "  convene.add_work{org = 'DK', group = 'G', title = 'Lấn sân'}\n"
                      "end)\n"
                      "convene.on('congress.held', function(ev)\n"
                      "  convene.add_work{org = ev.org, group = 'G', title = 'Trong phạm vi'}\n"
                      "end)\n"
                      "convene.on('congress.held', function()\n"
                      "  convene.hold_congress{org = 'LS-TP', on = '2020-05-22'}\n"
                      "end)\n");
    cv_lua_pkg *p = add(f, "ward", dir, "VT");
    emit(f, "congress.held", "DK"); /* outside: the package never sees it */
    emit(f, "congress.held", "VT");
    assert_int_equal(dispatch_all(f, p), 2);
    assert_int_equal(count_with(f, WORK_BY_TITLE, "Lấn sân"), 0);
    assert_int_equal(count_with(f, WORK_BY_TITLE, "Trong phạm vi"), 1);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM congresses WHERE status = 'held'"), 0);
    const char *err = cv_lua_pkg_last_error(p);
    if (!strstr(err, "organisation LS-TP is outside the subtree of VT"))
        fail_msg("unclear refusal: %s", err);
    cv_lua_pkg_free(p);

    /* The first hook's refusal reads the same way. */
    write_init(dir, "convene.on('congress.held', function()\n"
                    "  convene.add_work{org = 'DK', group = 'G', title = 'Lấn sân'}\n"
                    "end)\n");
    p = add(f, "ward2", dir, "VT");
    emit(f, "congress.held", "VT");
    assert_int_equal(dispatch_all(f, p), 1);
    if (!strstr(cv_lua_pkg_last_error(p), "organisation DK is outside the subtree of VT"))
        fail_msg("unclear refusal: %s", cv_lua_pkg_last_error(p));
    assert_int_equal(count_with(f, WORK_BY_TITLE, "Lấn sân"), 0);
    cv_lua_pkg_free(p);
    remove_package(dir);
}

#define PHASE_EVENTS                                                                               \
    "SELECT count(*) FROM events WHERE type = ?1 AND json_extract(data, '$.package') = 'tt' AND "  \
    "json_extract(data, '$.campaign') = 'propaganda'"
#define ACTIVE_PHASE "SELECT count(*) FROM lua_phases WHERE state = 'active' AND name = ?1"

static void test_a_campaign_moves_on_a_date_and_on_an_event(void **state)
{
    fixture *f = *state;
    char dir[64];
    make_package(dir, "convene.campaign{name = 'propaganda', title = 'Tuyên truyền', phases = {\n"
                      "  {name = 'prep', starts = '2020-05-25', ends = '2020-05-31'},\n"
                      "  {name = 'launch', ends = {event = 'congress.held', org = 'VT'}},\n"
                      "  {name = 'wrap'},\n"
                      "}}\n"
                      "convene.on('phase.started', function(ev)\n"
                      "  convene.notify{to = 'btg@ls.vn', subject = 'Bắt đầu ' .. ev.data.phase}\n"
                      "end)\n");
    cv_lua_pkg *p = add(f, "tt", dir, "LS-TP");
    assert_int_equal(cv_lua_pkg_tick(p, &f->e), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM lua_phases WHERE state <> 'pending'"),
                     0);

    fixture_clock("2020-05-25T07:00"); /* a date is reached on its day */
    assert_int_equal(cv_lua_pkg_tick(p, &f->e), 0);
    assert_int_equal(count_with(f, ACTIVE_PHASE, "prep"), 1);
    fixture_clock("2020-05-31T23:00"); /* and passed the day after */
    assert_int_equal(cv_lua_pkg_tick(p, &f->e), 0);
    assert_int_equal(count_with(f, ACTIVE_PHASE, "prep"), 1);
    fixture_clock("2020-06-01T07:00");
    assert_int_equal(cv_lua_pkg_tick(p, &f->e), 0);
    assert_int_equal(count_with(f, ACTIVE_PHASE, "launch"), 1);
    assert_int_equal(count_with(f, PHASE_EVENTS, "phase.ended"), 1);

    emit(f, "congress.held", "DK"); /* not the event the boundary names */
    assert_int_equal(dispatch_all(f, p), 0);
    assert_int_equal(count_with(f, ACTIVE_PHASE, "launch"), 1);
    emit(f, "congress.held", "VT");
    assert_int_equal(dispatch_all(f, p), 0);
    assert_int_equal(count_with(f, ACTIVE_PHASE, "wrap"), 1);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM lua_phases WHERE state = 'done'"), 2);

    assert_int_equal(count_with(f, PHASE_EVENTS, "phase.started"), 3);
    assert_int_equal(count_with(f, PHASE_EVENTS, "phase.ended"), 2);
    assert_int_equal(count_with(f,
                                "SELECT count(*) FROM events WHERE type = ?1 AND "
                                "json_extract(data, '$.phase') = 'launch' AND at = 1590969600000",
                                "phase.started"),
                     1); /* 2020-06-01T07:00 in Vietnam */
    /* Each phase's start reached the package's own hook exactly once. */
    assert_int_equal(count_with(f, SUBJECT, "Bắt đầu %"), 3);
    assert_int_equal(dispatch_all(f, p), 0);
    assert_int_equal(cv_lua_pkg_tick(p, &f->e), 0);
    assert_int_equal(count_with(f, PHASE_EVENTS, "phase.started"), 3);
    cv_lua_pkg_free(p);
    remove_package(dir);
}

/* The scheduler in Lua. */

static const char jobs_v1[] =
    "local function say(subject)\n"
    "  return function() convene.notify{to = 'vp@ls.vn', subject = subject} end\n"
    "end\n"
    "convene.every('0 8 * * *', say('Nhắc việc hằng ngày'), 'daily')\n"
    "convene.every('30 7 * * mon', say('Giao ban'))\n"
    "convene.at('2020-06-01T09:00', say('Một lần'), {name = 'once'})\n"
    "convene.before{congress = 'LS-TP', days = 7, name = 'week-before', fn = say('Còn 7 ngày')}\n"
    "convene.after{congress = 'LS-TP', days = 1, time = '14:00', fn = say('Tổng kết')}\n";

static int64_t next_at(fixture *f, const char *name)
{
    cv_job j;
    if (cv_job_get(f->s, name, &j, &f->e) < 0)
        fail_msg("no job %s: %s", name, f->e.msg);
    int64_t next = j.next_at;
    cv_job_clear(&j);
    return next;
}

static void assert_job(fixture *f, const char *name, const char *kind, const char *spec)
{
    cv_job j;
    if (cv_job_get(f->s, name, &j, &f->e) < 0)
        fail_msg("no job %s: %s", name, f->e.msg);
    assert_string_equal(j.kind, kind);
    assert_string_equal(j.spec, spec);
    assert_string_equal(j.action, "lua");
    assert_string_equal(j.state, "active");
    cv_job_clear(&j);
}

#define PKG_JOBS "SELECT count(*) FROM jobs WHERE name LIKE ?1"

static void test_declared_jobs_are_named_and_a_reload_keeps_them_or_prunes_them(void **state)
{
    fixture *f = *state;
    plan(f, "LS-TP", "2020-07-20");
    char dir[64];
    make_package(dir, jobs_v1);
    int64_t others = fixture_count(f, "SELECT count(*) FROM jobs");
    cv_lua_pkg *p = add(f, "ls", dir, "LS-TP");
    assert_int_equal(count_with(f, PKG_JOBS, "lua:ls:%"), 0); /* init.lua never writes */
    assert_int_equal(cv_lua_jobs_loaded(p, &f->e), 0);
    assert_job(f, "lua:ls:daily", "cron", "0 8 * * *");
    assert_job(f, "lua:ls:30 7 * * mon", "cron", "30 7 * * mon");
    assert_job(f, "lua:ls:once", "at", "2020-06-01T09:00");
    assert_job(f, "lua:ls:week-before", "anchor", "congress:LS-TP");
    assert_job(f, "lua:ls:congress:LS-TP+1@14:00", "anchor", "congress:LS-TP");
    assert_int_equal(count_with(f, PKG_JOBS, "lua:ls:%"), 5);
    assert_int_equal(next_at(f, "lua:ls:daily"), at("2020-05-23T08:00"));
    assert_int_equal(next_at(f, "lua:ls:once"), at("2020-06-01T09:00"));
    assert_int_equal(next_at(f, "lua:ls:congress:LS-TP+1@14:00"), at("2020-07-21T14:00"));

    /* The same package loaded again a day later: same jobs, same due times. */
    fixture_clock("2020-05-23T09:00");
    cv_lua_pkg *again;
    assert_int_equal(load(f, "ls", dir, "LS-TP", &again), 0);
    assert_int_equal(cv_lua_jobs_loaded(again, &f->e), 0);
    drop(p);
    assert_int_equal(count_with(f, PKG_JOBS, "lua:ls:%"), 5);
    assert_int_equal(next_at(f, "lua:ls:daily"), at("2020-05-23T08:00"));
    assert_int_equal(next_at(f, "lua:ls:week-before"), at("2020-07-13T08:00"));

    /* A version without the one-shot job deletes it and keeps the others. */
    write_init(dir, "convene.every('0 8 * * *', function() end, 'daily')\n"
                    "convene.before{congress = 'LS-TP', days = 7, name = 'week-before',\n"
                    "               fn = function() end}\n");
    cv_lua_pkg *v2;
    assert_int_equal(load(f, "ls", dir, "LS-TP", &v2), 0);
    assert_int_equal(cv_lua_jobs_loaded(v2, &f->e), 0);
    drop(again);
    cv_job j;
    assert_int_equal(cv_job_get(f->s, "lua:ls:once", &j, &f->e), CV_ENOTFOUND);
    assert_int_equal(count_with(f, PKG_JOBS, "lua:ls:%"), 2);
    assert_int_equal(next_at(f, "lua:ls:daily"), at("2020-05-23T08:00"));
    /* Other jobs are not the package's to prune. */
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM jobs"), others + 2);
    drop(v2);
    remove_package(dir);
}

/* Writes text as a package bound to LS-TP, loads it and makes its jobs. */
static cv_lua_pkg *scheduled(fixture *f, char dir[64], const char *text)
{
    make_package(dir, text);
    cv_lua_pkg *p = add(f, "ls", dir, "LS-TP");
    assert_int_equal(cv_lua_jobs_loaded(p, &f->e), 0);
    return p;
}

static void simulate(fixture *f, const char *until)
{
    int64_t runs;
    assert_int_equal(cv_sched_simulate(f->s, at(until), &runs, &f->e), 0);
}

/* The notifications the job queued for its run due at when. */
static int64_t keyed(fixture *f, const char *job, const char *when)
{
    char key[CV_NAME_MAX + 40];
    snprintf(key, sizeof key, "%%%s:%lld:%%", job, (long long)at(when));
    return count_with(f, "SELECT count(*) FROM outbox WHERE key LIKE ?1", key);
}

static int64_t runs_of(fixture *f, const char *job)
{
    cv_job j;
    assert_int_equal(cv_job_get(f->s, job, &j, &f->e), 0);
    int64_t runs = j.runs;
    cv_job_clear(&j);
    return runs;
}

static void test_an_every_job_runs_at_its_instants_once_each(void **state)
{
    fixture *f = *state;
    char dir[64];
    cv_lua_pkg *p = scheduled(f, dir,
                              "convene.every('0 8 * * *', function(run)\n"
                              "  assert(run.name == 'lua:ls:daily' and run.due > 0)\n"
                              "  convene.notify{to = 'vp@ls.vn', subject = 'Nhắc việc hằng ngày'}\n"
                              "end, 'daily')\n");
    simulate(f, "2020-05-29T09:00");
    /* 23..29 May at 08:00: seven runs, seven notifications keyed by job and instant. */
    assert_int_equal(
        count_with(f, "SELECT count(*) FROM outbox WHERE key LIKE ?1", "%lua:ls:daily:%"), 7);
    assert_int_equal(count_with(f, SUBJECT, "Nhắc việc hằng ngày"), 7);
    assert_int_equal(keyed(f, "lua:ls:daily", "2020-05-23T08:00"), 1);
    assert_int_equal(keyed(f, "lua:ls:daily", "2020-05-29T08:00"), 1);
    cv_job j;
    assert_int_equal(cv_job_get(f->s, "lua:ls:daily", &j, &f->e), 0);
    assert_int_equal(j.runs, 7);
    assert_string_equal(j.last_error, "");
    assert_int_equal(j.last_due_at, at("2020-05-29T08:00"));
    cv_job_clear(&j);

    /* The run of 25 May repeated (after a crash, say) queues nothing new. */
    fixture_clock("2020-05-25T08:00");
    assert_int_equal(cv_sched_run_now(f->s, "lua:ls:daily", &f->e), 0);
    assert_int_equal(runs_of(f, "lua:ls:daily"), 8);
    assert_int_equal(keyed(f, "lua:ls:daily", "2020-05-25T08:00"), 1);
    assert_int_equal(count_with(f, SUBJECT, "Nhắc việc hằng ngày"), 7);
    drop(p);
    remove_package(dir);
}

static void test_an_every_job_with_while_acts_only_during_its_phase(void **state)
{
    fixture *f = *state;
    char dir[64];
    cv_lua_pkg *p = scheduled(f, dir,
                              "convene.campaign{name = 'propaganda', phases = {\n"
                              "  {name = 'launch', starts = '2020-05-25', ends = '2020-05-27'}}}\n"
                              "convene.every('0 8 * * *', function()\n"
                              "  convene.notify{to = 'btg@ls.vn', subject = 'Trong đợt'}\n"
                              "end, {name = 'during', ['while'] = 'propaganda/launch'})\n");
    simulate(f, "2020-05-24T09:00");
    fixture_clock("2020-05-25T07:00");
    assert_int_equal(cv_lua_pkg_tick(p, &f->e), 0); /* the phase starts */
    simulate(f, "2020-05-27T09:00");
    fixture_clock("2020-05-28T07:00");
    assert_int_equal(cv_lua_pkg_tick(p, &f->e), 0); /* and ends */
    simulate(f, "2020-05-30T09:00");
    /* It ran every morning from 23 to 30 May but acted on 25, 26 and 27 only. */
    assert_int_equal(runs_of(f, "lua:ls:during"), 8);
    assert_int_equal(count_with(f, SUBJECT, "Trong đợt"), 3);
    assert_int_equal(keyed(f, "lua:ls:during", "2020-05-24T08:00"), 0);
    assert_int_equal(keyed(f, "lua:ls:during", "2020-05-25T08:00"), 1);
    assert_int_equal(keyed(f, "lua:ls:during", "2020-05-27T08:00"), 1);
    assert_int_equal(keyed(f, "lua:ls:during", "2020-05-28T08:00"), 0);
    drop(p);
    remove_package(dir);
}

static void test_a_before_job_fires_seven_days_ahead_at_eight_in_vietnam(void **state)
{
    fixture *f = *state;
    plan(f, "LS-TP", "2020-07-20");
    char dir[64];
    cv_lua_pkg *p = scheduled(f, dir,
                              "convene.before{congress = 'LS-TP', days = 7, fn = function()\n"
                              "  convene.notify{to = 'vp@ls.vn', subject = 'Còn 7 ngày'}\n"
                              "end}\n");
    const char *name = "lua:ls:congress:LS-TP-7@08:00";
    assert_int_equal(next_at(f, name), at("2020-07-13T08:00"));
    assert_int_equal(next_at(f, name), 1594602000000); /* 01:00 UTC */
    simulate(f, "2020-07-13T07:59");
    assert_int_equal(runs_of(f, name), 0);
    assert_int_equal(count_with(f, SUBJECT, "Còn 7 ngày"), 0);
    simulate(f, "2020-07-25T00:00");
    assert_int_equal(runs_of(f, name), 1);
    assert_int_equal(keyed(f, name, "2020-07-13T08:00"), 1);
    assert_int_equal(count_with(f, SUBJECT, "Còn 7 ngày"), 1);
    drop(p);
    remove_package(dir);
}

static void test_jobs_are_declared_in_init_lua_only_with_a_valid_schedule(void **state)
{
    fixture *f = *state;
    char dir[64];
    make_package(dir, "convene.on('congress.held', function()\n"
                      "  convene.every('0 8 * * *', function() end, 'late')\n"
                      "end)\n");
    cv_lua_pkg *p = add(f, "late", dir, "LS-TP");
    assert_int_equal(cv_lua_jobs_loaded(p, &f->e), 0);
    emit(f, "congress.held", "VT");
    assert_int_equal(dispatch_all(f, p), 1);
    if (!strstr(cv_lua_pkg_last_error(p), "convene.every declares jobs in init.lua only"))
        fail_msg("unclear refusal: %s", cv_lua_pkg_last_error(p));
    assert_int_equal(cv_lua_jobs_loaded(p, &f->e), 0);
    assert_int_equal(count_with(f, PKG_JOBS, "lua:late:%"), 0);
    drop(p);

    write_init(dir, "-- a schedule that cannot be\n"
                    "convene.every('61 8 * * *', function() end, 'bad')\n");
    assert_int_equal(load(f, "late", dir, "LS-TP", &p), CV_ESCRIPT);
    if (!strstr(f->e.msg,
                "init.lua:2: convene.every: bad minute field '61' in the cron expression"))
        fail_msg("unclear refusal: %s", f->e.msg);
    assert_null(p);

    write_init(dir, "convene.every('0 8 * * *', function() end, 'twice')\n"
                    "convene.every('0 9 * * *', function() end, 'twice')\n");
    assert_int_equal(load(f, "late", dir, "LS-TP", &p), CV_ESCRIPT);
    if (!strstr(f->e.msg, "a job named 'lua:late:twice' is already declared"))
        fail_msg("unclear refusal: %s", f->e.msg);

    write_init(dir, "convene.before{congress = 'VT', days = 7, fn = function() end}\n");
    assert_int_equal(load(f, "late", dir, "DK", &p), CV_ESCRIPT);
    if (!strstr(f->e.msg, "organisation VT is outside the subtree of DK"))
        fail_msg("unclear refusal: %s", f->e.msg);
    remove_package(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TREE_TEST(test_a_hook_runs_once_per_event_and_its_writes_commit_with_the_cursor),
        TREE_TEST(test_a_failing_hook_undoes_only_its_own_writes_and_names_its_line),
        TREE_TEST(test_a_write_a_hook_pcalls_that_fails_half_way_leaves_nothing),
        TREE_TEST(test_a_write_outside_the_subtree_is_refused),
        TREE_TEST(test_a_package_of_one_district_cannot_change_another_districts_congress),
        TREE_TEST(test_a_campaign_moves_on_a_date_and_on_an_event),
        TREE_TEST(test_declared_jobs_are_named_and_a_reload_keeps_them_or_prunes_them),
        TREE_TEST(test_an_every_job_runs_at_its_instants_once_each),
        TREE_TEST(test_an_every_job_with_while_acts_only_during_its_phase),
        TREE_TEST(test_a_before_job_fires_seven_days_ahead_at_eight_in_vietnam),
        TREE_TEST(test_jobs_are_declared_in_init_lua_only_with_a_valid_schedule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
