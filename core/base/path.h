/* path.h: opening the files a person names on the command line (an import, a document version,
 * a response, a rehearsal scenario, every --output), and naming the engine's own temporary files.
 * Opening never blocks: a FIFO or a device named by mistake would hang the command in open(), so
 * it is refused at once, and anything but a regular file is refused before a byte is read or
 * written. Nothing here keeps the file open. */
#ifndef CV_PATH_H
#define CV_PATH_H

#include <stdio.h>
#include <sys/stat.h>

#include "base/error.h"

/* Opens path for reading ("rb") or writing ("wb": created, or truncated once known to be a
 * regular file). st (may be NULL) receives the file's status. NULL with e set ("PATH is not a
 * regular file", "cannot open PATH: ..."). The caller fcloses the stream. */
FILE *cv_path_fopen(const char *path, const char *mode, struct stat *st, cv_err *e);

/* Checks that path names a regular file that can be opened for reading, without blocking. */
int cv_path_check_read(const char *path, cv_err *e);

#define CV_PATH_TEMP_MAX 512 /* room for a temporary file's or folder's name */

/* Makes a new private temporary file (0600, mkstemp's) named DIR/STEM-XXXXXX into path (cap
 * bytes), DIR being $TMPDIR when it is set and the name fits, else /tmp. Returns its open
 * descriptor, or -1 (errno says why) with path "". */
int cv_path_temp_file(char *path, size_t cap, const char *stem);

/* The same for a new private folder (0700, mkdtemp's): 0, or -1 with path "". */
int cv_path_temp_dir(char *path, size_t cap, const char *stem);

#endif
