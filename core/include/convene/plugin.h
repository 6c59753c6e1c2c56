/* convene/plugin.h: the plugin ABI of convene, version 1.4, and the only header a plugin includes.
 * It is the contract between the engine (the host) and a plugin: read it top to bottom. It must
 * never grow anything but new fields at the end of its structs and new constants (DESIGN.md 6). */
#ifndef CONVENE_PLUGIN_H
#define CONVENE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 1. Versioning ------------------------------------------------------------------------------
 *
 * A plugin is a shared object (a CMake MODULE library) exporting one function named
 * CV_PLUGIN_ENTRY_SYMBOL with the type cv_plugin_entry_fn. It links against nothing of convene:
 * everything the host offers comes through the cv_host_api table passed to the entry.
 *
 * The ABI version is MAJOR.MINOR. MAJOR changes when a struct changes in a way an old plugin
 * cannot read (never, so far); MINOR grows when fields are appended to cv_host_api or
 * cv_plugin_descriptor. The host loads a plugin when the majors are equal and the plugin's minor
 * is at most the host's; it reads descriptor fields only within the descriptor's declared size,
 * and a plugin must call a host function only if it lies within host->size (CV_HOST_HAS). Any
 * other combination is refused with a message naming the file and the reason. */
#define CV_PLUGIN_ABI_MAJOR       1
#define CV_PLUGIN_ABI_MINOR       4
#define CV_PLUGIN_ABI_VERSION     ((uint32_t)((CV_PLUGIN_ABI_MAJOR << 16) | CV_PLUGIN_ABI_MINOR))
#define CV_PLUGIN_ABI_MAJOR_OF(v) ((uint32_t)(v) >> 16)
#define CV_PLUGIN_ABI_MINOR_OF(v) ((uint32_t)(v)&0xffffu)

#define CV_PLUGIN_ENTRY_SYMBOL "convene_plugin_entry"

/* True when the host table h carries the function field f (a plugin built against a newer
 * minor checks this before calling a function the host may lack). */
#define CV_HOST_HAS(h, f) (offsetof(cv_host_api, f) + sizeof((h)->f) <= (h)->size && (h)->f)

/* Codes returned by plugin callbacks and host functions: 0 is success; negative values are the
 * engine's own error codes (the same numbers as core/base/error.h). */
enum cv_plugin_code {
    CV_PLUGIN_OK = 0,
    CV_PLUGIN_EINVAL = -1,    /* bad argument or malformed input (an import's bad row) */
    CV_PLUGIN_ENOTFOUND = -2, /* an unknown code, name or file */
    CV_PLUGIN_ECONFLICT = -3, /* the store refused a write (a constraint) */
    CV_PLUGIN_ESTORE = -4,    /* the store failed */
    CV_PLUGIN_EIO = -5,       /* a file or socket failed */
    CV_PLUGIN_ENOMEM = -6,    /* out of memory */
    CV_PLUGIN_ELIMIT = -8,    /* a bound was exceeded */
    CV_PLUGIN_EFAILED = -10,  /* anything else: the plugin failed */
    CV_PLUGIN_EUNAVAIL = -11, /* the facility needs the daemon's loop and there is none */
};

/* 2. Handles ---------------------------------------------------------------------------------
 *
 * All handles are opaque and owned by the host. cv_plugin_ctx is one loaded plugin as the host
 * sees it; it is valid from init until fini returns. Timers and watches are owned by the plugin
 * from *_new until it calls *_free (at the latest in fini); a delivery is owned by the host and
 * valid until the plugin completes it with deliver_done. */
typedef struct cv_plugin_ctx cv_plugin_ctx;
typedef struct cv_plugin_timer cv_plugin_timer;
typedef struct cv_plugin_watch cv_plugin_watch;
typedef struct cv_plugin_delivery cv_plugin_delivery;

