/* csvread.c: a CSV file to records for import-csv (see csvread.h). A reader thread reads the
 * file in chunks, decodes them and splits records through libcsv into blocks; the calling thread
 * takes the blocks in order and hands their records to the callback. BLOCKS blocks circulate, so
 * memory stays bounded. It must never hand a record past its bounds to the callback, never
 * parse CSV by hand (libcsv does), and never let the reader call the callback. */
#include "csvread.h"

#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK         (256 * 1024)          /* bytes read at a time, at most */
#define BLOCKS        3                     /* blocks in circulation */
#define BLOCK_BYTES   (2 * CSVR_RECORD_MAX) /* at most; any one record fits an empty block */
#define BLOCK_RECORDS 4096
#define BLOCK_FIELDS  (8 * BLOCK_RECORDS)
#define READER_STACK  (512 * 1024)

struct span {
    size_t off, len;
};

struct rec {
    int64_t record;
    int first, n; /* its fields: fields[first .. first + n) */
};

/* Records handed from the reader to the caller. */
typedef struct block {
    struct block *next;
    char *bytes; /* the fields, each NUL-terminated */
    size_t used;
    struct rec *recs;
    struct span *fields;
    int nrecs, nfields;
    size_t done; /* bytes of the file read when it was handed over */
    int last;    /* the reader's final block: its status is set */
} block;

typedef struct reader {
    size_t chunk;     /* bytes read at a time: a small file gets small buffers */
    size_t bytes_cap; /* a block's room */
    int recs_cap, fields_cap;
    pthread_mutex_t lock;
    pthread_cond_t changed; /* a block was handed over or given back, or the caller stopped */
    block *full, *full_tail, *free;
    int stop; /* the caller wants no more records */

    /* the reader thread's own */
    FILE *in;
    size_t limit, read;
    int cp1258;                 /* decode Windows-1258 through map (else the file is UTF-8) */
    unsigned char map_len[256]; /* UTF-8 bytes of each cp1258 byte; 0: not a character */
    char map[256][3];
    block *cur;
    char *rec; /* the record being split: its fields, NUL-terminated */
    size_t rec_used, rec_cap;
    struct span rec_fields[CSVR_FIELDS_MAX];
    int rec_n, bound; /* bound: the record exceeds a bound */
    int64_t record;
    int status; /* -1 once the reader failed, with err */
    char err[300];
} reader;

static int failf(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int failf(reader *r, const char *fmt, ...)
{
    if (r->status == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->err, sizeof r->err, fmt, ap);
        va_end(ap);
        r->status = -1;
    }
    return -1;
}

/* block exchange ------------------------------------------------------------------------------ */

/* Reader: hands b over (if any) and, unless it was the last, waits for an empty block; NULL once
 * the caller stopped. */
static block *hand_over(reader *r, block *b, int last)
{
    pthread_mutex_lock(&r->lock);
    if (b) {
        b->done = r->read;
        b->last = last;
        b->next = NULL;
        *(r->full ? &r->full_tail->next : &r->full) = b;
        r->full_tail = b;
        pthread_cond_broadcast(&r->changed);
    }
    block *got = NULL;
    while (!last && !r->stop && !(got = r->free))
        pthread_cond_wait(&r->changed, &r->lock);
    if (got) {
        r->free = got->next;
        got->used = 0, got->nrecs = 0, got->nfields = 0;
    }
    pthread_mutex_unlock(&r->lock);
    return got;
}

/* Caller: the next block in the file's order, waiting for the reader. */
static block *take_full(reader *r)
{
    pthread_mutex_lock(&r->lock);
    while (!r->full)
        pthread_cond_wait(&r->changed, &r->lock);
    block *b = r->full;
    r->full = b->next;
    pthread_mutex_unlock(&r->lock);
    return b;
}

static void give_back(reader *r, block *b, int stop)
{
    pthread_mutex_lock(&r->lock);
    b->next = r->free;
    r->free = b;
    r->stop |= stop;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
}

/* splitting (the reader thread) --------------------------------------------------------------- */

static void on_field(void *s, size_t len, void *data)
{
    reader *r = data;
    if (r->status || r->bound)
        return;
    if (r->rec_n == CSVR_FIELDS_MAX || r->rec_used + len + 1 > CSVR_RECORD_MAX) {
        r->bound = 1;
        return;
    }
    while (r->rec_used + len + 1 > r->rec_cap) {
        size_t cap = r->rec_cap * 2 > CSVR_RECORD_MAX ? CSVR_RECORD_MAX : r->rec_cap * 2;
        char *grown = realloc(r->rec, cap);
        if (!grown) {
            failf(r, "out of memory reading CSV");
            return;
        }
        r->rec = grown;
        r->rec_cap = cap;
    }
    memcpy(r->rec + r->rec_used, s ? s : "", len);
    r->rec[r->rec_used + len] = '\0';
    r->rec_fields[r->rec_n++] = (struct span){r->rec_used, len};
    r->rec_used += len + 1;
}

