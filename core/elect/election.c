/* election.c: creating and opening elections, their lists and attendance, further rounds, and
 * reading them back. Owns the elections and candidates tables (the count is in count.c); never
 * decides an outcome itself (rules.c does). */
#include "election.h"

#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "domain/congress.h"
#include "elect/person.h"
#include "elect/scheme.h"
#include "store/journal.h"

static const char *const bodies[] = {"committee",  "standing",  "secretary",  "deputy",
                                     "inspection", "delegates", "alternates", NULL};

int cv_election_body_check(const char *body, cv_err *e)
{
    for (int i = 0; bodies[i]; i++)
        if (body && strcmp(body, bodies[i]) == 0)
            return 0;
    return cv_err_set(e, CV_EINVAL,
                      N_("body '%s' is not one of committee, standing, secretary, deputy, "
                         "inspection, delegates, alternates"),
                      body ? body : "");
}

static void copy_col(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

static int64_t col_or(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, col);
}

int cv_election_get(cv_store *s, int64_t id, cv_election *out, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "SELECT el.id, el.congress_id, c.org_id, coalesce(el.previous_id, 0), o.code, o.name, "
        "t.code, c.kind, el.body, el.status, el.round, c.direct_secretary, el.seats, "
        "el.tie_rule, el.summoned, el.transferred, el.exempt_absent, el.suspended, "
        "el.excused_absent, el.convening_absent, el.unreplaced_absent, el.alternates_in, "
        "el.attending, el.base, el.issued, el.returned, el.valid, el.invalid "
        "FROM elections el JOIN congresses c ON c.id = el.congress_id "
        "JOIN orgs o ON o.id = c.org_id JOIN terms t ON t.id = c.term_id WHERE el.id = ?1",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        cv_election *x = out;
        memset(x, 0, sizeof *x);
        x->id = sqlite3_column_int64(st, 0);
        x->congress_id = sqlite3_column_int64(st, 1);
        x->org_id = sqlite3_column_int64(st, 2);
        x->previous_id = sqlite3_column_int64(st, 3);
        copy_col(x->org, sizeof x->org, st, 4);
        copy_col(x->org_name, sizeof x->org_name, st, 5);
        copy_col(x->term, sizeof x->term, st, 6);
        copy_col(x->kind, sizeof x->kind, st, 7);
        copy_col(x->body, sizeof x->body, st, 8);
        copy_col(x->status, sizeof x->status, st, 9);
        x->round = sqlite3_column_int(st, 10);
        x->direct_secretary = sqlite3_column_int(st, 11);
        x->seats = sqlite3_column_int64(st, 12);
        x->tie = strcmp((const char *)sqlite3_column_text(st, 13), "older") == 0 ? CV_TIE_OLDER
                                                                                 : CV_TIE_REVOTE;
        int64_t *f[] = {&x->att.summoned,          &x->att.transferred,
                        &x->att.exempt_absent,     &x->att.suspended,
                        &x->att.excused_absent,    &x->att.convening_absent,
                        &x->att.unreplaced_absent, &x->att.alternates_in,
                        &x->att.attending,         &x->base,
                        &x->tally.issued,          &x->tally.returned,
                        &x->tally.valid,           &x->tally.invalid};
        for (int i = 0; i < 14; i++)
            *f[i] = col_or(st, 14 + i);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return cv_err_set(e, CV_ENOTFOUND, N_("no election #%lld"), (long long)id);
    return rc == SQLITE_ROW ? 0 : cv_store_fail(s, "reading an election", e);
}

