/* count.c: the count of an election: the tally entered by the counting committee, its
 * reconciliation, the outcome by rules.c, the announcement, the approval by the level above and
 * recorded corrections; and the JSON forms of an election. Never changes a list or attendance. */
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/text.h"
#include "domain/term.h"
#include "elect/election.h"
#include "store/journal.h"

/* Matches votes given by person code to the candidates c[0..nc): every candidate once. */
static int votes_by_candidate(const cv_candidate *c, int nc, const char *const *codes,
                              const int64_t *votes, int n, int64_t *out, cv_err *e)
{
    for (int i = 0; i < nc; i++)
        out[i] = -1;
    for (int j = 0; j < n; j++) {
        int i = 0;
        while (i < nc && strcmp(c[i].code, codes[j]) != 0)
            i++;
        if (i == nc)
            return cv_err_set(e, CV_EINVAL, N_("%s is not a candidate of this election"), codes[j]);
        if (out[i] >= 0)
            return cv_err_set(e, CV_EINVAL, N_("votes for %s given twice"), codes[j]);
        out[i] = votes[j];
    }
    for (int i = 0; i < nc; i++)
        if (out[i] < 0)
            return cv_err_set(e, CV_EINVAL, N_("no votes given for %s (%s)"), c[i].name, c[i].code);
    return 0;
}

static int write_tally(cv_store *s, const cv_election *x, const cv_tally *t, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "UPDATE elections SET status = 'counted', issued = ?2, returned = ?3, valid = ?4, "
        "invalid = ?5 WHERE id = ?1",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, x->id);
    sqlite3_bind_int64(st, 2, t->issued);
    sqlite3_bind_int64(st, 3, t->returned);
    sqlite3_bind_int64(st, 4, t->valid);
    sqlite3_bind_int64(st, 5, t->invalid);
    return cv_store_exec(s, st, e);
}

static int write_votes(cv_store *s, int64_t id, const cv_candidate *c, const cv_rules_candidate *rc,
                       int n, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "UPDATE candidates SET votes = ?3, outcome = ?4 WHERE election_id = ?1 AND person_id = ?2",
        e);
    for (int i = 0; st && i < n; i++) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, c[i].person_id);
        sqlite3_bind_int64(st, 3, rc[i].votes);
        sqlite3_bind_text(st, 4, cv_outcome_name(rc[i].outcome), -1, SQLITE_STATIC);
        if (cv_store_exec(s, st, e) < 0)
            return e->code;
    }
    return st ? 0 : e->code;
}

/* Reconciles and decides x with the tally, writing figures and outcomes (inside a transaction). */
static int count_in_tx(cv_store *s, const cv_election *x, const cv_tally *t,
                       const char *const *codes, const int64_t *votes, int n, cv_err *e)
{
    cv_candidate *c = NULL;
    int nc = 0, rc = 0;
    if (cv_election_candidates(s, x->id, &c, &nc, e) < 0)
        return e->code;
    int64_t *v = calloc((size_t)nc + 1, sizeof *v);
    cv_rules_candidate *rcand = calloc((size_t)nc + 1, sizeof *rcand);
    if (!v || !rcand) {
        rc = cv_err_set(e, CV_ENOMEM, "out of memory");
        goto end;
    }
    if (votes_by_candidate(c, nc, codes, votes, n, v, e) < 0 ||
        cv_rules_reconcile(t, x->att.attending, x->seats, v, nc, e) < 0) {
        rc = e->code;
        goto end;
    }
    for (int i = 0; i < nc; i++) {
        rcand[i].votes = v[i];
        snprintf(rcand[i].born, sizeof rcand[i].born, "%s", c[i].born);
    }
    cv_rules_result r;
    cv_rules_outcome(x->base, x->seats, x->tie, rcand, nc, &r);
    if (write_tally(s, x, t, e) < 0 || write_votes(s, x->id, c, rcand, nc, e) < 0)
        rc = e->code;
end:
    free(v);
    free(rcand);
    free(c);
    return rc;
}

/* Loads id, checks its state, runs step and emits type, in the caller's transaction. */
typedef int (*step_fn)(cv_store *s, cv_election *x, void *arg, cv_err *e);

