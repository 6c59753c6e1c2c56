/* template.h: the texts of notifications, Vietnamese by default, with {{name}} placeholders.
 * Admins override a template with the settings notify.template.<name>.subject / .body. */
#ifndef CV_TEMPLATE_H
#define CV_TEMPLATE_H

#include "store/store.h"

/* Renders template name with vars (name, value pairs, NULL-terminated) into *subject and *body
 * (malloc'd, owned by the caller). A placeholder without a value is CV_EINVAL naming it. */
int cv_template_render(cv_store *s, const char *name, const char *const *vars, char **subject,
                       char **body, cv_err *e);

/* Expands the {{name}} placeholders of tmpl with vars (as above) into *out (malloc'd). Text
 * without "{{...}}" comes out unchanged; the result is at most 64 KiB (CV_ELIMIT). */
int cv_template_expand(const char *tmpl, const char *const *vars, char **out, cv_err *e);

/* Checks and stores an override: key is notify.template.<name>.subject or .body. */
int cv_template_set(cv_store *s, const char *key, const char *text, cv_err *e);

/* The names of the templates, NULL-terminated. */
extern const char *const cv_template_names[];

#endif
