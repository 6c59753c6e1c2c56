/* log.c: JSON-lines logging to stderr. One fwrite per line so that lines from the loop and from
 * worker threads never interleave. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"

static enum cv_log_level threshold = CV_LOG_INFO;

void cv_log_set_level(enum cv_log_level level)
{
    threshold = level;
}

static void timestamp(char buf[40])
{
    int64_t ms = cv_clock_now();
    char day[11];
    cv_clock_date(ms, CV_TZ_VIETNAM_MIN, day);
    int64_t local = ms / 1000 + CV_TZ_VIETNAM_MIN * 60;
    int64_t secs = ((local % 86400) + 86400) % 86400;
    snprintf(buf, 40, "%sT%02d:%02d:%02d.%03d+07:00", day, (int)(secs / 3600),
             (int)(secs / 60 % 60), (int)(secs % 60), (int)(((ms % 1000) + 1000) % 1000));
}

void cv_log(enum cv_log_level level, const char *component, json_t *extra, const char *fmt, ...)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    if (level < threshold) {
        json_decref(extra);
        return;
    }
    char ts[40], msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    timestamp(ts);
    json_t *line = json_pack("{s:s, s:s, s:s, s:s}", "ts", ts, "level", names[level], "component",
                             component, "msg", msg);
    if (extra)
        json_object_update(line, extra);
    json_decref(extra);
    char *text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(line);
    if (text) {
        size_t n = strlen(text);
        text[n] = '\n';
        fwrite(text, 1, n + 1, stderr);
        free(text);
    }
}
