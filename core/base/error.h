/* error.h: the one error idiom of convene. Functions return 0 or a negative CV_E* code and,
 * when given a cv_err, leave one line a person can act on in it. Nothing here prints. */
#ifndef CV_ERROR_H
#define CV_ERROR_H

enum cv_code {
    CV_OK = 0,
    CV_EINVAL = -1,     /* bad argument or malformed input */
    CV_ENOTFOUND = -2,  /* an unknown code, id or name */
    CV_ECONFLICT = -3,  /* a domain invariant would break (duplicate, order, state) */
    CV_ESTORE = -4,     /* SQLite failed */
    CV_EIO = -5,        /* a file or socket failed */
    CV_ENOMEM = -6,     /* out of memory */
    CV_EBUSY = -7,      /* held by someone else (a second daemon, a lock) */
    CV_ELIMIT = -8,     /* a bound was exceeded (size, budget, count) */
    CV_ESCRIPT = -9,    /* a Lua script failed */
    CV_EPLUGIN = -10,   /* a plugin failed or was refused */
    CV_EPERM = -11,     /* the actor holds no role that permits this here */
    CV_EINTERNAL = -12, /* a bug: convene broke a rule of its own (never retried as a fault) */
};

typedef struct cv_err {
    int code;
    char msg[512];
    const char *fmt; /* the format msg was made from, untranslated (a literal), or NULL: what a
                        form reads to find the field a refusal names in any language */
} cv_err;

/* Functions that take a cv_err *e require it non-NULL unless they say otherwise.
 *
 * Records code and a formatted message in e (if e is not NULL); returns code so that callers
 * can write `return cv_err_set(e, CV_EINVAL, "...")`. */
int cv_err_set(cv_err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Marks a message for the catalogue (xgettext keyword N_, tools/po-update.sh): a marked format
 * given to cv_err_set reaches a person in their language when a translator is set. */
#define N_(msgid) msgid

/* The function cv_err_set passes every format through before formatting (NULL: none). It must
 * return fmt or a format with the same conversions (msgfmt --check proves it of a catalogue).
 * Set once at start, before threads (i18n's loader sets one that answers in the calling
 * thread's language). */
void cv_err_translator(const char *(*fn)(const char *fmt));

/* A word of the store's own (a status: "consultation") given to a refusal as an argument, in the
 * language the refusal is given in: the translator's answer for msgid (marked N_ where the words
 * are listed), else msgid itself. */
const char *cv_err_term(const char *msgid);

/* Clears e to CV_OK with an empty message. */
void cv_err_clear(cv_err *e);

/* A short, static name for a code ("not found"). */
const char *cv_strerror(int code);

/* The sysexits(3) status a command exits with for a code. */
int cv_err_exit_status(int code);

#endif
