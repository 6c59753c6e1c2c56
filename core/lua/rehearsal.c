/* rehearsal.c: `convene script test PATH SCENARIO`: runs a package against a simulated clock on a
 * fresh store in a temporary folder, built and driven by a scenario file, and prints the
 * timeline of what the procedure did. It never opens the caller's store; the temporary folder is
 * removed at the end.
 *
 * A scenario is a Lua file (evaluated in an empty sandbox) returning a table:
 *   start   "2020-01-02T08:00"        the simulated clock's first instant (Vietnam time)
 *   finish  "2020-11-01"              the clock runs day by day up to this date
 *   org     "BK-TP"                   the subtree the package is bound to
 *   config  { ... }                   the package's configuration (optional)
 *   setup   { {"org","add",...}, ...} convene commands that build the starting store, at start
 *   steps   { {at=TIME, run={...}} | {at=TIME, emit=TYPE, org=CODE, data={...}}, ... } in order
 *   expect  { "text", ... }           each must appear in the timeline, in this order
 * A `run` step is a convene command line (without the program name) run with --now at its time;
 * an `emit` step writes a journal event directly (events of subsystems the store lacks).
 *
 * A scenario ships inside a package, so it is data, not a script of the host: its table is
 * converted inside the sandbox's protected call (functions, cycles and huge tables are refused),
 * and a command may only be one of the operations in `allowed` below, run in the rehearsal's
 * folder against its store: --db, --now, paths outside the folder, `run`, `script`, `plugin`,
 * `notify`, `import`, `clock` and `init` are refused with a clear error, and a command that does
 * not finish within STEP_MS is killed. */
#define _GNU_SOURCE /* posix_spawn_file_actions_addchdir_np */
#include "lua/rehearsal.h"

#include <fcntl.h>
#include <lauxlib.h>
#include <signal.h>
#include <time.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth/grant.h"
#include "base/path.h"
#include "base/clock.h"
#include "base/date.h"
#include "domain/org.h"
#include "lua/api.h"
#include "lua/package.h"
#include "lua/registry.h"
#include "lua/jobs.h"
#include "sched/run.h"
#include "store/journal.h"

extern char **environ;

#define ARGS_MAX 64
#define STEP_MS  60000 /* a scenario command's wall-clock bound */

/* The commands a scenario may run: the store's own operations, nothing that reaches outside the
 * rehearsal (the daemon, other packages, plugins, delivery, imported files, the clock). */
static const char *const allowed[] = {
    "org",     "term",     "congress", "subcommittee", "work",   "status",
    "journal", "jobs",     "contact",  "holiday",      "outbox", "person",
    "scheme",  "election", "allocate", "complaint",    "doc",    "round",
    "plan",    "scenario", "meeting",  "inspection",   "report", NULL};

typedef struct rehearsal {
    char dir[64], db[96];
    cv_store *s;
    cv_lua_pkg *pkg;
    FILE *out;
    json_t *timeline; /* the printed lines, for the expectations */
    int64_t printed;  /* the last journal event printed */
} rehearsal;

static void line(rehearsal *r, const char *kind, const char *msg)
{
    char when[20], day[11];
    int64_t now = cv_clock_now();
    cv_clock_date(now, CV_TZ_VIETNAM_MIN, day);
    int64_t secs = ((now / 1000) + CV_TZ_VIETNAM_MIN * 60) % 86400;
    snprintf(when, sizeof when, "%s %02d:%02d", day, (int)(secs / 3600), (int)(secs / 60 % 60));
    char text[1400];
    snprintf(text, sizeof text, "%s  %-7s %s", when, kind, msg);
    fprintf(r->out, "%s\n", text);
    json_array_append_new(r->timeline, json_string(text));
}

static void sink(void *ctx, const cv_lua_pkg *p, const char *kind, const char *msg)
{
    (void)p;
    line(ctx,
         strncmp(kind, "log.", 4) == 0 ? (strcmp(kind, "log.error") == 0 ? "error" : "log") : kind,
         msg);
}

