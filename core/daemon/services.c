/* services.c: the services the daemon starts, in order. A subsystem that lives in the daemon adds
 * one line here; nothing else in the daemon knows it. */
#include "daemon/services.h"

#include <stddef.h>

#include "notify/notify.h"
#include "plugin/service.h"

/* Stopped in reverse order: notify (which delivers through the notifier plugins) stops before
 * the plugins unload, and starts after they loaded. */
const cv_service *const cv_daemon_services[] = {
    &cv_plugin_service,
    &cv_notify_service,
    NULL,
};
