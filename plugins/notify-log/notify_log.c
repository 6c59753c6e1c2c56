/* notify_log.c: the "log" channel: appends one JSON line per notification to a file (admins who
 * want a paper trail, the demo, tests). It never touches the network; each line is written with
 * one write(2) on an O_APPEND descriptor so lines from concurrent writers never interleave. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "notify/notifier.h"

typedef struct log_ctx {
    char path[1024];
} log_ctx;

static const cv_notifier_opt log_opts[] = {
    {"file", NULL, "the file each notification is appended to, one JSON line each"},
    {NULL, NULL, NULL},
};

static int log_open(const cv_notifier_config *cfg, void **ctx, cv_err *e)
{
    const char *path = cv_notifier_config_get(cfg, "file");
    if (!path || !*path)
        return cv_err_set(e, CV_EINVAL, "notify.log.file is not set");
    log_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return cv_err_set(e, CV_ENOMEM, "out of memory");
    snprintf(c->path, sizeof c->path, "%s", path);
    *ctx = c;
    return 0;
}

static void log_close(void *ctx)
{
    free(ctx);
}

static int log_send(void *ctx, const cv_notifier_msg *m, cv_err *e)
{
    log_ctx *c = ctx;
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:i}", "key", m->key, "id", m->idem,
                          "recipient", m->recipient, "subject", m->subject, "body", m->body,
                          "created_at", (json_int_t)m->created_at, "attempt", m->attempt);
    char *line = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!line)
        return cv_err_set(e, CV_ENOMEM, "out of memory");
    size_t n = strlen(line);
    line[n] = '\n'; /* json_dumps leaves room for its NUL; the line goes out without one */
    int fd = open(c->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    int rc = 0;
    if (fd < 0)
        rc = cv_err_set(e, CV_EIO, "cannot open %s: %s", c->path, strerror(errno));
    else if (write(fd, line, n + 1) != (ssize_t)(n + 1))
        rc = cv_err_set(e, CV_EIO, "cannot write %s: %s", c->path, strerror(errno));
    if (fd >= 0 && close(fd) < 0 && rc == 0)
        rc = cv_err_set(e, CV_EIO, "cannot write %s: %s", c->path, strerror(errno));
    free(line);
    return rc;
}

const cv_notifier cv_notifier_log = {
    .channel = "log",
    .opts = log_opts,
    .open = log_open,
    .close = log_close,
    .send = log_send,
};