/* Inside the sandbox's protected call: runs the scenario chunk (argument 1) and converts its
 * table to JSON into the json_t * at argument 2, so that a function, a cycle or a huge table is
 * refused with an error rather than raised where nothing catches it. */
static int scenario_table(lua_State *L)
{
    json_t **out = lua_touserdata(L, 2);
    lua_settop(L, 1);
    lua_call(L, 0, 1);
    if (!lua_istable(L, -1))
        return luaL_error(L, "a scenario must return a table");
    *out = cv_lua_to_json(L, -1);
    return 0;
}

/* Evaluates the scenario file in an empty sandbox and returns its table as JSON. */
static int read_scenario(const char *path, json_t **out, cv_err *e)
{
    FILE *f = cv_path_fopen(path, "rb", NULL, e);
    if (!f)
        return e->code;
    char *text = malloc(CV_LUA_FILE_MAX + 1);
    size_t n = text ? fread(text, 1, CV_LUA_FILE_MAX + 1, f) : 0;
    fclose(f);
    if (!text || n > CV_LUA_FILE_MAX) {
        free(text);
        return cv_err_set(e, CV_ELIMIT, "scenario %s is larger than 1 MB", path);
    }
    cv_lua_sandbox *sb;
    char chunk[CV_LUA_PATH_MAX + 2];
    snprintf(chunk, sizeof chunk, "@%s", path);
    int rc = cv_lua_sandbox_new(0, 0, &sb, e);
    if (rc == 0 && (rc = cv_lua_sandbox_load(sb, chunk, text, n, e)) == 0) {
        lua_State *L = cv_lua_sandbox_state(sb);
        lua_pushcfunction(L, scenario_table);
        lua_insert(L, -2);
        lua_pushlightuserdata(L, out);
        if ((rc = cv_lua_sandbox_call(sb, 2, 0, e)) < 0) {
            cv_err why = *e;
            cv_err_set(e, CV_EINVAL, "scenario %s refused: %s", path, why.msg);
        }
    }
    free(text);
    cv_lua_sandbox_free(sb);
    return rc;
}

static const char *jstr(json_t *j, const char *key)
{
    return json_string_value(json_object_get(j, key));
}

/* Whether a scenario command's word may be passed: no store or clock of its choosing, no path
 * that leaves the rehearsal's folder (the command runs there). */
static int word_allowed(const char *w, const char *prev, cv_err *e)
{
    if (strncmp(w, "--db", 4) == 0 || strncmp(w, "--now", 5) == 0)
        return cv_err_set(e, CV_EINVAL,
                          "a scenario command may not choose %s (the rehearsal "
                          "gives its own store and clock)",
                          w);
    int output = prev && strcmp(prev, "--output") == 0;
    if (w[0] == '/' || w[0] == '~' || strcmp(w, "..") == 0 || strncmp(w, "../", 3) == 0 ||
        strstr(w, "/../") || (output && strchr(w, '/')))
        return cv_err_set(e, CV_EINVAL,
                          "a scenario command may not reach outside the rehearsal's folder "
                          "('%s'); give a file name alone",
                          w);
    return 0;
}

/* Refuses a command a scenario may not run. */
static int command_allowed(json_t *argv, cv_err *e)
{
    size_t n = json_array_size(argv);
    if (n == 0 || n > ARGS_MAX)
        return cv_err_set(e, CV_EINVAL, "a scenario command has 1 to %d words", ARGS_MAX);
    const char *prev = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *w = json_string_value(json_array_get(argv, i));
        if (!w || strlen(w) > 4096)
            return cv_err_set(e, CV_EINVAL,
                              "a scenario command's words must be strings of at most 4096 bytes");
        if (i == 0) {
            const char *const *a = allowed;
            while (*a && strcmp(*a, w) != 0)
                a++;
            if (!*a)
                return cv_err_set(e, CV_EINVAL,
                                  "a scenario may not run 'convene %s' (allowed: the store's "
                                  "operations such as org, congress, work, person, election)",
                                  w);
        }
        if (word_allowed(w, prev, e) < 0)
            return e->code;
        prev = w;
    }
    return 0;
}

