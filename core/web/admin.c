/* admin.c: the administration page (admin's only): accounts and grants with their history, the
 * audit with its filters and exports, the last good backup. It reads through the operations
 * layer as its reader, and every action is a form that names an operation of a fixed table,
 * run through cv_ops_call (the permission, the arguments' checks, one transaction). */
#include <stdlib.h>
#include <string.h>

#include "backup/nightly.h"
#include "base/clock.h"
#include "base/json.h"
#include "base/text.h"
#include "ops/ops.h"
#include "web/admin.h"

#define AUDIT_ROWS 50  /* the newest events the page shows; the exports carry them all */
#define DATA_SHOWN 240 /* bytes of an event's data the page shows; the exports carry it whole */

/* The forms of the page: the action's name, the operation it runs, the section that shows its
 * refusal, and the fields it passes (a leading '#' reads the field as a whole number). */
typedef struct admin_action {
    const char *action, *op, *section;
    const char *fields[5];
} admin_action;

static const admin_action actions[] = {
    {"account-add", "account.add", "accounts", {"login", "name", "email", "password", NULL}},
    {"account-lang", "account.set", "accounts", {"login", "lang", NULL}},
    {"grant-add", "grant.add", "grants", {"login", "role", "org", NULL}},
    {"grant-end", "grant.end", "grants", {"#id", NULL}},
    {"plugin-enable", "plugin.enable", "plugins", {"name", NULL}},
    {"plugin-disable", "plugin.disable", "plugins", {"name", NULL}},
    {"plugin-config", "plugin.config", "plugins", {"name", "key", "value", NULL}},
    {"script-resume", "script.resume", "packages", {"name", NULL}},
    {"job-pause", "jobs.pause", "jobs", {"name", NULL}},
    {"job-resume", "jobs.resume", "jobs", {"name", NULL}},
    {"job-run", "jobs.run-now", "jobs", {"name", NULL}},
    {"outbox-retry", "outbox.retry", "outbox", {"#id", NULL}},
};

static const admin_action *find_action(const char *name)
{
    for (size_t i = 0; i < sizeof actions / sizeof *actions; i++)
        if (strcmp(actions[i].action, name) == 0)
            return &actions[i];
    return NULL;
}

/* The operation's arguments from the form: empty fields are left out (the operation's default). */
static int action_args(const admin_action *a, const cv_web_form *f, json_t *args)
{
    for (int i = 0; i < 5 && a->fields[i]; i++) {
        const char *name = a->fields[i] + (a->fields[i][0] == '#');
        const char *v = cv_web_form_get(f, name);
        int64_t n;
        cv_err e;
        if (!*v)
            continue;
        if (a->fields[i][0] != '#') {
            json_object_set_new(args, name, json_string(v));
        } else if (cv_text_count(v, &n, name, &e) == 0) {
            json_object_set_new(args, name, json_integer(n));
        } else {
            return -1;
        }
    }
    return 0;
}

const char *cv_web_admin_submit(cv_store *s, const cv_actor *actor, cv_lang lang, cv_web_form *f,
                                char *msg, size_t cap)
{
    const admin_action *a = find_action(cv_web_form_get(f, "action"));
    cv_err e;
    if (!a) {
        snprintf(msg, cap, "%s", cv_tr(lang, "The form could not be read."));
        f->error = msg;
        return "accounts";
    }
    json_t *args = json_object();
    int rc = action_args(a, f, args) < 0
                 ? cv_err_set(&e, CV_EINVAL, N_("%s must be a whole number"), a->fields[0] + 1)
                 : cv_ops_call(s, actor, a->op, args, NULL, &e);
    json_decref(args);
    f->error_field = a->section;
    if (rc < 0) {
        snprintf(msg, cap, "%s", e.msg);
        f->error = msg;
    }
    return a->section;
}

/* reading ------------------------------------------------------------------------------------ */

json_t *cv_web_admin_read(const cv_web_req *r, const char *op, json_t *args, cv_err *e)
{
    json_t *out = NULL;
    int rc = cv_ops_call(r->store, r->actor, op, args, &out, e);
    json_decref(args);
    return rc < 0 ? NULL : out;
}

/* A day of a real-time instant (ms), as the reader writes it. */
static const char *day_of(const cv_web_req *r, json_int_t ms, char buf[32])
{
    char iso[11];
    cv_clock_date((int64_t)ms, CV_TZ_VIETNAM_MIN, iso);
    return cv_page_date(r, iso, buf);
}

void cv_web_admin_form(const cv_web_req *r, const char *action, const char *cls, cv_html *h)
{
    cv_html_put(h,
                "<form method=\"post\" action=\"/admin\" class=\"{}\">"
                "<input type=\"hidden\" name=\"csrf\" value=\"{}\">"
                "<input type=\"hidden\" name=\"action\" value=\"{}\">",
                cls, r->csrf, action);
}

