/* host.c: the host table (cv_host_api) a plugin calls: logging, errors, configuration, the clock,
 * store statements, events, timers, watches, post and delivery completion. It must never hand a
 * plugin a raw libuv or SQLite handle, and never let one plugin's handles outlive its unload. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "domain/check.h"
#include "plugin/ctx.h"
#include "store/journal.h"

#define ROW_COLS_MAX 64

struct plugin_handle {
    union {
        uv_handle_t handle;
        uv_timer_t timer;
        uv_poll_t poll;
    } u;
    cv_plugin *p;
    cv_plugin_timer_fn timer_fn;
    cv_plugin_watch_fn watch_fn;
    void *arg;
    int fd;
    struct plugin_handle *next;
};
struct cv_plugin_timer {
    struct plugin_handle h;
};
struct cv_plugin_watch {
    struct plugin_handle h;
};

struct plugin_post {
    cv_plugin_post_fn fn;
    void *arg;
    struct plugin_post *next;
};

struct cv_plugin_delivery {
    cv_plugin *p;
    cv_plugin_done_fn done;
    void *arg;
    struct cv_plugin_delivery *next;
};

/* logging and errors ------------------------------------------------------------------------- */

__attribute__((format(printf, 3, 4))) static void host_log(cv_plugin_ctx *p, int level,
                                                           const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (level < CV_PLUGIN_DEBUG || level > CV_PLUGIN_ERROR)
        level = CV_PLUGIN_INFO;
    cv_log((enum cv_log_level)level, p->name, NULL, "%s", msg);
}

__attribute__((format(printf, 3, 4))) static int host_error(cv_plugin_ctx *p, int code,
                                                            const char *fmt, ...)
{
    char msg[sizeof p->last_error]; /* fmt's arguments may be last_error itself */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    memcpy(p->last_error, msg, sizeof msg);
    return code < 0 ? code : CV_PLUGIN_EFAILED;
}

/* configuration ------------------------------------------------------------------------------ */

static int config_index(const cv_plugin_descriptor *d, const char *name)
{
    int i = 0;
    for (const cv_plugin_config_entry *c = d->config; c && c->name; c++, i++)
        if (strcmp(c->name, name) == 0)
            return i;
    return -1;
}

static const char *host_config_text(cv_plugin_ctx *p, const char *name)
{
    int i = config_index(p->d, name);
    return i < 0 ? NULL : p->config[i];
}

static int64_t host_config_int(cv_plugin_ctx *p, const char *name)
{
    const char *v = host_config_text(p, name);
    return v ? strtoll(v, NULL, 10) : 0;
}

static int host_config_bool(cv_plugin_ctx *p, const char *name)
{
    const char *v = host_config_text(p, name);
    return v && (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "1") == 0);
}

/* True when the descriptor d, as its plugin declared its size, carries the field f. */
#define DESC_HAS(d, f) (offsetof(cv_plugin_descriptor, f) + sizeof((d)->f) <= (d)->size && (d)->f)

