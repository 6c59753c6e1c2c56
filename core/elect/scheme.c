/* scheme.c: the personnel scheme of a congress (seats, targets, contents, appointments) and the
 * check of a candidate list against it. Owns schemes, scheme_seats, scheme_targets and
 * appointments; never changes an election. */
#include "scheme.h"

#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "domain/congress.h"
#include "elect/complaint.h"
#include "elect/election.h"
#include "elect/person.h"
#include "store/journal.h"

static const char *const targets[] = {"women",  "minorities", "under40", "age40to50",
                                      "over50", "renewal",    NULL};

/* Runs st (bound by the caller, ?1 = congress id) and emits scheme.updated for c. */
static int change(cv_store *s, const cv_congress *c, sqlite3_stmt *st, json_t *what, cv_err *e)
{
    sqlite3_bind_int64(st, 1, c->id);
    if (cv_store_require_tx(s, "scheme.updated", e) < 0) {
        json_decref(what);
        return e->code;
    }
    json_object_set_new(what, "org", json_string(c->org_code));
    json_object_set_new(what, "term", json_string(c->term));
    if (cv_store_exec(s, st, e) < 0 ||
        cv_journal_emit(s, "scheme.updated", c->org_id, what, NULL, e) < 0)
        return e->code;
    return 0;
}

int cv_scheme_set_seats(cv_store *s, const char *org, const char *term, const char *body,
                        int64_t seats, cv_err *e)
{
    cv_congress c;
    if (cv_election_body_check(body, e) < 0 || cv_congress_get(s, org, term, &c, e) < 0)
        return e->code;
    if (seats > 2000)
        return cv_err_set(e, CV_ELIMIT, N_("%lld seats is more than 2000"), (long long)seats);
    sqlite3_stmt *st = cv_store_prepare(
        s,
        seats > 0 ? "INSERT INTO scheme_seats(congress_id, body, seats) VALUES (?1, ?2, ?3) "
                    "ON CONFLICT DO UPDATE SET seats = excluded.seats"
                  : "DELETE FROM scheme_seats WHERE congress_id = ?1 AND body = ?2 AND ?3 = 0",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 2, body, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, seats);
    return change(s, &c, st, json_pack("{ss sI}", "body", body, "seats", (json_int_t)seats), e);
}

int cv_scheme_seats(cv_store *s, int64_t congress_id, const char *body, int64_t *seats, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s, "SELECT seats FROM scheme_seats WHERE congress_id = ?1 AND body = ?2", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, congress_id);
    sqlite3_bind_text(st, 2, body, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *seats = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : cv_store_fail(s, "reading seats", e);
}

int cv_scheme_set_target(cv_store *s, const char *org, const char *term, const char *target,
                         int pct, cv_err *e)
{
    cv_congress c;
    int known = 0;
    for (int i = 0; targets[i]; i++)
        known |= strcmp(target, targets[i]) == 0;
    if (!known)
        return cv_err_set(e, CV_EINVAL,
                          N_("target '%s' is not one of women, minorities, under40, age40to50, "
                             "over50, renewal"),
                          target);
    if (pct > 100)
        return cv_err_set(e, CV_EINVAL, N_("a target is a percentage, 0 to 100"));
    if (cv_congress_get(s, org, term, &c, e) < 0)
        return e->code;
    sqlite3_stmt *st = cv_store_prepare(
        s,
        pct >= 0 ? "INSERT INTO scheme_targets(congress_id, target, min_pct) VALUES (?1, ?2, ?3) "
                   "ON CONFLICT DO UPDATE SET min_pct = excluded.min_pct"
                 : "DELETE FROM scheme_targets WHERE congress_id = ?1 AND target = ?2 AND ?3 < 0",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 2, target, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, pct);
    return change(s, &c, st, json_pack("{ss si}", "target", target, "min_pct", pct), e);
}

int cv_scheme_set_contents(cv_store *s, const char *org, const char *term, int contents, cv_err *e)
{
    cv_congress c;
    if (contents < 2 || contents > 4)
        return cv_err_set(e, CV_EINVAL, N_("a congress has 4, 3 or 2 contents"));
    if (cv_congress_get(s, org, term, &c, e) < 0)
        return e->code;
    if (strcmp(c.term, "2025-2030") != 0 && contents != 4)
        return cv_err_set(e, CV_ECONFLICT,
                          N_("3 or 2 contents are the rule of Directive 45-CT/TW for 2025-2030; "
                             "the congress of %s is in %s"),
                          c.org_code, c.term);
    sqlite3_stmt *st =
        cv_store_prepare(s,
                         "INSERT INTO schemes(congress_id, contents) VALUES (?1, ?2) "
                         "ON CONFLICT DO UPDATE SET contents = excluded.contents",
                         e);
    if (!st)
        return e->code;
    sqlite3_bind_int(st, 2, contents);
    return change(s, &c, st, json_pack("{si}", "contents", contents), e);
}