/* A labelled input named name (id form-name), holding what was typed when f is this form's. */
static void input(const cv_web_form *f, const char *form, const char *name, const char *label,
                  const char *type, int required, cv_html *h)
{
    int mine = f && strcmp(cv_web_form_get(f, "action"), form) == 0;
    char id[64];
    snprintf(id, sizeof id, "%s-%s", form, name);
    cv_html_put(h,
                "<div class=\"field\"><label for=\"{}\">{}</label><input id=\"{}\" name=\"{}\" "
                "type=\"{}\" value=\"{}\"",
                id, label, id, name, type,
                mine && strcmp(type, "password") != 0 ? cv_web_form_get(f, name) : "");
    cv_html_raw(h, required ? " required></div>" : "></div>");
}

void cv_web_admin_section(const cv_web_form *f, const char *id, const char *title, cv_html *h)
{
    cv_html_put(
        h, "<section class=\"card\" aria-labelledby=\"{}-h\" id=\"{}\"><h2 id=\"{}-h\">{}</h2>\n",
        id, id, id, title);
    if (f && f->error && f->error_field && strcmp(f->error_field, id) == 0)
        cv_html_put(h, "<p class=\"error\" role=\"alert\" id=\"{}-error\">{}</p>\n", id, f->error);
}

void cv_web_admin_table(const char *label, const char *const *heads, cv_html *h)
{
    cv_html_put(h,
                "<div class=\"scroll rows\" role=\"region\" tabindex=\"0\" "
                "aria-label=\"{}\"><table><thead><tr>",
                label);
    for (; *heads; heads++)
        cv_html_put(h, "<th scope=\"col\">{}</th>", *heads);
    cv_html_raw(h, "</tr></thead><tbody>\n");
}

void cv_web_admin_table_end(cv_html *h)
{
    cv_html_raw(h, "</tbody></table></div>\n");
}

static void accounts(const cv_web_req *r, const cv_web_form *f, cv_html *h, cv_err *e)
{
    cv_web_admin_section(f, "accounts", _("Accounts"), h);
    json_t *list = cv_web_admin_read(r, "account.list", json_object(), e);
    const char *heads[] = {_("Login"), _("Name"), _("E-mail"), _("State"), _("Language"), NULL};
    cv_web_admin_table(_("Accounts"), heads, h);
    size_t i;
    json_t *a;
    json_array_foreach(list, i, a)
    {
        int en = strcmp(cv_json_text(a, "lang"), "en") == 0;
        cv_html_put(h, "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>",
                    cv_json_text(a, "login"), cv_json_text(a, "display_name"),
                    cv_json_text(a, "email"),
                    strcmp(cv_json_text(a, "state"), "active") == 0 ? _("active") : _("disabled"));
        cv_web_admin_form(r, "account-lang", "inline", h);
        cv_html_put(h,
                    "<input type=\"hidden\" name=\"login\" value=\"{}\">"
                    "<input type=\"hidden\" name=\"lang\" value=\"{}\">{} "
                    "<button type=\"submit\" class=\"small\" aria-label=\"{} "
                    "{}\">{}</button></form></td></tr>\n",
                    cv_json_text(a, "login"), en ? "vi" : "en", en ? "English" : "Tiếng Việt",
                    cv_json_text(a, "login"), en ? "→ Tiếng Việt" : "→ English",
                    en ? "→ Tiếng Việt" : "→ English");
    }
    json_decref(list);
    cv_web_admin_table_end(h);
    cv_html_put(h, "<h3>{}</h3>\n", _("Add an account"));
    cv_web_admin_form(r, "account-add", "row", h);
    input(f, "account-add", "login", _("Login name"), "text", 1, h);
    input(f, "account-add", "name", _("Display name"), "text", 1, h);
    input(f, "account-add", "email", _("E-mail"), "email", 0, h);
    input(f, "account-add", "password", _("Password"), "password", 0, h);
    cv_html_put(h, "<p><button type=\"submit\">{}</button></p></form>\n</section>\n",
                _("Add the account"));
}

/* The role of a new grant, one of the roles (their names as the CLI writes them). */
static void role_select(const cv_web_req *r, const cv_web_form *f, cv_html *h)
{
    static const char *const roles[] = {"viewer",       "office",    "organisation", "secretary",
                                        "subcommittee", "inspector", "admin"};
    const char *typed = f && strcmp(cv_web_form_get(f, "action"), "grant-add") == 0
                            ? cv_web_form_get(f, "role")
                            : "";
    cv_html_put(h,
                "<div class=\"field\"><label for=\"grant-add-role\">{}</label>"
                "<select id=\"grant-add-role\" name=\"role\">",
                _("Role"));
    for (size_t i = 0; i < sizeof roles / sizeof *roles; i++)
        cv_html_put(h,
                    strcmp(typed, roles[i]) == 0 ? "<option selected>{}</option>"
                                                 : "<option>{}</option>",
                    roles[i]);
    cv_html_raw(h, "</select></div>");
}

