/* ctx.h: the host's record of one loaded plugin (struct cv_plugin_ctx), shared by the loader and
 * the host table. Private to core/plugin: nothing else sees inside it. */
#ifndef CV_PLUGIN_CTX_H
#define CV_PLUGIN_CTX_H

#include <pthread.h>
#include <uv.h>

#include "convene/plugin.h"
#include "plugin/loader.h"

#define CV_PLUGIN_CONFIG_MAX 32

struct plugin_stmt {
    const char *sql; /* the plugin's constant; valid while the plugin is loaded */
    sqlite3_stmt *stmt;
};

struct plugin_handle; /* a timer or watch (host.c) */
struct plugin_post;   /* a queued post (host.c) */
struct cv_plugin_delivery;

struct cv_plugin_ctx {
    char path[1024];
    char name[CV_PLUGIN_NAME_MAX];
    void *dl;
    const cv_plugin_descriptor *d;
    void *state;
    int started;
    cv_store *store;
    uv_loop_t *loop;
    char last_error[512];
    char *config[CV_PLUGIN_CONFIG_MAX]; /* resolved values, by index in d->config; NULL: none */
    struct plugin_stmt *stmts;
    size_t nstmts, capstmts;
    int depth;                             /* store_begin nesting opened by the plugin */
    int trusting;                          /* store_trust_checks is on */
    int64_t changes;                       /* rows the last store_exec changed */
    struct plugin_handle *handles;         /* live timers and watches */
    struct cv_plugin_delivery *deliveries; /* open deliveries */
    uv_async_t *async;                     /* post(); NULL without a loop */
    pthread_mutex_t post_lock;
    struct plugin_post *posts;
    int accepting_posts;
};

/* The host table handed to every plugin (host.c). */
extern const cv_host_api cv_plugin_host;

/* host.c: set up and tear down what the host table needs per plugin. */
int cv_plugin_host_attach(cv_plugin *p, cv_err *e);
void cv_plugin_host_detach(cv_plugin *p);
/* Stops post() from accepting (before fini: "once fini has begun"). */
void cv_plugin_host_stop_posts(cv_plugin *p);

#endif
