/* opforms.c: the dashboard's forms over operations, one table row each (see congress.h). A form
 * is rendered from the operation's own arguments (a date as dd/mm/yyyy, a number, a box to tick,
 * a file), its answer is turned into the operation's arguments and run through cv_ops_call as
 * the person who sent it: the one permission check, the one transaction, the CLI's messages. A
 * refusal is shown beside the field its message names (or the form's usual field) with what was
 * typed kept. Never writes the store except through cv_ops_call. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/text.h"
#include "domain/org.h"
#include "ops/ops.h"
#include "web/congress.h"

#define FORM_FIELDS 12

typedef struct opt {
    const char *value, *label; /* label: a message id */
} opt;

typedef struct field {
    const char *name;  /* the form's field and the operation's argument */
    const char *label; /* a message id */
    const opt *options; /* a choice among these (NULL-terminated), or NULL */
} field;

struct cv_web_opform {
    const char *slug;   /* /congress/CODE/<slug> */
    const char *op;     /* the operation it runs */
    const char *title;  /* a message id with %s for the congress's organisation */
    const char *submit; /* a message id */
    const char *link;   /* a message id: the congress page's link to the form */
    const char *blame;  /* the field a refusal concerns when its message names none */
    field fields[FORM_FIELDS];
};

static const opt kinds[] = {{"delegates", N_("Delegates' congress")},
                            {"members", N_("All-members congress")},
                            {NULL, NULL}};

static const cv_web_opform forms[] = {
    {"plan",
     "congress.plan",
     N_("Plan the congress of %s"),
     N_("Plan the congress"),
     N_("Plan the congress"),
     "ordinal",
     {{"ordinal", N_("Ordinal (VII or 7)"), NULL},
      {"kind", N_("Kind"), kinds},
      {"start", N_("First day (dd/mm/yyyy or yyyy-mm-dd)"), NULL},
      {"end", N_("Last day (empty: one day)"), NULL},
      {"pilot", N_("Pilot congress"), NULL},
      {"direct_secretary", N_("Pilot of directly electing the secretary"), NULL}}},
    {"change",
     "congress.set",
     N_("Change the congress of %s"),
     N_("Save the changes"),
     N_("Change dates and figures"),
     "start",
     {{"kind", N_("Kind"), kinds},
      {"start", N_("First day (dd/mm/yyyy or yyyy-mm-dd)"), NULL},
      {"end", N_("Last day (empty: one day)"), NULL},
      {"summoned", N_("Summoned"), NULL},
      {"present", N_("Present"), NULL}}},
    {"work-add",
     "work.add",
     N_("Add a work item to the congress of %s"),
     N_("Add the work item"),
     N_("Add a work item"),
     "title",
     {{"title", N_("Work item"), NULL},
      {"group", N_("Group of work"), NULL},
      {"subcommittee", N_("Subcommittee (its code, may be empty)"), NULL},
      {"unit", N_("Responsible unit"), NULL},
      {"person", N_("Responsible person"), NULL},
      {"due", N_("Due (dd/mm/yyyy)"), NULL},
      {"budget", N_("Budget (VND)"), NULL}}},
    {"work-assign",
     "work.assign",
     N_("Assign a work item of the congress of %s"),
     N_("Assign"),
     N_("Assign"),
     "unit",
     {{"id", NULL, NULL},
      {"unit", N_("Responsible unit"), NULL},
      {"person", N_("Responsible person"), NULL}}},
    {"work-done",
     "work.done",
     N_("Mark a work item of the congress of %s done"),
     N_("Mark done"),
     N_("Mark done"),
     "on",
     {{"id", NULL, NULL}, {"on", N_("Done on (empty: today)"), NULL}}},
};

const cv_web_opform *cv_web_opform_find(const char *slug)
{
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++)
        if (strcmp(forms[i].slug, slug) == 0)
            return &forms[i];
    return NULL;
}

static const cv_op_arg *arg_of(const cv_op *op, const char *name)
{
    for (const cv_op_arg *a = op->args; a->name; a++)
        if (strcmp(a->name, name) == 0)
            return a;
    return NULL;
}

/* The arguments that find the organisation acted on: {org} or {id}. */
static json_t *where(const cv_op *op, const char *org, const char *id)
{
    int64_t n = 0;
    cv_err e;
    if (op->at == CV_AT_ORG)
        return json_pack("{s:s}", op->at_arg, org);
    if (!id || cv_text_count(id, &n, "id", &e) < 0)
        n = 0;
    return json_pack("{s:I}", op->at_arg, (json_int_t)n);
}

