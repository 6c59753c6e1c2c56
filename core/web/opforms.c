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
#include "docs/round.h"
#include "domain/org.h"
#include "ops/ops.h"
#include "web/congress.h"

#define FORM_FIELDS  12
#define ONE_LINE_MAX 1024 /* a longer text is typed in a box of several lines */

typedef struct opt {
    const char *value, *label; /* label: a message id */
} opt;

typedef struct field {
    const char *name;   /* the form's field and the operation's argument */
    const char *label;  /* a message id */
    const opt *options; /* a choice among these (NULL-terminated), or NULL */
    int who;            /* a new form fills it with the reader's name */
} field;

struct cv_web_opform {
    const char *slug;    /* /congress/CODE/<slug> */
    const char *op;      /* the operation it runs */
    const char *title;   /* a message id with %s for the congress's organisation */
    const char *submit;  /* a message id */
    const char *link;    /* a message id: the congress page's link to the form */
    const char *blame;   /* the field a refusal concerns when its message names none (NULL: the
                            form as a whole) */
    const char *prefill; /* a new form starts from what this operation shows of {id} (the
                            election's figures of a correction, a document's status), or NULL */
    field fields[FORM_FIELDS];
    const char *note; /* a message id said above the fields (what the form cannot undo), or NULL */
};

static const opt kinds[] = {{"delegates", N_("Delegates' congress")},
                            {"members", N_("All-members congress")},
                            {NULL, NULL}};

#define FIELD(name, label, options)                                                                \
    {                                                                                              \
        name, label, options, 0                                                                    \
    }
#define FIELD_WHO(name, label)                                                                     \
    {                                                                                              \
        name, label, NULL, 1                                                                       \
    }

static const opt doc_statuses[] = {
    {"drafting", N_("Drafting")}, {"consultation", N_("In consultation")},
    {"revising", N_("Revising")}, {"submitted", N_("Submitted")},
    {"adopted", N_("Adopted")},   {NULL, NULL}};

static const opt doc_kinds[] = {
    {"other", N_("Other (minutes, ...)")},        {"political_report", N_("Political report")},
    {"review_report", N_("Review report")},       {"resolution", N_("Resolution")},
    {"action_programme", N_("Action programme")}, {NULL, NULL}};

#define TALLY_FIELDS                                                                               \
    FIELD("id", NULL, NULL), FIELD("issued", N_("Ballots issued"), NULL),                          \
        FIELD("returned", N_("Ballots returned"), NULL),                                           \
        FIELD("valid", N_("Valid ballots"), NULL), FIELD("invalid", N_("Invalid ballots"), NULL),  \
        FIELD("votes", N_("Votes"), NULL)

