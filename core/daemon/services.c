/* services.c: the services the daemon starts, in order. A subsystem that lives in the daemon adds
 * one line here; nothing else in the daemon knows it. */
#include "daemon/services.h"

#include <stddef.h>

#include "lua/service.h"

const cv_service *const cv_daemon_services[] = {
    &cv_lua_service,
    NULL,
};
