/* allocate.h: allocating delegates (phân bổ đại biểu) among the organisations directly below
 * a congress's organisation. The method is a named, selectable function: "largest-remainder" is
 * built in and a Lua procedure (or a plugin) may register another under its own name. Every
 * number comes with the sentence that explains it. */
#ifndef CV_ELECT_ALLOCATE_H
#define CV_ELECT_ALLOCATE_H

#include <jansson.h>
#include <stdint.h>

#include "base/text.h"
#include "store/store.h"

typedef struct cv_alloc_unit {
    char code[CV_CODE_MAX], name[CV_NAME_MAX];
    int64_t members;
    int64_t seats; /* out */
    char why[256]; /* out: how the number came about */
} cv_alloc_unit;

typedef struct cv_alloc_request {
    int64_t total;      /* delegates of the congress */
    int64_t ex_officio; /* seats held ex officio (the outgoing committee), not allocated */
    int64_t minimum;    /* at least this many per organisation */
} cv_alloc_request;

/* A method fills u[i].seats and u[i].why for the total - ex_officio seats, or fails with e. */
typedef int (*cv_alloc_method)(const cv_alloc_request *r, cv_alloc_unit *u, int n, cv_err *e);

/* Hamilton's method with a floor: organisations whose quota is below the minimum get the
 * minimum and the rest is apportioned again among the others; fractions go to the largest
 * remainders (ties: more members, then code). */
int cv_alloc_largest_remainder(const cv_alloc_request *r, cv_alloc_unit *u, int n, cv_err *e);

/* Registers (or replaces) a method by name; at most 8 besides the built-in one. */
int cv_alloc_register(const char *name, cv_alloc_method fn, cv_err *e);
cv_alloc_method cv_alloc_find(const char *name);

/* Allocates among the organisations directly below org with method (NULL: largest-remainder)
 * into a JSON object: the request, each organisation's members, seats and explanation. */
int cv_alloc_run(cv_store *s, const char *org, const char *method, const cv_alloc_request *r,
                 json_t **out, cv_err *e);

/* The same with a method that carries its context (a Lua function: convene.elections.allocate),
 * reported under label. Whatever the method, its result is checked: no negative seats, every
 * organisation at least the minimum when the seats allow it, and total - ex_officio in all. */
typedef int (*cv_alloc_method_with)(void *ctx, const cv_alloc_request *r, cv_alloc_unit *u, int n,
                                    cv_err *e);
int cv_alloc_run_with(cv_store *s, const char *org, const char *label, cv_alloc_method_with fn,
                      void *ctx, const cv_alloc_request *r, json_t **out, cv_err *e);

#endif
