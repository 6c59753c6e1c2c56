/* registry.h: plugin state in the store: which plugins are enabled, their configuration, and the
 * last error each reported. Every admin change bumps the plugin's revision and emits an event in
 * the same transaction (the caller's: these run inside one, cv_store_require_tx), so a running
 * daemon sees it (DESIGN.md 2); secret values never reach the journal. Nothing here loads a
 * plugin. */
#ifndef CV_PLUGIN_REGISTRY_H
#define CV_PLUGIN_REGISTRY_H

#include <stdint.h>

#include "base/error.h"
#include "store/store.h"

typedef struct cv_plugin_reg {
    int enabled;
    int64_t revision; /* bumped by enable, disable and config */
    char last_error[512];
} cv_plugin_reg;

/* The stored state of name; a plugin never seen is disabled at revision 0. */
int cv_plugin_reg_get(cv_store *s, const char *name, cv_plugin_reg *out, cv_err *e);

/* Enables or disables name (emits plugin.enabled / plugin.disabled). */
int cv_plugin_reg_enable(cv_store *s, const char *name, int enabled, cv_err *e);

/* Stores one setting's value (already checked against the plugin's config map); emits
 * plugin.configured with the key only. */
int cv_plugin_reg_config_set(cv_store *s, const char *name, const char *key, const char *value,
                             cv_err *e);

/* Copies the stored value of key into buf[cap]; CV_ENOTFOUND when the admin never set it. */
int cv_plugin_reg_config_get(cv_store *s, const char *name, const char *key, char *buf, size_t cap,
                             cv_err *e);

/* Records a failure to load or start (msg non-NULL): the plugin is disabled with that reason,
 * without bumping its revision, until an admin enables it again. With msg NULL, clears the last
 * error. Its own statement (autocommit). */
int cv_plugin_reg_error(cv_store *s, const char *name, const char *msg, cv_err *e);

#endif