/* 3. Threads ---------------------------------------------------------------------------------
 *
 * The host calls every plugin callback on one thread: the daemon's loop thread in `convene run`,
 * the main thread in an admin command (import, report). A plugin may call host functions only
 * from that thread, from inside a callback, with one exception: post() may be called from any
 * thread, and the function it posts then runs on the loop thread. A callback must never block:
 * network I/O goes through watches and timers (libcurl's multi_socket interface fits them), long
 * work runs on the plugin's own thread and returns its result through post().
 *
 * A plugin never touches the raw loop, never calls exit(), never writes to stdout (a reporter
 * writes the file it is given; stderr only for an importer's progress bar), and never keeps a
 * pointer the host lent it past the call it was lent for (the strings of an event, a message, a
 * row, a config value). */

/* 4. Values: parameters and rows of store statements ----------------------------------------- */
enum cv_plugin_value_type { CV_PLUGIN_NULL = 0, CV_PLUGIN_INT = 1, CV_PLUGIN_TEXT = 2 };

typedef struct cv_plugin_value {
    int type;      /* a cv_plugin_value_type */
    int64_t i;     /* CV_PLUGIN_INT */
    const char *s; /* CV_PLUGIN_TEXT: UTF-8, NUL-terminated; lent for the call only */
} cv_plugin_value;

/* Called for each row a statement returns; cols are lent for this call only. Return 0 to go
 * on, anything else to stop (store_exec then returns that value). */
typedef int (*cv_plugin_row_fn)(void *arg, const cv_plugin_value *cols, int ncols);

/* 5. The declarative config map --------------------------------------------------------------
 *
 * A plugin declares its settings as an array ending with a {NULL} entry. Admins set them with
 * `convene plugin config NAME KEY VALUE`; the host refuses unknown keys and values of the wrong
 * type there, keeps them in the store, and hands the plugin the value or the default. Plugins
 * never parse configuration themselves. */
enum cv_plugin_config_type {
    CV_PLUGIN_CONFIG_TEXT = 1,
    CV_PLUGIN_CONFIG_INT = 2,    /* a decimal integer, may be negative */
    CV_PLUGIN_CONFIG_BOOL = 3,   /* "true"/"false" (also yes/no, 1/0 when set) */
    CV_PLUGIN_CONFIG_SECRET = 4, /* text that `plugin info` and `plugin list` never show */
};

typedef struct cv_plugin_config_entry {
    const char *name;          /* [a-z0-9_.-]+ */
    int type;                  /* a cv_plugin_config_type */
    const char *default_value; /* as text; NULL means "no value" (config_text returns NULL) */
    const char *help;          /* one line for `plugin info` */
} cv_plugin_config_entry;

/* 6. What the host lends a callback ---------------------------------------------------------- */

/* A journal event (DESIGN.md 2), lent for the on_event call only. */
typedef struct cv_plugin_event {
    int64_t id;
    int64_t at;            /* ms since the epoch */
    const char *type;      /* "congress.held", ... */
    int64_t org_id;        /* 0 when the event concerns no one organisation */
    const char *data_json; /* the event's data as a JSON object text */
} cv_plugin_event;

/* One outbox notification to deliver (DESIGN.md 3), lent for the deliver call only. */
typedef struct cv_plugin_message {
    int64_t id;
    const char *key;       /* the stable idempotency key: Message-ID, Idempotency-Key */
    const char *channel;   /* the channel the notifier declared */
    const char *recipient; /* an address the channel understands */
    const char *subject;   /* Vietnamese text, UTF-8 */
    const char *body;
    int tries; /* deliveries attempted before this one */
} cv_plugin_message;

/* How a delivery ended, passed to deliver_done. */
enum cv_plugin_delivery_status {
    CV_PLUGIN_SENT = 0,     /* delivered: the host marks the notification sent */
    CV_PLUGIN_RETRY = 1,    /* a transient failure: the host retries with backoff */
    CV_PLUGIN_REJECTED = 2, /* a permanent failure: the host gives up and records the reason */
};