static const cv_web_opform forms[] = {
    {"plan",
     "congress.plan",
     N_("Plan the congress of %s"),
     N_("Plan the congress"),
     N_("Plan the congress"),
     "ordinal",
     NULL,
     {FIELD("ordinal", N_("Ordinal (VII or 7)"), NULL), FIELD("kind", N_("Kind"), kinds),
      FIELD("start", N_("First day (dd/mm/yyyy or yyyy-mm-dd)"), NULL),
      FIELD("end", N_("Last day (empty: one day)"), NULL),
      FIELD("pilot", N_("Pilot congress"), NULL),
      FIELD("direct_secretary", N_("Pilot of directly electing the secretary"), NULL)},
     NULL},
    {"change",
     "congress.set",
     N_("Change the congress of %s"),
     N_("Save the changes"),
     N_("Change dates and figures"),
     "start",
     NULL,
     {FIELD("kind", N_("Kind"), kinds),
      FIELD("start", N_("First day (dd/mm/yyyy or yyyy-mm-dd)"), NULL),
      FIELD("end", N_("Last day (empty: one day)"), NULL), FIELD("summoned", N_("Summoned"), NULL),
      FIELD("present", N_("Present"), NULL)},
     NULL},
    {"work-add",
     "work.add",
     N_("Add a work item to the congress of %s"),
     N_("Add the work item"),
     N_("Add a work item"),
     "title",
     NULL,
     {FIELD("title", N_("Work item"), NULL), FIELD("group", N_("Group of work"), NULL),
      FIELD("subcommittee", N_("Subcommittee (its code, may be empty)"), NULL),
      FIELD("unit", N_("Responsible unit"), NULL), FIELD("person", N_("Responsible person"), NULL),
      FIELD("due", N_("Due (dd/mm/yyyy)"), NULL), FIELD("budget", N_("Budget (VND)"), NULL)},
     NULL},
    {"work-assign",
     "work.assign",
     N_("Assign a work item of the congress of %s"),
     N_("Assign"),
     N_("Assign"),
     "unit",
     NULL,
     {FIELD("id", NULL, NULL), FIELD("unit", N_("Responsible unit"), NULL),
      FIELD("person", N_("Responsible person"), NULL)},
     NULL},
    {"work-done",
     "work.done",
     N_("Mark a work item of the congress of %s done"),
     N_("Mark done"),
     N_("Mark done"),
     "on",
     NULL,
     {FIELD("id", NULL, NULL), FIELD("on", N_("Done on (empty: today)"), NULL)},
     NULL},
    {"doc-add",
     "doc.add",
     N_("Upload a document of the congress of %s"),
     N_("Upload"),
     N_("Upload a document (the minutes, ...)"),
     "file",
     NULL,
     {FIELD("title", N_("Title"), NULL), FIELD("kind", N_("Kind"), doc_kinds),
      FIELD("file", N_("File"), NULL), FIELD("note", N_("Note"), NULL),
      FIELD_WHO("by", N_("Made by"))},
     NULL},
    {"doc-version",
     "doc.version",
     N_("A new version of a document of the congress of %s"),
     N_("Upload"),
     N_("New version"),
     "file",
     NULL,
     {FIELD("id", NULL, NULL), FIELD("file", N_("File"), NULL),
      FIELD("note", N_("What changed"), NULL), FIELD_WHO("by", N_("Made by"))},
     NULL},
    {"round-open",
     "round.open",
     N_("Send a document of the congress of %s for comments"),
     N_("Open the comment round"),
     N_("Open a comment round"),
     "deadline",
     NULL,
     {FIELD("doc", NULL, NULL), FIELD("deadline", N_("Answers due by (dd/mm/yyyy)"), NULL),
      FIELD("children", N_("To every organisation directly under (its code)"), NULL),
      FIELD("orgs", N_("Or to these organisations (codes, separated by commas)"), NULL)},
     NULL},
    {"round-respond",
     "round.respond",
     N_("Answer a comment round as %s"),
     N_("Send the answer"),
     N_("Answer"),
     "recipient",
     NULL,
     {FIELD("id", NULL, NULL), FIELD("recipient", N_("Who answers (an organisation's code)"), NULL),
      FIELD("on", N_("Answered on (empty: today)"), NULL),
      FIELD("summary", N_("What it says"), NULL), FIELD("file", N_("The answer as a file"), NULL)},
     NULL},
    {"scenario",
     "scenario.use",
     N_("Switch the scenario of the congress of %s"),
     N_("Make it the active scenario"),
     N_("Switch the scenario"),
     "code",
     NULL,
     {FIELD("code", N_("Scenario (its code)"), NULL)},
     NULL},
    {"attendance",
     "election.attendance",
     N_("Attendance of an election of the congress of %s"),
     N_("Record the attendance"),
     N_("Attendance"),
     "summoned",
     NULL,
     {FIELD("id", NULL, NULL), FIELD("summoned", N_("Summoned"), NULL),
      FIELD("attending", N_("Attending"), NULL),
      FIELD("convening_absent", N_("Convening committee absent"), NULL),
      FIELD("unreplaced_absent", N_("Absent with no alternate"), NULL),
      FIELD("alternates_in", N_("Alternates replacing"), NULL),
      FIELD("transferred", N_("On temporary transfer"), NULL),
      FIELD("exempt_absent", N_("Exempt and absent"), NULL),
      FIELD("suspended", N_("Suspended or prosecuted"), NULL),
      FIELD("excused_absent", N_("Absent with leave"), NULL)},
     NULL},
    {"start",
     "election.start",
     N_("Open the vote of an election of the congress of %s"),
     N_("Open the vote"),
     N_("Open the vote"),
     NULL,
     NULL,
     {FIELD("id", NULL, NULL)},
     NULL},
    {"tally",
     "election.tally",
     N_("The tally of an election of the congress of %s"),
     N_("Record the tally"),
     N_("Enter the tally"),
     "issued",
     NULL,
     {TALLY_FIELDS},
     NULL},
    {"announce",
     "election.announce",
     N_("Announce an election of the congress of %s"),
     N_("Announce the result"),
     N_("Announce the result"),
     NULL,
     NULL,
     {FIELD("id", NULL, NULL)},
     NULL},
    {"correct",
     "election.correct",
     N_("Correct the tally of an election of the congress of %s"),
     N_("Record the correction"),
     N_("Correct the tally"),
     "reason",
     "election.show",
     {TALLY_FIELDS, FIELD("by", N_("Who corrects it"), NULL), FIELD("reason", N_("Why"), NULL)},
     NULL},
    {"round",
     "election.round",
     N_("A further round of an election of the congress of %s"),
     N_("Open the further round"),
     N_("Vote again for the seats still free"),
     NULL,
     NULL,
     {FIELD("id", NULL, NULL)},
     N_("The further round is among those tied for the last seat, else among those not elected; "
        "its vote opens at once.")},
    {"approve",
     "election.approve",
     N_("Approve the result of an election of the congress of %s"),
     N_("Approve the result"),
     N_("Approve the result"),
     NULL,
     NULL,
     {FIELD("id", NULL, NULL)},
     N_("An approved result is final: it can no longer be corrected.")},
    {"round-close",
     "round.close",
     N_("Close a comment round on a document of the congress of %s"),
     N_("Close the comment round"),
     N_("Close the comment round"),
     "taken_in",
     NULL,
     {FIELD("id", NULL, NULL), FIELD("taken_in", N_("How the comments were taken in"), NULL)},
     NULL},
    {"doc-status",
     "doc.status",
     N_("Change the status of a document of the congress of %s"),
     N_("Save the status"),
     N_("Change the status"),
     "status",
     "doc.show",
     {FIELD("id", NULL, NULL), FIELD("status", N_("Status"), doc_statuses)},
     NULL},
};

