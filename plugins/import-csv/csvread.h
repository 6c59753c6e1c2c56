/* csvread.h: bytes to CSV records for import-csv: the encoding (UTF-8 with or without BOM, or
 * Windows-1258 through iconv) and RFC 4180 records through libcsv (quoted fields, quoted
 * newlines, doubled quotes, CRLF or LF). It knows nothing of the store; the fuzz target drives it.
 */
#ifndef CSVREAD_H
#define CSVREAD_H

#include <stddef.h>
#include <stdint.h>

#define CSVR_FIELDS_MAX 64            /* fields per record */
#define CSVR_RECORD_MAX (1024 * 1024) /* bytes per record */

typedef struct csvr_field {
    const char *s; /* NUL-terminated, valid during the record callback only */
    size_t len;
} csvr_field;

/* Called per record; record is 1-based (the header is record 1). Return 0 to go on, a positive
 * value to stop reading (csvr_read then returns it). */
typedef int (*csvr_record_fn)(void *arg, int64_t record, const csvr_field *f, int n);
/* Called between chunks with the bytes read so far (for a progress bar). May be NULL. */
typedef void (*csvr_progress_fn)(void *arg, size_t done, size_t total);

/* Converts in[len] from encoding ("utf-8" or "cp1258") to UTF-8 without a BOM. *out points into
 * in (no copy) or to a new buffer (*owned set: free it). Returns 0, or -1 with err set. */
int csvr_decode(const char *in, size_t len, const char *encoding, const char **out, size_t *outlen,
                char **owned, char *err, size_t cap);

/* Reads every record of buf[len]. Returns 0, the callback's nonzero value, or -1 with err set
 * ("record N: ..." for malformed CSV or a bound exceeded). */
int csvr_read(const char *buf, size_t len, csvr_record_fn fn, csvr_progress_fn progress, void *arg,
              char *err, size_t cap);

#endif