int cv_plugin_config_check(cv_plugin *p, const char *key, const char *value, char *out, size_t cap,
                           cv_err *e)
{
    const cv_plugin_descriptor *d = p->d;
    int i = config_index(d, key);
    if (i < 0)
        return cv_err_set(e, CV_EINVAL,
                          N_("plugin %s has no setting '%s' (see 'convene plugin info "
                             "%s')"),
                          d->name, key, d->name);
    int type = d->config[i].type;
    if (strlen(value) >= cap)
        return cv_err_set(e, CV_ELIMIT, N_("%s.%s: the value is longer than %zu bytes"), d->name,
                          key, cap - 1);
    if (type == CV_PLUGIN_CONFIG_INT) {
        char *end;
        errno = 0;
        (void)strtoll(value, &end, 10);
        if (!*value || *end || errno == ERANGE)
            return cv_err_set(e, CV_EINVAL, N_("%s.%s must be an integer (64 bits), not '%s'"),
                              d->name, key, value);
    } else if (type == CV_PLUGIN_CONFIG_BOOL) {
        int yes = !strcmp(value, "true") || !strcmp(value, "yes") || !strcmp(value, "1");
        int no = !strcmp(value, "false") || !strcmp(value, "no") || !strcmp(value, "0");
        if (!yes && !no)
            return cv_err_set(e, CV_EINVAL, N_("%s.%s must be true or false, not '%s'"), d->name,
                              key, value);
        value = yes ? "true" : "false";
    }
    if (DESC_HAS(d, config_check)) {
        p->last_error[0] = '\0';
        if (d->config_check(p, &cv_plugin_host, key, value) < 0)
            return cv_err_set(e, CV_EINVAL, "%s.%s: %s", d->name, key,
                              *p->last_error ? p->last_error : "the plugin refused the value");
    }
    snprintf(out, cap, "%s", value);
    return 0;
}

static int64_t host_now(cv_plugin_ctx *p)
{
    (void)p;
    return cv_clock_now();
}

/* the store ---------------------------------------------------------------------------------- */

/* The store's own code for the failure decides the plugin's: a constraint, or a full, read-only
 * or damaged file (an I/O failure, as for every command), or another failure of the store. */
static int store_failed(cv_plugin *p, const char *doing)
{
    cv_err e;
    int code = cv_store_fail(p->store, doing, &e);
    return host_error(p,
                      code == CV_ECONFLICT ? CV_PLUGIN_ECONFLICT
                      : code == CV_EIO     ? CV_PLUGIN_EIO
                                           : CV_PLUGIN_ESTORE,
                      "%s", e.msg);
}

/* The plugin's statement for sql (compared by address: plugins pass constants), prepared on
 * first use and kept until unload. */
static sqlite3_stmt *plugin_stmt(cv_plugin *p, const char *sql)
{
    for (size_t i = 0; i < p->nstmts; i++)
        if (p->stmts[i].sql == sql)
            return p->stmts[i].stmt;
    if (p->nstmts == p->capstmts) {
        size_t cap = p->capstmts ? p->capstmts * 2 : 8;
        struct plugin_stmt *grown = realloc(p->stmts, cap * sizeof *grown);
        if (!grown)
            return NULL;
        p->stmts = grown;
        p->capstmts = cap;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(cv_store_db(p->store), sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) !=
        SQLITE_OK) {
        store_failed(p, "preparing a statement");
        return NULL;
    }
    p->stmts[p->nstmts++] = (struct plugin_stmt){sql, st};
    return st;
}

static int bind_params(sqlite3_stmt *st, const cv_plugin_value *params, int n)
{
    int rc = SQLITE_OK;
    for (int i = 0; i < n && rc == SQLITE_OK; i++) {
        if (params[i].type == CV_PLUGIN_INT)
            rc = sqlite3_bind_int64(st, i + 1, params[i].i);
        else if (params[i].type == CV_PLUGIN_TEXT && params[i].s)
            rc = sqlite3_bind_text(st, i + 1, params[i].s, -1, SQLITE_STATIC);
        else
            rc = sqlite3_bind_null(st, i + 1);
    }
    return rc;
}

static void read_row(sqlite3_stmt *st, cv_plugin_value *cols, int n)
{
    for (int i = 0; i < n; i++) {
        int t = sqlite3_column_type(st, i);
        cols[i] = (cv_plugin_value){CV_PLUGIN_NULL, 0, NULL};
        if (t == SQLITE_INTEGER)
            cols[i] = (cv_plugin_value){CV_PLUGIN_INT, sqlite3_column_int64(st, i), NULL};
        else if (t != SQLITE_NULL)
            cols[i] =
                (cv_plugin_value){CV_PLUGIN_TEXT, 0, (const char *)sqlite3_column_text(st, i)};
    }
}