/* Waits for pid at most STEP_MS; kills it past that. */
static int wait_bounded(pid_t pid, int *status)
{
    for (int waited = 0; waited < STEP_MS; waited += 5) {
        pid_t got = waitpid(pid, status, WNOHANG);
        if (got != 0)
            return got < 0 ? -1 : 0;
        nanosleep(&(struct timespec){0, 5000000}, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, status, 0);
    return -1;
}

/* Runs this convene binary with --db and --now on argv (a JSON list of strings), in the
 * rehearsal's folder; trusted is set only for the rehearsal's own `init`. */
static int run_command(rehearsal *r, json_t *argv, const char *now, int trusted, cv_err *e)
{
    char *args[ARGS_MAX + 8];
    size_t n = json_array_size(argv);
    if (!trusted && command_allowed(argv, e) < 0)
        return e->code;
    int k = 0;
    args[k++] = "convene";
    args[k++] = "--db";
    args[k++] = r->db;
    args[k++] = "--now";
    args[k++] = (char *)now;
    for (size_t i = 0; i < n; i++) {
        const char *w = json_string_value(json_array_get(argv, i));
        if (!w)
            return cv_err_set(e, CV_EINVAL, "a scenario command's words must be strings");
        args[k++] = (char *)w;
    }
    args[k] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addchdir_np(&fa, r->dir);
    pid_t pid;
    int rc = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, args, environ);
    posix_spawn_file_actions_destroy(&fa);
    int status = 0;
    if (rc != 0)
        return cv_err_set(e, CV_EIO, "cannot run convene for the scenario");
    if (wait_bounded(pid, &status) < 0)
        return cv_err_set(e, CV_ELIMIT,
                          "scenario command at %s did not finish within %d s: "
                          "convene %s",
                          now, STEP_MS / 1000, args[5]);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return cv_err_set(e, CV_EINVAL, "scenario command failed at %s: convene %s %s ...", now,
                          args[5], n > 1 ? args[6] : "");
    return 0;
}

/* Prints the journal events after the last printed one; mine marks the package's own. */
static int print_events(rehearsal *r, int mine, cv_err *e)
{
    cv_event ev;
    int rc;
    while ((rc = cv_journal_next(r->s, r->printed, &ev, e)) == 1) {
        r->printed = ev.id;
        char msg[200];
        cv_org o;
        cv_err ignored;
        const char *org =
            ev.org_id && cv_org_get_by_id(r->s, ev.org_id, &o, &ignored) == 0 ? o.code : "-";
        snprintf(msg, sizeof msg, "%s %s", ev.type, org);
        if (strncmp(ev.type, "phase.", 6) != 0)
            line(r, mine ? "change" : "event", msg);
        cv_event_clear(&ev);
    }
    return rc;
}

/* Lets the package catch up with the journal and the day's date. */
static int settle(rehearsal *r, cv_err *e)
{
    if (print_events(r, 0, e) < 0 || cv_lua_pkg_tick(r->pkg, e) < 0)
        return e->code;
    for (int round = 0; round < 100; round++) {
        int handled = 0;
        if (cv_lua_pkg_dispatch(r->pkg, &handled, NULL, e) < 0 || cv_lua_pkg_tick(r->pkg, e) < 0 ||
            print_events(r, 1, e) < 0)
            return e->code;
        if (handled == 0)
            return 0;
    }
    return cv_err_set(e, CV_ELIMIT, "the package keeps producing events (a hook loop?)");
}

/* Runs the scheduler (the package's convene.every/at/before/after jobs and the built-in
 * reminders) up to until, each job at its own instant, and leaves the clock there. */
