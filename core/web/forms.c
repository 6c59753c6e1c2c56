/* forms.c: what the dashboard's forms do with what people typed. Each field is read and checked
 * here first, so a refusal names the field it concerns; then the domain applies its own rules,
 * which stay the only source of truth (the same messages as the CLI). */
#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "base/text.h"
#include "ops/ops.h"
#include "web/web.h"

#define _(msgid) cv_tr(lang, msgid)

static int refuse(cv_web_form *f, const char *field, const char *text, char *msg, size_t cap)
{
    snprintf(msg, cap, "%s", text);
    f->error_field = field;
    f->error = msg;
    return CV_EINVAL;
}

/* Reads a date typed as dd/mm/yyyy (the Vietnamese form) or YYYY-MM-DD into iso[11]. */
static int read_date(const char *in, char iso[11])
{
    unsigned d, m, y;
    int n = 0;
    char buf[32];
    cv_err e;
    if (sscanf(in, "%2u/%2u/%4u%n", &d, &m, &y, &n) == 3 && in[n] == '\0')
        snprintf(buf, sizeof buf, "%04u-%02u-%02u", y, m, d);
    else
        snprintf(buf, sizeof buf, "%.10s", in);
    snprintf(iso, 11, "%.10s", buf);
    return strlen(in) <= 10 && cv_date_check(iso, "date", &e) == 0 ? 0 : -1;
}

/* Reads an optional count; -1 when empty. */
static int read_count(const char *in, int64_t *out)
{
    cv_err e;
    if (!*in) {
        *out = -1;
        return 0;
    }
    return cv_text_count(in, out, "count", &e) == 0 && *out <= 1000000 ? 0 : -1;
}

int cv_web_held_submit(cv_store *s, const cv_actor *actor, cv_lang lang, const char *org,
                       cv_web_form *f, char *msg, size_t cap)
{
    char start[11], end[11];
    const char *end_in = cv_web_form_get(f, "end");
    int64_t summoned, present;
    cv_err e;
    if (read_date(cv_web_form_get(f, "start"), start) < 0)
        return refuse(f, "start", _("Write the first day as dd/mm/yyyy, e.g. 22/05/2020."), msg,
                      cap);
    if (*end_in && read_date(end_in, end) < 0)
        return refuse(f, "end", _("Write the last day as dd/mm/yyyy, or leave it empty."), msg,
                      cap);
    if (read_count(cv_web_form_get(f, "summoned"), &summoned) < 0)
        return refuse(f, "summoned", _("Summoned is a whole number from 0 to 1.000.000."), msg,
                      cap);
    if (read_count(cv_web_form_get(f, "present"), &present) < 0)
        return refuse(f, "present", _("Present is a whole number from 0 to 1.000.000."), msg, cap);
    if (summoned >= 0 && present > summoned)
        return refuse(f, "present", _("Present cannot exceed summoned."), msg, cap);
    /* Through the operations layer: the permission, the transaction and the actor. */
    json_t *held = json_pack("{s:s, s:s}", "org", org, "on", start);
    if (*end_in)
        json_object_set_new(held, "to", json_string(end));
    int rc = cv_ops_call(s, actor, "congress.held", held, NULL, &e);
    json_decref(held);
    if (rc < 0)
        return refuse(f, "start", e.msg, msg, cap);
    json_t *figures = json_pack("{s:s}", "org", org);
    if (summoned >= 0)
        json_object_set_new(figures, "summoned", json_integer(summoned));
    if (present >= 0)
        json_object_set_new(figures, "present", json_integer(present));
    rc = json_object_size(figures) > 1 ? cv_ops_call(s, actor, "congress.set", figures, NULL, &e)
                                       : 0;
    json_decref(figures);
    if (rc < 0)
        return refuse(f, present >= 0 ? "present" : "summoned", e.msg, msg, cap);
    return 0;
}
