/* config.c: the settings of outbox delivery admins change with `convene notify config` (the
 * retry policy and the templates; each notifier plugin's own settings live with the plugin), and
 * the idempotency id derived from a key. It never delivers. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "notify/deliver.h"
#include "notify/notify.h"
#include "notify/template.h"

void cv_notify_idem(const char *key, char idem[33])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)key, strlen(key));
    sodium_bin2hex(idem, 33, h, 16);
}

int cv_notify_config_set(cv_store *s, const char *key, const char *value, cv_err *e)
{
    if (strncmp(key, "notify.template.", 16) == 0)
        return cv_template_set(s, key, value, e);
    return cv_deliver_policy_set(s, key, value, e);
}

int cv_notify_config_list(cv_store *s, json_t **out, cv_err *e)
{
    cv_deliver_policy p;
    if (cv_deliver_policy_load(s, &p, e) < 0)
        return e->code;
    json_t *list =
        json_pack("[{s:s,s:i},{s:s,s:I},{s:s,s:I},{s:s,s:i}]", "key", "notify.max_tries", "value",
                  p.max_tries, "key", "notify.backoff_base_ms", "value", (json_int_t)p.base_ms,
                  "key", "notify.backoff_cap_ms", "value", (json_int_t)p.cap_ms, "key",
                  "notify.concurrency", "value", p.concurrency);
    for (int i = 0; cv_template_names[i]; i++)
        for (const char *const *part = (const char *const[]){"subject", "body", NULL}; *part;
             part++) {
            char key[96], val[1024];
            cv_err unset;
            snprintf(key, sizeof key, "notify.template.%s.%s", cv_template_names[i], *part);
            if (cv_store_setting_get(s, key, val, sizeof val, &unset) == 0)
                json_array_append_new(list, json_pack("{s:s, s:s}", "key", key, "value", val));
        }
    *out = list;
    return 0;
}