const char *cv_web_opform_field(const cv_web_opform *o, int i)
{
    return i >= 0 && i < FORM_FIELDS ? o->fields[i].name : NULL;
}

const char *cv_web_opform_at(const cv_web_opform *o)
{
    const cv_op *op = cv_ops_find(o->op);
    return op->at == CV_AT_ORG ? "org" : op->at_arg;
}

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

/* The arguments that find the organisation acted on: {org}, or the thing the form is about
 * ({id}, {doc}) with the recipient of a round's answer. */
static json_t *where(const cv_op *op, const char *org, const char *id, const char *recipient)
{
    int64_t n = 0;
    cv_err e;
    if (op->at == CV_AT_ORG)
        return json_pack("{s:s}", op->at_arg, org);
    if (!id || cv_text_count(id, &n, "id", &e) < 0)
        n = 0;
    json_t *args = json_pack("{s:I}", op->at_arg, (json_int_t)n);
    if (recipient && *recipient)
        json_object_set_new(args, "recipient", json_string(recipient));
    return args;
}

int cv_web_opform_permit(cv_store *s, const cv_actor *a, const cv_web_opform *o, const char *org,
                         const cv_web_form *f, cv_err *e)
{
    const cv_op *op = cv_ops_find(o->op);
    int64_t org_id = 0;
    json_t *args =
        where(op, org, cv_web_form_get(f, cv_web_opform_at(o)), cv_web_form_get(f, "recipient"));
    int rc = cv_ops_resolve(s, op->at, op->at_arg, args, &org_id, e);
    json_decref(args);
    return rc < 0 ? rc : cv_ops_permit(s, a, op->roles, org_id, op->name, e);
}

