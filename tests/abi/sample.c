/* sample.c: the proof of the plugin ABI. Built out of the tree by tests/e2e/test_plugin_abi.py
 * with nothing but convene/plugin.h (cc -shared -fPIC -I core/include), it uses the host table
 * (log, config, store, emit, timers) and renders reports in format "sample". The macros let the
 * test build variants the loader must refuse; it must never include another convene header. */
#include <convene/plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SAMPLE_ABI_VERSION
#define SAMPLE_ABI_VERSION CV_PLUGIN_ABI_VERSION
#endif
#ifndef SAMPLE_SIZE
#define SAMPLE_SIZE sizeof(cv_plugin_descriptor)
#endif
#ifndef SAMPLE_NAME
#define SAMPLE_NAME "sample"
#endif

static const cv_host_api *host;

struct sample {
    cv_plugin_ctx *ctx;
    int64_t events;
    cv_plugin_timer *tick;
};

static const cv_plugin_config_entry config[] = {
    {"greeting", CV_PLUGIN_CONFIG_TEXT, "xin chào", "the first line of every report"},
    {"token", CV_PLUGIN_CONFIG_SECRET, NULL, "a secret never shown"},
    {"tick_ms", CV_PLUGIN_CONFIG_INT, "0", "log a tick this often in the daemon (0: never)"},
    {NULL, 0, NULL, NULL},
};

static void on_tick(void *arg)
{
    struct sample *s = arg;
    host->log(s->ctx, CV_PLUGIN_INFO, "tick after %lld events", (long long)s->events);
}

static int init(cv_plugin_ctx *ctx, const cv_host_api *h, void **state)
{
    const char *greeting = h->config_text(ctx, "greeting");
    if (!greeting || !*greeting)
        return h->error(ctx, CV_PLUGIN_EINVAL, "greeting must not be empty");
    struct sample *s = calloc(1, sizeof *s);
    if (!s)
        return h->error(ctx, CV_PLUGIN_ENOMEM, "out of memory");
    s->ctx = ctx;
    int64_t tick = h->config_int(ctx, "tick_ms");
    if (tick > 0 && (s->tick = h->timer_new(ctx, on_tick, s)))
        h->timer_start(s->tick, (uint64_t)tick, (uint64_t)tick);
    h->log(ctx, CV_PLUGIN_INFO, "sample started: %s", greeting);
    *state = s;
    return 0;
}

static void fini(void *state)
{
    struct sample *s = state;
    if (s->tick)
        host->timer_free(s->tick);
    free(s);
}

static int count_row(void *arg, const cv_plugin_value *cols, int ncols)
{
    if (ncols == 1 && cols[0].type == CV_PLUGIN_INT)
        *(int64_t *)arg = cols[0].i;
    return 0;
}

/* On each new organisation, counts the organisations through the store and says so in the
 * journal: store access and emit, from outside the tree. */
static void on_event(void *state, const cv_plugin_event *ev)
{
    struct sample *s = state;
    s->events++;
    if (strcmp(ev->type, "org.added") != 0)
        return;
    int64_t orgs = -1;
    if (host->store_exec(s->ctx, "SELECT count(*) FROM orgs", NULL, 0, count_row, &orgs) < 0)
        return;
    char data[64];
    snprintf(data, sizeof data, "{\"orgs\": %lld}", (long long)orgs);
    host->emit(s->ctx, "sample.counted", ev->org_id, data);
}

static int render(void *state, const char *doc_json, const char *path)
{
    struct sample *s = state;
    FILE *f = fopen(path, "w");
    if (!f)
        return host->error(s->ctx, CV_PLUGIN_EIO, "cannot write %s", path);
    fprintf(f, "%s\n%zu bytes of report\n", host->config_text(s->ctx, "greeting"),
            strlen(doc_json));
    return fclose(f) == 0 ? 0 : host->error(s->ctx, CV_PLUGIN_EIO, "cannot write %s", path);
}

/* ABI 1.2: a setting init could not use is refused when an admin sets it. */
static int config_check(cv_plugin_ctx *ctx, const cv_host_api *h, const char *name,
                        const char *value)
{
    if (strcmp(name, "tick_ms") == 0 && strtoll(value, NULL, 10) > 3600000)
        return h->error(ctx, CV_PLUGIN_EINVAL, "tick_ms must be at most an hour (3600000)");
    return 0;
}

static const cv_plugin_descriptor descriptor = {
    .abi_version = SAMPLE_ABI_VERSION,
    .size = SAMPLE_SIZE,
    .kinds = CV_PLUGIN_KIND_REPORT,
    .name = SAMPLE_NAME,
    .version = "1.0.0",
    .description = "the ABI's proof, built out of the tree",
    .config = config,
    .init = init,
    .fini = fini,
    .on_event = on_event,
    .format = SAMPLE_NAME,
    .extension = ".txt",
    .render = render,
    .config_check = config_check,
};

CV_PLUGIN_EXPORT const cv_plugin_descriptor *convene_plugin_entry(const cv_host_api *h)
{
    host = h;
    return &descriptor;
}
