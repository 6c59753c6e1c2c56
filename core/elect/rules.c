/* rules.c: the election rules as arithmetic (see rules.h). Owns no state; must never read the
 * store or the clock, so that the table-driven and property tests cover every decision. */
#include "rules.h"

#include <stdlib.h>
#include <string.h>

#include "base/bound.h"

/* 244-QĐ/TW art. 11 / 190-QĐ/TW: a members' congress deducts those on temporary transfer,
 * exempted and absent, suspended or prosecuted, and absent for the whole congress with an
 * accepted reason; a delegates' congress deducts convening-committee members absent for the
 * whole congress and delegates absent for the whole congress whom no alternate replaces. */
/* Every number of an attendance is a count of people (attending may be -1: not known), so that
 * no sum of deductions can overflow or turn negative and raise the base above the summoned. */
static int check_attendance(const cv_attendance *a, cv_err *e)
{
    const int64_t v[] = {a->summoned,          a->transferred,    a->exempt_absent,
                         a->suspended,         a->excused_absent, a->convening_absent,
                         a->unreplaced_absent, a->alternates_in};
    static const char *const names[] = {"summoned",          "transferred",    "exempt absent",
                                        "suspended",         "excused absent", "convening absent",
                                        "unreplaced absent", "alternates in"};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (cv_bound_check(v[i], 0, CV_PEOPLE_MAX, names[i], e) < 0)
            return e->code;
    return cv_bound_check(a->attending, -1, CV_PEOPLE_MAX, "attending", e);
}

int cv_rules_base(const char *kind, const cv_attendance *a, int64_t *base, cv_err *e)
{
    int64_t less;
    if (a->summoned < 0)
        return cv_err_set(e, CV_EINVAL, N_("the number summoned is not known"));
    if (check_attendance(a, e) < 0)
        return e->code;
    if (strcmp(kind, "members") == 0) {
        if (a->convening_absent || a->unreplaced_absent || a->alternates_in)
            return cv_err_set(e, CV_EINVAL,
                              N_("an all-members congress has no delegates, alternates or "
                                 "convening-committee deductions"));
        less = a->transferred + a->exempt_absent + a->suspended + a->excused_absent;
    } else if (strcmp(kind, "delegates") == 0) {
        if (a->transferred || a->exempt_absent || a->suspended || a->excused_absent)
            return cv_err_set(e, CV_EINVAL,
                              N_("a delegates' congress deducts only convening-committee members "
                                 "and delegates absent with no alternate"));
        less = a->convening_absent + a->unreplaced_absent;
    } else {
        return cv_err_set(e, CV_EINVAL, N_("congress kind '%s' is not 'members' or 'delegates'"),
                          kind);
    }
    if (less > a->summoned)
        return cv_err_set(e, CV_EINVAL,
                          N_("%lld left out of the base is more than the %lld summoned"),
                          (long long)less, (long long)a->summoned);
    if (a->attending > a->summoned + a->alternates_in)
        return cv_err_set(e, CV_EINVAL, N_("%lld attending is more than the %lld summoned%s"),
                          (long long)a->attending, (long long)(a->summoned + a->alternates_in),
                          a->alternates_in ? " with the alternates" : "");
    *base = a->summoned - less;
    return 0;
}

int64_t cv_rules_threshold(int64_t base)
{
    return base / 2 + 1;
}

int cv_rules_opinion_admits(int64_t agree, int64_t attending)
{
    return attending > 0 && agree <= attending && agree * 10 > attending * 3;
}

int64_t cv_rules_max_candidates(int64_t seats)
{
    return seats + seats * 3 / 10;
}

int cv_rules_reconcile(const cv_tally *t, int64_t attending, int64_t seats, const int64_t *votes,
                       int n, cv_err *e)
{
    if (t->issued < 0 || t->returned < 0 || t->valid < 0 || t->invalid < 0)
        return cv_err_set(e, CV_EINVAL,
                          N_("a tally needs ballots issued, returned, valid, invalid"));
    if (cv_bound_check(t->issued, 0, CV_PEOPLE_MAX, "ballots issued", e) < 0 ||
        cv_bound_check(t->returned, 0, CV_PEOPLE_MAX, "ballots returned", e) < 0 ||
        cv_bound_check(t->valid, 0, CV_PEOPLE_MAX, "valid ballots", e) < 0 ||
        cv_bound_check(t->invalid, 0, CV_PEOPLE_MAX, "invalid ballots", e) < 0)
        return e->code;
    if (t->returned > t->issued)
        return cv_err_set(e, CV_EINVAL, N_("%lld ballots returned is more than the %lld issued"),
                          (long long)t->returned, (long long)t->issued);
    if (t->valid + t->invalid != t->returned)
        return cv_err_set(e, CV_EINVAL, N_("%lld valid + %lld invalid is not the %lld returned"),
                          (long long)t->valid, (long long)t->invalid, (long long)t->returned);
    if (attending >= 0 && t->issued > attending)
        return cv_err_set(e, CV_EINVAL, N_("%lld ballots issued is more than the %lld attending"),
                          (long long)t->issued, (long long)attending);
    int64_t total = 0;
    for (int i = 0; i < n; i++) {
        if (votes[i] < 0)
            return cv_err_set(e, CV_EINVAL, N_("candidate %d has no vote count"), i + 1);
        if (votes[i] > t->valid)
            return cv_err_set(e, CV_EINVAL,
                              N_("candidate %d has %lld votes, more than the %lld valid "
                                 "ballots"),
                              i + 1, (long long)votes[i], (long long)t->valid);
        if (cv_bound_add(total, votes[i], &total, "the votes in all", e) < 0)
            return e->code;
    }
    int64_t most;
    if (cv_bound_mul(t->valid, seats, &most, "valid ballots x seats", e) < 0)
        return e->code;
    if (total > most)
        return cv_err_set(e, CV_EINVAL,
                          N_("%lld votes in all is more than %lld valid ballots x %lld seats"),
                          (long long)total, (long long)t->valid, (long long)seats);
    return 0;
}

