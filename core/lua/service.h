/* service.h: the Lua packages as a daemon service (registered in core/daemon/services.c). */
#ifndef CV_LUA_SERVICE_H
#define CV_LUA_SERVICE_H

#include "daemon/daemon.h"

extern const cv_service cv_lua_service;

#endif
