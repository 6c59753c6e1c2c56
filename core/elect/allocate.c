/* allocate.c: delegate allocation methods and their registry. The methods are pure over
 * cv_alloc_unit arrays; only cv_alloc_run reads the organisation tree. Never writes the store. */
#include "allocate.h"

#include <stdlib.h>
#include <string.h>

#include "base/bound.h"
#include "domain/org.h"

typedef struct quota {
    int index;
    int64_t rem_num; /* remainder numerator: (free * members) mod pool_members */
} quota;

static const cv_alloc_unit *g_units;

/* Largest remainder first; ties to more members, then to the code. */
static int by_remainder(const void *a, const void *b)
{
    const quota *x = a, *y = b;
    if (x->rem_num != y->rem_num)
        return x->rem_num > y->rem_num ? -1 : 1;
    const cv_alloc_unit *ux = &g_units[x->index], *uy = &g_units[y->index];
    if (ux->members != uy->members)
        return ux->members > uy->members ? -1 : 1;
    return strcmp(ux->code, uy->code);
}

/* One pass: apportions free seats among units not fixed at the minimum; marks (in fixed) those
 * whose quota falls below the minimum. Returns how many were newly fixed. */
static int fix_below_minimum(const cv_alloc_request *r, cv_alloc_unit *u, int n, char *fixed,
                             int64_t free_seats)
{
    int64_t pool = 0;
    int newly = 0;
    for (int i = 0; i < n; i++)
        pool += fixed[i] ? 0 : u[i].members;
    for (int i = 0; i < n; i++)
        if (!fixed[i] && (pool == 0 || (__int128)free_seats * u[i].members <
                                           (__int128)r->minimum * pool)) { /* 10^8 x n x 10^8 */
            fixed[i] = 1;
            newly++;
        }
    return newly;
}

int cv_alloc_largest_remainder(const cv_alloc_request *r, cv_alloc_unit *u, int n, cv_err *e)
{
    /* Delegates and members are counts of people: bounded, no product below overflows. */
    if (cv_bound_check(r->total, 0, CV_PEOPLE_MAX, "delegates in all", e) < 0 ||
        cv_bound_check(r->ex_officio, 0, CV_PEOPLE_MAX, "ex officio delegates", e) < 0 ||
        cv_bound_check(r->minimum, 0, CV_PEOPLE_MAX, "minimum", e) < 0)
        return e->code;
    for (int i = 0; i < n; i++)
        if (cv_bound_check(u[i].members, 0, CV_PEOPLE_MAX, "member count", e) < 0)
            return e->code;
    int64_t seats = r->total - r->ex_officio;
    if (seats < 0)
        return cv_err_set(e, CV_EINVAL, N_("%lld ex officio is more than the %lld delegates"),
                          (long long)r->ex_officio, (long long)r->total);
    if (n == 0)
        return cv_err_set(e, CV_EINVAL, N_("there is no organisation to allocate to"));
    if (r->minimum * n > seats)
        return cv_err_set(e, CV_EINVAL,
                          N_("a minimum of %lld for %d organisations needs %lld seats; only %lld "
                             "are allocated"),
                          (long long)r->minimum, n, (long long)(r->minimum * n), (long long)seats);
    char *fixed = calloc((size_t)n, 1);
    quota *q = calloc((size_t)n, sizeof *q);
    if (!fixed || !q) {
        free(fixed);
        free(q);
        return cv_err_set(e, CV_ENOMEM, N_("out of memory"));
    }
    int64_t free_seats = seats, pool = 0;
    int nfixed = 0, k = 0;
    for (int step; (step = fix_below_minimum(r, u, n, fixed, free_seats)) > 0;) {
        nfixed += step;
        free_seats = seats - r->minimum * nfixed;
    }
    for (int i = 0; i < n; i++)
        pool += fixed[i] ? 0 : u[i].members;
    if (pool == 0 && free_seats > 0) {
        free(fixed);
        free(q);
        return cv_err_set(e, CV_EINVAL, N_("no members to apportion %lld seats by"),
                          (long long)free_seats);
    }
    int64_t given = 0;
    for (int i = 0; i < n; i++) {
        if (fixed[i]) {
            u[i].seats = r->minimum;
            snprintf(u[i].why, sizeof u[i].why, "quota below the minimum of %lld: %lld",
                     (long long)r->minimum, (long long)r->minimum);
            continue;
        }
        u[i].seats = free_seats * u[i].members / pool;
        q[k++] = (quota){i, free_seats * u[i].members % pool};
        given += u[i].seats;
    }
    g_units = u;
    qsort(q, (size_t)k, sizeof *q, by_remainder);
    for (int j = 0; j < k; j++) {
        cv_alloc_unit *x = &u[q[j].index];
        int extra = j < free_seats - given;
        snprintf(x->why, sizeof x->why, "%lld x %lld / %lld = %lld + %.4f%s", (long long)free_seats,
                 (long long)x->members, (long long)pool, (long long)x->seats,
                 (double)q[j].rem_num / (double)pool,
                 extra ? ", +1 for one of the largest remainders" : "");
        x->seats += extra;
    }
    free(fixed);
    free(q);
    return 0;
}

