/* file.c: keeping files in the store and giving them back. Owns the files table; it never
 * deletes a file (versions and responses refer to them for ever). */
#include "file.h"

#include <errno.h>
#include <stdbool.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/path.h"

void cv_file_sha256(const void *data, size_t len, char hex[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    sodium_bin2hex(hex, 65, h, sizeof h);
}

/* Reads the whole of path into a new buffer, refusing what is not a regular file or is larger
 * than CV_FILE_MAX before reading a byte of it. */
static int read_bounded(const char *path, unsigned char **buf, size_t *len, cv_err *e)
{
    struct stat st;
    FILE *f = cv_path_fopen(path, "rb", &st, e);
    if (!f)
        return e->code;
    int rc = 0;
    *buf = NULL;
    if (st.st_size > CV_FILE_MAX) {
        rc = cv_err_set(e, CV_ELIMIT,
                        N_("%s is %lld bytes; the store keeps files of at most %d MB (record a "
                           "larger one by its path with --link)"),
                        path, (long long)st.st_size, CV_FILE_MAX / (1024 * 1024));
        goto end;
    }
    *len = (size_t)st.st_size;
    *buf = malloc(*len ? *len : 1);
    if (!*buf) {
        rc = cv_err_set(e, CV_ENOMEM, N_("out of memory reading %s"), path);
        goto end;
    }
    if (fread(*buf, 1, *len, f) != *len || fgetc(f) != EOF) {
        rc = cv_err_set(e, CV_EIO, N_("%s changed while it was being read"), path);
        free(*buf);
        *buf = NULL;
    }
end:
    fclose(f);
    return rc;
}

static int find_by_hash(cv_store *s, const char *hex, int64_t *id, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s, "SELECT id FROM files WHERE sha256 = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, hex, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : cv_store_fail(s, "finding a file", e);
}

int cv_file_put(cv_store *s, const char *path, int64_t *id, char hex[65], cv_err *e)
{
    unsigned char *buf;
    size_t len = 0;
    if (sodium_init() < 0)
        return cv_err_set(e, CV_EIO, N_("libsodium could not be initialised"));
    if (read_bounded(path, &buf, &len, e) < 0)
        return e->code;
    cv_file_sha256(buf, len, hex);
    int rc = find_by_hash(s, hex, id, e);
    if (rc == 0 && *id == 0) {
        sqlite3_stmt *st =
            cv_store_prepare(s, "INSERT INTO files(sha256, size, content) VALUES (?1, ?2, ?3)", e);
        if (!st) {
            rc = e->code;
        } else {
            sqlite3_bind_text(st, 1, hex, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, (sqlite3_int64)len);
            sqlite3_bind_blob64(st, 3, buf, len, SQLITE_STATIC);
            rc = cv_store_exec(s, st, e);
            *id = sqlite3_last_insert_rowid(cv_store_db(s));
        }
    }
    free(buf);
    return rc;
}

int cv_file_write(cv_store *s, int64_t id, const char *out_path, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s, "SELECT sha256, content FROM files WHERE id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE
                   ? cv_err_set(e, CV_ENOTFOUND, N_("no stored file %lld"), (long long)id)
                   : cv_store_fail(s, "reading a file", e);
    }
    const void *data = sqlite3_column_blob(st, 1);
    size_t len = (size_t)sqlite3_column_bytes(st, 1);
    char hex[65];
    cv_file_sha256(data ? data : "", len, hex);
    if (strcmp(hex, (const char *)sqlite3_column_text(st, 0)) != 0) {
        sqlite3_reset(st);
        return cv_err_set(e, CV_ECONFLICT, N_("stored file %lld no longer matches its SHA-256"),
                          (long long)id);
    }
    FILE *f = cv_path_fopen(out_path, "wb", NULL, e);
    rc = 0;
    if (!f)
        rc = e->code;
    else {
        bool short_write = len && fwrite(data, 1, len, f) != len;
        bool close_failed = fclose(f) != 0;
        if (short_write || close_failed)
            rc = cv_err_set(e, CV_EIO, N_("writing %s failed"), out_path);
    }
    sqlite3_reset(st);
    return rc;
}
