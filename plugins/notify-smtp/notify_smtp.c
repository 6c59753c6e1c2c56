/* notify_smtp.c: the notify-smtp plugin, channel "smtp": a plain-text UTF-8 mail per
 * notification through libcurl's SMTP on the host's loop (plugins/lib/curlhost), with a
 * Message-ID derived from the notification's key so a repeated delivery is recognisable. It
 * includes only convene/plugin.h of convene, and never lets CR/LF into a header. */
#include <convene/plugin.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/curlhost.h"

static const cv_host_api *host;

typedef struct smtp_ctx {
    cv_plugin_ctx *ctx;
    curlhost *curl;
    const char *url, *from, *user, *password, *ca_file; /* the host's, valid until fini */
    long tls;                                           /* CURLUSESSL_* */
    int64_t timeout_ms;
} smtp_ctx;

typedef struct smtp_req {
    smtp_ctx *c;
    cv_plugin_delivery *d;
    char *msg;
    size_t len, pos;
    struct curl_slist *rcpt;
    char errbuf[CURL_ERROR_SIZE];
} smtp_req;

static const cv_plugin_config_entry smtp_config[] = {
    {"url", CV_PLUGIN_CONFIG_TEXT, NULL, "the server: smtp://mail.example.vn:587 or smtps://..."},
    {"from", CV_PLUGIN_CONFIG_TEXT, NULL, "the sender address, e.g. vanphong@example.vn"},
    {"username", CV_PLUGIN_CONFIG_TEXT, "", "login name (empty: no authentication)"},
    {"password", CV_PLUGIN_CONFIG_SECRET, "", "login password"},
    {"tls", CV_PLUGIN_CONFIG_TEXT, "try", "STARTTLS: none, try (when offered) or require"},
    {"ca_file", CV_PLUGIN_CONFIG_TEXT, "",
     "a CA bundle to verify the server (empty: the system's)"},
    {"timeout_ms", CV_PLUGIN_CONFIG_INT, "30000", "one delivery's deadline"},
    {NULL, 0, NULL, NULL},
};

static int header_safe(const char *s)
{
    return s && *s && !strpbrk(s, "\r\n<>");
}

static const char *text(cv_plugin_ctx *ctx, const char *name)
{
    const char *v = host->config_text(ctx, name);
    return v ? v : "";
}

/* Checks the settings into c; a failure leaves the plugin disabled with the reason. */
static int configure(smtp_ctx *c)
{
    const char *tls = text(c->ctx, "tls");
    c->url = text(c->ctx, "url");
    c->from = text(c->ctx, "from");
    c->user = text(c->ctx, "username");
    c->password = text(c->ctx, "password");
    c->ca_file = text(c->ctx, "ca_file");
    c->timeout_ms = host->config_int(c->ctx, "timeout_ms");
    if (strncmp(c->url, "smtp://", 7) != 0 && strncmp(c->url, "smtps://", 8) != 0)
        return host->error(c->ctx, CV_PLUGIN_EINVAL,
                           "url must be set to smtp://HOST[:PORT] or smtps://HOST[:PORT]");
    if (!header_safe(c->from) || !strchr(c->from, '@'))
        return host->error(c->ctx, CV_PLUGIN_EINVAL, "from must be set to a sender address");
    if (c->timeout_ms < 100 || c->timeout_ms > 600000)
        return host->error(c->ctx, CV_PLUGIN_EINVAL, "timeout_ms must be 100 to 600000");
    if (strcmp(tls, "none") && strcmp(tls, "try") && strcmp(tls, "require"))
        return host->error(c->ctx, CV_PLUGIN_EINVAL, "tls must be none, try or require");
    c->tls = !strcmp(tls, "none")  ? CURLUSESSL_NONE
             : !strcmp(tls, "try") ? CURLUSESSL_TRY
                                   : CURLUSESSL_ALL;
    return 0;
}

static int smtp_init(cv_plugin_ctx *ctx, const cv_host_api *h, void **state)
{
    if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return h->error(ctx, CV_PLUGIN_EFAILED, "cannot initialise libsodium or libcurl");
    smtp_ctx *c = calloc(1, sizeof *c);
    int rc = c ? 0 : h->error(ctx, CV_PLUGIN_ENOMEM, "out of memory");
    if (rc == 0) {
        *c = (smtp_ctx){.ctx = ctx};
        rc = configure(c);
    }
    if (rc == 0 && !(c->curl = curlhost_new(h, ctx)))
        rc = h->error(ctx, CV_PLUGIN_ENOMEM, "out of memory");
    if (rc < 0) {
        free(c);
        curl_global_cleanup();
        return rc;
    }
    *state = c;
    return 0;
}