static int host_store_exec(cv_plugin_ctx *p, const char *sql, const cv_plugin_value *params,
                           int nparams, cv_plugin_row_fn row, void *arg)
{
    if (!p->store)
        return host_error(p, CV_PLUGIN_EUNAVAIL, "no store is open");
    sqlite3_stmt *st = plugin_stmt(p, sql);
    if (!st)
        return *p->last_error ? CV_PLUGIN_ESTORE : host_error(p, CV_PLUGIN_ENOMEM, "out of memory");
    if (nparams < 0 || nparams > sqlite3_bind_parameter_count(st) ||
        bind_params(st, params, nparams) != SQLITE_OK) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return host_error(p, CV_PLUGIN_EINVAL, "bad parameters for a statement");
    }
    int rc, stop = 0, ncols = sqlite3_column_count(st);
    cv_plugin_value cols[ROW_COLS_MAX];
    if (ncols > ROW_COLS_MAX)
        ncols = ROW_COLS_MAX;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
        if (row) {
            read_row(st, cols, ncols);
            stop = row(arg, cols, ncols);
        }
    int result = stop                                      ? stop
                 : (rc == SQLITE_DONE || rc == SQLITE_ROW) ? 0
                                                           : store_failed(p, "store");
    p->changes =
        result == 0 && !sqlite3_stmt_readonly(st) ? sqlite3_changes64(sqlite3_db_handle(st)) : 0;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return result;
}

static int host_store_begin(cv_plugin_ctx *p)
{
    cv_err e;
    if (!p->store)
        return host_error(p, CV_PLUGIN_EUNAVAIL, "no store is open");
    if (cv_store_begin(p->store, &e) < 0)
        return host_error(p, e.code, "%s", e.msg);
    p->depth++;
    return 0;
}

static int host_store_commit(cv_plugin_ctx *p)
{
    cv_err e;
    if (p->depth <= 0)
        return host_error(p, CV_PLUGIN_EINVAL, "store_commit without store_begin");
    if (cv_store_commit(p->store, &e) < 0)
        return host_error(p, e.code, "%s", e.msg);
    p->depth--;
    return 0;
}

static void host_store_rollback(cv_plugin_ctx *p)
{
    if (p->depth <= 0)
        return;
    cv_store_rollback(p->store);
    p->depth--;
}

static int host_emit(cv_plugin_ctx *p, const char *type, int64_t org_id, const char *data_json)
{
    json_error_t jerr;
    json_t *data = data_json ? json_loads(data_json, 0, &jerr) : json_object();
    if (!json_is_object(data)) {
        json_decref(data);
        return host_error(p, CV_PLUGIN_EINVAL, "event %s: data is not a JSON object", type);
    }
    cv_err e;
    int rc = host_store_begin(p);
    if (rc < 0) {
        json_decref(data);
        return rc;
    }
    /* The plugin is the actor, acting for whoever runs it (an account, the scheduler). */
    const cv_actor previous = *cv_store_actor(p->store);
    cv_actor self = previous;
    self.kind = CV_ACTOR_PLUGIN;
    self.token_id = 0;
    snprintf(self.name, sizeof self.name, "%s", p->name);
    snprintf(self.via, sizeof self.via, "%s %s", cv_actor_kind_name(previous.kind), previous.name);
    cv_store_set_actor(p->store, &self);
    rc = cv_journal_emit(p->store, type, org_id, data, NULL, &e);
    cv_store_set_actor(p->store, &previous);
    if (rc < 0) {
        host_store_rollback(p);
        return host_error(p, e.code, "%s", e.msg);
    }
    return host_store_commit(p);
}

/* The plugin's rows, journaled as whoever runs it (unlike emit, whose actor is the plugin). */
static int host_journal(cv_plugin_ctx *p, const char *type, int64_t org_id, const char *data_json)
{
    cv_err e;
    if (!type || !data_json)
        return host_error(p, CV_PLUGIN_EINVAL, "journal needs a type and data");
    if (p->depth <= 0)
        return host_error(p, CV_PLUGIN_EINVAL, "journal outside store_begin");
    if (cv_journal_emit_text(p->store, type, org_id, data_json, strlen(data_json), &e) < 0)
        return host_error(p, e.code, "%s", e.msg);
    return 0;
}