/* Copies the record just split into the current block, handing the block over when full. */
static void on_record(int c, void *data)
{
    (void)c;
    reader *r = data;
    r->record++;
    if (r->bound)
        failf(r, "record %lld: more than %d fields or %d bytes", (long long)r->record,
              CSVR_FIELDS_MAX, CSVR_RECORD_MAX);
    block *b = r->cur;
    if (!r->status && r->rec_used > r->bytes_cap) /* cannot be: blocks fit any record */
        failf(r, "record %lld: larger than the reader's blocks", (long long)r->record);
    if (!r->status && b &&
        (b->nrecs == r->recs_cap || b->nfields + r->rec_n > r->fields_cap ||
         b->used + r->rec_used > r->bytes_cap))
        b = r->cur = hand_over(r, b, 0);
    if (r->status || !b) {
        r->rec_n = 0, r->rec_used = 0;
        return;
    }
    memcpy(b->bytes + b->used, r->rec, r->rec_used);
    b->recs[b->nrecs++] = (struct rec){r->record, b->nfields, r->rec_n};
    for (int i = 0; i < r->rec_n; i++)
        b->fields[b->nfields++] =
            (struct span){b->used + r->rec_fields[i].off, r->rec_fields[i].len};
    b->used += r->rec_used;
    r->rec_n = 0, r->rec_used = 0;
}

/* Room for a chunk decoded: a cp1258 byte becomes at most 3 UTF-8 bytes. */
static size_t decoded_room(const reader *r)
{
    return 3 * r->chunk + 64;
}

/* Decodes n bytes of cp1258 at in into out, byte by byte through the map: the text stays the
 * file's characters, in its order (a base letter and a combining tone mark stay two characters;
 * NFC composes them later exactly as Unicode says). */
static int decode(reader *r, const char *in, size_t n, char *out, size_t *outlen)
{
    char *o = out;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)in[i], len = r->map_len[b];
        if (len == 0)
            return failf(r, "byte %zu is not valid cp1258", r->read + i);
        memcpy(o, r->map[b], len);
        o += len;
    }
    *outlen = (size_t)(o - out);
    return 0;
}

static int parse(reader *r, struct csv_parser *p, const char *s, size_t n)
{
    if (csv_parse(p, s, n, on_field, on_record, r) != n)
        return failf(r, "record %lld: malformed CSV (%s)", (long long)r->record + 1,
                     csv_strerror(csv_error(p)));
    return r->status;
}

static int stopped(reader *r)
{
    pthread_mutex_lock(&r->lock);
    int stop = r->stop;
    pthread_mutex_unlock(&r->lock);
    return stop;
}

/* Reads and splits the whole file into blocks, setting the status on failure (reader_main then
 * hands over the last block). */
static void read_all(reader *r, struct csv_parser *p, char *in, char *out)
{
    size_t got, len;
    int first = 1, utf8 = !r->cp1258;
    while (!stopped(r) && (got = fread(in, 1, r->chunk, r->in)) > 0) {
        if (r->read + got > r->limit) {
            failf(r, "the file is larger than %zu bytes", r->limit);
            return;
        }
        const char *text = in;
        len = got;
        if (first && utf8 && got >= 3 && memcmp(in, "\xEF\xBB\xBF", 3) == 0)
            text += 3, len -= 3;
        first = 0;
        if (!utf8 && decode(r, in, got, out, &len) < 0)
            return;
        r->read += got;
        if (parse(r, p, utf8 ? text : out, len) < 0)
            return;
    }
    if (ferror(r->in)) {
        failf(r, "cannot read the file: %s", strerror(errno));
        return;
    }
    if (!stopped(r) && csv_fini(p, on_field, on_record, r) != 0)
        failf(r, "record %lld: malformed CSV (a quoted field is never closed)",
              (long long)r->record + 1);
}

/* libcsv trims spaces and tabs at the edges of unquoted fields unless told no character is one. */
static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

static void *reader_main(void *arg)
{
    reader *r = arg;
    struct csv_parser p;
    char *in = malloc(r->chunk), *out = r->cp1258 ? malloc(decoded_room(r)) : NULL;
    r->rec_cap = 4096;
    r->rec = malloc(r->rec_cap);
    r->cur = hand_over(r, NULL, 0);
    if (!in || (r->cp1258 && !out) || !r->rec ||
        csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        failf(r, "out of memory reading CSV");
    } else {
        csv_set_space_func(&p, no_space); /* RFC 4180: spaces are part of a field */
        read_all(r, &p, in, out);
        csv_free(&p);
    }
    if (r->cur)
        hand_over(r, r->cur, 1);
    free(in);
    free(out);
    free(r->rec);
    return NULL;
}

/* the caller's side ---------------------------------------------------------------------------- */