static int run_jobs(rehearsal *r, int64_t until, cv_err *e)
{
    int64_t runs;
    if (until <= cv_clock_now())
        return 0;
    return cv_sched_simulate(r->s, until, &runs, e) < 0 ? e->code : 0;
}

/* Moves the simulated clock day by day up to (not including) the day of until_ms. */
static int advance_days(rehearsal *r, int64_t until_ms, cv_err *e)
{
    char today[11], target[11];
    cv_clock_date(until_ms, CV_TZ_VIETNAM_MIN, target);
    for (;;) {
        cv_clock_today(today);
        if (strcmp(today, target) >= 0)
            return 0;
        char next[11];
        int64_t ms;
        cv_date_from_days(cv_date_days(today) + 1, next);
        cv_date_parse_instant(next, CV_TZ_VIETNAM_MIN, &ms, "day", e);
        if (run_jobs(r, ms, e) < 0 || settle(r, e) < 0)
            return e->code;
    }
}

static int emit_step(rehearsal *r, json_t *step, cv_err *e)
{
    const char *type = jstr(step, "emit"), *org = jstr(step, "org");
    cv_org o = {0};
    if (org && cv_org_get(r->s, org, &o, e) < 0)
        return e->code;
    json_t *data = json_object_get(step, "data");
    if (cv_store_begin(r->s, e) < 0)
        return e->code;
    if (cv_journal_emit(r->s, type, o.id, data ? json_incref(data) : NULL, NULL, e) < 0 ||
        cv_store_commit(r->s, e) < 0) {
        cv_store_rollback(r->s);
        return e->code;
    }
    return 0;
}

static int run_step(rehearsal *r, json_t *step, cv_err *e)
{
    const char *at = jstr(step, "at");
    int64_t ms;
    if (!at || cv_date_parse_instant(at, CV_TZ_VIETNAM_MIN, &ms, "step 'at'", e) < 0)
        return cv_err_set(e, CV_EINVAL, "every scenario step needs at = TIME");
    if (ms < cv_clock_now())
        return cv_err_set(e, CV_EINVAL, "scenario steps must be in time order (%s)", at);
    if (advance_days(r, ms, e) < 0 || run_jobs(r, ms, e) < 0)
        return e->code;
    json_t *run = json_object_get(step, "run");
    if (run) {
        char *cmd = json_dumps(run, JSON_COMPACT);
        line(r, "step", cmd ? cmd : "?");
        free(cmd);
        if (run_command(r, run, at, 0, e) < 0)
            return e->code;
    } else if (jstr(step, "emit")) {
        line(r, "step", jstr(step, "emit"));
        if (emit_step(r, step, e) < 0)
            return e->code;
    } else {
        return cv_err_set(e, CV_EINVAL, "a scenario step needs run = {...} or emit = TYPE");
    }
    return settle(r, e);
}

/* Each expectation must be found in a later timeline line than the one before it. */
static int check_expectations(rehearsal *r, json_t *expect, int *failed)
{
    size_t at = 0, i;
    json_t *want;
    *failed = 0;
    json_array_foreach(expect, i, want)
    {
        const char *w = json_string_value(want);
        size_t j = at;
        while (j < json_array_size(r->timeline) &&
               !strstr(json_string_value(json_array_get(r->timeline, j)), w ? w : ""))
            j++;
        if (j == json_array_size(r->timeline)) {
            fprintf(r->out, "MISSING: %s\n", w ? w : "(not a string)");
            (*failed)++;
        } else {
            at = j + 1;
        }
    }
    fprintf(r->out, "%zu expectations, %d missing\n", json_array_size(expect), *failed);
    return 0;
}