int cv_scheme_contents(cv_store *s, int64_t congress_id, int *contents, cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s, "SELECT contents FROM schemes WHERE congress_id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, congress_id);
    int rc = sqlite3_step(st);
    *contents = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 4;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : cv_store_fail(s, "reading contents", e);
}

/* Directive 45-CT/TW: 3 contents leave out the committee election, 2 contents (merged
 * organisations) elect nothing. */
int cv_scheme_body_elected(int contents, const char *body)
{
    if (contents >= 4)
        return 1;
    if (contents == 3)
        return strcmp(body, "delegates") == 0 || strcmp(body, "alternates") == 0;
    return 0;
}

int cv_scheme_appoint(cv_store *s, const char *org, const char *term, const char *body,
                      const char *person, cv_err *e)
{
    cv_congress c;
    cv_person p;
    int contents;
    if (cv_election_body_check(body, e) < 0 || cv_congress_get(s, org, term, &c, e) < 0 ||
        cv_scheme_contents(s, c.id, &contents, e) < 0 || cv_person_get(s, person, &p, e) < 0)
        return e->code;
    if (cv_scheme_body_elected(contents, body))
        return cv_err_set(e, CV_ECONFLICT,
                          N_("the congress of %s (%d contents) elects its %s: it is not appointed"),
                          c.org_code, contents, body);
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "INSERT INTO appointments(congress_id, body, person_id) VALUES (?1, ?2, ?3) "
        "ON CONFLICT DO NOTHING",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 2, body, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, p.id);
    return change(s, &c, st, json_pack("{ss ss}", "appointed", body, "person", p.code), e);
}

/* Rows of (text, int) or (text, text) from a congress-keyed query into an object. */
static json_t *pairs(cv_store *s, const char *sql, int64_t congress_id, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s, sql, e);
    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, congress_id);
    json_t *o = json_object();
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        json_t *v = sqlite3_column_type(st, 1) == SQLITE_INTEGER
                        ? json_integer(sqlite3_column_int64(st, 1))
                        : json_string((const char *)sqlite3_column_text(st, 1));
        json_t *have = json_object_get(o, k);
        if (json_is_array(have))
            json_array_append_new(have, v);
        else if (sqlite3_column_type(st, 1) == SQLITE_TEXT)
            json_object_set_new(o, k, json_pack("[o]", v));
        else
            json_object_set_new(o, k, v);
    }
    sqlite3_reset(st);
    return o;
}

int cv_scheme_json(cv_store *s, const char *org, const char *term, json_t **out, cv_err *e)
{
    cv_congress c;
    int contents;
    if (cv_congress_get(s, org, term, &c, e) < 0 || cv_scheme_contents(s, c.id, &contents, e) < 0)
        return e->code;
    json_t *seats = pairs(s,
                          "SELECT body, seats FROM scheme_seats WHERE congress_id = ?1 "
                          "ORDER BY body",
                          c.id, e);
    json_t *tg = pairs(s,
                       "SELECT target, min_pct FROM scheme_targets WHERE congress_id = ?1 "
                       "ORDER BY target",
                       c.id, e);
    json_t *ap = pairs(s,
                       "SELECT a.body, p.code FROM appointments a JOIN people p "
                       "ON p.id = a.person_id WHERE a.congress_id = ?1 ORDER BY a.body, p.code",
                       c.id, e);
    if (!seats || !tg || !ap) {
        json_decref(seats);
        json_decref(tg);
        json_decref(ap);
        return e->code;
    }
    *out = json_pack("{ss ss si so so so}", "org", c.org_code, "term", c.term, "contents", contents,
                     "seats", seats, "targets", tg, "appointed", ap);
    return 0;
}