/* An import request; the importer fills the counts. */
typedef struct cv_plugin_import {
    const char *path;     /* the file to read */
    const char *as;       /* what the rows are: "orgs", "members", "work-items", "people" */
    const char *encoding; /* "utf-8" (the default) or another the plugin supports, "cp1258" */
    int dry_run;          /* 1: validate everything, write nothing */
    int progress;         /* 1: stderr is a terminal; the plugin may draw a progress bar there */
    int64_t rows;         /* out: data rows read */
    int64_t inserted;     /* out: rows that created a record */
    int64_t updated;      /* out: rows that changed a record */
    int64_t unchanged;    /* out: rows equal to what the store held */
} cv_plugin_import;

/* 7. The host table ---------------------------------------------------------------------------
 *
 * Passed to the entry function; static in the host, valid until the plugin is unloaded. Fields
 * are only ever appended. Every function takes the ctx given to init. */
typedef void (*cv_plugin_timer_fn)(void *arg);
typedef void (*cv_plugin_watch_fn)(void *arg, int fd, int events, int status);
typedef void (*cv_plugin_post_fn)(void *arg);

enum cv_plugin_log_level { CV_PLUGIN_DEBUG = 0, CV_PLUGIN_INFO, CV_PLUGIN_WARN, CV_PLUGIN_ERROR };
enum cv_plugin_watch_events { CV_PLUGIN_READABLE = 1, CV_PLUGIN_WRITABLE = 2 };

