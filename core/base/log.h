/* log.h: structured logging, one JSON object per line on stderr, for the daemon and plugins.
 * Every line has "ts" (the injected clock, ISO 8601 in Vietnam's zone), "level" and "component". */
#ifndef CV_LOG_H
#define CV_LOG_H

#include <jansson.h>

enum cv_log_level { CV_LOG_DEBUG, CV_LOG_INFO, CV_LOG_WARN, CV_LOG_ERROR };

/* Logs msg with the fields of extra (stolen, may be NULL) merged in. */
void cv_log(enum cv_log_level level, const char *component, json_t *extra, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Lines below this level are dropped (default CV_LOG_INFO). */
void cv_log_set_level(enum cv_log_level level);

#endif
