/* docread.h: what every reporter plugin shares: reading a report document (README "Reports")
 * and turning a cell into text by its column type. A static library linked into each reporter;
 * it never writes a file. */
#ifndef DOCREAD_H
#define DOCREAD_H

#include <jansson.h>
#include <stddef.h>

/* Parses doc_json and checks its shape (title, meta pairs, sections, tables whose rows have as
 * many cells as columns). NULL with err[cap] set when it is malformed. */
json_t *rd_parse(const char *doc_json, char *err, size_t cap);

/* The string at key of j, or "". */
const char *rd_str(json_t *j, const char *key);

/* A cell as text by its column type: int 4200, real 2 decimals, percent (a fraction) "58.3%",
 * date and text as they are, null "". Returns buf or a string of the document. */
const char *rd_cell(json_t *v, const char *type, char *buf, size_t cap);

/* True for the column types that hold numbers (int, real, percent). */
int rd_numeric(const char *type);

#endif
