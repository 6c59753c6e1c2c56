/* services.c: the services the daemon starts, in order. A subsystem that lives in the daemon adds
 * one line here; nothing else in the daemon knows it. */
#include "daemon/services.h"

#include <stddef.h>

#include "http/server.h"
#include "lua/service.h"
#include "notify/notify.h"
#include "plugin/service.h"
#include "sched/service.h"

/* Started in this order and stopped in reverse: the plugins load first; notify (which delivers
 * through the notifier plugins) stops before they unload; Lua packages start last and stop
 * first, so no hook runs while the services it calls are going away. HTTP starts after
 * everything it serves and stops first. */
const cv_service *const cv_daemon_services[] = {
    &cv_plugin_service, &cv_sched_service, &cv_notify_service,
    &cv_lua_service,    &cv_http_service,  NULL,
};
