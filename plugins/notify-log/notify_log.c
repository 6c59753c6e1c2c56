/* notify_log.c: the notify-log plugin, channel "log": appends one JSON line per notification to a
 * file (a paper trail, the demo, tests). It includes only convene/plugin.h of convene and never
 * touches the network; each line goes out in one write(2) on an O_APPEND descriptor, so lines
 * from several writers never interleave. */
#include <convene/plugin.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const cv_host_api *host;

typedef struct log_ctx {
    cv_plugin_ctx *ctx;
    const char *path; /* the host's, valid until fini */
} log_ctx;

static const cv_plugin_config_entry log_config[] = {
    {"file", CV_PLUGIN_CONFIG_TEXT, NULL, "the file that gets one JSON line per notification"},
    {NULL, 0, NULL, NULL},
};

static int log_init(cv_plugin_ctx *ctx, const cv_host_api *h, void **state)
{
    const char *path = h->config_text(ctx, "file");
    if (!path || !*path)
        return h->error(ctx, CV_PLUGIN_EINVAL,
                        "file must be set (convene plugin config "
                        "notify-log file PATH)");
    log_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return h->error(ctx, CV_PLUGIN_ENOMEM, "out of memory");
    *c = (log_ctx){ctx, path};
    *state = c;
    return 0;
}

static void log_fini(void *state)
{
    free(state);
}

/* The line: the notification as JSON, with the instant it was written. */
static char *line_of(log_ctx *c, const cv_plugin_message *m, size_t *len)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I}", "at", (json_int_t)host->now(c->ctx),
                          "key", m->key, "recipient", m->recipient, "subject", m->subject, "body",
                          m->body, "try", (json_int_t)m->tries + 1);
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!s)
        return NULL;
    *len = strlen(s);
    s[*len] = '\n'; /* json_dumps left room for its NUL; the line is written without one */
    (*len)++;
    return s;
}

static int log_deliver(void *state, const cv_plugin_message *m, cv_plugin_delivery *d)
{
    log_ctx *c = state;
    size_t n;
    char *line = line_of(c, m, &n);
    if (!line)
        return host->error(c->ctx, CV_PLUGIN_ENOMEM, "out of memory");
    int fd = open(c->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640), err = 0;
    if (fd < 0 || write(fd, line, n) != (ssize_t)n)
        err = errno ? errno : EIO;
    if (fd >= 0 && close(fd) < 0 && !err)
        err = errno;
    free(line);
    if (err)
        return host->error(c->ctx, CV_PLUGIN_EIO, "cannot write %s: %s", c->path, strerror(err));
    host->deliver_done(c->ctx, d, CV_PLUGIN_SENT, NULL);
    return 0;
}

static const cv_plugin_descriptor descriptor = {
    .abi_version = CV_PLUGIN_ABI_VERSION,
    .size = sizeof(cv_plugin_descriptor),
    .kinds = CV_PLUGIN_KIND_NOTIFY,
    .name = "notify-log",
    .version = "1.0.0",
    .description = "appends each notification as a JSON line to a file",
    .config = log_config,
    .init = log_init,
    .fini = log_fini,
    .channel = "log",
    .deliver = log_deliver,
};

CV_PLUGIN_EXPORT const cv_plugin_descriptor *convene_plugin_entry(const cv_host_api *h)
{
    host = h;
    return &descriptor;
}