const char *cv_outcome_name(int outcome)
{
    static const char *const names[] = {"", "elected", "tied", "below", "outvoted"};
    return outcome >= 0 && outcome <= CV_OUT_OUTVOTED ? names[outcome] : "";
}

int cv_tie_rule_parse(const char *s, cv_tie_rule *out, cv_err *e)
{
    if (strcmp(s, "revote") == 0)
        *out = CV_TIE_REVOTE;
    else if (strcmp(s, "older") == 0)
        *out = CV_TIE_OLDER;
    else
        return cv_err_set(e, CV_EINVAL, N_("tie rule '%s' is not 'revote' or 'older'"), s);
    return 0;
}

const char *cv_tie_rule_name(cv_tie_rule r)
{
    return r == CV_TIE_OLDER ? "older" : "revote";
}

typedef struct ranked {
    cv_rules_candidate *c;
    int index;
} ranked;

/* Most votes first; equal votes keep the list order, so the ranking is stable. */
static int by_votes(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->c->votes != y->c->votes)
        return x->c->votes > y->c->votes ? -1 : 1;
    return x->index - y->index;
}

/* Older first (earlier birth date); equal dates keep the order. */
static int by_age(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    int d = strcmp(x->c->born, y->c->born);
    return d ? d : x->index - y->index;
}

/* Settles the tied group t[0..k) for free seats: with the older rule and every birth date known
 * and distinct at the boundary, the older take the seats; otherwise all go to a new round.
 * Returns how many were elected. */
static int settle_tie(ranked *t, int k, int free, cv_tie_rule tie)
{
    int known = 1;
    for (int i = 0; i < k; i++)
        known &= t[i].c->born[0] != 0;
    if (tie == CV_TIE_OLDER && known) {
        qsort(t, (size_t)k, sizeof *t, by_age);
        if (strcmp(t[free - 1].c->born, t[free].c->born) != 0) {
            for (int i = 0; i < k; i++)
                t[i].c->outcome = i < free ? CV_OUT_ELECTED : CV_OUT_OUTVOTED;
            return free;
        }
    }
    for (int i = 0; i < k; i++)
        t[i].c->outcome = CV_OUT_TIED;
    return 0;
}

void cv_rules_outcome(int64_t base, int64_t seats, cv_tie_rule tie, cv_rules_candidate *c, int n,
                      cv_rules_result *r)
{
    memset(r, 0, sizeof *r);
    r->threshold = cv_rules_threshold(base);
    ranked *p = calloc((size_t)(n ? n : 1), sizeof *p);
    if (!p) {
        for (int i = 0; i < n; i++)
            c[i].outcome = CV_OUT_NONE;
        r->next_seats = seats;
        return;
    }
    for (int i = 0; i < n; i++) {
        c[i].outcome = CV_OUT_BELOW;
        if (c[i].votes >= r->threshold)
            p[r->passed++] = (ranked){&c[i], i};
    }
    qsort(p, (size_t)r->passed, sizeof *p, by_votes);
    if (r->passed <= seats) {
        for (int i = 0; i < r->passed; i++)
            p[i].c->outcome = CV_OUT_ELECTED;
        r->elected = r->passed;
    } else {
        int64_t last = p[seats - 1].c->votes;
        int above = 0, at = 0;
        for (int i = 0; i < r->passed; i++) {
            if (p[i].c->votes > last) {
                p[i].c->outcome = CV_OUT_ELECTED;
                above++;
            } else if (p[i].c->votes == last)
                at++;
            else
                p[i].c->outcome = CV_OUT_OUTVOTED;
        }
        int free = (int)seats - above;
        if (at <= free) {
            for (int i = above; i < above + at; i++)
                p[i].c->outcome = CV_OUT_ELECTED;
            r->elected = above + at;
        } else {
            r->elected = above + settle_tie(p + above, at, free, tie);
            for (int i = above; i < above + at; i++)
                r->tied += p[i].c->outcome == CV_OUT_TIED;
        }
    }
    r->next_seats = seats - r->elected;
    free(p);
}