typedef struct method {
    char name[32];
    cv_alloc_method fn;
} method;

static method methods[9] = {{"largest-remainder", cv_alloc_largest_remainder}};

int cv_alloc_register(const char *name, cv_alloc_method fn, cv_err *e)
{
    if (!name || strlen(name) >= sizeof methods[0].name || !fn)
        return cv_err_set(e, CV_EINVAL, N_("a method needs a short name and a function"));
    for (int i = 0; i < 9; i++)
        if (!methods[i].fn || strcmp(methods[i].name, name) == 0) {
            snprintf(methods[i].name, sizeof methods[i].name, "%s", name);
            methods[i].fn = fn;
            return 0;
        }
    return cv_err_set(e, CV_ELIMIT, N_("too many allocation methods"));
}

cv_alloc_method cv_alloc_find(const char *name)
{
    for (int i = 0; i < 9 && methods[i].fn; i++)
        if (strcmp(methods[i].name, name) == 0)
            return methods[i].fn;
    return NULL;
}

typedef struct units {
    cv_alloc_unit *u;
    int n, cap;
} units;

static int add_child(const cv_org *o, int depth, void *ctx)
{
    units *v = ctx;
    if (depth != 1)
        return 0;
    if (v->n == v->cap) {
        int cap = v->cap ? v->cap * 2 : 64;
        cv_alloc_unit *w = realloc(v->u, sizeof *w * (size_t)cap);
        if (!w)
            return CV_ENOMEM;
        v->u = w;
        v->cap = cap;
    }
    cv_alloc_unit *x = &v->u[v->n++];
    memset(x, 0, sizeof *x);
    snprintf(x->code, sizeof x->code, "%s", o->code);
    snprintf(x->name, sizeof x->name, "%s", o->name);
    x->members = o->members;
    return 0;
}

/* Refuses a method's result that does not add up. */
static int check_result(const cv_alloc_request *r, const cv_alloc_unit *u, int n, cv_err *e)
{
    int64_t sum = 0, seats = r->total - r->ex_officio;
    int minimum_fits = r->minimum * n <= seats;
    for (int i = 0; i < n; i++) {
        if (u[i].seats < 0 || (minimum_fits && u[i].seats < r->minimum))
            return cv_err_set(e, CV_EINVAL, N_("the method gave %s %lld delegates (minimum %lld)"),
                              u[i].code, (long long)u[i].seats, (long long)r->minimum);
        sum += u[i].seats;
    }
    if (n > 0 && sum != seats)
        return cv_err_set(e, CV_EINVAL, N_("the method allocated %lld delegates, not %lld"),
                          (long long)sum, (long long)seats);
    return 0;
}

int cv_alloc_run_with(cv_store *s, const char *org, const char *label, cv_alloc_method_with fn,
                      void *ctx, const cv_alloc_request *r, json_t **out, cv_err *e)
{
    units v = {0};
    int rc = cv_org_walk(s, org, 1, add_child, &v, e);
    if (rc == CV_ENOMEM)
        rc = cv_err_set(e, CV_ENOMEM, N_("out of memory"));
    if (rc < 0 || fn(ctx, r, v.u, v.n, e) < 0 || check_result(r, v.u, v.n, e) < 0) {
        free(v.u);
        return e->code;
    }
    json_t *rows = json_array();
    int64_t members = 0, sum = 0;
    for (int i = 0; i < v.n; i++) {
        members += v.u[i].members;
        sum += v.u[i].seats;
        json_array_append_new(rows,
                              json_pack("{ss ss sI sI ss}", "org", v.u[i].code, "name", v.u[i].name,
                                        "members", (json_int_t)v.u[i].members, "delegates",
                                        (json_int_t)v.u[i].seats, "why", v.u[i].why));
    }
    free(v.u);
    *out = json_pack("{ss ss sI sI sI sI sI so}", "org", org, "method", label, "total",
                     (json_int_t)r->total, "ex_officio", (json_int_t)r->ex_officio, "minimum",
                     (json_int_t)r->minimum, "members", (json_int_t)members, "allocated",
                     (json_int_t)sum, "units", rows);
    return 0;
}

struct named {
    cv_alloc_method fn;
};

static int call_named(void *ctx, const cv_alloc_request *r, cv_alloc_unit *u, int n, cv_err *e)
{
    return ((struct named *)ctx)->fn(r, u, n, e);
}

int cv_alloc_run(cv_store *s, const char *org, const char *name, const cv_alloc_request *r,
                 json_t **out, cv_err *e)
{
    name = name ? name : "largest-remainder";
    struct named m = {cv_alloc_find(name)};
    if (!m.fn)
        return cv_err_set(e, CV_ENOTFOUND, N_("no allocation method '%s'"), name);
    return cv_alloc_run_with(s, org, name, call_named, &m, r, out, e);
}