/* Whether p counts towards target on the date on. */
static int matches(const char *target, const cv_person *p, const char *on)
{
    int age = cv_person_age(p, on);
    if (!strcmp(target, "women"))
        return !strcmp(p->gender, "female");
    if (!strcmp(target, "minorities"))
        return p->ethnicity[0] && strcmp(p->ethnicity, "Kinh") != 0;
    if (!strcmp(target, "under40"))
        return age >= 0 && age < 40;
    if (!strcmp(target, "age40to50"))
        return age >= 40 && age <= 50;
    if (!strcmp(target, "over50"))
        return age > 50;
    return !p->incumbent; /* renewal: not on the outgoing committee */
}

/* The first-round election of body at congress c, or 0. */
static int64_t first_round(cv_store *s, int64_t congress_id, const char *body, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s, "SELECT max(id) FROM elections WHERE congress_id = ?1 AND body = ?2 AND round = 1", e);
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, congress_id);
    sqlite3_bind_text(st, 2, body, -1, SQLITE_STATIC);
    int64_t id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return id;
}

static json_t *target_rows(cv_store *s, int64_t congress_id, const cv_candidate *c, int n,
                           const char *on, json_t *problems, cv_err *e)
{
    json_t *tg = pairs(s,
                       "SELECT target, min_pct FROM scheme_targets WHERE congress_id = ?1 "
                       "ORDER BY target",
                       congress_id, e);
    json_t *rows = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(tg, k, v)
    {
        int have = 0;
        cv_person p;
        for (int i = 0; i < n; i++)
            if (cv_person_get_by_id(s, c[i].person_id, &p, e) == 0)
                have += matches(k, &p, on);
        double pct = n ? 100.0 * have / n : 0;
        int met = pct + 1e-9 >= (double)json_integer_value(v);
        json_array_append_new(rows, json_pack("{ss sI si sf sb}", "target", k, "min_pct",
                                              json_integer_value(v), "count", have, "pct", pct,
                                              "met", met));
        if (!met)
            json_array_append_new(problems,
                                  json_sprintf("%s: %d of %d (%.1f%%) is below the target of "
                                               "%lld%%",
                                               k, have, n, pct, (long long)json_integer_value(v)));
    }
    json_decref(tg);
    return rows;
}

int cv_scheme_check(cv_store *s, const char *org, const char *term, const char *body, json_t **out,
                    cv_err *e)
{
    cv_congress c;
    cv_candidate *cand = NULL;
    int n = 0;
    int64_t seats, id;
    body = body ? body : "committee";
    if (cv_election_body_check(body, e) < 0 || cv_congress_get(s, org, term, &c, e) < 0 ||
        cv_scheme_seats(s, c.id, body, &seats, e) < 0)
        return e->code;
    if (!(id = first_round(s, c.id, body, e)))
        return cv_err_set(e, CV_ENOTFOUND, N_("the congress of %s has no list for the %s yet"), org,
                          body);
    if (cv_election_candidates(s, id, &cand, &n, e) < 0)
        return e->code;
    char on[11];
    if (c.planned_start[0])
        snprintf(on, sizeof on, "%s", c.planned_start);
    else
        cv_clock_today(on);
    json_t *problems = json_array();
    if (seats && n < seats)
        json_array_append_new(problems, json_sprintf("%d candidates for %lld seats: fewer "
                                                     "names than seats",
                                                     n, (long long)seats));
    if (seats && n > cv_rules_max_candidates(seats))
        json_array_append_new(
            problems, json_sprintf("%d candidates for %lld seats: the surplus is more "
                                   "than 30%% (at most %lld)",
                                   n, (long long)seats, (long long)cv_rules_max_candidates(seats)));
    json_t *rows = target_rows(s, c.id, cand, n, on, problems, e);
    json_t *complaints = NULL;
    free(cand);
    if (cv_complaint_about_candidates(s, c.id, &complaints, e) < 0) {
        json_decref(rows);
        json_decref(problems);
        return e->code;
    }
    if (json_array_size(complaints))
        json_array_append_new(problems, json_sprintf("%zu unsettled complaints about candidates",
                                                     json_array_size(complaints)));
    *out = json_pack("{ss ss ss sI sI si sI ss so so so sb}", "org", c.org_code, "term", c.term,
                     "body", body, "election", (json_int_t)id, "seats", (json_int_t)seats,
                     "candidates", n, "max_candidates",
                     (json_int_t)(seats ? cv_rules_max_candidates(seats) : 0), "on", on, "targets",
                     rows, "unsettled_complaints", complaints, "problems", problems, "ok",
                     json_array_size(problems) == 0);
    return 0;
}