static int setup(rehearsal *r, json_t *sc, const char *start, cv_err *e)
{
    json_t *init = json_pack("[s]", "init"), *cmd;
    int rc = run_command(r, init, start, 1, e);
    json_decref(init);
    size_t i;
    json_array_foreach(json_object_get(sc, "setup"), i, cmd)
    {
        if (rc == 0)
            rc = run_command(r, cmd, start, 0, e);
    }
    if (rc < 0 || cv_store_open(r->db, 0, &r->s, e) < 0)
        return rc < 0 ? rc : e->code;
    /* The rehearsal's simulated days are the scheduler's doing, as in the daemon. */
    cv_actor scheduler = {.kind = CV_ACTOR_SCHEDULER, .scope_roles = CV_ROLES_ALL};
    snprintf(scheduler.name, sizeof scheduler.name, "scheduler");
    snprintf(scheduler.via, sizeof scheduler.via, "rehearsal");
    cv_store_set_actor(r->s, &scheduler);
    return 0;
}

static int rehearse(rehearsal *r, const char *path, json_t *sc, int *failed, cv_err *e)
{
    const char *start = jstr(sc, "start"), *finish = jstr(sc, "finish"), *org = jstr(sc, "org");
    int64_t ms, end_ms;
    if (!start || !finish || !org)
        return cv_err_set(e, CV_EINVAL, "a scenario needs start, finish and org");
    if (cv_date_parse_instant(start, CV_TZ_VIETNAM_MIN, &ms, "start", e) < 0 ||
        cv_date_parse_instant(finish, CV_TZ_VIETNAM_MIN, &end_ms, "finish", e) < 0)
        return e->code;
    cv_clock_fix(ms);
    if (setup(r, sc, start, e) < 0)
        return e->code;
    json_t *given = json_object_get(sc, "config");
    char *config = given ? json_dumps(given, JSON_COMPACT) : strdup("{}");
    cv_lua_pkg_options opt = {
        .path = path, .org = org, .config = config, .sink = sink, .sink_ctx = r};
    int rc = cv_journal_last_id(r->s, &r->printed, e);
    if (rc == 0 && (rc = cv_lua_pkg_load(r->s, &opt, &r->pkg, e)) == 0)
        rc = cv_lua_reg_add(r->s, cv_lua_pkg_name(r->pkg), path, org, config, e);
    if (rc == 0)
        rc = cv_lua_jobs_loaded(r->pkg, e);
    free(config);
    if (rc < 0)
        return rc;
    r->printed++; /* the script.added event is the rehearsal's own */
    line(r, "start", cv_lua_pkg_name(r->pkg));
    size_t i;
    json_t *step;
    if ((rc = settle(r, e)) < 0)
        return rc;
    json_array_foreach(json_object_get(sc, "steps"), i, step)
    {
        if ((rc = run_step(r, step, e)) < 0)
            return rc;
    }
    if ((rc = advance_days(r, end_ms + 1, e)) < 0)
        return rc;
    line(r, "finish", finish);
    return check_expectations(r, json_object_get(sc, "expect"), failed);
}

static void remove_dir(rehearsal *r)
{
    const char *sides[] = {"", "-wal", "-shm", ".lock"};
    for (int i = 0; i < 4; i++) {
        char p[128];
        snprintf(p, sizeof p, "%s%s", r->db, sides[i]);
        unlink(p);
    }
    rmdir(r->dir);
}

int cv_lua_rehearse(const char *path, const char *scenario, FILE *out, int *failed, cv_err *e)
{
    rehearsal r = {.out = out, .timeline = json_array()};
    json_t *sc = NULL;
    if (cv_path_temp_dir(r.dir, sizeof r.dir, "cv-rehearsal") < 0)
        return cv_err_set(e, CV_EIO, "cannot create a temporary folder");
    snprintf(r.db, sizeof r.db, "%s/convene.db", r.dir);
    int rc = read_scenario(scenario, &sc, e);
    if (rc == 0)
        rc = rehearse(&r, path, sc, failed, e);
    cv_lua_jobs_unloaded(r.pkg);
    cv_lua_pkg_free(r.pkg);
    cv_store_close(r.s);
    remove_dir(&r);
    json_decref(sc);
    json_decref(r.timeline);
    return rc;
}
