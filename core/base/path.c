/* path.c: opening named files without blocking, regular files only. Owns no state. */
#include "base/path.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int not_regular(const char *path, cv_err *e)
{
    return cv_err_set(e, CV_EINVAL, "%s is not a regular file", path);
}

/* O_NONBLOCK makes open() of a FIFO return at once (for writing with no reader: ENXIO; a
 * directory opened for writing: EISDIR); once the file is known to be regular the flag is
 * dropped, so reads and writes behave as usual. */
static int open_regular(const char *path, int writing, struct stat *st, cv_err *e)
{
    int flags = O_NONBLOCK | O_CLOEXEC | O_NOCTTY | (writing ? O_WRONLY | O_CREAT : O_RDONLY);
    int fd = open(path, flags, 0644);
    if (fd < 0) {
        if (errno == ENXIO || errno == EISDIR)
            return not_regular(path, e);
        return cv_err_set(e, CV_EIO, "cannot %s %s: %s", writing ? "write" : "read", path,
                          strerror(errno));
    }
    if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
        close(fd);
        return not_regular(path, e);
    }
    if (fcntl(fd, F_SETFL, 0) < 0 || (writing && ftruncate(fd, 0) < 0)) {
        int err = errno;
        close(fd);
        return cv_err_set(e, CV_EIO, "cannot %s %s: %s", writing ? "write" : "read", path,
                          strerror(err));
    }
    return fd;
}

FILE *cv_path_fopen(const char *path, const char *mode, struct stat *st, cv_err *e)
{
    struct stat local;
    int writing = mode[0] == 'w';
    int fd = open_regular(path, writing, st ? st : &local, e);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, writing ? "wb" : "rb");
    if (!f) {
        close(fd);
        cv_err_set(e, CV_ENOMEM, "out of memory opening %s", path);
    }
    return f;
}

int cv_path_check_read(const char *path, cv_err *e)
{
    struct stat st;
    int fd = open_regular(path, 0, &st, e);
    if (fd < 0)
        return e->code;
    close(fd);
    return 0;
}

static void temp_name(char *path, size_t cap, const char *stem)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir || strlen(dir) + strlen(stem) + sizeof "/-XXXXXX" > cap)
        dir = "/tmp";
    snprintf(path, cap, "%s/%s-XXXXXX", dir, stem);
}

int cv_path_temp_file(char *path, size_t cap, const char *stem)
{
    temp_name(path, cap, stem);
    int fd = mkstemp(path);
    if (fd < 0)
        path[0] = '\0';
    return fd;
}

int cv_path_temp_dir(char *path, size_t cap, const char *stem)
{
    temp_name(path, cap, stem);
    if (mkdtemp(path))
        return 0;
    path[0] = '\0';
    return -1;
}
