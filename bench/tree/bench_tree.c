/* bench_tree.c: times, inside one process on the bench country, `status` of a province and of
 * the whole country (cv_status_report) beside the recursive SQL of peer-status.sql run on the
 * same connection, a congress marked held (cv_congress_mark_held: its whole transaction, roll-up
 * triggers included) and a district moved to another province and back (cv_org_move: as the CLI
 * commits, and as the daemon does, its checkpoint handed to a worker, then timed on its own), and
 * the dashboard's home page data of the same two (cv_web_scope: status, children, lists, burn-up).
 * Built and run by run.sh; prints one "name value" line per figure, in milliseconds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/grant.h"
#include "base/clock.h"
#include "base/date.h"
#include "domain/congress.h"
#include "domain/org.h"
#include "domain/status.h"
#include "web/scope.h"

static double ms_of(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Wall-clock milliseconds. */
static double ms(void)
{
    return ms_of(CLOCK_MONOTONIC);
}

/* Milliseconds of this process's CPU: what a shared, loaded machine does not inflate. */
static double cpu_ms(void)
{
    return ms_of(CLOCK_PROCESS_CPUTIME_ID);
}

static int die(const cv_err *e)
{
    fprintf(stderr, "bench_tree: %s\n", e->msg);
    return 1;
}

/* The mean wall and CPU time of six moves of the district P01-D00 to P02 and back, each its
 * own transaction. */
static int time_moves(cv_store *s, double *mean, double *cpu, cv_err *e)
{
    double total = 0, total_cpu = 0;
    for (int i = 0; i < 6; i++) {
        double t0 = ms(), c0 = cpu_ms();
        if (cv_store_begin(s, e) < 0 || cv_org_move(s, "P01-D00", i % 2 ? "P01" : "P02", e) < 0 ||
            cv_store_commit(s, e) < 0)
            return e->code;
        total += ms() - t0;
        total_cpu += cpu_ms() - c0;
    }
    *mean = total / 6;
    *cpu = total_cpu / 6;
    return 0;
}

/* A WAL hook that, like the daemon's, leaves the checkpoint out of the commit. */
static int no_checkpoint(void *arg, sqlite3 *db, const char *name, int pages)
{
    (void)arg;
    (void)db;
    (void)name;
    (void)pages;
    return SQLITE_OK;
}

typedef int (*reader)(cv_store *s, const char *org, const char *term, json_t **out, cv_err *e);

/* The mean wall and CPU time of runs calls of read (cv_status_report, cv_web_scope) for org
 * (after two unmeasured ones). */
static int time_read(cv_store *s, reader read, const char *org, int runs, double *mean, double *cpu,
                     cv_err *e)
{
    double total = 0, total_cpu = 0;
    for (int i = -2; i < runs; i++) {
        json_t *out = NULL;
        double t0 = ms(), c0 = cpu_ms();
        if (read(s, org, NULL, &out, e) < 0)
            return e->code;
        if (i >= 0) {
            total += ms() - t0;
            total_cpu += cpu_ms() - c0;
        }
        json_decref(out);
    }
    *mean = total / runs;
    *cpu = total_cpu / runs;
    return 0;
}

/* The mean wall and CPU time of runs executions of peer-status.sql with ROOT replaced by org. */
static int time_peer(cv_store *s, const char *sql_path, const char *org, int runs, double *mean,
                     double *cpu)
{
    static char text[4096], sql[4096];
    FILE *f = fopen(sql_path, "r");
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f)
        fclose(f);
    text[n] = '\0';
    char *at = strstr(text, "'ROOT'");
    if (!at)
        return -1;
    snprintf(sql, sizeof sql, "%.*s'%s'%s", (int)(at - text), text, org, at + 6);
    double total = 0, total_cpu = 0;
    for (int i = -1; i < runs; i++) {
        double t0 = ms(), c0 = cpu_ms();
        if (sqlite3_exec(cv_store_db(s), sql, NULL, NULL, NULL) != SQLITE_OK)
            return -1;
        if (i >= 0) {
            total += ms() - t0;
            total_cpu += cpu_ms() - c0;
        }
    }
    *mean = total / runs;
    *cpu = total_cpu / runs;
    return 0;
}

