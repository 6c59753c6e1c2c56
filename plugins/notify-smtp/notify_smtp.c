/* notify_smtp.c: the "smtp" channel: a plain-text UTF-8 mail per notification through libcurl's
 * SMTP, with a Message-ID derived from the notification's key so a repeated delivery is
 * recognisable. It only prepares transfers; the notify service performs them on the loop. It
 * never lets a recipient or sender with CR/LF into the headers. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "notify/notifier.h"

typedef struct smtp_ctx {
    char url[1024], from[320], user[256], password[256], ca_file[1024];
    long tls; /* CURLUSESSL_* */
} smtp_ctx;

typedef struct smtp_req {
    char *msg;
    size_t len, pos;
    struct curl_slist *rcpt;
    char errbuf[CURL_ERROR_SIZE];
} smtp_req;

static const cv_notifier_opt smtp_opts[] = {
    {"url", NULL, "the server, e.g. smtp://mail.example.vn:587 or smtps://mail.example.vn"},
    {"from", NULL, "the sender address, e.g. vanphong@example.vn"},
    {"username", "", "login name (empty: no authentication)"},
    {"password", "", "login password"},
    {"tls", "try", "STARTTLS: none, try (when offered) or require"},
    {"ca_file", "", "a CA bundle to verify the server with (empty: the system's)"},
    {NULL, NULL, NULL},
};

static int header_safe(const char *s)
{
    return s && *s && !strpbrk(s, "\r\n<>");
}

static int copy_opt(const cv_notifier_config *cfg, const char *name, char *dst, size_t cap,
                    cv_err *e)
{
    const char *v = cv_notifier_config_get(cfg, name);
    if (!v)
        return cv_err_set(e, CV_EINVAL, "notify.smtp.%s is not set", name);
    if (strlen(v) >= cap)
        return cv_err_set(e, CV_ELIMIT, "notify.smtp.%s is too long", name);
    memcpy(dst, v, strlen(v) + 1);
    return 0;
}

static int smtp_open(const cv_notifier_config *cfg, void **ctx, cv_err *e)
{
    smtp_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return cv_err_set(e, CV_ENOMEM, "out of memory");
    char tls[16];
    int rc = 0;
    if (copy_opt(cfg, "url", c->url, sizeof c->url, e) < 0 ||
        copy_opt(cfg, "from", c->from, sizeof c->from, e) < 0 ||
        copy_opt(cfg, "username", c->user, sizeof c->user, e) < 0 ||
        copy_opt(cfg, "password", c->password, sizeof c->password, e) < 0 ||
        copy_opt(cfg, "ca_file", c->ca_file, sizeof c->ca_file, e) < 0 ||
        copy_opt(cfg, "tls", tls, sizeof tls, e) < 0)
        rc = e->code;
    else if (strncmp(c->url, "smtp://", 7) != 0 && strncmp(c->url, "smtps://", 8) != 0)
        rc = cv_err_set(e, CV_EINVAL, "notify.smtp.url must start with smtp:// or smtps://");
    else if (!header_safe(c->from) || !strchr(c->from, '@'))
        rc = cv_err_set(e, CV_EINVAL, "notify.smtp.from is not an address: '%s'", c->from);
    else if (strcmp(tls, "none") && strcmp(tls, "try") && strcmp(tls, "require"))
        rc = cv_err_set(e, CV_EINVAL, "notify.smtp.tls must be none, try or require");
    if (rc < 0) {
        sodium_memzero(c, sizeof *c);
        free(c);
        return rc;
    }
    c->tls = !strcmp(tls, "none")  ? CURLUSESSL_NONE
             : !strcmp(tls, "try") ? CURLUSESSL_TRY
                                   : CURLUSESSL_ALL;
    *ctx = c;
    return 0;
}

static void smtp_close(void *ctx)
{
    sodium_memzero(ctx, sizeof(smtp_ctx));
    free(ctx);
}

/* Base64 of len bytes of s in lines of at most 76 characters (RFC 2045), CRLF-terminated. */
static char *base64_lines(const char *s, size_t len)
{
    size_t b64len = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = malloc(b64len), *out = malloc(b64len + (b64len / 76 + 1) * 2 + 1);
    if (!b64 || !out) {
        free(b64);
        free(out);
        return NULL;
    }
    sodium_bin2base64(b64, b64len, (const unsigned char *)s, len, sodium_base64_VARIANT_ORIGINAL);
    size_t n = strlen(b64), o = 0;
    for (size_t i = 0; i < n; i += 76) {
        size_t k = n - i < 76 ? n - i : 76;
        memcpy(out + o, b64 + i, k);
        o += k;
        out[o++] = '\r';
        out[o++] = '\n';
    }
    out[o] = '\0';
    free(b64);
    return out;
}

