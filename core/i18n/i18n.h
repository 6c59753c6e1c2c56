/* i18n.h: the words people read, in their language. One message catalogue per language, written
 * as a gettext .po file (web/po/<lang>.po) and compiled by msgfmt at build time into a .mo file
 * that this module reads; the message ids are the English text, so English needs no catalogue.
 * Also the Vietnamese forms of dates (22/05/2020) and numbers (4.200; 58,3). Never writes. */
#ifndef CV_I18N_H
#define CV_I18N_H

#include <stddef.h>

#include "base/error.h"

typedef enum cv_lang { CV_LANG_VI = 0, CV_LANG_EN = 1 } cv_lang;

/* The language called name ("vi", "en", "vi_VN.UTF-8", ...); unknown names give Vietnamese,
 * the default of every page. */
cv_lang cv_i18n_lang(const char *name);
const char *cv_i18n_lang_code(cv_lang lang);

/* The language of the CLI's human-readable output: $CONVENE_LANG, else the first of LC_ALL,
 * LC_MESSAGES and LANG that is set; Vietnamese when it names vi, else English, because a shell
 * on a server usually runs in the C or an English locale and scripts read what it prints. */
cv_lang cv_i18n_env_lang(void);

/* Loads the compiled catalogues from dir (dir/<lang>.mo); NULL: $CONVENE_LOCALE_DIR, else the
 * build tree's, else the installed one. A missing or malformed file is an error; the catalogues
 * then stay as they were (English text everywhere until one loads). Not thread-safe: call once
 * at start, before any thread translates. */
int cv_i18n_load(const char *dir, cv_err *e);

/* The language of the calling thread's refusals (cv_err messages marked N_), English until set;
 * returns the one it replaces, for the caller to restore. A server sets its reader's language
 * around the work it does for them; the CLI sets its locale's at start. */
cv_lang cv_i18n_use(cv_lang lang);

/* Releases the catalogues (tests; the process keeps them otherwise). */
void cv_i18n_unload(void);

/* The translation of msgid into lang, or msgid itself when there is none. The result lives as
 * long as the catalogue (or msgid). Safe from any thread once loaded. */
const char *cv_tr(cv_lang lang, const char *msgid);

/* Writes msg (a translated message with %s holes and %% for a percent sign, the form msgfmt -c
 * checks) into out[cap], each %s replaced by the next string argument (NULL is empty). Only
 * strings: numbers and dates are formatted first, by the functions below. Truncates to fit. */
void cv_i18n_fmt(char *out, size_t cap, const char *msg, ...);

/* "2020-05-22" (or a longer ISO time) as lang writes it: 22/05/2020, or 2020-05-22 in English.
 * Anything else is copied as it is. out has at least 11 bytes. */
void cv_i18n_date(cv_lang lang, const char *iso, char *out, size_t cap);

/* n with grouped thousands and `decimals` digits after the point (0-3): 1.234,5 in Vietnamese,
 * 1,234.5 in English. Rounds half away from zero. */
void cv_i18n_number(cv_lang lang, double n, int decimals, char *out, size_t cap);

#endif
