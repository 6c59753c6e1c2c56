/* csvread.c: decoding and record splitting for import-csv (see csvread.h). It must never
 * hand a record past its bounds to the callback and never parse CSV by hand: libcsv does. */
#include "csvread.h"

#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (256 * 1024)

int csvr_decode(const char *in, size_t len, const char *encoding, const char **out, size_t *outlen,
                char **owned, char *err, size_t cap)
{
    *owned = NULL;
    if (!encoding || !strcmp(encoding, "utf-8") || !strcmp(encoding, "utf8") ||
        !strcmp(encoding, "UTF-8")) {
        if (len >= 3 && memcmp(in, "\xEF\xBB\xBF", 3) == 0) {
            in += 3;
            len -= 3;
        }
        *out = in;
        *outlen = len;
        return 0;
    }
    if (strcmp(encoding, "cp1258") != 0 && strcmp(encoding, "windows-1258") != 0) {
        snprintf(err, cap, "unknown encoding '%s' (utf-8 or cp1258)", encoding);
        return -1;
    }
    iconv_t cd = iconv_open("UTF-8", "CP1258");
    if (cd == (iconv_t)-1) {
        snprintf(err, cap, "this system cannot convert from cp1258: %s", strerror(errno));
        return -1;
    }
    size_t room = len * 3 + 1, left = room - 1, inleft = len;
    char *buf = malloc(room), *o = buf, *i = (char *)in;
    int rc = 0;
    if (!buf) {
        snprintf(err, cap, "out of memory converting from cp1258");
        rc = -1;
    } else if (iconv(cd, &i, &inleft, &o, &left) == (size_t)-1) {
        snprintf(err, cap, "byte %zu is not valid cp1258", (size_t)(i - in));
        rc = -1;
    }
    iconv_close(cd);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    *o = '\0';
    *out = *owned = buf;
    *outlen = (size_t)(o - buf);
    return 0;
}

struct reader {
    csvr_record_fn fn;
    void *arg;
    char *buf; /* the record's fields, each NUL-terminated; grows up to CSVR_RECORD_MAX */
    size_t used, cap;
    csvr_field f[CSVR_FIELDS_MAX];
    size_t off[CSVR_FIELDS_MAX];
    int n;
    int64_t record;
    int stop;  /* the callback's nonzero value */
    int bound; /* a bound was exceeded in this record */
};

static void on_field(void *s, size_t len, void *data)
{
    struct reader *r = data;
    if (r->stop || r->bound)
        return;
    if (r->n == CSVR_FIELDS_MAX || r->used + len + 1 > CSVR_RECORD_MAX) {
        r->bound = 1;
        return;
    }
    while (r->used + len + 1 > r->cap) {
        size_t cap = r->cap * 2 > CSVR_RECORD_MAX ? CSVR_RECORD_MAX : r->cap * 2;
        char *grown = realloc(r->buf, cap);
        if (!grown) {
            r->bound = 1;
            return;
        }
        r->buf = grown;
        r->cap = cap;
    }
    memcpy(r->buf + r->used, s ? s : "", len);
    r->buf[r->used + len] = '\0';
    r->off[r->n] = r->used;
    r->f[r->n++].len = len;
    r->used += len + 1;
}

static void on_record(int c, void *data)
{
    (void)c;
    struct reader *r = data;
    r->record++;
    if (!r->stop && !r->bound) {
        for (int i = 0; i < r->n; i++)
            r->f[i].s = r->buf + r->off[i];
        r->stop = r->fn(r->arg, r->record, r->f, r->n);
    }
    if (r->bound && !r->stop)
        r->stop = -2;
    if (!r->bound)
        r->n = 0, r->used = 0;
}

int csvr_read(const char *buf, size_t len, csvr_record_fn fn, csvr_progress_fn progress, void *arg,
              char *err, size_t cap)
{
    struct csv_parser p;
    struct reader r = {.fn = fn, .arg = arg, .cap = 4096};
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0 ||
        !(r.buf = malloc(r.cap))) {
        snprintf(err, cap, "out of memory reading CSV");
        free(r.buf);
        return -1;
    }
    int rc = 0;
    for (size_t done = 0; done < len && !r.stop;) {
        size_t n = len - done < CHUNK ? len - done : CHUNK;
        if (csv_parse(&p, buf + done, n, on_field, on_record, &r) != n) {
            snprintf(err, cap, "record %lld: malformed CSV (%s)", (long long)r.record + 1,
                     csv_strerror(csv_error(&p)));
            rc = -1;
            break;
        }
        done += n;
        if (progress)
            progress(arg, done, len);
    }
    if (rc == 0 && !r.stop && csv_fini(&p, on_field, on_record, &r) != 0) {
        snprintf(err, cap, "record %lld: malformed CSV (a quoted field is never closed)",
                 (long long)r.record + 1);
        rc = -1;
    }
    if (rc == 0 && r.stop == -2) {
        snprintf(err, cap, "record %lld: more than %d fields or %d bytes", (long long)r.record,
                 CSVR_FIELDS_MAX, CSVR_RECORD_MAX);
        rc = -1;
    } else if (rc == 0) {
        rc = r.stop;
    }
    csv_free(&p);
    free(r.buf);
    return rc;
}
