/* services.c: the services the daemon starts, in order. A subsystem that lives in the daemon adds
 * one line here; nothing else in the daemon knows it. */
#include "daemon/services.h"

#include <stddef.h>

#include "lua/service.h"
#include "notify/notify.h"
#include "plugin/service.h"
#include "sched/service.h"

/* Started in this order and stopped in reverse: the plugins load first; Lua packages and the
 * scheduler may queue notifications; notify (which delivers through the notifier plugins) starts
 * last and stops before the plugins unload. */
const cv_service *const cv_daemon_services[] = {
    &cv_plugin_service, &cv_lua_service, &cv_sched_service, &cv_notify_service, NULL,
};
