/* term.h: terms (nhiệm kỳ) and the window in which each level holds its congress. The defaults
 * are those of Directive 35-CT/TW (2020-2025) and Directive 45-CT/TW (2025-2030). */
#ifndef CV_TERM_H
#define CV_TERM_H

#include <stdint.h>

#include "store/store.h"

typedef struct cv_term {
    int64_t id;
    char code[16]; /* "2020-2025" */
    char starts[11], ends[11];
} cv_term;

typedef struct cv_window {
    char opens[11], closes[11];
    int max_days; /* 0 when not bounded */
} cv_window;

/* Inserts the default terms and windows that are missing. */
int cv_term_seed(cv_store *s, cv_err *e);

/* Resolves code, or when code is NULL the store's current term (setting "term", else the term
 * containing today's date). */
int cv_term_get(cv_store *s, const char *code, cv_term *out, cv_err *e);

/* The window of level in term; CV_ENOTFOUND if that level has none. */
int cv_term_window(cv_store *s, int64_t term_id, const char *level, cv_window *out, cv_err *e);

/* Sets (or replaces) the window of level in term. */
int cv_term_set_window(cv_store *s, const char *term_code, const char *level, const char *opens,
                       const char *closes, int max_days, cv_err *e);

#endif