int main(int argc, char **argv)
{
    cv_store *s;
    cv_err e = {0};
    int64_t now;
    if (argc != 3)
        return fprintf(stderr, "usage: bench_tree STORE PEER_SQL\n"), 2;
    if (cv_date_parse_instant("2020-05-22T09:00", CV_TZ_VIETNAM_MIN, &now, "now", &e) < 0)
        return die(&e);
    cv_clock_fix(now);
    if (cv_store_open(argv[1], 0, &s, &e) < 0)
        return die(&e);
    cv_actor bench = {.kind = CV_ACTOR_SCHEDULER, .scope_roles = CV_ROLES_ALL};
    snprintf(bench.name, sizeof bench.name, "bench");
    cv_store_set_actor(s, &bench);
    double v = 0, cpu = 0;
    static const char *const roots[] = {"P01", "VN"};
    for (int i = 0; i < 2; i++) {
        if (time_read(s, cv_status_report, roots[i], i ? 20 : 100, &v, &cpu, &e) < 0)
            return die(&e);
        printf("status_%s_ms %.3f\nstatus_%s_cpu_ms %.3f\n", roots[i], v, roots[i], cpu);
        if (time_read(s, cv_web_scope, roots[i], 20, &v, &cpu, &e) < 0)
            return die(&e);
        printf("home_%s_ms %.3f\nhome_%s_cpu_ms %.3f\n", roots[i], v, roots[i], cpu);
        if (time_peer(s, argv[2], roots[i], i ? 3 : 10, &v, &cpu) < 0)
            return fprintf(stderr, "bench_tree: the peer SQL failed\n"), 1;
        printf("peer_%s_ms %.3f\npeer_%s_cpu_ms %.3f\n", roots[i], v, roots[i], cpu);
    }
    /* Twenty planned grassroots congresses marked held, one transaction each. */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(cv_store_db(s),
                           "SELECT o.code FROM congresses c JOIN orgs o ON o.id = c.org_id WHERE "
                           "o.level = 'grassroots' AND c.status = 'planned' LIMIT 20",
                           -1, &st, NULL) != SQLITE_OK)
        return 1;
    char codes[20][CV_CODE_MAX];
    int n = 0;
    while (n < 20 && sqlite3_step(st) == SQLITE_ROW)
        snprintf(codes[n++], CV_CODE_MAX, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    double total = 0, total_cpu = 0;
    for (int i = 0; i < n; i++) {
        double t0 = ms(), c0 = cpu_ms();
        if (cv_store_begin(s, &e) < 0 ||
            cv_congress_mark_held(s, codes[i], NULL, "2020-05-20", NULL, "bench", &e) < 0 ||
            cv_store_commit(s, &e) < 0)
            return die(&e);
        total += ms() - t0;
        total_cpu += cpu_ms() - c0;
    }
    printf("held_ms %.3f\nheld_cpu_ms %.3f\n", n ? total / n : 0.0, n ? total_cpu / n : 0.0);
    /* Six moves as the CLI commits them (SQLite's own auto-checkpoint, with its fsyncs, in the
     * commit that fills the WAL), six as the daemon does (its WAL hook hands the checkpoint to a
     * worker, core/sched/service.c), then that checkpoint of their pages, timed on its own. */
    for (int daemon = 0; daemon < 2; daemon++) {
        if (daemon)
            sqlite3_wal_hook(cv_store_db(s), no_checkpoint, NULL);
        if (time_moves(s, &total, &total_cpu, &e) < 0)
            return die(&e);
        printf("move%s_ms %.3f\nmove%s_cpu_ms %.3f\n", daemon ? "" : "_cli", total,
               daemon ? "" : "_cli", total_cpu);
    }
    int wal_pages, copied;
    double t0 = ms();
    if (cv_store_checkpoint(argv[1], &wal_pages, &copied, &e) < 0)
        return die(&e);
    printf("checkpoint_ms %.3f\ncheckpoint_pages %d\n", ms() - t0, copied);
    cv_store_close(s);
    return 0;
}