/* Transfers still running are abandoned: the host completes their deliveries as retries. */
static void smtp_fini(void *state)
{
    smtp_ctx *c = state;
    curlhost *curl = c->curl;
    c->curl = NULL; /* tells on_done not to complete what fini abandons */
    curlhost_free(curl);
    free(c);
    curl_global_cleanup();
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
 * a base64 body. The Message-ID is the same on every retry, so the receiver can tell. */
static char *build_message(const smtp_ctx *c, const cv_plugin_message *m, const char *idem)
{
    char date[64];
    time_t t = (time_t)(host->now(c->ctx) / 1000);
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
        int n = snprintf(NULL, 0, SMTP_MESSAGE, date, c->from, m->recipient, s64, idem, b64);
        msg = n > 0 ? malloc((size_t)n + 1) : NULL;
        if (msg)
            snprintf(msg, (size_t)n + 1, SMTP_MESSAGE, date, c->from, m->recipient, s64, idem, b64);
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

/* A permanent refusal (a 5xx reply: no such mailbox, policy) is not retried; anything else
 * (connection refused, timeout, 4xx) is. */
static void on_done(CURL *easy, CURLcode result, void *arg)
{
    smtp_req *r = arg;
    smtp_ctx *c = r->c;
    long code = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(easy);
    if (c->curl) {
        char reason[CURL_ERROR_SIZE + 128] = "";
        if (result != CURLE_OK)
            snprintf(reason, sizeof reason, "smtp: %s%s%s (reply %ld)", curl_easy_strerror(result),
                     r->errbuf[0] ? ": " : "", r->errbuf, code);
        host->deliver_done(c->ctx, r->d,
                           result == CURLE_OK ? CV_PLUGIN_SENT
                           : code >= 500      ? CV_PLUGIN_REJECTED
                                              : CV_PLUGIN_RETRY,
                           reason);
    }
    req_free(r);
}

static void set_options(smtp_ctx *c, smtp_req *r, CURL *easy)
{
    curl_easy_setopt(easy, CURLOPT_URL, c->url);
    curl_easy_setopt(easy, CURLOPT_MAIL_FROM, c->from);
    curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, r->rcpt);
    curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(easy, CURLOPT_READFUNCTION, read_message);
    curl_easy_setopt(easy, CURLOPT_READDATA, r);
    curl_easy_setopt(easy, CURLOPT_INFILESIZE, (long)r->len);
    curl_easy_setopt(easy, CURLOPT_USE_SSL, c->tls);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, r->errbuf);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
    if (*c->user) {
        curl_easy_setopt(easy, CURLOPT_USERNAME, c->user);
        curl_easy_setopt(easy, CURLOPT_PASSWORD, c->password);
    }
    if (*c->ca_file)
        curl_easy_setopt(easy, CURLOPT_CAINFO, c->ca_file);
}

static int smtp_deliver(void *state, const cv_plugin_message *m, cv_plugin_delivery *d)
{
    smtp_ctx *c = state;
    if (!header_safe(m->recipient) || !strchr(m->recipient, '@') || strlen(m->recipient) > 320) {
        host->deliver_done(c->ctx, d, CV_PLUGIN_REJECTED, "smtp: not an e-mail address");
        return 0;
    }
    char idem[33];
    curlhost_idem(m->key, idem);
    smtp_req *r = calloc(1, sizeof *r);
    CURL *easy = NULL;
    if (!r || !(r->msg = build_message(c, m, idem)) ||
        !(r->rcpt = curl_slist_append(NULL, m->recipient)) || !(easy = curl_easy_init())) {
        req_free(r);
        return host->error(c->ctx, CV_PLUGIN_ENOMEM, "out of memory");
    }
    r->c = c;
    r->d = d;
    r->len = strlen(r->msg);
    set_options(c, r, easy);
    int rc = curlhost_add(c->curl, easy, on_done, r);
    if (rc < 0) {
        curl_easy_cleanup(easy);
        req_free(r);
    }
    return rc;
}

static const cv_plugin_descriptor descriptor = {
    .abi_version = CV_PLUGIN_ABI_VERSION,
    .size = sizeof(cv_plugin_descriptor),
    .kinds = CV_PLUGIN_KIND_NOTIFY,
    .name = "notify-smtp",
    .version = "1.0.0",
    .description = "delivers notifications as UTF-8 mail through an SMTP server (libcurl)",
    .config = smtp_config,
    .init = smtp_init,
    .fini = smtp_fini,
    .channel = "smtp",
    .deliver = smtp_deliver,
};

CV_PLUGIN_EXPORT const cv_plugin_descriptor *convene_plugin_entry(const cv_host_api *h)
{
    host = h;
    return &descriptor;
}