static int transition(cv_store *s, int64_t id, const char *const *states, const char *doing,
                      step_fn step, void *arg, const char *type, cv_err *e)
{
    cv_election x;
    if (cv_store_require_tx(s, type, e) < 0)
        return e->code;
    if (cv_election_get(s, id, &x, e) < 0)
        return e->code;
    int ok = 0;
    for (int i = 0; states[i]; i++)
        ok |= strcmp(x.status, states[i]) == 0;
    if (!ok)
        return cv_err_set(e, CV_ECONFLICT, N_("election #%lld is %s: cannot %s it%s"),
                          (long long)id, x.status, doing,
                          strcmp(x.status, "approved") == 0 ? " (an approved result is final)"
                          : strcmp(x.status, "announced") == 0
                              ? " (an announced result changes only by 'election correct')"
                              : "");
    json_t *data;
    if (step(s, &x, arg, e) < 0 || cv_election_event_data(s, id, &data, e) < 0 ||
        cv_journal_emit(s, type, x.org_id, data, NULL, e) < 0)
        return e->code;
    return 0;
}

typedef struct tally_arg {
    const cv_tally *t;
    const char *const *codes;
    const int64_t *votes;
    int n;
    const char *by, *reason;
} tally_arg;

/* A round whose next round is open keeps its count: the next list was drawn from it. */
static int no_next_round(cv_store *s, const cv_election *x, cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s, "SELECT count(*) FROM elections WHERE previous_id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, x->id);
    int rc = sqlite3_step(st), n = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return cv_store_fail(s, "checking later rounds", e);
    return n ? cv_err_set(e, CV_ECONFLICT,
                          N_("election #%lld already has a further round: its count stands"),
                          (long long)x->id)
             : 0;
}

static int do_tally(cv_store *s, cv_election *x, void *arg, cv_err *e)
{
    tally_arg *a = arg;
    if (no_next_round(s, x, e) < 0)
        return e->code;
    return count_in_tx(s, x, a->t, a->codes, a->votes, a->n, e);
}

int cv_election_tally(cv_store *s, int64_t id, const cv_tally *t, const char *const *codes,
                      const int64_t *votes, int n, cv_err *e)
{
    static const char *const states[] = {"open", "counted", NULL};
    tally_arg a = {t, codes, votes, n, NULL, NULL};
    return transition(s, id, states, "enter a tally for", do_tally, &a, "election.counted", e);
}

/* Sets the status of x to arg (a state name). */
static int set_status(cv_store *s, cv_election *x, void *arg, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s, "UPDATE elections SET status = ?2 WHERE id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, x->id);
    sqlite3_bind_text(st, 2, arg, -1, SQLITE_STATIC);
    return cv_store_exec(s, st, e);
}

int cv_election_announce(cv_store *s, int64_t id, cv_err *e)
{
    static const char *const states[] = {"counted", NULL};
    return transition(s, id, states, "announce", set_status, "announced", "election.announced", e);
}

int cv_election_approve(cv_store *s, int64_t id, cv_err *e)
{
    static const char *const states[] = {"announced", NULL};
    return transition(s, id, states, "approve", set_status, "approved", "election.approved", e);
}

/* The figures of x as recorded: ballots and each candidate's votes and outcome. */
static int figures_json(cv_store *s, const cv_election *x, json_t **out, cv_err *e)
{
    cv_candidate *c;
    int n;
    if (cv_election_candidates(s, x->id, &c, &n, e) < 0)
        return e->code;
    json_t *votes = json_object();
    for (int i = 0; i < n; i++)
        json_object_set_new(
            votes, c[i].code,
            json_pack("{sI ss}", "votes", (json_int_t)c[i].votes, "outcome", c[i].outcome));
    free(c);
    *out = json_pack("{sI sI sI sI so}", "issued", (json_int_t)x->tally.issued, "returned",
                     (json_int_t)x->tally.returned, "valid", (json_int_t)x->tally.valid, "invalid",
                     (json_int_t)x->tally.invalid, "votes", votes);
    return *out ? 0 : cv_err_set(e, CV_ENOMEM, "out of memory");
}