int cv_web_may(const cv_web_req *r, const char *op_name, int64_t org_id)
{
    const cv_op *op = cv_ops_find(op_name);
    cv_err e;
    return op && r->actor &&
           cv_ops_permit(r->store, r->actor, op->roles, org_id, op->name, &e) == 0;
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

/* The votes typed per candidate (fields "v:CODE") as the operation takes them: "CODE=N". */
static json_t *votes_of(const cv_web_form *f)
{
    json_t *list = json_array();
    char item[CV_CODE_MAX + 32];
    for (int i = 0; i < CV_WEB_FIELDS && f->names[i]; i++)
        if (strncmp(f->names[i], "v:", 2) == 0) {
            snprintf(item, sizeof item, "%s=%.24s", f->names[i] + 2, f->values[i]);
            json_array_append_new(list, json_string(item));
        }
    return list;
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
        } else if (a->type == CV_ARG_LIST) {
            j = votes_of(f);
        } else if (a->type == CV_ARG_FILE) {
            if (!f->upload_name || strcmp(f->upload_name, fl->name) != 0)
                continue; /* never a path a client typed */
            j = json_string(f->upload_path);
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

/* The vote field ("v:CODE") of the nth candidate in f, or NULL. */
static const char *vote_field(const cv_web_form *f, long nth)
{
    for (int i = 0; i < CV_WEB_FIELDS && f->names[i]; i++)
        if (strncmp(f->names[i], "v:", 2) == 0 && --nth == 0)
            return f->names[i];
    return NULL;
}

/* The field refusal e concerns, read from its English format so that it holds in every
 * language: "candidate %d ..." is the votes of the candidate its message numbers first; else the
 * last visible field the format or the message's arguments name (of "%lld returned is more than
 * the %lld issued", the figure typed later), else the form's usual one. app.js's inline checks
 * apply the same rule. */
static const char *blamed(const cv_web_opform *o, const cv_web_form *f, const cv_err *e)
{
    const char *fmt = e->fmt ? e->fmt : e->msg;
    const char *digit = strpbrk(e->msg, "0123456789");
    if (strncmp(fmt, "candidate %d ", 13) == 0 && digit && vote_field(f, strtol(digit, NULL, 10)))
        return vote_field(f, strtol(digit, NULL, 10));
    const char *last = NULL;
    for (const field *fl = o->fields; fl->name; fl++)
        if (fl->label && (names(fmt, fl->name) || names(e->msg, fl->name)))
            last = fl->name;
    return last ? last : o->blame;
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
    f->error_field = blamed(o, f, &e);
    return rc;
}

/* One number per candidate of the election the form's id names, in list order, for the votes
 * of a tally; the fieldset carries the seats and attendance app.js checks the figures with. */
static void vote_inputs(const cv_web_req *r, const cv_web_form *f, int prefill, cv_html *h)
{
    json_t *x = NULL, *c;
    cv_err e;
    int64_t id = 0;
    size_t i;
    char n[24], seats[24], att[24];
    if (cv_text_count(cv_web_form_get(f, "id"), &id, "id", &e) < 0)
        return;
    json_t *args = json_pack("{s:I}", "id", (json_int_t)id);
    int rc = cv_ops_call(r->store, r->actor, "election.show", args, &x, &e);
    json_decref(args);
    if (rc < 0)
        return;
    snprintf(seats, sizeof seats, "%lld",
             (long long)json_integer_value(json_object_get(x, "seats")));
    json_t *a = json_object_get(json_object_get(x, "attendance"), "attending");
    snprintf(att, sizeof att, "%lld", json_is_integer(a) ? (long long)json_integer_value(a) : -1LL);
    cv_html_put(h,
                "<fieldset class=\"votes\" data-seats=\"{}\" data-attending=\"{}\" "
                "data-returned=\"{}\" data-sum=\"{}\" data-issued=\"{}\" data-candidate=\"{}\" "
                "data-total=\"{}\"><legend>{}</legend>\n",
                seats, att, cv_tr(r->lang, "%lld ballots returned is more than the %lld issued"),
                cv_tr(r->lang, "%lld valid + %lld invalid is not the %lld returned"),
                cv_tr(r->lang, "%lld ballots issued is more than the %lld attending"),
                cv_tr(r->lang, "candidate %d has %lld votes, more than the %lld valid ballots"),
                cv_tr(r->lang, "%lld votes in all is more than %lld valid ballots x %lld seats"),
                _("Votes per candidate"));
    json_array_foreach(json_object_get(x, "candidates"), i, c)
    {
        char name[CV_CODE_MAX + 2];
        const char *code = json_string_value(json_object_get(c, "person"));
        snprintf(name, sizeof name, "v:%s", code ? code : "");
        snprintf(n, sizeof n, "%zu", i + 1);
        int refused = f->error_field && strcmp(f->error_field, name) == 0;
        const char *typed = cv_web_form_get(f, name);
        char was[24] = "";
        json_t *votes = json_object_get(c, "votes");
        if (!*typed && !f->error && prefill && json_is_integer(votes))
            snprintf(was, sizeof was, "%lld", (long long)json_integer_value(votes));
        cv_html_put(h,
                    "<div class=\"field\"><label for=\"{}\">{}</label><input id=\"{}\" "
                    "name=\"{}\" value=\"{}\" inputmode=\"numeric\" data-n=\"{}\"",
                    name, json_string_value(json_object_get(c, "name")), name, name,
                    *was ? was : typed, n);
        if (refused)
            cv_html_put(h, " aria-invalid=\"true\" aria-describedby=\"{}-error\"", name);
        cv_html_raw(h, ">");
        cv_page_field_error(r, f, name, h);
        cv_html_raw(h, "</div>\n");
    }
    cv_html_raw(h, "</fieldset>\n");
    json_decref(x);
}

/* One labelled control for fl, typed by its argument, with the value typed and its refusal. */
static void control(const cv_web_req *r, const cv_op_arg *a, const field *fl, const cv_web_form *f,
                    const json_t *defaults, cv_html *h)
{
    const char *v = cv_web_form_get(f, fl->name);
    char was[24];
    json_t *d = json_object_get(defaults, fl->name);
    if (!*v && json_is_integer(d)) {
        snprintf(was, sizeof was, "%lld", (long long)json_integer_value(d));
        v = was;
    } else if (!*v && json_is_string(d)) {
        v = json_string_value(d);
    }
    if (fl->who && !*v && !(f && f->error) && r->user)
        v = r->user;
    int refused = f && f->error_field && strcmp(f->error_field, fl->name) == 0;
    const char *invalid = refused ? " aria-invalid=\"true\"" : "";
    if (!fl->label) {
        cv_html_put(h, "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n", fl->name, v);
        return;
    }
    if (a->type == CV_ARG_LIST) {
        vote_inputs(r, f, defaults != NULL, h);
        return;
    }
    if (a->type == CV_ARG_BOOL) {
        cv_html_put(h, "<div class=\"field check\"><input type=\"checkbox\" id=\"{}\" name=\"{}\"",
                    fl->name, fl->name);
        cv_html_raw(h, *v ? " checked" : "");
    } else if (a->type == CV_ARG_FILE) {
        cv_html_put(h,
                    "<div class=\"field\"><label for=\"{}\">{}</label><input type=\"file\" "
                    "id=\"{}\" name=\"{}\"",
                    fl->name, _(fl->label), fl->name, fl->name);
    } else if (a->type == CV_ARG_TEXT && a->max > ONE_LINE_MAX) {
        cv_html_put(h,
                    "<div class=\"field\"><label for=\"{}\">{}</label><textarea id=\"{}\" "
                    "name=\"{}\" rows=\"4\"",
                    fl->name, _(fl->label), fl->name, fl->name);
    } else if (fl->options) {
        cv_html_put(
            h, "<div class=\"field\"><label for=\"{}\">{}</label><select id=\"{}\" name=\"{}\"",
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
    if (a->type == CV_ARG_TEXT && a->max > ONE_LINE_MAX)
        cv_html_put(h, "{}</textarea>", v);
    if (a->type == CV_ARG_BOOL)
        cv_html_put(h, "<label for=\"{}\">{}</label>", fl->name, _(fl->label));
    cv_page_field_error(r, f, fl->name, h);
    cv_html_raw(h, "</div>\n");
}

/* The line saying what the form is about: the election, document or comment round its id
 * names (as the reader may read it), above its fields. */
static void subject(const cv_web_req *r, const cv_op *op, const cv_web_form *f, cv_html *h)
{
    const char *show = op->at == CV_AT_ELECTION   ? "election.show"
                       : op->at == CV_AT_DOCUMENT ? "doc.show"
                       : op->at == CV_AT_ROUND    ? "round.show"
                                                  : NULL;
    int64_t id;
    cv_err e;
    json_t *x = NULL;
    if (!show || cv_text_count(cv_web_form_get(f, op->at_arg), &id, "id", &e) < 0)
        return;
    json_t *args = json_pack("{s:I}", "id", (json_int_t)id);
    int rc = cv_ops_call(r->store, r->actor, show, args, &x, &e);
    json_decref(args);
    if (rc == 0) {
        cv_html_raw(h, "<p class=\"subject\">");
        if (op->at == CV_AT_ELECTION)
            cv_web_election_title(r, x, h);
        else if (json_is_string(json_object_get(x, "title")))
            cv_html_text(h, json_string_value(json_object_get(x, "title")));
        cv_html_raw(h, "</p>\n");
    }
    json_decref(x);
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
    json_t *defaults = NULL;
    if (o->prefill && !(f && f->error)) {
        json_t *args = json_pack("{s:I}", "id", (json_int_t)atoll(cv_web_form_get(f, "id")));
        cv_err ignored;
        if (cv_ops_call(r->store, r->actor, o->prefill, args, &defaults, &ignored) < 0)
            defaults = NULL;
        json_decref(args);
    }
    int files = 0;
    for (const field *fl = o->fields; fl->name; fl++)
        files |= arg_of(op, fl->name)->type == CV_ARG_FILE;
    cv_html_put(h,
                "<form method=\"post\" action=\"/congress/{}/{}\" class=\"card narrow\" "
                "novalidate data-form=\"{}\"",
                org, o->slug, o->slug);
    cv_html_raw(h, files ? " enctype=\"multipart/form-data\">" : ">");
    cv_html_put(h, "\n<input type=\"hidden\" name=\"csrf\" value=\"{}\">\n", r->csrf);
    subject(r, op, f, h);
    if (o->note)
        cv_html_put(h, "<p class=\"note\">{}</p>\n", _(o->note));
    for (const field *fl = o->fields; fl->name; fl++)
        control(r, arg_of(op, fl->name), fl, f, defaults, h);
    cv_html_put(h,
                "<p><button type=\"submit\">{}</button> <a href=\"/congress/{}\">{}</a></p>\n"
                "</form>\n",
                _(o->submit), org, _("Cancel"));
    json_decref(defaults);
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
    link_if(r, c, "doc-add", h);
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

/* A one-button form posting slug with its hidden field name=value (an election's or document's
 * id), or a link to the form when it asks for more; shown only when the reader may use it. */
static void action(const cv_web_req *r, const cv_congress *c, const char *slug, const char *name,
                   const char *value, int button, cv_html *h)
{
    const cv_web_opform *o = cv_web_opform_find(slug);
    const cv_op *op = cv_ops_find(o->op);
    cv_err e;
    json_t *args = where(op, c->org_code, value, NULL);
    int64_t org_id = 0;
    int ok = cv_ops_resolve(r->store, op->at, op->at_arg, args, &org_id, &e) == 0 &&
             cv_web_may(r, o->op, org_id);
    json_decref(args);
    if (!ok)
        return;
    if (button)
        cv_html_put(h,
                    "<form method=\"post\" action=\"/congress/{}/{}\" class=\"inline\">"
                    "<input type=\"hidden\" name=\"csrf\" value=\"{}\"><input type=\"hidden\" "
                    "name=\"{}\" value=\"{}\"><button type=\"submit\" class=\"small\">{}</button>"
                    "</form> ",
                    c->org_code, slug, r->csrf, name, value, _(o->link));
    else
        cv_html_put(h, "<a class=\"button small\" href=\"/congress/{}/{}?{}={}\">{}</a> ",
                    c->org_code, slug, name, value, _(o->link));
}

void cv_web_election_actions(const cv_web_req *r, const cv_congress *c, const json_t *x,
                             int followed, cv_html *h)
{
    const char *st = json_string_value(json_object_get(x, "status"));
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(x, "id")));
    if (!st)
        return;
    cv_html_raw(h, "<div class=\"actions no-print\">"); /* a <p> would end at its first <form> */
    if (strcmp(st, "created") == 0) {
        action(r, c, "attendance", "id", id, 0, h);
        action(r, c, "start", "id", id, 1, h);
    } else if (strcmp(st, "open") == 0 || strcmp(st, "counted") == 0) {
        action(r, c, "tally", "id", id, 0, h);
    }
    if (strcmp(st, "counted") == 0)
        action(r, c, "announce", "id", id, 1, h);
    if (strcmp(st, "announced") == 0) {
        action(r, c, "correct", "id", id, 0, h);
        action(r, c, "approve", "id", id, 0, h);
    }
    if (!followed && strcmp(st, "created") != 0 && strcmp(st, "open") != 0 &&
        json_is_object(json_object_get(x, "next_round")))
        action(r, c, "round", "id", id, 0, h);
    cv_html_raw(h, "</div>\n");
}

void cv_web_document_actions(const cv_web_req *r, const cv_congress *c, int64_t doc,
                             const char *status, cv_html *h)
{
    char id[24];
    if (strcmp(status, "adopted") == 0)
        return; /* final: no new version, no round, no other status */
    snprintf(id, sizeof id, "%lld", (long long)doc);
    cv_html_raw(h, "<p class=\"actions no-print\">");
    action(r, c, "doc-version", "id", id, 0, h);
    if (cv_round_may_open(status))
        action(r, c, "round-open", "doc", id, 0, h);
    action(r, c, "doc-status", "id", id, 0, h);
    cv_html_raw(h, "</p>\n");
}

void cv_web_round_actions(const cv_web_req *r, const cv_congress *c, int64_t round, cv_html *h)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)round);
    action(r, c, "round-close", "id", id, 0, h);
}

const char *cv_web_upload_op(const char *url)
{
    const char *slug = strncmp(url, "/congress/", 10) == 0 ? strchr(url + 10, '/') : NULL;
    const cv_web_opform *o = slug ? cv_web_opform_find(slug + 1) : NULL;
    if (!o || slug == url + 10)
        return NULL;
    const cv_op *op = cv_ops_find(o->op);
    for (const field *fl = o->fields; fl->name; fl++)
        if (arg_of(op, fl->name)->type == CV_ARG_FILE)
            return o->op;
    return NULL;
}
