/* listen.h: the socket `convene run --listen` serves HTTP on: "HOST:PORT" (IPv4, or [IPv6]:PORT)
 * or "unix:PATH". It only creates and binds the socket; the HTTP server owns it afterwards. */
#ifndef CV_HTTP_LISTEN_H
#define CV_HTTP_LISTEN_H

#include "base/error.h"

/* The longest listen spec accepted (a unix socket path must fit in sockaddr_un anyway). */
#define CV_HTTP_LISTEN_MAX 108

/* Opens a non-blocking, close-on-exec listening socket for spec into *fd. A unix socket replaces
 * a stale socket file at PATH (never any other kind of file) and is made 0660. CV_EINVAL for a
 * malformed spec, CV_EIO when the address cannot be bound. */
int cv_http_listen(const char *spec, int *fd, cv_err *e);

/* Removes the socket file of a "unix:PATH" spec (at shutdown); does nothing for TCP. */
void cv_http_unlisten(const char *spec);

#endif
