/* listen.c: turns a listen spec into a bound, listening socket. Numeric addresses only: a name
 * that needs DNS would make start-up depend on the network, and nginx sits in front anyway. */
#include "http/listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define BACKLOG 1024

static int open_socket(int family, cv_err *e)
{
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return cv_err_set(e, CV_EIO, "cannot create a socket: %s", strerror(errno));
    return fd;
}

static int bind_listen(int fd, const struct sockaddr *sa, socklen_t len, const char *spec,
                       cv_err *e)
{
    if (bind(fd, sa, len) < 0 || listen(fd, BACKLOG) < 0) {
        int err = errno;
        close(fd);
        return cv_err_set(e, CV_EIO, "cannot listen on %s: %s", spec, strerror(err));
    }
    return fd;
}

static int listen_unix(const char *spec, const char *path, cv_err *e)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    struct stat st;
    if (!*path || strlen(path) >= sizeof sa.sun_path)
        return cv_err_set(e, CV_EINVAL, "--listen %s: the socket path is empty or too long", spec);
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return cv_err_set(e, CV_EINVAL, "--listen %s: %s exists and is not a socket", spec,
                              path);
        unlink(path);
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    int fd = open_socket(AF_UNIX, e);
    if (fd < 0)
        return fd;
    fd = bind_listen(fd, (struct sockaddr *)&sa, sizeof sa, spec, e);
    if (fd >= 0 && chmod(path, 0660) < 0) {
        close(fd);
        return cv_err_set(e, CV_EIO, "cannot chmod %s: %s", path, strerror(errno));
    }
    return fd;
}

/* Splits "HOST:PORT" or "[V6]:PORT" into host (copied into buf) and port. */
static int split_host_port(const char *spec, char *host, size_t cap, long *port)
{
    const char *colon = strrchr(spec, ':');
    const char *h = spec, *h_end = colon;
    if (!colon)
        return -1;
    if (*spec == '[') {
        h = spec + 1;
        h_end = colon > spec && colon[-1] == ']' ? colon - 1 : NULL;
    }
    if (!h_end || h_end <= h || (size_t)(h_end - h) >= cap)
        return -1;
    memcpy(host, h, (size_t)(h_end - h));
    host[h_end - h] = '\0';
    char *end;
    errno = 0;
    *port = strtol(colon + 1, &end, 10);
    return colon[1] && !*end && !errno && *port >= 1 && *port <= 65535 ? 0 : -1;
}

static int listen_tcp(const char *spec, cv_err *e)
{
    char host[64];
    long port;
    struct sockaddr_in v4 = {.sin_family = AF_INET};
    struct sockaddr_in6 v6 = {.sin6_family = AF_INET6};
    if (split_host_port(spec, host, sizeof host, &port) < 0)
        return cv_err_set(e, CV_EINVAL,
                          "--listen %s: expected HOST:PORT (numeric, port 1..65535) or unix:PATH",
                          spec);
    int is_v4 = inet_pton(AF_INET, host, &v4.sin_addr) == 1;
    if (!is_v4 && inet_pton(AF_INET6, host, &v6.sin6_addr) != 1)
        return cv_err_set(e, CV_EINVAL, "--listen %s: '%s' is not a numeric IP address", spec,
                          host);
    int fd = open_socket(is_v4 ? AF_INET : AF_INET6, e), one = 1;
    if (fd < 0)
        return fd;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (is_v4) {
        v4.sin_port = htons((uint16_t)port);
        return bind_listen(fd, (struct sockaddr *)&v4, sizeof v4, spec, e);
    }
    v6.sin6_port = htons((uint16_t)port);
    return bind_listen(fd, (struct sockaddr *)&v6, sizeof v6, spec, e);
}

int cv_http_listen(const char *spec, int *fd, cv_err *e)
{
    if (strlen(spec) > CV_HTTP_LISTEN_MAX)
        return cv_err_set(e, CV_EINVAL, "--listen is longer than %d bytes", CV_HTTP_LISTEN_MAX);
    int rc = strncmp(spec, "unix:", 5) == 0 ? listen_unix(spec, spec + 5, e) : listen_tcp(spec, e);
    if (rc < 0)
        return rc;
    *fd = rc;
    return 0;
}

void cv_http_unlisten(const char *spec)
{
    if (strncmp(spec, "unix:", 5) == 0)
        unlink(spec + 5);
}
