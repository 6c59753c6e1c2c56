/* loader.c: the plugin path, dlopen, the checks of a descriptor before anything else is read,
 * start (configuration then init) and unload. It must never read a descriptor field beyond the
 * size the plugin declared, and never let a failing plugin stop the engine. */
#include "plugin/loader.h"

#include <sodium.h>

#include <dirent.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/seal.h"
#include "plugin/ctx.h"
#include "plugin/registry.h"

#ifndef CONVENE_BUILD_PLUGIN_DIR
#define CONVENE_BUILD_PLUGIN_DIR ""
#endif
#ifndef CONVENE_INSTALL_PLUGIN_DIR
#define CONVENE_INSTALL_PLUGIN_DIR "/usr/local/lib/convene/plugins"
#endif

#define DIRS_MAX  16
#define FOUND_MAX 256

/* The descriptor of ABI 1.0 ends with its import callback. */
#define DESCRIPTOR_V1_SIZE (offsetof(cv_plugin_descriptor, import) + sizeof(void *))

size_t cv_plugin_dirs(const char **dirs, size_t max)
{
    static char env[4096];
    size_t n = 0;
    const char *path = getenv("CONVENE_PLUGIN_PATH");
    snprintf(env, sizeof env, "%s", path ? path : "");
    for (char *save = NULL, *dir = strtok_r(env, ":", &save); dir && n < max;
         dir = strtok_r(NULL, ":", &save))
        dirs[n++] = dir;
    if (*CONVENE_BUILD_PLUGIN_DIR && n < max)
        dirs[n++] = CONVENE_BUILD_PLUGIN_DIR;
    if (n < max)
        dirs[n++] = CONVENE_INSTALL_PLUGIN_DIR;
    return n;
}

const char *cv_plugin_kinds_text(uint32_t kinds, char *buf, size_t cap)
{
    static const char *const names[] = {"notify", "report", "import"};
    buf[0] = '\0';
    for (int i = 0; i < 3; i++)
        if (kinds & (1u << i))
            snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", *buf ? "," : "", names[i]);
    return buf;
}

static int valid_name(const char *s, int dots)
{
    if (!s || !*s || strlen(s) >= CV_PLUGIN_NAME_MAX)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
              (dots && (*s == '_' || *s == '.'))))
            return 0;
    return 1;
}

/* Checks the per-kind fields and the config map of a descriptor whose version and size passed. */
static const char *check_fields(const cv_plugin_descriptor *d)
{
    if (d->kinds == 0 || (d->kinds & ~7u))
        return "its kinds are not a nonzero set of notify, report and import";
    if (!valid_name(d->name, 0))
        return "its name is missing or not [a-z0-9-]+";
    if (!d->version || !*d->version)
        return "it has no version";
    if ((d->kinds & CV_PLUGIN_KIND_NOTIFY) && (!d->channel || !*d->channel || !d->deliver))
        return "a notifier without a channel or deliver()";
    if ((d->kinds & CV_PLUGIN_KIND_REPORT) && (!d->format || !*d->format || !d->render))
        return "a reporter without a format or render()";
    if ((d->kinds & CV_PLUGIN_KIND_IMPORT) &&
        (!d->import_format || !*d->import_format || !d->import))
        return "an importer without an import format or import()";
    int n = 0;
    for (const cv_plugin_config_entry *c = d->config; c && c->name; c++, n++) {
        if (n >= CV_PLUGIN_CONFIG_MAX)
            return "its config map has too many entries";
        if (!valid_name(c->name, 1) || c->type < CV_PLUGIN_CONFIG_TEXT ||
            c->type > CV_PLUGIN_CONFIG_SECRET)
            return "its config map has an entry with a bad name or type";
    }
    return NULL;
}

