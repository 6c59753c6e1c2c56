/* server.h: the daemon's HTTP/1.1 server (GNU libmicrohttpd in external-epoll mode on the
 * daemon's libuv loop, no thread of its own) serving the API of api.h. Started only when
 * http.listen is set (`convene run --listen`, or the store's setting). */
#ifndef CV_HTTP_SERVER_H
#define CV_HTTP_SERVER_H

#include "daemon/daemon.h"

extern const cv_service cv_http_service;

/* The settings the server reads (command line first, then the store), NULL-terminated, for
 * `convene run` to offer as options: {"http.max_connections", "max-connections"}, ... */
typedef struct cv_http_setting {
    const char *key, *option, *help;
    long long def, min, max; /* numbers; min == max == 0: text */
} cv_http_setting;

extern const cv_http_setting cv_http_settings[];

#endif
