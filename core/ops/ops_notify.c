/* ops_notify.c: queueing a notification by hand and configuring delivery, as operations. The
 * rules that lived in the CLI live here: the values typed into a notification are NFC text, a
 * template placeholder without a value is refused, the same command at the same instant is one
 * notification, and a name is sent to every address its contacts give. Nothing here sends. */
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/text.h"
#include "notify/deliver.h"
#include "notify/notify.h"
#include "notify/template.h"
#include "ops/ops.h"
#include "sched/contact.h"
#include "store/journal.h"
#include "store/outbox.h"

#define TEXT(n, max, help)                                                                         \
    {                                                                                              \
        n, CV_ARG_TEXT, 0, 0, max, help                                                            \
    }

/* The key of a notification queued by hand: the same command at the same instant is the same
 * notification, so running it twice queues it once. */
static void manual_key(const char *channel, const char *recipient, const char *subject,
                       char key[96])
{
    char buf[2048], idem[33];
    snprintf(buf, sizeof buf, "%s\n%s\n%s", channel, recipient, subject);
    cv_notify_idem(buf, idem);
    snprintf(key, 96, "manual:%lld:%s", (long long)cv_clock_now(), idem);
}

typedef struct queue_ctx {
    cv_store *s;
    const char *key, *subject, *body;
    int many; /* addresses from contacts: each key is KEY|channel|address */
    json_t *out;
} queue_ctx;

static int queue_one(const char *channel, const char *address, void *arg, cv_err *e)
{
    queue_ctx *q = arg;
    char key[1024];
    snprintf(key, sizeof key, q->many ? "%s|%s|%s" : "%s", q->key, channel, address);
    cv_notification n = {key, channel, address, q->subject, q->body};
    int rc = cv_outbox_put(q->s, &n, e);
    if (rc == 1 && cv_journal_emit(q->s, "notification.queued", 0,
                                   json_pack("{s:s, s:s, s:s}", "key", key, "channel", channel,
                                             "recipient", address),
                                   NULL, e) < 0)
        return e->code;
    if (rc < 0)
        return rc;
    json_array_append_new(q->out, json_pack("{s:b, s:s, s:s, s:s, s:s}", "queued", rc == 1, "key",
                                            key, "channel", channel, "recipient", address,
                                            "subject", q->subject));
    return 0;
}

/* NFC of an optional value into out (left "" when absent). */
static int clean(json_t *args, const char *name, char out[CV_NAME_MAX], cv_err *e)
{
    const char *in = cv_op_text(args, name);
    return in ? cv_text_nfc(in, out, CV_NAME_MAX, name, e) : 0;
}

/* Renders subject and body from the template (or "message": subject and body as given), with
 * only the values given: a placeholder without one is refused, not left blank. */
static int compose(cv_store *s, json_t *args, const char *recipient, char **subject, char **body,
                   cv_err *e)
{
    char subj[CV_NAME_MAX] = "", title[CV_NAME_MAX] = "", org[CV_NAME_MAX] = "";
    if (clean(args, "subject", subj, e) < 0 || clean(args, "title", title, e) < 0 ||
        clean(args, "org", org, e) < 0)
        return e->code;
    const char *tmpl = cv_op_text(args, "template");
    const char *given[][2] = {{"recipient", recipient},
                              {"subject", cv_op_text(args, "subject") ? subj : NULL},
                              {"body", cv_op_text(args, "body")},
                              {"title", cv_op_text(args, "title") ? title : NULL},
                              {"org", cv_op_text(args, "org") ? org : NULL},
                              {"due", cv_op_text(args, "due")},
                              {"date", cv_op_text(args, "date")}};
    const char *vars[2 * 7 + 1];
    int n = 0;
    for (int i = 0; i < 7; i++)
        if (given[i][1]) {
            vars[n++] = given[i][0];
            vars[n++] = given[i][1];
        }
    vars[n] = NULL;
    if (!tmpl && (!cv_op_text(args, "subject") || !cv_op_text(args, "body")))
        return cv_err_set(e, CV_EINVAL, N_("--subject and --body (or --template) are required"));
    return cv_template_render(s, tmpl ? tmpl : "message", vars, subject, body, e);
}

static int queue_by_hand(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    char recipient[CV_NAME_MAX], key[96];
    const char *channel = cv_op_text(args, "channel"), *given_key = cv_op_text(args, "key");
    if (cv_text_nfc(cv_op_text(args, "recipient"), recipient, sizeof recipient, "ADDRESS", e) < 0 ||
        (channel && cv_outbox_check_address(channel, recipient, e) < 0))
        return e->code;
    char *subject = NULL, *body = NULL;
    if (compose(c->s, args, recipient, &subject, &body, e) < 0)
        return e->code;
    if (!given_key)
        manual_key(channel ? channel : "contacts", recipient, subject, key);
    queue_ctx q = {c->s, given_key ? given_key : key, subject, body, !channel, json_array()};
    int rc = channel ? queue_one(channel, recipient, &q, e)
                     : cv_contact_resolve(c->s, recipient, queue_one, &q, e);
    free(subject);
    free(body);
    if (rc < 0) {
        json_decref(q.out);
        return rc;
    }
    *result = q.out;
    return 0;
}