/* The version and size checks, in the order the ABI promises: nothing else is read first. */
static int check_descriptor(const char *path, const cv_plugin_descriptor *d, cv_err *e)
{
    uint32_t maj = CV_PLUGIN_ABI_MAJOR_OF(d->abi_version),
             min = CV_PLUGIN_ABI_MINOR_OF(d->abi_version);
    if (maj != CV_PLUGIN_ABI_MAJOR)
        return cv_err_set(e, CV_EPLUGIN,
                          "plugin %s refused: built for plugin ABI %u.%u, this convene speaks "
                          "%d.%d",
                          path, maj, min, CV_PLUGIN_ABI_MAJOR, CV_PLUGIN_ABI_MINOR);
    if (min > CV_PLUGIN_ABI_MINOR)
        return cv_err_set(e, CV_EPLUGIN,
                          "plugin %s refused: built for plugin ABI %u.%u, newer than this "
                          "convene's %d.%d; upgrade convene",
                          path, maj, min, CV_PLUGIN_ABI_MAJOR, CV_PLUGIN_ABI_MINOR);
    if (d->size < DESCRIPTOR_V1_SIZE)
        return cv_err_set(e, CV_EPLUGIN,
                          "plugin %s refused: malformed descriptor (size %u, ABI 1.0 needs %zu)",
                          path, d->size, DESCRIPTOR_V1_SIZE);
    const char *why = check_fields(d);
    if (why)
        return cv_err_set(e, CV_EPLUGIN, "plugin %s refused: malformed descriptor: %s", path, why);
    return 0;
}

int cv_plugin_open(const char *path, cv_store *s, uv_loop_t *loop, cv_plugin **out, cv_err *e)
{
    cv_plugin *p = calloc(1, sizeof *p);
    if (!p)
        return cv_err_set(e, CV_ENOMEM, "out of memory loading %s", path);
    snprintf(p->path, sizeof p->path, "%s", path);
    p->store = s;
    p->loop = loop;
    p->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    int rc = 0;
    if (!p->dl) {
        rc = cv_err_set(e, CV_EPLUGIN, "plugin %s refused: %s", path, dlerror());
        goto fail;
    }
    cv_plugin_entry_fn entry;
    *(void **)&entry = dlsym(p->dl, CV_PLUGIN_ENTRY_SYMBOL);
    if (!entry) {
        rc = cv_err_set(e, CV_EPLUGIN, "plugin %s refused: no %s symbol (not a convene plugin)",
                        path, CV_PLUGIN_ENTRY_SYMBOL);
        goto fail;
    }
    p->d = entry(&cv_plugin_host);
    if (!p->d) {
        rc = cv_err_set(e, CV_EPLUGIN, "plugin %s refused: its entry declined plugin ABI %d.%d",
                        path, CV_PLUGIN_ABI_MAJOR, CV_PLUGIN_ABI_MINOR);
        goto fail;
    }
    if ((rc = check_descriptor(path, p->d, e)) < 0)
        goto fail;
    snprintf(p->name, sizeof p->name, "%s", p->d->name);
    *out = p;
    return 0;
fail:
    if (p->dl)
        dlclose(p->dl);
    free(p);
    return rc;
}

/* Resolves each declared setting: the admin's value from the store, else the default. */
static int load_config(cv_plugin *p, cv_err *e)
{
    int i = 0;
    for (const cv_plugin_config_entry *c = p->d->config; c && c->name; c++, i++) {
        char buf[4096];
        int rc = p->store ? cv_plugin_reg_config_get(p->store, p->name, c->name, buf, sizeof buf, e)
                          : CV_ENOTFOUND;
        if (rc < 0 && rc != CV_ENOTFOUND)
            return rc;
        char plain[4096];
        /* A secret is stored sealed under the key file beside the store (auth/seal.h). */
        if (rc == 0 && c->type == CV_PLUGIN_CONFIG_SECRET &&
            cv_unseal(cv_store_path(p->store), buf, plain, sizeof plain, e) == 0) {
            memcpy(buf, plain, sizeof buf);
            sodium_memzero(plain, sizeof plain);
        } else if (rc == 0 && c->type == CV_PLUGIN_CONFIG_SECRET) {
            return e->code;
        }
        const char *v = rc == 0 ? buf : c->default_value;
        if (v && !(p->config[i] = strdup(v)))
            return cv_err_set(e, CV_ENOMEM, "out of memory configuring %s", p->name);
    }
    return 0;
}

