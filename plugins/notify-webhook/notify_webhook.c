/* notify_webhook.c: the notify-webhook plugin, channel "webhook": an HTTP POST of the
 * notification as JSON to the recipient URL on the host's loop (plugins/lib/curlhost), signed
 * with HMAC-SHA256 over the exact body (libsodium) and carrying an Idempotency-Key derived from
 * the notification's key. It includes only convene/plugin.h of convene. A 2xx reply is
 * delivered; 408, 429 and 5xx are retried; any other status is refused for good. */
#include <convene/plugin.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/curlhost.h"

#define REPLY_KEEP 200 /* bytes of a refusal's body kept as the reason */

static const cv_host_api *host;

typedef struct webhook_ctx {
    cv_plugin_ctx *ctx;
    curlhost *curl;
    const char *secret, *header; /* the host's, valid until fini */
    int64_t timeout_ms;
} webhook_ctx;

typedef struct webhook_req {
    webhook_ctx *c;
    cv_plugin_delivery *d;
    char *body;
    struct curl_slist *headers;
    char reply[REPLY_KEEP + 1];
    size_t reply_len;
    char errbuf[CURL_ERROR_SIZE];
} webhook_req;

static const cv_plugin_config_entry webhook_config[] = {
    {"secret", CV_PLUGIN_CONFIG_SECRET, NULL,
     "the HMAC-SHA256 key shared with receivers (16-256 bytes)"},
    {"header", CV_PLUGIN_CONFIG_TEXT, "X-Convene-Signature",
     "carries sha256=<hex HMAC of the body>"},
    {"timeout_ms", CV_PLUGIN_CONFIG_INT, "30000", "one delivery's deadline"},
    {NULL, 0, NULL, NULL},
};

static int webhook_init(cv_plugin_ctx *ctx, const cv_host_api *h, void **state)
{
    const char *secret = h->config_text(ctx, "secret"), *header = h->config_text(ctx, "header");
    int64_t timeout = h->config_int(ctx, "timeout_ms");
    if (!secret || strlen(secret) < 16 || strlen(secret) > 256)
        return h->error(ctx, CV_PLUGIN_EINVAL, "secret must be set (16 to 256 bytes)");
    if (!header || !*header || strlen(header) >= 64 || strpbrk(header, ": \r\n"))
        return h->error(ctx, CV_PLUGIN_EINVAL, "header is not a header name");
    if (timeout < 100 || timeout > 600000)
        return h->error(ctx, CV_PLUGIN_EINVAL, "timeout_ms must be 100 to 600000");
    if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return h->error(ctx, CV_PLUGIN_EFAILED, "cannot initialise libsodium or libcurl");
    webhook_ctx *c = calloc(1, sizeof *c);
    if (!c || !(c->curl = curlhost_new(h, ctx))) {
        free(c);
        curl_global_cleanup();
        return h->error(ctx, CV_PLUGIN_ENOMEM, "out of memory");
    }
    *c = (webhook_ctx){ctx, c->curl, secret, header, timeout};
    *state = c;
    return 0;
}

/* Transfers still running are abandoned: the host completes their deliveries as retries. */
static void webhook_fini(void *state)
{
    webhook_ctx *c = state;
    curlhost *curl = c->curl;
    c->curl = NULL; /* tells on_done not to complete what fini abandons */
    curlhost_free(curl);
    free(c);
    curl_global_cleanup();
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

static char *json_body(const cv_plugin_message *m, const char *idem)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "key", m->key, "id", idem, "recipient",
                          m->recipient, "subject", m->subject, "body", m->body, "notification",
                          (json_int_t)m->id);
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
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)c->secret, strlen(c->secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(sig, "sha256=", 7);
    sodium_bin2hex(sig + 7, 65, mac, sizeof mac);
}

static void on_done(CURL *easy, CURLcode result, void *arg)
{
    webhook_req *r = arg;
    webhook_ctx *c = r->c;
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(easy);
    if (c->curl) {
        char reason[CURL_ERROR_SIZE + REPLY_KEEP + 64] = "";
        int outcome = CV_PLUGIN_SENT;
        if (result != CURLE_OK) {
            snprintf(reason, sizeof reason, "webhook: %s%s%s", curl_easy_strerror(result),
                     r->errbuf[0] ? ": " : "", r->errbuf);
            outcome = CV_PLUGIN_RETRY;
        } else if (status < 200 || status > 299) {
            r->reply[r->reply_len] = '\0';
            for (char *p = r->reply; *p; p++)
                if ((unsigned char)*p < 0x20)
                    *p = ' ';
            snprintf(reason, sizeof reason, "webhook: HTTP %ld%s%s", status,
                     r->reply_len ? ": " : "", r->reply);
            outcome = status == 408 || status == 429 || status >= 500 ? CV_PLUGIN_RETRY
                                                                      : CV_PLUGIN_REJECTED;
        }
        host->deliver_done(c->ctx, r->d, outcome, reason);
    }
    req_free(r);
}

static int valid_url(const char *url)
{
    return (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0) &&
           strlen(url) <= 2000 && !strpbrk(url, " \r\n");
}

static void set_options(webhook_ctx *c, webhook_req *r, CURL *easy, const char *url)
{
    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, r->body);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long)strlen(r->body));
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, r->headers);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, keep_reply);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, r->errbuf);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "convene-notify-webhook/1.0");
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
}

static int webhook_deliver(void *state, const cv_plugin_message *m, cv_plugin_delivery *d)
{
    webhook_ctx *c = state;
    if (!valid_url(m->recipient)) {
        host->deliver_done(c->ctx, d, CV_PLUGIN_REJECTED, "webhook: not an http(s) URL");
        return 0;
    }
    char idem[33], sig[72];
    curlhost_idem(m->key, idem);
    webhook_req *r = calloc(1, sizeof *r);
    CURL *easy = NULL;
    if (!r || !(r->body = json_body(m, idem)))
        goto nomem;
    sign(c, r->body, sig);
    if (add_header(r, "Content-Type", "application/json; charset=utf-8") < 0 ||
        add_header(r, "Idempotency-Key", idem) < 0 || add_header(r, c->header, sig) < 0 ||
        add_header(r, "Expect", "") < 0 || !(easy = curl_easy_init()))
        goto nomem;
    r->c = c;
    r->d = d;
    set_options(c, r, easy, m->recipient);
    int rc = curlhost_add(c->curl, easy, on_done, r);
    if (rc < 0) {
        curl_easy_cleanup(easy);
        req_free(r);
    }
    return rc;
nomem:
    req_free(r);
    return host->error(c->ctx, CV_PLUGIN_ENOMEM, "out of memory");
}

static const cv_plugin_descriptor descriptor = {
    .abi_version = CV_PLUGIN_ABI_VERSION,
    .size = sizeof(cv_plugin_descriptor),
    .kinds = CV_PLUGIN_KIND_NOTIFY,
    .name = "notify-webhook",
    .version = "1.0.0",
    .description = "delivers notifications as signed JSON POSTs to a URL (libcurl)",
    .config = webhook_config,
    .init = webhook_init,
    .fini = webhook_fini,
    .channel = "webhook",
    .deliver = webhook_deliver,
};

CV_PLUGIN_EXPORT const cv_plugin_descriptor *convene_plugin_entry(const cv_host_api *h)
{
    host = h;
    return &descriptor;
}
