/* nfc.h: Unicode NFC for import-csv's text cells, in fixed buffers (no allocation per cell), so
 * that "Thái Nguyên" typed precomposed or with combining marks is stored as one name. */
#ifndef NFC_H
#define NFC_H

#define NFC_MAX 512 /* bytes of a normalised cell, with its NUL */

enum { NFC_INVALID = -1, NFC_TOO_LONG = -2 };

/* Normalises the NUL-terminated UTF-8 text s. *result is s itself when s is already NFC by the
 * quick rule (every character one that NFC never changes), else out, which then holds the NFC
 * form. Returns 0, NFC_INVALID (not UTF-8) or NFC_TOO_LONG (s or its form is NFC_MAX bytes or
 * more). */
int nfc_text(const char *s, char out[NFC_MAX], const char **result);

#endif