int cv_plugin_start(cv_plugin *p, cv_err *e)
{
    p->last_error[0] = '\0';
    if (load_config(p, e) < 0 || cv_plugin_host_attach(p, e) < 0) {
        snprintf(p->last_error, sizeof p->last_error, "%s", e->msg);
        return e->code;
    }
    if (p->d->init) {
        int rc = p->d->init(p, &cv_plugin_host, &p->state);
        if (rc < 0)
            return cv_err_set(e, CV_EPLUGIN, "plugin %s failed to start: %s", p->name,
                              *p->last_error ? p->last_error : "init failed");
    }
    p->started = 1;
    return 0;
}

void cv_plugin_close(cv_plugin *p)
{
    if (!p)
        return;
    cv_plugin_host_stop_posts(p);
    if (p->started && p->d->fini)
        p->d->fini(p->state);
    p->started = 0;
    cv_plugin_host_detach(p);
    for (int i = 0; i < CV_PLUGIN_CONFIG_MAX; i++)
        free(p->config[i]);
    if (p->dl)
        dlclose(p->dl);
    free(p);
}

/* Reads one file into f (the plugin unloaded again). */
static void read_one(const char *path, const char *stem, cv_plugin_found *f)
{
    memset(f, 0, sizeof *f);
    snprintf(f->path, sizeof f->path, "%s", path);
    cv_plugin *p;
    cv_err e;
    if (cv_plugin_open(path, NULL, NULL, &p, &e) < 0) {
        snprintf(f->name, sizeof f->name, "%.*s", (int)(strlen(stem) - 3), stem);
        snprintf(f->refused, sizeof f->refused, "%s", e.msg);
        return;
    }
    const cv_plugin_descriptor *d = p->d;
    snprintf(f->name, sizeof f->name, "%s", d->name);
    snprintf(f->version, sizeof f->version, "%s", d->version);
    snprintf(f->description, sizeof f->description, "%s", d->description ? d->description : "");
    f->kinds = d->kinds;
    const char *key = (d->kinds & CV_PLUGIN_KIND_NOTIFY)   ? d->channel
                      : (d->kinds & CV_PLUGIN_KIND_REPORT) ? d->format
                                                           : d->import_format;
    snprintf(f->key, sizeof f->key, "%s", key);
    cv_plugin_close(p);
}

static int seen(const cv_plugin_found *all, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(all[i].name, name) == 0)
            return 1;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const cv_plugin_found *)a)->name, ((const cv_plugin_found *)b)->name);
}

int cv_plugin_scan(cv_plugin_found **out, size_t *n, cv_err *e)
{
    const char *dirs[DIRS_MAX];
    size_t ndirs = cv_plugin_dirs(dirs, DIRS_MAX);
    cv_plugin_found *all = calloc(FOUND_MAX, sizeof *all), one;
    if (!all)
        return cv_err_set(e, CV_ENOMEM, "out of memory scanning plugins");
    *n = 0;
    for (size_t i = 0; i < ndirs; i++) {
        DIR *dir = opendir(dirs[i]);
        for (struct dirent *de; dir && (de = readdir(dir)) && *n < FOUND_MAX;) {
            size_t len = strlen(de->d_name);
            if (len < 4 || strcmp(de->d_name + len - 3, ".so") != 0)
                continue;
            char path[1024];
            snprintf(path, sizeof path, "%s/%s", dirs[i], de->d_name);
            read_one(path, de->d_name, &one);
            if (!seen(all, *n, one.name))
                all[(*n)++] = one;
        }
        if (dir)
            closedir(dir);
    }
    qsort(all, *n, sizeof *all, by_name);
    *out = all;
    return 0;
}