int cv_election_candidates(cv_store *s, int64_t id, cv_candidate **out, int *n, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "SELECT c.person_id, p.code, p.name, coalesce(p.born, ''), c.position, c.source, "
        "c.opinion_agree, c.votes, c.outcome FROM candidates c JOIN people p ON p.id = c.person_id "
        "WHERE c.election_id = ?1 ORDER BY c.position",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    int cap = 16, rc;
    cv_candidate *v = malloc(sizeof *v * (size_t)cap);
    *n = 0;
    while (v && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cv_candidate *w = realloc(v, sizeof *v * (size_t)(cap *= 2));
            if (!w)
                break;
            v = w;
        }
        cv_candidate *c = &v[(*n)++];
        memset(c, 0, sizeof *c);
        c->person_id = sqlite3_column_int64(st, 0);
        copy_col(c->code, sizeof c->code, st, 1);
        copy_col(c->name, sizeof c->name, st, 2);
        copy_col(c->born, sizeof c->born, st, 3);
        c->position = sqlite3_column_int(st, 4);
        copy_col(c->source, sizeof c->source, st, 5);
        c->opinion_agree = col_or(st, 6);
        c->votes = col_or(st, 7);
        copy_col(c->outcome, sizeof c->outcome, st, 8);
    }
    sqlite3_reset(st);
    if (!v || rc != SQLITE_DONE) {
        free(v);
        return v ? cv_store_fail(s, "reading candidates", e)
                 : cv_err_set(e, CV_ENOMEM, "out of memory");
    }
    *out = v;
    return 0;
}

/* Requires the election to be in state want ("created", ...). */
static int need_status(const cv_election *x, const char *want, const char *doing, cv_err *e)
{
    if (strcmp(x->status, want) == 0)
        return 0;
    return cv_err_set(e, CV_ECONFLICT, N_("election #%lld is %s: %s needs it %s"), (long long)x->id,
                      x->status, doing, want);
}

/* Whether person was elected to body at congress_id in some round already. */
static int already_elected(cv_store *s, int64_t congress_id, const char *body, int64_t person,
                           int *yes, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "SELECT count(*) FROM candidates c JOIN elections el ON el.id = c.election_id "
        "WHERE el.congress_id = ?1 AND el.body = ?2 AND c.person_id = ?3 "
        "AND c.outcome = 'elected'",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, congress_id);
    sqlite3_bind_text(st, 2, body, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, person);
    int rc = sqlite3_step(st);
    *yes = rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : cv_store_fail(s, "checking earlier rounds", e);
}

/* Puts person on the list of x at the end. */
static int insert_candidate(cv_store *s, const cv_election *x, const char *code, const char *source,
                            int64_t agree, cv_err *e)
{
    cv_person p;
    int yes;
    if (cv_person_get(s, code, &p, e) < 0 ||
        already_elected(s, x->congress_id, x->body, p.id, &yes, e) < 0)
        return e->code;
    if (yes)
        return cv_err_set(e, CV_ECONFLICT,
                          N_("%s (%s) was already elected to the %s in an earlier round: a later "
                             "round leaves out those already elected"),
                          p.name, code, x->body);
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "INSERT INTO candidates(election_id, person_id, position, source, opinion_agree) "
        "VALUES (?1, ?2, (SELECT coalesce(max(position), 0) + 1 FROM candidates "
        "WHERE election_id = ?1), ?3, nullif(?4, -1))",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, x->id);
    sqlite3_bind_int64(st, 2, p.id);
    sqlite3_bind_text(st, 3, source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, agree);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        return cv_err_set(e, CV_ECONFLICT, N_("%s is already on the list of election #%lld"), code,
                          (long long)x->id);
    return rc == SQLITE_DONE ? 0 : cv_store_fail(s, "adding a candidate", e);
}

/* Emits type with the contracts.md data of election id. */
static int emit(cv_store *s, const char *type, const cv_election *x, cv_err *e)
{
    json_t *data;
    if (cv_election_event_data(s, x->id, &data, e) < 0)
        return e->code;
    return cv_journal_emit(s, type, x->org_id, data, NULL, e);
}

static int64_t count_candidates(cv_store *s, int64_t id, cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s, "SELECT count(*) FROM candidates WHERE election_id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    return n < 0 ? cv_store_fail(s, "counting candidates", e) : n;
}