static int do_correct(cv_store *s, cv_election *x, void *arg, cv_err *e)
{
    tally_arg *a = arg;
    json_t *before = NULL, *after = NULL;
    cv_election y;
    int rc = 0;
    if (figures_json(s, x, &before, e) < 0 ||
        count_in_tx(s, x, a->t, a->codes, a->votes, a->n, e) < 0 ||
        set_status(s, x, "announced", e) < 0 || cv_election_get(s, x->id, &y, e) < 0 ||
        figures_json(s, &y, &after, e) < 0) {
        rc = e->code;
        goto end;
    }
    char *b = json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS);
    char *af = json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS);
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "INSERT INTO election_corrections(election_id, at, by_whom, reason, before, after) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        e);
    if (st && b && af) {
        sqlite3_bind_int64(st, 1, x->id);
        sqlite3_bind_int64(st, 2, cv_clock_now());
        sqlite3_bind_text(st, 3, a->by, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, a->reason, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, b, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, af, -1, SQLITE_STATIC);
        rc = cv_store_exec(s, st, e);
    } else {
        rc = st ? cv_err_set(e, CV_ENOMEM, "out of memory") : e->code;
    }
    free(b);
    free(af);
end:
    json_decref(before);
    json_decref(after);
    return rc;
}

int cv_election_correct(cv_store *s, int64_t id, const char *by, const char *reason,
                        const cv_tally *t, const char *const *codes, const int64_t *votes, int n,
                        cv_err *e)
{
    static const char *const states[] = {"announced", NULL};
    char who[CV_NAME_MAX], why[CV_NAME_MAX];
    if (!by || !reason || !by[0] || !reason[0])
        return cv_err_set(e, CV_EINVAL, N_("a correction needs who makes it and why"));
    if (cv_text_nfc(by, who, sizeof who, "who", e) < 0 ||
        cv_text_nfc(reason, why, sizeof why, "reason", e) < 0)
        return e->code;
    tally_arg a = {t, codes, votes, n, who, why};
    return transition(s, id, states, "correct", do_correct, &a, "election.corrected", e);
}

/* [{"person","name","votes"}] of those elected, most votes first. */
static json_t *elected_json(const cv_candidate *c, int n)
{
    json_t *a = json_array();
    for (int64_t best = INT64_MAX;;) {
        int64_t next = -1;
        for (int i = 0; i < n; i++)
            if (!strcmp(c[i].outcome, "elected") && c[i].votes < best && c[i].votes > next)
                next = c[i].votes;
        if (next < 0)
            return a;
        for (int i = 0; i < n; i++)
            if (!strcmp(c[i].outcome, "elected") && c[i].votes == next)
                json_array_append_new(a, json_pack("{ss ss sI}", "person", c[i].code, "name",
                                                   c[i].name, "votes", (json_int_t)c[i].votes));
        best = next;
    }
}

int cv_election_event_data(cv_store *s, int64_t id, json_t **out, cv_err *e)
{
    cv_election x;
    cv_candidate *c;
    int n;
    if (cv_election_get(s, id, &x, e) < 0 || cv_election_candidates(s, id, &c, &n, e) < 0)
        return e->code;
    *out = json_pack("{sI ss ss ss si sI so}", "id", (json_int_t)x.id, "org", x.org, "term", x.term,
                     "body", x.body, "round", x.round, "seats", (json_int_t)x.seats, "elected",
                     elected_json(c, n));
    free(c);
    return *out ? 0 : cv_err_set(e, CV_ENOMEM, "out of memory");
}

static json_t *int_or_null(int64_t v)
{
    return v < 0 ? json_null() : json_integer(v);
}

static json_t *candidates_json(const cv_candidate *c, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{ss ss ss si ss so so ss}", "person", c[i].code, "name",
                                           c[i].name, "born", c[i].born, "position", c[i].position,
                                           "source", c[i].source, "opinion_agree",
                                           int_or_null(c[i].opinion_agree), "votes",
                                           int_or_null(c[i].votes), "outcome", c[i].outcome));
    return a;
}

static json_t *corrections_json(cv_store *s, int64_t id, cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s,
                         "SELECT at, by_whom, reason, before, after FROM election_corrections "
                         "WHERE election_id = ?1 ORDER BY id",
                         e);
    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, id);
    json_t *a = json_array();
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(
            a, json_pack("{sI ss ss so so}", "at", (json_int_t)sqlite3_column_int64(st, 0), "by",
                         (const char *)sqlite3_column_text(st, 1), "reason",
                         (const char *)sqlite3_column_text(st, 2), "before",
                         json_loads((const char *)sqlite3_column_text(st, 3), 0, NULL), "after",
                         json_loads((const char *)sqlite3_column_text(st, 4), 0, NULL)));
    sqlite3_reset(st);
    return a;
}

