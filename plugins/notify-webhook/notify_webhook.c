/* notify_webhook.c: the "webhook" channel: an HTTP POST of the notification as JSON to the
 * recipient URL, signed with HMAC-SHA256 over the exact body (libsodium) and carrying an
 * Idempotency-Key derived from the notification's key. It only prepares transfers; the notify
 * service performs them on the loop. Any status outside 2xx is a failed try. */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify/notifier.h"

#define REPLY_KEEP 200 /* bytes of a refusal's body kept as the reason */

typedef struct webhook_ctx {
    unsigned char secret[256];
    size_t secret_len;
    char header[64];
} webhook_ctx;

typedef struct webhook_req {
    char *body;
    struct curl_slist *headers;
    char reply[REPLY_KEEP + 1];
    size_t reply_len;
    char errbuf[CURL_ERROR_SIZE];
} webhook_req;

static const cv_notifier_opt webhook_opts[] = {
    {"secret", NULL, "the shared secret of the HMAC-SHA256 signature (at least 16 bytes)"},
    {"header", "X-Convene-Signature", "the header that carries sha256=<hex HMAC of the body>"},
    {NULL, NULL, NULL},
};

static int webhook_open(const cv_notifier_config *cfg, void **ctx, cv_err *e)
{
    const char *secret = cv_notifier_config_get(cfg, "secret");
    const char *header = cv_notifier_config_get(cfg, "header");
    if (!secret || strlen(secret) < 16 || strlen(secret) > 256)
        return cv_err_set(e, CV_EINVAL, "notify.webhook.secret must be set (16 to 256 bytes)");
    if (!header || !*header || strlen(header) >= 64 || strpbrk(header, ": \r\n"))
        return cv_err_set(e, CV_EINVAL, "notify.webhook.header is not a header name");
    webhook_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return cv_err_set(e, CV_ENOMEM, "out of memory");
    c->secret_len = strlen(secret);
    memcpy(c->secret, secret, c->secret_len);
    snprintf(c->header, sizeof c->header, "%s", header);
    *ctx = c;
    return 0;
}

static void webhook_close(void *ctx)
{
    sodium_memzero(ctx, sizeof(webhook_ctx));
    free(ctx);
}

static size_t keep_reply(char *data, size_t size, size_t nmemb, void *arg)
{
    webhook_req *r = arg;
    size_t n = size * nmemb, room = REPLY_KEEP - r->reply_len;
    memcpy(r->reply + r->reply_len, data, n < room ? n : room);
    r->reply_len += n < room ? n : room;
    return n;
}

static void req_free(webhook_req *r)
{
    if (!r)
        return;
    curl_slist_free_all(r->headers);
    free(r->body);
    free(r);
}

/* Adds "name: value" to the request's headers. */
static int add_header(webhook_req *r, const char *name, const char *value)
{
    char line[256];
    snprintf(line, sizeof line, "%s: %s", name, value);
    struct curl_slist *l = curl_slist_append(r->headers, line);
    if (!l)
        return -1;
    r->headers = l;
    return 0;
}

static char *json_body(const cv_notifier_msg *m)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "key", m->key, "id", m->idem,
                          "recipient", m->recipient, "subject", m->subject, "body", m->body,
                          "created_at", (json_int_t)m->created_at);
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(j);
    return s;
}

/* "sha256=" and the hex HMAC-SHA256 of body under the secret as given (the streaming API takes
 * a key of any length, as RFC 2104 and every receiver's hmac library do). */
static void sign(const webhook_ctx *c, const char *body, char sig[72])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, c->secret, c->secret_len);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(sig, "sha256=", 7);
    sodium_bin2hex(sig + 7, 65, mac, sizeof mac);
}

static int webhook_prepare(void *ctx, const cv_notifier_msg *m, CURL *easy, void **req, cv_err *e)
{
    webhook_ctx *c = ctx;
    if ((strncmp(m->recipient, "http://", 7) && strncmp(m->recipient, "https://", 8)) ||
        strlen(m->recipient) > 2000 || strpbrk(m->recipient, " \r\n"))
        return cv_err_set(e, CV_EINVAL, "not an http(s) URL: '%s'", m->recipient);
    webhook_req *r = calloc(1, sizeof *r);
    char sig[72];
    if (!r || !(r->body = json_body(m))) {
        req_free(r);
        return cv_err_set(e, CV_ENOMEM, "out of memory");
    }
    sign(c, r->body, sig);
    if (add_header(r, "Content-Type", "application/json; charset=utf-8") < 0 ||
        add_header(r, "Idempotency-Key", m->idem) < 0 || add_header(r, c->header, sig) < 0 ||
        add_header(r, "Expect", "") < 0) {
        req_free(r);
        return cv_err_set(e, CV_ENOMEM, "out of memory");
    }
    curl_easy_setopt(easy, CURLOPT_URL, m->recipient);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, r->body);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long)strlen(r->body));
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, r->headers);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, keep_reply);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, r->errbuf);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "convene-notify-webhook");
    *req = r;
    return 0;
}

static int webhook_finish(void *ctx, void *req, CURL *easy, CURLcode result, cv_err *e)
{
    (void)ctx;
    webhook_req *r = req;
    long status = 0;
    int rc = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    if (result != CURLE_OK)
        rc = cv_err_set(e, CV_EIO, "webhook: %s%s%s", curl_easy_strerror(result),
                        r->errbuf[0] ? ": " : "", r->errbuf);
    else if (status < 200 || status > 299) {
        r->reply[r->reply_len] = '\0';
        for (char *p = r->reply; *p; p++)
            if ((unsigned char)*p < 0x20)
                *p = ' ';
        rc = cv_err_set(e, CV_EIO, "webhook: HTTP %ld%s%s", status, r->reply_len ? ": " : "",
                        r->reply);
    }
    req_free(r);
    return rc;
}

const cv_notifier cv_notifier_webhook = {
    .channel = "webhook",
    .opts = webhook_opts,
    .open = webhook_open,
    .close = webhook_close,
    .prepare = webhook_prepare,
    .finish = webhook_finish,
};