static void grants(const cv_web_req *r, const cv_web_form *f, cv_html *h, cv_err *e)
{
    cv_web_admin_section(f, "grants", _("Grants, with their history"), h);
    json_t *list = cv_web_admin_read(r, "grant.list", json_pack("{s:b}", "history", 1), e);
    const char *heads[] = {"#",       _("Account"), _("Role"), _("Organisation"),
                           _("From"), _("Until"),   "",        NULL};
    cv_web_admin_table(_("Grants, with their history"), heads, h);
    size_t i;
    json_t *g;
    char d1[32], d2[32], id[32];
    json_array_foreach(list, i, g)
    {
        const json_t *ends = json_object_get(g, "ends");
        snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(g, "id")));
        cv_html_put(h, "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>",
                    id, cv_json_text(g, "account"), cv_json_text(g, "role"),
                    *cv_json_text(g, "org") ? cv_json_text(g, "org") : _("the whole store"),
                    day_of(r, json_integer_value(json_object_get(g, "starts")), d1),
                    json_is_integer(ends) ? day_of(r, json_integer_value(ends), d2) : "");
        if (!json_is_integer(ends)) {
            cv_web_admin_form(r, "grant-end", "inline", h);
            cv_html_put(
                h,
                "<input type=\"hidden\" name=\"id\" value=\"{}\">"
                "<button type=\"submit\" class=\"small\" aria-label=\"{} #{}\">{}</button></form>",
                id, _("End grant"), id, _("End"));
        }
        cv_html_raw(h, "</td></tr>\n");
    }
    json_decref(list);
    cv_web_admin_table_end(h);
    cv_html_put(h, "<h3>{}</h3>\n", _("Add a grant"));
    cv_web_admin_form(r, "grant-add", "row", h);
    input(f, "grant-add", "login", _("Login name"), "text", 1, h);
    role_select(r, f, h);
    input(f, "grant-add", "org", _("Organisation code (empty for admin)"), "text", 0, h);
    cv_html_put(h, "<p><button type=\"submit\">{}</button></p></form>\n</section>\n",
                _("Grant the role"));
}

/* The audit's filters as a query string (for the export links), escaped by the caller. */
static void audit_query(const cv_web_form *q, char *out, size_t cap)
{
    static const char *const names[] = {"org", "actor", "since", "type"};
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < 4; i++) {
        const char *v = cv_web_form_get(q, names[i]);
        for (const char *p = v; *p && len + 4 < cap; p++) {
            if (p == v)
                len += (size_t)snprintf(out + len, cap - len, "%s%s=", len ? "&" : "?", names[i]);
            unsigned char c = (unsigned char)*p;
            if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                c == '-' || c == '.' || c == '_')
                out[len++] = (char)c;
            else
                len += (size_t)snprintf(out + len, cap - len, "%%%02X", c);
            out[len] = '\0';
        }
    }
}

/* The audit's filters from q as the operation's arguments. */
json_t *cv_web_audit_args(const cv_web_form *q)
{
    static const char *const names[] = {"org", "actor", "since", "type"};
    json_t *args = json_object();
    for (size_t i = 0; i < 4; i++)
        if (*cv_web_form_get(q, names[i]))
            json_object_set_new(args, names[i], json_string(cv_web_form_get(q, names[i])));
    return args;
}

static void audit_filters(const cv_web_req *r, const cv_web_form *q, cv_html *h)
{
    static const char *const names[] = {"org", "actor", "since", "type"};
    const char *labels[] = {_("Organisation (its subtree)"), _("Actor"), _("Since (YYYY-MM-DD)"),
                            _("Event type"), NULL};
    cv_html_raw(h, "<form method=\"get\" action=\"/admin\" class=\"row\">");
    for (size_t i = 0; i < 4; i++)
        cv_html_put(h,
                    "<div class=\"field\"><label for=\"audit-{}\">{}</label>"
                    "<input id=\"audit-{}\" name=\"{}\" value=\"{}\"></div>",
                    names[i], labels[i], names[i], names[i], cv_web_form_get(q, names[i]));
    cv_html_put(h, "<p><button type=\"submit\">{}</button></p></form>\n", _("Filter"));
}