/* timers and watches ------------------------------------------------------------------------- */

static struct plugin_handle *handle_new(cv_plugin *p, size_t size)
{
    if (!p->loop)
        return NULL;
    struct plugin_handle *h = calloc(1, size);
    if (!h)
        return NULL;
    h->p = p;
    h->next = p->handles;
    p->handles = h;
    return h;
}

static void handle_free_cb(uv_handle_t *u)
{
    free(u->data);
}

static void handle_free(struct plugin_handle *h)
{
    if (!h)
        return;
    for (struct plugin_handle **pp = &h->p->handles; *pp; pp = &(*pp)->next)
        if (*pp == h) {
            *pp = h->next;
            break;
        }
    h->u.handle.data = h;
    uv_close(&h->u.handle, handle_free_cb);
}

static void on_timer(uv_timer_t *t)
{
    struct plugin_handle *h = t->data;
    h->timer_fn(h->arg);
}

static cv_plugin_timer *host_timer_new(cv_plugin_ctx *p, cv_plugin_timer_fn fn, void *arg)
{
    struct plugin_handle *h = handle_new(p, sizeof(cv_plugin_timer));
    if (!h)
        return NULL;
    uv_timer_init(p->loop, &h->u.timer);
    h->u.timer.data = h;
    h->timer_fn = fn;
    h->arg = arg;
    return (cv_plugin_timer *)h;
}

static void host_timer_start(cv_plugin_timer *t, uint64_t after_ms, uint64_t repeat_ms)
{
    uv_timer_start(&t->h.u.timer, on_timer, after_ms, repeat_ms);
}

static void host_timer_stop(cv_plugin_timer *t)
{
    uv_timer_stop(&t->h.u.timer);
}

static void host_timer_free(cv_plugin_timer *t)
{
    handle_free(t ? &t->h : NULL);
}

static void on_poll(uv_poll_t *u, int status, int events)
{
    struct plugin_handle *h = u->data;
    int ev = ((events & UV_READABLE) ? CV_PLUGIN_READABLE : 0) |
             ((events & UV_WRITABLE) ? CV_PLUGIN_WRITABLE : 0);
    h->watch_fn(h->arg, h->fd, ev, status < 0 ? CV_PLUGIN_EIO : 0);
}

static cv_plugin_watch *host_watch_new(cv_plugin_ctx *p, int fd, cv_plugin_watch_fn fn, void *arg)
{
    struct plugin_handle *h = handle_new(p, sizeof(cv_plugin_watch));
    if (!h)
        return NULL;
    if (uv_poll_init_socket(p->loop, &h->u.poll, fd) < 0) {
        p->handles = h->next;
        free(h);
        return NULL;
    }
    h->u.poll.data = h;
    h->watch_fn = fn;
    h->arg = arg;
    h->fd = fd;
    return (cv_plugin_watch *)h;
}

static int host_watch_set(cv_plugin_watch *w, int events)
{
    int uv = ((events & CV_PLUGIN_READABLE) ? UV_READABLE : 0) |
             ((events & CV_PLUGIN_WRITABLE) ? UV_WRITABLE : 0);
    int rc = uv ? uv_poll_start(&w->h.u.poll, uv, on_poll) : uv_poll_stop(&w->h.u.poll);
    return rc < 0 ? CV_PLUGIN_EIO : 0;
}

static void host_watch_free(cv_plugin_watch *w)
{
    handle_free(w ? &w->h : NULL);
}

/* post --------------------------------------------------------------------------------------- */