int cv_web_opform_permit(cv_store *s, const cv_actor *a, const cv_web_opform *o, const char *org,
                         const char *id, cv_err *e)
{
    const cv_op *op = cv_ops_find(o->op);
    int64_t org_id = 0;
    json_t *args = where(op, org, id);
    int rc = cv_ops_resolve(s, op->at, op->at_arg, args, &org_id, e);
    json_decref(args);
    return rc < 0 ? rc : cv_ops_permit(s, a, op->roles, org_id, op->name, e);
}

int cv_web_may(const cv_web_req *r, const char *op_name, int64_t org_id)
{
    const cv_op *op = cv_ops_find(op_name);
    cv_err e;
    return op && r->actor && cv_ops_permit(r->store, r->actor, op->roles, org_id, op->name, &e) == 0;
}

/* Reads a date typed as dd/mm/yyyy into iso[11]; other text is kept as typed, for the
 * operation's own check to refuse in its words. */
static void iso_date(const char *in, char iso[11])
{
    unsigned d, m, y;
    int n = 0;
    if (sscanf(in, "%2u/%2u/%4u%n", &d, &m, &y, &n) == 3 && in[n] == '\0' && d <= 99 && m <= 99)
        snprintf(iso, 11, "%04u-%02u-%02u", y % 10000, m, d);
    else
        snprintf(iso, 11, "%.10s", in);
}

/* The operation's arguments from what was typed: each field by its argument's type. Text that
 * is not a number goes as text, so the operation refuses it in its own words. */
static json_t *arguments(const cv_op *op, const cv_web_opform *o, const char *org,
                         const cv_web_form *f)
{
    json_t *args = op->at == CV_AT_ORG ? json_pack("{s:s}", "org", org) : json_object();
    for (const field *fl = o->fields; fl->name; fl++) {
        const cv_op_arg *a = arg_of(op, fl->name);
        const char *v = cv_web_form_get(f, fl->name);
        json_t *j = NULL;
        char iso[11], *end;
        if (a->type == CV_ARG_BOOL) {
            j = json_boolean(*v);
        } else if (!*v) {
            continue;
        } else if (a->type == CV_ARG_INT) {
            long long n = strtoll(v, &end, 10);
            j = *end || end == v ? json_string(v) : json_integer(n);
        } else if (a->type == CV_ARG_DATE) {
            iso_date(v, iso);
            j = json_string(iso);
        } else {
            j = json_string(v);
        }
        json_object_set_new(args, fl->name, j ? j : json_null());
    }
    return args;
}

/* Whether word occurs in msg as a whole word. */
static int names(const char *msg, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = strstr(msg, word); p; p = strstr(p + 1, word)) {
        int before = p == msg || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
        int after = !(isalnum((unsigned char)p[n]) || p[n] == '_');
        if (before && after)
            return 1;
    }
    return 0;
}

/* The field a refusal concerns: the first visible field its message names, else the usual one. */
static const char *blamed(const cv_web_opform *o, const char *msg)
{
    for (const field *fl = o->fields; fl->name; fl++)
        if (fl->label && names(msg, fl->name))
            return fl->name;
    return o->blame;
}

int cv_web_opform_submit(cv_store *s, const cv_actor *actor, const cv_web_opform *o,
                         const char *org, cv_web_form *f, char *msg, size_t cap)
{
    const cv_op *op = cv_ops_find(o->op);
    json_t *args = arguments(op, o, org, f);
    cv_err e;
    int rc = cv_ops_call(s, actor, o->op, args, NULL, &e);
    json_decref(args);
    if (rc == 0)
        return 0;
    snprintf(msg, cap, "%s", e.msg);
    f->error = msg;
    f->error_field = blamed(o, msg);
    return rc;
}