/* Cuts text (if longer than max bytes) at a character's start and ends it with an ellipsis. */
static void shorten(char *text, size_t max)
{
    if (!text || strlen(text) <= max + 3) /* room for the ellipsis's 3 bytes */
        return;
    while (max > 0 && ((unsigned char)text[max] & 0xC0) == 0x80)
        max--;
    memcpy(text + max, "…", sizeof "…");
}

static void audit(const cv_web_req *r, const cv_web_form *q, cv_html *h)
{
    cv_err e;
    char query[512], d[32];
    cv_web_admin_section(NULL, "audit", _("Audit log"), h);
    audit_filters(r, q, h);
    json_t *rows = cv_web_admin_read(r, "audit", cv_web_audit_args(q), &e);
    if (!rows) {
        cv_html_put(h, "<p class=\"error\" role=\"alert\" id=\"audit-error\">{}</p></section>\n",
                    e.msg);
        return;
    }
    audit_query(q, query, sizeof query);
    cv_html_raw(h, "<p class=\"actions\">");
    cv_html_put(h, "<a class=\"button\" href=\"/admin/audit.csv{}\" download>{}</a>", query,
                _("Export as CSV"));
    cv_html_put(h, "<a class=\"button\" href=\"/admin/audit.xlsx{}\" download>{}</a>", query,
                _("Export as XLSX"));
    cv_html_raw(h, "</p>\n<p class=\"meta\">");
    char n[32], m[32];
    size_t total = json_array_size(rows);
    cv_html_say(h, _("The newest %s of %s events."),
                cv_page_num(r, (double)(total < AUDIT_ROWS ? total : AUDIT_ROWS), 0, n),
                cv_page_num(r, (double)total, 0, m));
    cv_html_raw(h, "</p>\n");
    const char *heads[] = {"#",       _("Day"), _("Actor"), _("Event"), _("Organisation"),
                           _("Data"), NULL};
    cv_web_admin_table(_("Audit log"), heads, h);
    for (size_t i = total; i > 0 && total - i < AUDIT_ROWS; i--) {
        json_t *ev = json_array_get(rows, i - 1);
        char id[32];
        char *data = json_dumps(json_object_get(ev, "data"), JSON_COMPACT | JSON_SORT_KEYS);
        shorten(data, DATA_SHOWN);
        snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(ev, "id")));
        cv_html_put(h,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
                    "<td class=\"data\">{}</td></tr>\n",
                    id, cv_page_date(r, cv_json_text(ev, "day"), d), cv_json_text(ev, "actor"),
                    cv_json_text(ev, "type"), cv_json_text(ev, "org"), data ? data : "");
        free(data);
    }
    cv_web_admin_table_end(h);
    cv_html_raw(h, "</section>\n");
    json_decref(rows);
}

static void backup(const cv_web_req *r, cv_html *h)
{
    json_t *last = cv_backup_last(r->store);
    char d[32];
    cv_web_admin_section(NULL, "backup", _("Last good backup"), h);
    if (!last) {
        cv_html_put(h, "<p class=\"none\">{}</p></section>\n", _("No backup has been made yet."));
        return;
    }
    cv_html_put(h,
                "<dl class=\"facts\"><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd></dl></section>\n",
                _("Made on"), day_of(r, json_integer_value(json_object_get(last, "at")), d),
                _("File"), cv_json_text(last, "file"));
    json_decref(last);
}

int cv_web_admin(const cv_web_req *r, const cv_web_form *q, const cv_web_form *f, cv_html *h,
                 cv_err *e)
{
    if (cv_ops_permit(r->store, r->actor, CV_ROLE_ADMIN, 0, "administer", e) < 0)
        return e->code;
    cv_page_begin(r, _("Administration"), 0, h);
    cv_html_put(
        h,
        "<nav aria-label=\"{}\" class=\"toc\"><a href=\"#accounts\">{}</a> "
        "<a href=\"#grants\">{}</a> <a href=\"#plugins\">{}</a> <a href=\"#packages\">{}</a> "
        "<a href=\"#jobs\">{}</a> <a href=\"#outbox\">{}</a> <a href=\"#audit\">{}</a> "
        "<a href=\"#backup\">{}</a></nav>\n",
        _("Sections"), _("Accounts"), _("Grants"), _("Plugins"), _("Lua packages"), _("Jobs"),
        _("Failed deliveries"), _("Audit log"), _("Backup"));
    accounts(r, f, h, e);
    grants(r, f, h, e);
    cv_web_admin_plugins(r, f, h);
    cv_web_admin_packages(r, f, h);
    cv_web_admin_jobs(r, f, h);
    cv_web_admin_outbox(r, f, h);
    audit(r, q, h);
    backup(r, h);
    cv_page_end(r, h);
    return 0;
}
