/* loader.h: finding, loading, checking, starting and unloading plugins (the host side of
 * convene/plugin.h). A cv_plugin is one loaded shared object with its host context; the store
 * says which plugins are enabled and how they are configured (plugin/registry.h). */
#ifndef CV_PLUGIN_LOADER_H
#define CV_PLUGIN_LOADER_H

#include <stddef.h>
#include <uv.h>

#include "base/error.h"
#include "convene/plugin.h"
#include "store/store.h"

typedef struct cv_plugin_ctx cv_plugin;

#define CV_PLUGIN_NAME_MAX 64

/* One shared object found on the plugin path, read (entry called, descriptor checked) and
 * unloaded again. When refused is non-empty the file was refused for that reason and name is the
 * file's stem. */
typedef struct cv_plugin_found {
    char path[1024];
    char name[CV_PLUGIN_NAME_MAX];
    char version[32];
    char description[160];
    uint32_t kinds;
    char key[32]; /* channel, format or import format */
    char refused[512];
} cv_plugin_found;

/* The directories searched, in order: each of $CONVENE_PLUGIN_PATH (colon-separated), the
 * build tree's plugins/ and the install directory's lib/convene/plugins. Writes at most max
 * pointers to static or environment strings; returns how many. */
size_t cv_plugin_dirs(const char **dirs, size_t max);

/* Reads every *.so on the plugin path into a new array (*out, free()), one entry per plugin
 * name (the first found wins) plus one per refused file. */
int cv_plugin_scan(cv_plugin_found **out, size_t *n, cv_err *e);

/* Finds the plugin called name on the path (a refused file matches by its stem). */
int cv_plugin_find(const char *name, cv_plugin_found *out, cv_err *e);

/* Loads path and checks its descriptor (ABI version, size, kinds, name) without calling init.
 * loop may be NULL (an admin command: no timers, watches or post). The message of a refusal
 * names the file and the reason. */
int cv_plugin_open(const char *path, cv_store *s, uv_loop_t *loop, cv_plugin **out, cv_err *e);

/* Reads the plugin's configuration from the store and calls init. On failure the reason is in
 * e and in cv_plugin_last_error; the plugin stays loaded but not started. */
int cv_plugin_start(cv_plugin *p, cv_err *e);

/* Calls fini if started, releases what the host holds for the plugin (statements, timers,
 * watches, the post queue) and unloads it. Handles close on the loop: run the loop afterwards
 * (the daemon does). NULL is allowed. */
void cv_plugin_close(cv_plugin *p);

/* Loads and starts the enabled plugin of kind whose key (channel, format or import format) is
 * key: the one admin commands use for `import` and `report`. Refuses with an actionable message
 * when none is on the path or it is disabled. */
int cv_plugin_load_for(cv_store *s, uv_loop_t *loop, uint32_t kind, const char *key,
                       cv_plugin **out, cv_err *e);

const cv_plugin_descriptor *cv_plugin_descriptor_of(const cv_plugin *p);
void *cv_plugin_state(const cv_plugin *p);
const char *cv_plugin_name(const cv_plugin *p);
const char *cv_plugin_path(const cv_plugin *p);
const char *cv_plugin_last_error(const cv_plugin *p);

/* The kinds as text ("notify", "report,import") into buf[cap]. */
const char *cv_plugin_kinds_text(uint32_t kinds, char *buf, size_t cap);

/* Hands an event to the plugin's on_event, if it has one. */
void cv_plugin_event_to(cv_plugin *p, const cv_plugin_event *ev);

/* Starts delivering m through a started notifier. done(arg, status, reason) is called exactly
 * once on the loop thread with a cv_plugin_delivery_status, possibly before this returns; when
 * this returns < 0 (e set) done is never called. If the plugin is closed with the delivery
 * still open, done gets CV_PLUGIN_RETRY with the reason "plugin unloaded". */
typedef void (*cv_plugin_done_fn)(void *arg, int status, const char *reason);
int cv_plugin_deliver(cv_plugin *p, const cv_plugin_message *m, cv_plugin_done_fn done, void *arg,
                      cv_err *e);

/* Checks value against the setting key of p's config map, then through the plugin's own
 * config_check (ABI 1.2) if it has one; writes the value to store into out[cap] (booleans
 * become "true"/"false"). Refuses unknown keys, ill-typed values and values the plugin refuses. */
int cv_plugin_config_check(cv_plugin *p, const char *key, const char *value, char *out, size_t cap,
                           cv_err *e);

/* Renders doc_json through a started reporter into path. */
int cv_plugin_render(cv_plugin *p, const char *doc_json, const char *path, cv_err *e);

/* Runs a started importer on req. */
int cv_plugin_import_run(cv_plugin *p, cv_plugin_import *req, cv_err *e);

#endif