typedef struct cv_host_api {
    uint32_t abi_version; /* the host's CV_PLUGIN_ABI_VERSION */
    uint32_t size;        /* sizeof(cv_host_api) in the host: fields past it do not exist */

    /* -- 1.0 -- */
    /* Logs one line (a JSON line on stderr) with the plugin's name as its component. */
    void (*log)(cv_plugin_ctx *ctx, int level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
    /* Records the reason for a failure, one line a person can act on; returns code so that a
     * callback can `return host->error(ctx, CV_PLUGIN_EINVAL, "...")`. The host shows it. */
    int (*error)(cv_plugin_ctx *ctx, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

    /* The value of a declared setting: the admin's, else the default. config_text returns a
     * string owned by the host, valid until fini (or NULL); an undeclared name is a bug and
     * returns NULL / 0. */
    const char *(*config_text)(cv_plugin_ctx *ctx, const char *name);
    int64_t (*config_int)(cv_plugin_ctx *ctx, const char *name);
    int (*config_bool)(cv_plugin_ctx *ctx, const char *name);

    /* The engine's clock (ms since the epoch); tests and demos fix it. Never call time(). */
    int64_t (*now)(cv_plugin_ctx *ctx);

    /* Store access. sql must be a constant of the plugin (never text built from input): the
     * host prepares it once and keeps it until the plugin is unloaded. params are bound as ?1..?n.
     * Writes go between store_begin and store_commit (nesting as savepoints); on any failure the
     * plugin calls store_rollback exactly once per begin. Returns 0, the row function's nonzero
     * value, or a negative code with the reason recorded (see error()). */
    int (*store_exec)(cv_plugin_ctx *ctx, const char *sql, const cv_plugin_value *params,
                      int nparams, cv_plugin_row_fn row, void *arg);
    int (*store_begin)(cv_plugin_ctx *ctx);
    int (*store_commit)(cv_plugin_ctx *ctx);
    void (*store_rollback)(cv_plugin_ctx *ctx);

    /* Appends a journal event (type "plugin.<something>" or a domain type) about org_id (0 for
     * none) with data as a JSON object text (NULL for {}). Inside the plugin's transaction if
     * one is open, else in its own. */
    int (*emit)(cv_plugin_ctx *ctx, const char *type, int64_t org_id, const char *data_json);

    /* Timers on the loop (daemon only; NULL without a loop). The callback runs on the loop
     * thread; after timer_free it never runs again. */
    cv_plugin_timer *(*timer_new)(cv_plugin_ctx *ctx, cv_plugin_timer_fn fn, void *arg);
    void (*timer_start)(cv_plugin_timer *t, uint64_t after_ms, uint64_t repeat_ms);
    void (*timer_stop)(cv_plugin_timer *t);
    void (*timer_free)(cv_plugin_timer *t);

    /* Readiness of a socket the plugin owns (daemon only; NULL without a loop). watch_set with
     * events 0 stops watching; fn gets the ready events, or status < 0 on a poll error. The
     * plugin closes fd itself, after watch_free. */
    cv_plugin_watch *(*watch_new)(cv_plugin_ctx *ctx, int fd, cv_plugin_watch_fn fn, void *arg);
    int (*watch_set)(cv_plugin_watch *w, int events);
    void (*watch_free)(cv_plugin_watch *w);

    /* Thread-safe: queues fn(arg) to run on the loop thread soon. CV_PLUGIN_EUNAVAIL without a
     * loop or once fini has begun (fn is then never called: the caller keeps arg). */
    int (*post)(cv_plugin_ctx *ctx, cv_plugin_post_fn fn, void *arg);

    /* Completes a delivery started by the notifier's deliver(), exactly once, on the loop
     * thread (inside deliver itself is allowed). reason (for RETRY and REJECTED) is copied. */
    void (*deliver_done)(cv_plugin_ctx *ctx, cv_plugin_delivery *d, int status, const char *reason);

    /* The reason last recorded by error() or by a failing host function (a store statement's
     * SQLite message, say); "" when none. Owned by the host, valid until the next host call. */
    const char *(*last_error)(cv_plugin_ctx *ctx);

    /* -- 1.1 -- */
    /* How many rows the plugin's last store_exec inserted, updated or deleted (0 after a query
     * or an upsert that changed nothing): lets a bulk writer count without RETURNING. */
    int64_t (*store_changes)(cv_plugin_ctx *ctx);

    /* -- 1.2 -- */
    /* Checks value against one of the engine's own rules, so that a value a plugin reads is
     * refused exactly as the CLI and the Lua API refuse it (a rule lives in one place). rule is
     * one of: "code", "level" (*out = rank, national 0 ... cell 4), "date" (YYYY-MM-DD,
     * 1900-2999), "done_on" (a date not after the engine's today), "members" (*out = the count,
     * bounded), "budget" (*out = the amount in dong, bounded), "term" (a term code, "" for the
     * current term; *out = the term's id). Returns 0, or a negative code with the reason (the
     * engine's own words, without file or row) recorded as by error(). out may be NULL. */
    int (*check)(cv_plugin_ctx *ctx, const char *rule, const char *value, int64_t *out);

    /* -- 1.3 -- */
    /* Journals a change the plugin made with its own SQL, inside its open transaction
     * (store_begin), as the actor running it (the account importing, say), not as the plugin:
     * an event of type about org_id (0 for none) whose data is the JSON object text data_json,
     * stored as given (the store refuses text that is not JSON). Unlike emit it never parses
     * the text, so a bulk writer can journal a batch of rows cheaply. */
    int (*journal)(cv_plugin_ctx *ctx, const char *type, int64_t org_id, const char *data_json);

    /* -- 1.4 -- */
    /* on = 1: the plugin vouches that every row it writes, the JSON text it journals included,
     * meets the store's CHECK constraints (it checked the values through check() and its own
     * rules, and builds its JSON so that it is valid), and the store stops evaluating them, a
     * bulk writer's largest cost after the rows themselves; on = 0 turns them back on, and the
     * host does so itself when the call (import, ...) returns, refused or not. Triggers still
     * run. A plugin that cannot vouch for all of it must not call this. */
    int (*store_trust_checks)(cv_plugin_ctx *ctx, int on);
} cv_host_api;

/* 8. The descriptor ---------------------------------------------------------------------------
 *
 * Returned by the entry function: static in the plugin, never freed. The host checks
 * abi_version and size before reading anything else, then kinds and name. Fields for a kind the
 * plugin does not declare are NULL. Callbacks other than init receive the state init set. */
enum cv_plugin_kind {
    CV_PLUGIN_KIND_NOTIFY = 1, /* delivers outbox notifications of one channel */
    CV_PLUGIN_KIND_REPORT = 2, /* renders report documents in one format */
    CV_PLUGIN_KIND_IMPORT = 4, /* reads rows of one file format into the store */
};

typedef struct cv_plugin_descriptor {
    uint32_t abi_version;    /* CV_PLUGIN_ABI_VERSION as the plugin was built */
    uint32_t size;           /* sizeof(cv_plugin_descriptor) as the plugin was built */
    uint32_t kinds;          /* a nonzero OR of cv_plugin_kind */
    const char *name;        /* unique, [a-z0-9-]+, e.g. "notify-smtp"; the admin's handle */
    const char *version;     /* the plugin's own version, e.g. "1.0.0" */
    const char *description; /* one line */
    const cv_plugin_config_entry *config; /* the config map, {NULL}-terminated; may be NULL */

    /* Called once after loading with the configuration in place; sets *state (the plugin's own
     * context, owned by the plugin). A failure (negative, reason through error()) leaves the
     * plugin disabled with that reason recorded; the engine goes on without it. */
    int (*init)(cv_plugin_ctx *ctx, const cv_host_api *host, void **state);
    /* Called once before unloading (also after a config change, before init runs again): free
     * every timer and watch, complete or abandon deliveries (the host retries the abandoned
     * ones), join threads, free state. May be NULL. */
    void (*fini)(void *state);
    /* Each journal event, in id order, in the daemon only. May be NULL. */
    void (*on_event)(void *state, const cv_plugin_event *ev);

    /* CV_PLUGIN_KIND_NOTIFY: the outbox channel served ("log", "smtp", "webhook"), and deliver,
     * which starts delivering m and returns 0, then completes through host->deliver_done(d)
     * exactly once; or returns a negative code (reason through error()) without calling
     * deliver_done, which the host counts as a failed try. Runs on the loop: never blocks. */
    const char *channel;
    int (*deliver)(void *state, const cv_plugin_message *m, cv_plugin_delivery *d);

    /* CV_PLUGIN_KIND_REPORT: the format name ("xlsx"), the usual file extension (".xlsx"), and
     * render, which writes the report document doc_json (see README "Reports": title, meta,
     * sections of paragraphs and typed tables) to the file at path, replacing it. */
    const char *format;
    const char *extension;
    int (*render)(void *state, const char *doc_json, const char *path);

    /* CV_PLUGIN_KIND_IMPORT: the file format read ("csv") and import, which reads req->path and
     * writes its rows in one transaction (whole or nothing; nothing with dry_run). Every error
     * names the file, row and column. */
    const char *import_format;
    int (*import)(void *state, cv_plugin_import *req);

    /* -- 1.2 -- */
    /* Checks a value an admin sets (`convene plugin config NAME KEY VALUE`) before the host
     * stores it, so that a value init would refuse is refused when it is set, not when the
     * plugin next starts. value already has the declared type (an INT fits in int64). Called
     * without init (ctx serves error() only; state does not exist). Returns 0 or a negative
     * code with the reason through error(). May be NULL. */
    int (*config_check)(cv_plugin_ctx *ctx, const cv_host_api *host, const char *name,
                        const char *value);
} cv_plugin_descriptor;

/* 9. The entry --------------------------------------------------------------------------------
 *
 * Called once per load, before init, with the host table (valid until unload). Returns the
 * plugin's descriptor, or NULL to refuse to load (say, when the host lacks a needed function).
 * It must do nothing else: no allocation, no threads, no I/O. */
typedef const cv_plugin_descriptor *(*cv_plugin_entry_fn)(const cv_host_api *host);

#if defined(__GNUC__)
#define CV_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define CV_PLUGIN_EXPORT
#endif

#ifdef __cplusplus
}
#endif

#endif