/* Runs the queued posts in the order they came, on the loop thread. */
static void on_async(uv_async_t *a)
{
    cv_plugin *p = a->data;
    pthread_mutex_lock(&p->post_lock);
    struct plugin_post *list = p->posts, *rev = NULL;
    p->posts = NULL;
    pthread_mutex_unlock(&p->post_lock);
    while (list) {
        struct plugin_post *next = list->next;
        list->next = rev;
        rev = list;
        list = next;
    }
    while (rev) {
        struct plugin_post *next = rev->next;
        rev->fn(rev->arg);
        free(rev);
        rev = next;
    }
}

static int host_post(cv_plugin_ctx *p, cv_plugin_post_fn fn, void *arg)
{
    if (!p->async)
        return CV_PLUGIN_EUNAVAIL;
    struct plugin_post *item = malloc(sizeof *item);
    if (!item)
        return CV_PLUGIN_ENOMEM;
    *item = (struct plugin_post){fn, arg, NULL};
    pthread_mutex_lock(&p->post_lock);
    int ok = p->accepting_posts;
    if (ok) {
        item->next = p->posts;
        p->posts = item;
        uv_async_send(p->async);
    }
    pthread_mutex_unlock(&p->post_lock);
    if (!ok) {
        free(item);
        return CV_PLUGIN_EUNAVAIL;
    }
    return 0;
}

/* deliveries --------------------------------------------------------------------------------- */

int cv_plugin_deliver(cv_plugin *p, const cv_plugin_message *m, cv_plugin_done_fn done, void *arg,
                      cv_err *e)
{
    if (!p->started || !(p->d->kinds & CV_PLUGIN_KIND_NOTIFY))
        return cv_err_set(e, CV_EPLUGIN, N_("plugin %s is not a started notifier"), p->name);
    struct cv_plugin_delivery *d = calloc(1, sizeof *d);
    if (!d)
        return cv_err_set(e, CV_ENOMEM, N_("out of memory delivering %s"), m->key);
    *d = (struct cv_plugin_delivery){p, done, arg, p->deliveries};
    p->deliveries = d;
    p->last_error[0] = '\0';
    int rc = p->d->deliver(p->state, m, d);
    if (rc < 0) {
        /* Refused synchronously: the plugin must not have completed it. */
        for (struct cv_plugin_delivery **pp = &p->deliveries; *pp; pp = &(*pp)->next)
            if (*pp == d) {
                *pp = d->next;
                free(d);
                break;
            }
        return cv_err_set(e, CV_EPLUGIN, "%s: %s", p->name,
                          *p->last_error ? p->last_error : "deliver failed");
    }
    return 0;
}

static void host_deliver_done(cv_plugin_ctx *p, cv_plugin_delivery *d, int status,
                              const char *reason)
{
    for (struct cv_plugin_delivery **pp = &p->deliveries; *pp; pp = &(*pp)->next)
        if (*pp == d) {
            *pp = d->next;
            if (status < CV_PLUGIN_SENT || status > CV_PLUGIN_REJECTED)
                status = CV_PLUGIN_RETRY;
            d->done(d->arg, status, reason ? reason : "");
            free(d);
            return;
        }
    cv_log(CV_LOG_ERROR, p->name, NULL, "deliver_done for a delivery that is not open: ignored");
}

static const char *host_last_error(cv_plugin_ctx *p)
{
    return p->last_error;
}

static int64_t host_store_changes(cv_plugin_ctx *p)
{
    return p->changes;
}

/* The pragma expires every prepared statement: each is prepared again, with or without the
 * checks, the next time it runs. */
static int host_store_trust_checks(cv_plugin_ctx *p, int on)
{
    on = on != 0;
    if (!p->store)
        return host_error(p, CV_PLUGIN_EUNAVAIL, "no store is open");
    if (p->trusting == on)
        return 0;
    if (sqlite3_exec(cv_store_db(p->store),
                     on ? "PRAGMA ignore_check_constraints = 1"
                        : "PRAGMA ignore_check_constraints = 0",
                     NULL, NULL, NULL) != SQLITE_OK)
        return store_failed(p, "setting the store's checks aside");
    p->trusting = on;
    return 0;
}