static void free_blocks(block *b)
{
    for (block *next; b; b = next) {
        next = b->next;
        free(b->bytes);
        free(b->recs);
        free(b->fields);
        free(b);
    }
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* Sizes the buffers for a file of at most limit bytes: whole records of it always fit a block (a
 * cp1258 byte decodes to at most 3, each field adds a NUL); never more than the bounds above. */
static void size_blocks(reader *r, size_t limit)
{
    size_t most = limit > SIZE_MAX / 4 ? SIZE_MAX / 4 : limit;
    r->chunk = min_size(CHUNK, most + 1);
    r->bytes_cap = min_size(BLOCK_BYTES, 3 * most + 2 * CSVR_FIELDS_MAX + 64);
    r->recs_cap = (int)min_size(BLOCK_RECORDS, most + 1);
    r->fields_cap = (int)min_size(BLOCK_FIELDS, 2 * most + 2 * CSVR_FIELDS_MAX);
}

/* Fills r's map with what iconv makes of each cp1258 byte alone, the converter reset between
 * bytes: glibc's converter would otherwise compose a letter with the combining mark after it
 * (Ó and a combining tilde into Ṍ, which is not canonically equivalent to them). */
static int map_cp1258(reader *r, char *err, size_t cap)
{
    iconv_t cd = iconv_open("UTF-8", "CP1258");
    if (cd == (iconv_t)-1) {
        snprintf(err, cap, "this system cannot convert from cp1258: %s", strerror(errno));
        return -1;
    }
    for (int b = 0; b < 256; b++) {
        char byte = (char)b, *i = &byte, utf8[8], *o = utf8;
        size_t ileft = 1, oleft = sizeof utf8;
        iconv(cd, NULL, NULL, NULL, NULL);
        int ok = iconv(cd, &i, &ileft, &o, &oleft) != (size_t)-1 &&
                 iconv(cd, NULL, NULL, &o, &oleft) != (size_t)-1 && o - utf8 <= 3;
        r->map_len[b] = ok ? (unsigned char)(o - utf8) : 0;
        memcpy(r->map[b], utf8, ok ? (size_t)(o - utf8) : 0);
    }
    iconv_close(cd);
    r->cp1258 = 1;
    return 0;
}

/* Sets r up with BLOCKS empty blocks and the decoder of encoding. */
static int reader_init(reader *r, FILE *in, size_t limit, const char *encoding, char *err,
                       size_t cap)
{
    *r = (reader){.in = in, .limit = limit};
    size_blocks(r, limit);
    if (encoding && strcmp(encoding, "utf-8") != 0 && strcmp(encoding, "utf8") != 0 &&
        strcmp(encoding, "UTF-8") != 0) {
        if (strcmp(encoding, "cp1258") != 0 && strcmp(encoding, "windows-1258") != 0) {
            snprintf(err, cap, "unknown encoding '%s' (utf-8 or cp1258)", encoding);
            return -1;
        }
        if (map_cp1258(r, err, cap) < 0)
            return -1;
    }
    for (int i = 0; i < BLOCKS; i++) {
        block *b = calloc(1, sizeof *b);
        if (b) {
            b->next = r->free;
            r->free = b;
        }
        if (!b || !(b->bytes = malloc(r->bytes_cap)) ||
            !(b->recs = malloc((size_t)r->recs_cap * sizeof *b->recs)) ||
            !(b->fields = malloc((size_t)r->fields_cap * sizeof *b->fields))) {
            free_blocks(r->free);
            snprintf(err, cap, "out of memory reading CSV");
            return -1;
        }
    }
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->changed, NULL);
    return 0;
}

/* Hands the records of b to fn; returns fn's first nonzero value. */
static int deliver(const block *b, csvr_record_fn fn, void *arg)
{
    csvr_field f[CSVR_FIELDS_MAX];
    int rc = 0;
    for (int i = 0; i < b->nrecs && rc == 0; i++) {
        const struct rec *rec = &b->recs[i];
        for (int k = 0; k < rec->n; k++) {
            const struct span *s = &b->fields[rec->first + k];
            f[k] = (csvr_field){b->bytes + s->off, s->len};
        }
        rc = fn(arg, rec->record, f, rec->n);
    }
    return rc;
}

int csvr_read(FILE *in, size_t size, size_t limit, const char *encoding, csvr_record_fn fn,
              csvr_progress_fn progress, void *arg, char *err, size_t cap)
{
    reader r;
    pthread_t thread;
    if (reader_init(&r, in, limit, encoding, err, cap) < 0)
        return -1;
    pthread_attr_t attr; /* the reader keeps its buffers on the heap: a small stack will do */
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, READER_STACK);
    int rc = pthread_create(&thread, &attr, reader_main, &r) == 0 ? 0 : -2;
    pthread_attr_destroy(&attr);
    for (int last = rc != 0; !last;) {
        block *b = take_full(&r);
        rc = deliver(b, fn, arg);
        last = b->last || rc != 0;
        if (rc == 0 && progress)
            progress(arg, b->done, size);
        give_back(&r, b, rc != 0);
    }
    if (rc != -2)
        pthread_join(thread, NULL);
    if (rc == -2)
        snprintf(err, cap, "cannot start a thread to read the file");
    else if (rc == 0 && r.status < 0)
        snprintf(err, cap, "%s", r.err);
    free_blocks(r.free);
    free_blocks(r.full);
    pthread_cond_destroy(&r.changed);
    pthread_mutex_destroy(&r.lock);
    return rc == -2 || (rc == 0 && r.status < 0) ? -1 : rc;
}
