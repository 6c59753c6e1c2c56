/* file.h: files kept whole in the store (document versions, responses to comment rounds), each
 * with its SHA-256 (libsodium crypto_hash_sha256). A file comes back byte-identical or not at
 * all: the checksum is verified on the way out. Bounded at CV_FILE_MAX bytes. */
#ifndef CV_DOCS_FILE_H
#define CV_DOCS_FILE_H

#include <stdint.h>

#include "store/store.h"

#define CV_FILE_MAX (50 * 1024 * 1024) /* bytes; larger files are recorded by path */

/* Reads the regular file at path (at most CV_FILE_MAX bytes) into the files table, sharing the
 * row of an identical file already kept. *id receives its id, hex[65] its SHA-256 in hex. Must
 * be called inside a transaction. */
int cv_file_put(cv_store *s, const char *path, int64_t *id, char hex[65], cv_err *e);

/* Writes file id to out_path (created or truncated) after checking its SHA-256. */
int cv_file_write(cv_store *s, int64_t id, const char *out_path, cv_err *e);

/* The SHA-256 in hex of len bytes at data into hex[65]. */
void cv_file_sha256(const void *data, size_t len, char hex[65]);

#endif
