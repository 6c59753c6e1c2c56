/* service.h: the plugins of `convene run`: loads every enabled plugin at start, hands each
 * journal event to them, and reloads a plugin when admins changed it in the store (enable,
 * disable, config) without a restart. All on the loop thread. */
#ifndef CV_PLUGIN_SERVICE_H
#define CV_PLUGIN_SERVICE_H

#include "daemon/daemon.h"
#include "plugin/loader.h"

extern const cv_service cv_plugin_service;

/* The started notifier serving channel in the running daemon, or NULL (none enabled, or it
 * failed to start). Valid until the next on_store_changed of the plugin service; look it up
 * again for each delivery. */
cv_plugin *cv_plugin_service_notifier(const char *channel);

#endif
