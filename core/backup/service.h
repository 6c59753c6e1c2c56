/* service.h: scheduled backups in the daemon, made off the loop. */
#ifndef CV_BACKUP_SERVICE_H
#define CV_BACKUP_SERVICE_H

#include "daemon/daemon.h"

extern const cv_service cv_backup_service;

#endif
