/* error.c: messages and exit statuses for the CV_E* codes. Owns no state. Every message is made
 * safe to print here, once: whatever input it echoes, it stays one line and sends no control
 * sequence to a terminal. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <utf8proc.h>

/* Rewrites msg so that it is one line of printable UTF-8: control characters (C0, DEL, C1) and
 * bytes that are not UTF-8 become \n, \r, \t, \e or \xHH / \u{HH}. Idempotent, so a message
 * that quotes another is never escaped twice. Cuts at a whole escape when the result is too long.
 */
static void escape_msg(char *msg, size_t cap)
{
    char raw[sizeof((cv_err *)0)->msg];
    snprintf(raw, sizeof raw, "%s", msg);
    size_t n = strlen(raw), out = 0;
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t len =
            utf8proc_iterate((const utf8proc_uint8_t *)raw + i, (utf8proc_ssize_t)(n - i), &cp);
        char esc[12];
        const char *put = esc;
        size_t k;
        if (len < 0)
            k = (size_t)snprintf(esc, sizeof esc, "\\x%02x", (unsigned char)raw[i]), len = 1;
        else if (cp == '\n' || cp == '\r' || cp == '\t' || cp == 0x1b)
            k = (size_t)snprintf(esc, sizeof esc, "\\%c",
                                 cp == '\n'   ? 'n'
                                 : cp == '\r' ? 'r'
                                 : cp == '\t' ? 't'
                                              : 'e');
        else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
            k = (size_t)snprintf(esc, sizeof esc, cp < 0x80 ? "\\x%02x" : "\\u{%02x}",
                                 (unsigned)cp);
        else
            put = raw + i, k = (size_t)len;
        if (out + k >= cap)
            break;
        memcpy(msg + out, put, k);
        out += k;
        i += (size_t)len;
    }
    msg[out] = '\0';
}

static const char *(*translate)(const char *fmt);

void cv_err_translator(const char *(*fn)(const char *fmt))
{
    translate = fn;
}

const char *cv_err_term(const char *msgid)
{
    return translate && msgid ? translate(msgid) : msgid;
}

int cv_err_set(cv_err *e, int code, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        e->fmt = fmt;
        if (translate)
            fmt = translate(fmt);
        va_start(ap, fmt);
        e->code = code;
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
        escape_msg(e->msg, sizeof e->msg);
    }
    return code;
}

void cv_err_clear(cv_err *e)
{
    if (e) {
        e->code = CV_OK;
        e->msg[0] = '\0';
        e->fmt = NULL;
    }
}

const char *cv_strerror(int code)
{
    switch (code) {
    case CV_OK:
        return "ok";
    case CV_EINVAL:
        return "invalid input";
    case CV_ENOTFOUND:
        return "not found";
    case CV_ECONFLICT:
        return "conflict";
    case CV_ESTORE:
        return "store error";
    case CV_EIO:
        return "i/o error";
    case CV_ENOMEM:
        return "out of memory";
    case CV_EBUSY:
        return "busy";
    case CV_ELIMIT:
        return "limit exceeded";
    case CV_ESCRIPT:
        return "script error";
    case CV_EPLUGIN:
        return "plugin error";
    case CV_EPERM:
        return "permission denied";
    case CV_EINTERNAL:
        return "internal error";
    default:
        return "unknown error";
    }
}

int cv_err_exit_status(int code)
{
    switch (code) {
    case CV_OK:
        return 0;
    case CV_EINVAL:
        return EX_USAGE;
    case CV_ENOTFOUND:
    case CV_ECONFLICT:
    case CV_ELIMIT:
        return EX_DATAERR;
    case CV_EIO:
        return EX_IOERR;
    case CV_EBUSY:
        return EX_TEMPFAIL;
    case CV_EPLUGIN:
        return EX_CONFIG;
    case CV_EPERM:
        return EX_NOPERM;
    default:
        return EX_SOFTWARE;
    }
}