/* The whole message: headers (Subject in RFC 2047 base64 so Vietnamese survives any relay) and
 * a base64 body. The Date is the notification's creation, so every retry is the same mail. */
static char *build_message(const smtp_ctx *c, const cv_notifier_msg *m)
{
    char date[64];
    time_t t = (time_t)(m->created_at / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    size_t slen = strlen(m->subject);
    size_t s64len = sodium_base64_ENCODED_LEN(slen, sodium_base64_VARIANT_ORIGINAL);
    char *s64 = malloc(s64len), *b64 = base64_lines(m->body, strlen(m->body)), *msg = NULL;
    if (s64 && b64) {
        sodium_bin2base64(s64, s64len, (const unsigned char *)m->subject, slen,
                          sodium_base64_VARIANT_ORIGINAL);
#define SMTP_MESSAGE                                                                               \
    "Date: %s\r\nFrom: <%s>\r\nTo: <%s>\r\nSubject: =?UTF-8?B?%s?=\r\n"                            \
    "Message-ID: <%s@convene>\r\nMIME-Version: 1.0\r\n"                                            \
    "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n%s"
        int n = snprintf(NULL, 0, SMTP_MESSAGE, date, c->from, m->recipient, s64, m->idem, b64);
        msg = n > 0 ? malloc((size_t)n + 1) : NULL;
        if (msg)
            snprintf(msg, (size_t)n + 1, SMTP_MESSAGE, date, c->from, m->recipient, s64, m->idem,
                     b64);
    }
    free(s64);
    free(b64);
    return msg;
}

static size_t read_message(char *buf, size_t size, size_t nmemb, void *arg)
{
    smtp_req *r = arg;
    size_t n = size * nmemb, left = r->len - r->pos;
    if (n > left)
        n = left;
    memcpy(buf, r->msg + r->pos, n);
    r->pos += n;
    return n;
}

static void req_free(smtp_req *r)
{
    if (!r)
        return;
    curl_slist_free_all(r->rcpt);
    free(r->msg);
    free(r);
}

static int smtp_prepare(void *ctx, const cv_notifier_msg *m, CURL *easy, void **req, cv_err *e)
{
    smtp_ctx *c = ctx;
    if (!header_safe(m->recipient) || !strchr(m->recipient, '@') || strlen(m->recipient) > 320)
        return cv_err_set(e, CV_EINVAL, "not an e-mail address: '%s'", m->recipient);
    smtp_req *r = calloc(1, sizeof *r);
    if (!r || !(r->msg = build_message(c, m)) ||
        !(r->rcpt = curl_slist_append(NULL, m->recipient))) {
        req_free(r);
        return cv_err_set(e, CV_ENOMEM, "out of memory");
    }
    r->len = strlen(r->msg);
    curl_easy_setopt(easy, CURLOPT_URL, c->url);
    curl_easy_setopt(easy, CURLOPT_MAIL_FROM, c->from);
    curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, r->rcpt);
    curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(easy, CURLOPT_READFUNCTION, read_message);
    curl_easy_setopt(easy, CURLOPT_READDATA, r);
    curl_easy_setopt(easy, CURLOPT_INFILESIZE, (long)r->len);
    curl_easy_setopt(easy, CURLOPT_USE_SSL, c->tls);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, r->errbuf);
    if (c->user[0]) {
        curl_easy_setopt(easy, CURLOPT_USERNAME, c->user);
        curl_easy_setopt(easy, CURLOPT_PASSWORD, c->password);
    }
    if (c->ca_file[0])
        curl_easy_setopt(easy, CURLOPT_CAINFO, c->ca_file);
    *req = r;
    return 0;
}

static int smtp_finish(void *ctx, void *req, CURL *easy, CURLcode result, cv_err *e)
{
    (void)ctx;
    smtp_req *r = req;
    int rc = 0;
    if (result != CURLE_OK) {
        long code = 0;
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
        rc = cv_err_set(e, CV_EIO, "smtp: %s%s%s (reply %ld)", curl_easy_strerror(result),
                        r->errbuf[0] ? ": " : "", r->errbuf, code);
    }
    req_free(r);
    return rc;
}

const cv_notifier cv_notifier_smtp = {
    .channel = "smtp",
    .opts = smtp_opts,
    .open = smtp_open,
    .close = smtp_close,
    .prepare = smtp_prepare,
    .finish = smtp_finish,
};