/* Inserts the election row of a round; attendance copied from from_id when not 0. */
static int insert_election(cv_store *s, int64_t congress_id, const char *body, int round,
                           int64_t previous, int64_t seats, int64_t from_id, int64_t *id, cv_err *e)
{
    char tie[16] = "revote";
    cv_err ignored;
    cv_tie_rule rule;
    if (cv_store_setting_get(s, "elect.tie_rule", tie, sizeof tie, &ignored) == 0 &&
        cv_tie_rule_parse(tie, &rule, e) < 0)
        return e->code;
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "INSERT INTO elections(congress_id, body, round, previous_id, seats, tie_rule, "
        "created_at, summoned, transferred, exempt_absent, suspended, excused_absent, "
        "convening_absent, unreplaced_absent, alternates_in, attending) "
        "SELECT ?1, ?2, ?3, nullif(?4, 0), ?5, ?6, ?7, f.summoned, coalesce(f.transferred, 0), "
        "coalesce(f.exempt_absent, 0), coalesce(f.suspended, 0), coalesce(f.excused_absent, 0), "
        "coalesce(f.convening_absent, 0), coalesce(f.unreplaced_absent, 0), "
        "coalesce(f.alternates_in, 0), f.attending "
        "FROM (SELECT 1) LEFT JOIN elections f ON f.id = ?8",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, congress_id);
    sqlite3_bind_text(st, 2, body, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, round);
    sqlite3_bind_int64(st, 4, previous);
    sqlite3_bind_int64(st, 5, seats);
    sqlite3_bind_text(st, 6, tie, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, cv_clock_now());
    sqlite3_bind_int64(st, 8, from_id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return cv_store_fail(s, "creating an election", e);
    *id = sqlite3_last_insert_rowid(cv_store_db(s));
    return 0;
}

/* Resolves the congress and seats of spec and checks that the body is elected there. */
static int resolve(cv_store *s, const cv_election_spec *spec, cv_congress *c, int64_t *seats,
                   cv_err *e)
{
    int contents;
    if (cv_election_body_check(spec->body, e) < 0 ||
        cv_congress_get(s, spec->org, spec->term, c, e) < 0 ||
        cv_scheme_contents(s, c->id, &contents, e) < 0)
        return e->code;
    if (!cv_scheme_body_elected(contents, spec->body))
        return cv_err_set(e, CV_ECONFLICT,
                          N_("the congress of %s has %d contents: the %s is not elected there%s"),
                          c->org_code, contents, spec->body,
                          contents == 2 ? " (record it with 'scheme appoint')" : "");
    *seats = spec->seats;
    if (*seats <= 0 && cv_scheme_seats(s, c->id, spec->body, seats, e) < 0)
        return e->code;
    if (*seats <= 0)
        return cv_err_set(e, CV_EINVAL, N_("give --seats or set the seats of the %s in the scheme"),
                          spec->body);
    if (*seats > 2000)
        return cv_err_set(e, CV_ELIMIT, N_("%lld seats is more than 2000"), (long long)*seats);
    if (spec->count > cv_rules_max_candidates(*seats))
        return cv_err_set(e, CV_ECONFLICT,
                          N_("%d candidates for %lld seats is a surplus of more than 30%% (at most "
                             "%lld)"),
                          spec->count, (long long)*seats,
                          (long long)cv_rules_max_candidates(*seats));
    return 0;
}

/* The latest election of a congress with attendance recorded, or 0. */
static int64_t latest_with_attendance(cv_store *s, int64_t congress_id)
{
    cv_err ignored;
    sqlite3_stmt *st = cv_store_prepare(
        s, "SELECT max(id) FROM elections WHERE congress_id = ?1 AND summoned IS NOT NULL",
        &ignored);
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, congress_id);
    int64_t id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return id;
}

static int create_in_tx(cv_store *s, const cv_election_spec *spec, int inherit, int64_t *id,
                        cv_err *e)
{
    cv_congress c;
    cv_election x;
    int64_t seats;
    if (resolve(s, spec, &c, &seats, e) < 0 ||
        insert_election(s, c.id, spec->body, 1, 0, seats,
                        inherit ? latest_with_attendance(s, c.id) : 0, id, e) < 0 ||
        cv_election_get(s, *id, &x, e) < 0)
        return e->code;
    for (int i = 0; i < spec->count; i++)
        if (insert_candidate(s, &x, spec->candidates[i], "list", -1, e) < 0)
            return e->code;
    return emit(s, "election.created", &x, e);
}