int cv_plugin_find(const char *name, cv_plugin_found *out, cv_err *e)
{
    cv_plugin_found *all;
    size_t n;
    if (cv_plugin_scan(&all, &n, e) < 0)
        return e->code;
    int rc = cv_err_set(e, CV_ENOTFOUND,
                        "no plugin named '%s' on the plugin path (see 'convene "
                        "plugin list')",
                        name);
    for (size_t i = 0; i < n; i++)
        if (strcmp(all[i].name, name) == 0) {
            *out = all[i];
            cv_err_clear(e);
            rc = 0;
        }
    free(all);
    return rc;
}

int cv_plugin_load_for(cv_store *s, uv_loop_t *loop, uint32_t kind, const char *key,
                       cv_plugin **out, cv_err *e)
{
    cv_plugin_found *all;
    size_t n;
    char kinds[32];
    if (cv_plugin_scan(&all, &n, e) < 0)
        return e->code;
    const cv_plugin_found *f = NULL;
    for (size_t i = 0; i < n && !f; i++)
        if (!*all[i].refused && (all[i].kinds & kind) && strcmp(all[i].key, key) == 0)
            f = &all[i];
    cv_plugin_reg reg = {0};
    int rc = 0;
    if (!f)
        rc = cv_err_set(e, CV_ENOTFOUND, "no %s plugin for '%s' on the plugin path",
                        cv_plugin_kinds_text(kind, kinds, sizeof kinds), key);
    else if ((rc = cv_plugin_reg_get(s, f->name, &reg, e)) == 0 && !reg.enabled)
        rc = cv_err_set(e, CV_EPLUGIN,
                        "plugin %s is disabled; enable it with 'convene plugin "
                        "enable %s'",
                        f->name, f->name);
    if (rc == 0 && (rc = cv_plugin_open(f->path, s, loop, out, e)) == 0 &&
        (rc = cv_plugin_start(*out, e)) < 0) {
        cv_plugin_close(*out);
        *out = NULL;
    }
    free(all);
    return rc;
}

const cv_plugin_descriptor *cv_plugin_descriptor_of(const cv_plugin *p)
{
    return p->d;
}

void *cv_plugin_state(const cv_plugin *p)
{
    return p->state;
}

const char *cv_plugin_name(const cv_plugin *p)
{
    return p->name;
}

const char *cv_plugin_path(const cv_plugin *p)
{
    return p->path;
}

const char *cv_plugin_last_error(const cv_plugin *p)
{
    return p->last_error;
}

void cv_plugin_event_to(cv_plugin *p, const cv_plugin_event *ev)
{
    if (p->started && p->d->on_event)
        p->d->on_event(p->state, ev);
}

/* Turns a plugin callback's result into the engine's error idiom. */
static int result(cv_plugin *p, int rc, const char *doing, cv_err *e)
{
    if (rc >= 0)
        return 0;
    int code = rc >= CV_PLUGIN_EUNAVAIL && rc != CV_PLUGIN_EUNAVAIL ? rc : CV_EPLUGIN;
    return cv_err_set(e, code, "%s", *p->last_error ? p->last_error : doing);
}

int cv_plugin_render(cv_plugin *p, const char *doc_json, const char *path, cv_err *e)
{
    p->last_error[0] = '\0';
    return result(p, p->d->render(p->state, doc_json, path), "rendering failed", e);
}

int cv_plugin_import_run(cv_plugin *p, cv_plugin_import *req, cv_err *e)
{
    p->last_error[0] = '\0';
    int rc = p->d->import(p->state, req);
    while (p->depth > 0) /* a plugin that forgot to roll back: the import lands not at all */
        cv_plugin_host.store_rollback(p);
    if (p->trusting && cv_plugin_host.store_trust_checks(p, 0) < 0 && rc == 0)
        rc = CV_PLUGIN_ESTORE; /* the store's checks must be back before anything else writes */
    return result(p, rc, "import failed", e);
}
