/* services.h: the NULL-terminated list of services `convene run` starts (see services.c). */
#ifndef CV_SERVICES_H
#define CV_SERVICES_H

#include "daemon/daemon.h"

extern const cv_service *const cv_daemon_services[];

#endif
