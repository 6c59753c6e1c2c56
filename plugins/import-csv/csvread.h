/* csvread.h: a CSV file to records for import-csv: the encoding (UTF-8 with or without BOM, or
 * Windows-1258 through iconv's map of each byte, never composing) and RFC 4180 records through
 * libcsv (quoted fields, quoted newlines, doubled quotes, CRLF or LF). The file is read in chunks
 * and split on a thread of its own while the caller handles the records before, so reading overlaps
 * checking and writing and memory stays bounded whatever the file's size. It knows nothing of the
 * store; the fuzz target drives it. */
#ifndef CSVREAD_H
#define CSVREAD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CSVR_FIELDS_MAX 64            /* fields per record */
#define CSVR_RECORD_MAX (1024 * 1024) /* bytes per record */

typedef struct csvr_field {
    const char *s; /* NUL-terminated, valid during the record callback only */
    size_t len;
} csvr_field;

/* Called per record, in order, on the thread that called csvr_read; record is 1-based (the
 * header is record 1). Return 0 to go on, a positive value to stop reading (csvr_read then
 * returns it). */
typedef int (*csvr_record_fn)(void *arg, int64_t record, const csvr_field *f, int n);
/* Called now and then with the bytes of the file read so far (for a progress bar), on the same
 * thread. May be NULL. */
typedef void (*csvr_progress_fn)(void *arg, size_t done, size_t total);

/* Reads every record of in, at most limit bytes in encoding ("utf-8" or "cp1258"); size is the
 * file's size for progress (0 if unknown). Returns 0, the callback's nonzero value, or -1 with
 * err set: an unknown encoding, a read error, "byte N is not valid cp1258", "record N: ..." for
 * malformed CSV or a bound exceeded, or a file over limit. */
int csvr_read(FILE *in, size_t size, size_t limit, const char *encoding, csvr_record_fn fn,
              csvr_progress_fn progress, void *arg, char *err, size_t cap);

#endif