int cv_election_create(cv_store *s, const cv_election_spec *spec, int64_t *id, cv_err *e)
{
    int64_t tmp;
    if (cv_store_require_tx(s, __func__, e) < 0)
        return e->code;
    return create_in_tx(s, spec, 0, id ? id : &tmp, e);
}

/* Opens x: a list of at least one name, attendance known, the base fixed. */
static int start_in_tx(cv_store *s, int64_t id, cv_err *e)
{
    cv_election x;
    int64_t n;
    if (cv_election_get(s, id, &x, e) < 0 || need_status(&x, "created", "opening", e) < 0)
        return e->code;
    if ((n = count_candidates(s, id, e)) < 0)
        return e->code;
    if (n == 0)
        return cv_err_set(e, CV_ECONFLICT, N_("election #%lld has no candidates"), (long long)id);
    if (x.round == 1 && n > cv_rules_max_candidates(x.seats))
        return cv_err_set(e, CV_ECONFLICT,
                          N_("%lld candidates for %lld seats is a surplus of more than 30%%"),
                          (long long)n, (long long)x.seats);
    if (x.att.summoned < 0)
        return cv_err_set(e, CV_ECONFLICT,
                          N_("election #%lld has no attendance: record those summoned first"),
                          (long long)id);
    if (cv_rules_base(x.kind, &x.att, &x.base, e) < 0)
        return e->code;
    sqlite3_stmt *st =
        cv_store_prepare(s, "UPDATE elections SET status = 'open', base = ?2 WHERE id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, x.base);
    if (cv_store_exec(s, st, e) < 0)
        return e->code;
    return emit(s, "election.opened", &x, e);
}

int cv_election_start(cv_store *s, int64_t id, cv_err *e)
{
    if (cv_store_require_tx(s, __func__, e) < 0)
        return e->code;
    return start_in_tx(s, id, e);
}

int cv_election_open(cv_store *s, const cv_election_spec *spec, int64_t *id, cv_err *e)
{
    int64_t tmp, *out = id ? id : &tmp;
    if (cv_store_require_tx(s, __func__, e) < 0 || create_in_tx(s, spec, 1, out, e) < 0)
        return e->code;
    return start_in_tx(s, *out, e);
}

int cv_election_add_candidate(cv_store *s, int64_t id, const char *person, const char *source,
                              int64_t agree, cv_err *e)
{
    cv_election x;
    int floor = strcmp(source, "floor") == 0 || strcmp(source, "self") == 0;
    if (!floor && strcmp(source, "list") != 0)
        return cv_err_set(e, CV_EINVAL, N_("source '%s' is not list, floor or self"), source);
    if (cv_store_require_tx(s, __func__, e) < 0)
        return e->code;
    if (cv_election_get(s, id, &x, e) < 0 || need_status(&x, "created", "changing the list", e) < 0)
        return e->code;
    if (floor && x.att.attending < 0)
        return cv_err_set(e, CV_ECONFLICT,
                          N_("the opinion ballot needs the number attending first"));
    if (floor && !cv_rules_opinion_admits(agree, x.att.attending))
        return cv_err_set(
            e, CV_ECONFLICT,
            N_("%s is not admitted: %lld of %lld attending agreed, not more than 30%%"), person,
            (long long)agree, (long long)x.att.attending);
    if (insert_candidate(s, &x, person, source, floor ? agree : -1, e) < 0 ||
        emit(s, "election.candidates", &x, e) < 0)
        return e->code;
    return 0;
}

int cv_election_remove_candidate(cv_store *s, int64_t id, const char *person, cv_err *e)
{
    cv_election x;
    cv_person p;
    if (cv_store_require_tx(s, __func__, e) < 0)
        return e->code;
    if (cv_election_get(s, id, &x, e) < 0 ||
        need_status(&x, "created", "changing the list", e) < 0 ||
        cv_person_get(s, person, &p, e) < 0)
        return e->code;
    sqlite3_stmt *st =
        cv_store_prepare(s, "DELETE FROM candidates WHERE election_id = ?1 AND person_id = ?2", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, p.id);
    if (cv_store_exec(s, st, e) < 0)
        return e->code;
    if (sqlite3_changes(cv_store_db(s)) == 0)
        return cv_err_set(e, CV_ENOTFOUND, N_("%s is not on the list of election #%lld"), person,
                          (long long)id);
    if (emit(s, "election.candidates", &x, e) < 0)
        return e->code;
    return 0;
}

int cv_election_set_attendance(cv_store *s, int64_t id, const cv_attendance *a, cv_err *e)
{
    cv_election x;
    int64_t base;
    if (cv_store_require_tx(s, __func__, e) < 0)
        return e->code;
    if (cv_election_get(s, id, &x, e) < 0 ||
        need_status(&x, "created", "recording attendance", e) < 0 ||
        cv_rules_base(x.kind, a, &base, e) < 0)
        return e->code;
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "UPDATE elections SET summoned = ?2, transferred = ?3, exempt_absent = ?4, "
        "suspended = ?5, excused_absent = ?6, convening_absent = ?7, unreplaced_absent = ?8, "
        "alternates_in = ?9, attending = nullif(?10, -1) WHERE id = ?1",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    const int64_t v[] = {a->summoned,          a->transferred,    a->exempt_absent,
                         a->suspended,         a->excused_absent, a->convening_absent,
                         a->unreplaced_absent, a->alternates_in,  a->attending};
    for (int i = 0; i < 9; i++)
        sqlite3_bind_int64(st, 2 + i, v[i]);
    if (cv_store_exec(s, st, e) < 0 || emit(s, "election.attendance", &x, e) < 0)
        return e->code;
    return 0;
}

/* The default list of a next round: the tied if any, else everyone not elected. */
static int default_next_list(const cv_candidate *c, int n, const char **codes)
{
    int k = 0, tied = 0;
    for (int i = 0; i < n; i++)
        tied |= strcmp(c[i].outcome, "tied") == 0;
    for (int i = 0; i < n; i++)
        if (tied ? strcmp(c[i].outcome, "tied") == 0 : strcmp(c[i].outcome, "elected") != 0)
            codes[k++] = c[i].code;
    return k;
}

static int next_round_in_tx(cv_store *s, const cv_election *x, const cv_candidate *c, int nc,
                            const char *const *codes, int n, int64_t *next_id, cv_err *e)
{
    int64_t elected = 0;
    for (int i = 0; i < nc; i++)
        elected += strcmp(c[i].outcome, "elected") == 0;
    if (elected >= x->seats)
        return cv_err_set(e, CV_ECONFLICT, N_("election #%lld filled its %lld seats"),
                          (long long)x->id, (long long)x->seats);
    if (insert_election(s, x->congress_id, x->body, x->round + 1, x->id, x->seats - elected, x->id,
                        next_id, e) < 0)
        return e->code;
    cv_election y;
    if (cv_election_get(s, *next_id, &y, e) < 0)
        return e->code;
    for (int i = 0; i < n; i++)
        if (insert_candidate(s, &y, codes[i], "list", -1, e) < 0)
            return e->code;
    return emit(s, "election.created", &y, e) < 0 ? e->code : start_in_tx(s, y.id, e);
}

int cv_election_next_round(cv_store *s, int64_t id, const char *const *codes, int n,
                           int64_t *next_id, cv_err *e)
{
    cv_election x;
    cv_candidate *c = NULL;
    int nc = 0;
    int64_t tmp;
    if (cv_election_get(s, id, &x, e) < 0)
        return e->code;
    if (!strcmp(x.status, "created") || !strcmp(x.status, "open"))
        return cv_err_set(e, CV_ECONFLICT,
                          N_("election #%lld is %s: count it before another round"), (long long)id,
                          x.status);
    if (cv_election_candidates(s, id, &c, &nc, e) < 0)
        return e->code;
    const char **list = NULL;
    if (!codes) {
        list = calloc((size_t)nc + 1, sizeof *list);
        if (!list) {
            free(c);
            return cv_err_set(e, CV_ENOMEM, "out of memory");
        }
        n = default_next_list(c, nc, list);
        codes = list;
    }
    int rc = cv_store_require_tx(s, __func__, e);
    if (rc == 0)
        rc = next_round_in_tx(s, &x, c, nc, codes, n, next_id ? next_id : &tmp, e);
    free(list);
    free(c);
    return rc;
}