/* Lists the delivery settings; with key and value, changes one first, journaled with the value
 * before and after. */
static int config(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    const char *key = cv_op_text(args, "key"), *value = cv_op_text(args, "value");
    if (!key != !value)
        return cv_err_set(e, CV_EINVAL, N_("notify config takes KEY and VALUE together"));
    if (key) {
        char before[1024] = "";
        cv_err unset;
        cv_store_setting_get(c->s, key, before, sizeof before, &unset);
        if (cv_notify_config_set(c->s, key, value, e) < 0 ||
            cv_journal_emit(c->s, "notify.configured", 0,
                            json_pack("{s:s, s:{s:s}, s:{s:s}}", "key", key, "before", "value",
                                      before, "after", "value", value),
                            NULL, e) < 0)
            return e->code;
    }
    return cv_notify_config_list(c->s, result, e);
}

static int outbox_list(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    const char *state = cv_op_text(args, "state");
    if (state && strcmp(state, "pending") && strcmp(state, "sent") && strcmp(state, "failed"))
        return cv_err_set(e, CV_EINVAL, N_("--state must be pending, sent or failed"));
    return cv_deliver_list(c->s, state, (int)cv_op_int(args, "limit", 100), result, e);
}

/* Requeues a failed delivery: pending again, due now, its tries counted afresh. */
static int outbox_retry(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    int64_t id = cv_op_int(args, "id", 0);
    if (cv_deliver_retry(c->s, id, e) < 0)
        return e->code;
    *result = json_pack("{s:I, s:s}", "id", (json_int_t)id, "state", "pending");
    return 0;
}

static const cv_op_arg send_args[] = {
    {"recipient", CV_ARG_TEXT, 1, 0, CV_NAME_MAX - 1, "an address, or a contact's name"},
    {"channel", CV_ARG_TEXT, 0, 0, 16, "smtp, webhook or log (none: every address of the contact)"},
    TEXT("subject", CV_NAME_MAX - 1, "the subject"),
    TEXT("body", 16384, "the body"),
    {"template", CV_ARG_CODE, 0, 0, 0, "a template instead of subject and body"},
    TEXT("key", 200, "the idempotency key (the command and the instant)"),
    TEXT("title", CV_NAME_MAX - 1, "the template's {title}"),
    TEXT("org", CV_NAME_MAX - 1, "the template's {org}"),
    {"due", CV_ARG_DATE, 0, 0, 0, "the template's {due}"},
    {"date", CV_ARG_DATE, 0, 0, 0, "the template's {date}"},
    CV_OP_ARGS_END};
static const cv_op_arg config_args[] = {TEXT("key", 95, "a setting"),
                                        TEXT("value", 1023, "its new value"), CV_OP_ARGS_END};

static const cv_op_arg outbox_args[] = {
    TEXT("state", 7, "pending, sent or failed"),
    {"limit", CV_ARG_INT, 0, 1, 100000, "at most this many rows, newest first (100)"},
    CV_OP_ARGS_END};
static const cv_op_arg retry_args[] = {
    {"id", CV_ARG_INT, 1, 1, INT64_MAX, "the failed notification's number"}, CV_OP_ARGS_END};

const cv_op cv_ops_notify[] = {
    {"notify.send", "queue a notification by hand", send_args, CV_ROLE_ADMIN, CV_AT_STORE, NULL, 0,
     NULL, 1, queue_by_hand,
     "{\"recipient\":\"vp@example.org\",\"channel\":\"log\",\"subject\":\"Họp\","
     "\"body\":\"8 giờ\"}"},
    {"notify.config", "delivery settings and templates (with key and value: change one)",
     config_args, CV_ROLE_ADMIN, CV_AT_STORE, NULL, 0, NULL, 1, config,
     "{\"key\":\"notify.max_tries\",\"value\":\"5\"}"},
    {"outbox.list", "what is queued, sent and failed", outbox_args, CV_ROLE_ADMIN, CV_AT_STORE,
     NULL, 0, NULL, 0, outbox_list, "{\"state\":\"failed\",\"limit\":10}"},
    {"outbox.retry", "requeue a failed notification", retry_args, CV_ROLE_ADMIN, CV_AT_STORE, NULL,
     0, NULL, 1, outbox_retry, "{\"id\":$OUTBOX}"},
    CV_OPS_END,
};