/* One labelled control for fl, typed by its argument, with the value typed and its refusal. */
static void control(const cv_web_req *r, const cv_op_arg *a, const field *fl,
                    const cv_web_form *f, cv_html *h)
{
    const char *v = cv_web_form_get(f, fl->name);
    int refused = f && f->error_field && strcmp(f->error_field, fl->name) == 0;
    const char *invalid = refused ? " aria-invalid=\"true\"" : "";
    if (!fl->label) {
        cv_html_put(h, "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n", fl->name, v);
        return;
    }
    if (a->type == CV_ARG_BOOL) {
        cv_html_put(h, "<div class=\"field check\"><input type=\"checkbox\" id=\"{}\" name=\"{}\"",
                    fl->name, fl->name);
        cv_html_raw(h, *v ? " checked" : "");
    } else if (fl->options) {
        cv_html_put(h, "<div class=\"field\"><label for=\"{}\">{}</label><select id=\"{}\" name=\"{}\"",
                    fl->name, _(fl->label), fl->name, fl->name);
    } else {
        cv_html_put(h,
                    "<div class=\"field\"><label for=\"{}\">{}</label><input id=\"{}\" "
                    "name=\"{}\" value=\"{}\"",
                    fl->name, _(fl->label), fl->name, fl->name, v);
        cv_html_raw(h, a->type == CV_ARG_INT    ? " inputmode=\"numeric\""
                       : a->type == CV_ARG_DATE ? " placeholder=\"dd/mm/yyyy\""
                                                : "");
        if (a->required)
            cv_html_raw(h, " required");
    }
    cv_html_raw(h, invalid);
    if (refused)
        cv_html_put(h, " aria-describedby=\"{}-error\"", fl->name);
    cv_html_raw(h, ">");
    if (fl->options) {
        for (const opt *p = fl->options; p->value; p++)
            cv_html_put(h, "<option value=\"{}\"{}>{}</option>", p->value,
                        strcmp(v, p->value) == 0 ? " selected" : "", _(p->label));
        cv_html_raw(h, "</select>");
    }
    if (a->type == CV_ARG_BOOL)
        cv_html_put(h, "<label for=\"{}\">{}</label>", fl->name, _(fl->label));
    cv_page_field_error(r, f, fl->name, h);
    cv_html_raw(h, "</div>\n");
}

int cv_web_opform_page(const cv_web_req *r, const cv_web_opform *o, const char *org,
                       const cv_web_form *f, cv_html *h, cv_err *e)
{
    cv_congress c;
    cv_org g;
    char title[CV_NAME_MAX + 128];
    const cv_op *op = cv_ops_find(o->op);
    const char *name = org;
    if (cv_congress_get(r->store, org, NULL, &c, e) == 0)
        name = c.org_name;
    else if (cv_org_get(r->store, org, &g, e) == 0)
        name = g.name;
    else
        return e->code;
    cv_i18n_fmt(title, sizeof title, _(o->title), name);
    cv_page_begin(r, title, 0, h);
    if (f && f->error && !f->error_field)
        cv_html_put(h, "<p class=\"error\" role=\"alert\">{}</p>\n", f->error);
    cv_html_put(h,
                "<form method=\"post\" action=\"/congress/{}/{}\" class=\"card narrow\" "
                "novalidate data-form=\"{}\">\n<input type=\"hidden\" name=\"csrf\" "
                "value=\"{}\">\n",
                org, o->slug, o->slug, r->csrf);
    for (const field *fl = o->fields; fl->name; fl++)
        control(r, arg_of(op, fl->name), fl, f, h);
    cv_html_put(h,
                "<p><button type=\"submit\">{}</button> <a href=\"/congress/{}\">{}</a></p>\n"
                "</form>\n",
                _(o->submit), org, _("Cancel"));
    cv_page_end(r, h);
    return 0;
}

/* A link to form slug of c when the reader may use it. */
static void link_if(const cv_web_req *r, const cv_congress *c, const char *slug, cv_html *h)
{
    const cv_web_opform *o = cv_web_opform_find(slug);
    if (cv_web_may(r, o->op, c->org_id))
        cv_html_put(h, " <a class=\"button\" href=\"/congress/{}/{}\">{}</a>", c->org_code, slug,
                    _(o->link));
}

void cv_web_congress_actions(const cv_web_req *r, const cv_congress *c, cv_html *h)
{
    if (cv_web_may(r, "congress.held", c->org_id))
        cv_html_put(h, " <a class=\"button\" href=\"/congress/{}/held\">{}</a>", c->org_code,
                    _("Report it held"));
    link_if(r, c, "change", h);
    link_if(r, c, "work-add", h);
}

void cv_web_work_actions(const cv_web_req *r, const cv_congress *c, int64_t id, int done,
                         cv_html *h)
{
    char n[24];
    snprintf(n, sizeof n, "%lld", (long long)id);
    if (!done && cv_web_may(r, "work.done", c->org_id))
        cv_html_put(h,
                    "<form method=\"post\" action=\"/congress/{}/work-done\" class=\"inline\">"
                    "<input type=\"hidden\" name=\"csrf\" value=\"{}\"><input type=\"hidden\" "
                    "name=\"id\" value=\"{}\"><button type=\"submit\" class=\"small\" "
                    "aria-describedby=\"work-{}\">{}</button></form>",
                    c->org_code, r->csrf, n, n, _("Mark done"));
    if (cv_web_may(r, "work.assign", c->org_id))
        cv_html_put(h,
                    " <a class=\"small\" href=\"/congress/{}/work-assign?id={}\" "
                    "aria-describedby=\"work-{}\">{}</a>",
                    c->org_code, n, n, _("Assign"));
}
