/* channels.c: the table of notifiers, their declarative config read from settings
 * (notify.<channel>.<name>), and the idempotency id derived from a key. It never delivers. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "notify/deliver.h"
#include "notify/notify.h"
#include "notify/template.h"

const cv_notifier *const cv_notify_notifiers[] = {&cv_notifier_log, &cv_notifier_smtp,
                                                  &cv_notifier_webhook, NULL};

const cv_notifier *cv_notify_find(const char *channel)
{
    for (int i = 0; cv_notify_notifiers[i]; i++)
        if (strcmp(cv_notify_notifiers[i]->channel, channel) == 0)
            return cv_notify_notifiers[i];
    return NULL;
}

void cv_notify_idem(const char *key, char idem[33])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)key, strlen(key));
    sodium_bin2hex(idem, 33, h, 16);
}

/* Finds the notifier option named by a setting key "notify.<channel>.<name>". */
static const cv_notifier_opt *find_opt(const char *key, const cv_notifier **owner)
{
    if (strncmp(key, "notify.", 7) != 0)
        return NULL;
    for (int i = 0; cv_notify_notifiers[i]; i++) {
        size_t n = strlen(cv_notify_notifiers[i]->channel);
        if (strncmp(key + 7, cv_notify_notifiers[i]->channel, n) != 0 || key[7 + n] != '.')
            continue;
        for (const cv_notifier_opt *o = cv_notify_notifiers[i]->opts; o->name; o++)
            if (strcmp(key + 8 + n, o->name) == 0) {
                *owner = cv_notify_notifiers[i];
                return o;
            }
    }
    return NULL;
}

int cv_notify_config_set(cv_store *s, const char *key, const char *value, cv_err *e)
{
    const cv_notifier *owner;
    if (strncmp(key, "notify.template.", 16) == 0)
        return cv_template_set(s, key, value, e);
    if (strlen(value) > 1000)
        return cv_err_set(e, CV_ELIMIT, "the value of %s is longer than 1000 bytes", key);
    if (find_opt(key, &owner))
        return cv_store_setting_set(s, key, value, e);
    if (strncmp(key, "notify.", 7) == 0 && strchr(key + 7, '.'))
        return cv_err_set(e, CV_EINVAL, "unknown setting '%s' (convene notify config lists them)",
                          key);
    return cv_deliver_policy_set(s, key, value, e);
}

static int secret(const char *name)
{
    return strstr(name, "password") || strstr(name, "secret");
}

int cv_notify_config_list(cv_store *s, json_t **out, cv_err *e)
{
    cv_deliver_policy p;
    if (cv_deliver_policy_load(s, &p, e) < 0)
        return e->code;
    json_t *list = json_pack(
        "[{s:s,s:i},{s:s,s:I},{s:s,s:I},{s:s,s:i},{s:s,s:I}]", "key", "notify.max_tries", "value",
        p.max_tries, "key", "notify.backoff_base_ms", "value", (json_int_t)p.base_ms, "key",
        "notify.backoff_cap_ms", "value", (json_int_t)p.cap_ms, "key", "notify.concurrency",
        "value", p.concurrency, "key", "notify.timeout_ms", "value", (json_int_t)p.timeout_ms);
    for (int i = 0; cv_notify_notifiers[i]; i++)
        for (const cv_notifier_opt *o = cv_notify_notifiers[i]->opts; o->name; o++) {
            char key[128], val[1024];
            cv_err unset;
            snprintf(key, sizeof key, "notify.%s.%s", cv_notify_notifiers[i]->channel, o->name);
            int set = cv_store_setting_get(s, key, val, sizeof val, &unset) == 0;
            json_t *row = json_pack("{s:s, s:s}", "key", key, "help", o->help);
            if (set)
                json_object_set_new(row, "value", json_string(secret(o->name) ? "***" : val));
            if (o->def)
                json_object_set_new(row, "default", json_string(o->def));
            json_array_append_new(list, row);
        }
    *out = list;
    return 0;
}
