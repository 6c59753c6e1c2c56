/* service.c: the plugin service of the daemon (see service.h). A plugin that fails to load or
 * start is logged, its reason recorded in the store, and left out; it must never stop the
 * daemon or another plugin. */
#include "plugin/service.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "plugin/registry.h"

#define LOADED_MAX 64

struct loaded {
    char name[CV_PLUGIN_NAME_MAX];
    int64_t revision; /* the store's revision this entry reflects */
    cv_plugin *p;     /* NULL: disabled, or failed at this revision */
};

struct plugin_service {
    cv_daemon *d;
    struct loaded list[LOADED_MAX];
    size_t n;
};

/* One daemon per process: the notifier lookup of the outbox needs the running set. */
static struct plugin_service *running;

static struct loaded *entry(struct plugin_service *ps, const char *name)
{
    for (size_t i = 0; i < ps->n; i++)
        if (strcmp(ps->list[i].name, name) == 0)
            return &ps->list[i];
    if (ps->n == LOADED_MAX)
        return NULL;
    struct loaded *l = &ps->list[ps->n++];
    memset(l, 0, sizeof *l);
    snprintf(l->name, sizeof l->name, "%s", name);
    l->revision = -1;
    return l;
}

static void record(cv_store *s, const char *name, const cv_plugin_reg *reg, const char *msg)
{
    cv_err e;
    if (strcmp(reg->last_error, msg ? msg : "") == 0)
        return;
    if (msg)
        cv_log(CV_LOG_ERROR, "plugins", json_pack("{s:s}", "plugin", name), "%s", msg);
    if (cv_plugin_reg_error(s, name, msg, &e) < 0)
        cv_log(CV_LOG_ERROR, "plugins", NULL, "%s", e.msg);
}

/* Brings one plugin in line with its stored state. */
static void sync_one(struct plugin_service *ps, const cv_plugin_found *f)
{
    cv_store *s = cv_daemon_store(ps->d);
    cv_plugin_reg reg;
    cv_err e;
    struct loaded *l = entry(ps, f->name);
    if (!l || cv_plugin_reg_get(s, f->name, &reg, &e) < 0 || l->revision == reg.revision)
        return;
    cv_plugin_close(l->p);
    l->p = NULL;
    l->revision = reg.revision;
    if (!reg.enabled)
        return;
    if (*f->refused) {
        record(s, f->name, &reg, f->refused);
        return;
    }
    if (cv_plugin_open(f->path, s, cv_daemon_loop(ps->d), &l->p, &e) < 0 ||
        cv_plugin_start(l->p, &e) < 0) {
        cv_plugin_close(l->p);
        l->p = NULL;
        record(s, f->name, &reg, e.msg);
        return;
    }
    record(s, f->name, &reg, NULL);
    cv_log(CV_LOG_INFO, "plugins", json_pack("{s:s, s:s}", "plugin", f->name, "path", f->path),
           "plugin %s started", f->name);
}

static void sync_all(struct plugin_service *ps)
{
    cv_plugin_found *all;
    size_t n;
    cv_err e;
    if (cv_plugin_scan(&all, &n, &e) < 0) {
        cv_log(CV_LOG_ERROR, "plugins", NULL, "%s", e.msg);
        return;
    }
    for (size_t i = 0; i < n; i++)
        sync_one(ps, &all[i]);
    /* A plugin whose file went away is unloaded. */
    for (size_t i = 0; i < ps->n; i++) {
        int present = 0;
        for (size_t j = 0; j < n && !present; j++)
            present = strcmp(all[j].name, ps->list[i].name) == 0;
        if (!present) {
            cv_plugin_close(ps->list[i].p);
            ps->list[i].p = NULL;
            ps->list[i].revision = -1;
        }
    }
    free(all);
}

static int start(cv_daemon *d, void **state, cv_err *e)
{
    struct plugin_service *ps = calloc(1, sizeof *ps);
    if (!ps)
        return cv_err_set(e, CV_ENOMEM, "out of memory starting plugins");
    ps->d = d;
    running = ps;
    sync_all(ps);
    *state = ps;
    return 0;
}

static void on_event(cv_daemon *d, void *state, const cv_event *ev)
{
    (void)d;
    struct plugin_service *ps = state;
    char *data = json_dumps(ev->data, JSON_COMPACT);
    cv_plugin_event pe = {ev->id, ev->at, ev->type, ev->org_id, data ? data : "{}"};
    for (size_t i = 0; i < ps->n; i++)
        if (ps->list[i].p)
            cv_plugin_event_to(ps->list[i].p, &pe);
    free(data);
}

static void on_store_changed(cv_daemon *d, void *state)
{
    (void)d;
    sync_all(state);
}

static void stop(cv_daemon *d, void *state)
{
    (void)d;
    struct plugin_service *ps = state;
    for (size_t i = 0; i < ps->n; i++)
        cv_plugin_close(ps->list[i].p);
    running = NULL;
    free(ps);
}

cv_plugin *cv_plugin_service_notifier(const char *channel)
{
    for (size_t i = 0; running && i < running->n; i++) {
        cv_plugin *p = running->list[i].p;
        const cv_plugin_descriptor *d = p ? cv_plugin_descriptor_of(p) : NULL;
        if (d && (d->kinds & CV_PLUGIN_KIND_NOTIFY) && strcmp(d->channel, channel) == 0)
            return p;
    }
    return NULL;
}

const cv_service cv_plugin_service = {"plugins", start, on_event, on_store_changed, stop, 0};
