/* service.h: the scheduler as a daemon service (registered in core/daemon/services.c). */
#ifndef CV_SCHED_SERVICE_H
#define CV_SCHED_SERVICE_H

#include "daemon/daemon.h"

extern const cv_service cv_sched_service;

#endif