static int host_check(cv_plugin_ctx *p, const char *rule, const char *value, int64_t *out)
{
    cv_err e;
    if (!rule || !value)
        return host_error(p, CV_PLUGIN_EINVAL, "check needs a rule and a value");
    if (cv_check_value(p->store, rule, value, out, &e) == 0)
        return 0;
    snprintf(p->last_error, sizeof p->last_error, "%s", e.msg);
    return e.code == CV_ESTORE      ? CV_PLUGIN_ESTORE
           : e.code == CV_ENOTFOUND ? CV_PLUGIN_ENOTFOUND
                                    : CV_PLUGIN_EINVAL;
}

/* attach and detach -------------------------------------------------------------------------- */

int cv_plugin_host_attach(cv_plugin *p, cv_err *e)
{
    if (!p->loop || p->async)
        return 0;
    p->async = calloc(1, sizeof *p->async);
    if (!p->async || pthread_mutex_init(&p->post_lock, NULL) != 0) {
        free(p->async);
        p->async = NULL;
        return cv_err_set(e, CV_ENOMEM, N_("out of memory starting %s"), p->name);
    }
    uv_async_init(p->loop, p->async, on_async);
    p->async->data = p;
    p->accepting_posts = 1;
    return 0;
}

void cv_plugin_host_stop_posts(cv_plugin *p)
{
    if (!p->async)
        return;
    pthread_mutex_lock(&p->post_lock);
    p->accepting_posts = 0;
    pthread_mutex_unlock(&p->post_lock);
}

static void free_async(uv_handle_t *h)
{
    free(h);
}

void cv_plugin_host_detach(cv_plugin *p)
{
    while (p->deliveries) {
        struct cv_plugin_delivery *d = p->deliveries;
        p->deliveries = d->next;
        d->done(d->arg, CV_PLUGIN_RETRY, "plugin unloaded");
        free(d);
    }
    if (p->handles)
        cv_log(CV_LOG_WARN, p->name, NULL, "timers or watches left open at unload; closing them");
    while (p->handles)
        handle_free(p->handles);
    while (p->depth > 0)
        host_store_rollback(p);
    for (size_t i = 0; i < p->nstmts; i++)
        sqlite3_finalize(p->stmts[i].stmt);
    free(p->stmts);
    p->stmts = NULL;
    p->nstmts = p->capstmts = 0;
    if (p->async) {
        cv_plugin_host_stop_posts(p);
        for (struct plugin_post *q = p->posts, *next; q; q = next) {
            next = q->next;
            free(q);
        }
        p->posts = NULL;
        pthread_mutex_destroy(&p->post_lock);
        uv_close((uv_handle_t *)p->async, free_async);
        p->async = NULL;
    }
}

const cv_host_api cv_plugin_host = {
    .abi_version = CV_PLUGIN_ABI_VERSION,
    .size = sizeof(cv_host_api),
    .log = host_log,
    .error = host_error,
    .config_text = host_config_text,
    .config_int = host_config_int,
    .config_bool = host_config_bool,
    .now = host_now,
    .store_exec = host_store_exec,
    .store_begin = host_store_begin,
    .store_commit = host_store_commit,
    .store_rollback = host_store_rollback,
    .emit = host_emit,
    .timer_new = host_timer_new,
    .timer_start = host_timer_start,
    .timer_stop = host_timer_stop,
    .timer_free = host_timer_free,
    .watch_new = host_watch_new,
    .watch_set = host_watch_set,
    .watch_free = host_watch_free,
    .post = host_post,
    .deliver_done = host_deliver_done,
    .last_error = host_last_error,
    .store_changes = host_store_changes,
    .check = host_check,
    .journal = host_journal,
    .store_trust_checks = host_store_trust_checks,
};