static json_t *attendance_json(const cv_attendance *a)
{
    return json_pack("{so sI sI sI sI sI sI sI so}", "summoned", int_or_null(a->summoned),
                     "transferred", (json_int_t)a->transferred, "exempt_absent",
                     (json_int_t)a->exempt_absent, "suspended", (json_int_t)a->suspended,
                     "excused_absent", (json_int_t)a->excused_absent, "convening_absent",
                     (json_int_t)a->convening_absent, "unreplaced_absent",
                     (json_int_t)a->unreplaced_absent, "alternates_in",
                     (json_int_t)a->alternates_in, "attending", int_or_null(a->attending));
}

/* What comes after a count: nothing, or a further round for the seats still free. */
static json_t *next_json(const cv_election *x, const cv_candidate *c, int n)
{
    int64_t elected = 0, tied = 0;
    for (int i = 0; i < n; i++) {
        elected += !strcmp(c[i].outcome, "elected");
        tied += !strcmp(c[i].outcome, "tied");
    }
    if (x->tally.valid < 0 || elected >= x->seats)
        return json_null();
    return json_pack("{sI ss}", "seats", (json_int_t)(x->seats - elected), "among",
                     tied ? "tied" : "not_elected");
}

int cv_election_json(cv_store *s, int64_t id, json_t **out, cv_err *e)
{
    cv_election x;
    cv_candidate *c;
    int n;
    if (cv_election_get(s, id, &x, e) < 0 || cv_election_candidates(s, id, &c, &n, e) < 0)
        return e->code;
    json_t *corr = corrections_json(s, id, e);
    if (!corr) {
        free(c);
        return e->code;
    }
    *out =
        json_pack("{sI ss ss ss ss ss si so sI ss ss so so so so so so so so so so so}", "id",
                  (json_int_t)x.id, "org", x.org, "org_name", x.org_name, "term", x.term, "kind",
                  x.kind, "body", x.body, "round", x.round, "previous",
                  x.previous_id ? json_integer(x.previous_id) : json_null(), "seats",
                  (json_int_t)x.seats, "tie_rule", cv_tie_rule_name(x.tie), "status", x.status,
                  "attendance", attendance_json(&x.att), "base", int_or_null(x.base), "threshold",
                  x.base < 0 ? json_null() : json_integer(cv_rules_threshold(x.base)), "issued",
                  int_or_null(x.tally.issued), "returned", int_or_null(x.tally.returned), "valid",
                  int_or_null(x.tally.valid), "invalid", int_or_null(x.tally.invalid), "candidates",
                  candidates_json(c, n), "elected", elected_json(c, n), "next_round",
                  next_json(&x, c, n), "corrections", corr);
    free(c);
    return *out ? 0 : cv_err_set(e, CV_ENOMEM, "out of memory");
}

int cv_election_list(cv_store *s, const char *org, const char *term,
                     int (*visit)(int64_t id, void *ctx), void *ctx, cv_err *e)
{
    cv_term t;
    if (cv_term_get(s, term, &t, e) < 0)
        return e->code;
    /* One organisation's through its code's index and its congress; all of them in code order.
     * One statement for both would plan for all and walk every congress of the term. */
    sqlite3_stmt *st = cv_store_prepare(
        s,
        org ? "SELECT el.id FROM orgs o JOIN congresses c ON c.org_id = o.id AND c.term_id = ?2 "
              "JOIN elections el ON el.congress_id = c.id WHERE o.code = ?1 ORDER BY el.id"
            : "SELECT el.id FROM elections el JOIN congresses c ON c.id = el.congress_id "
              "JOIN orgs o ON o.id = c.org_id WHERE c.term_id = ?2 ORDER BY o.code, el.id",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 2, t.id);
    if (org)
        sqlite3_bind_text(st, 1, org, -1, SQLITE_STATIC);
    int64_t ids[4096];
    int n = 0, rc;
    while (n < 4096 && (rc = sqlite3_step(st)) == SQLITE_ROW)
        ids[n++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    for (int i = 0; i < n; i++) {
        int stop = visit(ids[i], ctx);
        if (stop)
            return stop;
    }
    return 0;
}
