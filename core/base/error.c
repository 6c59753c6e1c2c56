/* error.c: messages and exit statuses for the CV_E* codes. Owns no state. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <sysexits.h>

int cv_err_set(cv_err *e, int code, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        e->code = code;
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

void cv_err_clear(cv_err *e)
{
    if (e) {
        e->code = CV_OK;
        e->msg[0] = '\0';
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
